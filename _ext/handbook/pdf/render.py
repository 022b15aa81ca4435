"""Print-ready PDFs: the pure part (no Sphinx).

The ``handbookpdf`` builder (``handbook.pdf.builder``) renders each document's
body with Sphinx's HTML translator; this module turns those bodies into light,
self-contained print pages (our own Jinja templates and print CSS, never the
site theme's) and hands them to WeasyPrint:

* one handout per patient guide: clinic header, large type, the "Call 911 if"
  box never split, a QR code to the online page;
* one staff handbook: cover, contents with page numbers, every protocol, the
  appendices, PDF bookmarks from the headings;
* one read-and-sign sheet (``handbook.reviews.signsheet``): the protocols new
  or revised in the edition, each with a table to sign.

Every page carries a running footer with the document's id, version and
effective date, "Page X of Y" and the uncontrolled-copy notice. Output is
reproducible: fonts come from the pinned ``fontpkg-atkinson-hyperlegible``
package, dates and the PDF identifier from the sources and
``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2

from handbook.i18n.catalog import N_, _, format_date
from handbook.pdf import messages as weasyprint_messages

#: The paper sizes ``handbook_pdf_paper`` accepts, as CSS ``@page`` sizes.
PAPER_SIZES = {"letter": "letter", "a4": "A4"}

UNCONTROLLED_NOTICE = N_(
    "Printed copies are uncontrolled \N{EM DASH} check the online handbook for the current version"
)

FONT_FAMILY = "Atkinson Hyperlegible"
FONT_PACKAGE = "fontpkg_atkinson_hyperlegible"
#: (file stem, CSS font-weight, CSS font-style)
FONT_FACES = (
    ("AtkinsonHyperlegible-Regular", 400, "normal"),
    ("AtkinsonHyperlegible-Italic", 400, "italic"),
    ("AtkinsonHyperlegible-Bold", 700, "normal"),
    ("AtkinsonHyperlegible-BoldItalic", 700, "italic"),
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: The read-and-sign sheet's file name, beside ``handbook.pdf`` (``handbook.reviews.signsheet``).
SIGN_SHEET = "read-and-sign.pdf"

#: Where the printed documents live: guides become handouts, protocols the staff handbook.
GUIDES = "patient-guides/"
PROTOCOLS = "protocols/"


def document_role(docname: str, appendices: tuple[str, ...] | list[str]) -> str | None:
    """``"guide"``, ``"protocol"``, ``"appendix"`` or ``None`` (not printed)."""
    if docname.startswith(GUIDES) and not docname.endswith("/index"):
        return "guide"
    if docname.startswith(PROTOCOLS) and not docname.endswith("/index"):
        return "protocol"
    if docname in appendices:
        return "appendix"
    return None


def handout_name(docname: str) -> str:
    """``patient-guides/after-your-treatment`` -> ``after-your-treatment.pdf``."""
    return docname.rsplit("/", 1)[-1] + ".pdf"


@dataclasses.dataclass(frozen=True)
class Banner:
    """A warning shown above a document's text (draft, superseded, overdue...)."""

    kind: str
    text: str


@dataclasses.dataclass(frozen=True)
class PrintDocument:
    """One document as the PDFs need it: identity, dates, banners and body HTML."""

    docname: str
    title: str
    body: str
    id: str = ""
    version: str = ""
    status: str = ""
    effective: str = ""
    review_by: str = ""
    banners: tuple[Banner, ...] = ()

    @property
    def anchor(self) -> str:
        return document_anchor(self.docname)

    @property
    def control_line(self) -> str:
        """The line that identifies the document on paper (and in the footer)."""
        parts = [self.id] if self.id else []
        if self.version:
            parts.append(_("Version {version}").format(version=self.version))
        if self.effective:
            parts.append(_("Effective {date}").format(date=format_date(self.effective)))
        return " \N{MIDDLE DOT} ".join(parts)

    @property
    def has_inline_banners(self) -> bool:
        """Whether the body already shows the banners (document control renders them in the page)."""
        return "handbook-banner" in self.body

    @property
    def has_panel(self) -> bool:
        """Whether the body carries the document-control panel (status, review-by, owner...)."""
        return "handbook-doc-control" in self.body

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["banners"] = [dataclasses.asdict(b) for b in self.banners]
        return data

    @classmethod
    def from_json(cls, data: dict) -> PrintDocument:
        return cls(**{**data, "banners": tuple(Banner(**b) for b in data.get("banners", ()))})


def document_anchor(docname: str) -> str:
    """The HTML id of a document inside a combined PDF (``protocols/x`` -> ``document-protocols-x``)."""
    return "document-" + docname.replace("/", "-")


def anchor_prefix(docname: str) -> str:
    """Prefix for every id inside ``docname``, so ids stay unique in the handbook."""
    return docname.replace("/", "-") + "--"


def paper_size(setting: str) -> str:
    """The CSS page size for ``handbook_pdf_paper`` (``letter`` or ``a4``, any case)."""
    try:
        return PAPER_SIZES[setting.strip().lower()]
    except KeyError:
        raise ValueError(
            f"handbook_pdf_paper must be one of {', '.join(PAPER_SIZES)}, not {setting!r}"
        ) from None


def font_files() -> dict[str, Path]:
    """The handbook font's files, found in the installed font package (never the system)."""
    root = resources.files(FONT_PACKAGE) / "files"
    found = {}
    for stem, _weight, _style in FONT_FACES:
        path = Path(str(root / f"{stem}.ttf"))
        if not path.is_file():
            raise FileNotFoundError(f"font file {path} is missing: reinstall {FONT_PACKAGE}")
        found[stem] = path
    return found


def font_face_css() -> str:
    """``@font-face`` rules for the handbook font, pointing at the package's files."""
    files = font_files()
    rules = []
    for stem, weight, style in FONT_FACES:
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FONT_FAMILY}";\n'
            f"  src: url({files[stem].as_uri()!s}) format(\"truetype\");\n"
            f"  font-weight: {weight};\n"
            f"  font-style: {style};\n"
            "}"
        )
    from handbook.pdf.fidelity import symbol_font_face_css

    rules.append(symbol_font_face_css())  # the pinned fallback for symbols (handbook.pdf.fidelity)
    return "\n".join(rules)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:`` in margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def online_url(base_url: str, docname: str) -> str:
    """The page's address on the published site, or ``""`` when no base URL is set."""
    if not base_url.strip():
        return ""
    # Percent-encoded: a page named "after your visit" is a valid URL (and QR code) too.
    return base_url.strip().rstrip("/") + "/" + quote(docname) + ".html"


def page_of_pages_css(template: str) -> str:
    """CSS ``content`` for a translated "Page {page} of {pages}" with the page counters in place."""
    import re

    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (pure Python: segno)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def w3c_datetime(epoch: int) -> str:
    """``SOURCE_DATE_EPOCH`` as the W3C date-time WeasyPrint reads from ``<meta>``."""
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def source_date_epoch(fallback: dt.date, environ=os.environ) -> int:
    """``SOURCE_DATE_EPOCH`` when set, else midnight UTC of ``fallback`` (the build date)."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        return int(value)
    return int(dt.datetime.combine(fallback, dt.time(), tzinfo=dt.timezone.utc).timestamp())


@contextlib.contextmanager
def source_date_epoch_set(epoch: int) -> Iterator[None]:
    """Set ``SOURCE_DATE_EPOCH`` while WeasyPrint runs: fontTools stamps font subsets with it."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def pdf_identifier(*parts: str) -> bytes:
    """A stable PDF file identifier (WeasyPrint would otherwise hash the output)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32].encode()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["page_of_pages_css"] = page_of_pages_css
    env.globals["_"] = _  # the handbook catalog: the PDFs speak the build's language
    return env


def template_files() -> list[Path]:
    """The templates and stylesheets the PDFs depend on (a change re-renders them)."""
    return sorted(p for p in TEMPLATE_DIR.iterdir() if p.is_file())


def _common_context(*, clinic: dict, paper: str, language: str, epoch: int, extra_css: str) -> dict:
    return {
        "clinic": clinic,
        "page_size": paper_size(paper),
        "language": language or "en",
        "created": w3c_datetime(epoch),
        "font_face_css": font_face_css(),
        "print_css": (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8"),
        "extra_css": extra_css,
        "uncontrolled": _(UNCONTROLLED_NOTICE),
        "font_family": FONT_FAMILY,
    }


def render_handout_html(
    doc: PrintDocument,
    *,
    clinic: dict,
    paper: str = "letter",
    language: str = "en",
    epoch: int,
    edition: str = "",
    extra_css: str = "",
) -> str:
    """The light print page of one patient guide."""
    url = online_url(clinic.get("base_url", ""), doc.docname)
    return render_template_html(
        "handout.html", clinic=clinic, paper=paper, language=language, epoch=epoch, extra_css=extra_css,
        doc=doc, edition=edition, online_url=url, qr=qr_data_uri(url) if url else "",
    )


def render_handbook_html(
    protocols: Sequence[PrintDocument],
    appendices: Sequence[PrintDocument],
    *,
    title: str,
    clinic: dict,
    edition: str,
    build_date: str,
    paper: str = "letter",
    language: str = "en",
    epoch: int,
    extra_css: str = "",
) -> str:
    """The light print page of the whole staff handbook."""
    return render_template_html(
        "handbook.html", clinic=clinic, paper=paper, language=language, epoch=epoch, extra_css=extra_css,
        title=title, protocols=list(protocols), appendices=list(appendices),
        appendix_letters="ABCDEFGHIJKLMNOPQRSTUVWXYZ", edition=edition, build_date=build_date,
        online_url=online_url(clinic.get("base_url", ""), "protocols/index"),
    )


def render_template_html(
    template: str,
    *,
    clinic: dict,
    paper: str = "letter",
    language: str = "en",
    epoch: int,
    extra_css: str = "",
    **context,
) -> str:
    """Any other print page (e.g. the decisions sign-off sheet) from ``templates/<template>``.

    The template gets the same fonts, print CSS, clinic and page size as the
    handouts and the staff handbook, plus ``context``.
    """
    common = _common_context(clinic=clinic, paper=paper, language=language, epoch=epoch, extra_css=extra_css)
    return _environment().get_template(template).render(**common, **context)


def render_sign_sheet_html(sheet, *, title: str, clinic: dict, **options) -> str:
    """The light print page of an edition's read-and-sign sheet.

    ``sheet`` is a ``handbook.reviews.signsheet.SignSheet``: the protocols to
    read, each with a table of empty rows for name, role, date and signature.
    ``options`` are :func:`render_template_html`'s (paper, language, epoch, extra_css).
    """
    return render_template_html(
        "read-and-sign.html", clinic=clinic, sheet=sheet, title=title,
        online_url=online_url(clinic.get("base_url", ""), "protocols/index"), **options,
    )


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings and errors (a missing anchor, an unreadable image...)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Some messages end in ": <reason>" with an empty reason (an image Pillow cannot read).
        self.messages.append(record.getMessage().strip().removesuffix(":"))


def sort_messages(
    messages: Sequence[str],
) -> tuple[list[weasyprint_messages.Classified], list[weasyprint_messages.Notice]]:
    """WeasyPrint's messages split into (problems, environment notices), each in first-seen order.

    Problems are :class:`handbook.pdf.messages.Classified`; notices are
    :class:`handbook.pdf.messages.Notice`, each once however often it was logged.
    """
    problems, notices = [], []
    for message in messages:
        classified = weasyprint_messages.classify(message)
        if classified.kind == weasyprint_messages.ENVIRONMENT:
            if classified.notice not in notices:
                notices.append(classified.notice)
        else:
            problems.append(classified)
    return problems, notices


class _CachedPageReferences:
    """``pydyf.PDF.page_references``, built once per page count instead of on every use.

    pydyf 0.13.0 builds the tuple of every page's reference each time it is
    read, and WeasyPrint's PDF/UA tagging reads it once per tagged element:
    pages x elements, 31 million steps and a third of the time for a 478-page
    staff handbook. Pages are only ever appended to ``Kids``, so its length
    says when the cached tuple is out of date.
    """

    def __get__(self, pdf, owner=None):
        if pdf is None:
            return self
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_handbook_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_handbook_page_references"] = cached
        return cached[1]


def cache_page_references() -> None:
    """Install :class:`_CachedPageReferences` on ``pydyf.PDF`` (once; the original is kept)."""
    import pydyf

    if not isinstance(pydyf.PDF.__dict__.get("page_references"), _CachedPageReferences):
        pydyf.PDF.handbook_original_page_references = pydyf.PDF.__dict__["page_references"]
        pydyf.PDF.page_references = _CachedPageReferences()


def write_pdf(
    html: str, target: Path, *, base_url: str, identifier: bytes, epoch: int,
    notices: list[weasyprint_messages.Notice] | None = None, on_layout=None,
) -> tuple[int, list[str]]:
    """Render ``html`` to a tagged PDF/UA-1 file at ``target``.

    Returns the page count and the problems WeasyPrint reported (its messages,
    as strings), which the build makes warnings (builds are strict). What
    WeasyPrint says about the machine instead (a missing optional library,
    :func:`handbook.pdf.messages.classify`) is no problem: each such
    :class:`~handbook.pdf.messages.Notice` is appended to ``notices`` (when
    given, and not already in it) for the build to print once. ``on_layout``,
    when given, is called with the laid-out ``weasyprint.Document`` before it
    is written (``handbook.pdf.fidelity`` looks for boxes wider than the page).
    """
    import weasyprint

    cache_page_references()

    collect = _Collect()
    weasyprint.LOGGER.addHandler(collect)
    try:
        with source_date_epoch_set(epoch):
            document = weasyprint.HTML(string=html, base_url=base_url).render()
            if on_layout is not None:
                on_layout(document)
            data = document.write_pdf(
                pdf_variant="pdf/ua-1",
                pdf_identifier=identifier,
                uncompressed_pdf=False,
            )
    finally:
        weasyprint.LOGGER.removeHandler(collect)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".pdf.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    problems, found = sort_messages(collect.messages)
    if notices is not None:
        notices.extend(notice for notice in found if notice not in notices)
    return len(document.pages), [problem.message for problem in problems]


#: Further PDFs the build may write beside ``handbook.pdf`` (copied when present).
EXTRA_PDFS = ("decisions-signoff.pdf", SIGN_SHEET)


def copy_pdfs(pdf_outdir: Path, dest: Path) -> list[Path]:
    """Put ``handbook.pdf``, the :data:`EXTRA_PDFS` and ``handouts/*.pdf`` under ``dest`` (replacing what was there).

    ``dest`` is ``<html output>/<handbook_pdf_html_dir>``: where the HTML pages' "Print" links point.
    """
    pdf_outdir, dest = Path(pdf_outdir), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "handouts").mkdir(parents=True)
    copied = []
    extra = [pdf_outdir / name for name in EXTRA_PDFS]
    for source in [pdf_outdir / "handbook.pdf", *extra, *sorted((pdf_outdir / "handouts").glob("*.pdf"))]:
        if source.is_file():
            target = dest / source.relative_to(pdf_outdir)
            shutil.copy2(source, target)
            copied.append(target)
    return copied


HELP = "copy the built PDFs into the HTML output, where the pages' Print links point"


def add_arguments(parser) -> None:
    parser.add_argument("pdf_outdir", type=Path, help="the PDF build, e.g. _build/pdf")
    parser.add_argument("dest", type=Path, help="the HTML output's PDF folder, e.g. _build/html/pdf")


def run(args) -> int:
    """``python -m handbook copypdfs _build/pdf _build/html/pdf`` (what ``make pdf`` runs)."""
    outdir = Path(args.pdf_outdir)
    # A translated build (handbook.i18n) prints the guides only: handouts, no handbook.pdf.
    if not (outdir / "handbook.pdf").is_file() and not any((outdir / "handouts").glob("*.pdf")):
        print(f"copypdfs: no handbook.pdf in {args.pdf_outdir}: run 'make pdf'", file=sys.stderr)
        return 2
    copied = copy_pdfs(args.pdf_outdir, args.dest)
    print(f"copypdfs: {len(copied)} PDFs copied to {args.dest}")
    return 0
