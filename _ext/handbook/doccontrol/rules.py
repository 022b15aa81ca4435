"""The rules of document control, as pure functions.

``check_page()`` reads one controlled page's text, ``validate()`` checks its
front matter, and ``check_handbook()`` checks what only the whole handbook can
tell (duplicate ids, replacements that do not exist). Each finding is a
``Problem`` naming the page, the 1-based line of the offending key, a warning
subtype and a message; the Sphinx glue turns it into a warning
``[handbook.<subtype>]``. Nothing here imports Sphinx.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Any

from handbook.doccontrol.model import STATUSES, DocumentControl, HistoryEntry
from handbook.doccontrol.frontmatter import FrontMatter, FrontMatterError, parse_front_matter

REQUIRED_KEYS = (
    "id", "version", "status", "effective", "review-by", "owner", "approver", "covers", "history",
)
OPTIONAL_KEYS = ("superseded-by",)
#: Keys Sphinx and MyST give a meaning of their own; allowed on any page.
SPHINX_KEYS = ("orphan", "nocomments", "nosearch", "tocdepth", "myst", "html_meta")
HISTORY_KEYS = ("version", "date", "summary")

VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
COVERS_RE = re.compile(r"SG-[0-9]{2,}")
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: Every warning subtype this module emits, and what it means (the README lists them too).
SUBTYPES = {
    "frontmatter": "front matter missing, not YAML, not a mapping; a key missing, unknown, repeated or of the wrong type",
    "id": "id malformed or not of the folder's prefix",
    "duplicate-id": "two pages share an id",
    "version": "version unquoted or not MAJOR.MINOR; 0.x outside draft, or a draft at 1.0 or later",
    "status": "status not one of draft, active, superseded, retired",
    "date": "effective or review-by malformed, impossible, or carrying a time",
    "review": "review-by not after effective, or beyond the review cycle",
    "approval": "owner and approver are the same person or role",
    "superseded": "superseded-by missing, forbidden, unknown, the page itself, or out of force",
    "history": "history empty, malformed, unordered, or not starting with this version and effective date",
    "covers": "covers not a list of guidance point ids (SG-nn)",
}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One defect in a page's document control."""

    docname: str
    line: int
    subtype: str
    message: str


@dataclasses.dataclass(frozen=True)
class PageRecord:
    """What the build keeps of one controlled page (picklable)."""

    docname: str
    #: The page's metadata when its front matter is valid, else ``None``.
    doc: DocumentControl | None
    problems: tuple[Problem, ...]
    #: The id and replacement as written (kept for the cross-page checks even
    #: when some other key is invalid), with their lines.
    id: str | None = None
    id_line: int = 1
    superseded_by: str | None = None
    superseded_by_line: int = 1


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def parse_version(value: str) -> tuple[int, int]:
    major, minor = value.split(".")
    return int(major), int(minor)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _quote(value: Any) -> str:
    """A value as the page's author wrote it, for messages."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


class _Checker:
    def __init__(self, front_matter: FrontMatter, docname: str) -> None:
        self.fm = front_matter
        self.data = front_matter.data
        self.docname = docname
        self.problems: list[Problem] = []

    def problem(self, line: int, subtype: str, message: str) -> None:
        self.problems.append(Problem(self.docname, line, subtype, message))

    def at(self, key: str, subtype: str, message: str) -> None:
        self.problem(self.fm.line_of(key), subtype, message)

    def text(self, key: str) -> str | None:
        """The value of ``key`` when it is non-empty text; report it otherwise."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.at(key, "frontmatter", f"{key} must be non-empty text, not {_quote(value)}")
            return None
        return value.strip()

    def date(self, key: str, value: Any, line: int, label: str | None = None) -> dt.date | None:
        label = label or key
        if isinstance(value, dt.datetime):
            self.problem(line, "date", f"{label} must be a date without a time, such as 2026-12-01, not {value.isoformat(sep=' ')}")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and ISO_DATE_RE.fullmatch(value.strip()):
            self.problem(line, "date", f"{label} {_quote(value)} is not a real date")
            return None
        self.problem(line, "date", f"{label} must be a date written YYYY-MM-DD, such as 2026-12-01, not {_quote(value)}")
        return None

    def version(self, key: str, value: Any, line: int, label: str | None = None, raw: str | None = None) -> str | None:
        label = label or key
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            written = raw or str(value)
            self.problem(line, "version", f'{label} must be a quoted "MAJOR.MINOR" string: YAML reads the unquoted {written} as the number {value!r} (write "{written}")')
            return None
        if not isinstance(value, str) or not VERSION_RE.fullmatch(value):
            self.problem(line, "version", f'{label} {_quote(value)} is not "MAJOR.MINOR", such as "1.0" or "2.13"')
            return None
        return value


def validate(
    front_matter: FrontMatter | None,
    docname: str,
    *,
    id_prefix: str,
    review_cycle_months: int = 36,
) -> list[Problem]:
    """Every problem in one controlled page's front matter."""
    return _validate(front_matter, docname, id_prefix, review_cycle_months)[0]


def _validate(
    front_matter: FrontMatter | None, docname: str, id_prefix: str, review_cycle_months: int,
) -> tuple[list[Problem], dict[str, Any]]:
    if front_matter is None or not front_matter.data:
        keys = ", ".join(REQUIRED_KEYS)
        return [Problem(docname, 1, "frontmatter", f"controlled page has no front matter; it needs {keys}")], {}
    check = _Checker(front_matter, docname)
    data = front_matter.data
    good: dict[str, Any] = {}

    known = REQUIRED_KEYS + OPTIONAL_KEYS
    for key in data:
        if key not in known and key not in SPHINX_KEYS:
            check.at(key, "frontmatter", f"unknown front-matter key '{key}'{_suggest(key, known)}")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.problem(front_matter.start_line, "frontmatter", f"front matter is missing the required key '{key}'")

    if "id" in data:
        value = data["id"]
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}-[0-9]{3}", value):
            check.at("id", "id", f"id {_quote(value)} is malformed: pages in {docname.rpartition('/')[0]}/ use {id_prefix}-nnn, such as {id_prefix}-001")
        elif not value.startswith(f"{id_prefix}-"):
            check.at("id", "id", f"id {_quote(value)} does not belong in {docname.rpartition('/')[0]}/: its pages use {id_prefix}-nnn")
        else:
            good["id"] = value

    status = None
    if "status" in data:
        value = data["status"]
        if value in STATUSES:
            status = good["status"] = value
        else:
            suggestion = _suggest(value, STATUSES) if isinstance(value, str) else ""
            check.at("status", "status", f"status {_quote(value)} is not one of {', '.join(STATUSES)}{suggestion}")

    if "version" in data:
        version = check.version("version", data["version"], front_matter.line_of("version"),
                                raw=front_matter.raw_values.get("version"))
        if version is not None:
            good["version"] = version
            major = parse_version(version)[0]
            if status == "draft" and major >= 1:
                check.at("version", "version", f'a draft\'s version must be 0.x; "{version}" is an approved version (make it "0.x" or change the status)')
            elif status is not None and status != "draft" and major == 0:
                check.at("version", "version", f'version "{version}" is a draft version, but status is {status}: approved documents are 1.0 or later')

    for key in ("effective", "review-by"):
        if key in data:
            date = check.date(key, data[key], front_matter.line_of(key))
            if date is not None:
                good[key] = date
    if "effective" in good and "review-by" in good:
        effective, review_by = good["effective"], good["review-by"]
        latest = add_months(effective, review_cycle_months)
        if review_by <= effective:
            check.at("review-by", "review", f"review-by {review_by.isoformat()} must be after effective {effective.isoformat()}")
        elif review_by > latest:
            check.at("review-by", "review", f"review-by {review_by.isoformat()} is more than {review_cycle_months} months after effective {effective.isoformat()} (at most {latest.isoformat()})")

    owner, approver = check.text("owner"), check.text("approver")
    if owner is not None:
        good["owner"] = owner
    if approver is not None:
        good["approver"] = approver
    if owner and approver and owner.casefold() == approver.casefold():
        check.at("approver", "approval", f"approver '{approver}' is also the owner: a document is approved by someone other than its owner")

    if status == "superseded" and "superseded-by" not in data:
        check.at("status", "superseded", "status is superseded but superseded-by is missing: name the replacement's id")
    if "superseded-by" in data:
        value = data["superseded-by"]
        if status is not None and status != "superseded":
            check.at("superseded-by", "superseded", f"superseded-by is only allowed when status is superseded, not {status}")
        elif not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}-[0-9]{3}", value):
            check.at("superseded-by", "superseded", f"superseded-by {_quote(value)} is not a document id such as {id_prefix}-001")
        elif value == data.get("id"):
            check.at("superseded-by", "superseded", f"superseded-by {_quote(value)} is this page's own id")
        else:
            good["superseded-by"] = value

    if "covers" in data:
        value = data["covers"]
        if not isinstance(value, list):
            check.at("covers", "covers", f"covers must be a list of guidance point ids such as [SG-04, SG-07], not {_quote(value)}")
        else:
            lines = front_matter.item_lines.get("covers", [])
            bad = [(index, item) for index, item in enumerate(value) if not (isinstance(item, str) and COVERS_RE.fullmatch(item))]
            for index, item in bad:
                line = lines[index] if index < len(lines) else front_matter.line_of("covers")
                check.problem(line, "covers", f"covers item {_quote(item)} is not a guidance point id such as SG-04")
            duplicates = sorted({item for item in value if isinstance(item, str) and value.count(item) > 1})
            if duplicates:
                check.at("covers", "covers", f"covers lists {', '.join(duplicates)} more than once")
            if not bad and not duplicates:
                good["covers"] = tuple(value)

    if "history" in data:
        history = _validate_history(check, good)
        if history is not None:
            good["history"] = history
    return check.problems, good


def _validate_history(check: _Checker, good: dict[str, Any]) -> tuple[HistoryEntry, ...] | None:
    fm, value = check.fm, check.data["history"]
    if not isinstance(value, list) or not value:
        check.at("history", "history", "history must list at least one entry {version, date, summary}, newest first")
        return None
    lines = fm.item_lines.get("history", [])
    entries: list[tuple[HistoryEntry, int]] = []
    ok = True
    for index, item in enumerate(value):
        line = lines[index] if index < len(lines) else fm.line_of("history")
        if not isinstance(item, dict):
            check.problem(line, "history", f"history entry {index + 1} must be a mapping {{version, date, summary}}, not {_quote(item)}")
            ok = False
            continue
        missing = [key for key in HISTORY_KEYS if key not in item]
        unknown = [str(key) for key in item if key not in HISTORY_KEYS]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"is missing {', '.join(missing)}")
            if unknown:
                parts.append(f"has unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
            check.problem(line, "history", f"history entry {index + 1} {' and '.join(parts)}")
            ok = False
            continue
        label = f"history entry {index + 1}"
        version = check.version("version", item["version"], line, f"{label} version")
        date = check.date("date", item["date"], line, f"{label} date")
        summary = item["summary"]
        if not isinstance(summary, str) or not summary.strip():
            check.problem(line, "history", f"{label} summary must be non-empty text")
            ok = False
        if version is None or date is None:
            ok = False
        if ok:
            entries.append((HistoryEntry(version, date, summary.strip()), line))
    if not ok:
        return None

    for (newer, _), (older, line) in zip(entries, entries[1:]):
        if parse_version(older.version) >= parse_version(newer.version) or older.date > newer.date:
            check.problem(line, "history", f'history is not newest first: "{older.version}" ({older.date.isoformat()}) comes after "{newer.version}" ({newer.date.isoformat()})')
            return None
    first, first_line = entries[0]
    if "version" in good and first.version != good["version"]:
        check.problem(first_line, "history", f'history starts with "{first.version}", not the current version "{good["version"]}"')
        return None
    if "effective" in good and first.date != good["effective"]:
        check.problem(first_line, "history", f"history's first entry is dated {first.date.isoformat()}, not the effective date {good['effective'].isoformat()}")
        return None
    return tuple(entry for entry, _ in entries)


def check_page(
    text: str,
    docname: str,
    title: str,
    *,
    id_prefix: str,
    review_cycle_months: int = 36,
) -> PageRecord:
    """Read and check one controlled page's source text."""
    try:
        front_matter = parse_front_matter(text)
    except FrontMatterError as error:
        return PageRecord(docname, None, (Problem(docname, error.line, "frontmatter", error.message),))
    problems, good = _validate(front_matter, docname, id_prefix, review_cycle_months)
    data = front_matter.data if front_matter else {}
    ident = data.get("id") if isinstance(data.get("id"), str) else None
    replacement = data.get("superseded-by") if isinstance(data.get("superseded-by"), str) else None
    lines = dict(
        id=ident,
        id_line=front_matter.line_of("id") if front_matter else 1,
        superseded_by=replacement,
        superseded_by_line=front_matter.line_of("superseded-by") if front_matter else 1,
    )
    if problems:
        return PageRecord(docname, None, tuple(problems), **lines)
    doc = DocumentControl(
        docname=docname,
        id=good["id"],
        title=title,
        version=good["version"],
        status=good["status"],
        effective=good["effective"],
        review_by=good["review-by"],
        owner=good["owner"],
        approver=good["approver"],
        superseded_by=good.get("superseded-by"),
        covers=good["covers"],
        history=good["history"],
    )
    return PageRecord(docname, doc, (), **lines)


def check_handbook(records: Iterable[PageRecord]) -> list[Problem]:
    """What only the whole handbook can tell: shared ids, replacements that are not there."""
    records = sorted(records, key=lambda record: record.docname)
    first_with: dict[str, PageRecord] = {}
    problems: list[Problem] = []
    for record in records:
        if record.id is None:
            continue
        if record.id in first_with:
            other = first_with[record.id]
            problems.append(Problem(record.docname, record.id_line, "duplicate-id", f"id '{record.id}' is already used by {other.docname}"))
        else:
            first_with[record.id] = record
    for record in records:
        target = record.superseded_by
        if record.doc is None or target is None:
            continue
        if target not in first_with:
            problems.append(Problem(record.docname, record.superseded_by_line, "superseded", f"superseded-by '{target}' names no page in the handbook"))
            continue
        replacement = first_with[target].doc
        if replacement is not None and replacement.status in ("superseded", "retired"):
            problems.append(Problem(record.docname, record.superseded_by_line, "superseded", f"superseded-by '{target}' is itself {replacement.status}: name the document in force"))
    return problems
