"""Document control: validation, rendering, registers and register.json.

Each broken project under ``tests/roots/test-frontmatter-<case>/`` holds one
defect; its test asserts the exact warnings, with file and line. The good
project ``tests/roots/test-doccontrol/`` has one page in each state (active,
draft, superseded, review overdue, retired, due soon) around the build date
2027-06-01.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from conftest import REPO_ROOT
from handbook.doccontrol.model import Banner, DocumentControl, HistoryEntry, banners, due_for_review
from handbook.doccontrol.rules import SUBTYPES, add_months, check_handbook, check_page, validate
from handbook.doccontrol.frontmatter import parse_front_matter, read_front_matter

BUILD_DATE = "2027-06-01"
ROOTS = Path(__file__).resolve().parent.parent / "roots"


def _warnings(app) -> list[str]:
    return [line for line in strip_colors(app.warning.getvalue()).splitlines() if "WARNING" in line]


def _soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


# -- Each broken front matter gives its own warning, at its line -------------

BAD = "protocols/bad.md"

#: case -> the exact warnings (file, line, message and subtype), in build order.
ERROR_CASES = {
    "missing-key": [
        (BAD, 1, "front matter is missing the required key 'owner' [handbook.frontmatter]"),
    ],
    "unknown-key": [
        (BAD, 1, "front matter is missing the required key 'review-by' [handbook.frontmatter]"),
        (BAD, 6, "unknown front-matter key 'reveiw-by' (did you mean 'review-by'?) [handbook.frontmatter]"),
    ],
    "malformed-id": [
        (BAD, 2, "id 'PR-1' is malformed: pages in protocols/ use PR-nnn, such as PR-001 [handbook.id]"),
    ],
    "id-folder": [
        (BAD, 2, "id 'PG-001' does not belong in protocols/: its pages use PR-nnn [handbook.id]"),
    ],
    "duplicate-id": [
        ("protocols/b.md", 2, "id 'PR-001' is already used by protocols/a [handbook.duplicate-id]"),
    ],
    "unquoted-version": [
        (BAD, 3, 'version must be a quoted "MAJOR.MINOR" string: YAML reads the unquoted 1.10 '
                 'as the number 1.1 (write "1.10") [handbook.version]'),
    ],
    "malformed-version": [
        (BAD, 3, "version 'v1.0' is not \"MAJOR.MINOR\", such as \"1.0\" or \"2.13\" [handbook.version]"),
    ],
    "draft-version": [
        (BAD, 3, 'a draft\'s version must be 0.x; "1.0" is an approved version '
                 '(make it "0.x" or change the status) [handbook.version]'),
    ],
    "approved-zero-version": [
        (BAD, 3, 'version "0.9" is a draft version, but status is active: approved documents are 1.0 or later '
                 "[handbook.version]"),
    ],
    "unknown-status": [
        (BAD, 4, "status 'actve' is not one of draft, active, superseded, retired (did you mean 'active'?) "
                 "[handbook.status]"),
    ],
    "impossible-date": [
        (BAD, 1, "Malformed YAML [myst.topmatter]"),  # MyST's own reader gives up too
        (BAD, 5, "effective '2026-02-30' is not a real date [handbook.date]"),
    ],
    "malformed-date": [
        (BAD, 6, "review-by must be a date written YYYY-MM-DD, such as 2026-12-01, not '16/11/2029' "
                 "[handbook.date]"),
    ],
    "review-before-effective": [
        (BAD, 6, "review-by 2026-11-16 must be after effective 2026-11-16 [handbook.review]"),
    ],
    "review-beyond-cycle": [
        (BAD, 6, "review-by 2029-11-17 is more than 36 months after effective 2026-11-16 (at most 2029-11-16) "
                 "[handbook.review]"),
    ],
    "owner-is-approver": [
        (BAD, 8, "approver 'nurse manager' is also the owner: a document is approved by someone other than "
                 "its owner [handbook.approval]"),
    ],
    "superseded-missing": [
        (BAD, 4, "status is superseded but superseded-by is missing: name the replacement's id "
                 "[handbook.superseded]"),
    ],
    "superseded-unknown": [
        (BAD, 9, "superseded-by 'PR-099' names no page in the handbook [handbook.superseded]"),
    ],
    "superseded-forbidden": [
        (BAD, 9, "superseded-by is only allowed when status is superseded, not active [handbook.superseded]"),
    ],
    "history-missing": [
        (BAD, 1, "front matter is missing the required key 'history' [handbook.frontmatter]"),
    ],
    "history-unordered": [
        (BAD, 13, 'history is not newest first: "1.0" (2026-01-05) comes after "0.1" (2025-01-10) '
                  "[handbook.history]"),
    ],
    "history-first-entry": [
        (BAD, 11, 'history starts with "1.0", not the current version "1.1" [handbook.history]'),
    ],
    "history-first-date": [
        (BAD, 11, "history's first entry is dated 2026-11-01, not the effective date 2026-11-16 "
                  "[handbook.history]"),
    ],
    "not-mapping": [
        (BAD, 1, "YAML is not a dict: <class 'list'> [myst.topmatter]"),
        (BAD, 2, "front matter must be a mapping of keys to values [handbook.frontmatter]"),
    ],
    "invalid-yaml": [
        (BAD, 1, "Malformed YAML [myst.topmatter]"),
        (BAD, 8, "front matter is not valid YAML: expected ',' or ']', but got ':' [handbook.frontmatter]"),
    ],
    "no-front-matter": [
        (BAD, 1, "controlled page has no front matter; it needs id, version, status, effective, review-by, "
                 "owner, approver, covers, history [handbook.frontmatter]"),
    ],
    "covers": [
        (BAD, 11, "covers item 'guidance 7' is not a guidance point id such as SG-04 [handbook.covers]"),
    ],
}


def test_every_error_case_has_a_test_root_and_every_root_a_case():
    roots = {path.name.removeprefix("test-frontmatter-") for path in ROOTS.glob("test-frontmatter-*")}
    assert roots == set(ERROR_CASES)


def test_every_rule_subtype_has_an_error_case():
    seen = {re.search(r"\[handbook\.([a-z-]+)\]$", message).group(1)
            for expected in ERROR_CASES.values() for _, _, message in expected
            if "[handbook." in message}
    assert seen == set(SUBTYPES)


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, marks=pytest.mark.sphinx("dummy", testroot=f"frontmatter-{case}"), id=case)
     for case in ERROR_CASES],
)
def test_broken_front_matter_warns_at_the_offending_line(app, case):
    app.build()
    expected = [f"{Path(app.srcdir) / path}:{line}: WARNING: {message}" for path, line, message in ERROR_CASES[case]]
    assert _warnings(app) == expected


@pytest.mark.sphinx("dummy", testroot="frontmatter-unknown-key")
def test_an_incremental_build_reports_the_problem_again(app):
    """Nothing is re-read the second time, yet the strict build must still fail."""
    app.build()
    first = _warnings(app)
    app.warning.truncate(0)
    app.warning.seek(0)
    app.build()
    assert first and _warnings(app) == first


def test_strict_build_fails_and_names_file_and_line(tmp_path):
    src = ROOTS / "test-frontmatter-review-beyond-cycle"  # built in place: its conf.py finds _ext from there
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q", str(src), str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert (f"{src / 'protocols' / 'bad.md'}:6: WARNING: review-by 2029-11-17 is more than 36 months after "
            f"effective 2026-11-16 (at most 2029-11-16) [handbook.review]") in strip_colors(result.stderr)


@pytest.mark.sphinx("dummy", testroot="frontmatter-review-beyond-cycle",
                    confoverrides={"handbook_review_cycle_months": 48})
def test_review_cycle_is_a_setting(app):
    app.build()
    assert _warnings(app) == []


@pytest.mark.sphinx("dummy", testroot="frontmatter-duplicate-id", parallel=2)
def test_duplicate_id_is_found_in_a_parallel_build(app):
    app.build()
    assert _warnings(app) == [
        f"{Path(app.srcdir) / 'protocols' / 'b.md'}:2: WARNING: id 'PR-001' is already used by protocols/a "
        "[handbook.duplicate-id]"
    ]


# -- Pure rules -----------------------------------------------------------------

GOOD_PAGE = """---
id: PR-005
version: "2.1"
status: active
effective: 2026-12-01
review-by: 2029-12-01
owner: Nurse Manager
approver: Medical Director
covers: [SG-04, SG-07]
history:
  - {version: "2.1", date: 2026-12-01, summary: "Raised BP recheck to every 10 minutes"}
  - {version: "2.0", date: 2025-06-01, summary: "Second edition"}
---

# Infusion monitoring
"""


def test_check_page_builds_the_document_control_record():
    record = check_page(GOOD_PAGE, "protocols/infusion-monitoring", "Infusion monitoring", id_prefix="PR")
    assert record.problems == ()
    assert record.doc == DocumentControl(
        docname="protocols/infusion-monitoring", id="PR-005", title="Infusion monitoring", version="2.1",
        status="active", effective=dt.date(2026, 12, 1), review_by=dt.date(2029, 12, 1),
        owner="Nurse Manager", approver="Medical Director", superseded_by=None, covers=("SG-04", "SG-07"),
        history=(HistoryEntry("2.1", dt.date(2026, 12, 1), "Raised BP recheck to every 10 minutes"),
                 HistoryEntry("2.0", dt.date(2025, 6, 1), "Second edition")),
    )


def test_validate_reports_several_problems_with_their_lines():
    text = GOOD_PAGE.replace("status: active", "status: draft").replace("approver: Medical Director", "approver: Nurse Manager")
    problems = validate(parse_front_matter(text), "protocols/x", id_prefix="PR")
    assert [(p.line, p.subtype) for p in problems] == [(3, "version"), (8, "approval")]


def test_a_time_on_a_date_is_refused():
    text = GOOD_PAGE.replace("effective: 2026-12-01", "effective: 2026-12-01 09:00:00")
    problems = validate(parse_front_matter(text), "protocols/x", id_prefix="PR")
    assert [(p.line, p.subtype, p.message) for p in problems] == [
        (5, "date", "effective must be a date without a time, such as 2026-12-01, not 2026-12-01 09:00:00")
    ]


def test_superseded_by_must_name_a_document_in_force():
    def record(docname, ident, status, extra=""):
        text = GOOD_PAGE.replace("PR-005", ident).replace("status: active", f"status: {status}{extra}")
        return check_page(text, docname, ident, id_prefix="PR")

    old = record("protocols/old", "PR-001", "superseded", "\nsuperseded-by: PR-002")
    retired = record("protocols/retired", "PR-002", "retired")
    assert old.problems == () and retired.problems == ()
    [problem] = check_handbook([old, retired])
    assert (problem.docname, problem.line, problem.subtype, problem.message) == (
        "protocols/old", 5, "superseded", "superseded-by 'PR-002' is itself retired: name the document in force")


@pytest.mark.parametrize(("date", "months", "expected"), [
    ("2026-11-16", 36, "2029-11-16"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2027-12-31", 2, "2028-02-29"),
    ("2026-10-01", 3, "2027-01-01"),
])
def test_add_months(date, months, expected):
    assert add_months(dt.date.fromisoformat(date), months) == dt.date.fromisoformat(expected)


def test_parser_keeps_impossible_dates_and_raw_versions_as_written():
    fm = parse_front_matter("---\neffective: 2026-02-30\nversion: 1.10\n---\n")
    assert fm.data == {"effective": "2026-02-30", "version": 1.1}
    assert fm.raw_values == {"effective": "2026-02-30", "version": "1.10"}


def _doc(**changes) -> DocumentControl:
    base = dict(
        docname="protocols/x", id="PR-001", title="X", version="1.0", status="active",
        effective=dt.date(2026, 1, 1), review_by=dt.date(2027, 1, 1), owner="Nurse Manager",
        approver="Medical Director", superseded_by=None, covers=(), history=(),
    )
    return DocumentControl(**{**base, **changes})


def test_banners_pure():
    today = dt.date(2027, 1, 11)
    assert banners(_doc(review_by=dt.date(2027, 1, 11)), today) == []
    [overdue] = banners(_doc(), today)
    assert overdue.kind == "overdue" and "due for review on 2027-01-01, 10 days ago" in overdue.text
    [draft, overdue] = banners(_doc(status="draft", version="0.2"), today)
    assert draft.text.startswith("Draft \N{EM DASH} not for clinical use.")
    assert banners(_doc(status="superseded", superseded_by="PR-009", superseded_by_docname="protocols/y"), today) == [
        Banner("superseded", "Superseded \N{EM DASH} do not use. PR-009 replaces this document.", "protocols/y", "Go to PR-009")
    ]
    [retired] = banners(_doc(status="retired"), today)
    assert (retired.kind, retired.target) == ("retired", "protocols/index")


def test_due_for_review_window():
    today = dt.date(2027, 6, 1)
    docs = [
        _doc(id="PR-001", review_by=dt.date(2027, 8, 30)),   # day 90: due
        _doc(id="PR-002", review_by=dt.date(2027, 8, 31)),   # day 91: not yet
        _doc(id="PR-003", review_by=dt.date(2027, 5, 1)),    # overdue: due
        _doc(id="PR-004", review_by=dt.date(2027, 5, 1), status="retired"),
    ]
    assert [d.id for d in due_for_review(docs, today, 90)] == ["PR-003", "PR-001"]


# -- Rendering on the good fixture --------------------------------------------

GOOD = pytest.mark.sphinx("html", testroot="doccontrol", confoverrides={"handbook_build_date": BUILD_DATE})


def _panel(soup) -> dict[str, str]:
    panel = soup.select_one("aside.handbook-doc-control")
    return {dt_.get_text(strip=True): dt_.find_next_sibling("dd").get_text(strip=True) for dt_ in panel.find_all("dt")}


def _banners(soup) -> list[tuple[str, str]]:
    return [(" ".join(b["class"]), b.get_text(" ", strip=True)) for b in soup.select(".handbook-banner")]


@GOOD
def test_good_fixture_builds_without_warnings(app):
    app.build()
    assert _warnings(app) == []


@GOOD
def test_panel_follows_the_title_with_every_field(app):
    app.build()
    soup = _soup(app, "protocols/active-protocol")
    h1 = soup.select_one("article h1, div.body h1")
    assert h1.find_next_sibling().name == "aside"
    assert h1.find_next_sibling()["aria-label"] == "Document control"
    assert _panel(soup) == {
        "ID": "PR-001", "Version": "2.1", "Status": "Active", "Effective": "2026-01-15",
        "Review by": "2029-01-15", "Owner": "Nurse Manager", "Approver": "Medical Director",
    }
    assert _banners(soup) == []


@GOOD
def test_change_history_is_a_table_under_a_real_heading_at_the_end(app):
    app.build()
    soup = _soup(app, "protocols/active-protocol")
    section = soup.select_one("section#change-history")
    assert section.h2.get_text(strip=True).rstrip("¶#") == "Change history"
    assert section.find_next_sibling() is None  # the last thing on the page
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in section.select("tbody tr")]
    assert rows == [
        ["2.1", "2026-01-15", "Blood pressure rechecked every 10 minutes"],
        ["2.0", "2025-06-01", "Added the recovery checklist"],
        ["1.0", "2024-03-01", "First approved version"],
    ]
    assert [th.get_text(strip=True) for th in section.select("thead th")] == ["Version", "Date", "Summary"]


@GOOD
def test_banners_for_draft_superseded_retired_and_overdue(app):
    app.build()
    draft = _soup(app, "protocols/draft-protocol")
    assert _banners(draft) == [("handbook-banner handbook-banner-draft",
                                "Draft — not for clinical use. Version 0.3 has not been approved.")]
    assert draft.select_one(".handbook-banner")["role"] == "note"

    old = _soup(app, "protocols/old-protocol")
    # Superseded: no overdue banner even though its review date has passed.
    assert _banners(old) == [("handbook-banner handbook-banner-superseded",
                              "Superseded — do not use. PR-001 replaces this document. Go to PR-001 .")]
    assert old.select_one(".handbook-banner a")["href"] == "active-protocol.html"
    assert _panel(old)["Status"] == "Superseded by PR-001"

    retired = _soup(app, "protocols/retired-protocol")
    assert retired.select_one(".handbook-banner-retired a")["href"] == "index.html"

    overdue = _soup(app, "protocols/overdue-protocol")
    assert _banners(overdue) == [(
        "handbook-banner handbook-banner-overdue",
        "Review overdue — check before use. This document was due for review on 2027-05-01, 31 days ago: "
        "ask its owner (Charge Nurse) whether it still applies.",
    )]
    assert overdue.select_one(".handbook-banner strong").get_text() == "Review overdue — check before use."


@pytest.mark.sphinx("html", testroot="doccontrol", confoverrides={"handbook_build_date": "2027-04-30"},
                    srcdir="doccontrol-earlier")
def test_overdue_depends_on_the_build_date(app):
    app.build()
    assert _banners(_soup(app, "protocols/overdue-protocol")) == []
    due = [li.get_text(" ", strip=True) for li in _soup(app, "protocols/index").select("ul.handbook-due li")]
    assert due == ["PR-004 Emergency equipment readiness – review by 2027-05-01 (in 1 day)"]


@GOOD
def test_register_table_and_due_for_review_list(app):
    app.build()
    soup = _soup(app, "protocols/index")
    table = soup.select_one("section#register-protocols table.handbook-register")
    assert [th.get_text(strip=True) for th in table.select("thead th")] == [
        "ID", "Title", "Version", "Status", "Effective", "Review by"]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert rows == [
        ["PR-001", "Infusion monitoring", "2.1", "Active", "2026-01-15", "2029-01-15"],
        ["PR-002", "Dose calculation", "0.3", "Draft", "2027-07-01", "2030-07-01"],
        ["PR-003", "Infusion monitoring (old)", "1.2", "Superseded by PR-001", "2024-01-10", "2026-12-01"],
        ["PR-004", "Emergency equipment readiness", "1.0", "Active", "2024-05-01", "2027-05-01"],
        ["PR-005", "Paper consent forms", "1.0", "Retired", "2023-02-01", "2026-02-01"],
        ["PR-006", "Recovery and discharge", "1.1", "Active", "2024-08-01", "2027-07-31"],
    ]
    assert [a["href"] for a in table.select("tbody a")] == [
        "active-protocol.html", "draft-protocol.html", "old-protocol.html",
        "overdue-protocol.html", "retired-protocol.html", "due-protocol.html"]

    due = soup.select_one("section#due-for-review-protocols")
    assert due.h2.get_text(strip=True).rstrip("¶#") == "Due for review in the next 90 days"
    assert [li.get_text(" ", strip=True) for li in due.select("li")] == [
        "PR-004 Emergency equipment readiness – overdue since 2027-05-01",
        "PR-006 Recovery and discharge – review by 2027-07-31 (in 60 days)",
    ]
    assert "handbook-due-overdue" in due.select("li")[0]["class"]

    guides = _soup(app, "patient-guides/index")
    assert [tr.td.get_text(strip=True) for tr in guides.select("table.handbook-register tbody tr")] == ["PG-001"]
    assert guides.select_one("p.handbook-due-none").get_text(strip=True) == (
        "No document is due for review in the next 90 days.")


EXPECTED_PR_001 = {
    "id": "PR-001",
    "title": "Infusion monitoring",
    "path": "protocols/active-protocol.html",
    "version": "2.1",
    "status": "active",
    "effective": "2026-01-15",
    "review-by": "2029-01-15",
    "owner": "Nurse Manager",
    "approver": "Medical Director",
    "covers": ["SG-04", "SG-07"],
    "superseded-by": None,
}


@GOOD
def test_register_json(app):
    app.build()
    text = (Path(app.outdir) / "register.json").read_text(encoding="utf-8")
    entries = json.loads(text)
    assert [e["id"] for e in entries] == ["PG-001", "PR-001", "PR-002", "PR-003", "PR-004", "PR-005", "PR-006"]
    assert entries[1] == EXPECTED_PR_001
    assert list(entries[1]) == list(EXPECTED_PR_001)
    assert entries[3]["superseded-by"] == "PR-001"
    assert text == json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.sphinx("html", testroot="doccontrol", confoverrides={"handbook_build_date": BUILD_DATE},
                    srcdir="doccontrol-parallel", parallel=2)
def test_parallel_build_gives_the_same_register(app):
    app.build()
    assert _warnings(app) == []
    entries = json.loads((Path(app.outdir) / "register.json").read_text(encoding="utf-8"))
    assert len(entries) == 7 and entries[1] == EXPECTED_PR_001
    assert len(_soup(app, "protocols/index").select("table.handbook-register tbody tr")) == 6


@pytest.mark.sphinx("html", testroot="doccontrol", confoverrides={"handbook_build_date": BUILD_DATE},
                    srcdir="doccontrol-incremental")
def test_changing_a_page_updates_the_register_on_an_incremental_build(app, make_app):
    app.build()
    page = Path(app.srcdir) / "protocols" / "due-protocol.md"
    page.write_text(page.read_text(encoding="utf-8").replace("review-by: 2027-07-31", "review-by: 2027-05-30"),
                    encoding="utf-8")
    again = make_app("html", srcdir=app.srcdir, confoverrides={"handbook_build_date": BUILD_DATE})
    again.build()
    rows = {tr.td.get_text(strip=True): tr.find_all("td")[5].get_text(strip=True)
            for tr in _soup(again, "protocols/index").select("table.handbook-register tbody tr")}
    assert rows["PR-006"] == "2027-05-30"
    entries = json.loads((Path(again.outdir) / "register.json").read_text(encoding="utf-8"))
    assert [e["review-by"] for e in entries if e["id"] == "PR-006"] == ["2027-05-30"]


def test_libyaml_and_pure_python_read_every_real_page_the_same(monkeypatch):
    """The fast path (libyaml) gives the same values, lines and raw text as PyYAML's own parser."""
    from handbook.doccontrol import frontmatter

    assert frontmatter._FastComposer is not None  # PyYAML's wheel ships libyaml
    pages = sorted([*REPO_ROOT.glob("protocols/*.md"), *REPO_ROOT.glob("patient-guides/*.md")])
    fast = [frontmatter.read_front_matter(page) for page in pages]
    monkeypatch.setattr(frontmatter, "_FastComposer", None)
    assert [frontmatter.read_front_matter(page) for page in pages] == fast
    assert sum(front is not None for front in fast) >= 20


@pytest.mark.sphinx("html", testroot="doccontrol", srcdir="doccontrol-one-folder",
                    confoverrides={"handbook_build_date": BUILD_DATE})
def test_a_page_edit_reads_again_only_the_register_of_its_folder(app, make_app):
    app.build()
    page = Path(app.srcdir) / "patient-guides" / "guide.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = make_app("html", srcdir=app.srcdir, confoverrides={"handbook_build_date": BUILD_DATE})
    before = len(again.status.getvalue())  # the fixture's status stream holds the first build too
    again.build()
    status = strip_colors(again.status.getvalue()[before:])
    read = set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status))
    # The edited guide, its folder's register, and the superseded protocol (its
    # banner names whichever page now carries the replacement's id); not the
    # protocols register, nor any other protocol.
    assert read == {"patient-guides/guide", "patient-guides/index", "protocols/old-protocol"}


@pytest.mark.sphinx("html", testroot="doccontrol", srcdir="doccontrol-next-day")
def test_a_new_build_date_renders_banners_again_without_source_changes(app, make_app, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1809043200")  # 2027-04-30
    app.build()
    assert _banners(_soup(app, "protocols/overdue-protocol")) == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1809302400")  # 2027-05-03
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    assert [kind for kind, _ in _banners(_soup(again, "protocols/overdue-protocol"))] == [
        "handbook-banner handbook-banner-overdue"]
    assert "overdue since 2027-05-01" in _soup(again, "protocols/index").select_one("ul.handbook-due").get_text()


def test_register_json_is_reproducible(tmp_path):
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    outputs = []
    for name in ("one", "two"):
        src = tmp_path / f"src-{name}"
        shutil.copytree(ROOTS / "test-doccontrol", src)
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / f"out-{name}", status=StringIO(),
                            warning=StringIO(), confoverrides={"handbook_build_date": BUILD_DATE})
        try:
            app.build()
        finally:
            app.cleanup()
        outputs.append((Path(app.outdir) / "register.json").read_bytes())
    assert outputs[0] == outputs[1]


# -- Styles: contrast in both themes, and print ----------------------------------

CSS = re.sub(r"/\*.*?\*/", "", (REPO_ROOT / "_static" / "handbook.css").read_text(encoding="utf-8"), flags=re.S)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rule_vars(selector_regex: str) -> dict[str, str]:
    found = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if re.search(selector_regex, selectors):
            found.update(dict(re.findall(r"(--hb-[a-z-]+):\s*(#[0-9a-fA-F]{6})", body)))
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["draft", "superseded", "retired", "overdue"])
def test_banner_text_contrast_is_at_least_7_to_1(theme, kind):
    colours = _rule_vars(r"^\s*\.handbook-banner\s*$")
    colours.update(_rule_vars(rf"(?m)^\s*\.handbook-banner-{kind}\b"))
    if theme == "dark":
        colours.update(_rule_vars(rf'html\[data-theme="dark"\] \.handbook-banner-{kind}\b'))
    assert _contrast(colours["--hb-banner-fg"], colours["--hb-banner-bg"]) >= 7


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_panel_text_contrast_is_at_least_7_to_1(theme):
    colours = _rule_vars(r"^\s*\.handbook-doc-control\s*$")
    if theme == "dark":
        colours.update(_rule_vars(r'html\[data-theme="dark"\] \.handbook-doc-control\s*$'))
    for fg in ("--hb-panel-fg", "--hb-panel-label"):
        assert _contrast(colours[fg], colours["--hb-panel-bg"]) >= 7, fg


def test_print_styles_hide_navigation_and_show_the_panel_and_banners():
    print_block = CSS[CSS.index("@media print"):]
    hidden = re.search(r"([^{}]*)\{\s*display: none !important;", print_block).group(1)
    assert {".bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".prev-next-area", ".bd-footer"} <= {
        selector.strip() for selector in hidden.split(",")}
    assert re.search(r"\.handbook-doc-control,\s*\.handbook-banner \{\s*display: block !important;", print_block)


# -- The real handbook ------------------------------------------------------------

def _controlled_sources() -> dict[str, str]:
    """docname -> id, read from every controlled page's front matter."""
    found = {}
    for folder in ("protocols", "patient-guides"):
        for path in sorted((REPO_ROOT / folder).glob("*.md")):
            if path.stem != "index":
                found[f"{folder}/{path.stem}"] = read_front_matter(path).data["id"]
    return found


def test_real_handbook_register_lists_every_controlled_page(handbook_html):
    sources = _controlled_sources()
    assert sources, "the handbook has no controlled pages"
    entries = json.loads((handbook_html.outdir / "register.json").read_text(encoding="utf-8"))
    assert {e["path"].removesuffix(".html"): e["id"] for e in entries} == sources
    assert [e["id"] for e in entries] == sorted(sources.values())
    for folder in ("protocols", "patient-guides"):
        soup = BeautifulSoup((handbook_html.outdir / folder / "index.html").read_text(encoding="utf-8"), "html.parser")
        listed = {f"{folder}/" + a["href"].removesuffix(".html")
                  for a in soup.select("table.handbook-register tbody a")}
        assert listed == {docname for docname in sources if docname.startswith(folder + "/")}


def test_real_handbook_pages_carry_panel_and_history(handbook_html):
    for docname, ident in _controlled_sources().items():
        soup = BeautifulSoup((handbook_html.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        assert _panel(soup)["ID"] == ident, docname
        assert soup.select_one("section#change-history table"), docname


@pytest.mark.sphinx("text", testroot="doccontrol", confoverrides={"handbook_build_date": BUILD_DATE},
                    srcdir="doccontrol-text")
def test_other_builders_render_panel_and_banners_as_plain_content(app):
    app.build()
    assert _warnings(app) == []
    text = (Path(app.outdir) / "protocols" / "draft-protocol.txt").read_text(encoding="utf-8")
    assert "Draft — not for clinical use." in text
    assert "Review by\n   2030-07-01" in text
    assert "Change history" in text
