"""The ``handbookpdf`` builder, and the HTML site's links to its PDFs.

``sphinx-build -b handbookpdf . _build/pdf`` renders each patient guide's and
protocol's body with Sphinx's HTML translator into ``_pages/<docname>.json``
(one light fragment per document, so Sphinx's own outdated-document tracking
decides what to redo), then in ``finish()`` WeasyPrint turns them into:

* ``handouts/<page-name>.pdf``, one per patient guide;
* ``handbook.pdf``: cover, contents, every protocol (by id) and the appendices
  (``handbook_pdf_appendices``).

A PDF is re-rendered only when what it is made from changed (its fragments,
the print templates, the settings): ``_pages/rendered.json`` keeps a digest of
each PDF's inputs, and ``pdf-build.json`` lists what the last build rendered.

The HTML builders link each guide to ``<handbook_pdf_html_dir>/handouts/<page-name>.pdf``
("Print this guide") and the landing page and protocols index to
``<handbook_pdf_html_dir>/handbook.pdf``; ``make pdf`` copies the PDFs there.
The pure work (templates, fonts, QR codes, WeasyPrint) is in ``handbook.pdf``.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from handbook.doccontrol import model as doccontrol
from handbook.pdf import render as pdf
from handbook.doccontrol.builddate import build_date
from handbook.content.clinic import clinic_settings

logger = logging.getLogger(__name__)

GUIDES = "patient-guides/"
PROTOCOLS = "protocols/"
#: Pages that link the staff handbook PDF.
HANDBOOK_LINK_PAGES = ("index", "protocols/index")
BUILD_LOG = "pdf-build.json"


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


def _document_control(env, docname: str, today) -> dict:
    """Identity, dates and banners of a controlled page, from ``handbook.doccontrol``."""
    doc = doccontrol.document_control(env, docname)
    if doc is None:  # an appendix, or a page whose front matter the build reports as broken
        return {}
    return {
        "id": doc.id,
        "version": doc.version,
        "status": doc.status,
        "effective": doc.effective.isoformat(),
        "review_by": doc.review_by.isoformat(),
        "banners": tuple(pdf.Banner(b.kind, b.text) for b in doccontrol.banners(doc, today)),
    }


class HandbookPDFBuilder(StandaloneHTMLBuilder):
    """Print-ready PDFs of the patient guides and the staff handbook."""

    name = "handbookpdf"
    format = "html"  # the HTML translator, and every extension's HTML node visitors
    epilog = "The PDFs are in %(outdir)s."
    copysource = False
    search = False
    add_permalinks = False
    use_index = False
    download_support = False

    def init(self) -> None:
        super().init()
        try:
            self.paper = pdf.paper_size(self.config.handbook_pdf_paper)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        self.clinic = clinic_settings(self.config.handbook_clinic)
        self.today = build_date(self.config.handbook_build_date)
        self.epoch = pdf.source_date_epoch(self.today)
        self.pages_dir = Path(self.outdir) / "_pages"

    # -- which documents, and which are outdated --------------------------------

    def role(self, docname: str) -> str | None:
        return document_role(docname, tuple(self.config.handbook_pdf_appendices))

    def get_output_path(self, page_name: str, /) -> Path:
        return self.pages_dir / f"{page_name}.json"

    def _epoch_stamp(self) -> Path:
        return self.pages_dir / "source-date-epoch"

    def get_outdated_docs(self):
        printed = [d for d in sorted(self.env.found_docs) if self.role(d)]
        stamp = self._epoch_stamp()
        # Banners (review overdue) and dates come from SOURCE_DATE_EPOCH: when
        # it changes, every fragment is redone so a clean build gives the same bytes.
        if not stamp.is_file() or stamp.read_text().strip() != str(self.epoch):
            yield from printed
            return
        outdated = {d for d in super().get_outdated_docs() if self.role(d)}
        for docname in printed:
            if docname in outdated or not self.get_output_path(docname).is_file():
                yield docname

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        # Every link to a document is rewritten in _rewrite_ids() to suit the
        # PDF it lands in; this marker form keeps the target's docname.
        return "#document-" + docname

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return self.get_target_uri(to, typ)

    # -- writing: one light fragment per document -------------------------------

    def prepare_writing(self, docnames) -> None:
        super().prepare_writing(docnames)
        self.handbook_members = {
            d for d in self.env.found_docs if self.role(d) in ("protocol", "appendix")
        }

    def copy_assets(self) -> None:
        pass  # no theme CSS or JavaScript: the print pages carry their own styles

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        role = self.role(docname)
        if role is None:
            return
        members = self.handbook_members if role != "guide" else {docname}
        self._rewrite_ids(doctree, docname, members)
        doctree.settings = self.docsettings
        self.secnumbers = self.env.toc_secnumbers.get(docname, {})
        self.fignumbers = self.env.toc_fignumbers.get(docname, {})
        self.imgpath = self.imagedir
        self.dlpath = "_downloads"
        self.current_docname = docname
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        document = self._print_document(docname, "".join(visitor.fragment))
        target = self.get_output_path(docname)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document.to_json(), indent=1, sort_keys=True), encoding="utf-8")

    def write_doc_serialized(self, docname: str, doctree: nodes.document) -> None:
        self.imgpath = self.imagedir
        self.post_process_images(doctree)

    def _rewrite_ids(self, doctree: nodes.document, docname: str, members: set[str]) -> None:
        """Make ids unique across the handbook and point links at the right PDF or page."""
        prefix = pdf.anchor_prefix(docname)
        for node in doctree.findall(nodes.Element):
            if node.get("ids"):
                node["ids"] = [prefix + i for i in node["ids"]]
            if node.get("backrefs"):
                node["backrefs"] = [prefix + i for i in node["backrefs"]]
            if node.get("refid"):
                node["refid"] = prefix + node["refid"]
        base_url = self.clinic["base_url"]
        for ref in list(doctree.findall(nodes.reference)):
            refuri = ref.get("refuri", "")
            if not refuri.startswith("#document-"):
                continue
            target, _, anchor = refuri[len("#document-"):].partition("#")
            if target in members:
                ref["refuri"] = "#" + (pdf.anchor_prefix(target) + anchor if anchor else pdf.document_anchor(target))
            elif base_url:
                ref["refuri"] = pdf.online_url(base_url, target) + (f"#{anchor}" if anchor else "")
            else:
                # Not in this PDF and no address to point at: keep the words only.
                ref.replace_self(nodes.inline("", "", *ref.children, classes=["xref-offline"]))

    def _print_document(self, docname: str, body: str) -> pdf.PrintDocument:
        title_node = self.env.titles.get(docname)
        title = title_node.astext() if title_node else docname
        return pdf.PrintDocument(
            docname=docname, title=title, body=body, **_document_control(self.env, docname, self.today)
        )

    # -- finishing: the PDFs ------------------------------------------------------

    def finish(self) -> None:
        self.copy_image_files()
        self.write_buildinfo()
        manifest_path = self.pages_dir / "rendered.json"
        try:
            self.rendered_keys = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.rendered_keys = {}
        rendered: list[dict] = []
        rendered += self._render_handouts()
        rendered += self._render_handbook()
        manifest_path.write_text(json.dumps(self.rendered_keys, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        self._epoch_stamp().write_text(f"{self.epoch}\n")
        (Path(self.outdir) / BUILD_LOG).write_text(json.dumps(rendered, indent=1) + "\n", encoding="utf-8")

    def _fragment_text(self, docname: str) -> str:
        return self.get_output_path(docname).read_text(encoding="utf-8")

    def _render_key(self, *parts: str) -> str:
        """What a PDF is made from: its fragments, the templates and the settings.

        A PDF is re-rendered only when this changes, so touching a page
        without changing what it prints re-renders nothing.
        """
        digest = hashlib.sha256()
        settings = {**self._common(), "edition": self.config.handbook_edition, "today": self.today.isoformat(),
                    "title": self.config.html_title or self.config.project}
        for part in (json.dumps(settings, sort_keys=True), *(p.read_text(encoding="utf-8") for p in pdf.template_files()), *parts):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _up_to_date(self, target: Path, key: str) -> bool:
        relative = target.relative_to(self.outdir).as_posix()
        return target.is_file() and self.rendered_keys.get(relative) == key

    def _render(self, html: str, target: Path, identifier: bytes, debug_name: str, key: str,
                docname: str | None = None) -> dict:
        debug = self.pages_dir / debug_name
        debug.parent.mkdir(parents=True, exist_ok=True)
        debug.write_text(html, encoding="utf-8")
        started = time.perf_counter()
        pages, problems = pdf.write_pdf(
            html, target, base_url=Path(self.outdir).as_uri() + "/", identifier=identifier, epoch=self.epoch
        )
        seconds = time.perf_counter() - started
        relative = target.relative_to(self.outdir).as_posix()
        for problem in problems:
            logger.warning("%s: %s", relative, problem, type="handbook", subtype="pdf",
                           location=(docname, None) if docname else None)
        if problems:
            return {"pdf": relative, "pages": pages, "seconds": round(seconds, 3), "problems": problems}
        self.rendered_keys[relative] = key
        logger.info("rendered %s (%d pages, %.2f s)", relative, pages, seconds)
        return {"pdf": relative, "pages": pages, "seconds": round(seconds, 3)}

    def _common(self) -> dict:
        return {
            "clinic": self.clinic,
            "paper": self.config.handbook_pdf_paper,
            "language": self.config.language or "en",
            "epoch": self.epoch,
        }

    def _render_handouts(self) -> list[dict]:
        outdir = Path(self.outdir) / "handouts"
        guides = sorted(d for d in self.env.found_docs if self.role(d) == "guide")
        wanted = {handout_name(d) for d in guides}
        if outdir.is_dir():
            for stale in outdir.glob("*.pdf"):
                if stale.name not in wanted:
                    stale.unlink()
        rendered = []
        for docname in guides:
            target = outdir / handout_name(docname)
            fragment = self._fragment_text(docname)
            key = self._render_key(fragment)
            if self._up_to_date(target, key):
                continue
            doc = pdf.PrintDocument.from_json(json.loads(fragment))
            html = pdf.render_handout_html(doc, edition=self.config.handbook_edition, **self._common())
            identifier = pdf.pdf_identifier("handout", docname, doc.id, doc.version)
            rendered.append(self._render(html, target, identifier, f"{docname}.print.html", key, docname))
        return rendered

    def _render_handbook(self) -> list[dict]:
        target = Path(self.outdir) / "handbook.pdf"
        protocols = sorted(d for d in self.env.found_docs if self.role(d) == "protocol")
        if not protocols:
            return []  # no staff protocols, no staff handbook
        appendices = [d for d in self.config.handbook_pdf_appendices if d in self.env.found_docs]
        fragments = {d: self._fragment_text(d) for d in protocols + appendices}
        key = self._render_key(*(f"{d}\n{text}" for d, text in fragments.items()))
        if self._up_to_date(target, key):
            return []
        docs = [pdf.PrintDocument.from_json(json.loads(fragments[d])) for d in protocols]
        docs.sort(key=lambda doc: (doc.id or "~", doc.docname))
        html = pdf.render_handbook_html(
            docs,
            [pdf.PrintDocument.from_json(json.loads(fragments[d])) for d in appendices],
            title=self.config.html_title or self.config.project,
            edition=self.config.handbook_edition,
            build_date=self.today.isoformat(),
            **self._common(),
        )
        identifier = pdf.pdf_identifier("handbook", self.config.project, self.config.handbook_edition)
        return [self._render(html, target, identifier, "handbook.print.html", key)]


# -- the HTML site links its PDFs -------------------------------------------------


def _print_link(text: str, uri: str) -> nodes.container:
    # A container, not a paragraph: the link is site furniture, not part of
    # the guide's text (readability scores count paragraphs).
    inline = nodes.inline()
    inline += nodes.reference(text, text, refuri=uri, classes=["handbook-pdf-link"])
    return nodes.container("", inline, classes=["handbook-print-link"])


def add_print_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Add "Print this guide" / "Print the staff handbook" links to the HTML pages."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or isinstance(builder, HandbookPDFBuilder):
        return
    if builder.name == "singlehtml":
        return
    pdf_dir = app.config.handbook_pdf_html_dir.strip("/")
    role = document_role(docname, tuple(app.config.handbook_pdf_appendices))
    if role == "guide":
        text, path = "Print this guide (PDF)", f"{pdf_dir}/handouts/{handout_name(docname)}"
    elif docname in HANDBOOK_LINK_PAGES and any(
        document_role(d, ()) == "protocol" for d in app.env.found_docs
    ):
        # Only a handbook with protocols has a handbook.pdf.
        text, path = "Print the staff handbook (PDF)", f"{pdf_dir}/handbook.pdf"
    else:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    uri = relative_uri(builder.get_target_uri(docname), path)
    index = 1 if section.children and isinstance(section[0], nodes.title) else 0
    section.insert(index, _print_link(text, uri))


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_pdf_paper", "letter", "html", str)
    app.add_config_value(
        "handbook_pdf_appendices", ["reference/traceability", "reference/sources"], "html", list
    )
    app.add_config_value("handbook_pdf_html_dir", "pdf", "html", str)
    app.add_builder(HandbookPDFBuilder)
    app.connect("doctree-resolved", add_print_links)
