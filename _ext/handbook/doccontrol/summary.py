"""The approval summary: how many of a folder's documents are approved, computed, never typed.

A reader landing on the handbook or the protocols index must not take drafts
for protocols in force. The ``handbook-approval-summary`` directive puts one
line at the top of such a page, e.g. "0 of 13 protocols approved: all 13 are
drafts, not in force. 42 local decisions await the medical director.",
counted from the front matter (``status``) and the decisions register
(``status: proposed``) at every build.

"Approved" is document control's ``active`` status (approved by the
approver and in force); the documents counted are those in use, ``draft``
or ``active`` (``REVIEWED_STATUSES``): superseded and retired documents are
history, not part of the count.

Pure: no Sphinx.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from handbook.doccontrol.model import REVIEWED_STATUSES, DocumentControl


@dataclasses.dataclass(frozen=True)
class ApprovalSummary:
    """The counts behind the summary line of one controlled folder."""

    #: Documents in use (``draft`` or ``active``).
    total: int
    #: Of those, ``active``: approved and in force.
    approved: int
    #: Local decisions with ``status: proposed``; ``None`` when the build has no decisions register.
    awaiting: int | None

    @property
    def drafts(self) -> int:
        """Documents in use that are not approved yet (``draft``)."""
        return self.total - self.approved


def approval_summary(docs: Iterable[DocumentControl], awaiting: int | None = None) -> ApprovalSummary:
    """Count the documents in use and the approved ones among ``docs`` (one folder's)."""
    in_use = [doc for doc in docs if doc.status in REVIEWED_STATUSES]
    return ApprovalSummary(len(in_use), sum(doc.status == "active" for doc in in_use), awaiting)


def _plural(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def approval_sentence(summary: ApprovalSummary, noun: str) -> str:
    """The documents' sentence: ``"0 of 13 protocols approved: all 13 are drafts, not in force."``

    ``noun`` is the folder's documents in the plural ("protocols", "patient guides").
    """
    total, approved, drafts = summary.total, summary.approved, summary.drafts
    if total == 0:
        return f"No {noun} yet."
    head = f"{approved} of {total} {noun} approved"
    if drafts == 0:
        return f"{head} and in force."
    if approved == 0:
        drafts_text = "the only one is a draft" if total == 1 else f"all {total} are drafts"
        return f"{head}: {drafts_text}, not in force."
    return f"{head} and in force; {drafts} {_plural(drafts, 'is a draft', 'are drafts')}, not in force."


def decisions_sentence(summary: ApprovalSummary, approver: str) -> str | None:
    """``"42 local decisions await the medical director."``, or ``None`` without a register."""
    if summary.awaiting is None:
        return None
    if summary.awaiting == 0:
        return f"No local decision awaits the {approver}."
    verb = "awaits" if summary.awaiting == 1 else "await"
    return f"{summary.awaiting} local {_plural(summary.awaiting, 'decision', 'decisions')} {verb} the {approver}."
