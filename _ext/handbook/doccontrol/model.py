"""Document control: every protocol and patient guide is a controlled document.

Each page under a controlled folder (``handbook_controlled_folders``) carries
front matter naming its id, version, status, dates, owner, approver, the
guidance it covers and its change history. This module is the one place the
rest of the handbook (HTML, PDFs, publishing, traceability) reads that
metadata from:

``controlled_documents(env)``
    every valid controlled page, sorted by id;
``document_control(env, docname)``
    one page's metadata, or ``None``;
``banners(doc, today)``
    the warnings a reader must see on that page (draft, superseded, retired,
    review overdue).

The model and these functions are pure. Validation lives in
``handbook.doccontrol.rules``, rendering in ``handbook.doccontrol.render`` and
the Sphinx glue in ``handbook.doccontrol.sphinx``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

#: The statuses a controlled document can have, in the order of its life.
STATUSES = ("draft", "active", "superseded", "retired")

#: Statuses whose document is, or is about to be, in use: they need reviews.
REVIEWED_STATUSES = ("draft", "active")

#: The attribute on the Sphinx build environment that holds the page records.
ENV_ATTR = "handbook_doccontrol"


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    """One line of a page's change history."""

    version: str
    date: dt.date
    summary: str


@dataclasses.dataclass(frozen=True)
class DocumentControl:
    """A controlled page's validated front matter."""

    docname: str
    id: str
    title: str
    version: str
    status: str
    effective: dt.date
    review_by: dt.date
    owner: str
    approver: str
    superseded_by: str | None
    covers: tuple[str, ...]
    history: tuple[HistoryEntry, ...]
    #: The replacement's docname, filled in by ``document_control()`` and
    #: ``controlled_documents()`` when ``superseded_by`` names a known page.
    superseded_by_docname: str | None = None

    @property
    def folder(self) -> str:
        return self.docname.rpartition("/")[0]


@dataclasses.dataclass(frozen=True)
class Banner:
    """A notice shown at the top of a page (and of its PDF).

    ``target`` is the docname the banner links to (the replacement of a
    superseded page, the register for a retired one), or ``None``.
    """

    kind: str  # "draft" | "superseded" | "retired" | "overdue"
    text: str
    target: str | None = None
    link_text: str | None = None


def is_overdue(doc: DocumentControl, today: dt.date) -> bool:
    """A document in use whose review-by date has passed."""
    return doc.status in REVIEWED_STATUSES and doc.review_by < today


def banners(doc: DocumentControl, today: dt.date) -> list[Banner]:
    """The notices a reader of ``doc`` must see, most important first."""
    found: list[Banner] = []
    if doc.status == "draft":
        found.append(Banner(
            "draft",
            f"Draft \N{EM DASH} not for clinical use. Version {doc.version} has not been approved.",
        ))
    elif doc.status == "superseded":
        replacement = doc.superseded_by or "another document"
        found.append(Banner(
            "superseded",
            f"Superseded \N{EM DASH} do not use. {replacement} replaces this document.",
            doc.superseded_by_docname,
            f"Go to {replacement}" if doc.superseded_by_docname else None,
        ))
    elif doc.status == "retired":
        found.append(Banner(
            "retired",
            f"Retired \N{EM DASH} do not use. This document is no longer in force.",
            f"{doc.folder}/index" if doc.folder else None,
            "See the register of documents in force",
        ))
    if is_overdue(doc, today):
        days = (today - doc.review_by).days
        found.append(Banner(
            "overdue",
            f"Review overdue \N{EM DASH} check before use. This document was due for review on "
            f"{doc.review_by.isoformat()}, {days} day{'s' if days != 1 else ''} ago: "
            f"ask its owner ({doc.owner}) whether it still applies.",
        ))
    return found


def due_for_review(docs: list[DocumentControl], today: dt.date, days: int) -> list[DocumentControl]:
    """Documents in use whose review falls due within ``days`` (overdue ones included)."""
    horizon = today + dt.timedelta(days=days)
    due = [doc for doc in docs if doc.status in REVIEWED_STATUSES and doc.review_by <= horizon]
    return sorted(due, key=lambda doc: (doc.review_by, doc.id, doc.docname))


def _records(env: Any) -> dict:
    return getattr(env, ENV_ATTR, None) or {}


def _with_replacement(doc: DocumentControl, by_id: dict[str, str]) -> DocumentControl:
    if doc.superseded_by and doc.superseded_by in by_id:
        return dataclasses.replace(doc, superseded_by_docname=by_id[doc.superseded_by])
    return doc


def _valid_documents(env: Any) -> list[DocumentControl]:
    return [record.doc for record in _records(env).values() if record.doc is not None]


def controlled_documents(env: Any) -> list[DocumentControl]:
    """Every controlled page whose front matter is valid, sorted by id."""
    docs = _valid_documents(env)
    by_id = {doc.id: doc.docname for doc in sorted(docs, key=lambda d: d.docname, reverse=True)}
    return sorted((_with_replacement(doc, by_id) for doc in docs), key=lambda d: (d.id, d.docname))


def document_control(env: Any, docname: str) -> DocumentControl | None:
    """The metadata of the page ``docname``, or ``None`` if it is not a valid controlled page."""
    record = _records(env).get(docname)
    if record is None or record.doc is None:
        return None
    docs = _valid_documents(env)
    by_id = {doc.id: doc.docname for doc in sorted(docs, key=lambda d: d.docname, reverse=True)}
    return _with_replacement(record.doc, by_id)

