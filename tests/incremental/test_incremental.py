"""Incremental builds tell the truth (issue 18, item 3).

Each test builds a copy of a small project twice or more in the same build
folder, as ``make html`` does on an edited checkout, and asserts what the
second build reports and leaves behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build_project
from handbook.incremental.warned import location_path, pages_of
from handbook.pdf.render import copy_pdfs

ROOTS = Path(__file__).resolve().parent.parent / "roots"
EPOCH = "1763600000"


def copy_root(name: str, tmp_path: Path) -> Path:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / f"test-{name}", srcdir)
    return srcdir


def warning_lines(warnings: str) -> list[str]:
    return [line for line in warnings.splitlines() if "WARNING" in line]


@pytest.mark.parametrize("root, subtype", [
    ("readability", "handbook.readability"),          # read-time check of a guide
    ("traceability-unknown-covers", "handbook.traceability"),
    ("pdf-unfit", "handbook.pdf-font"),               # PDF builder, while writing the page
    ("checklinks-include", "handbook.insecure-link"),  # in an {include}d file: its page is redone
])
def test_every_warning_is_reported_again_until_fixed(tmp_path, monkeypatch, root, subtype):
    """The input of issue 18: a failing build, then the same build again with no change."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = copy_root(root, tmp_path)
    builder = "handbookpdf" if root.startswith("pdf-") else "html"
    first = warning_lines(build_project(srcdir, tmp_path / "build", builder).warnings)
    assert any(subtype in line for line in first), first
    for _ in range(2):
        again = warning_lines(build_project(srcdir, tmp_path / "build", builder).warnings)
        assert sorted(again) == sorted(first)


def test_a_fixed_warning_is_not_reported_again(tmp_path):
    srcdir = copy_root("readability", tmp_path)
    first = warning_lines(build_project(srcdir, tmp_path / "build").warnings)
    assert [line for line in first if "hard.md" in line]
    hard = srcdir / "patient-guides" / "hard.md"
    text = hard.read_text(encoding="utf-8")
    body_start = text.index("\n# ", text.index("---", 3))
    hard.write_text(text[:body_start] + "\n# Hard guide\n\nDrink water. Rest. Call us.\n", encoding="utf-8")
    second = warning_lines(build_project(srcdir, tmp_path / "build").warnings)
    assert [line for line in second if "hard.md" in line] == []
    assert warning_lines(build_project(srcdir, tmp_path / "build").warnings) == second


def test_a_removed_page_leaves_no_html_pdf_or_copy(tmp_path, monkeypatch):
    """HTML page, handout PDF, print fragments and the site's copy of the PDF all go."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    srcdir = copy_root("pdf-basic", tmp_path)
    html = build_project(srcdir, tmp_path / "html")
    pdf = build_project(srcdir, tmp_path / "pdf", "handbookpdf")
    assert html.warnings == pdf.warnings == ""
    copy_pdfs(pdf.outdir, html.outdir / "pdf")
    guide = "patient-guides/getting-ready"
    left = [html.outdir / f"{guide}.html", html.outdir / "pdf/handouts/getting-ready.pdf",
            pdf.outdir / "handouts/getting-ready.pdf", pdf.outdir / f"_pages/{guide}.json",
            pdf.outdir / f"_pages/{guide}.sources.json"]
    assert all(path.is_file() for path in left)

    (srcdir / f"{guide}.md").unlink()
    assert build_project(srcdir, tmp_path / "html").warnings == ""
    # `make html` alone: the page and the site's copy of its PDF are gone already.
    assert not left[0].exists() and not left[1].exists()
    assert build_project(srcdir, tmp_path / "pdf", "handbookpdf").warnings == ""
    assert [path for path in left if path.exists()] == []
    # The register and the other guide are as they were.
    index = BeautifulSoup((html.outdir / "patient-guides/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "getting-ready" not in str(index.select_one("article"))
    assert (html.outdir / "patient-guides/warning-signs.html").is_file()


@pytest.mark.parametrize("location, expected", [
    (("protocols/a", 3), ("protocols/a", None)),
    ("/src/protocols/a.md:12", (None, "/src/protocols/a.md")),
    ("/src/protocols/a.md", (None, "/src/protocols/a.md")),
    (None, (None, None)),
])
def test_location_path(location, expected):
    assert location_path(location) == expected


def test_a_warning_in_an_included_file_belongs_to_the_pages_that_include_it():
    deps = {"protocols/a": {"_snippets/list.md"}, "protocols/b": set(), "index": {"_snippets/list.md"}}
    path2doc = {"/src/protocols/b.md": "protocols/b"}.get
    assert pages_of("/src/_snippets/list.md:4", path2doc, deps, "/src") == {"protocols/a", "index"}
    assert pages_of("/src/protocols/b.md:2", path2doc, deps, "/src") == {"protocols/b"}


# A source folder of its own: other tests build (and edit) the shared copy of this root.
@pytest.mark.sphinx("html", testroot="readability", srcdir="incremental-warm-readability")
def test_a_warm_application_reports_the_warning_on_every_build(app):
    """``make preview`` keeps one Sphinx application and builds it again on each save."""
    from sphinx.util.console import strip_colors

    lines = []
    for _ in range(3):
        app.warning.truncate(0)
        app.warning.seek(0)
        app.build()
        lines.append(warning_lines(strip_colors(app.warning.getvalue())))
    assert lines[0] and any("[handbook.readability]" in line for line in lines[0])
    assert lines[1] == lines[0] and lines[2] == lines[0]


@pytest.mark.sphinx("html", testroot="readability", srcdir="readability-warm-fixed")
def test_a_warm_application_forgets_a_warning_once_fixed(app):
    import json

    app.build()
    warned = Path(app.doctreedir) / "handbook-warned.json"
    assert "patient-guides/hard" in json.loads(warned.read_text())
    hard = Path(app.srcdir) / "patient-guides" / "hard.md"
    text = hard.read_text(encoding="utf-8")
    body_start = text.index("\n# ", text.index("---", 3))
    hard.write_text(text[:body_start] + "\n# Hard guide\n\nDrink water. Rest. Call us.\n", encoding="utf-8")
    app.build()
    assert "patient-guides/hard" not in (json.loads(warned.read_text()) if warned.exists() else [])
