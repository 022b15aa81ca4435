"""Sphinx glue for reviews: settings, "Recently revised", the review calendar.

* ``recently-revised`` directive (on the landing page): a placeholder, filled
  at ``doctree-resolved`` once every page is read, with the documents whose
  version changed in the last ``handbook_recently_revised_days`` days, each
  linked to its comparison with the previous edition (``recent``); each
  change summary is folded away in a ``<details>`` so the list stays short. Pages
  holding it are read again on every build, because it shows other pages'
  metadata and depends on the build date.
* ``build-finished``: ``reviews.ics`` beside the HTML (``feed``).

The read-and-sign sheet is rendered by the ``handbookpdf`` builder
(``handbook.pdf.builder``) from ``signsheet``; its settings are registered here.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from handbook.content.clinic import clinic_settings
from handbook.doccontrol.builddate import build_date
from handbook.doccontrol.model import controlled_documents
from handbook.doccontrol.render import handbook_block
from handbook.pdf.render import document_role
from handbook.reviews import feed, recent

logger = logging.getLogger(__name__)

#: Pages holding a ``recently-revised`` list (env attribute).
PAGES_ATTR = "handbook_recently_revised_pages"
#: The feed's file name, at the root of the HTML output.
FEED_NAME = "reviews.ics"


class recently_revised_placeholder(nodes.General, nodes.Element):
    """Where the "Recently revised" list goes once every page is read."""


def changes_data(config: Config) -> dict | None:
    """The changes file publishing writes (``handbook_changes_file``), or ``None`` in a working copy."""
    path = config.handbook_changes_file
    if not path:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _pages(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, PAGES_ATTR):
        setattr(env, PAGES_ATTR, set())
    return getattr(env, PAGES_ATTR)


class RecentlyRevisedDirective(SphinxDirective):
    """``recently-revised``: the documents whose version changed lately, with their comparisons."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        _pages(self.env).add(self.env.docname)
        if self.config.handbook_changes_file:
            self.env.note_dependency(self.config.handbook_changes_file)
        placeholder = recently_revised_placeholder()
        self.set_source_info(placeholder)
        return [placeholder]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _pages(env).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    _pages(env).update(_pages(other) & set(docnames))


def _outdated(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    return sorted(_pages(env) - set(added) - set(changed) - set(removed))


def _revision_item(app: Sphinx, docname: str, revision: recent.Revision, edition: str) -> nodes.list_item:
    """One line: id and title (linked), status unless active, version, effective date and the
    comparison; the change summary, often long, folded under it in a ``<details>``."""
    builder = app.builder
    doc = revision.doc
    paragraph = nodes.paragraph()
    label = f"{doc.id} {doc.title}"
    paragraph += nodes.reference(label, label, internal=True, refuri=builder.get_relative_uri(docname, doc.docname))
    status = "" if doc.status == "active" else f" ({doc.status})"
    paragraph += nodes.Text(f"{status} \N{EM DASH} version {doc.version}, effective {revision.date.isoformat()}.")
    origin = revision.origin
    changes_page = app.config.handbook_changes_page
    if origin is not None and origin.comparable and changes_page in app.env.all_docs:
        uri = recent.comparison_uri(
            origin, doc.id, edition,
            changes_uri_here=builder.get_relative_uri(docname, changes_page),
            changes_target_uri=builder.get_target_uri(changes_page),
            page_uri=builder.get_target_uri(docname),
        )
        text = (f"Compare with edition {origin.previous}" if origin.kind == "revised"
                else f"New in edition {origin.edition}: see What changed")
        paragraph += nodes.Text(" ")
        paragraph += nodes.reference(text, text, refuri=uri, classes=["handbook-recent-compare"])
        paragraph += nodes.Text(".")
    elif origin is not None:
        paragraph += nodes.Text(
            f" New in edition {origin.edition}, the first published edition: there is no earlier edition to compare with."
        )
    item = nodes.list_item("", paragraph)
    summary = revision.summary
    if summary:
        if not summary.endswith((".", "!", "?")):
            summary += "."
        details = handbook_block("", tag="details", classes=["handbook-recent-summary"])
        label = f"What changed in {doc.id}"
        details += handbook_block("", nodes.Text(label), tag="summary")
        details += nodes.paragraph(summary, summary)
        item += details
    return item


def _recently_revised_nodes(app: Sphinx, docname: str) -> list[nodes.Node]:
    config = app.config
    today = build_date(config.handbook_build_date)
    days = config.handbook_recently_revised_days
    data = changes_data(config)
    edition = config.handbook_edition
    found = recent.revisions(controlled_documents(app.env), today, days, data)
    start = recent.window_start(today, days).isoformat()
    output: list[nodes.Node] = []
    if not found:
        output.append(nodes.paragraph(text=f"No document's version changed in the last {days} days (since {start})."))
    else:
        output.append(nodes.paragraph(
            text=f"Documents whose version changed in the last {days} days (since {start}), newest first."
        ))
    if data is None:
        output.append(nodes.paragraph(text=(
            "This is a working copy, not a published edition: there is no previous edition to compare "
            "with here. In each published edition, every document below links to its line-by-line "
            "comparison with the previous edition."
        ), classes=["handbook-recent-working-copy"]))
    if found:
        items = nodes.bullet_list(classes=["handbook-recently-revised"])
        for revision in found:
            items += _revision_item(app, docname, revision, edition)
        output.append(items)
    return output


def _sign_sheet_link(app: Sphinx, docname: str) -> nodes.Node | None:
    """"Read-and-sign sheet (PDF)", when the handbook has protocols (the sheet lists only them)."""
    if app.builder.name in ("handbookpdf", "singlehtml") or app.builder.format != "html":
        return None
    if not any(document_role(d, ()) == "protocol" for d in app.env.found_docs):
        return None
    path = f"{app.config.handbook_pdf_html_dir.strip('/')}/read-and-sign.pdf"
    uri = relative_uri(app.builder.get_target_uri(docname), path)
    paragraph = nodes.paragraph(classes=["handbook-sign-sheet-link"])
    if app.config.handbook_changes_file:
        text = "Read-and-sign sheet of this edition (PDF)"
        rest = (": every protocol new or revised in this edition, with a table for staff to sign "
                "once they have read it.")
    else:
        text = "Read-and-sign sheet (PDF)"
        rest = ": in a working copy, a preview of the sheet with the recently revised protocols; not for filing."
    paragraph += nodes.reference(text, text, refuri=uri, classes=["handbook-pdf-link"])
    paragraph += nodes.Text(rest)
    return paragraph


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(recently_revised_placeholder)):
        new = _recently_revised_nodes(app, docname)
        link = _sign_sheet_link(app, docname)
        if link is not None:
            new.append(link)
        placeholder.replace_self(new)


def feed_address(app: Sphinx, docname: str) -> str:
    """A page's address in the feed: absolute under ``handbook_clinic["base_url"]``, else
    relative to the HTML output's root (where ``reviews.ics`` is)."""
    base_url = clinic_settings(app.config.handbook_clinic)["base_url"].strip()
    target = app.builder.get_target_uri(docname)
    return f"{base_url.rstrip('/')}/{target}" if base_url else target


def write_feed(app: Sphinx, exception: Exception | None) -> None:
    """``reviews.ics`` beside the HTML pages."""
    if exception is not None or app.builder.format != "html" or app.builder.name in ("handbookpdf", "singlehtml"):
        return
    data = feed.review_feed(
        controlled_documents(app.env),
        address_of=lambda doc: feed_address(app, doc.docname),
        stamp=feed.feed_timestamp(app.config.handbook_build_date),
        alarm_days=app.config.handbook_review_due_days,
        calendar_name=app.config.html_title or app.config.project,
    )
    Path(app.outdir, FEED_NAME).write_bytes(data)


def setup(app: Sphinx) -> None:
    # "Recently revised": versions that took effect this many days before the build date, or later.
    app.add_config_value("handbook_recently_revised_days", 90, "env", int)
    # The page holding the edition-changes directive ("What changed"), linked per document.
    app.add_config_value("handbook_changes_page", "reference/changes", "env", str)
    # Empty signature rows per protocol on the read-and-sign sheet.
    app.add_config_value("handbook_sign_sheet_rows", 12, "html", int)
    app.add_node(recently_revised_placeholder)
    app.add_directive("recently-revised", RecentlyRevisedDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _resolve)
    app.connect("build-finished", write_feed)
