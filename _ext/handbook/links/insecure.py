"""Link hygiene at build time: https only, and a map of where each link comes from.

* Every external link (Markdown link, image or raw HTML) must use https:
  an ``http://`` URL warns ``[handbook.insecure-link]`` at its file and line,
  which fails the strict build. ``handbook_http_allowed`` lists regular
  expressions of http URLs that are allowed anyway (none in the handbook; the
  test roots allow their local test server).
* The HTML builders write ``_handbook_links.json`` (``checklinks.LINK_MAP_NAME``)
  into the output: for each output page, its source file and every link in its
  doctree with the source line. ``python -m handbook checklinks`` reads it to
  name the Markdown file and line of a broken link. The file is sorted JSON
  with source-relative paths, so it is the same on every build of the same
  sources; pages written by an earlier incremental build keep their entries.
"""

from __future__ import annotations

import json
import re
import weakref

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from handbook.links.checklinks import LINK_MAP_NAME, is_external, parse_page

logger = logging.getLogger(__name__)

_MAP_BUILDERS = ("html", "dirhtml")

#: app -> {output page: entry} for the pages this run writes (kept off the
#: pickled environment: the map on disk carries the earlier runs' pages).
_WRITTEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def node_line(node: nodes.Node) -> int | None:
    """The source line of ``node`` or of its nearest ancestor that has one."""
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


def doctree_links(doctree: nodes.Node) -> list[dict]:
    """Every URL in a doctree: ``{"target", "line", "raw", "image"}`` in document order.

    Raw HTML is parsed, and each of its links gets the line it is on.
    """
    links = []
    for node in doctree.findall(lambda n: isinstance(n, (nodes.reference, nodes.image, nodes.raw))):
        line = node_line(node)
        if isinstance(node, nodes.reference) and "refuri" in node:
            links.append({"target": node["refuri"], "line": line, "raw": False, "image": False})
        elif isinstance(node, nodes.image):
            uris = {node["uri"], *node.get("candidates", {}).values()}
            for uri in sorted(uris):
                links.append({"target": uri, "line": line, "raw": False, "image": True})
        elif isinstance(node, nodes.raw) and "html" in node.get("format", "").split():
            for lineno, text in enumerate(node.astext().splitlines() or [""]):
                for url, tag, _attr in parse_page(text).links:
                    raw_line = line + lineno if line else None
                    links.append({"target": url, "line": raw_line, "raw": True, "image": tag == "img"})
    return links


def insecure_links(links: list[dict], allowed: list[str]) -> list[dict]:
    """The ``http://`` links not matched by any ``allowed`` regular expression."""
    patterns = [re.compile(p) for p in allowed]
    return [
        link for link in links
        if link["target"].lower().startswith("http://") and not any(p.match(link["target"]) for p in patterns)
    ]


def _warn_insecure(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.current_document.docname
    for link in insecure_links(doctree_links(doctree), app.config.handbook_http_allowed):
        logger.warning(
            "insecure link: use https:// instead of http:// (%s)", link["target"],
            type="handbook", subtype="insecure-link", location=(docname, link["line"]),
        )


def _collect(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    builder = app.builder
    if builder.name not in _MAP_BUILDERS:
        return
    page = builder.get_outfilename(docname).relative_to(builder.outdir).as_posix()
    links = [link for link in doctree_links(doctree) if not is_external(link["target"])]
    # One entry per (target, line): document order does not matter to the check.
    unique = {(l["target"], l["line"] or 0, l["raw"], l["image"]): l for l in links}
    _WRITTEN.setdefault(app, {})[page] = {
        "docname": docname,
        "source": app.env.doc2path(docname, False).as_posix(),
        "links": [unique[key] for key in sorted(unique)],
    }


def _write_map(app: Sphinx, exception: Exception | None) -> None:
    builder = app.builder
    if exception is not None or builder.name not in _MAP_BUILDERS:
        return
    path = builder.outdir / LINK_MAP_NAME
    pages = {}
    if path.is_file():
        try:
            pages = json.loads(path.read_text(encoding="utf-8")).get("pages", {})
        except ValueError:
            pages = {}
    pages.update(_WRITTEN.pop(app, {}))
    pages = {page: entry for page, entry in pages.items() if entry["docname"] in app.env.found_docs}
    text = json.dumps({"version": 1, "pages": pages}, indent=1, sort_keys=True, ensure_ascii=False)
    if not path.is_file() or path.read_text(encoding="utf-8") != text + "\n":
        path.write_text(text + "\n", encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_http_allowed", [], "env", list)
    app.connect("doctree-read", _warn_insecure)
    # Last, after every other handler has resolved its references (the {sg}
    # role's links among them), so the map holds every link the page will have.
    app.connect("doctree-resolved", _collect, priority=900)
    app.connect("build-finished", _write_map)
