"""Keep the sidebar affordable in a large handbook.

Every HTML page's sidebar asks Sphinx for the site's navigation tree, and
Sphinx resolves the whole tree again for each page, so a build grows with the
square of the page count: at 1,000 synthetic pages that was half the build,
and the theme's section listing on top of it most of the rest (``make bench``).

Above ``handbook_sidebar_page_limit`` pages the sidebar lists the top-level
sections only (each section's register table and the search list every page),
and the tree is resolved once per folder and section instead of once per page:
at that depth two pages in the same folder under the same section get the same
sidebar, links included.
"""

from __future__ import annotations

import posixpath

from sphinx.application import Sphinx

#: Sidebar depth in a handbook above the limit: the top-level sections.
LARGE_HANDBOOK_NAV_DEPTH = 1


def sidebar_depth(page_count: int, limit: int, configured_depth: int) -> int:
    """The sidebar depth for a handbook of ``page_count`` pages."""
    if limit and page_count > limit:
        return min(configured_depth, LARGE_HANDBOOK_NAV_DEPTH)
    return configured_depth


def toctree_parents(toctree_includes: dict[str, list[str]]) -> dict[str, str]:
    """Map each page to the page whose toctree includes it (the first, if several)."""
    parents: dict[str, str] = {}
    for parent in sorted(toctree_includes):
        for child in toctree_includes[parent]:
            parents.setdefault(child, parent)
    return parents


def sidebar_key(pagename: str, parents: dict[str, str], root_doc: str) -> tuple:
    """What a depth-1 sidebar depends on: the page's folder and its top-level section.

    Links are relative, so pages in one folder share them; the "current" mark
    falls on the top-level section holding the page, or on the page itself when
    it is a top-level entry (then its own link is "#").
    """
    chain = [pagename]
    while chain[-1] in parents and chain[-1] != root_doc and len(chain) <= len(parents):
        chain.append(parents[chain[-1]])
    top = chain[-2] if len(chain) >= 2 and chain[-1] == root_doc else None
    return posixpath.dirname(pagename), top, pagename if pagename in (top, root_doc) else None


class _SidebarCache:
    def __init__(self) -> None:
        self.parents: dict[str, str] | None = None
        self.rendered: dict[tuple, str] = {}


def _limit_sidebar(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "theme_max_navbar_depth" not in context or "toctree" not in context:
        return  # not a pydata-based theme
    depth = sidebar_depth(
        len(app.env.found_docs), app.config.handbook_sidebar_page_limit, int(context["theme_max_navbar_depth"])
    )
    context["theme_max_navbar_depth"] = depth
    if depth != LARGE_HANDBOOK_NAV_DEPTH:
        return
    cache = app.builder.__dict__.setdefault("_handbook_sidebar_cache", _SidebarCache())
    if cache.parents is None:
        cache.parents = toctree_parents(app.env.toctree_includes)
    resolve = context["toctree"]
    page_key = sidebar_key(pagename, cache.parents, app.config.root_doc)

    def cached_toctree(**kwargs) -> str:
        key = (page_key, tuple(sorted(kwargs.items())))
        if key not in cache.rendered:
            cache.rendered[key] = resolve(**kwargs)
        return cache.rendered[key]

    context["toctree"] = cached_toctree


def _forget_sidebars(app: Sphinx, env, docnames) -> None:
    # A warm application (python -m handbook preview) builds again and again:
    # titles and pages may have changed since the sidebars were cached.
    app.builder.__dict__.pop("_handbook_sidebar_cache", None)


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_sidebar_page_limit", 150, "html", int)
    app.connect("env-before-read-docs", _forget_sidebars)
    # Before the theme's own handler builds its sidebar functions.
    app.connect("html-page-context", _limit_sidebar, priority=400)
