"""The handbook's words are its own: no page copies the source articles.

The two clinic articles the handbook is built from are not in the repository;
their fingerprints are (``tests/content/seed_fingerprints.json``: hashed 8-word
runs, whole lines and phone numbers, never the text; see
``handbook.content.originality``). A page *copies* when it shares a run of 8 or
more consecutive words with an article, compared case-insensitively with
punctuation stripped. Pages are checked twice: as Markdown source (every file
under protocols/, patient-guides/, reference/ and index.md) and as rendered
HTML (so clinic settings, generated tables and the guidance register's text
are checked as readers see them).

One thing a page may take word for word is an article's title, when the
guidance register names the article by it: that is attribution, not copying.
The allowance is narrow: the title must be a whole line of that article, and
only that exact title is exempt, nothing before or after it.

No clinic phone number from the articles may appear in any tracked file or
built page. The check needs nothing outside the repository, and a test proves
it by running it in a copy of the repository with nothing beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO_ROOT
from handbook.content import originality
from handbook.content.originality import (
    copied_phones,
    copied_runs,
    markdown_text,
    phone_numbers,
    shared_runs,
    words,
)
from handbook.devtools import fingerprints as fingerprints_command

FINGERPRINTS = Path(__file__).resolve().parent / "seed_fingerprints.json"
PAGE_FOLDERS = ("protocols", "patient-guides", "reference")
PAGE_SUFFIXES = (".md", ".yaml", ".yml", ".txt", ".bib")


# -- Where things are -------------------------------------------------------------


def fingerprints() -> dict[str, originality.ArticleFingerprint]:
    return originality.load_fingerprints(FINGERPRINTS)


def all_shingles() -> dict[str, frozenset[str]]:
    return {name: article.shingles for name, article in fingerprints().items()}


def article_titles() -> dict[str, str]:
    """Article file name -> the title the guidance register cites it by, if that title is a whole line of it."""
    register = yaml.safe_load((REPO_ROOT / "reference" / "guidance.yaml").read_text(encoding="utf-8"))
    known = fingerprints()
    titles = {}
    for article in register["articles"].values():
        seed, title = article.get("seed"), article.get("title", "")
        if seed in known and known[seed].has_title(title):
            titles[seed] = title
    return titles


def page_files() -> list[Path]:
    files = [REPO_ROOT / "index.md"]
    for folder in PAGE_FOLDERS:
        files += sorted(
            path for path in (REPO_ROOT / folder).rglob("*") if path.is_file() and path.suffix in PAGE_SUFFIXES
        )
    return files


def tracked_text_files() -> list[tuple[Path, str]]:
    """Every tracked text file but the fingerprint file (hashes, whose digits are not phone numbers)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\0")
    files = []
    for name in filter(None, listed):
        path = REPO_ROOT / name
        if path == FINGERPRINTS:
            continue
        try:
            files.append((path, path.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return files


def _copies(name: str, text: str) -> list[str]:
    exempt = tuple(article_titles().values())
    return [
        f"{name} copies {seed}: \"{run}\""
        for seed, known in all_shingles().items()
        for run in copied_runs(text, known, exempt=exempt)
    ]


# -- The checker itself: it must catch a copy ---------------------------------------

ARTICLE = (
    "Medical Supervision: Ketamine Infusion Therapy is always conducted under the watchful eye "
    "of licensed medical professionals. Call (555) 555-0134 to learn more."
)


def test_checker_flags_a_planted_copied_sentence():
    page = "Our rule. KETAMINE infusion therapy is always conducted, under the watchful eye of our nurses."
    assert shared_runs(page, ARTICLE) == [
        "ketamine infusion therapy is always conducted under the watchful eye of"
    ]


def test_checker_ignores_a_run_of_seven_words():
    page = "Treatment is always conducted under the watchful eye here."
    assert shared_runs(page, ARTICLE) == []
    assert shared_runs("is always conducted under the watchful eye of", ARTICLE) == [
        "is always conducted under the watchful eye of"
    ]


def test_checker_strips_punctuation_and_curly_apostrophes():
    article = "Perry’s last months alive and the transition from his treatments at a clinic."
    page = "Perry's last months -- alive! and the transition (from) his treatments"
    assert shared_runs(page, article) == ["perrys last months alive and the transition from his treatments"]


def test_checker_sees_copies_through_markdown_markup():
    page = "**Ketamine infusion therapy** is [always conducted](x.md) under the *watchful* eye of staff."
    assert shared_runs(markdown_text(page), ARTICLE)
    # A citation dropped into a copied sentence does not make it the handbook's own.
    cited = "ketamine infusion therapy is always {cite:p}`x` conducted under the watchful eye"
    assert shared_runs(markdown_text(cited), ARTICLE) == [
        "ketamine infusion therapy is always conducted under the watchful eye"
    ]


def test_title_exemption_is_exactly_the_title():
    article = "The Long Title Of This Short Blog About Ketamine\n\nSome body text follows here today."
    title = "The long title of this short blog about ketamine"
    assert shared_runs(f"Article A: {title}.", article, exempt=(title,)) == []
    assert shared_runs(f"Article A: {title}.", article) == ["the long title of this short blog about ketamine"]
    # Copied words that run on past the title are still a copy.
    assert shared_runs(f"{title} of this short blog about ketamine some body text", article, exempt=(title,)) == [
        "of this short blog about ketamine some body text"
    ]
    assert originality.fingerprint_article("a.txt", article).has_title(title.upper() + "!")
    assert not originality.fingerprint_article("a.txt", article).has_title("The long title of this short blog")


def test_phone_numbers_are_found_in_any_usual_form():
    # Fictional numbers: the test file must not hold the articles' own.
    assert phone_numbers(ARTICLE) == {"5555550134"}
    for written in ("(555) 555-0134", "555-555-0134", "555.555.0134", "5555550134", "(555)555 0134",
                    "+1 555 555 0134", "1-555-555-0134", "555\u2013555\u20130134"):
        assert phone_numbers(f"Call {written} today.") == {"5555550134"}, written
    assert phone_numbers("Call 555-0100 or 155555501349.") == set()
    known = {originality.phone_hash("5555550134")}
    assert copied_phones("Call 555.555.0134, or 555-555-0199.", known) == ["5555550134"]


# -- The fingerprints: same detection power as the text ------------------------------


def test_fingerprints_are_written_from_articles_and_catch_what_the_text_catches(tmp_path):
    """The real command, on synthetic articles: the file holds no text, and finds the same copies."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(f"A Title For The Test Article Of Nine Words\n\n{ARTICLE}\n", encoding="utf-8")
    (seeds / "b.txt").write_text("Another article says patients rest for one full hour after every infusion.\n",
                                 encoding="utf-8")
    output = tmp_path / "fingerprints.json"
    assert fingerprints_command.main(["--seeds", str(seeds), "--output", str(output)]) == 0
    assert fingerprints_command.main(["--seeds", str(seeds), "--output", str(output), "--check"]) == 0
    text = output.read_text(encoding="utf-8").lower()
    assert not any(word in text for word in ("ketamine", "watchful", "patients", "infusion", "title", "5550134"))
    known = originality.load_fingerprints(output)
    assert sorted(known) == ["a.txt", "b.txt"]
    page = "Our rule: ketamine infusion therapy is always conducted under the watchful eye of a nurse. " \
           "Patients rest for one full hour after every infusion. Call 555-555-0134."
    assert copied_runs(page, known["a.txt"].shingles) == shared_runs(page, ARTICLE) == [
        "ketamine infusion therapy is always conducted under the watchful eye of"
    ]
    assert copied_runs(page, known["b.txt"].shingles) == ["patients rest for one full hour after every infusion"]
    assert copied_phones(page, known["a.txt"].phones) == ["5555550134"]
    assert known["a.txt"].has_title("A title for the test article of nine words")
    # A changed article makes the committed file out of date.
    (seeds / "b.txt").write_text("Changed.\n", encoding="utf-8")
    assert fingerprints_command.main(["--seeds", str(seeds), "--output", str(output), "--check"]) == 1


def test_a_missing_seed_folder_is_a_clear_error(tmp_path, capsys):
    assert fingerprints_command.main(["--seeds", str(tmp_path / "nowhere")]) == 2
    assert f"no seed folder at {tmp_path / 'nowhere'}" in capsys.readouterr().err


def test_the_committed_fingerprints_are_of_the_two_articles():
    """Guard against a check that passes because it compares with nothing."""
    known = fingerprints()
    assert len(known) == 2
    assert sum(article.words for article in known.values()) > 1000
    assert all(len(article.shingles) > 900 for article in known.values())
    assert set().union(*(article.phones for article in known.values())), "no phone number in the fingerprints"
    titles = article_titles()
    assert len(titles) == len(known), "the register should cite each article by its title"
    # Known positives from the real articles: each title (9 and 10 words) is itself a copy
    # when it is not exempt, so the runs really are the articles' runs.
    for seed, title in titles.items():
        assert len(words(title)) >= originality.RUN
        assert copied_runs(title, known[seed].shingles) == [" ".join(words(title))]


def test_the_check_runs_from_a_copy_with_nothing_beside_it(tmp_path):
    """The originality tests on a copy of the repository's files, alone in a folder: no ../shared, no git history."""
    lonely = tmp_path / "lonely"
    copy = lonely / "handbook"
    # The files a clone would have, as they are now (uncommitted work included).
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60).stdout
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = REPO_ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    assert (copy / FINGERPRINTS.relative_to(REPO_ROOT)).is_file()
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True, timeout=60)
    subprocess.run(["git", "add", "-A"], cwd=copy, check=True, timeout=60)
    assert sorted(p.name for p in lonely.iterdir()) == ["handbook"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GIT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/content/test_originality.py",
         "-k", "not built and not copy_with_nothing"],
        cwd=copy, capture_output=True, text=True, timeout=600, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "deselected" in summary, summary
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= len(page_files()) + 5, summary


# -- The real handbook ---------------------------------------------------------------


@pytest.mark.parametrize("path", page_files(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_page_source_shares_no_run_of_eight_words_with_an_article(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        text = markdown_text(text)
    problems = _copies(str(path.relative_to(REPO_ROOT)), text)
    assert problems == [], "\n".join(problems)


def test_no_phone_number_from_the_articles_appears_in_a_tracked_file():
    known = set().union(*(article.phones for article in fingerprints().values()))
    places = tracked_text_files()
    assert len(places) > 50
    found = [f"{path}: {number}" for path, text in places for number in copied_phones(text, known)]
    assert found == [], "\n".join(found)


def test_built_pages_share_no_run_of_eight_words_with_an_article(handbook_html):
    pages = sorted(Path(handbook_html.outdir).rglob("*.html"))
    assert len(pages) >= 25, f"only {len(pages)} built pages found"
    problems = []
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one("article.bd-article") or soup.body
        if main is None:
            continue
        for citation in main.select("span.bibtex-citation"):
            citation.replace_with(" ")
        name = str(page.relative_to(handbook_html.outdir))
        problems += _copies(name, main.get_text(" "))
    assert problems == [], "\n".join(problems)


def test_no_phone_number_from_the_articles_appears_in_the_built_site(handbook_html):
    known = set().union(*(article.phones for article in fingerprints().values()))
    pages = list(Path(handbook_html.outdir).rglob("*.html"))
    assert len(pages) >= 25
    found = [
        f"{page}: {number}" for page in pages for number in copied_phones(page.read_text(encoding="utf-8"), known)
    ]
    assert found == [], "\n".join(found)
