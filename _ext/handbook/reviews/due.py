"""``python -m handbook due``: the documents due for review, and any overdue.

Reads the controlled pages' front matter (``handbook.doccontrol.frontmatter``)
straight from the sources: no Sphinx build, so a scheduled job (cron) or CI
can run it in a second. Prints one line per document in use (draft or active)
whose review-by date falls within ``--days`` days of today, overdue ones
included::

    PR-005  Infusion monitoring  Nurse Manager  2027-05-01  (overdue by 31 days)

It exits 1 when any document is overdue (a scheduled job or CI can alert on
it), 0 otherwise, and 2 when a page's front matter cannot be read (the page
and line are named; ``make html`` says more).

``--days`` defaults to ``handbook_review_due_days`` when ``conf.py`` sets it
as a plain number, else 90; the controlled folders are
``handbook_controlled_folders`` when ``conf.py`` sets it as a plain dict, else
``protocols`` and ``patient-guides``. ``conf.py`` is parsed, never run.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter
from handbook.doccontrol.model import REVIEWED_STATUSES

#: ``handbook_review_due_days``'s default (``handbook.doccontrol.sphinx``).
DEFAULT_DAYS = 90
#: ``handbook_controlled_folders``'s default keys (``handbook.doccontrol.sphinx.DEFAULT_FOLDERS``).
DEFAULT_FOLDERS = ("protocols", "patient-guides")

#: One line for ``python -m handbook --help``.
HELP = "list the documents due for review (and any overdue) from front matter; exit 1 when any is overdue"


@dataclasses.dataclass(frozen=True)
class DueDocument:
    """A document in use whose review falls due within the window."""

    id: str
    title: str
    owner: str
    status: str
    review_by: dt.date
    path: str
    today: dt.date

    @property
    def days_left(self) -> int:
        """Days until the review-by date; negative when overdue."""
        return (self.review_by - self.today).days

    @property
    def overdue(self) -> bool:
        """As ``handbook.doccontrol.model.is_overdue``: the review-by date has passed."""
        return self.days_left < 0

    @property
    def when(self) -> str:
        days = self.days_left
        if days < 0:
            return f"(overdue by {-days} day{'s' if days != -1 else ''})"
        if days == 0:
            return "(due today)"
        return f"(due in {days} day{'s' if days != 1 else ''})"

    def to_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "owner": self.owner, "status": self.status,
            "review_by": self.review_by.isoformat(), "path": self.path,
            "days_left": self.days_left, "overdue": self.overdue,
        }


class UnreadablePage(ValueError):
    """A controlled page whose id or review-by date cannot be read; ``str()`` is ``path:line: message``."""


def conf_settings(conf_py: Path) -> dict[str, Any]:
    """The top-level ``name = <literal>`` settings of ``conf.py``, without running it.

    Settings computed at run time (``os.environ.get(...)``) are left out.
    """
    try:
        tree = ast.parse(conf_py.read_text(encoding="utf-8"), str(conf_py))
    except (OSError, SyntaxError):
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def _title(text: str, fallback: str) -> str:
    """The page's first ``# `` heading (as ``handbook.editions.changes.Page.title``)."""
    from handbook.editions.changes import Page

    return Page("", text, {"id": fallback}).title


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    return value if isinstance(value, dt.date) else None


def read_documents(source: Path, folders: tuple[str, ...] | list[str], today: dt.date) -> list[DueDocument]:
    """Every controlled page in use under ``source``'s ``folders``, as ``DueDocument``.

    Raises ``UnreadablePage`` for a page whose front matter, id or review-by
    date cannot be read.
    """
    docs = []
    for folder in folders:
        for path in sorted((source / folder).rglob("*.md")):
            if path.name == "index.md":
                continue
            relative = path.relative_to(source).as_posix()
            try:
                front = read_front_matter(path)
            except FrontMatterError as error:
                raise UnreadablePage(f"{relative}:{error.line}: {error.message}") from None
            if front is None or not isinstance(front.data.get("id"), str):
                raise UnreadablePage(f"{relative}:1: a controlled page needs front matter with an id")
            data = front.data
            if data.get("status") not in REVIEWED_STATUSES:
                continue  # superseded and retired documents need no review
            review_by = _as_date(data.get("review-by"))
            if review_by is None:
                raise UnreadablePage(f"{relative}:{front.line_of('review-by')}: review-by must be a date "
                                     f"written YYYY-MM-DD, not {data.get('review-by')!r}")
            text = path.read_text(encoding="utf-8")
            docs.append(DueDocument(data["id"], _title(text, data["id"]), str(data.get("owner", "")),
                                    data["status"], review_by, relative, today))
    return docs


def due(docs: list[DueDocument], days: int) -> list[DueDocument]:
    """Those due within ``days`` days (overdue included), soonest first, then by id."""
    found = [doc for doc in docs if doc.days_left <= days]
    return sorted(found, key=lambda doc: (doc.review_by, doc.id, doc.path))


def format_text(found: list[DueDocument], today: dt.date, days: int) -> str:
    """The report: a heading line, then ``id  title  owner  review-by  (when)`` in aligned columns."""
    if not found:
        return f"No document is due for review within {days} days of {today.isoformat()}.\n"
    overdue = sum(doc.overdue for doc in found)
    head = (f"{len(found)} document{'s' if len(found) != 1 else ''} due for review within {days} days of "
            f"{today.isoformat()}" + (f", {overdue} overdue" if overdue else "") + ":")
    rows = [(doc.id, doc.title, doc.owner, doc.review_by.isoformat(), doc.when) for doc in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [head]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    return "\n".join(lines) + "\n"


def add_arguments(parser) -> None:
    parser.description = (
        "List the controlled documents whose review falls due within DAYS days, and any overdue, "
        "from their front matter (no build). Exit status: 0 when none is overdue, 1 when any is, "
        "2 when a page cannot be read."
    )
    parser.add_argument("--days", type=int, default=None, metavar="N",
                        help=f"how far ahead to look, in days (default: handbook_review_due_days in conf.py, else {DEFAULT_DAYS})")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the date to count from (default: today, UTC); for tests and reproducible reports")
    parser.add_argument("--source", type=Path, default=Path("."), metavar="DIR",
                        help="the handbook's source folder, holding conf.py (default: the current folder)")


def run(args) -> int:
    source = args.source
    settings = conf_settings(source / "conf.py")
    days = args.days if args.days is not None else settings.get("handbook_review_due_days", DEFAULT_DAYS)
    if not isinstance(days, int) or days < 0:
        print(f"due: --days must be 0 or more, not {days}", file=sys.stderr)
        return 2
    folders = settings.get("handbook_controlled_folders")
    folders = tuple(folders) if isinstance(folders, dict) and folders else DEFAULT_FOLDERS
    today = args.today or dt.datetime.now(tz=dt.timezone.utc).date()
    missing = [folder for folder in folders if not (source / folder).is_dir()]
    if len(missing) == len(folders):
        print(f"due: {source.resolve()} has none of the controlled folders ({', '.join(folders)}): "
              "run it in the handbook's folder or give --source", file=sys.stderr)
        return 2
    try:
        found = due(read_documents(source, folders, today), days)
    except UnreadablePage as error:
        print(f"due: {error}", file=sys.stderr)
        return 2
    if args.json:
        report = {"today": today.isoformat(), "days": days, "overdue": sum(d.overdue for d in found),
                  "documents": [doc.to_json() for doc in found]}
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(format_text(found, today, days))
    return 1 if any(doc.overdue for doc in found) else 0
