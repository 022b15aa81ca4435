"""What the decisions register looks like: the awaiting list's cells and ``decisions.json``.

The list of decisions awaiting the medical director is built when its page is
read (so sources are real ``references.bib`` citations); the two cells that
need every page read first, the owner protocol and the pages waiting on a
decision, are :class:`decision_pages` placeholders filled in by
:func:`resolve_pages` once the doctree is resolved.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from docutils import nodes
from sphinx.application import Sphinx

from handbook.decisions.register import Decision, Register, format_value, wording_for
from handbook.doccontrol.model import controlled_documents, document_control


class decision_pages(nodes.General, nodes.Element):
    """Content to fill in later: ``kind`` ``"owner"`` or ``"waiting"`` (a cell of ``decision``'s
    row) or ``"signoff"`` (the link to the sign-off sheet)."""


def page_label(app: Sphinx, docname: str) -> str:
    """``"PR-005 Infusion monitoring"`` for a controlled page, else the page's title."""
    env = app.env
    title = env.titles[docname].astext() if docname in env.titles else docname
    doc = document_control(env, docname)
    return f"{doc.id} {title}" if doc is not None else title


def owner_docname(app: Sphinx, owner: str) -> str | None:
    """The docname of the controlled page whose id is ``owner``."""
    for doc in controlled_documents(app.env):
        if doc.id == owner:
            return doc.docname
    return None


def _link(app: Sphinx, fromdocname: str, docname: str, text: str) -> nodes.Node:
    uri = app.builder.get_relative_uri(fromdocname, docname)
    return nodes.reference(text, text, internal=True, refuri=uri)


def resolve_pages(app: Sphinx, doctree: nodes.document, fromdocname: str,
                  users: Callable[[str], list[str]], signoff_uri: str | None = None) -> None:
    """Replace every :class:`decision_pages` placeholder of ``doctree``.

    ``signoff_uri`` is the sign-off sheet's address relative to the page; with
    ``None`` (PDF builds) the "Print the sign-off sheet" link is left out.
    """
    for placeholder in list(doctree.findall(decision_pages)):
        decision_id = placeholder["decision"]
        if placeholder["kind"] == "signoff":
            if signoff_uri is None:
                placeholder.parent.remove(placeholder)
                continue
            text = "Print the sign-off sheet for the medical director (PDF)"
            inline = nodes.inline()
            inline += nodes.reference(text, text, refuri=signoff_uri, classes=["handbook-pdf-link"])
            new = nodes.container("", inline, classes=["handbook-print-link"])
        elif placeholder["kind"] == "owner":
            owner = placeholder["owner"]
            docname = owner_docname(app, owner)
            label = page_label(app, docname) if docname else owner
            new = nodes.paragraph("", "", _link(app, fromdocname, docname, label) if docname else nodes.Text(label))
        else:
            waiting = users(decision_id)
            if not waiting:
                new = nodes.paragraph("", "No page uses it yet")
            else:
                new = nodes.bullet_list(classes=["handbook-decision-waiting"])
                for docname in waiting:
                    new += nodes.list_item("", nodes.paragraph(
                        "", "", _link(app, fromdocname, docname, page_label(app, docname))))
        placeholder.replace_self(new)


def decision_entry(decision: Decision, used_by: list[dict]) -> dict:
    """One decision as ``decisions.json`` lists it."""
    value = list(decision.value) if isinstance(decision.value, tuple) else decision.value
    return {
        "id": decision.id,
        "question": decision.question,
        "type": decision.type,
        "value": value,
        "unit": decision.unit,
        "options": list(decision.options) if decision.type == "choice" else None,
        "formatted": {audience: format_value(decision, audience) for audience in ("staff", "patient")},
        "wording": {audience: wording_for(decision, audience) for audience in ("staff", "patient")},
        "source": decision.source if decision.has_source else None,
        "owner": decision.owner,
        "status": decision.status,
        "confirmed_by": decision.confirmed_by,
        "confirmed_on": decision.confirmed_on.isoformat() if decision.confirmed_on else None,
        "register_line": decision.line,
        "used_by": used_by,
    }


def decisions_json(app: Sphinx, register: Register, users: dict[str, list[str]]) -> str:
    """The register and its uses as JSON (stable key order, file order, UTF-8).

    Shape: ``{"file": "reference/decisions.yaml", "decisions": [entry, ...]}``
    where each entry is :func:`decision_entry`; ``used_by`` lists the pages
    using the decision as ``{"docname", "path", "id", "status"}`` (``id`` and
    ``status`` are ``null`` for pages that are not controlled documents).
    """
    entries = []
    for decision in register.decisions.values():
        used_by = []
        for docname in users.get(decision.id, []):
            doc = document_control(app.env, docname)
            used_by.append({
                "docname": docname,
                "path": app.builder.get_target_uri(docname),
                "id": doc.id if doc else None,
                "status": doc.status if doc else None,
            })
        entries.append(decision_entry(decision, used_by))
    data = {"file": app.config.handbook_decisions_file, "decisions": entries}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
