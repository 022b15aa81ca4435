""""Recently revised", the read-and-sign sheet and mandatory change summaries in a
published archive (issue 21).

One module-scoped story in a small git repository (the helpers of
``test_publish.py``): publish 2026.1; be refused 2026.2 twice, for a "TBD"
and an empty change summary; publish 2026.2 (PR-005 revised, for nursing and
prescribers; PR-010 new); publish 2026.3 six weeks later with no change. The tests read
what each edition's landing page links to, and the sheet's text.
"""

from __future__ import annotations

from pathlib import Path
from posixpath import join, normpath
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from handbook.editions.changes import read_pages, summary_problems
from test_publish import (DISCHARGE, GUIDE, MONITORING_V1, MONITORING_V1_1, commit, git, handbook, make_project,
                          page_source, snapshot)

REVISED = MONITORING_V1_1.replace("\ncovers:", "\naudience: [nursing, prescribers]\ncovers:")
SUMMARY = "Blood pressure every 10 minutes"
STORAGE = page_source("PR-010", "Ketamine storage", "1.0", [("1.0", "2026-12-01", "First approved version")],
                      "Keep ketamine in the locked cabinet.")


def _entry_line(text: str, summary: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if f'summary: "{summary}"' in line)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    repo = tmp_path_factory.mktemp("recent") / "handbook"
    repo.mkdir()
    make_project(repo)
    site = repo / "_site"
    page = repo / "protocols" / "infusion-monitoring.md"
    s: dict = {"repo": repo, "site": site}
    s["first"] = handbook(repo, "publish", "--edition", "2026.1")
    s["after_first"] = snapshot(site)

    for name, summary in (("tbd", "TBD"), ("empty", "")):
        page.write_text(REVISED.replace(f'summary: "{SUMMARY}"', f'summary: "{summary}"'), encoding="utf-8")
        commit(repo, f"PR-005 1.1 with the summary {summary!r}", "2026-12-01T09:00:00+00:00")
        s[name] = handbook(repo, "publish", "--edition", "2026.2")
        s[f"{name}_line"] = _entry_line(page.read_text(encoding="utf-8"), summary)
    s["after_refused"] = snapshot(site)
    s["tags_after_refused"] = git(repo, "tag", "--list").split()

    page.write_text(REVISED, encoding="utf-8")
    (repo / "protocols" / "ketamine-storage.md").write_text(STORAGE, encoding="utf-8")
    commit(repo, "PR-005 1.1: blood pressure every 10 minutes; PR-010 new", "2026-12-01T10:00:00+00:00")
    s["second"] = handbook(repo, "publish", "--edition", "2026.2")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "Nothing changed", date="2027-01-10T10:00:00+00:00")
    s["third"] = handbook(repo, "publish", "--edition", "2026.3")
    return s


def _recent(site: Path, edition: str):
    soup = BeautifulSoup((site / edition / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.find("section", id="recently-revised")


def _items(section) -> list[str]:
    """Each line as read: the visible line, then its folded change summary."""
    return [" ".join(f"{li.p.get_text()} {li.details.p.get_text()}".split())
            for li in section.select("ul.handbook-recently-revised > li")]


def _target_exists(site: Path, edition: str, href: str) -> bool:
    """Whether ``href`` on ``<edition>/index.html`` leads to an element with that id."""
    parts = urlsplit(href)
    path = site / normpath(join(edition, parts.path))
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return soup.find(id=parts.fragment) is not None


def test_placeholder_and_empty_summaries_are_refused_before_any_build(story):
    for name, what in (("tbd", "has the placeholder change summary 'TBD'"), ("empty", "has no change summary")):
        result = story[name]
        assert result.returncode == 1, result.stdout
        assert result.stderr == (
            "publish: refused: edition 2026.2 cannot be published: a change summary is mandatory:\n"
            f"  - protocols/infusion-monitoring.md:{story[name + '_line']}: PR-005 version 1.1 {what}: write what "
            "changed in this version (staff read it on the \"What changed\" page and sign for it on the "
            "read-and-sign sheet)\n"
        )
        assert "[2/6]" not in result.stdout  # refused at step 1: nothing was built
    assert story["tbd_line"] == 12
    assert story["after_refused"] == story["after_first"]
    assert story["tags_after_refused"] == ["edition-2026.1"]


def test_first_edition_says_there_is_nothing_to_compare_with(story):
    assert story["first"].returncode == 0, story["first"].stderr
    section = _recent(story["site"], "2026.1")
    assert section.find("p").get_text(" ", strip=True) == \
        "Documents whose version changed in the last 90 days (since 2026-08-22), newest first."
    assert not section.select(".handbook-recent-working-copy")
    first = "New in edition 2026.1, the first published edition: there is no earlier edition to compare with."
    assert _items(section) == [
        f"PG-006 After your treatment \u2014 version 1.0, effective 2026-11-16. {first} First approved version.",
        f"PR-005 Infusion monitoring \u2014 version 1.0, effective 2026-11-16. {first} First approved version.",
        f"PR-008 Recovery and discharge \u2014 version 1.0, effective 2026-11-16. {first} First approved version.",
    ]


def test_revised_document_links_to_its_comparison_in_this_edition(story):
    assert story["second"].returncode == 0, story["second"].stderr
    site = story["site"]
    section = _recent(site, "2026.2")
    items = section.select("ul.handbook-recently-revised > li")
    assert _items(section)[0] == (
        f"PR-005 Infusion monitoring \u2014 version 1.1, effective 2026-12-01. Compare with edition 2026.1. {SUMMARY}."
    )
    compare = items[0].select_one("a.handbook-recent-compare")
    assert compare["href"] == "reference/changes.html#changes-pr-005"
    assert _target_exists(site, "2026.2", compare["href"])
    assert items[0].a["href"] == "protocols/infusion-monitoring.html"
    assert [li.get_text(" ", strip=True).split(" \u2014 ")[0] for li in items] == [
        "PR-005 Infusion monitoring", "PR-010 Ketamine storage", "PG-006 After your treatment",
        "PR-008 Recovery and discharge"]
    new = items[1].select_one("a.handbook-recent-compare")
    assert (new.get_text(), new["href"]) == ("New in edition 2026.2: see What changed", "reference/changes.html#changes-pr-010")
    assert _target_exists(site, "2026.2", new["href"])
    sheet = section.select_one("p.handbook-sign-sheet-link a")
    assert sheet["href"] == "pdf/read-and-sign.pdf" and (site / "2026.2" / "pdf" / "read-and-sign.pdf").is_file()


def test_a_later_edition_links_to_the_edition_that_revised_the_document(story):
    assert story["third"].returncode == 0, story["third"].stderr
    site = story["site"]
    section = _recent(site, "2026.3")
    assert section.find("p").get_text(" ", strip=True).endswith("(since 2026-10-12), newest first.")
    [revised, new, guide, discharge] = section.select("ul.handbook-recently-revised > li")
    compare = revised.select_one("a.handbook-recent-compare")
    assert compare.get_text() == "Compare with edition 2026.1"
    assert compare["href"] == "../2026.2/reference/changes.html#changes-pr-005"
    assert _target_exists(site, "2026.3", compare["href"])
    new_link = new.select_one("a.handbook-recent-compare")
    assert new_link["href"] == "../2026.2/reference/changes.html#changes-pr-010"
    assert _target_exists(site, "2026.3", new_link["href"])
    for item in (guide, discharge):  # 2026-11-16: 55 days before the commit of 2026.3
        assert item.p.get_text(" ", strip=True).endswith("New in edition 2026.1, the first published edition: "
                                                        "there is no earlier edition to compare with.")
    assert not guide.select(".handbook-recent-compare")


def _sheet(site: Path, edition: str) -> str:
    reader = PdfReader(site / edition / "pdf" / "read-and-sign.pdf")
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_read_and_sign_sheet_of_each_edition(story):
    site = story["site"]
    second = _sheet(site, "2026.2")
    assert "Read-and-sign sheet: edition 2026.2" in second
    assert "2 protocols changed in edition 2026.2 since edition 2026.1." in second
    assert "PR-010 Ketamine storage New, version 1.0 What changed: First approved version" in second
    assert (f"PR-005 Infusion monitoring Version 1.1 (replaces version 1.0) What changed: {SUMMARY} "
            "To be read by: nursing, prescribers Signatures for PR-005 version 1.1 Name Role Date Signature") in second
    assert "PR-008" not in second and "PG-006" not in second  # withdrawn; a patient guide
    first = _sheet(site, "2026.1")
    assert "Edition 2026.1 is the first published edition: every protocol in it is new (2 protocols)." in first
    assert "PR-005 Infusion monitoring New, version 1.0" in first and "PR-008 Recovery and discharge New, version 1.0" in first
    assert "To be read by: nursing, prescribers, front desk (all staff)" in first
    third = _sheet(site, "2026.3")
    assert "No protocol changed in edition 2026.3 since edition 2026.2: there is nothing to sign." in third
    assert "Signature" not in third


def test_summary_rules_pure():
    def pages(*sources):
        return read_pages({f"protocols/p{index}.md": text for index, text in enumerate(sources)})[0]

    old = pages(MONITORING_V1)
    todo = MONITORING_V1_1.replace(SUMMARY, "  todo. ")
    assert summary_problems(pages(todo), old) == [
        "protocols/p0.md:11: PR-005 version 1.1 has the placeholder change summary 'todo.': write what changed in "
        "this version (staff read it on the \"What changed\" page and sign for it on the read-and-sign sheet)"
    ]
    assert summary_problems(pages(MONITORING_V1_1.replace(SUMMARY, "...")), old)[0].startswith(
        "protocols/p0.md:11: PR-005 version 1.1 has the placeholder change summary '...'")
    assert summary_problems(pages(MONITORING_V1_1), old) == []
    # Same version as published: not a new version, not checked here.
    assert summary_problems(old, old) == []
    # First edition: the current version's entry of each document.
    assert summary_problems(pages(DISCHARGE.replace("First approved version", "TBD")), None)[0].startswith(
        "protocols/p0.md:11: PR-008 version 1.0 has the placeholder change summary 'TBD'")
    assert summary_problems(pages(GUIDE), None) == []
