"""What WeasyPrint says while rendering a PDF, sorted into two kinds (pure, no Sphinx).

WeasyPrint reports through the ``weasyprint`` logger. Every message it can log
at WARNING or ERROR (WeasyPrint 70.0, the pinned version) is in
:data:`KNOWN_MESSAGES`, and :func:`classify` sorts each into one of two kinds:

``problem``
    Something in the handbook is wrong: a character no embedded font has (it
    prints as an empty box), an image that cannot load, a link to an anchor
    that is not in the PDF, a table row with too many cells, a CSS mistake in
    the print templates. The builder reports each as a strict-build warning
    (``[handbook.pdf]``), located at the page (and line) the message points to.

``environment``
    Something about the machine, not the handbook: an optional system library
    is missing (``libharfbuzz-subset``: WeasyPrint then subsets the fonts with
    fontTools). The PDF is still right. The builder prints each such
    :class:`Notice` once per build, as one line saying what is missing, what it
    costs and the command that installs it, and never fails the build.

A message that is in no row of the table is a ``problem``: an unknown message
fails the strict build until someone reads it and adds it here. The test
``tests/pdf/test_messages.py`` reads WeasyPrint's own source and checks that
every message it can log matches a row, so a WeasyPrint upgrade that adds one
fails the tests instead of slipping through.

The source of each row is the WeasyPrint file and ``LOGGER`` call named in its
``source`` field.
"""

from __future__ import annotations

import dataclasses
import re

PROBLEM = "problem"
ENVIRONMENT = "environment"


@dataclasses.dataclass(frozen=True)
class Notice:
    """An environment notice: printed once per build, never a failure.

    ``key`` names it (one line per key per build), ``missing`` is what the
    machine lacks, ``cost`` what the PDFs lose without it, ``install`` the
    command that fixes it on Debian and Ubuntu, ``install_macos`` on macOS.
    """

    key: str
    missing: str
    cost: str
    install: str
    install_macos: str = ""

    def line(self) -> str:
        """The one line printed for this notice (no trailing newline)."""
        macos = f" (macOS: {self.install_macos})" if self.install_macos else ""
        return f"notice: {self.missing}: {self.cost}. Install it: {self.install}{macos}"


HARFBUZZ_SUBSET = Notice(
    key="harfbuzz-subset",
    missing="libharfbuzz-subset (HarfBuzz 4.1 or later) is not installed",
    cost=(
        "WeasyPrint subsets the PDF fonts with fontTools instead: slower, and the PDFs' font bytes "
        "differ from a build with HarfBuzz (see Reproducible in README.md)"
    ),
    install="sudo apt-get install libharfbuzz-subset0",
    install_macos="brew install harfbuzz",
)

HARFBUZZ_VECTOR = Notice(
    key="harfbuzz-vector",
    missing="libharfbuzz-vector (HarfBuzz 13 or later) is not installed",
    cost="colour (COLR) emoji fonts print without their colours",
    install="a HarfBuzz 13 or later built with harfbuzz-vector (not yet in Debian or Ubuntu)",
    install_macos="brew install harfbuzz",
)

SUBSET_FAILED = Notice(
    key="subset-failed",
    missing="the font subsetter could not subset a font",
    cost="that font is embedded whole, so the PDFs are larger",
    install="sudo apt-get install --only-upgrade libharfbuzz-subset0",
    install_macos="brew upgrade harfbuzz",
)


@dataclasses.dataclass(frozen=True)
class KnownMessage:
    """One row of the table: a WeasyPrint message and how the handbook treats it.

    ``pattern`` is matched (``re.match``, from the start) against the message
    as logged. ``what`` is the category a reader sees in the docs. ``evidence``
    names the pattern group that says where the problem is in the pages (an
    anchor, an image address, a character), or is ``""``. ``notice`` is set
    for environment messages. ``source`` is the WeasyPrint file of the call.
    """

    pattern: re.Pattern[str]
    kind: str
    what: str
    source: str
    evidence: str = ""
    notice: Notice | None = None


def _row(pattern: str, kind: str, what: str, source: str, evidence: str = "", notice: Notice | None = None):
    return KnownMessage(re.compile(pattern, re.DOTALL), kind, what, source, evidence, notice)


_AT = r".* at \d+:\d+"  # CSS messages end with (or contain) the line:column of the stylesheet

#: Every message WeasyPrint 70.0 logs at WARNING or ERROR, environment notices first.
KNOWN_MESSAGES: tuple[KnownMessage, ...] = (
    # -- environment: the machine, not the handbook ---------------------------------
    _row(r'Using fontTools instead of HarfBuzz-Subset for font "(?P<font>.*)"', ENVIRONMENT,
         "missing optional library", "pdf/fonts.py", notice=HARFBUZZ_SUBSET),
    _row(r"Please install HarfBuzz version \d+\+ with harfbuzz-vector", ENVIRONMENT,
         "missing optional library", "pdf/fonts.py", notice=HARFBUZZ_VECTOR),
    _row(r'Unable to subset "(?P<font>.*)" with (HarfBuzz|fontTools)', ENVIRONMENT,
         "font subsetter failed", "pdf/fonts.py", notice=SUBSET_FAILED),
    # -- problems in the pages: located at the page (and line) ----------------------
    _row(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(?P<character>.*)" \(U\+[0-9A-F]+\)',
         PROBLEM, "missing glyph", "draw/text.py", "character"),
    _row(r"Failed to load image at '(?P<image>.*?)'", PROBLEM, "image cannot load", "images.py", "image"),
    _row(r"Failed to render SVG image (?P<image>.*)", PROBLEM, "image cannot load", "images.py", "image"),
    _row(r"Failed to load inline SVG", PROBLEM, "image cannot load", "html.py"),
    _row(r'Image "(?P<image>.*)" has no required alt description', PROBLEM, "image without alt text",
         "pdf/tags.py", "image"),
    _row(r"Unknown image mode", PROBLEM, "image cannot load", "images.py"),
    _row(r"No anchor #(?P<anchor>\S*) for internal URI reference", PROBLEM, "broken anchor",
         "pdf/anchors.py", "anchor"),
    _row(r"Content discarded: target points to undefined anchor", PROBLEM, "broken anchor", "css/targets.py"),
    _row(r"Anchor defined twice: '(?P<id>.*)'", PROBLEM, "duplicate anchor", "css/targets.py", "id"),
    _row(r"This row has more columns than the table", PROBLEM, "malformed table", "layout/table.py"),
    _row(r"Failed to load attachment|Missing href in <link rel=\"attachment\">", PROBLEM,
         "attachment cannot load", "pdf/anchors.py, html.py"),
    _row(r"Relative URI reference without a base URI|Malformed (base )?URL", PROBLEM, "broken address",
         "urls.py"),
    # -- problems in the print templates and stylesheets ----------------------------
    _row(r"Failed to load stylesheet|Unsupported stylesheet type", PROBLEM, "stylesheet cannot load",
         "css/__init__.py, urls.py"),
    _row(r"Font-face '(?P<font>.*)' cannot be loaded|Missing \S+ descriptor in '@font-face' rule",
         PROBLEM, "font cannot load", "text/fonts.py, css/__init__.py, svg/css.py"),
    _row(_AT, PROBLEM, "stylesheet mistake", "css/*.py"),
    _row(r"Failed to apply CSS rule in SVG|Expected a media type|Unable to compute content"
         r'|Only strings are allowed for content attr\(\)|"(string|element)\(.*\)" is only allowed in page margins'
         r"|\S+ unit resolved before first page layout|Unsupported color space",
         PROBLEM, "stylesheet mistake", "css/*.py, svg/css.py, formatting_structure/build.py, pdf/stream.py"),
    _row(r"Subgrids are unsupported|\"auto-fit\" and \"auto-fill\" are unsupported"
         r"|Baseline alignment is not supported|Inline grids are not supported",
         PROBLEM, "unsupported layout", "layout/grid.py"),
    _row(r'Missing required "lang" attribute|Invalid date in <meta|Invalid \w+ date:', PROBLEM,
         "template mistake", "pdf/tags.py, html.py, pdf/__init__.py"),
    _row(r"Unknown (PDF|rendering) option", PROBLEM, "renderer mistake", "document.py, __init__.py"),
    _row(r"Too many glyphs missing from", PROBLEM, "missing glyph", "pdf/fonts.py"),
    _row(r'Unable to instantiate ".*" variable font|Unable to save emoji font'
         r'|Unknown bitmap metrics|Unsupported bitmap glyph format|Unknown subglyph|Unsupported subglyph',
         PROBLEM, "font cannot load", "pdf/fonts.py"),
    _row(r"Error when closing stream", PROBLEM, "file cannot be read", "urls.py"),
)

#: What an unknown message is: a problem, so nothing is silently accepted.
UNKNOWN = KnownMessage(re.compile(""), PROBLEM, "unrecognised WeasyPrint message", "")


@dataclasses.dataclass(frozen=True)
class Classified:
    """A WeasyPrint message sorted: its ``kind``, its table ``row`` and what it points at.

    ``evidence`` is the anchor, image address or character the message names
    (``""`` when it names none): the builder looks for it in the pages to
    locate the problem.
    """

    message: str
    kind: str
    row: KnownMessage
    evidence: str = ""

    @property
    def notice(self) -> Notice | None:
        return self.row.notice


def classify(message: str) -> Classified:
    """Sort one WeasyPrint message (as logged, arguments filled in) into its kind.

    Returns the first matching row of :data:`KNOWN_MESSAGES`, or
    :data:`UNKNOWN` (a problem). Never raises.
    """
    for row in KNOWN_MESSAGES:
        match = row.pattern.match(message)
        if match:
            evidence = match.group(row.evidence) if row.evidence else ""
            return Classified(message, row.kind, row, evidence or "")
    return Classified(message, UNKNOWN.kind, UNKNOWN)


def needles(classified: Classified) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What to look for to locate a problem: (in the rendered pages' HTML, in the Markdown source).

    For a broken anchor ``protocols-x--dosing``: the link ``href="#protocols-x--dosing"``
    in the pages, then ``#dosing`` (the id as written, before the handbook
    prefixed it with its page) in the source. For an image
    ``file:///.../_images/chart.png``: ``chart.png`` in both. For a missing
    glyph: the character itself. Empty tuples when the message names nothing.
    """
    evidence = classified.evidence
    if not evidence:
        return (), ()
    name = classified.row.evidence
    if name == "anchor":
        written = evidence.rsplit("--", 1)[-1]
        return (f'href="#{evidence}"',), (f"#{written}", written)
    if name == "id":
        written = evidence.rsplit("--", 1)[-1]
        return (f'id="{evidence}"',), (written,)
    if name == "image":
        base = evidence.rstrip("/").rsplit("/", 1)[-1]
        return (base,), (base,)
    return (evidence,), (evidence,)


def source_line(text: str, wanted: tuple[str, ...]) -> int | None:
    """The 1-based number of the first line of ``text`` holding any of ``wanted``, tried in order."""
    lines = text.splitlines()
    for needle in wanted:
        if not needle:
            continue
        for number, line in enumerate(lines, start=1):
            if needle in line:
                return number
    return None
