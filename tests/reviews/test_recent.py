""""Recently revised" on the landing page (issue 21): the working copy and the pure rules.

The published archive (links to each edition's comparison) is tested in
``tests/editions/test_recently_revised.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build_project
from handbook.doccontrol.model import DocumentControl, HistoryEntry
from handbook.editions.changes import Page, version_origins
from handbook.reviews.recent import Origin, comparison_uri, recently_revised, revisions

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-reviews"


@pytest.fixture(scope="module")
def working_copy(tmp_path_factory):
    return build_project(ROOT, tmp_path_factory.mktemp("recent"), freshenv=True, handbook_build_date="2027-06-01")


def _section(outdir: Path):
    soup = BeautifulSoup((outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.find("section", id="recently-revised")


def test_working_copy_lists_recent_versions_and_says_there_is_nothing_to_compare_with(working_copy):
    assert working_copy.warnings == ""
    section = _section(working_copy.outdir)
    paragraphs = [p.get_text(" ", strip=True) for p in section.find_all("p", recursive=False)]
    assert paragraphs[0] == "Documents whose version changed in the last 90 days (since 2027-03-03), newest first."
    assert paragraphs[1].startswith("This is a working copy, not a published edition: there is no previous edition "
                                    "to compare with here.")
    items = section.select("ul.handbook-recently-revised > li")
    # One short line each (id, title, version, effective date); the change summary folded under it.
    assert [li.p.get_text(" ", strip=True) for li in items] == [
        "PR-005 Infusion monitoring \u2014 version 1.1, effective 2027-05-01.",
        "PG-006 After your treatment \u2014 version 1.2, effective 2027-04-15.",
    ]
    summaries = [li.select_one("details.handbook-recent-summary") for li in items]
    assert [d.summary.get_text(strip=True) for d in summaries] == ["What changed in PR-005", "What changed in PG-006"]
    assert [d.p.get_text(strip=True) for d in summaries] == ["Blood pressure every 10 minutes.", "Plainer words about driving."]
    assert not any(d.has_attr("open") for d in summaries)  # folded: the list stays short
    assert [li.a["href"] for li in items] == ["protocols/infusion-monitoring.html", "patient-guides/after-your-treatment.html"]
    assert not section.select(".handbook-recent-compare")
    sheet = section.select_one("p.handbook-sign-sheet-link a")
    assert sheet["href"] == "pdf/read-and-sign.pdf" and sheet.get_text() == "Read-and-sign sheet (PDF)"


def test_the_window_is_a_setting(tmp_path):
    built = build_project(ROOT, tmp_path, freshenv=True, handbook_build_date="2027-06-01",
                          handbook_recently_revised_days=7)
    section = _section(built.outdir)
    assert section.find("p").get_text(" ", strip=True) == "No document's version changed in the last 7 days (since 2027-05-25)."
    assert not section.select("ul.handbook-recently-revised")


def _doc(doc_id, date, version="1.0", **changes) -> DocumentControl:
    base = dict(
        docname=f"protocols/{doc_id.lower()}", id=doc_id, title=doc_id, version=version, status="active",
        effective=date, review_by=dt.date(2030, 1, 1), owner="Nurse Manager", approver="Medical Director",
        superseded_by=None, covers=(), history=(HistoryEntry(version, date, "Changed"),),
    )
    return DocumentControl(**{**base, **changes})


def test_recently_revised_window_and_order():
    today = dt.date(2027, 6, 1)
    docs = [_doc("PR-001", dt.date(2027, 3, 3)), _doc("PR-002", dt.date(2027, 3, 2)),
            _doc("PR-003", dt.date(2027, 6, 15)), _doc("PR-004", dt.date(2027, 3, 3))]
    # Day 90 counts, day 91 does not; a version effective later counts (staff must know it is coming).
    assert [d.id for d in recently_revised(docs, today, 90)] == ["PR-003", "PR-001", "PR-004"]


def test_an_origin_for_another_version_is_not_used():
    data = {"versions": {"PR-001": {"version": "1.0", "edition": "2027.1", "previous": None, "kind": "new"},
                         "PR-004": {"version": "1.1", "edition": "2027.1", "previous": None, "kind": "new"}}}
    found = revisions([_doc("PR-001", dt.date(2027, 5, 1)), _doc("PR-004", dt.date(2027, 5, 1), version="2.0")],
                      dt.date(2027, 6, 1), 90, data)
    assert [(r.doc.id, r.origin) for r in found] == [("PR-001", Origin("2027.1", None, "new")), ("PR-004", None)]


def test_comparison_uri_in_this_edition_and_in_an_earlier_one():
    origin = Origin("2027.2", "2027.1", "revised")
    common = dict(changes_uri_here="reference/changes.html", changes_target_uri="reference/changes.html")
    assert comparison_uri(origin, "PR-005", "2027.2", page_uri="index.html", **common) == "reference/changes.html#changes-pr-005"
    assert comparison_uri(origin, "PR-005", "2027.3", page_uri="index.html", **common) == "../2027.2/reference/changes.html#changes-pr-005"
    assert comparison_uri(origin, "PR-005", "2027.3", page_uri="protocols/index.html", **common) == \
        "../../2027.2/reference/changes.html#changes-pr-005"


def _page(doc_id, version):
    return Page(f"protocols/{doc_id}.md", f"{doc_id} {version}", {"id": doc_id, "version": version})


def test_version_origins_walk_back_through_the_editions():
    editions = {
        "2027.1": {"PR-001": _page("PR-001", "1.0"), "PR-002": _page("PR-002", "1.0")},
        "2027.2": {"PR-001": _page("PR-001", "1.1"), "PR-002": _page("PR-002", "1.0")},
        "2027.3": {"PR-001": _page("PR-001", "1.1"), "PR-002": _page("PR-002", "1.0")},
    }
    current = {"PR-001": _page("PR-001", "1.1"), "PR-002": _page("PR-002", "1.0"), "PR-003": _page("PR-003", "1.0")}
    read = []

    def pages_of(name):
        read.append(name)
        return editions[name]

    found = version_origins(current, "2027.4", ["2027.3", "2027.2", "2027.1"], pages_of)
    assert found == {
        "PR-001": {"version": "1.1", "edition": "2027.2", "previous": "2027.1", "kind": "revised"},
        "PR-002": {"version": "1.0", "edition": "2027.1", "previous": None, "kind": "new"},
        "PR-003": {"version": "1.0", "edition": "2027.4", "previous": "2027.3", "kind": "new"},
    }
    assert read == ["2027.3", "2027.2", "2027.1"]  # each edition read once
    assert version_origins(current, "2027.1", [], pages_of)["PR-003"] == {
        "version": "1.0", "edition": "2027.1", "previous": None, "kind": "new"}
