"""The read-and-sign sheet (issue 21): ``read-and-sign.pdf`` from the ``handbookpdf`` builder.

Built from ``tests/roots/test-reviews`` (build date 2027-06-01, three
signature rows per protocol), once as a published edition (a changes file as
``make publish`` writes it) and once as a working copy.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import build_project
from handbook.doccontrol.model import DocumentControl, HistoryEntry
from handbook.pdf.render import copy_pdfs
from handbook.reviews.signsheet import sign_sheet

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-reviews"
BUILD_DATE = "2027-06-01"


def _change(kind, doc_id, docname, title, old, new, history=()):
    return {"kind": kind, "id": doc_id, "path": docname + ".md", "docname": docname, "title": title,
            "old_version": old, "new_version": new, "history": list(history), "old_source": "", "new_source": ""}


CHANGES = {
    "edition": "2027.2",
    "previous": "2027.1",
    "documents": [
        _change("new", "PR-001", "protocols/screening", "Screening and eligibility", None, "1.0",
                [{"version": "1.0", "date": "2026-12-01", "summary": "First approved version"}]),
        _change("revised", "PR-003", "protocols/dose-calculation", "Dose calculation", "0.9", "1.0",
                [{"version": "1.0", "date": "2024-07-10", "summary": "First approved version"}]),
        _change("revised", "PR-005", "protocols/infusion-monitoring", "Infusion monitoring", "1.0", "1.1",
                [{"version": "1.1", "date": "2027-05-01", "summary": "Blood pressure every 10 minutes"}]),
        _change("removed", "PR-009", "protocols/gone", "Withdrawn protocol", "1.0", None),
        _change("revised", "PG-006", "patient-guides/after-your-treatment", "After your treatment", "1.0", "1.2",
                [{"version": "1.2", "date": "2027-04-15", "summary": "Plainer words about driving"}]),
    ],
    "versions": {},
}


def _pages_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("signsheet")
    changes = tmp / "changes.json"
    changes.write_text(json.dumps(CHANGES), encoding="utf-8")
    return build_project(ROOT, tmp / "build", "handbookpdf", freshenv=True, handbook_build_date=BUILD_DATE,
                         handbook_changes_file=str(changes), handbook_edition="2027.2")


def test_sheet_lists_each_changed_protocol_with_version_summary_readers_and_a_table(published):
    assert published.warnings == ""
    sheet = published.outdir / "read-and-sign.pdf"
    pages = _pages_text(sheet)
    assert len(pages) == 3  # one page per protocol, so each can be filed with its protocol
    first, second, third = pages
    assert first.startswith("Read-and-sign sheet: edition 2027.2 Example Ketamine Clinic · Reviews test handbook · Built 2027-06-01 "
                            "3 protocols changed in edition 2027.2 since edition 2027.1. Read the new version of each protocol")
    assert ("PR-001 Screening and eligibility New, version 1.0 What changed: First approved version "
            "To be read by: prescribers, front desk Signatures for PR-001 version 1.0 Name Role Date Signature") in first
    assert ("PR-003 Dose calculation Version 1.0 (replaces version 0.9) What changed: First approved version "
            "To be read by: nursing, prescribers, front desk (all staff)") in second
    assert ("PR-005 Infusion monitoring Version 1.1 (replaces version 1.0) What changed: Blood pressure every 10 minutes "
            "To be read by: nursing, prescribers Signatures for PR-005 version 1.1 Name Role Date Signature") in third
    text = " ".join(pages)
    assert "PG-006" not in text and "PR-009" not in text  # guides are not signed for; a withdrawn protocol has nothing to read
    assert "Read-and-sign sheet · Edition 2027.2 · Built 2027-06-01 · Page 3 of 3" in third


def test_sheet_is_a_tagged_pdf_with_a_signature_row_per_staff_member(published):
    with pikepdf.open(published.outdir / "read-and-sign.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        kinds: list[str] = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                kinds.append(str(node.S))
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)

        walk(pdf.Root.StructTreeRoot)
    assert kinds.count("/Table") == 3
    assert kinds.count("/TH") == 3 * 4  # Name, Role, Date, Signature
    assert kinds.count("/TR") == 3 * (1 + 3)  # the header and handbook_sign_sheet_rows = 3 empty rows


def test_working_copy_sheet_is_a_preview_of_the_recent_protocols(tmp_path):
    built = build_project(ROOT, tmp_path, "handbookpdf", freshenv=True, handbook_build_date=BUILD_DATE)
    assert built.warnings == ""
    [page] = _pages_text(built.outdir / "read-and-sign.pdf")
    assert ("Working copy, not a published edition — do not file this sheet. It previews the sheet with the "
            "1 protocol whose version took effect in the last 90 days.") in page
    assert "PR-005 Infusion monitoring Version 1.1 (replaces version 1.0)" in page
    assert "PR-001" not in page and "PR-003" not in page
    copied = copy_pdfs(built.outdir, tmp_path / "html-pdf")
    assert tmp_path / "html-pdf" / "read-and-sign.pdf" in copied


def _doc(doc_id, docname, **changes) -> DocumentControl:
    base = dict(
        docname=docname, id=doc_id, title=doc_id, version="1.0", status="active",
        effective=dt.date(2027, 1, 1), review_by=dt.date(2028, 1, 1), owner="Nurse Manager",
        approver="Medical Director", superseded_by=None, covers=(),
        history=(HistoryEntry("1.0", dt.date(2027, 1, 1), "First approved version"),),
    )
    return DocumentControl(**{**base, **changes})


def test_sign_sheet_pure_first_edition_nothing_changed_and_rows():
    docs = [_doc("PR-001", "protocols/a", audience=("nursing",))]
    first = sign_sheet(docs, {"edition": "2027.1", "previous": None, "documents": [
        {"kind": "new", "id": "PR-001", "old_version": None, "history": [{"summary": "First approved version"}]}]},
        is_protocol=lambda d: d.startswith("protocols/"), edition="2027.1", staff_roles=("nursing", "pharmacy"),
        rows=5, today=dt.date(2027, 2, 1), recent_days=90)
    assert first.intro == "Edition 2027.1 is the first published edition: every protocol in it is new (1 protocol)."
    assert [(e.id, e.readers, e.audience_given) for e in first.entries] == [("PR-001", ("nursing",), True)]
    none = sign_sheet(docs, {"edition": "2027.2", "previous": "2027.1", "documents": []},
                      is_protocol=lambda d: True, edition="2027.2", staff_roles=("nursing",), rows=1,
                      today=dt.date(2027, 2, 1), recent_days=90)
    assert none.intro == "No protocol changed in edition 2027.2 since edition 2027.1: there is nothing to sign."
    with pytest.raises(ValueError, match="handbook_sign_sheet_rows must be 1 or more, not 0"):
        sign_sheet(docs, None, is_protocol=lambda d: True, edition="x", staff_roles=(), rows=0,
                   today=dt.date(2027, 2, 1), recent_days=90)


def test_same_sources_and_build_date_give_a_byte_identical_sheet(published, tmp_path):
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps(CHANGES), encoding="utf-8")
    again = build_project(ROOT, tmp_path / "build", "handbookpdf", freshenv=True, handbook_build_date=BUILD_DATE,
                          handbook_changes_file=str(changes), handbook_edition="2027.2")
    assert (again.outdir / "read-and-sign.pdf").read_bytes() == (published.outdir / "read-and-sign.pdf").read_bytes()
