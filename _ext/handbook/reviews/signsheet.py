"""The read-and-sign sheet: which protocols staff must read and sign for.

Clinics without an electronic read-and-acknowledge system file a signed sheet
as the record that each staff member read each new protocol version. The
``handbookpdf`` builder renders the sheet (``read-and-sign.pdf``) on every
build from ``sign_sheet()``:

* in a published edition (the changes file is set), every protocol that is
  new or revised in the edition, with its version, the previous version and
  the summaries of the history entries added since the previous edition;
* in a working copy (no changes file), a preview marked "not for filing":
  the protocols whose current version is recent (``handbook_recently_revised_days``),
  since no previous edition is known to compare with.

Each protocol names the staff roles expected to read it (front matter
``audience``, else every role of ``handbook_staff_roles``) and has
``handbook_sign_sheet_rows`` empty rows for name, role, date and signature.

Pure: no Sphinx.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable

from handbook.doccontrol.model import DocumentControl
from handbook.reviews.recent import recently_revised


@dataclasses.dataclass(frozen=True)
class SheetEntry:
    """One protocol on the sheet."""

    id: str
    title: str
    version: str
    #: The version before (``None`` for a new protocol).
    previous_version: str | None
    #: What changed: the summaries of the new history entries, newest first.
    summaries: tuple[str, ...]
    #: The roles expected to read and sign.
    readers: tuple[str, ...]
    #: Whether ``readers`` comes from the protocol's ``audience`` (else: every role).
    audience_given: bool


@dataclasses.dataclass(frozen=True)
class SignSheet:
    """The whole sheet: the edition, the protocols, the number of signature rows."""

    edition: str
    #: The edition compared with (``None``: the first edition, or a working copy).
    previous: str | None
    published: bool
    entries: tuple[SheetEntry, ...]
    rows: int
    build_date: str
    recent_days: int

    @property
    def intro(self) -> str:
        """One sentence saying what the sheet lists."""
        count = len(self.entries)
        what = f"{count} protocol{'s' if count != 1 else ''}"
        if not self.published:
            return (f"Working copy, not a published edition \N{EM DASH} do not file this sheet. It previews the "
                    f"sheet with the {what} whose version took effect in the last {self.recent_days} days.")
        if self.previous is None:
            return f"Edition {self.edition} is the first published edition: every protocol in it is new ({what})."
        if not count:
            return f"No protocol changed in edition {self.edition} since edition {self.previous}: there is nothing to sign."
        return f"{what.capitalize()} changed in edition {self.edition} since edition {self.previous}."


def _entry(doc: DocumentControl, previous_version: str | None, summaries: Iterable[str],
           staff_roles: tuple[str, ...]) -> SheetEntry:
    return SheetEntry(doc.id, doc.title, doc.version, previous_version, tuple(summaries),
                      doc.readers(staff_roles), bool(doc.audience))


def sign_sheet(
    docs: Iterable[DocumentControl],
    changes: dict | None,
    *,
    is_protocol: Callable[[str], bool],
    edition: str,
    staff_roles: Iterable[str],
    rows: int,
    today: dt.date,
    recent_days: int,
) -> SignSheet:
    """The sheet for this build.

    ``docs`` are the valid controlled documents; ``changes`` the changes file's
    data (``handbook.editions.changes.changes_data``) or ``None`` in a working
    copy; ``is_protocol(docname)`` says which documents are protocols (patient
    guides are not signed for). ``rows`` is the number of empty signature rows
    per protocol (1 or more).
    """
    if rows < 1:
        raise ValueError(f"handbook_sign_sheet_rows must be 1 or more, not {rows}")
    roles = tuple(staff_roles)
    protocols = [doc for doc in docs if is_protocol(doc.docname)]
    by_id = {doc.id: doc for doc in protocols}
    entries: list[SheetEntry] = []
    if changes is not None:
        for change in changes.get("documents", []):
            doc = by_id.get(change.get("id"))
            if change.get("kind") not in ("new", "revised") or doc is None:
                continue  # withdrawn, a patient guide, or a page the build reports as broken
            summaries = [str(entry.get("summary", "")) for entry in change.get("history", [])]
            entries.append(_entry(doc, change.get("old_version"), summaries, roles))
        return SignSheet(str(changes.get("edition", edition)), changes.get("previous"), True,
                         tuple(entries), rows, today.isoformat(), recent_days)
    for doc in sorted(recently_revised(protocols, today, recent_days), key=lambda d: (d.id, d.docname)):
        previous = doc.history[1].version if len(doc.history) > 1 else None
        entries.append(_entry(doc, previous, [doc.history[0].summary], roles))
    return SignSheet(edition, None, False, tuple(entries), rows, today.isoformat(), recent_days)
