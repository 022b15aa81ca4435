"""What document control looks like: docutils nodes and the JSON register.

Every function here takes validated ``DocumentControl`` records (and, where a
link is needed, a ``uri_for(docname)`` callable) and returns plain docutils
nodes, so any builder can render them. The one custom node, ``handbook_block``,
lets the HTML writer use the right element (``<aside>``, ``role="note"``);
other builders render its children as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence

from docutils import nodes

from handbook.doccontrol.model import Banner, DocumentControl

UriFor = Callable[[str], "str | None"]

PANEL_FIELDS = (
    ("ID", "id"),
    ("Version", "version"),
    ("Status", "status"),
    ("Effective", "effective"),
    ("Review by", "review_by"),
    ("Owner", "owner"),
    ("Approver", "approver"),
)

class handbook_block(nodes.General, nodes.Element):
    """A wrapper the HTML writer renders as ``<tag class=... role=... aria-label=...>``."""


def visit_handbook_block_html(self, node: handbook_block) -> None:
    attributes = {}
    if node.get("role"):
        attributes["role"] = node["role"]
    if node.get("label"):
        attributes["aria-label"] = node["label"]
    self.body.append(self.starttag(node, node.get("tag", "div"), **attributes))


def depart_handbook_block_html(self, node: handbook_block) -> None:
    self.body.append(f"</{node.get('tag', 'div')}>\n")


def visit_handbook_block_other(self, node: handbook_block) -> None:
    """Other builders (LaTeX, text, ...) render the children only."""


def depart_handbook_block_other(self, node: handbook_block) -> None:
    pass


def _text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _link(text: str, docname: str | None, uri_for: UriFor) -> nodes.Node:
    uri = uri_for(docname) if docname else None
    if uri is None:
        return nodes.Text(text)
    return nodes.reference(text, text, internal=True, refuri=uri)


def status_label(doc: DocumentControl) -> str:
    if doc.status == "superseded" and doc.superseded_by:
        return f"Superseded by {doc.superseded_by}"
    return doc.status.capitalize()


def panel(doc: DocumentControl) -> handbook_block:
    """The compact document-control panel shown under the page title."""
    items = nodes.definition_list(classes=["handbook-doc-control-fields"])
    for label, attribute in PANEL_FIELDS:
        value = status_label(doc) if attribute == "status" else _text(getattr(doc, attribute))
        definition = nodes.definition("", nodes.paragraph(value, value))
        if attribute == "status":
            definition["classes"].append(f"handbook-status-{doc.status}")
        items += nodes.definition_list_item("", nodes.term(label, label), definition)
    return handbook_block(
        "", items, tag="aside", label="Document control",
        classes=["handbook-doc-control", f"handbook-doc-control-{doc.status}"],
    )


def banner_nodes(found: Iterable[Banner], uri_for: UriFor) -> list[handbook_block]:
    """One note per banner; its link leads to the replacement or the register."""
    result = []
    for banner in found:
        # The first sentence is the headline a reader must not miss.
        headline, _, rest = banner.text.partition(". ")
        paragraph = nodes.paragraph()
        paragraph += nodes.strong(headline + ".", headline + ".")
        if rest:
            paragraph += nodes.Text(" " + rest)
        if banner.target and banner.link_text:
            link = _link(banner.link_text, banner.target, uri_for)
            if isinstance(link, nodes.reference):
                paragraph += nodes.Text(" ")
                paragraph += link
                paragraph += nodes.Text(".")
        result.append(handbook_block(
            "", paragraph, tag="div", role="note",
            classes=["handbook-banner", f"handbook-banner-{banner.kind}"],
        ))
    return result


def _table(headers: Sequence[str], rows: Iterable[Sequence[nodes.Node | str]], caption: str | None,
           classes: list[str], widths: Sequence[int], ids: Sequence[str] = ()) -> nodes.table:
    table = nodes.table(classes=classes, ids=list(ids))
    if caption:
        table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)

    def row_of(cells: Sequence[nodes.Node | str]) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            paragraph = nodes.paragraph()
            paragraph += nodes.Text(cell) if isinstance(cell, str) else cell
            row += nodes.entry("", paragraph)
        return row

    group += nodes.thead("", row_of(headers))
    body = nodes.tbody()
    for cells in rows:
        body += row_of(cells)
    group += body
    return table


def history_section(doc: DocumentControl) -> nodes.section:
    """``section#change-history``: a heading and the change history, newest first."""
    section = nodes.section(ids=["change-history"], names=["change history"])
    section += nodes.title("Change history", "Change history")
    rows = [(entry.version, entry.date.isoformat(), entry.summary) for entry in doc.history]
    section += _table(("Version", "Date", "Summary"), rows, None, ["handbook-history"], (1, 2, 7))
    return section


def register_table(docs: Sequence[DocumentControl], uri_for: UriFor, caption: str, table_id: str) -> nodes.Node:
    """The register: every controlled page of a folder, by id."""
    if not docs:
        return nodes.paragraph("No controlled documents yet.", "No controlled documents yet.")
    rows = [
        (doc.id, _link(doc.title, doc.docname, uri_for), doc.version, status_label(doc),
         doc.effective.isoformat(), doc.review_by.isoformat())
        for doc in docs
    ]
    return _table(("ID", "Title", "Version", "Status", "Effective", "Review by"), rows, caption,
                  ["handbook-register"], (2, 8, 2, 3, 3, 3), [table_id])


def due_list(due: Sequence[DocumentControl], today: dt.date, days: int, uri_for: UriFor) -> nodes.Node:
    """The documents whose review falls due within ``days`` of ``today``, soonest first."""
    if not due:
        text = f"No document is due for review in the next {days} days."
        return nodes.paragraph(text, text, classes=["handbook-due-none"])
    items = nodes.bullet_list(classes=["handbook-due"])
    for doc in due:
        remaining = (doc.review_by - today).days
        if remaining < 0:
            when = f"overdue since {doc.review_by.isoformat()}"
        elif remaining == 0:
            when = f"due today, {doc.review_by.isoformat()}"
        else:
            when = f"review by {doc.review_by.isoformat()} (in {remaining} day{'s' if remaining != 1 else ''})"
        paragraph = nodes.paragraph()
        paragraph += nodes.Text(f"{doc.id} ")
        paragraph += _link(doc.title, doc.docname, uri_for)
        paragraph += nodes.Text(f" \N{EN DASH} {when}")
        item = nodes.list_item("", paragraph)
        if remaining < 0:
            item["classes"].append("handbook-due-overdue")
        items += item
    return items


def register_entry(doc: DocumentControl, path: str) -> dict:
    return {
        "id": doc.id,
        "title": doc.title,
        "path": path,
        "version": doc.version,
        "status": doc.status,
        "effective": doc.effective.isoformat(),
        "review-by": doc.review_by.isoformat(),
        "owner": doc.owner,
        "approver": doc.approver,
        "covers": list(doc.covers),
        "superseded-by": doc.superseded_by,
    }


def register_json(docs: Iterable[DocumentControl], path_for: Callable[[str], str]) -> str:
    """register.json's text: one object per controlled page, sorted by id, stable formatting."""
    entries = sorted((register_entry(doc, path_for(doc.docname)) for doc in docs),
                     key=lambda entry: (entry["id"], entry["path"]))
    return json.dumps(entries, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
