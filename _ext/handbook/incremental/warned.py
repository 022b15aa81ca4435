"""Which pages a warning belongs to, from the location it was given.

Sphinx warnings carry their location as ``(docname, line)``, a docutils node,
or text ``"path"`` / ``"path:line"``. A warning about a file that is not a
page (a Markdown file brought in with ``{include}``) belongs to every page
that includes it. Pure: the caller passes what it knows of the project.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path


def location_path(location) -> tuple[str | None, str | None]:
    """``(docname, path)`` named by a warning's ``location``; either may be ``None``."""
    if location is None:
        return None, None
    if isinstance(location, tuple):
        docname = location[0] if location else None
        return (docname if isinstance(docname, str) else None), None
    if isinstance(location, str):
        path, sep, line = location.rpartition(":")
        return None, path if sep and line.strip().isdigit() else location
    source = getattr(location, "source", None)  # a docutils node
    if isinstance(source, str):
        return None, source.split(":docstring of ")[0]
    return None, None


def pages_of(
    location,
    path2doc: Callable[[str], str | None],
    dependencies: Mapping[str, Iterable[str]],
    srcdir: str,
) -> set[str]:
    """The pages a warning at ``location`` belongs to.

    ``path2doc`` maps a source path to its page's docname (``None`` when it
    is not a page of the build, e.g. an excluded, included file); ``dependencies`` maps each docname to the files it depends on
    (relative to ``srcdir`` or absolute), which is how included files are
    traced to the pages that include them.
    """
    docname, path = location_path(location)
    if docname:
        return {docname}
    if not path:
        return set()
    found = path2doc(path)
    if found:
        return {found}
    target = os.path.normpath(os.path.join(srcdir, path))
    return {
        name for name, files in dependencies.items()
        if any(os.path.normpath(os.path.join(srcdir, os.fspath(f))) == target for f in files)
    }


def resolve(path: str | Path) -> str:
    """An absolute, normalised path (for comparing file names)."""
    return os.path.normpath(os.path.abspath(os.fspath(path)))
