"""Read a page's YAML front matter, keeping types and line numbers.

MyST hands front matter to Sphinx as strings (``1.10`` becomes ``"1.1"``) and
without line numbers, so the handbook reads the YAML itself. This module is
pure: it takes the page's text and returns what it found; validation and
rendering build on it. The HTML and PDF builders both use it, so there is one
parser for document metadata.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

FENCE = "---"


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that an impossible date stays text.

    ``2026-02-30`` looks like a date to YAML, which then fails with a bare
    ``ValueError`` and no line. Keeping it as the text ``"2026-02-30"`` lets
    the validator say which key holds an impossible date, and where.
    """


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

#: libyaml's parser, when PyYAML was built with it: the same nodes and marks,
#: several times faster than the pure-Python scanner on every page of a build.
_FastComposer = getattr(yaml, "CSafeLoader", None)


def _compose(yaml_text: str) -> yaml.Node | None:
    """Compose ``yaml_text`` into nodes, quickly when libyaml is there.

    Only valid YAML takes the fast path: on an error the pure-Python parser
    runs again, so messages read the same with or without libyaml.
    """
    if _FastComposer is not None:
        try:
            return yaml.compose(yaml_text, Loader=_FastComposer)
        except yaml.YAMLError:
            pass
    return yaml.compose(yaml_text, Loader=_Loader)


class FrontMatterError(ValueError):
    """Front matter that cannot be read. ``line`` is 1-based, in the page's file."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclasses.dataclass(frozen=True)
class FrontMatter:
    """A page's front matter as YAML typed it, and where each key stands."""

    data: dict[str, Any]
    #: 1-based line in the page's file of each top-level key.
    key_lines: dict[str, int]
    #: 1-based line of each item of each top-level list (e.g. ``history``).
    item_lines: dict[str, list[int]]
    #: 1-based line of the opening ``---``.
    start_line: int = 1
    #: Each top-level scalar value as written in the file, before YAML typed
    #: it (``1.10`` stays ``"1.10"``), for messages that quote the author.
    raw_values: dict[str, str] = dataclasses.field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Line of ``key``, or of the opening fence when the key is absent."""
        return self.key_lines.get(key, self.start_line)


def split_front_matter(text: str) -> tuple[str, int] | None:
    """Return the YAML between the opening and closing fences and its first line."""
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            return "\n".join(lines[1:index]) + "\n", 2
    raise FrontMatterError("front matter has no closing '---'", 1)


def parse_front_matter(text: str) -> FrontMatter | None:
    """Parse the front matter of a page's source text; ``None`` when it has none."""
    found = split_front_matter(text)
    if found is None:
        return None
    yaml_text, first_line = found
    offset = first_line - 1
    try:
        root = _compose(yaml_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 + offset if mark else first_line
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(f"front matter is not valid YAML: {problem}", line) from None
    if root is None:
        return FrontMatter({}, {}, {}, 1)
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterError("front matter must be a mapping of keys to values", root.start_mark.line + 1 + offset)

    constructor = _Loader(yaml_text)
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    raw_values: dict[str, str] = {}
    for key_node, value_node in root.value:
        key = constructor.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key, str):
            raise FrontMatterError(f"front matter key {key!r} must be text", line)
        if key in data:
            raise FrontMatterError(f"front matter key '{key}' appears twice", line)
        data[key] = constructor.construct_object(value_node, deep=True)
        key_lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = [item.start_mark.line + 1 + offset for item in value_node.value]
        elif isinstance(value_node, yaml.ScalarNode):
            raw_values[key] = value_node.value
    return FrontMatter(data, key_lines, item_lines, 1, raw_values)


def read_front_matter(path: str | Path) -> FrontMatter | None:
    """Parse the front matter of the page at ``path``."""
    return parse_front_matter(Path(path).read_text(encoding="utf-8"))
