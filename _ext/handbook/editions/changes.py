"""What changed between two editions, and whether the new one may be published.

Pure functions over page sources (``{path: text}``): the caller reads them from
git. Front matter is read only with :func:`handbook.doccontrol.frontmatter.parse_front_matter`.
Documents are matched by id, so a page that moved keeps its history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html
import re
from typing import Any

from handbook.doccontrol.frontmatter import FrontMatterError, parse_front_matter

#: Folders whose pages are controlled documents (each folder's index.md is not);
#: the keys of ``handbook.doccontrol.sphinx.DEFAULT_FOLDERS``, named here so the
#: command line need not import Sphinx.
CONTROLLED_FOLDERS = ("protocols", "patient-guides")

_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def is_controlled_path(path: str) -> bool:
    folder, _, rest = path.partition("/")
    name = rest.rpartition("/")[2]
    return folder in CONTROLLED_FOLDERS and name.endswith(".md") and name != "index.md"


@dataclasses.dataclass(frozen=True)
class Page:
    """One controlled page's source and the front matter fields publishing reads."""

    path: str
    source: str
    data: dict[str, Any]

    @property
    def docname(self) -> str:
        return self.path.removesuffix(".md")

    @property
    def id(self) -> str:
        return str(self.data.get("id"))

    @property
    def version(self) -> str:
        return str(self.data.get("version"))

    @property
    def status(self) -> str:
        return str(self.data.get("status"))

    @property
    def history(self) -> list[dict]:
        entries = self.data.get("history") or []
        return [entry for entry in entries if isinstance(entry, dict)]

    @property
    def title(self) -> str:
        body = self.source.split("\n---", 1)[-1] if self.source.startswith("---") else self.source
        for line in body.splitlines():
            match = _HEADING.match(line)
            if match:
                return match.group(1)
        return self.id

    def label(self) -> str:
        return f"{self.path} ({self.id})"


def read_pages(sources: dict[str, str]) -> tuple[dict[str, Page], list[str]]:
    """Controlled pages by id, and a message for each page that cannot be read."""
    pages: dict[str, Page] = {}
    problems: list[str] = []
    for path in sorted(sources):
        if not is_controlled_path(path):
            continue
        try:
            front = parse_front_matter(sources[path])
        except FrontMatterError as error:
            problems.append(f"{path}:{error.line}: {error.message}")
            continue
        if front is None or not front.data.get("id"):
            problems.append(f"{path}: has no front matter id, so it is not a controlled document")
            continue
        page = Page(path, sources[path], front.data)
        if page.id in pages:
            problems.append(f"{path}: id {page.id} is also used by {pages[page.id].path}")
            continue
        pages[page.id] = page
    return pages, problems


def version_key(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def publication_problems(
    current: dict[str, Page],
    previous: dict[str, Page] | None,
    previous_edition: str | None,
    commit_date: dt.date,
) -> list[str]:
    """Why these pages may not be published; ``[]`` when they may.

    Refused: a draft; a review overdue on the commit's date; a page whose text
    changed since the previous edition without a higher version and a history
    entry for it (the silent change a clinic must never publish).
    """
    problems = []
    for page in sorted(current.values(), key=lambda p: p.path):
        if page.status == "draft":
            problems.append(
                f"{page.label()} is a draft: a draft is not for clinical use. Have it approved "
                "(status: active, version 1.0 or later) or remove it before publishing"
            )
        review_by = _as_date(page.data.get("review-by"))
        # As handbook.doccontrol.is_overdue: only documents in use need reviews.
        if page.status in ("draft", "active") and review_by is not None and review_by < commit_date:
            problems.append(
                f"{page.label()} was due for review by {review_by.isoformat()}, before this commit "
                f"({commit_date.isoformat()}): review it and set a new review-by date"
            )
        old = (previous or {}).get(page.id)
        if old is None or old.source == page.source:
            continue
        if page.version == old.version:
            problems.append(
                f"{page.label()} changed since edition {previous_edition} but its version is still "
                f"{page.version}: raise the version and add a history entry that says what changed"
            )
            continue
        new_key, old_key = version_key(page.version), version_key(old.version)
        if new_key is not None and old_key is not None and new_key < old_key:
            problems.append(
                f"{page.label()} changed since edition {previous_edition} and its version went down "
                f"from {old.version} to {page.version}: a new version must be higher than the published one"
            )
            continue
        old_versions = {str(entry.get("version")) for entry in old.history}
        new_entries = [e for e in page.history if str(e.get("version")) == page.version]
        if not new_entries or page.version in old_versions:
            problems.append(
                f"{page.label()} changed since edition {previous_edition} and its version went from "
                f"{old.version} to {page.version}, but its history has no new entry for {page.version}: "
                "add one that says what changed"
            )
    return problems


@dataclasses.dataclass(frozen=True)
class DocumentChange:
    """A document that is new, revised or withdrawn in this edition."""

    kind: str  # "new" | "revised" | "removed"
    id: str
    path: str
    title: str
    old_version: str | None
    new_version: str | None
    #: History entries added since the previous edition, newest first.
    history: tuple[dict, ...]
    old_source: str
    new_source: str

    @property
    def docname(self) -> str:
        return self.path.removesuffix(".md")


def _json_entry(entry: dict) -> dict:
    date = _as_date(entry.get("date"))
    return {
        "version": str(entry.get("version")),
        "date": date.isoformat() if date else str(entry.get("date", "")),
        "summary": str(entry.get("summary", "")),
    }


def edition_changes(current: dict[str, Page], previous: dict[str, Page] | None) -> list[DocumentChange]:
    """Every document whose version changed (or that is new or withdrawn), sorted by id."""
    previous = previous or {}
    changes = []
    for doc_id in sorted(set(current) | set(previous)):
        new, old = current.get(doc_id), previous.get(doc_id)
        if new is not None and old is None:
            changes.append(DocumentChange(
                "new", doc_id, new.path, new.title, None, new.version,
                tuple(_json_entry(e) for e in new.history[:1]), "", new.source,
            ))
        elif new is None and old is not None:
            changes.append(DocumentChange(
                "removed", doc_id, old.path, old.title, old.version, None, (), old.source, "",
            ))
        elif new is not None and old is not None and new.version != old.version:
            old_versions = {str(e.get("version")) for e in old.history}
            added = tuple(_json_entry(e) for e in new.history if str(e.get("version")) not in old_versions)
            changes.append(DocumentChange(
                "revised", doc_id, new.path, new.title, old.version, new.version, added,
                old.source, new.source,
            ))
    return changes


def changes_data(edition: str, previous_edition: str | None, changes: list[DocumentChange]) -> dict:
    """What the "What changed in this edition" page shows, as JSON-ready data."""
    return {
        "edition": edition,
        "previous": previous_edition,
        "documents": [
            {**dataclasses.asdict(change), "history": list(change.history), "docname": change.docname}
            for change in changes
        ],
    }


def tag_message(edition: str, previous_edition: str | None, changes: list[DocumentChange]) -> str:
    """The annotated tag's message: the edition and every changed document."""
    lines = [f"Edition {edition} of the handbook", ""]
    if previous_edition is None:
        lines.append("First published edition. Documents:")
    else:
        lines.append(f"Changed since edition {previous_edition}:" if changes else f"No document changed since edition {previous_edition}.")
    for change in changes:
        if change.kind == "new":
            lines.append(f"- {change.id} {change.title}: new, version {change.new_version}")
        elif change.kind == "removed":
            lines.append(f"- {change.id} {change.title}: withdrawn (was version {change.old_version})")
        else:
            summaries = "; ".join(e["summary"] for e in change.history)
            lines.append(f"- {change.id} {change.title}: {change.old_version} -> {change.new_version}" + (f" ({summaries})" if summaries else ""))
    return "\n".join(lines) + "\n"


def diff_table_html(old: str, new: str, caption: str, old_label: str, new_label: str, context: int = 3) -> str:
    """A line-by-line diff of two page sources as an HTML table staff can read.

    Each changed line says "Removed" or "Added" in words (not only in colour),
    with its line number in the old and the new text; unchanged lines around a
    change give context; distant parts are left out.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    esc = html.escape
    rows = []

    def row(kind: str, old_no: int | None, new_no: int | None, word: str, text: str) -> None:
        rows.append(
            f'<tr class="handbook-diff-{kind}"><td class="handbook-diff-lineno">{"" if old_no is None else old_no}</td>'
            f'<td class="handbook-diff-lineno">{"" if new_no is None else new_no}</td>'
            f'<td class="handbook-diff-kind">{word}</td><td class="handbook-diff-text">{esc(text)}</td></tr>'
        )

    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            f'<tr class="handbook-diff-hunk"><td colspan="4">Lines {first[1] + 1}\N{EN DASH}{last[2]} of '
            f'{esc(old_label)}, lines {first[3] + 1}\N{EN DASH}{last[4]} of {esc(new_label)}</td></tr>'
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    row("context", i1 + offset + 1, j1 + offset + 1, "", old_lines[i1 + offset])
                continue
            for index in range(i1, i2):
                row("removed", index + 1, None, "Removed", old_lines[index])
            for index in range(j1, j2):
                row("added", None, index + 1, "Added", new_lines[index])
    if not rows:
        rows.append('<tr class="handbook-diff-hunk"><td colspan="4">The text is the same.</td></tr>')
    return (
        '<div class="handbook-diff-wrapper">\n<table class="handbook-diff">\n'
        f"<caption>{esc(caption)}</caption>\n"
        f'<thead><tr><th scope="col">Line in {esc(old_label)}</th><th scope="col">Line in {esc(new_label)}</th>'
        '<th scope="col">Change</th><th scope="col">Text</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>\n"
    )
