"""The handbook's words are its own: no page copies the seed articles.

The two clinic articles the handbook is built from live outside the repository,
in ``shared/seeds/`` beside the clone (``<repo>/../shared/seeds``). A page
*copies* when it shares a run of 8 or more consecutive words with an article,
compared case-insensitively with punctuation stripped. Pages are checked twice:
as Markdown source (every file under protocols/, patient-guides/, reference/
and index.md) and as rendered HTML (so clinic settings, generated tables and
the guidance register's text are checked as readers see them).

One thing a page may take word for word is an article's title, when the
guidance register names the article by it: that is attribution, not copying.
The allowance is narrow: the title must be a whole line of that article, and
only that exact title is exempt, nothing before or after it.

No clinic phone number from the articles may appear in any tracked file or
built page. If the seeds are missing the test fails: it never skips.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO_ROOT

RUN = 8
PAGE_FOLDERS = ("protocols", "patient-guides", "reference")
PAGE_SUFFIXES = (".md", ".yaml", ".yml", ".txt", ".bib")


# -- The checker -------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_WORD = re.compile(r"[a-z0-9]+")
# Stands for a break no run may cross (where an exempt title was cut out).
_BREAK = "\x00"


def words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped; an apostrophe joins its word."""
    words_ = []
    for chunk in text.lower().split(_BREAK):
        words_.extend(_WORD.findall(_APOSTROPHES.sub("", chunk)))
        words_.append(_BREAK)
    return words_[:-1]


def _runs(source_words: list[str], run: int) -> set[tuple[str, ...]]:
    return {
        tuple(source_words[i : i + run])
        for i in range(len(source_words) - run + 1)
        if _BREAK not in source_words[i : i + run]
    }


def shared_runs(text: str, source: str, run: int = RUN, exempt: tuple[str, ...] = ()) -> list[str]:
    """Each longest stretch of ``text`` that shares ``run``+ consecutive words with ``source``.

    ``exempt`` phrases (article titles) are cut out of ``text`` first, each
    matched as whole words, so a run can neither sit in one nor cross one.
    """
    for phrase in exempt:
        phrase_words = [w for w in words(phrase) if w != _BREAK]
        if phrase_words:
            pattern = r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(map(re.escape, phrase_words)) + r"(?![a-z0-9])"
            text = re.sub(pattern, _BREAK, _APOSTROPHES.sub("", text.lower()))
    known = _runs(words(source), run)
    page = words(text)
    stretches: list[list[int]] = []
    for i in range(len(page) - run + 1):
        if tuple(page[i : i + run]) in known:
            if stretches and i <= stretches[-1][1]:
                stretches[-1][1] = i + run
            else:
                stretches.append([i, i + run])
    return [" ".join(page[start:end]) for start, end in stretches]


_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.\-]*)?\(?(\d{3})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})(?!\d)")


def phone_numbers(text: str) -> set[str]:
    """Ten-digit North American phone numbers in ``text``, as bare digits."""
    return {"".join(match.groups()) for match in _PHONE.finditer(text)}


def contains_phone(text: str, digits: str) -> bool:
    """Whether ``text`` writes the ten-digit number ``digits`` in any usual form."""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    sep = r"[\s.\-\u2010-\u2015]*"
    return re.search(rf"(?<!\d)\(?{area}\)?{sep}{exchange}{sep}{line}(?!\d)", text) is not None


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_CITE_ROLE = re.compile(r"\{cite(?::\w+)*\}`[^`]*`")
_ROLE_WITH_TARGET = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*<[^`>]*>`")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def markdown_text(source: str) -> str:
    """The words a reader sees in a MyST page: no link targets, no citation keys."""
    text = _CITE_ROLE.sub(" ", source)
    text = _ROLE_WITH_TARGET.sub(r"\1", text)
    text = _ROLE.sub(r"\1", text)
    return _LINK.sub(r"\1", text)


# -- Where things are -------------------------------------------------------------


def _clone_roots() -> list[Path]:
    """The repository root, then (in a git worktree) the main checkout's root."""
    roots = [REPO_ROOT]
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return roots
    main_root = Path(common).parent
    if common and Path(common).name == ".git" and main_root.resolve() != REPO_ROOT.resolve():
        roots.append(main_root)
    return roots


def seeds_dir() -> Path:
    """``shared/seeds`` beside the clone; fails (never skips) when it is not there."""
    tried = [root.parent / "shared" / "seeds" for root in _clone_roots()]
    for path in tried:
        if path.is_dir():
            return path
    pytest.fail(
        "The seed articles are missing: looked for "
        + " and ".join(str(path) for path in tried)
        + ". Check out the shared/ folder beside the repository (../shared/seeds/*.txt) "
        "so the originality check can compare the pages with the articles.",
        pytrace=False,
    )


def seed_articles() -> dict[str, str]:
    folder = seeds_dir()
    articles = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    if len(articles) < 2 or not all(text.strip() for text in articles.values()):
        pytest.fail(f"Expected the two seed articles (*.txt) in {folder}, found {sorted(articles)}", pytrace=False)
    return articles


def article_titles(articles: dict[str, str]) -> dict[str, str]:
    """Seed file name -> the title the guidance register cites it by, if that title is a whole line of it."""
    register = yaml.safe_load((REPO_ROOT / "reference" / "guidance.yaml").read_text(encoding="utf-8"))
    titles = {}
    for article in register["articles"].values():
        seed, title = article.get("seed"), article.get("title", "")
        if seed in articles and any(words(line) == words(title) for line in articles[seed].splitlines()):
            titles[seed] = title
    return titles


def page_files() -> list[Path]:
    files = [REPO_ROOT / "index.md"]
    for folder in PAGE_FOLDERS:
        files += sorted(
            path for path in (REPO_ROOT / folder).rglob("*") if path.is_file() and path.suffix in PAGE_SUFFIXES
        )
    return files


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\0")
    files = []
    for name in filter(None, listed):
        path = REPO_ROOT / name
        try:
            files.append((path, path.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return files


def _copies(name: str, text: str, articles: dict[str, str], titles: dict[str, str]) -> list[str]:
    exempt = tuple(titles.values())
    return [
        f"{name} copies {seed}: \"{run}\""
        for seed, article in articles.items()
        for run in shared_runs(text, article, exempt=exempt)
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


def test_phone_numbers_are_found_in_any_usual_form():
    # Fictional numbers: the test file must not hold the articles' own.
    assert phone_numbers(ARTICLE) == {"5555550134"}
    for written in ("(555) 555-0134", "555-555-0134", "555.555.0134", "5555550134", "(555)555 0134"):
        assert contains_phone(f"Call {written} today.", "5555550134"), written
    assert not contains_phone("Call 555-0100 or 155555501349.", "5555550134")


def test_missing_seeds_fail_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "_clone_roots", lambda: [tmp_path / "clone"])
    with pytest.raises(pytest.fail.Exception) as failure:
        seeds_dir()
    message = str(failure.value)
    assert str(tmp_path / "shared" / "seeds") in message
    assert "seed articles are missing" in message


# -- The real handbook ---------------------------------------------------------------


def test_seed_articles_and_their_phone_numbers_are_found():
    """Guard against a check that passes because it compares with nothing."""
    articles = seed_articles()
    assert sum(len(words(text)) for text in articles.values()) > 1000
    assert set().union(*map(phone_numbers, articles.values())), "no phone number found in the articles"
    assert len(article_titles(articles)) == len(articles), "the register should cite each article by its title"


@pytest.mark.parametrize("path", page_files(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_page_source_shares_no_run_of_eight_words_with_an_article(path):
    articles = seed_articles()
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        text = markdown_text(_FRONT_MATTER.sub("", text))
    problems = _copies(str(path.relative_to(REPO_ROOT)), text, articles, article_titles(articles))
    assert problems == [], "\n".join(problems)


def test_built_pages_share_no_run_of_eight_words_with_an_article(handbook_html):
    articles = seed_articles()
    titles = article_titles(articles)
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
        problems += _copies(name, main.get_text(" "), articles, titles)
    assert problems == [], "\n".join(problems)


def test_no_phone_number_from_the_articles_appears_in_the_repository_or_the_site(handbook_html):
    articles = seed_articles()
    numbers = set().union(*map(phone_numbers, articles.values()))
    assert numbers, "no phone number found in the seed articles"
    places = tracked_text_files()
    places += [(page, page.read_text(encoding="utf-8")) for page in Path(handbook_html.outdir).rglob("*.html")]
    assert len(places) > 50
    found = [
        f"{path}: {number}" for path, text in places for number in sorted(numbers) if contains_phone(text, number)
    ]
    assert found == [], "\n".join(found)
