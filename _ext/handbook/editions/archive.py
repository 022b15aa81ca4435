"""The archive of published editions (``_site/`` by default).

Layout::

    _site/
      index.html        goes to the newest edition
      switcher.json     pydata-sphinx-theme's version-switcher list, newest first
      2026.1/           one folder per edition: HTML at its root, pdf/, manifest.json
      2026.2/

An edition is written into a temporary folder inside the archive and moved into
place with one ``os.rename``; ``switcher.json`` and ``index.html`` are replaced
the same way. Whatever interrupts a publish, the archive holds either the old
state or the new one, never half an edition. Published editions are never
touched again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from handbook.editions.manifest import MANIFEST_NAME, Problem, check_edition

SITE_ENV = "HANDBOOK_SITE"
DEFAULT_SITE = "_site"
TAG_PREFIX = "edition-"
SWITCHER_NAME = "switcher.json"
INDEX_NAME = "index.html"
LOCK_NAME = ".publish.lock"
INCOMING_PREFIX = ".incoming-"

EDITION_RE = re.compile(r"^(?P<year>[0-9]{4})\.(?P<number>[1-9][0-9]*)$")


class ArchiveError(RuntimeError):
    """The archive cannot take this edition; the message says why."""


def is_edition_name(name: str) -> bool:
    """``True`` for ``YYYY.N`` names such as ``2026.2`` (N from 1, no leading zero)."""
    return bool(EDITION_RE.match(name or ""))


def edition_key(name: str) -> tuple[int, int]:
    """Sort key: ``2026.10`` comes after ``2026.9``."""
    match = EDITION_RE.match(name)
    if not match:
        raise ValueError(f"not an edition name: {name!r}")
    return int(match["year"]), int(match["number"])


def sort_editions(names) -> list[str]:
    return sorted(names, key=edition_key)


def site_dir(option: str | None, repo: Path, environ=os.environ) -> Path:
    """The archive folder: ``--site``, else ``HANDBOOK_SITE``, else ``_site/`` in the repository."""
    chosen = option or environ.get(SITE_ENV) or str(repo / DEFAULT_SITE)
    path = Path(chosen)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def published_editions(site: Path) -> list[str]:
    """Editions in the archive, oldest first."""
    if not site.is_dir():
        return []
    return sort_editions(
        entry.name for entry in site.iterdir() if entry.is_dir() and is_edition_name(entry.name)
    )


@contextlib.contextmanager
def locked(site: Path) -> Iterator[None]:
    """Hold the archive's lock: one publish at a time. The kernel drops it if we die."""
    site.mkdir(parents=True, exist_ok=True)
    with (site / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveError(f"another publish is writing to {site}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(site: Path) -> list[Path]:
    """Delete temporary folders an interrupted publish left behind (call under the lock)."""
    removed = []
    for entry in sorted(site.glob(INCOMING_PREFIX + "*")):
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    for entry in sorted(site.glob(".*.tmp-*")):
        entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename: readers see the old or the new file."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o666 & ~_umask())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def incoming_dir(site: Path, edition: str) -> Path:
    """A new, empty temporary folder inside the archive for ``edition``'s files."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"{INCOMING_PREFIX}{edition}-", dir=site))


def install_edition(incoming: Path, site: Path, edition: str) -> Path:
    """Move the finished edition into place with one rename; refuse to replace anything."""
    target = site / edition
    if target.exists():
        raise ArchiveError(f"edition {edition} is already in the archive ({target}); published editions are never replaced")
    # mkdtemp made the folder private; the published edition is readable like any other file.
    mode = 0o777 & ~_umask()
    for folder in [incoming, *(p for p in incoming.rglob("*") if p.is_dir())]:
        os.chmod(folder, mode)
    _fsync_dir(incoming)
    os.rename(incoming, target)  # atomic; fails rather than replace a non-empty folder
    _fsync_dir(site)
    return target


# -- switcher.json and index.html ---------------------------------------------


def switcher_entries(editions: list[str]) -> list[dict]:
    """pydata-sphinx-theme's version-switcher entries, newest first.

    URLs are relative to the archive's root (where ``switcher.json`` sits), so
    the archive works wherever an intranet serves it; the handbook's script
    resolves them against the root before the theme uses them.
    """
    newest_first = list(reversed(sort_editions(editions)))
    entries = []
    for index, name in enumerate(newest_first):
        entry = {"name": f"{name} (current)" if index == 0 else name, "version": name, "url": f"{name}/"}
        if index == 0:
            entry["preferred"] = True
        entries.append(entry)
    return entries


def switcher_json(editions: list[str]) -> str:
    return json.dumps(switcher_entries(editions), indent=2, ensure_ascii=False) + "\n"


def index_html(editions: list[str], title: str = "Ketamine Clinic Protocol Handbook") -> str:
    """The archive's front page: goes straight to the newest edition, lists the others."""
    ordered = list(reversed(sort_editions(editions)))
    newest = ordered[0]
    target = f"{newest}/index.html"
    older = "\n".join(
        f'      <li><a href="{name}/index.html">Edition {name}</a> (archived)</li>' for name in ordered[1:]
    )
    older_block = f"    <p>Earlier editions, kept for audit:</p>\n    <ul>\n{older}\n    </ul>\n" if older else ""
    title = html.escape(title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "  <head>\n"
        '    <meta charset="utf-8">\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'    <meta http-equiv="refresh" content="0; url={target}">\n'
        f"    <title>{title}</title>\n"
        "  </head>\n"
        "  <body>\n"
        f"    <main>\n    <h1>{title}</h1>\n"
        f'    <p>The current edition is <a href="{target}">edition {newest}</a>.</p>\n'
        f"{older_block}"
        "    </main>\n"
        "  </body>\n"
        "</html>\n"
    )


def update_front_files(site: Path) -> list[str]:
    """Rewrite ``switcher.json`` and ``index.html`` from the editions in the archive."""
    editions = published_editions(site)
    if editions:
        atomic_write_text(site / SWITCHER_NAME, switcher_json(editions))
        atomic_write_text(site / INDEX_NAME, index_html(editions))
    return editions


# -- verification --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ArchiveReport:
    """What ``verify`` found: problems per edition, and notes that are not failures."""

    editions: list[str]
    problems: dict[str, list[Problem]]
    notes: list[str]

    @property
    def ok(self) -> bool:
        return self.editions != [] and not any(self.problems.values())


def verify_archive(site: Path) -> ArchiveReport:
    """Check every edition's files against its manifest, and the front files against the editions."""
    editions = published_editions(site)
    problems: dict[str, list[Problem]] = {name: check_edition(site / name) for name in editions}
    notes = [
        f"{entry.name}: left by an interrupted publish; not part of the archive (the next publish deletes it)"
        for entry in sorted(site.glob(INCOMING_PREFIX + "*"))
    ] if site.is_dir() else []
    if editions:
        front: list[Problem] = []
        for name, expected in ((SWITCHER_NAME, switcher_json(editions)), (INDEX_NAME, index_html(editions))):
            path = site / name
            if not path.is_file():
                front.append(Problem("missing", name, "missing"))
            elif path.read_text(encoding="utf-8") != expected:
                front.append(Problem("modified", name, "does not list the editions in the archive"))
        if front:
            problems["(archive)"] = front
    return ArchiveReport(editions, problems, notes)
