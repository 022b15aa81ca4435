"""The internal link check (``python -m handbook checklinks``) on real builds.

Fixture sites: ``test-checklinks-broken`` has one broken link of each kind
(missing page, missing anchor, broken image, raw HTML link);
``test-checklinks-clean`` has the same links, working. The real handbook is
checked too (this is how ``make test`` runs the check), and a copy of it with
a broken link injected into every page proves each page is named with its
source file and line. PDFs are made with WeasyPrint and broken with pikepdf.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from sphinx.testing.util import SphinxTestApp

from conftest import REPO_ROOT
from handbook.__main__ import main
from handbook.links.checklinks import check_html, check_link, check_pdf, parse_page

SUMMARY = re.compile(r"checklinks: (\d+) broken links? \((\d+) local links? in (\d+) HTML pages?(?: and (\d+) PDFs?)? checked\)")


def _run(capsys, *argv: str) -> tuple[int, list[str]]:
    status = main(["checklinks", *argv])
    return status, capsys.readouterr().out.splitlines()


# -- HTML: fixture sites ------------------------------------------------------


@pytest.mark.sphinx("html", testroot="checklinks-broken")
def test_each_kind_of_broken_link_is_reported_with_file_and_line(app, capsys):
    app.build()
    status, lines = _run(capsys, str(app.outdir))
    assert status == 1
    assert sorted(lines[:-1]) == [
        "index.html: dose-old.html (missing page) [index.md:10]",
        "index.html: dosing.html#loading-dose (missing anchor) [index.md:7]",
        "index.html: figures/monitoring-chart.png (missing image) [index.md:13]",
        "index.html: forms/consent.html (missing page, raw HTML) [index.md:15]",
    ]
    summary = SUMMARY.fullmatch(lines[-1])
    assert summary and summary.group(1) == "4", lines[-1]


@pytest.mark.sphinx("html", testroot="checklinks-clean")
def test_clean_site_passes(app, capsys):
    app.build()
    assert app.warning.getvalue() == ""
    status, lines = _run(capsys, str(app.outdir))
    assert status == 0
    assert re.fullmatch(r"checklinks: no broken links \(\d+ local links in 4 HTML pages checked\)", lines[-1])
    assert len(lines) == 1


@pytest.mark.sphinx("html", testroot="checklinks-clean")
def test_link_map_is_deterministic_and_names_sources(app):
    app.build()
    first = (app.outdir / "_handbook_links.json").read_text(encoding="utf-8")
    app.build(force_all=True)
    assert (app.outdir / "_handbook_links.json").read_text(encoding="utf-8") == first
    assert '"source": "index.md"' in first and str(app.srcdir) not in first


def test_not_a_site_is_a_usage_error(tmp_path, capsys):
    assert main(["checklinks", str(tmp_path)]) == 2
    assert "is not a built HTML site" in capsys.readouterr().err


# -- HTML: the real handbook ----------------------------------------------------


def test_real_handbook_has_no_broken_internal_links(handbook_site):
    """``make test`` runs the check here: the CLI, on the session's strict build (HTML and its PDFs)."""
    result = subprocess.run(
        [sys.executable, "-m", "handbook", "checklinks", str(handbook_site)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "_ext")},
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = SUMMARY.fullmatch(result.stdout.strip()) or re.fullmatch(
        r"checklinks: no broken links \((\d+) local links in (\d+) HTML pages checked\)", result.stdout.strip()
    )
    assert summary, result.stdout
    assert int(summary.group(1)) > 0


def test_broken_link_injected_into_any_page_is_named(tmp_path):
    srcdir = tmp_path / "src"
    shutil.copytree(
        REPO_ROOT, srcdir,
        ignore=shutil.ignore_patterns(".venv", "_build", "_site", ".git", "tests", "__pycache__", ".pytest_cache"),
    )
    pages = sorted(p for folder in ("protocols", "patient-guides") for p in (srcdir / folder).glob("*.md"))
    assert pages
    expected = set()
    for path in pages:
        text = path.read_text(encoding="utf-8").rstrip("\n")
        line = len(text.splitlines()) + 2
        path.write_text(text + '\n\n<p><a href="no-such-page.html">x</a> <a href="#no-such-anchor">y</a></p>\n', encoding="utf-8")
        source = path.relative_to(srcdir).as_posix()
        page = source.removesuffix(".md") + ".html"
        expected.add(f"{page}: no-such-page.html (missing page, raw HTML) [{source}:{line}]")
        expected.add(f"{page}: #no-such-anchor (missing anchor, raw HTML) [{source}:{line}]")
    app = SphinxTestApp("html", srcdir=srcdir, builddir=tmp_path / "_build", status=StringIO(), warning=StringIO())
    try:
        app.build()
    finally:
        app.cleanup()
    report = check_html(app.outdir)
    assert {str(link) for link in report.broken} == expected


# -- HTML: resolution rules (pure) ----------------------------------------------------

FILES = {"index.html", "protocols/index.html", "protocols/dosing.html", "_static/logo.svg", "_images/chart.png"}
IDS = {"index.html": {"top-section"}, "protocols/dosing.html": {"rate", "Named"}, "protocols/index.html": set()}


@pytest.mark.parametrize(
    ("page", "url", "tag", "attr", "kind"),
    [
        ("protocols/dosing.html", "../index.html#top-section", "a", "href", None),
        ("protocols/dosing.html", "../index.html#gone", "a", "href", "missing anchor"),
        ("protocols/dosing.html", "#rate", "a", "href", None),
        ("protocols/dosing.html", "#Named", "a", "href", None),
        ("protocols/dosing.html", "#", "a", "href", None),
        ("protocols/dosing.html", "#top", "a", "href", None),
        ("protocols/dosing.html", "dosing.html?v=2#rate", "a", "href", None),
        ("protocols/dosing.html", "./", "a", "href", None),
        ("index.html", "protocols/", "a", "href", None),
        ("index.html", "patient-guides/", "a", "href", "missing page"),
        ("index.html", "protocols/dose%20old.html", "a", "href", "missing page"),
        ("index.html", "_static/logo.svg", "img", "src", None),
        ("index.html", "_static/missing.js", "script", "src", "missing file"),
        ("index.html", "_images/gone.png", "img", "src", "missing image"),
        ("index.html", "_images/gone.png", "source", "srcset", "missing image"),
        ("index.html", "../outside.html", "a", "href", "outside the site"),
        ("index.html", "/protocols/index.html", "a", "href", "absolute path (breaks unless the site is served from /)"),
        ("index.html", "https://example.org/missing", "a", "href", None),
        ("index.html", "mailto:someone@example.org", "a", "href", None),
        ("index.html", "tel:555-0100", "a", "href", None),
        ("index.html", "//cdn.example.org/x.js", "script", "src", None),
        ("index.html", "data:image/png;base64,AAAA", "img", "src", None),
        ("index.html", "file:///home/build/handbook/_build/html/index.html", "a", "href", "link to a local file"),
    ],
)
def test_link_resolution(page, url, tag, attr, kind):
    assert check_link(page, url, tag, attr, FILES.__contains__, IDS.__getitem__) == kind


def test_parser_finds_ids_names_and_every_url_attribute():
    page = parse_page(
        '<div id="a"><a name="b" href="x.html">x</a><img src="i.png" srcset="s1.png 1x, s2.png 2x">'
        '<link href="c.css"><script src="j.js"></script><object data="o.svg"></object></div>'
    )
    assert page.ids == {"a", "b"}
    assert [url for url, _tag, _attr in page.links] == ["x.html", "i.png", "s1.png", "s2.png", "c.css", "j.js", "o.svg"]


# -- PDF ----------------------------------------------------------------------------

HANDOUT = """<html><head><title>Handout</title></head><body>
<h1 id="start">Before your treatment</h1><p><a href="#after">After your treatment</a></p>
<h2 id="after" style="break-before: page">After your treatment</h2>
<p><a href="#start">Back to the start</a> · <a href="https://example.org/guide">guide</a>
· <a href="tel:555-0100">call</a></p></body></html>"""


@pytest.fixture
def handout_pdf(tmp_path) -> Path:
    path = tmp_path / "pdf" / "handout.pdf"
    path.parent.mkdir()
    weasyprint.HTML(string=HANDOUT, base_url=str(tmp_path)).write_pdf(path)
    return path


def test_weasyprint_pdf_links_and_bookmarks_resolve(handout_pdf):
    with pikepdf.open(handout_pdf) as pdf:
        annots = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert sum("/Dest" in a for a in annots) == 2  # the two internal links are there to check
        assert "/Outlines" in pdf.Root
    assert check_pdf(handout_pdf) == []


def test_pdf_link_and_bookmark_to_a_removed_page_are_broken(handout_pdf):
    with pikepdf.open(handout_pdf, allow_overwriting_input=True) as pdf:
        del pdf.pages[1]
        pdf.save(handout_pdf)
    broken = [str(link) for link in check_pdf(handout_pdf)]
    assert len(broken) == 2
    assert broken[0] == "handout.pdf: #after (destination page not in the document) [link on page 1]"
    assert re.fullmatch(
        r'handout\.pdf: page object \d+ 0 R \(destination page not in the document\) \[bookmark "After your treatment"\]',
        broken[1],
    )


def test_pdf_missing_named_destinations_and_local_file_links_are_broken(handout_pdf):
    with pikepdf.open(handout_pdf, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        rect = [0, 0, 10, 10]
        annots = [
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect, Dest=pikepdf.String("dosing")),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                A=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Name("/consent")),
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("file:///home/build/_build/html/index.html")),
            ),
        ]
        page.obj.Annots.extend(pdf.make_indirect(a) for a in annots)
        first = pdf.Root.Outlines.First
        first.Next = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("Warning signs"), Parent=pdf.Root.Outlines, Dest=pikepdf.String("warning-signs")))
        pdf.save(handout_pdf)
    assert [str(link) for link in check_pdf(handout_pdf)] == [
        "handout.pdf: #consent (missing destination) [link on page 1]",
        "handout.pdf: #dosing (missing destination) [link on page 1]",
        'handout.pdf: #warning-signs (missing destination) [bookmark "Warning signs"]',
        "handout.pdf: file:///home/build/_build/html/index.html (link to a local file) [link on page 1]",
    ]


@pytest.mark.sphinx("html", testroot="checklinks-clean")
def test_cli_checks_pdfs_with_the_site(app, capsys, handout_pdf):
    app.build()
    status, lines = _run(capsys, str(app.outdir), "--pdf", str(handout_pdf.parent))
    assert status == 0
    assert re.fullmatch(r"checklinks: no broken links \(\d+ local links in 4 HTML pages and 1 PDF checked\)", lines[-1])

    with pikepdf.open(handout_pdf, allow_overwriting_input=True) as pdf:
        del pdf.pages[1]
        pdf.save(handout_pdf)
    status, lines = _run(capsys, str(app.outdir), "--pdf", str(handout_pdf.parent))
    assert status == 1
    assert lines[0] == "handout.pdf: #after (destination page not in the document) [link on page 1]"
    assert SUMMARY.fullmatch(lines[-1]).group(1) == "2"
