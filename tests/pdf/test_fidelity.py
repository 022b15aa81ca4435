"""A PDF never silently differs from its page (issue 18, item 2).

``tests/roots/test-pdf-fidelity`` holds the issue's inputs as a reader
writes them: a guide (its file name has spaces) and a protocol with β, → and
✓ and an emoji, a 9-column table, a long URL, a long code line and an image
wider than the page. ``tests/roots/test-pdf-unfit`` holds what cannot be made
to fit or printed from installed fonts; its warnings are exact, at file:line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from conftest import build_project
from handbook.pdf import fidelity
from handbook.pdf import render as pdf

ROOTS = Path(__file__).resolve().parent.parent / "roots"
EPOCH = "1763600000"
LETTER_WIDTH_PT = 612
SIDE_MARGIN_PT = 0.75 * 72
GUIDE_PDF = "handouts/symbols and tables.pdf"
#: Font names as WeasyPrint embeds them (subset tag dropped), from the two installed packages.
INSTALLED = ("Atkinson-Hyperlegible", "Handbook-Symbols")


@pytest.fixture(scope="module")
def fidelity_build(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build_project(ROOTS / "test-pdf-fidelity", tmp_path_factory.mktemp("fidelity"), "handbookpdf")


def embedded_fonts(path: Path) -> set[str]:
    names = set()
    with pikepdf.open(path) as document:
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.BaseFont).split("+", 1)[-1])
    return names


def text_runs(path: Path) -> list[tuple[int, str, float, float]]:
    """(page, text, left x in pt, font size in pt) of every run of text."""
    runs = []
    for number, page in enumerate(pypdf.PdfReader(path).pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                x = tm[4] * cm[0] + cm[4]
                runs.append((number, text.strip(), x, size * abs(tm[0]) * abs(cm[0])))
        page.extract_text(visitor_text=visit)
    return runs


def test_symbols_build_without_warnings(fidelity_build):
    assert fidelity_build.warnings == ""


@pytest.mark.parametrize("name", [GUIDE_PDF, "handbook.pdf"])
def test_every_glyph_comes_from_an_installed_font(fidelity_build, name):
    """β → ✓ and 👍 used to come from the system's DejaVu; now from Symbola, installed from PyPI."""
    fonts = embedded_fonts(fidelity_build.outdir / name)
    assert any(font.startswith("Handbook-Symbols") for font in fonts), fonts
    assert all(font.startswith(INSTALLED) for font in fonts), fonts
    text = "".join(page.extract_text() for page in pypdf.PdfReader(fidelity_build.outdir / name).pages)
    for char in "β→✓👍":
        assert char in text


@pytest.mark.parametrize("name", [GUIDE_PDF, "handbook.pdf"])
def test_wide_table_long_url_and_code_fit_the_printable_width(fidelity_build, name):
    """The 9-column table's last column, the URL's end and the code line's end are on the paper."""
    runs = text_runs(fidelity_build.outdir / name)
    right = LETTER_WIDTH_PT - SIDE_MARGIN_PT
    for marker in ("LASTCOLUMNMARKER", "Supercalifragilisticexpialidocious", "END"):
        found = [run for run in runs if marker in run[1]]
        assert found, marker
        assert all(SIDE_MARGIN_PT - 1 <= x < right for _, _, x, _ in found), (marker, found)
    # Every run of text starts inside the printable width.
    assert [run for run in runs if not run[2] < right] == []
    # The wide table is set in smaller type than the body.
    sizes = {text: size for _, text, _, size in runs}
    assert sizes["LASTCOLUMNMARKER"] < sizes.get("Symbols and wide content", 99)


def test_an_image_wider_than_the_page_is_scaled_to_fit(fidelity_build):
    html = (fidelity_build.outdir / "_pages/patient-guides/symbols and tables.print.html").read_text()
    assert "wide.svg" in html
    # The layout check found nothing sticking out (it would have warned), image included.
    assert fidelity_build.warnings == ""


def test_what_cannot_fit_or_print_is_a_warning_at_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-pdf-unfit", srcdir)
    warnings = build_project(srcdir, tmp_path / "build", "handbookpdf").warnings
    page = srcdir / "patient-guides" / "unfit.md"
    lines = [line for line in warnings.splitlines() if "[handbook.pdf-" in line]
    assert lines == [
        f"{srcdir / '_snippets' / 'more.md'}:3: WARNING: no font the handbook installs has U+5B57 CJK UNIFIED "
        "IDEOGRAPH-5B57 ('字'): the PDF would take it from a system font and differ between machines; write it in "
        "words or use a character the handbook font or the symbol font has [handbook.pdf-font]",
        f"{page}:16: WARNING: no font the handbook installs has U+6F22 CJK UNIFIED IDEOGRAPH-6F22 ('漢'): "
        "the PDF would take it from a system font and differ between machines; write it in words or use a "
        "character the handbook font or the symbol font has [handbook.pdf-font]",
        f"{page}:18: WARNING: handouts/unfit.pdf: a <div> block is 5.03 in wider than the printable width on "
        "page 1 and is cut at the page edge: narrow it (fewer columns, shorter lines, a smaller image) "
        "[handbook.pdf-overflow]",
    ]


def _document(*paragraphs: tuple[str, int]) -> nodes.document:
    document = new_document("page.md", get_default_settings(Parser))
    for text, line in paragraphs:
        paragraph = nodes.paragraph("", text)
        paragraph.line = line
        document += paragraph
    return document


def test_missing_glyphs_names_each_character_once_per_line():
    covered = fidelity.handbook_coverage(pdf.font_files().values())
    document = _document(("β → ✓ 👍 café\u200d\ufe0f", 3), ("漢漢 and 字", 7), ("漢", 9))
    found = [(f.line, f.message.split(": the PDF")[0]) for f in fidelity.missing_glyphs(document, covered, "page.md")]
    assert found == [
        (7, "no font the handbook installs has U+5B57 CJK UNIFIED IDEOGRAPH-5B57 ('字')"),
        (7, "no font the handbook installs has U+6F22 CJK UNIFIED IDEOGRAPH-6F22 ('漢')"),
        (9, "no font the handbook installs has U+6F22 CJK UNIFIED IDEOGRAPH-6F22 ('漢')"),
    ]


def test_coverage_is_every_handbook_face_or_the_symbol_font():
    covered = fidelity.handbook_coverage(pdf.font_files().values())
    for char in "Aaé€βγ→←✓✗•–—≥≤±°µ👍":
        assert ord(char) in covered, char
    assert ord("漢") not in covered


def test_mark_sources_tags_blocks_and_wide_tables():
    document = _document(("text", 4))
    raw = nodes.raw("", "<div>x</div>", format="html")
    raw.line = 6
    document += raw
    table = nodes.table()
    group = nodes.tgroup(cols=9)
    group += [nodes.colspec(colwidth=1) for _ in range(9)]
    table += group
    table.line = 8
    document += table
    places = fidelity.mark_sources(document, "page.md", "p--")
    assert places == {"p--0": ["page.md", 4], "p--1": ["page.md", 6], "p--2": ["page.md", 8]}
    assert "handbook-src-p--0" in document[0]["classes"]
    assert isinstance(document[1], nodes.container) and document[1]["classes"] == ["handbook-src-p--1"]
    assert document[2]["classes"] == [fidelity.WIDE_TABLE_CLASS, "handbook-src-p--2"]


# -- A file name with spaces (issue 18, item 7) ------------------------------------


def test_a_guide_whose_file_name_has_spaces_links_its_pdf(fidelity_build, tmp_path):
    """The "Print" link is escaped, resolves once the PDFs are copied, and checklinks passes."""
    from bs4 import BeautifulSoup

    from handbook.links.checklinks import check_html

    html = build_project(ROOTS / "test-pdf-fidelity", tmp_path / "html", "html")
    assert html.warnings == ""
    page = html.outdir / "patient-guides" / "symbols and tables.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in soup.select("a.handbook-pdf-link")] == ["../pdf/handouts/symbols%20and%20tables.pdf"]
    pdf.copy_pdfs(fidelity_build.outdir, html.outdir / "pdf")
    assert (html.outdir / "pdf" / GUIDE_PDF).is_file()
    assert check_html(html.outdir).broken == []


def test_online_address_of_a_page_with_spaces_is_a_valid_url():
    """The handout's QR code and "online" line, and links out of the staff handbook."""
    assert pdf.online_url("https://handbook.example/", "patient-guides/after your visit") == (
        "https://handbook.example/patient-guides/after%20your%20visit.html"
    )
    assert pdf.online_url("https://handbook.example", "protocols/index") == "https://handbook.example/protocols/index.html"


def test_a_clinic_setting_no_font_has_is_a_warning_at_conf_py(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-pdf-fidelity", srcdir)
    warnings = build_project(srcdir, tmp_path / "build", "handbookpdf",
                             handbook_clinic={"name": "Clínica Niño ✓ 漢"}).warnings
    assert [line for line in warnings.splitlines() if "[handbook.pdf-font]" in line] == [
        f"{srcdir / 'conf.py'}:1: WARNING: handbook_clinic['name']: no font the handbook installs has "
        "U+6F22 CJK UNIFIED IDEOGRAPH-6F22 ('漢'): the PDF would take it from a system font and differ between "
        "machines; write it in words or use a character the handbook font or the symbol font has "
        "[handbook.pdf-font]"
    ]


def test_the_layout_check_finds_every_kind_of_block_that_overflows():
    """Without the print stylesheet's fitting rules each kind of block sticks out; each is found at its line."""
    import weasyprint

    word = "Supercalifragilisticexpialidocious" * 3
    html = f"""<html><head><style>@page {{ size: letter; margin: 0.75in; }}
      img {{ display: block; }} table {{ border-collapse: collapse; }} pre {{ white-space: pre; }}</style></head>
      <body>
      <table class="handbook-src-p--1"><tr>{"<td>LASTCOLUMNMARKER-0123456789</td>" * 9}</tr></table>
      <pre class="handbook-src-p--2">{"0123456789" * 20}</pre>
      <div class="handbook-src-p--3"><img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='900' height='10'/%3E"></div>
      <p class="handbook-src-p--4">{word}</p>
      <div class="handbook-src-p--5" style="width: 12in">A poster</div>
      <p class="handbook-src-p--6">This one fits.</p>
      </body></html>"""
    document = weasyprint.HTML(string=html).render()
    sources = {f"p--{n}": ["page.md", 10 * n] for n in range(1, 7)}
    found = fidelity.overflowing_boxes(document, sources, "handout.pdf")
    assert [(f.line, f.message.split(" is ")[0]) for f in found] == [
        (10, "handout.pdf: a table"),
        (20, "handout.pdf: code"),
        (30, "handout.pdf: an image"),
        (40, "handout.pdf: a <p> block"),
        (50, "handout.pdf: a <div> block"),
    ]
