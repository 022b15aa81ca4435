"""The review calendar (issue 21): ``reviews.ics`` beside the HTML.

Built from ``tests/roots/test-reviews`` (build date 2027-06-01,
``handbook_review_due_days = 60``): four documents in use, one retired.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import build_project
from handbook.doccontrol.model import DocumentControl, HistoryEntry
from handbook.reviews.feed import event_uid, feed_timestamp, review_feed

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-reviews"
BUILD_DATE = "2027-06-01"

#: id -> (title, owner, review-by, page) of every document in use in the test project.
IN_USE = {
    "PG-006": ("After your treatment", "Patient Education Lead", dt.date(2030, 4, 15), "patient-guides/after-your-treatment.html"),
    "PR-001": ("Screening and eligibility", "Medical Director", dt.date(2029, 12, 1), "protocols/screening.html"),
    "PR-003": ("Dose calculation", "Medical Director", dt.date(2027, 7, 10), "protocols/dose-calculation.html"),
    "PR-005": ("Infusion monitoring", "Nurse Manager", dt.date(2027, 5, 20), "protocols/infusion-monitoring.html"),
}


def _events(path: Path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_project(ROOT, tmp_path_factory.mktemp("feed"), freshenv=True, handbook_build_date=BUILD_DATE)


def test_feed_has_one_event_per_document_in_use_with_its_review_date(built):
    assert built.warnings == ""
    feed = built.outdir / "reviews.ics"
    calendar = Calendar.from_ical(feed.read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == "Reviews test handbook: reviews due"
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = _events(feed)
    assert sorted(events) == [event_uid(doc_id) for doc_id in sorted(IN_USE)]
    assert "review-PR-002@review.handbook.invalid" not in events  # retired: no review, no event
    for doc_id, (title, owner, review_by, page) in IN_USE.items():
        event = events[f"review-{doc_id}@review.handbook.invalid"]
        assert event.decoded("DTSTART") == review_by
        assert event.decoded("DTEND") == review_by + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == f"Review due: {doc_id} {title}"
        assert str(event["CONTACT"]) == owner
        assert event.decoded("DTSTAMP") == dt.datetime(2027, 6, 1, tzinfo=dt.timezone.utc)
        description = str(event["DESCRIPTION"])
        assert f"{doc_id} {title}" in description and f"Owner: {owner}." in description
        assert f"Page: {page} (relative to the handbook's address)" in description
        assert "URL" not in event  # no base_url: no absolute address to give
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -dt.timedelta(days=60)  # handbook_review_due_days in conf.py
        assert f"Review due in 60 days ({review_by.isoformat()}): {doc_id} {title}" in str(alarm["DESCRIPTION"])


def test_feed_gives_absolute_addresses_under_base_url(tmp_path):
    built = build_project(ROOT, tmp_path, freshenv=True, handbook_build_date=BUILD_DATE,
                          handbook_clinic={"base_url": "https://intranet.example/handbook/"})
    event = _events(built.outdir / "reviews.ics")["review-PR-005@review.handbook.invalid"]
    assert str(event["URL"]) == "https://intranet.example/handbook/protocols/infusion-monitoring.html"
    assert "Page: https://intranet.example/handbook/protocols/infusion-monitoring.html\n" in str(event["DESCRIPTION"])


def test_a_moved_review_date_keeps_the_uid_and_the_feed_is_reproducible(tmp_path, built):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    again = build_project(src, tmp_path / "again", freshenv=True, handbook_build_date=BUILD_DATE)
    assert (again.outdir / "reviews.ics").read_bytes() == (built.outdir / "reviews.ics").read_bytes()

    page = src / "protocols" / "dose-calculation.md"
    page.write_text(page.read_text(encoding="utf-8").replace("review-by: 2027-07-10", "review-by: 2027-06-20"),
                    encoding="utf-8")
    moved = build_project(src, tmp_path / "moved", freshenv=True, handbook_build_date=BUILD_DATE)
    before, after = _events(built.outdir / "reviews.ics"), _events(moved.outdir / "reviews.ics")
    assert sorted(after) == sorted(before)  # same UIDs: calendars move the event, never add a second
    uid = "review-PR-003@review.handbook.invalid"
    assert before[uid].decoded("DTSTART") == dt.date(2027, 7, 10)
    assert after[uid].decoded("DTSTART") == dt.date(2027, 6, 20)


def test_feed_timestamp_comes_from_the_build_clock():
    assert feed_timestamp(None, {"SOURCE_DATE_EPOCH": "1796119200"}) == dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert feed_timestamp("2027-06-01", {"SOURCE_DATE_EPOCH": "1796119200"}) == dt.datetime(2027, 6, 1, tzinfo=dt.timezone.utc)


def _doc(**changes) -> DocumentControl:
    base = dict(
        docname="protocols/x", id="PR-001", title="X", version="1.0", status="active",
        effective=dt.date(2026, 1, 1), review_by=dt.date(2027, 1, 1), owner="Nurse Manager",
        approver="Medical Director", superseded_by=None, covers=(),
        history=(HistoryEntry("1.0", dt.date(2026, 1, 1), "First approved version"),),
    )
    return DocumentControl(**{**base, **changes})


def test_feed_pure_draft_included_superseded_left_out_and_zero_day_reminder():
    stamp = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    data = review_feed(
        [_doc(id="PR-002", status="draft", version="0.3"), _doc(id="PR-001", status="superseded", superseded_by="PR-002")],
        address_of=lambda doc: doc.docname + ".html", stamp=stamp, alarm_days=0, calendar_name="H",
    )
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "review-PR-002@review.handbook.invalid"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(0)
    assert str(alarm["DESCRIPTION"]).startswith("Review due today (2027-01-01)")
    assert data.count(b"\r\n") > 10  # RFC 5545 line endings
    with pytest.raises(ValueError, match="handbook_review_due_days must be 0 or more, not -1"):
        review_feed([], address_of=str, stamp=stamp, alarm_days=-1, calendar_name="H")
