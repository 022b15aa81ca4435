"""A large handbook's sidebar: top-level sections only, resolved once per folder and section."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import REPO_ROOT
from handbook.devtools import synthetic
from handbook.html.navigation import sidebar_depth, sidebar_key, toctree_parents


def test_sidebar_depth_drops_to_sections_above_the_limit():
    assert sidebar_depth(100, 150, 4) == 4
    assert sidebar_depth(151, 150, 4) == 1
    assert sidebar_depth(1000, 0, 4) == 4  # 0 switches the limit off


def test_sidebar_key_is_shared_by_pages_of_one_folder_and_section():
    parents = toctree_parents({"index": ["protocols/index", "guides/index"], "protocols/index": ["protocols/a", "protocols/b"]})
    a = sidebar_key("protocols/a", parents, "index")
    assert a == sidebar_key("protocols/b", parents, "index") == ("protocols", "protocols/index", None)
    # The section's own index links to itself as "#": a sidebar of its own.
    assert sidebar_key("protocols/index", parents, "index") == ("protocols", "protocols/index", "protocols/index")
    assert sidebar_key("index", parents, "index") == ("", None, "index")


def _sidebar(outdir, page):
    soup = BeautifulSoup((outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    return [(a.get_text(strip=True), a["href"], "current" in a.parent.get("class", []))
            for a in soup.select("nav.bd-docs-nav a.reference.internal")]


def test_large_handbook_sidebar_matches_an_uncached_build(tmp_path, make_app):
    """Above the limit the cached sidebar is exactly what Sphinx resolves page by page."""
    src = synthetic.generate(REPO_ROOT, tmp_path / "src", 12)
    cached = make_app("html", srcdir=src, builddir=tmp_path / "cached", confoverrides={"handbook_sidebar_page_limit": 5})
    cached.build()
    # The same depth without the cache: the theme's own setting, and no page limit.
    plain = make_app(
        "html", srcdir=src, builddir=tmp_path / "plain",
        confoverrides={"handbook_sidebar_page_limit": 0, "html_theme_options.max_navbar_depth": 1},
    )
    plain.build()
    pages = ["index", "protocols/index", "protocols/protocol-0003", "patient-guides/guide-0002", "reference/sources"]
    for page in pages:
        assert _sidebar(cached.outdir, page) == _sidebar(plain.outdir, page), page
    entries = _sidebar(cached.outdir, "protocols/protocol-0003")
    assert [title for title, _, _ in entries] == ["Synthetic handbook", "Staff protocols", "Patient guides", "Reference"]
    assert [current for _, _, current in entries] == [False, True, False, False]
    # Below the limit the section being read lists its pages.
    full = make_app("html", srcdir=src, builddir=tmp_path / "full")
    full.build()
    assert len(_sidebar(full.outdir, "protocols/protocol-0003")) > len(entries) + 5
