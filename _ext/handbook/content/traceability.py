"""Trace each guidance point of the source articles to the pages that put it into practice.

The guidance register (``reference/guidance.yaml``, config ``handbook_guidance_file``)
numbers the articles' safety guidance as points SG-01, SG-02, ... Pages say which
points they implement in two ways:

* the ``covers: [SG-04, SG-07]`` key of their front matter (read with
  :func:`handbook.doccontrol.frontmatter.read_front_matter`, the project's one parser);
* the inline role ``{sg}`SG-04``` placed in a section, meaning "this section
  implements SG-04". It renders as a small link to the point's row in the matrix.

The ``traceability-matrix`` directive renders one row per point: id, title,
article, paraphrase, and every page and section covering it.

Warnings (``handbook.traceability``): a malformed register (file and line); a
page whose ``covers`` or ``{sg}`` role names an unknown point; a point that no
page in the covering folders (protocols and patient guides) covers.

The register parsing and the matrix's content are plain functions; the Sphinx
glue below them stores per-page findings on the environment, merged and purged
per document so parallel builds work.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter

logger = logging.getLogger(__name__)

POINT_ID = re.compile(r"SG-\d{2,}")
ENV_KEY = "handbook_traceability"


# -- The register (pure) -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Article:
    key: str
    title: str
    seed: str


@dataclasses.dataclass(frozen=True)
class GuidancePoint:
    id: str
    title: str
    articles: tuple[str, ...]
    paraphrase: str
    #: 1-based line of the point's entry in the register.
    line: int


@dataclasses.dataclass(frozen=True)
class RegisterProblem:
    message: str
    line: int


@dataclasses.dataclass(frozen=True)
class Register:
    articles: dict[str, Article]
    points: dict[str, GuidancePoint]  # in file order


class RegisterError(ValueError):
    """A register that cannot be read at all; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _mapping_items(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {key.value: (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _text(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and node.value.strip():
        return node.value.strip()
    return None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def parse_register(text: str) -> tuple[Register, list[RegisterProblem]]:
    """Read the register's text; raise :class:`RegisterError` when unusable.

    Points with a problem are reported and left out; the rest are returned.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and context_mark is not None and context_mark is not mark:
            problem = f"{context} at line {context_mark.line + 1}, {problem}"
        raise RegisterError(f"guidance register is not valid YAML: {problem}", mark.line + 1 if mark else 1) from None
    if not isinstance(root, yaml.MappingNode):
        raise RegisterError("guidance register must be a mapping with 'articles' and 'points'", _line(root) if root else 1)
    top = _mapping_items(root)
    problems: list[RegisterProblem] = []

    articles: dict[str, Article] = {}
    if "articles" not in top or not isinstance(top["articles"][1], yaml.MappingNode):
        line = _line(top["articles"][0]) if "articles" in top else 1
        raise RegisterError("guidance register needs 'articles': a mapping of article keys", line)
    for key_node, value_node in top["articles"][1].value:
        fields = _mapping_items(value_node) if isinstance(value_node, yaml.MappingNode) else {}
        title = _text(fields.get("title", (None, None))[1])
        if title is None:
            problems.append(RegisterProblem(f"article '{key_node.value}' needs a title", _line(key_node)))
            continue
        seed = _text(fields.get("seed", (None, None))[1]) or ""
        articles[str(key_node.value)] = Article(str(key_node.value), title, seed)

    if "points" not in top or not isinstance(top["points"][1], yaml.SequenceNode):
        line = _line(top["points"][0]) if "points" in top else 1
        raise RegisterError("guidance register needs 'points': a list of guidance points", line)
    points: dict[str, GuidancePoint] = {}
    for item in top["points"][1].value:
        line = _line(item)
        if not isinstance(item, yaml.MappingNode):
            problems.append(RegisterProblem("guidance point must be a mapping with id, title, articles, paraphrase", line))
            continue
        fields = _mapping_items(item)
        point_id = _text(fields.get("id", (None, None))[1])
        if point_id is None or not POINT_ID.fullmatch(point_id):
            problems.append(RegisterProblem(f"guidance point id must look like SG-01, not {point_id!r}", line))
            continue
        if point_id in points:
            problems.append(RegisterProblem(f"guidance point {point_id} appears twice (first at line {points[point_id].line})", line))
            continue
        missing = [name for name in ("title", "paraphrase") if _text(fields.get(name, (None, None))[1]) is None]
        article_node = fields.get("articles", (None, None))[1]
        keys = [_text(n) for n in article_node.value] if isinstance(article_node, yaml.SequenceNode) else []
        if not keys or None in keys:
            missing.append("articles")
        if missing:
            problems.append(RegisterProblem(f"guidance point {point_id} needs {', '.join(missing)}", line))
            continue
        unknown = [key for key in keys if key not in articles]
        if unknown:
            problems.append(RegisterProblem(
                f"guidance point {point_id} names unknown article(s) {', '.join(unknown)}", line))
            continue
        points[point_id] = GuidancePoint(
            point_id,
            _text(fields["title"][1]),
            tuple(keys),
            _text(fields["paraphrase"][1]),
            line,
        )
    return Register(articles, points), problems


def point_anchor(point_id: str) -> str:
    """The HTML id of a point's row in the matrix."""
    return point_id.lower()


# -- What pages declare --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Covers:
    """A page's ``covers`` list and the line of the ``covers`` key."""

    points: tuple[str, ...]
    line: int
    page_id: str


@dataclasses.dataclass(frozen=True)
class SectionTag:
    """One ``{sg}`` role: this section implements this point."""

    point: str
    section_id: str
    section_title: str


def covers_of(data: dict[str, Any]) -> tuple[str, ...]:
    """The point ids a front matter's ``covers`` names (doc-control validates its type)."""
    value = data.get("covers")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None)


def _store(env: BuildEnvironment) -> dict[str, dict]:
    if not hasattr(env, ENV_KEY):
        setattr(env, ENV_KEY, {"covers": {}, "tags": {}, "matrix": set()})
    return getattr(env, ENV_KEY)


def _register(env: BuildEnvironment) -> Register | None:
    return getattr(env, "handbook_guidance", None)


def _register_path(env: BuildEnvironment) -> Path:
    return Path(env.srcdir) / env.config.handbook_guidance_file


def _note_register(env: BuildEnvironment) -> None:
    """Make the current page depend on the register, when there is one.

    Sphinx reads a page again on every build while a file it depends on is
    missing; a project without a register would never build incrementally.
    A register that appears or disappears is caught by :func:`outdated_matrix`.
    """
    path = _register_path(env)
    if path.is_file():
        env.note_dependency(str(path))


# -- Nodes, role and directive ------------------------------------------------


class sg_tag(nodes.Inline, nodes.TextElement):
    """A ``{sg}`` role, replaced by a link to the matrix once pages are resolved."""


class traceability_matrix(nodes.General, nodes.Element):
    """Where the matrix goes; filled in once every page has been read."""


class SgRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        point_id = self.text.strip()
        node = sg_tag(point_id, point_id, point=point_id)
        self.set_source_info(node)
        register = _register(self.env)
        if register is not None and point_id not in register.points:
            logger.warning(
                "unknown guidance point '%s' in {sg} role", point_id,
                type="handbook", subtype="traceability", location=(self.env.docname, self.lineno),
            )
            node["unknown"] = True
        _note_register(self.env)
        return [node], []


class TraceabilityMatrix(SphinxDirective):
    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        node = traceability_matrix(classes=["handbook-traceability", *self.options.get("class", [])])
        self.set_source_info(node)
        _store(self.env)["matrix"].add(self.env.docname)
        _note_register(self.env)
        return [node]


# -- Event handlers -------------------------------------------------------------


def load_register(app: Sphinx) -> None:
    """Read the register once per build, before any page is read."""
    path = _register_path(app.env)
    app.env.handbook_guidance = None
    app.env.handbook_guidance_unreadable = None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        # Reported in check_coverage, and only if a page uses {sg} or the matrix:
        # projects that never trace (small test projects) need no register.
        app.env.handbook_guidance_unreadable = f"cannot read the guidance register {path}: {error.strerror}"
        return
    try:
        register, problems = parse_register(text)
    except RegisterError as error:
        logger.warning(error.message, type="handbook", subtype="traceability", location=f"{path}:{error.line}")
        return
    for problem in problems:
        logger.warning(problem.message, type="handbook", subtype="traceability", location=f"{path}:{problem.line}")
    app.env.handbook_guidance = register


def _section_of(node: nodes.Node) -> nodes.section | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def _title_text(section: nodes.section) -> str:
    title = next(iter(section.findall(nodes.title)), None)
    if title is None:
        return ""
    title = title.deepcopy()
    for tag in list(title.findall(sg_tag)):
        tag.parent.remove(tag)
    return title.astext().strip()


def collect(app: Sphinx, doctree: nodes.document) -> None:
    """Record the page's ``covers`` and each ``{sg}`` tag with its section."""
    env = app.env
    docname = env.docname
    store = _store(env)
    register = _register(env)
    try:
        front = read_front_matter(env.doc2path(docname))
    except (FrontMatterError, OSError):
        front = None  # document control reports unreadable front matter
    if front is not None and "covers" in front.data:
        line = front.line_of("covers")
        points = covers_of(front.data)
        store["covers"][docname] = Covers(points, line, str(front.data.get("id", "")))
        _note_register(env)
        if register is not None:
            for point in points:
                if point not in register.points:
                    logger.warning("covers names unknown guidance point '%s'", point,
                                   type="handbook", subtype="traceability", location=(docname, line))
    tags = []
    for tag in doctree.findall(sg_tag):
        section = _section_of(tag)
        if section is None or not section["ids"]:
            tags.append(SectionTag(tag["point"], "", ""))
        else:
            tags.append(SectionTag(tag["point"], section["ids"][0], _title_text(section)))
    if tags:
        store["tags"][docname] = tags


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    store = _store(env)
    store["covers"].pop(docname, None)
    store["tags"].pop(docname, None)
    store["matrix"].discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    store, theirs = _store(env), _store(other)
    for docname in docnames:
        if docname in theirs["covers"]:
            store["covers"][docname] = theirs["covers"][docname]
        if docname in theirs["tags"]:
            store["tags"][docname] = theirs["tags"][docname]
        if docname in theirs["matrix"]:
            store["matrix"].add(docname)


def _is_covering_page(app: Sphinx, docname: str) -> bool:
    return any(docname.startswith(folder.rstrip("/") + "/") for folder in app.config.handbook_traceability_folders)


def _page_order(app: Sphinx, docname: str) -> tuple[int, str, str]:
    """Protocols first, then patient guides (the configured folder order), then the rest; by id within each."""
    folders = [folder.rstrip("/") + "/" for folder in app.config.handbook_traceability_folders]
    rank = next((index for index, folder in enumerate(folders) if docname.startswith(folder)), len(folders))
    covers = _store(app.env)["covers"].get(docname)
    return rank, covers.page_id if covers else "", docname


def coverage(app: Sphinx, env: BuildEnvironment) -> dict[str, dict[str, list[SectionTag]]]:
    """For each point: the covering pages, in docname order, each with its tagged sections."""
    store = _store(env)
    result: dict[str, dict[str, list[SectionTag]]] = {}
    for docname in sorted(store["covers"]):
        for point in store["covers"][docname].points:
            result.setdefault(point, {}).setdefault(docname, [])
    for docname in sorted(store["tags"]):
        for tag in store["tags"][docname]:
            sections = result.setdefault(tag.point, {}).setdefault(docname, [])
            if tag.section_id and tag not in sections:
                sections.append(tag)
    return result


def check_coverage(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn for each point that no protocol and no patient guide covers."""
    register = _register(env)
    if register is None:
        store = _store(env)
        unreadable = getattr(env, "handbook_guidance_unreadable", None)
        if unreadable and (store["tags"] or store["matrix"]):
            logger.warning(unreadable, type="handbook", subtype="traceability")
        return
    covered = coverage(app, env)
    path = _register_path(app.env)
    for point in register.points.values():
        if not any(_is_covering_page(app, docname) for docname in covered.get(point.id, {})):
            logger.warning("guidance point %s is covered by no protocol and no patient guide", point.id,
                           type="handbook", subtype="traceability", location=f"{path}:{point.line}")


def outdated_matrix(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Rewrite the matrix page whenever any page was added, changed or removed.

    When the register appeared or went away since the last build, every page
    that cites or covers a guidance point is read again too.
    """
    store = _store(env)
    present = _register_path(env).is_file()
    again: set[str] = set()
    register_changed = store.setdefault("register_present", present) != present
    if register_changed:
        store["register_present"] = present
        again.update(store["covers"], store["tags"])
    if added or changed or removed or register_changed:
        again.update(store["matrix"])
    return sorted(again - added - changed - removed)


# -- Rendering ------------------------------------------------------------------


def _page_label(env: BuildEnvironment, docname: str) -> str:
    title = env.titles[docname].astext() if docname in env.titles else docname
    page_id = _store(env)["covers"].get(docname)
    return f"{page_id.page_id} {title}" if page_id and page_id.page_id else title


def _link(text: str, refuri: str, classes: list[str] | None = None) -> nodes.reference:
    return nodes.reference(text, text, internal=True, refuri=refuri, classes=classes or [])


def _build_table(app: Sphinx, fromdocname: str, register: Register) -> list[nodes.Node]:
    env, builder = app.env, app.builder
    covered = coverage(app, env)
    legend = nodes.bullet_list(classes=["handbook-traceability-articles"])
    for article in register.articles.values():
        legend += nodes.list_item("", nodes.paragraph("", f"{article.key}: {article.title}"))

    table = nodes.table(classes=["handbook-traceability-matrix"])
    group = nodes.tgroup(cols=5)
    table += group
    for width in (8, 18, 8, 33, 33):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    header = nodes.row()
    for label in ("Point", "Title", "Article", "What the article says", "Covered by"):
        header += nodes.entry("", nodes.paragraph("", label))
    head += header
    body = nodes.tbody()
    group += body
    for point in register.points.values():
        row = nodes.row(ids=[point_anchor(point.id)])
        row += nodes.entry("", nodes.paragraph("", point.id))
        row += nodes.entry("", nodes.paragraph("", point.title))
        row += nodes.entry("", nodes.paragraph("", ", ".join(point.articles)))
        row += nodes.entry("", nodes.paragraph("", point.paraphrase))
        cell = nodes.entry()
        pages = covered.get(point.id, {})
        if not pages:
            cell += nodes.paragraph("", "Not covered", classes=["handbook-traceability-gap"])
        else:
            pages_list = nodes.bullet_list()
            for docname, sections in sorted(pages.items(), key=lambda item: _page_order(app, item[0])):
                uri = builder.get_relative_uri(fromdocname, docname)
                item = nodes.list_item("", nodes.paragraph("", "", _link(_page_label(env, docname), uri)))
                if sections:
                    section_list = nodes.bullet_list()
                    for section in sections:
                        section_list += nodes.list_item("", nodes.paragraph(
                            "", "", _link(section.section_title, f"{uri}#{section.section_id}")))
                    item += section_list
                pages_list += item
            cell += pages_list
        row += cell
        body += row
    return [legend, table]


def resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    env = app.env
    register = _register(env)
    matrix_docs = sorted(_store(env)["matrix"])
    for tag in list(doctree.findall(sg_tag)):
        point_id = tag["point"]
        if matrix_docs and not tag.get("unknown"):
            uri = app.builder.get_relative_uri(fromdocname, matrix_docs[0]) + "#" + point_anchor(point_id)
            title = register.points[point_id].title if register and point_id in register.points else point_id
            new = nodes.reference(point_id, point_id, internal=True, refuri=uri, reftitle=title,
                                  classes=["handbook-sg"])
        else:
            new = nodes.inline(point_id, point_id, classes=["handbook-sg"])
        tag.replace_self(new)
    for matrix in list(doctree.findall(traceability_matrix)):
        if register is None:
            matrix.replace_self(nodes.paragraph("", "The guidance register could not be read."))
        else:
            container = nodes.container(classes=matrix["classes"])
            container.extend(_build_table(app, fromdocname, register))
            matrix.replace_self(container)


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_guidance_file", "reference/guidance.yaml", "env", str)
    app.add_config_value("handbook_traceability_folders", ["protocols", "patient-guides"], "env", list)
    app.add_node(sg_tag)
    app.add_node(traceability_matrix)
    app.add_role("sg", SgRole())
    app.add_directive("traceability-matrix", TraceabilityMatrix)
    app.connect("builder-inited", load_register)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", check_coverage)
    app.connect("env-get-outdated", outdated_matrix)
    app.connect("doctree-resolved", resolve)
