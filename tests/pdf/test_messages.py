"""What WeasyPrint says while rendering: problems fail the strict build, environment notices do not.

``handbook.pdf.messages`` sorts every message; these tests check the table
against WeasyPrint's own source, build small projects with one content problem
each (the exact warning at file:line), and build on a simulated machine
without libharfbuzz-subset (WeasyPrint's own fallback really runs).
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import weasyprint
from sphinx.util.console import strip_colors

from conftest import build_project
from handbook.pdf import messages
from handbook.pdf import render as pdf

ROOTS = Path(__file__).resolve().parent.parent / "roots"
EPOCH = "1763600000"
WEASYPRINT_SOURCE = Path(weasyprint.__file__).parent

HARFBUZZ_MESSAGE = (
    'Using fontTools instead of HarfBuzz-Subset for font "Atkinson Hyperlegible". This will be unsupported '
    "in future versions of WeasyPrint. Please install HarfBuzz-Subset >= 4.1.0 with your package manager."
)


def copy_root(name: str, tmp_path: Path) -> Path:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / f"test-{name}", srcdir)
    return srcdir


# -- the table covers WeasyPrint ------------------------------------------------------


def _sample(match: re.Match) -> str:
    return {"d": "1", "X": "0041", "x": "41", "r": "'sample'"}.get(match.group(1), "sample")


def weasyprint_messages() -> list[tuple[str, str]]:
    """(file, message with sample arguments) for every LOGGER.warning/error call in WeasyPrint."""
    found = []
    for path in sorted(WEASYPRINT_SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("warning", "error") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "LOGGER" and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
            elif isinstance(first, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "sample" for v in first.values)
            else:
                continue
            text = re.sub(r"%[-#0-9.]*([sdrXx])", _sample, text)
            found.append((str(path.relative_to(WEASYPRINT_SOURCE)), text))
    return found


def test_every_message_weasyprint_can_log_is_in_the_table():
    found = weasyprint_messages()
    assert len(found) > 60  # WeasyPrint 70.0 has 73 such calls: the walk really read its source
    unknown = [f"{path}: {text}" for path, text in found if messages.classify(text).row is messages.UNKNOWN]
    assert unknown == [], "add these WeasyPrint messages to handbook.pdf.messages.KNOWN_MESSAGES:\n" + "\n".join(unknown)
    # The environment notices are exactly the optional-library and subsetter ones.
    environment = sorted(text.split(" ")[0] for _, text in found if messages.classify(text).kind == messages.ENVIRONMENT)
    assert environment == ["Please", "Unable", "Unable", "Using"]


def test_an_unknown_message_is_a_problem():
    classified = messages.classify("Something new went wrong")
    assert (classified.kind, classified.row, classified.notice) == (messages.PROBLEM, messages.UNKNOWN, None)


@pytest.mark.parametrize(
    ("message", "kind", "what", "evidence"),
    [
        (HARFBUZZ_MESSAGE, "environment", "missing optional library", ""),
        ('.notdef glyph rendered for Unicode string unsupported by fonts: "\u2603" (U+2603)', "problem",
         "missing glyph", "\u2603"),
        ("Failed to load image at 'file:///b/_images/chart.png'", "problem", "image cannot load",
         "file:///b/_images/chart.png"),
        ("No anchor #protocols-dosing--rates for internal URI reference", "problem", "broken anchor",
         "protocols-dosing--rates"),
        ("Anchor defined twice: 'x--top'", "problem", "duplicate anchor", "x--top"),
        ("Ignored `colour: red` at 12:3, unknown property.", "problem", "stylesheet mistake", ""),
    ],
)
def test_classify(message, kind, what, evidence):
    classified = messages.classify(message)
    assert (classified.kind, classified.row.what, classified.evidence) == (kind, what, evidence)


def test_the_harfbuzz_notice_says_what_is_missing_what_it_costs_and_how_to_install_it():
    line = messages.classify(HARFBUZZ_MESSAGE).notice.line()
    assert "\n" not in line
    assert line.startswith("notice: libharfbuzz-subset (HarfBuzz 4.1 or later) is not installed: ")
    assert "fontTools instead: slower, and the PDFs' font bytes differ" in line
    assert line.endswith("Install it: sudo apt-get install libharfbuzz-subset0 (macOS: brew install harfbuzz)")


def test_notices_are_kept_once_and_problems_in_order():
    problems, notices = pdf.sort_messages([
        HARFBUZZ_MESSAGE,
        "No anchor #a for internal URI reference",
        HARFBUZZ_MESSAGE.replace("Atkinson Hyperlegible", "Other"),
        "No anchor #b for internal URI reference",
    ])
    assert [p.evidence for p in problems] == ["a", "b"]
    assert notices == [messages.HARFBUZZ_SUBSET]


def test_needles_find_a_handbook_anchor_as_written_in_the_source():
    classified = messages.classify("No anchor #protocols-dosing--rates for internal URI reference")
    assert messages.needles(classified) == (('href="#protocols-dosing--rates"',), ("#rates", "rates"))
    assert messages.source_line("a\nsee [rates](#rates)\n", messages.needles(classified)[1]) == 2
    assert messages.source_line("nothing here", ("#rates",)) is None


# -- content problems fail the strict build, at the page and line ------------------------


def test_a_missing_glyph_is_a_warning_at_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = copy_root("pdf-glyph", tmp_path)
    result = build_project(srcdir, tmp_path / "build", "handbookpdf")
    page = srcdir / "patient-guides" / "missing-glyph.md"
    # The font check (handbook.pdf.fidelity) names the character before the
    # PDF is drawn; WeasyPrint's own message is still located at the same line.
    assert result.warnings == (
        f"{page}:19: WARNING: no font the handbook installs has U+10FFFD unnamed character ('\\U0010fffd'): "
        "the PDF would take it from a system font and differ between machines; write it in words or use a "
        "character the handbook font or the symbol font has [handbook.pdf-font]\n"
        f"{page}:19: WARNING: handouts/missing-glyph.pdf: "
        '.notdef glyph rendered for Unicode string unsupported by fonts: "\U0010fffd" (U+10FFFD) [handbook.pdf]\n'
    )


def test_an_image_that_cannot_load_is_a_warning_at_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = copy_root("pdf-image", tmp_path)
    result = build_project(srcdir, tmp_path / "build", "handbookpdf")
    image = (result.outdir / "_images" / "chart.png").as_uri()
    assert result.warnings == (
        f"{srcdir / 'patient-guides' / 'broken-image.md'}:19: WARNING: handouts/broken-image.pdf: "
        f"Failed to load image at '{image}' [handbook.pdf]\n"
    )


# -- a machine without libharfbuzz-subset ------------------------------------------------


def test_without_harfbuzz_subset_the_build_passes_and_says_so_once(tmp_path, monkeypatch):
    """What a fresh Debian or Ubuntu 22.04 machine does: WeasyPrint's own fontTools fallback runs."""
    import weasyprint.pdf.fonts

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    fallbacks = []
    real_fallback = weasyprint.pdf.fonts.Font._fonttools_subset
    monkeypatch.setattr(weasyprint.pdf.fonts.Font, "_fonttools_subset",
                        lambda self, *args: fallbacks.append(self.family) or real_fallback(self, *args))
    srcdir = copy_root("pdf-basic", tmp_path)

    first = build_project(srcdir, tmp_path / "one", "handbookpdf")
    assert first.warnings == ""
    assert len(fallbacks) >= 3  # each of the 3 PDFs logged WeasyPrint's message at least once
    status = strip_colors(first.app.status.getvalue())
    notices = [line for line in status.splitlines() if line.startswith("notice:")]
    assert notices == [messages.HARFBUZZ_SUBSET.line()]
    assert "apt-get install libharfbuzz-subset0" in notices[0]
    names = ["handbook.pdf", "handouts/warning-signs.pdf", "handouts/getting-ready.pdf"]
    assert all((first.outdir / name).is_file() for name in names)

    # fontTools (pinned in requirements.txt) gives the same bytes every time.
    second = build_project(copy_root("pdf-basic", tmp_path / "again"), tmp_path / "two", "handbookpdf")
    assert second.warnings == ""
    for name in names:
        assert (second.outdir / name).read_bytes() == (first.outdir / name).read_bytes(), name

    # Nothing to render, nothing to say.
    third = build_project(srcdir, tmp_path / "one", "handbookpdf")
    assert "notice:" not in strip_colors(third.app.status.getvalue())


def test_write_pdf_returns_problems_and_hands_notices_to_the_caller(tmp_path, monkeypatch):
    """Every caller of ``write_pdf`` (the builder, the decisions sign-off sheet) gets problems only."""
    import weasyprint.pdf.fonts

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    html = ('<!DOCTYPE html><html lang="en"><head><title>T</title><style>'
            + pdf.font_face_css() + 'body { font-family: "Atkinson Hyperlegible" }</style></head>'
            '<body><h1>T</h1><p>Text and <a href="#gone">a broken link</a>.</p></body></html>')
    notices: list = []
    for name in ("one.pdf", "two.pdf"):
        pages, problems = pdf.write_pdf(html, tmp_path / name, base_url=tmp_path.as_uri() + "/",
                                        identifier=b"0123456789abcdef", epoch=1767225600, notices=notices)
        assert (pages, problems) == (1, ["No anchor #gone for internal URI reference"])
    assert notices == [messages.HARFBUZZ_SUBSET]
    # Without a list the notices are simply not reported: never a problem.
    assert pdf.write_pdf(html, tmp_path / "three.pdf", base_url=tmp_path.as_uri() + "/",
                         identifier=b"0123456789abcdef", epoch=1767225600)[1] == [
        "No anchor #gone for internal URI reference"]
