"""Originality: does a page copy the source articles? Checked from fingerprints alone (pure, no Sphinx).

The handbook is written from two clinic articles that are not part of the
repository. A page *copies* when it shares a run of :data:`RUN` (8) or more
consecutive words with an article, compared case-insensitively with
punctuation stripped (:func:`words`). No phone number from the articles may
appear anywhere in the repository or the site.

So that the check needs nothing outside the repository, the repository keeps
*fingerprints* of the articles, never their text
(``tests/content/seed_fingerprints.json``, written by
``python -m handbook.devtools.fingerprints`` where the articles are present):

* every run of 8 words of each article, as the first 16 hex digits of the
  SHA-256 of the run's normalised words joined by single spaces
  (:func:`shingle_hash`);
* every whole line of each article, hashed the same way (:func:`line_hash`),
  so an article's title can be recognised (the one allowance: a page may
  name an article by its title);
* every phone number in each article, as PBKDF2-HMAC-SHA256 of its ten
  digits (:func:`phone_hash`; slow on purpose, so the numbers cannot be
  recovered by trying all of them quickly).

A page is checked by hashing its own runs the same way and looking them up,
which finds exactly what comparing with the text would find (bar a 64-bit
hash collision).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Words in a row that make a copy.
RUN = 8
#: Hex digits kept of each SHA-256 (64 bits).
HASH_DIGITS = 16
#: PBKDF2 settings for phone numbers.
PHONE_SALT = b"handbook-originality-phone"
PHONE_ITERATIONS = 200_000
#: Version of the fingerprint scheme written into the file; a reader refuses any other.
SCHEME = 1

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_WORD = re.compile(r"[a-z0-9]+")
#: Stands for a break no run may cross (where an exempt title was cut out).
BREAK = "\x00"


def words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped; an apostrophe joins its word (``Perry's`` -> ``perrys``)."""
    found = []
    for chunk in text.lower().split(BREAK):
        found.extend(_WORD.findall(_APOSTROPHES.sub("", chunk)))
        found.append(BREAK)
    return found[:-1]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def shingle_hash(run: Iterable[str]) -> str:
    """The fingerprint of one run of words (already normalised by :func:`words`)."""
    return _hash(" ".join(run))


def line_hash(line: str) -> str:
    """The fingerprint of a whole line of text (normalised first)."""
    return _hash(" ".join(w for w in words(line) if w != BREAK))


@functools.cache
def phone_hash(digits: str) -> str:
    """The fingerprint of a ten-digit phone number (bare digits), PBKDF2-HMAC-SHA256."""
    return hashlib.pbkdf2_hmac("sha256", digits.encode("ascii"), PHONE_SALT, PHONE_ITERATIONS).hex()[:32]


def shingles(text: str, run: int = RUN) -> set[str]:
    """The fingerprints of every run of ``run`` words of ``text`` (none crossing a break)."""
    found = words(text)
    return {
        shingle_hash(found[i : i + run])
        for i in range(len(found) - run + 1)
        if BREAK not in found[i : i + run]
    }


def copied_runs(text: str, known: set[str] | frozenset[str], run: int = RUN, exempt: tuple[str, ...] = ()) -> list[str]:
    """Each longest stretch of ``text`` whose runs of ``run`` words are in ``known`` (shingle fingerprints).

    ``exempt`` phrases (article titles) are cut out of ``text`` first, each
    matched as whole words, so a run can neither sit in one nor cross one.
    Returns the stretches as normalised words, in page order.
    """
    for phrase in exempt:
        phrase_words = [w for w in words(phrase) if w != BREAK]
        if phrase_words:
            pattern = r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(map(re.escape, phrase_words)) + r"(?![a-z0-9])"
            text = re.sub(pattern, BREAK, _APOSTROPHES.sub("", text.lower()))
    page = words(text)
    stretches: list[list[int]] = []
    for i in range(len(page) - run + 1):
        window = page[i : i + run]
        if BREAK not in window and shingle_hash(window) in known:
            if stretches and i <= stretches[-1][1]:
                stretches[-1][1] = i + run
            else:
                stretches.append([i, i + run])
    return [" ".join(page[start:end]) for start, end in stretches]


def shared_runs(text: str, source: str, run: int = RUN, exempt: tuple[str, ...] = ()) -> list[str]:
    """:func:`copied_runs` against the text ``source`` itself (fingerprinted on the fly)."""
    return copied_runs(text, shingles(source, run), run, exempt)


_SEP = r"[\s.\-\u2010-\u2015]*"
_PHONE = re.compile(rf"(?<!\d)(?=((?:\+?1{_SEP})?\(?(\d{{3}})\)?{_SEP}(\d{{3}}){_SEP}(\d{{4}}))(?!\d))")


def phone_numbers(text: str) -> set[str]:
    """Ten-digit North American phone numbers in ``text`` in any usual form, as bare digits.

    ``(555) 555-0134``, ``555-555-0134``, ``555.555.0134``, ``5555550134``,
    ``+1 555 555 0134`` and dashes of any kind all give ``5555550134``.
    """
    return {"".join(match.group(2, 3, 4)) for match in _PHONE.finditer(text)}


def copied_phones(text: str, known: set[str] | frozenset[str]) -> list[str]:
    """The phone numbers of ``text`` (bare digits, sorted) whose :func:`phone_hash` is in ``known``."""
    return sorted(number for number in phone_numbers(text) if phone_hash(number) in known)


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_CITE_ROLE = re.compile(r"\{cite(?::\w+)*\}`[^`]*`")
_ROLE_WITH_TARGET = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*<[^`>]*>`")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def markdown_text(source: str) -> str:
    """The words a reader sees in a MyST page: no front matter, link targets or citation keys."""
    text = _FRONT_MATTER.sub("", source)
    text = _CITE_ROLE.sub(" ", text)
    text = _ROLE_WITH_TARGET.sub(r"\1", text)
    text = _ROLE.sub(r"\1", text)
    return _LINK.sub(r"\1", text)


# -- the fingerprint file ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ArticleFingerprint:
    """One article's fingerprints: its word count, runs, whole lines and phone numbers (all hashed)."""

    name: str
    words: int
    shingles: frozenset[str]
    lines: frozenset[str]
    phones: frozenset[str]

    def has_title(self, title: str) -> bool:
        """Whether ``title`` is a whole line of the article (the attribution allowance)."""
        return line_hash(title) in self.lines


def fingerprint_article(name: str, text: str) -> ArticleFingerprint:
    """The fingerprints of one article's text."""
    return ArticleFingerprint(
        name=name,
        words=sum(1 for w in words(text) if w != BREAK),
        shingles=frozenset(shingles(text)),
        lines=frozenset(line_hash(line) for line in text.splitlines() if words(line)),
        phones=frozenset(phone_hash(number) for number in phone_numbers(text)),
    )


def fingerprints_json(articles: Mapping[str, str]) -> str:
    """The fingerprint file for ``articles`` (file name -> text): sorted, stable JSON with no article text."""
    data = {
        "about": (
            "Fingerprints of the source articles for the originality check (handbook.content.originality). "
            "Never their text. Regenerate: make fingerprints SEEDS=path/to/seeds"
        ),
        "scheme": SCHEME,
        "run": RUN,
        "shingle": f"sha256(' '.join(normalised words))[:{HASH_DIGITS}] of every run of {RUN} words",
        "line": f"sha256(' '.join(normalised words))[:{HASH_DIGITS}] of every whole line",
        "phone": f"pbkdf2_hmac('sha256', ten digits, {PHONE_SALT.decode()!r}, {PHONE_ITERATIONS}).hex()[:32]",
        "articles": {},
    }
    for name in sorted(articles):
        article = fingerprint_article(name, articles[name])
        data["articles"][name] = {
            "words": article.words,
            "shingles": sorted(article.shingles),
            "lines": sorted(article.lines),
            "phones": sorted(article.phones),
        }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def load_fingerprints(path: Path) -> dict[str, ArticleFingerprint]:
    """Read a fingerprint file: article file name -> :class:`ArticleFingerprint`.

    Raises ``ValueError`` (naming the file) when it is not one this module wrote.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("scheme") != SCHEME or data.get("run") != RUN:
        raise ValueError(f"{path}: fingerprint scheme {data.get('scheme')!r}, run {data.get('run')!r}; "
                         f"expected scheme {SCHEME}, run {RUN}: regenerate with make fingerprints")
    return {
        name: ArticleFingerprint(
            name=name,
            words=entry["words"],
            shingles=frozenset(entry["shingles"]),
            lines=frozenset(entry["lines"]),
            phones=frozenset(entry["phones"]),
        )
        for name, entry in data["articles"].items()
    }
