"""A PDF never silently differs from its page: glyphs and widths (issue 18).

Two checks, kept apart from WeasyPrint's own messages (``render._Collect``):

* **Glyphs.** Every character a page prints must come from a font the
  project installs: the handbook font (``fontpkg-atkinson-hyperlegible``) or
  the pinned symbol fallback, Symbola 9.00 from ``rinoh-typeface-symbola``
  (Greek, arrows, ticks, dingbats, emoji up to Unicode 9). A character in
  neither would make WeasyPrint take a glyph from whatever system font is
  installed, so the PDF would differ between machines:
  :func:`missing_glyphs` finds each one, with its source file and line, before
  anything is rendered.
* **Widths.** The print stylesheet makes tables, code, images and long words
  fit the printable width (wrapping, smaller type for wide tables);
  :func:`overflowing_boxes` finds whatever still sticks out past the right
  margin in WeasyPrint's layout (raw HTML with a fixed width, for example).
  :func:`mark_sources` tags each block of a page's doctree with a class
  ``handbook-src-<n>`` so a box in the layout leads back to its file and line.

Pure: docutils nodes and WeasyPrint boxes in, findings out; no Sphinx.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes

#: The fallback font for symbols: family name used in the print CSS, package, file.
SYMBOL_FAMILY = "Handbook Symbols"
SYMBOL_PACKAGE = "rinoh_typeface_symbola"
SYMBOL_FILE = "Symbola.ttf"

#: Class prefix that ties an element of a print page to its source line.
SOURCE_CLASS = "handbook-src-"
#: Tables with at least this many columns are set in smaller type (``print.css``).
WIDE_TABLE_COLUMNS = 6
WIDE_TABLE_CLASS = "handbook-wide-table"
#: Layout rounding: a box may stick out this many CSS px (1/96 in) before it counts.
TOLERANCE_PX = 1.0

#: Unicode categories that print no glyph of their own (controls, format
#: characters such as the zero-width joiner and variation selectors).
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


@dataclasses.dataclass(frozen=True)
class Finding:
    """One fidelity problem: where (source file, 1-based line or ``None``) and what."""

    source: str
    line: int | None
    message: str


def symbol_font_file() -> Path:
    """The fallback symbol font, found in its installed package (never the system).

    The package is located without importing it (its ``__init__`` imports
    rinohtype, which the handbook does not need). Raises ``FileNotFoundError``
    naming the package when it is not installed.
    """
    spec = importlib.util.find_spec(SYMBOL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / SYMBOL_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"{SYMBOL_FILE} is missing: install {SYMBOL_PACKAGE.replace('_', '-')} (make venv)")


def symbol_font_face_css() -> str:
    """The ``@font-face`` rule of the fallback symbol font."""
    return (
        "@font-face {\n"
        f'  font-family: "{SYMBOL_FAMILY}";\n'
        f'  src: url({symbol_font_file().as_uri()}) format("truetype");\n'
        "}"
    )


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def covered_code_points(font_paths: Iterable[Path]) -> frozenset[int]:
    """Every code point that some glyph of the fonts at ``font_paths`` covers.

    A code point must be in *every* face of the handbook font to count, or a
    bold or italic run could still fall back; callers pass the faces and the
    symbol font separately (see :func:`handbook_coverage`).
    """
    covered: frozenset[int] | None = None
    for path in font_paths:
        cmap = _cmap(Path(path))
        covered = cmap if covered is None else covered & cmap
    return covered or frozenset()


def handbook_coverage(handbook_faces: Iterable[Path]) -> frozenset[int]:
    """Code points the PDFs can print from installed fonts: in every handbook face, or in Symbola."""
    return covered_code_points(handbook_faces) | _cmap(symbol_font_file())


def _invisible(char: str) -> bool:
    """Whether ``char`` prints no glyph of its own (a control, a format character, a variation selector)."""
    code = ord(char)
    return (unicodedata.category(char) in _INVISIBLE
            or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def describe(char: str) -> str:
    """``U+03B2 GREEK SMALL LETTER BETA ('β')``: a character as a message names it."""
    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} {name} ({char!r})"


def _line_of(node: nodes.Node) -> tuple[str | None, int | None]:
    """The source file and line of ``node``, or of the nearest ancestor that has them."""
    source, line = None, None
    current = node
    while current is not None:
        source = source or getattr(current, "source", None)
        if line is None and getattr(current, "line", None):
            line = current.line
            source = getattr(current, "source", None) or source
        if source and line:
            break
        current = current.parent
    return source, line


def missing_characters(text: str, covered: frozenset[int]) -> list[str]:
    """The characters of ``text`` no installed font has, sorted, each once (whitespace and invisibles skipped)."""
    return sorted({char for char in text
                   if ord(char) not in covered and not char.isspace() and not _invisible(char)})


def missing_glyphs(doctree: nodes.document, covered: frozenset[int], default_source: str) -> list[Finding]:
    """Each character of the page's text no installed font has: one finding per character and line.

    ``default_source`` is the page's own file, for text whose node carries
    no source. Whitespace and invisible format characters (zero-width
    joiner, variation selectors) are not checked: they print no glyph.
    """
    found: dict[tuple[str, int | None, str], None] = {}
    for text in doctree.findall(nodes.Text):
        for char in missing_characters(str(text), covered):
            source, line = _line_of(text.parent) if text.parent is not None else (None, None)
            found[(source or default_source, line, char)] = None
    return [Finding(source, line, missing_message(char))
            for source, line, char in sorted(found, key=lambda key: (key[0], key[1] or 0, key[2]))]


def missing_message(char: str, where: str = "") -> str:
    """The warning for a character no installed font has (``where`` names a setting, if any)."""
    return (f"{where}no font the handbook installs has {describe(char)}: the PDF would take it from a system "
            "font and differ between machines; write it in words or use a character the handbook font or the "
            "symbol font has")


def mark_sources(doctree: nodes.document, default_source: str, prefix: str = "") -> dict[str, list]:
    """Tag each element that has a source line with ``handbook-src-<prefix><n>``.

    Returns ``{"<prefix><n>": [source, line]}``. ``prefix`` keeps the keys of
    the pages combined in one PDF apart (the builder uses the page's anchor
    prefix).

    Block raw HTML is wrapped in a container so that the boxes it makes lead
    back to its line too (inline raw HTML is left whole). Tables with :data:`WIDE_TABLE_COLUMNS`
    or more columns get :data:`WIDE_TABLE_CLASS` (smaller type in print).
    """
    places: dict[tuple[str, int], str] = {}
    for node in list(doctree.findall(nodes.Element)):
        if isinstance(node, nodes.document):
            continue
        if isinstance(node, nodes.table):
            columns = max((len(list(group.findall(nodes.colspec))) for group in node.findall(nodes.tgroup)),
                          default=0)
            if columns >= WIDE_TABLE_COLUMNS:
                node["classes"].append(WIDE_TABLE_CLASS)
        if not node.line:
            continue
        source = node.source or default_source
        key = places.setdefault((source, node.line), f"{prefix}{len(places)}")
        if isinstance(node, nodes.raw):
            # Inline raw HTML comes in pieces (``<a href=...>``, text, ``</a>``):
            # wrapping a piece would break the element apart, and the paragraph
            # around it already carries the line.
            if not isinstance(node.parent, nodes.TextElement):
                wrapper = nodes.container(classes=[SOURCE_CLASS + key])
                node.replace_self(wrapper)
                wrapper += node
        else:
            node["classes"].append(SOURCE_CLASS + key)
    return {key: [source, line] for (source, line), key in places.items()}


def _own_key(element) -> str | None:
    """The source key in ``element``'s own classes, if any."""
    if element is None:
        return None
    for name in (element.get("class") or "").split():
        if name.startswith(SOURCE_CLASS):
            return name[len(SOURCE_CLASS):]
    return None


def _boxes_with_keys(box, key: str | None = None):
    """Every box under ``box`` with the source key of its nearest tagged ancestor (depth first).

    WeasyPrint's elements (ElementTree) have no parent links, so the key is
    carried down the box tree instead.
    """
    key = _own_key(getattr(box, "element", None)) or key
    yield box, key
    for child in getattr(box, "children", None) or ():
        yield from _boxes_with_keys(child, key)


def _describe_box(box) -> str:
    tag = getattr(box, "element_tag", None) or "box"
    if tag in ("img", "svg", "object", "video"):
        return "an image"
    if tag in ("table", "td", "th", "tr", "tbody", "thead", "col", "colgroup"):
        return "a table"
    if tag in ("pre", "code", "kbd", "samp"):
        return "code"
    return f"a <{tag}> block"


def overflowing_boxes(document, sources: dict[str, list], pdf_name: str) -> list[Finding]:
    """Boxes that reach past the right edge of the printable width, one finding per source line.

    ``document`` is a rendered ``weasyprint.Document``; ``sources`` is the
    union of :func:`mark_sources` maps of the pages in it (key ->
    ``[source, line]``). The excess is reported in inches (96 CSS px each).
    """
    found: dict[tuple[str, int | None], Finding] = {}
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width + TOLERANCE_PX
        for box, key in _boxes_with_keys(page_box):
            x, width = getattr(box, "position_x", None), None
            if x is None or not hasattr(box, "border_width"):
                continue
            try:
                width = box.border_width()
            except (TypeError, AttributeError):
                continue
            if width is None or x + width <= right:
                continue
            source, line = sources.get(key, [None, None]) if key is not None else (None, None)
            if source is None:
                continue  # the page's own furniture (header, footer): not the author's to fix
            if (source, line) in found:
                continue
            over = (x + width - right + TOLERANCE_PX) / 96
            found[(source, line)] = Finding(
                source, line,
                f"{pdf_name}: {_describe_box(box)} is {over:.2f} in wider than the printable width on page "
                f"{number} and is cut at the page edge: narrow it (fewer columns, shorter lines, a smaller image)",
            )
    return sorted(found.values(), key=lambda f: (f.source, f.line or 0))

