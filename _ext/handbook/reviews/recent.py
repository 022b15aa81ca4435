""""Recently revised": the documents whose version changed lately, and where to compare.

The landing page lists every controlled document whose current version took
effect in the last ``handbook_recently_revised_days`` days (its newest history
entry's date), newest first. In a published edition each one links to its
line-by-line comparison with the previous edition: the ``changes-<id>``
section of the "What changed" page (``handbook_changes_page``) of the edition
where that version first appeared, which is this edition or, through the
archive's layout (``<site>/<edition>/``), an earlier one. Publishing finds
that edition for every document (``handbook.editions.changes.version_origins``)
and passes it in the changes file under ``"versions"``.

A working copy has no previous edition and no changes file: the list is the
same, each document links to its page only, and the page says so.

Pure: no Sphinx (docutils' ``make_id`` gives the same anchor the "What
changed" page uses).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from docutils.nodes import make_id

from handbook.doccontrol.model import DocumentControl


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a document's current version first appeared in the archive."""

    #: The edition that first published this version.
    edition: str
    #: The edition before it (``None``: it was the first edition).
    previous: str | None
    #: ``"new"`` (not in ``previous``) or ``"revised"``.
    kind: str

    @property
    def comparable(self) -> bool:
        """Whether that edition's "What changed" page has a section for the document."""
        return self.previous is not None


@dataclasses.dataclass(frozen=True)
class Revision:
    """One line of "Recently revised"."""

    doc: DocumentControl
    #: ``None`` in a working copy, or when publishing did not say.
    origin: Origin | None

    @property
    def date(self) -> dt.date:
        return self.doc.history[0].date

    @property
    def summary(self) -> str:
        return self.doc.history[0].summary


def window_start(today: dt.date, days: int) -> dt.date:
    """The first day counted as "recent": ``days`` days before ``today``."""
    if days < 0:
        raise ValueError(f"handbook_recently_revised_days must be 0 or more, not {days}")
    return today - dt.timedelta(days=days)


def recently_revised(docs: Iterable[DocumentControl], today: dt.date, days: int) -> list[DocumentControl]:
    """Documents whose current version is dated ``days`` days before ``today`` or later.

    The date is the newest history entry's (the effective date of the current
    version); a version effective in the future counts too, since staff must
    know it is coming. Newest first, then by id.
    """
    start = window_start(today, days)
    recent = [doc for doc in docs if doc.history and doc.history[0].date >= start]
    return sorted(recent, key=lambda doc: (-doc.history[0].date.toordinal(), doc.id, doc.docname))


def origins_from_changes(data: dict | None) -> dict[str, Origin]:
    """``{id: Origin}`` from the changes file's ``"versions"`` (empty for a working copy)."""
    found = {}
    for doc_id, entry in ((data or {}).get("versions") or {}).items():
        found[doc_id] = Origin(str(entry["edition"]), entry.get("previous"), str(entry.get("kind", "revised")))
    return found


def revisions(docs: Iterable[DocumentControl], today: dt.date, days: int, data: dict | None) -> list[Revision]:
    """The "Recently revised" lines, each with its origin when publishing gave one.

    An origin is used only when it is for the document's current version.
    """
    origins = origins_from_changes(data)
    versions = ((data or {}).get("versions") or {})
    out = []
    for doc in recently_revised(docs, today, days):
        origin = origins.get(doc.id)
        if origin is not None and str(versions[doc.id].get("version", doc.version)) != doc.version:
            origin = None
        out.append(Revision(doc, origin))
    return out


def changes_anchor(doc_id: str) -> str:
    """The id of a document's section on the "What changed" page (``changes-pr-005``)."""
    return make_id(f"changes-{doc_id}")


def comparison_uri(origin: Origin, doc_id: str, edition: str, *, changes_uri_here: str,
                   changes_target_uri: str, page_uri: str) -> str:
    """The address of a document's comparison, relative to the page that links it.

    ``changes_uri_here`` is the "What changed" page relative to the linking
    page; ``changes_target_uri`` the same page relative to an edition's root
    (``reference/changes.html``); ``page_uri`` the linking page's own address
    from that root (``index.html``), whose depth says how far up the edition's
    root is. Another edition's page is a sibling folder in the archive.
    """
    anchor = "#" + changes_anchor(doc_id)
    if origin.edition == edition:
        return changes_uri_here + anchor
    up = "../" * page_uri.count("/")
    return f"{up}../{origin.edition}/{changes_target_uri}{anchor}"
