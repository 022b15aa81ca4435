"""The medical director's sign-off sheet: every decision on paper, to confirm or change.

``decisions-signoff.pdf`` (written by the ``handbookpdf`` builder beside
``handbook.pdf``) lists every decision of the register, proposed ones first:
its question, proposed value (and the staff and patient wordings), its
source (the ``references.bib`` entry written out, or "No published source"),
the protocol that owns it and the pages that use it, its status, a box to tick
to confirm it, a line to write another value on, and signature and date lines.

This module is pure: :func:`sheet_rows` builds the template's data;
:func:`bibliography` reads the ``.bib`` files with pybtex (which
sphinxcontrib-bibtex uses) so a source reads as a reference, not a key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from handbook.decisions.register import Decision, Register, format_value, source_text, status_text, wording_for

#: The sign-off sheet's file name, in the PDF output folder.
SIGNOFF_PDF = "decisions-signoff.pdf"
#: The template in ``handbook/pdf/templates``.
TEMPLATE = "signoff.html"


def bibliography(paths: Iterable[Path]) -> dict[str, str]:
    """Each BibTeX key of the files at ``paths`` -> its reference as plain text.

    The text is pybtex's ``unsrt`` style ("A. Author and B. Author. Title.
    Journal, 2017."). Unreadable files are skipped: the HTML build reports
    them (sphinxcontrib-bibtex) and the sheet then shows the bare key.
    """
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "unsrt")()
    found: dict[str, str] = {}
    for path in paths:
        try:
            data = parse_file(str(path), bib_format="bibtex")
        except Exception:  # noqa: BLE001 - pybtex raises many kinds; the bare key is the fallback
            continue
        for entry in style.format_entries(data.entries.values()):
            found[entry.key] = entry.text.render_as("text")
    return found


def _order(decision: Decision) -> tuple[int, str]:
    return (0 if decision.status == "proposed" else 1, decision.id)


def sheet_rows(register: Register, references: Mapping[str, str], users: Mapping[str, list[str]],
               page_labels: Mapping[str, str], owner_labels: Mapping[str, str],
               approver: str, language: str = "en") -> list[dict]:
    """One dict per decision for ``signoff.html``, proposed decisions first, then by id.

    ``references`` maps BibTeX keys to reference text (:func:`bibliography`);
    ``users`` decision ids to the docnames using them; ``page_labels``
    docnames to "PR-005 Title"; ``owner_labels`` protocol ids to "PR-005
    Title"; ``approver`` is the medical director's title in lower case.
    """
    rows = []
    for decision in sorted(register.decisions.values(), key=_order):
        value = format_value(decision, "staff", language)
        wordings = []
        for audience, label in (("staff", "Staff read"), ("patient", "Patients read")):
            text = wording_for(decision, audience, language)
            if text != format_value(decision, audience, language):
                wordings.append((label, text))
        if decision.has_source:
            source = references.get(decision.source, decision.source)
        else:
            source = source_text(decision, language)
        used = [page_labels.get(docname, docname) for docname in users.get(decision.id, [])]
        rows.append({
            "id": decision.id,
            "anchor": decision.id.lower(),
            "question": decision.question,
            "value": value,
            "wordings": wordings,
            "source": source,
            "owner": owner_labels.get(decision.owner, decision.owner),
            "used_on": "; ".join(used) if used else "no page yet",
            "status": status_text(decision, approver),
        })
    return rows


def render_key(html: str) -> str:
    """What the sheet is made from; the PDF is rendered again only when it changes."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()
