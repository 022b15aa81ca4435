"""Internal link check of the built site: nothing inside the handbook points nowhere.

Sphinx's strict build already refuses broken cross-references, but links it
does not resolve (raw HTML, reST-style relative URLs, template links, images
that failed to copy) reach the HTML unchecked, and the PDFs are made from the
HTML afterwards. This module checks the *output*:

* HTML: every local ``href``/``src``/``srcset`` of every page resolves to a
  file, and every ``#fragment`` is an ``id`` (or ``<a name>``) in its target.
  External links (any URL with a scheme or host: http, https, mailto, tel,
  data) are left to ``make linkcheck``; a ``file:`` URL is broken (it works
  only on the machine that built the site).
* PDF: every internal link annotation (``/Dest`` or a ``/GoTo`` action, named
  or explicit) and every bookmark resolves to a page of the same document; a
  link to a local file (``file:`` or relative URI) is broken in a PDF that is
  handed out.

Each broken link is reported as ``<source page>: <broken target> (<kind>)``,
followed, when the build's link map knows it, by the Markdown source file and
line (``[protocols/x.md:12]``). The map is the JSON sidecar that
``handbook.links`` writes into the HTML output (``LINK_MAP_NAME``).

Everything here is a plain function over files; ``add_arguments``/``run`` are
the ``python -m handbook checklinks`` glue.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import posixpath
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The link map ``handbook.links`` writes into the HTML output directory.
LINK_MAP_NAME = "_handbook_links.json"

#: Folders of the HTML output whose ``*.html`` files are not pages of the
#: site. ``_static/`` holds the theme's assets: its ``*.html`` files (pydata's
#: ``webpack-macros.html``, ``sbt-webpack-macros.html``) are Jinja macro source
#: copied as-is, full of ``{{ pathto(...) }}``, never linked or served as pages.
#: ``_sources/``, ``_images/`` and ``_downloads/`` hold copies of source files,
#: images and files offered for download, byte for byte. Links *to* files in
#: these folders are still checked.
NON_PAGE_DIRS = ("_static/", "_sources/", "_images/", "_downloads/")

#: Attributes whose value is a URL the browser loads or follows (``data``
#: only on ``<object>``; ``srcset`` is parsed separately).
_URL_ATTRS = {"href", "src", "poster"}

HELP = "check that every internal link in the built HTML (and PDFs) resolves"

#: Folder of the HTML output that holds the PDFs (``handbook_pdf_html_dir``).
PDF_DIR = "pdf"


def _site_path(page: str, url: str) -> str:
    """The site-relative path a local ``url`` on ``page`` points to."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(urlsplit(url.strip()).path)))


@dataclasses.dataclass(frozen=True, order=True)
class BrokenLink:
    """One broken link: where it is, what it points to, why it is broken."""

    source: str  # output file, relative to the checked directory (posix)
    target: str  # the link as written
    kind: str  # "missing page", "missing anchor", "missing image", ...
    where: str = ""  # Markdown source and line(s), or PDF page/bookmark

    def __str__(self) -> str:
        suffix = f" [{self.where}]" if self.where else ""
        return f"{self.source}: {self.target} ({self.kind}){suffix}"


@dataclasses.dataclass
class PageLinks:
    """What one HTML page contains: its ids and the local links it makes."""

    ids: set[str]
    links: list[tuple[str, str, str]]  # (value, tag, attribute), document order


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageLinks(set(), [])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)
            elif name in _URL_ATTRS or (tag == "object" and name == "data"):
                self.page.links.append((value, tag, name))
            elif name == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.page.links.append((url, tag, name))

    handle_startendtag = handle_starttag


def parse_page(html: str) -> PageLinks:
    """The ids and URL attributes of an HTML document (``html.parser``, stdlib)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def is_external(url: str) -> bool:
    """True for a URL with a scheme or a host (http, https, mailto, tel, data, //host)."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def _missing_kind(tag: str, attr: str, path: str) -> str:
    if tag == "img" or attr == "srcset":
        return "missing image"
    suffix = posixpath.splitext(path)[1]
    if tag in {"a", "area"} and suffix in {".html", ".htm", ""}:
        return "missing page"
    return "missing file"


def check_link(page: str, url: str, tag: str, attr: str, exists, ids_of) -> str | None:
    """Why the local ``url`` on ``page`` is broken, or None when it resolves.

    ``page`` is the page's path relative to the site root (posix);
    ``exists(path)`` says whether a site-relative path is a file, and
    ``ids_of(path)`` returns the ids of a site-relative HTML file. Pure: the
    file system is reached only through these two callables.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "link to a local file"  # works only on the machine that built the site
    if not url or is_external(url):
        return None
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if path.startswith("/"):
        return "absolute path (breaks unless the site is served from /)"
    if path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if target == ".." or target.startswith("../"):
            return "outside the site"
        if target == "." or path.endswith("/"):
            target = posixpath.join(target, "index.html").removeprefix("./")
        if not exists(target):
            return _missing_kind(tag, attr, path)
    else:
        target = page
    if fragment and target.endswith((".html", ".htm")):
        # An empty fragment and "#top" scroll to the top (HTML living standard).
        if fragment.lower() != "top" and fragment not in ids_of(target):
            return "missing anchor"
    return None


def html_pages(root: Path) -> list[str]:
    """Every HTML page of the site, as sorted site-relative posix paths."""
    pages = []
    for path in root.rglob("*.html"):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(NON_PAGE_DIRS):
            pages.append(rel)
    return sorted(pages)


def load_link_map(root: Path) -> dict:
    """The build's link map (output page -> source file and link lines), or {}."""
    path = root / LINK_MAP_NAME
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("pages", {})


def source_location(link_map: dict, page: str, target: str) -> tuple[str, bool]:
    """``("index.md:12, 30", raw)`` for a link on ``page``; ``("index.md", False)``
    when only the page's source is known; ``("", False)`` when nothing is."""
    entry = link_map.get(page)
    if not entry:
        return "", False
    lines = sorted({link["line"] for link in entry["links"] if link["target"] == target and link["line"]})
    raw = any(link["raw"] for link in entry["links"] if link["target"] == target)
    if not lines:
        # An image's src is rewritten into _images/ by the HTML builder: match its file name.
        name = posixpath.basename(urlsplit(target).path)
        candidates = [link for link in entry["links"] if link["image"] and posixpath.basename(link["target"]) == name]
        lines = sorted({link["line"] for link in candidates if link["line"]})
    if lines:
        return f"{entry['source']}:{', '.join(map(str, lines))}", raw
    return entry["source"], raw


@dataclasses.dataclass
class HtmlReport:
    broken: list[BrokenLink]
    pages: int
    links: int


def check_html(root: Path) -> HtmlReport:
    """Check every local link of every page under ``root`` (a Sphinx HTML output)."""
    root = Path(root)
    cache: dict[str, PageLinks] = {}

    def parsed(rel: str) -> PageLinks:
        if rel not in cache:
            cache[rel] = parse_page((root / rel).read_text(encoding="utf-8", errors="replace"))
        return cache[rel]

    def exists(rel: str) -> bool:
        return (root / rel).is_file()

    def ids_of(rel: str) -> set[str]:
        return parsed(rel).ids

    link_map = load_link_map(root)
    broken: list[BrokenLink] = []
    pages = html_pages(root)
    count = 0
    # The PDFs are copied into PDF_DIR by `make pdf`; an HTML-only build has no
    # such folder, and its "Print" links are checked once the PDFs are in.
    pdfs_built = (root / PDF_DIR).is_dir()
    for page in pages:
        seen: set[tuple[str, str]] = set()
        for url, tag, attr in parsed(page).links:
            if is_external(url.strip()) and not url.strip().startswith("file:"):
                continue
            if not pdfs_built and _site_path(page, url).startswith(PDF_DIR + "/"):
                continue
            count += 1
            kind = check_link(page, url, tag, attr, exists, ids_of)
            if kind is None or (url, kind) in seen:
                continue
            seen.add((url, kind))
            where, raw = source_location(link_map, page, url)
            if raw:
                kind += ", raw HTML"
            broken.append(BrokenLink(page, url, kind, where))
    return HtmlReport(broken, len(pages), count)


# -- PDF ----------------------------------------------------------------------


def _pdf_named_destinations(pdf) -> dict:
    import pikepdf

    names: dict = {}
    root = pdf.Root
    if "/Dests" in root:  # PDF 1.1 style dictionary
        for key, value in root.Dests.items():
            names[key.lstrip("/")] = value
    if "/Names" in root and "/Dests" in root.Names:
        for key, value in pikepdf.NameTree(root.Names.Dests).items():
            names[str(key)] = value
    return names


def _dest_problem(dest, names: dict, pages: set, depth: int = 0) -> tuple[str, str] | None:
    """(target, kind) when ``dest`` does not reach a page of this PDF, else None."""
    import pikepdf

    if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
        dest = dest.D
    if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
        name = str(dest).lstrip("/") if isinstance(dest, pikepdf.Name) else str(dest)
        if name not in names:
            return f"#{name}", "missing destination"
        if depth > 4:
            return f"#{name}", "destination loop"
        problem = _dest_problem(names[name], names, pages, depth + 1)
        return (f"#{name}", problem[1]) if problem else None
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        page = dest[0]
        if isinstance(page, pikepdf.Dictionary) and page.is_indirect:
            if page.objgen in pages:
                return None
            return f"page object {page.objgen[0]} {page.objgen[1]} R", "destination page not in the document"
        return repr(page)[:60], "malformed destination"
    return repr(dest)[:60], "malformed destination"


def _link_problem(link, names: dict, pages: set, pdf_dir: Path) -> tuple[str, str] | None:
    """What is wrong with a link annotation's or a bookmark's ``/Dest`` or ``/A``; None if nothing."""
    if "/Dest" in link:
        return _dest_problem(link.Dest, names, pages)
    if "/A" in link:
        return _action_problem(link.A, names, pages, pdf_dir)
    return None


def _action_problem(action, names: dict, pages: set, pdf_dir: Path) -> tuple[str, str] | None:
    kind = str(action.get("/S", ""))
    if kind == "/GoTo":
        return _dest_problem(action.get("/D"), names, pages)
    if kind == "/URI":
        uri = str(action.get("/URI", ""))
        scheme = urlsplit(uri).scheme
        if scheme in {"http", "https", "mailto", "tel"}:
            return None
        return uri, "link to a local file"
    if kind == "/GoToR":
        target = action.get("/F")
        name = str(target.get("/F", "") if hasattr(target, "get") else target or "")
        if not name or not (pdf_dir / name).is_file():
            return name or "?", "missing file"
    return None


def check_pdf(path: Path, label: str | None = None) -> list[BrokenLink]:
    """Broken internal links and bookmarks of one PDF."""
    import pikepdf

    label = label or Path(path).name
    broken: list[BrokenLink] = []
    with pikepdf.open(path) as pdf:
        names = _pdf_named_destinations(pdf)
        pages = {page.obj.objgen for page in pdf.pages}
        for number, page in enumerate(pdf.pages, start=1):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                problem = _link_problem(annot, names, pages, Path(path).parent)
                if problem:
                    broken.append(BrokenLink(label, problem[0], problem[1], f"link on page {number}"))
        if "/Outlines" in pdf.Root:
            stack = [pdf.Root.Outlines.get("/First")]
            seen = set()
            while stack:
                item = stack.pop()
                if item is None or (item.is_indirect and item.objgen in seen):
                    continue
                if item.is_indirect:  # a malformed outline may loop: visit each item once
                    seen.add(item.objgen)
                title = str(item.get("/Title", ""))
                problem = _link_problem(item, names, pages, Path(path).parent)
                if problem:
                    broken.append(BrokenLink(label, problem[0], problem[1], f'bookmark "{title}"'))
                stack.append(item.get("/Next"))
                stack.append(item.get("/First"))
    return sorted(broken)


def check_pdfs(pdf_dir: Path) -> tuple[list[BrokenLink], int]:
    """Check every ``*.pdf`` under ``pdf_dir``; (broken links, number of PDFs)."""
    pdf_dir = Path(pdf_dir)
    files = sorted(pdf_dir.rglob("*.pdf"))
    broken: list[BrokenLink] = []
    for path in files:
        broken.extend(check_pdf(path, path.relative_to(pdf_dir).as_posix()))
    return broken, len(files)


# -- CLI glue -------------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("html_dir", type=Path, help="the built HTML site, e.g. _build/html")
    parser.add_argument("--pdf", type=Path, metavar="PDF_DIR", help="also check every PDF in this folder, e.g. _build/pdf")


def run(args: argparse.Namespace) -> int:
    if not (args.html_dir / "index.html").is_file():
        print(f"checklinks: {args.html_dir} is not a built HTML site (no index.html); run 'make html'", file=sys.stderr)
        return 2
    report = check_html(args.html_dir)
    broken = list(report.broken)
    checked = f"{_count(report.links, 'local link')} in {_count(report.pages, 'HTML page')}"
    if args.pdf is not None:
        if not args.pdf.is_dir():
            print(f"checklinks: {args.pdf} is not a folder", file=sys.stderr)
            return 2
        pdf_broken, pdfs = check_pdfs(args.pdf)
        broken.extend(pdf_broken)
        checked += f" and {_count(pdfs, 'PDF')}"
    for link in broken:
        print(link)
    if broken:
        print(f"checklinks: {_count(len(broken), 'broken link')} ({checked} checked)")
        return 1
    print(f"checklinks: no broken links ({checked} checked)")
    return 0
