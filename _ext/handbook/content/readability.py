"""Reading level of the patient guides.

Each guide's body text is scored with the Flesch-Kincaid grade level
(textstat 0.7.8), the formula the handbook names wherever it reports a grade:

    grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59

The body text is what a patient reads: every paragraph and definition term,
leaving out headings (page, section and box titles), the document-control
panel, banners, the change history and the "For staff" line. Each block counts
as at least one sentence, so a list item without a full stop is not run
together with the next one.

Scores are taken from each guide's doctree when it is read and kept on the
environment (merged from parallel readers). The ``readability-report``
directive renders them as a table, and a guide above
``handbook_readability_max_grade`` is a ``handbook.readability`` warning.

The ``for-staff`` directive writes a guide's closing "For staff:" line, the
links from a handout to the staff protocols behind it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from textstat.textstat import textstatistics

from handbook.content.cmudict_lookup import install_in_textstat
from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter
from handbook.i18n.catalog import _

logger = logging.getLogger(__name__)

FORMULA_NAME = "Flesch-Kincaid grade level"
FORMULA = "0.39 \N{MULTIPLICATION SIGN} (words \N{DIVISION SIGN} sentences) + 11.8 \N{MULTIPLICATION SIGN} (syllables \N{DIVISION SIGN} words) \N{MINUS SIGN} 15.59"
TEXTSTAT_VERSION = "0.7.8"

#: Classes of elements whose text a patient is not meant to read as the guide.
EXCLUDED_CLASSES = frozenset({"handbook-doc-control", "handbook-banner", "handbook-for-staff"})
#: Ids of sections left out for the same reason (document control's change history).
EXCLUDED_SECTION_IDS = frozenset({"change-history"})

_SENTENCE_END = re.compile(r"[.!?]['\"\u2019\u201d)]*$")

# One private instance: textstat's module-level object is shared, mutable state.
_TEXTSTAT = textstatistics()
# The same syllable counts as textstat's own, at a sixth of the start-up cost.
install_in_textstat()


@dataclasses.dataclass(frozen=True)
class Readability:
    """The reading level of one text."""

    grade: float  # Flesch-Kincaid grade, rounded to one decimal
    words: int
    sentences: int

    def passes(self, max_grade: float) -> bool:
        return self.grade <= max_grade


@dataclasses.dataclass(frozen=True)
class GuideReadability:
    """A guide's score as the report lists it."""

    docname: str
    guide_id: str  # "PG-001", or "" when the front matter has none
    readability: Readability
    line: int | None = None  # where the title stands, for the warning


def scoring_text(blocks: Iterable[str]) -> str:
    """Join text blocks into the one text that is scored.

    Whitespace is collapsed, empty blocks are dropped, and a block that does
    not end a sentence gets a full stop: a list item or a table cell reads as
    a sentence of its own.
    """
    sentences = []
    for block in blocks:
        text = " ".join(block.split())
        if not text:
            continue
        if not _SENTENCE_END.search(text):
            text += "."
        sentences.append(text)
    return " ".join(sentences)


def readability(blocks: Iterable[str]) -> Readability:
    """Flesch-Kincaid grade, word count and sentence count of ``blocks``."""
    text = scoring_text(blocks)
    if not text:
        return Readability(grade=0.0, words=0, sentences=0)
    return Readability(
        grade=round(_TEXTSTAT.flesch_kincaid_grade(text), 1) + 0.0,  # + 0.0: no "-0.0"
        words=_TEXTSTAT.lexicon_count(text),
        sentences=_TEXTSTAT.sentence_count(text),
    )


def _excluded(node: nodes.Node) -> bool:
    if not isinstance(node, nodes.Element):
        return False
    if isinstance(node, (nodes.title, nodes.subtitle, nodes.rubric)):
        return True
    if EXCLUDED_CLASSES.intersection(node.get("classes", ())):
        return True
    return isinstance(node, nodes.section) and bool(EXCLUDED_SECTION_IDS.intersection(node["ids"]))


def body_blocks(doctree: nodes.Node) -> Iterator[str]:
    """The text of each paragraph and definition term a patient reads."""

    def walk(node: nodes.Node) -> Iterator[str]:
        if _excluded(node):
            return
        if isinstance(node, (nodes.paragraph, nodes.term)):
            # Raw markup (a checklist's <input> tag, a line break) is not words a
            # patient reads, but it still separates the words around it.
            yield "".join(" " if isinstance(text.parent, nodes.raw) else text.astext()
                          for text in node.findall(nodes.Text))
            return
        for child in node.children if isinstance(node, nodes.Element) else ():
            yield from walk(child)

    yield from walk(doctree)


def is_scored(docname: str, patterns: Iterable[str]) -> bool:
    """Whether ``docname`` is a guide whose reading level is reported."""
    if docname.rsplit("/", 1)[-1] == "index":
        return False
    return any(fnmatchcase(docname, pattern) for pattern in patterns)


def failing(guides: Iterable[GuideReadability], max_grade: float) -> list[GuideReadability]:
    return [guide for guide in guides if not guide.readability.passes(max_grade)]


def report_rows(guides: Iterable[GuideReadability]) -> list[GuideReadability]:
    """Guides in report order: by id, then by page name."""
    return sorted(guides, key=lambda guide: (guide.guide_id or "\uffff", guide.docname))


# -- Sphinx glue ----------------------------------------------------------------


class readability_report(nodes.General, nodes.Element):
    """Placeholder replaced by the report table once every guide is read."""


class ReadabilityReport(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        _reports(self.env).add(self.env.docname)
        node = readability_report()
        self.set_source_info(node)
        return [node]


class ForStaff(SphinxDirective):
    """A guide's closing line for staff: ``For staff:`` and links to protocols."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["handbook-for-staff"])
        self.set_source_info(container)
        content = self.parse_content_to_nodes()
        label = nodes.strong(_("For staff:"), _("For staff:"))
        if content and isinstance(content[0], nodes.paragraph):
            content[0].insert(0, nodes.Text(" "))
            content[0].insert(0, label)
        else:
            content.insert(0, nodes.paragraph("", "", label))
        container.extend(content)
        return [container]


def _scores(env: BuildEnvironment) -> dict[str, GuideReadability]:
    if not hasattr(env, "handbook_readability"):
        env.handbook_readability = {}
    return env.handbook_readability


def _reports(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, "handbook_readability_reports"):
        env.handbook_readability_reports = set()
    return env.handbook_readability_reports


def _guide_id(env: BuildEnvironment, docname: str) -> str:
    try:
        front = read_front_matter(env.doc2path(docname))
    except (FrontMatterError, OSError):
        return ""  # document control reports broken front matter
    guide_id = front.data.get("id") if front else None
    return guide_id if isinstance(guide_id, str) else ""


def _score_doctree(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    if not is_scored(docname, app.config.handbook_readability_docs):
        return
    title = doctree.next_node(nodes.title)
    guide = GuideReadability(
        docname=docname,
        guide_id=_guide_id(env, docname),
        readability=readability(body_blocks(doctree)),
        line=title.line if title is not None else None,
    )
    _scores(env)[docname] = guide
    max_grade = app.config.handbook_readability_max_grade
    if not guide.readability.passes(max_grade):
        logger.warning(
            "reading level is grade %.1f (%s), above the limit of %.1f: "
            "use shorter sentences and everyday words",
            guide.readability.grade, FORMULA_NAME, max_grade,
            type="handbook", subtype="readability", location=(docname, guide.line),
        )


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _scores(env).pop(docname, None)
    _reports(env).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs = getattr(other, "handbook_readability", {})
    _scores(env).update({name: theirs[name] for name in docnames if name in theirs})
    _reports(env).update(getattr(other, "handbook_readability_reports", set()) & set(docnames))


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    patterns = app.config.handbook_readability_docs
    if any(is_scored(name, patterns) for name in added | changed | removed):
        return sorted(_reports(env) - removed)
    return []


def _cell(*children: nodes.Node) -> nodes.entry:
    entry = nodes.entry()
    entry += nodes.paragraph("", "", *children)
    return entry


def _text_cell(text: str) -> nodes.entry:
    return _cell(nodes.Text(text))


def report_table(app: Sphinx, fromdocname: str, guides: list[GuideReadability]) -> list[nodes.Node]:
    max_grade = app.config.handbook_readability_max_grade
    intro = nodes.paragraph(
        "",
        f"Formula: {FORMULA_NAME} (textstat {TEXTSTAT_VERSION}): {FORMULA}. "
        f"A guide passes at grade {max_grade:.1f} or below. "
        f"{len(guides)} guides; {len(failing(guides, max_grade))} above the limit.",
        classes=["handbook-readability-formula"],
    )
    table = nodes.table(classes=["handbook-readability"])
    tgroup = nodes.tgroup(cols=4)
    table += tgroup
    for width in (50, 16, 16, 18):
        tgroup += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for label in ("Guide", f"Grade ({FORMULA_NAME})", "Words", "Result"):
        row += _text_cell(label)
    head += row
    tgroup += head
    body = nodes.tbody()
    for guide in guides:
        title = app.env.titles.get(guide.docname)
        label = title.astext() if title is not None else guide.docname
        if guide.guide_id:
            label = f"{guide.guide_id} {label}"
        link = nodes.reference(
            "", label, internal=True, refuri=app.builder.get_relative_uri(fromdocname, guide.docname)
        )
        passed = guide.readability.passes(max_grade)
        row = nodes.row(classes=["handbook-readability-pass" if passed else "handbook-readability-fail"])
        row += _cell(link)
        row += _text_cell(f"{guide.readability.grade:.1f}")
        row += _text_cell(str(guide.readability.words))
        row += _text_cell("Pass" if passed else "Fail")
        body += row
    tgroup += body
    return [intro, table]


def _render_reports(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    placeholders = list(doctree.findall(readability_report))
    if not placeholders:
        return
    guides = report_rows(_scores(app.env).values())
    for placeholder in placeholders:
        placeholder.replace_self(report_table(app, fromdocname, guides))


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_readability_max_grade", 7.0, "env", (float, int))
    app.add_config_value("handbook_readability_docs", ["patient-guides/*"], "env", list)
    app.add_node(readability_report)
    app.add_directive("readability-report", ReadabilityReport)
    app.add_directive("for-staff", ForStaff)
    # Late, so any node another handler adds at read time is there to be left out.
    app.connect("doctree-read", _score_doctree, priority=900)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _render_reports)
