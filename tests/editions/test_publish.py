"""Publishing editions (issue 8): real publishes in a temporary git repository.

The repository is a SMALL copy of the handbook (its conf.py, extension, static
files, templates, bibliography, guidance register and index pages, plus three
short controlled pages), so each build takes seconds. One module-scoped
scenario publishes 2026.1, is refused a changed-but-unbumped protocol, is
interrupted twice (killed during the build; a failure just before the rename),
publishes 2026.2 after the bump, and is refused an overwrite; the tests assert
on what each step left behind. ``site`` then rebuilds both editions from tags.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO_ROOT, serve_directory
from handbook.editions import archive
from handbook.editions.changes import Page, diff_table_html, publication_problems, read_pages
from handbook.editions.switcher import switcher_theme_options
from handbook.editions.manifest import check_edition
from handbook.editions.publish import pdf_builder_available

# -- the small project ------------------------------------------------------------

COPIED = [
    "conf.py", "Makefile", ".gitignore", "references.bib", "index.md",
    "protocols/index.md", "patient-guides/index.md", "reference/guidance.yaml",
    # The reference pages that do not list the real handbook's guides one by one.
    *sorted(path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / "reference").glob("*.md")
            if path.name != "pemat.md"),
]
COPIED_TREES = ["_ext", "_static", "_templates"]


def _guidance_points() -> list[str]:
    data = yaml.safe_load((REPO_ROOT / "reference" / "guidance.yaml").read_text(encoding="utf-8"))
    return [point["id"] for point in data.get("points", [])]


def page_source(doc_id: str, title: str, version: str, history: list[tuple[str, str, str]], body: str,
                covers: list[str] = ()) -> str:
    entries = "\n".join(f'  - {{version: "{v}", date: {d}, summary: "{s}"}}' for v, d, s in history)
    return (
        f"---\nid: {doc_id}\nversion: \"{version}\"\nstatus: active\neffective: {history[0][1]}\n"
        f"review-by: 2029-11-16\nowner: Nurse Manager\napprover: Medical Director\n"
        f"covers: [{', '.join(covers)}]\nhistory:\n{entries}\n---\n\n# {title}\n\n{body}\n"
    )


MONITORING_V1 = page_source(
    "PR-005", "Infusion monitoring", "1.0", [("1.0", "2026-11-16", "First approved version")],
    "Check blood pressure before the infusion.\n\nCheck blood pressure every 15 minutes.\n\n"
    "Stop the infusion if the patient asks.",
    covers=_guidance_points(),
)
MONITORING_CHANGED = MONITORING_V1.replace("every 15 minutes", "every 10 minutes")
MONITORING_V1_1 = page_source(
    "PR-005", "Infusion monitoring", "1.1",
    [("1.1", "2026-12-01", "Blood pressure every 10 minutes"), ("1.0", "2026-11-16", "First approved version")],
    "Check blood pressure before the infusion.\n\nCheck blood pressure every 10 minutes.\n\n"
    "Stop the infusion if the patient asks.",
    covers=_guidance_points(),
)
DISCHARGE = page_source(
    "PR-008", "Recovery and discharge", "1.0", [("1.0", "2026-11-16", "First approved version")],
    "A responsible adult takes the patient home.",
)
GUIDE = page_source(
    "PG-006", "After your treatment", "1.0", [("1.0", "2026-11-16", "First approved version")],
    "Do not drive until the next day. Call {{ clinic.phone }} with any question.",
)

GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message, date=date)


def make_project(repo: Path) -> None:
    for name in COPIED:
        if (REPO_ROOT / name).exists():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, repo / name)
    for name in COPIED_TREES:
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "protocols" / "infusion-monitoring.md").write_text(MONITORING_V1, encoding="utf-8")
    (repo / "protocols" / "recovery-discharge.md").write_text(DISCHARGE, encoding="utf-8")
    (repo / "patient-guides" / "after-your-treatment.md").write_text(GUIDE, encoding="utf-8")
    # The PEMAT-P page and the guides index name every real guide; this small handbook has one.
    reference = repo / "reference" / "index.md"
    reference.write_text("".join(line for line in reference.read_text(encoding="utf-8").splitlines(keepends=True)
                                 if "pemat" not in line), encoding="utf-8")
    index = repo / "patient-guides" / "index.md"
    index.write_text(re.sub(r"\n\nGive every new patient .*?\.md\)\.\n", "\n", index.read_text(encoding="utf-8"),
                            flags=re.S), encoding="utf-8")
    git(repo, "init", "--quiet", "--initial-branch=main")
    for key, value in (("user.name", "Clinical Lead"), ("user.email", "lead@example.invalid"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")):
        git(repo, "config", key, value)
    commit(repo, "Small handbook", "2026-11-20T12:00:00+00:00")


def handbook(repo: Path, *args: str, site_env: Path | None = None, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    """``python -m handbook args`` in ``repo``, with the repository's own extension."""
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(repo / "_ext")}
    env.pop("HANDBOOK_SITE", None)
    if site_env is not None:
        env["HANDBOOK_SITE"] = str(site_env)
    command = [sys.executable, "-m", "handbook", *args]
    if popen:
        return subprocess.Popen(command, cwd=repo, env=env, **popen)
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


def snapshot(site: Path) -> dict[str, bytes]:
    """Every file of the archive, hidden temporary folders and the lock aside."""
    files = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob(archive.INCOMING_PREFIX + "*"))


def _wait_for_build_output(site: Path, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for incoming in site.glob(archive.INCOMING_PREFIX + "*"):
            if any(incoming.rglob("*.html")):
                return incoming
        time.sleep(0.05)
    raise AssertionError("the build never started writing")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Run the whole publishing story once; tests assert on what each step left."""
    repo = tmp_path_factory.mktemp("publish") / "handbook"
    repo.mkdir()
    make_project(repo)
    site = repo / "_site"
    s: dict = {"repo": repo, "site": site}

    s["first"] = handbook(repo, "publish", "--edition", "2026.1")
    s["after_first"] = snapshot(site)

    (repo / "protocols" / "infusion-monitoring.md").write_text(MONITORING_CHANGED, encoding="utf-8")
    commit(repo, "Blood pressure every 10 minutes (forgot the version)", "2026-12-01T09:00:00+00:00")
    s["unbumped"] = handbook(repo, "publish", "--edition", "2026.2")
    s["after_unbumped"] = snapshot(site)
    s["leftovers_after_unbumped"] = leftovers(site)

    (repo / "protocols" / "infusion-monitoring.md").write_text(MONITORING_V1_1, encoding="utf-8")
    (repo / "protocols" / "recovery-discharge.md").unlink()  # PR-008 withdrawn in 2026.2
    commit(repo, "PR-005 1.1: blood pressure every 10 minutes; withdraw PR-008", "2026-12-01T10:00:00+00:00")

    # Killed halfway: SIGKILL to the publish and its build while Sphinx writes pages.
    process = handbook(repo, "publish", "--edition", "2026.2", start_new_session=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        s["killed_incoming"] = _wait_for_build_output(site)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    s["after_kill"] = snapshot(site)
    s["leftovers_after_kill"] = leftovers(site)
    s["tags_after_kill"] = git(repo, "tag", "--list").split()
    s["verify_after_kill"] = handbook(repo, "verify")

    # A failure after the build, just before the rename (e.g. the disk fills up).
    def fail(*args, **kwargs):
        raise OSError("injected failure before the rename")

    from handbook.editions import publish as publish_module
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "install_edition", fail)
        with pytest.raises(OSError, match="injected failure"):
            publish_module.publish(repo, "2026.2", site, log=lambda message: None)
    s["after_injected"] = snapshot(site)
    s["leftovers_after_injected"] = leftovers(site)

    s["second"] = handbook(repo, "publish", "--edition", "2026.2")
    s["after_second"] = snapshot(site)
    s["again"] = handbook(repo, "publish", "--edition", "2026.2")
    s["older"] = handbook(repo, "publish", "--edition", "2026.1")
    s["after_refused_again"] = snapshot(site)
    return s


# -- publishing ----------------------------------------------------------------------


def test_first_edition_is_published_with_manifest_switcher_index_and_tag(scenario):
    repo, site = scenario["repo"], scenario["site"]
    assert scenario["first"].returncode == 0, scenario["first"].stderr
    first = scenario["after_first"]
    assert "2026.1/index.html" in first and "2026.1/protocols/infusion-monitoring.html" in first
    assert not any(name.endswith(".buildinfo") for name in first)
    manifest = json.loads(first["2026.1/manifest.json"])
    listed = [entry["path"] for entry in manifest["files"]]
    assert listed == sorted(listed)
    assert set(listed) == {name.removeprefix("2026.1/") for name in first if name.startswith("2026.1/")} - {"manifest.json"}
    assert manifest["edition"] == "2026.1"
    if pdf_builder_available(repo):  # issue 6 merged: the edition holds the PDFs too
        assert {"pdf/handbook.pdf", "pdf/handouts/after-your-treatment.pdf"} <= set(listed)
    else:
        assert not [name for name in listed if name.startswith("pdf/")]
    assert json.loads(first["switcher.json"]) == [
        {"name": "2026.1 (current)", "version": "2026.1", "url": "2026.1/", "preferred": True}
    ]
    # The review calendar at an address that never changes: the newest edition's copy.
    assert first["reviews.ics"] == first["2026.1/reviews.ics"] and b"BEGIN:VCALENDAR" in first["reviews.ics"]
    message = git(repo, "tag", "--list", "--format=%(contents)", "edition-2026.1")
    assert "First published edition" in message and "PR-005 Infusion monitoring: new, version 1.0" in message
    assert git(repo, "cat-file", "-t", "edition-2026.1").strip() == "tag"  # annotated


def test_changed_but_unbumped_protocol_is_refused(scenario):
    result = scenario["unbumped"]
    assert result.returncode == 1
    assert (
        "publish: refused: edition 2026.2 cannot be published:\n"
        "  - protocols/infusion-monitoring.md (PR-005) changed since edition 2026.1 but its version is "
        "still 1.0: raise the version and add a history entry that says what changed\n"
    ) in result.stderr
    assert scenario["after_unbumped"] == scenario["after_first"]
    assert scenario["leftovers_after_unbumped"] == []  # the refused build's folder is gone


def test_second_edition_after_the_bump(scenario):
    site = scenario["site"]
    assert scenario["second"].returncode == 0, scenario["second"].stderr
    assert scenario["second"].stdout.endswith(
        "\n  PR-005 Infusion monitoring: 1.0 -> 1.1\n  PR-008 Recovery and discharge: withdrawn (was version 1.0)\n"
    )
    after = scenario["after_second"]
    # 2026.1 is exactly as it was published.
    assert {k: v for k, v in after.items() if k.startswith("2026.1/")} == {
        k: v for k, v in scenario["after_first"].items() if k.startswith("2026.1/")
    }
    assert json.loads(after["switcher.json"]) == [
        {"name": "2026.2 (current)", "version": "2026.2", "url": "2026.2/", "preferred": True},
        {"name": "2026.1", "version": "2026.1", "url": "2026.1/"},
    ]
    index = BeautifulSoup(after["index.html"], "html.parser")
    assert index.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=2026.2/index.html"
    assert [a["href"] for a in index.find_all("a")] == ["2026.2/index.html", "2026.1/index.html"]
    # The stable feed moved on to 2026.2 (PR-008 withdrawn: its review event is gone).
    assert after["reviews.ics"] == after["2026.2/reviews.ics"] != after["2026.1/reviews.ics"]
    assert b"review-PR-008@" in after["2026.1/reviews.ics"] and b"review-PR-008@" not in after["reviews.ics"]
    message = git(scenario["repo"], "tag", "--list", "--format=%(contents)", "edition-2026.2")
    assert "- PR-005 Infusion monitoring: 1.0 -> 1.1 (Blood pressure every 10 minutes)" in message
    assert "- PR-008 Recovery and discharge: withdrawn (was version 1.0)" in message
    assert "PG-006" not in message
    assert check_edition(site / "2026.2") == []


def test_publishing_an_edition_again_is_refused(scenario):
    again, older = scenario["again"], scenario["older"]
    assert again.returncode == 1
    assert f"publish: refused: edition 2026.2 is already published in {scenario['site'] / '2026.2'}; " \
           "published editions are never changed: publish the next edition instead" in again.stderr
    assert older.returncode == 1 and "edition 2026.1 is already published" in older.stderr
    assert scenario["after_refused_again"] == scenario["after_second"]


def test_killed_publish_leaves_the_archive_as_it_was(scenario):
    assert scenario["killed_incoming"].name.startswith(".incoming-2026.2-")
    # The kill left its half-built folder, hidden beside the editions; nothing else changed.
    assert scenario["leftovers_after_kill"] == [scenario["killed_incoming"].name]
    assert scenario["after_kill"] == scenario["after_first"]
    assert "edition-2026.2" not in scenario["tags_after_kill"]
    verify = scenario["verify_after_kill"]
    assert verify.returncode == 0, verify.stdout
    assert f"note: {scenario['killed_incoming'].name}: left by an interrupted publish" in verify.stdout
    # The next publish cleared the leftover before building.
    assert scenario["leftovers_after_injected"] == []


def test_failure_before_the_rename_leaves_the_archive_as_it_was(scenario):
    assert scenario["after_injected"] == scenario["after_first"]
    assert scenario["leftovers_after_injected"] == []


def test_edition_pages_carry_the_switcher_and_the_archive_script(scenario):
    site = scenario["site"]
    pages = sorted(p for p in (site / "2026.2").rglob("*.html") if "_static" not in p.parts)
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert soup.select_one(".bd-header-article .version-switcher__button"), page
        assert "DOCUMENTATION_OPTIONS.theme_switcher_json_url = '../switcher.json';" in text, page
        assert "DOCUMENTATION_OPTIONS.theme_switcher_version_match = '2026.2';" in text, page
        assert soup.find("script", src=lambda s: s and "_static/handbook-editions.js?" in s), page
    front = BeautifulSoup((site / "2026.2" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Edition: 2026.2" in front.get_text(" ", strip=True)


def test_what_changed_page_lists_versions_summaries_and_a_diff(scenario):
    soup = BeautifulSoup((scenario["site"] / "2026.2" / "reference" / "changes.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    text = article.get_text(" ", strip=True)
    assert "Compared with edition 2026.1, 2 document(s) changed in edition 2026.2." in text
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in article.select("table.handbook-changes tbody tr")]
    assert rows == [
        ["PR-005", "Infusion monitoring", "1.0", "1.1", "Blood pressure every 10 minutes"],
        ["PR-008", "Recovery and discharge", "1.0", "(withdrawn)", ""],
    ]
    assert article.select_one("table.handbook-changes a")["href"] == "../protocols/infusion-monitoring.html"
    assert "Withdrawn in edition 2026.2; it was version 1.0." in article.find(id="changes-pr-008").get_text(" ", strip=True)
    section = article.find(id="changes-pr-005")
    assert "Version 1.1 (2026-12-01): Blood pressure every 10 minutes" in section.get_text(" ", strip=True)
    diff = section.select_one("table.handbook-diff")
    changed = [[td.get_text() for td in tr.find_all("td")] for tr in diff.select("tr.handbook-diff-removed, tr.handbook-diff-added")]
    line = MONITORING_V1.splitlines().index("Check blood pressure every 15 minutes.") + 1
    new_line = MONITORING_V1_1.splitlines().index("Check blood pressure every 10 minutes.") + 1
    assert [str(line), "", "Removed", "Check blood pressure every 15 minutes."] in changed
    assert ["", str(new_line), "Added", "Check blood pressure every 10 minutes."] in changed
    assert ["3", "", "Removed", 'version: "1.0"'] in changed and ["", "3", "Added", 'version: "1.1"'] in changed
    assert not any("Stop the infusion" in row[3] for row in changed)
    first = BeautifulSoup((scenario["site"] / "2026.1" / "reference" / "changes.html").read_text(encoding="utf-8"), "html.parser")
    assert "Edition 2026.1 is the first published edition" in first.select_one("article").get_text(" ", strip=True)


# -- verify ------------------------------------------------------------------------------


def test_verify_passes_then_reports_a_modified_and_a_missing_file(scenario, tmp_path):
    repo = scenario["repo"]
    ok = handbook(repo, "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2026.1: OK" in ok.stdout and "2026.2: OK" in ok.stdout
    copy = tmp_path / "site"
    shutil.copytree(scenario["site"], copy)
    page = copy / "2026.1" / "protocols" / "infusion-monitoring.html"
    page.write_text(page.read_text(encoding="utf-8").replace("15 minutes", "20 minutes"), encoding="utf-8")
    (copy / "2026.2" / "patient-guides" / "after-your-treatment.html").unlink()
    (copy / "2026.2" / "extra.html").write_text("<p>added later</p>", encoding="utf-8")
    bad = handbook(repo, "verify", "--site", str(copy))
    assert bad.returncode == 1
    assert "  2026.1/protocols/infusion-monitoring.html: modified (SHA-256 differs from the manifest)\n" in bad.stdout
    assert "  2026.2/patient-guides/after-your-treatment.html: missing\n" in bad.stdout
    assert "  2026.2/extra.html: not in the manifest (added after publishing)\n" in bad.stdout
    assert "verify: FAILED" in bad.stderr
    (copy / "switcher.json").unlink()
    (copy / "reviews.ics").write_bytes((copy / "2026.1" / "reviews.ics").read_bytes())  # an old edition's feed
    bad = handbook(repo, "verify", site_env=copy)  # HANDBOOK_SITE names the archive too
    assert bad.returncode == 1 and "switcher.json: missing\n" in bad.stdout
    assert "reviews.ics: is not the newest edition's (2026.2/reviews.ics)\n" in bad.stdout


def test_stable_feed_is_the_newest_editions_copy_and_verify_checks_it(tmp_path):
    site = tmp_path / "site"
    for edition in ("2026.1", "2026.9", "2026.10"):  # 2026.10 is the newest, not 2026.9
        (site / edition).mkdir(parents=True)
        (site / edition / "reviews.ics").write_bytes(f"BEGIN:VCALENDAR\r\nX-EDITION:{edition}\r\n".encode())
    assert archive.update_front_files(site) == ["2026.1", "2026.9", "2026.10"]
    assert (site / "reviews.ics").read_bytes() == (site / "2026.10" / "reviews.ics").read_bytes()
    assert not [p for p in archive.verify_archive(site).problems.get("(archive)", []) if p.path == "reviews.ics"]
    (site / "reviews.ics").write_bytes((site / "2026.9" / "reviews.ics").read_bytes())
    assert [str(p) for p in archive.verify_archive(site).problems["(archive)"]] == [
        "reviews.ics: is not the newest edition's (2026.10/reviews.ics)"]
    (site / "reviews.ics").unlink()
    assert [str(p) for p in archive.verify_archive(site).problems["(archive)"]] == [
        "reviews.ics: missing (run: python -m handbook site)"]
    # A newest edition without a calendar (published before it existed): nothing to copy or check.
    (site / "2026.10" / "reviews.ics").unlink()
    archive.update_front_files(site)
    assert not (site / "reviews.ics").exists() and "(archive)" not in archive.verify_archive(site).problems


def test_one_publish_at_a_time(tmp_path):
    with archive.locked(tmp_path):
        with pytest.raises(archive.ArchiveError, match=f"another publish is writing to {tmp_path}"):
            with archive.locked(tmp_path):
                pass
    with archive.locked(tmp_path):  # released when the first one finished
        pass


# -- site ------------------------------------------------------------------------------------


def test_site_rebuilds_both_editions_from_tags_with_identical_manifests(scenario, tmp_path):
    repo, site = scenario["repo"], scenario["site"]
    rebuilt = tmp_path / "new-server"
    result = handbook(repo, "site", "--site", str(rebuilt))
    assert result.returncode == 0, result.stdout + result.stderr
    for edition in ("2026.1", "2026.2"):
        assert (rebuilt / edition / "manifest.json").read_bytes() == (site / edition / "manifest.json").read_bytes(), edition
    assert snapshot(rebuilt) == snapshot(site)
    assert "  2026.1: rebuilt\n  2026.2: rebuilt\n" in result.stdout
    assert (rebuilt / "reviews.ics").read_bytes() == (site / "2026.2" / "reviews.ics").read_bytes()
    # Run again: every edition is already there and is kept untouched.
    (rebuilt / "reviews.ics").unlink()  # an archive from before the stable feed: site writes it
    again = handbook(repo, "site", "--site", str(rebuilt))
    assert again.returncode == 0 and "  2026.1: kept\n  2026.2: kept\n" in again.stdout
    assert snapshot(rebuilt) == snapshot(site)
    assert git(repo, "worktree", "list").count("\n") == 1  # the temporary worktrees are gone


# -- in a browser: the switcher and the archived-edition banner ---------------------------


@pytest.fixture()
def served(scenario):
    """The temporary repository served on 127.0.0.1: the archive is at /_site/, not at the root."""
    with serve_directory(scenario["repo"]) as url:
        yield url + "_site/"


def test_switcher_and_archived_banner_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))

            page.goto(served + "2026.1/protocols/infusion-monitoring.html")
            banner = page.wait_for_selector(".handbook-banner-archived")
            assert banner.inner_text().startswith("Archived edition 2026.1 \u2014 see the current edition (2026.2).")
            assert banner.query_selector("a").get_attribute("href") == served + "2026.2/protocols/infusion-monitoring.html"

            # A page the newest edition no longer has: the banner goes to its front page.
            page.goto(served + "2026.1/protocols/recovery-discharge.html")
            banner = page.wait_for_selector(".handbook-banner-archived")
            assert banner.query_selector("a").get_attribute("href") == served + "2026.2/index.html"

            page.goto(served + "2026.2/protocols/infusion-monitoring.html")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.version-switcher__menu a')].filter(a => a.href.startsWith('http')).length >= 2"
                " && [...document.querySelectorAll('.version-switcher__menu a')].every(a => a.getAttribute('href').startsWith('http'))"
            )
            button = page.query_selector(".bd-header-article .version-switcher__button")
            assert button.is_visible() and button.inner_text().strip() == "2026.2 (current)"
            links = page.eval_on_selector_all(
                ".bd-header-article .version-switcher__menu a", "els => els.map(a => [a.textContent, a.getAttribute('href')])"
            )
            assert links == [
                ["2026.2 (current)", served + "2026.2/protocols/infusion-monitoring.html"],
                ["2026.1", served + "2026.1/protocols/infusion-monitoring.html"],
            ]
            assert page.query_selector(".handbook-banner-archived") is None
            page.click(".bd-header-article .version-switcher__button")
            page.click(".bd-header-article .version-switcher__menu a[data-version='2026.1']")
            page.wait_for_url(served + "2026.1/protocols/infusion-monitoring.html")
            page.wait_for_selector(".handbook-banner-archived")

            # On a phone the switcher fits beside the header's buttons: no sideways scrolling.
            phone = browser.new_page(viewport={"width": 390, "height": 800})
            phone.on("request", lambda request: requests.append(request.url))
            phone.goto(served + "2026.2/reference/changes.html")
            phone.wait_for_function("() => document.querySelectorAll('.version-switcher__menu a').length >= 2")
            assert phone.query_selector(".bd-header-article .version-switcher__button").is_visible()
            assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            browser.close()
    assert requests and all(url.startswith("http://127.0.0.1:") for url in requests), \
        [url for url in requests if not url.startswith("http://127.0.0.1:")]


# -- refusals before any build, and the pure rules -------------------------------------------


def test_dirty_tree_and_bad_names_are_refused_before_building(tmp_path):
    repo = tmp_path / "handbook"
    repo.mkdir()
    make_project(repo)
    for name in ("26.1", "2026", "2026.02", "2026.0", "2026.1a", "latest"):
        result = handbook(repo, "publish", "--edition", name)
        assert result.returncode == 1
        assert f"publish: refused: '{name}' is not an edition name: use the year and a number, YYYY.N (e.g. 2026.2)" in result.stderr
    (repo / "protocols" / "new-page.md").write_text("# Not committed\n", encoding="utf-8")
    result = handbook(repo, "publish", "--edition", "2026.1")
    assert result.returncode == 1
    assert result.stderr == (
        "publish: refused: the git tree has uncommitted changes; commit them (or undo them) first, "
        "because an edition must be rebuildable from its commit:\n  protocols/new-page.md\n"
    )
    assert not (repo / "_site").exists()
    (repo / "protocols" / "new-page.md").unlink()
    # An archive whose editions this clone has no tag for: nothing to compare with, so refused.
    other = tmp_path / "archive"
    (other / "2026.1").mkdir(parents=True)
    result = handbook(repo, "publish", "--edition", "2026.2", "--site", str(other))
    assert result.returncode == 1
    assert result.stderr == (
        f"publish: refused: edition 2026.1 is in {other} but this repository has no tag edition-2026.1: "
        "fetch the tags (git fetch --tags) and publish again\n"
    )
    help_text = handbook(repo, "publish", "--help")
    assert help_text.returncode == 0 and "--edition EDITION" in help_text.stdout and "--site SITE" in help_text.stdout


def _page(path: str, source: str) -> Page:
    pages, problems = read_pages({path: source})
    assert problems == []
    return next(iter(pages.values()))


def test_publication_rules():
    today = dt.date(2026, 12, 1)
    old = {"PR-005": _page("protocols/infusion-monitoring.md", MONITORING_V1)}
    assert publication_problems({"PR-005": _page("protocols/infusion-monitoring.md", MONITORING_V1_1)}, old, "2026.1", today) == []
    # Same text, same version: nothing to say.
    assert publication_problems(old, old, "2026.1", today) == []

    bumped_without_history = MONITORING_CHANGED.replace('\nversion: "1.0"', '\nversion: "1.1"', 1)
    assert publication_problems({"PR-005": _page("protocols/infusion-monitoring.md", bumped_without_history)}, old, "2026.1", today) == [
        "protocols/infusion-monitoring.md (PR-005) changed since edition 2026.1 and its version went from 1.0 to 1.1, "
        "but its history has no new entry for 1.1: add one that says what changed"
    ]
    lowered = MONITORING_V1_1.replace('"1.1"', '"0.9"')
    assert "its version went down from 1.0 to 0.9" in publication_problems(
        {"PR-005": _page("protocols/infusion-monitoring.md", lowered)}, old, "2026.1", today)[0]

    draft = DISCHARGE.replace("status: active", "status: draft")
    overdue = GUIDE.replace("review-by: 2029-11-16", "review-by: 2026-11-30")
    assert publication_problems(
        {"PR-008": _page("protocols/recovery-discharge.md", draft), "PG-006": _page("patient-guides/after-your-treatment.md", overdue)},
        None, None, today,
    ) == [
        "patient-guides/after-your-treatment.md (PG-006) was due for review by 2026-11-30, before this commit "
        "(2026-12-01): review it and set a new review-by date",
        "protocols/recovery-discharge.md (PR-008) is a draft: a draft is not for clinical use. Have it approved "
        "(status: active, version 1.0 or later) or remove it before publishing",
    ]
    # A retired document needs no review.
    retired = overdue.replace("status: active", "status: retired")
    assert publication_problems({"PG-006": _page("patient-guides/after-your-treatment.md", retired)}, None, None, today) == []
    # Due on the commit's own date is not overdue.
    due_today = GUIDE.replace("review-by: 2029-11-16", "review-by: 2026-12-01")
    assert publication_problems({"PG-006": _page("patient-guides/after-your-treatment.md", due_today)}, None, None, today) == []


def test_read_pages_ignores_index_pages_and_reports_pages_without_an_id():
    pages, problems = read_pages({
        "protocols/index.md": "# Staff protocols\n",
        "protocols/a.md": MONITORING_V1,
        "protocols/b.md": "# No front matter\n",
        "reference/changes.md": "# Changes\n",
    })
    assert list(pages) == ["PR-005"] and pages["PR-005"].title == "Infusion monitoring"
    assert problems == ["protocols/b.md: has no front matter id, so it is not a controlled document"]


def test_edition_names_sort_by_number():
    assert archive.sort_editions(["2026.10", "2027.1", "2026.2", "2026.9"]) == ["2026.2", "2026.9", "2026.10", "2027.1"]
    assert archive.switcher_entries(["2026.2", "2026.10"])[0] == {
        "name": "2026.10 (current)", "version": "2026.10", "url": "2026.10/", "preferred": True,
    }


def test_switcher_goes_in_the_article_header_and_makes_no_build_time_request():
    options = switcher_theme_options({"show_toc_level": 2}, "2026.2", "../switcher.json")
    assert options["article_header_start"] == ["toggle-primary-sidebar", "version-switcher"]
    assert options["switcher"] == {"json_url": "../switcher.json", "version_match": "2026.2"}
    assert options["check_switcher"] is False and options["show_toc_level"] == 2
    again = switcher_theme_options(options, "2026.2", "../switcher.json")
    assert again["article_header_start"] == ["toggle-primary-sidebar", "version-switcher"]


def test_diff_table_marks_changes_in_words_and_escapes_the_text():
    table = BeautifulSoup(diff_table_html("a\nb <i>\nc\n", "a\nB <i>\nc\nd\n", "cap", "2026.1", "2026.2"), "html.parser")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert rows == [
        ["Lines 1\u20133 of 2026.1, lines 1\u20134 of 2026.2"],
        ["1", "1", "", "a"],
        ["2", "", "Removed", "b <i>"],
        ["", "2", "Added", "B <i>"],
        ["3", "3", "", "c"],
        ["", "4", "Added", "d"],
    ]
    assert table.caption.get_text() == "cap" and table.find("i") is None
