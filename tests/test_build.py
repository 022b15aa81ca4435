"""The real handbook builds strictly and every page is reachable."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from conftest import REPO_ROOT, build_handbook


def _sources(folder: str) -> list[str]:
    return sorted(
        f"{folder}/{path.stem}" for path in (REPO_ROOT / folder).glob("*.md")
    )


def _toctree_targets(outdir: Path, page: str) -> set[str]:
    """Every page the sidebar navigation of ``page`` links to, as docnames."""
    soup = BeautifulSoup((outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    folder = page.rpartition("/")[0]
    targets = set()
    for link in soup.select("nav.bd-docs-nav a.reference.internal"):
        href = link["href"].split("#")[0].removesuffix(".html")
        if not href:  # the page being read links to itself as "#"
            targets.add(page)
            continue
        parts = [*folder.split("/"), *href.split("/")] if folder else href.split("/")
        resolved: list[str] = []
        for part in parts:
            if part == "..":
                resolved.pop()
            elif part and part != ".":
                resolved.append(part)
        targets.add("/".join(resolved))
    return targets


def test_handbook_builds_without_warnings(handbook_html):
    assert handbook_html.warnings == ""
    assert (handbook_html.outdir / "index.html").is_file()


def test_every_protocol_and_guide_is_built_and_in_the_navigation(handbook_html):
    docnames = _sources("protocols") + _sources("patient-guides")
    assert "protocols/index" in docnames and "patient-guides/index" in docnames
    assert len(docnames) > 2
    top = _toctree_targets(handbook_html.outdir, "index")
    assert {"protocols/index", "patient-guides/index"} <= top
    for docname in docnames:
        assert (handbook_html.outdir / f"{docname}.html").is_file(), docname
        # The sidebar expands the section being read: its index lists every page in it.
        section_index = docname.rpartition("/")[0] + "/index"
        assert docname in _toctree_targets(handbook_html.outdir, section_index), f"{docname} is in no toctree"


def test_landing_page_has_two_doors_and_the_edition(handbook_html):
    soup = BeautifulSoup((handbook_html.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    doors = {
        section.h2.get_text(strip=True).rstrip("#"): section.find("a", class_="reference")["href"]
        for section in soup.select("article section section")
    }
    assert doors["Staff protocols"] == "protocols/index.html"
    assert doors["Patient guides"] == "patient-guides/index.html"
    assert "Edition: working copy (unpublished)" in soup.get_text(" ", strip=True)


def test_broken_cross_reference_names_file_and_line(tmp_path):
    """A strict build of the real handbook with one bad reference fails at that line."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(REPO_ROOT, src, ignore=shutil.ignore_patterns("_build", "_site", ".venv", ".git", "tests"))
    page = src / "protocols" / "broken-reference.md"
    page.write_text(
        "---\nid: PR-999\n---\n\n# Broken\n\nSee {doc}`no-such-protocol`.\n", encoding="utf-8"
    )
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    warning = StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out", freshenv=True,
                        confoverrides={"nitpicky": True}, status=StringIO(), warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    assert f"{page}:7: WARNING: unknown document: 'no-such-protocol'" in warning.getvalue()
