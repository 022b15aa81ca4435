"""The medical director's sign-off sheet, ``decisions-signoff.pdf`` (``handbookpdf`` builder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

from conftest import build_project
from handbook.decisions.signoff import bibliography

ROOTS = Path(__file__).resolve().parent.parent / "roots"
EPOCH = "1763600000"


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    """The ``test-decisions`` project's PDFs, built once; the sheet's path and its text."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build_project(ROOTS / "test-decisions", tmp_path_factory.mktemp("signoff"), "handbookpdf")
    assert result.warnings == ""
    path = result.outdir / "decisions-signoff.pdf"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return path, text


def test_sheet_lists_every_decision_with_value_source_and_answer_lines(sheet):
    _, text = sheet
    assert "Local decisions: sign-off by the medical director" in text
    assert "4 decisions, 4 awaiting the medical director." in text
    for heading in (
        "LD-001: How long before an infusion must the patient stop eating solid food?",
        "LD-002: What is the lowest oxygen saturation accepted during the infusion?",
        "LD-003: What heart rate is accepted during the infusion?",
        "LD-004: Who may take the patient home?",
    ):
        assert heading in text
    # Proposed value, both wordings, the source written out, owner and pages using it.
    assert "nil by mouth for solids for 6 h before the infusion" in text
    assert "Do not eat any food for 6 hours before your treatment" in text
    assert "Jeffrey L. Apfelbaum and A. Others. Practice guidelines for preoperative" in text
    assert "No published source" in text
    assert "PG-001 Getting ready; PR-005 Fasting and monitoring" in text
    assert "Proposed: awaiting the medical director" in text
    # A box to confirm, a line for another value, signature and date: once per decision.
    for value in ("6 h", "94 %", "60–100 beats/min", "a sober adult"):
        assert f"Confirm the proposed value: {value}" in text
    assert text.count("Use this value instead:") == 4
    assert text.count("Signature") == 5  # each decision, and the sheet's own sign-off
    assert text.count("Date") == 5
    assert "Name" in text and "Role" in text


def test_sheet_is_a_tagged_titled_pdf(sheet):
    path, _ = sheet
    with pikepdf.open(path) as document:
        root = document.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en"
        assert str(document.docinfo["/Title"]) == "Local decisions: sign-off by the medical director"
        with document.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        bookmarks = [item.title for item in document.open_outline().root[0].children]
    assert bookmarks[0].startswith("LD-001 How long before an infusion")


def test_same_sources_give_the_same_sheet_and_it_is_not_rendered_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-decisions", src)
    first = build_project(src, tmp_path / "a", "handbookpdf").outdir / "decisions-signoff.pdf"
    again = build_project(src, tmp_path / "b", "handbookpdf").outdir / "decisions-signoff.pdf"
    assert first.read_bytes() == again.read_bytes()
    stamp = first.stat().st_mtime_ns
    build_project(src, tmp_path / "a", "handbookpdf")
    assert first.stat().st_mtime_ns == stamp


def test_confirmed_decisions_say_who_and_when(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result = build_project(ROOTS / "test-decisions-confirmed", tmp_path, "handbookpdf")
    assert result.warnings == ""
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(result.outdir / "decisions-signoff.pdf").pages)
    assert "2 decisions, 0 awaiting the medical director." in text
    assert text.count("Confirmed by Medical Director on 2027-04-20") == 2


def test_no_register_no_sheet(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result = build_project(ROOTS / "test-pdf-basic", tmp_path, "handbookpdf")
    assert not (result.outdir / "decisions-signoff.pdf").exists()


def test_bibliography_writes_references_out():
    references = bibliography([ROOTS / "test-decisions" / "references.bib", ROOTS / "missing.bib"])
    assert references == {
        "asa_fasting_2017": "Jeffrey L. Apfelbaum and A. Others. Practice guidelines for preoperative fasting. "
                            "Anesthesiology, 2017.",
    }
