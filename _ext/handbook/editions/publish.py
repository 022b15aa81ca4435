"""Publish an edition of the handbook into the archive, or rebuild the archive.

``python -m handbook publish --edition 2026.2`` (``make publish EDITION=2026.2``)
runs these steps in order and refuses, with a message saying what to do, at the
first one that fails:

1. the git tree is clean, the name is ``YYYY.N``, newer than every published
   edition and not published yet (neither in the archive nor as a tag);
2. build the HTML (and the PDFs, once the PDF builder exists) from scratch,
   strictly, with ``SOURCE_DATE_EPOCH`` from the commit and the edition stamped in;
3. no controlled page is a draft, overdue for review, or changed since the
   previous edition without a new version and a history entry for it;
4. write ``<site>/<edition>/`` (with ``manifest.json``) in a temporary folder
   inside the archive and move it into place with one rename;
5. rewrite ``switcher.json`` and ``index.html`` atomically;
6. tag the commit ``edition-<edition>`` (annotated, listing changed documents).

``rebuild_site`` rebuilds every tagged edition missing from an archive, each
from a temporary ``git worktree`` of its tag: reproducible builds give the same
manifests as the originals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from handbook.editions import archive
from handbook.editions import gitrepo
from handbook.editions.changes import (
    CONTROLLED_FOLDERS,
    DocumentChange,
    Page,
    changes_data,
    edition_changes,
    is_controlled_path,
    publication_problems,
    read_pages,
    tag_message,
)
from handbook.editions.manifest import build_manifest, write_manifest

Log = Callable[[str], None]


class PublishRefused(RuntimeError):
    """Publishing stopped; ``str()`` tells the clinical lead what to do."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(message)
        self.step = step


@dataclasses.dataclass(frozen=True)
class Published:
    edition: str
    path: Path
    previous: str | None
    changes: list[DocumentChange]
    tag: str


# -- Step 2: the build ----------------------------------------------------------


def build_env(edition: str, epoch: int, changes_file: Path, environ=os.environ) -> dict[str, str]:
    """The environment of an edition's build: reproducible and stamped with the edition."""
    return {
        **environ,
        "SOURCE_DATE_EPOCH": str(epoch),
        "HANDBOOK_EDITION": edition,
        "HANDBOOK_CHANGES": str(changes_file),
        "PYTHONHASHSEED": "0",
        "TZ": "UTC",
    }


def build_html(srcdir: Path, outdir: Path, env: dict[str, str], doctrees: Path) -> None:
    """Sphinx's HTML build of ``srcdir`` into the empty ``outdir``, strictly."""
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-E", "-q",
        "-d", str(doctrees), str(srcdir), str(outdir),
    ]
    result = subprocess.run(command, env=env, cwd=srcdir, check=False)
    if result.returncode != 0:
        raise PublishRefused(
            2, "the strict HTML build failed: fix each warning above (it names the file and line), "
            "commit, and publish again",
        )
    # Build bookkeeping, not part of the edition.
    (outdir / ".buildinfo").unlink(missing_ok=True)


def pdf_builder_available(srcdir: Path) -> bool:
    """Whether this source tree has the PDF builder (``handbook.pdf.builder``; before the
    package layout of issue 20, ``handbook.pdfbuilder``).

    Checked per source tree, so ``site`` rebuilds an edition from before the
    PDFs exactly as it was published: HTML only.
    """
    ext = srcdir / "_ext" / "handbook"
    return (ext / "pdf" / "builder.py").is_file() or (ext / "pdfbuilder.py").is_file()


def build_pdfs(srcdir: Path, pdfdir: Path, env: dict[str, str], doctrees: Path) -> None:
    """Build every PDF of ``srcdir`` and put them in ``pdfdir`` (the edition's ``pdf/``).

    What ``make pdf`` does: the strict ``handbookpdf`` build, then the tree's own
    ``python -m handbook copypdfs``, which keeps only the PDFs.
    """
    with tempfile.TemporaryDirectory(prefix="handbook-pdf-") as scratch:
        command = [
            sys.executable, "-m", "sphinx", "-b", "handbookpdf", "-n", "-W", "--keep-going", "-E", "-q",
            "-d", str(doctrees), str(srcdir), scratch,
        ]
        if subprocess.run(command, env=env, cwd=srcdir, check=False).returncode != 0:
            raise PublishRefused(
                2, "the strict PDF build failed: fix each warning above (it names the file and line), "
                "commit, and publish again",
            )
        copy_env = {**env, "PYTHONPATH": str(srcdir / "_ext")}
        copy = [sys.executable, "-m", "handbook", "copypdfs", scratch, str(pdfdir)]
        if subprocess.run(copy, env=copy_env, cwd=srcdir, check=False, stdout=subprocess.DEVNULL).returncode != 0:
            raise PublishRefused(2, "copying the PDFs into the edition failed (see the message above)")


def build_edition(srcdir: Path, outdir: Path, env: dict[str, str]) -> None:
    """Everything an edition holds: HTML at the root of ``outdir``, PDFs in ``outdir/pdf``."""
    with tempfile.TemporaryDirectory(prefix="handbook-doctrees-") as doctrees:
        build_html(srcdir, outdir, env, Path(doctrees) / "html")
        if pdf_builder_available(srcdir):
            build_pdfs(srcdir, outdir / "pdf", env, Path(doctrees) / "pdf")


# -- Shared by publish and site ------------------------------------------------------


def sources_at(repo: Path, rev: str) -> dict[str, str]:
    """The controlled pages' sources as committed in ``rev``."""
    paths = [p for p in gitrepo.list_files(repo, rev, *CONTROLLED_FOLDERS) if is_controlled_path(p)]
    return {path: gitrepo.read_file(repo, rev, path) for path in paths}


def tagged_editions(repo: Path) -> list[str]:
    names = [t.removeprefix(archive.TAG_PREFIX) for t in gitrepo.tags(repo, archive.TAG_PREFIX + "*")]
    return archive.sort_editions(n for n in names if archive.is_edition_name(n))


def previous_of(edition: str, editions: list[str]) -> str | None:
    older = [name for name in editions if archive.edition_key(name) < archive.edition_key(edition)]
    return archive.sort_editions(older)[-1] if older else None


def _pages(repo: Path, rev: str | None) -> dict[str, Page] | None:
    if rev is None:
        return None
    return read_pages(sources_at(repo, rev))[0]


def _build_into_archive(
    repo: Path, srcdir: Path, rev: str, edition: str, previous: str | None, site: Path,
    log: Log, check: Callable[[], None] | None = None,
) -> tuple[Path, list[DocumentChange]]:
    """Steps 2-4 for one edition: build, check, manifest, rename into the archive."""
    current = read_pages(sources_at(repo, rev))[0]
    changes = edition_changes(current, _pages(repo, previous and archive.TAG_PREFIX + previous))
    epoch = gitrepo.commit_epoch(repo, rev)
    commit = gitrepo.head_commit(repo, rev)
    incoming = archive.incoming_dir(site, edition)
    try:
        with tempfile.TemporaryDirectory(prefix="handbook-changes-") as scratch:
            changes_file = Path(scratch) / "changes.json"
            changes_file.write_text(json.dumps(changes_data(edition, previous, changes)), encoding="utf-8")
            log(f"[2/6] Building edition {edition} from scratch (strict)")
            build_edition(srcdir, incoming, build_env(edition, epoch, changes_file))
        if check is not None:
            check()
        log(f"[4/6] Writing {site / edition} (manifest, then one rename)")
        write_manifest(incoming, build_manifest(incoming, edition, commit, epoch))
        target = archive.install_edition(incoming, site, edition)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    return target, changes


# -- publish --------------------------------------------------------------------


def check_can_publish(repo: Path, edition: str, site: Path) -> str | None:
    """Step 1; returns the previous edition (``None`` for the first)."""
    dirty = gitrepo.dirty_paths(repo)
    if site.is_relative_to(repo):  # an archive kept inside the repository is not source
        inside = site.relative_to(repo).as_posix().rstrip("/") + "/"
        dirty = [path for path in dirty if not (path + "/").startswith(inside)]
    if dirty:
        listing = "\n".join(f"  {path}" for path in dirty[:20])
        raise PublishRefused(
            1, "the git tree has uncommitted changes; commit them (or undo them) first, because an "
            f"edition must be rebuildable from its commit:\n{listing}",
        )
    if not archive.is_edition_name(edition):
        raise PublishRefused(
            1, f"'{edition}' is not an edition name: use the year and a number, YYYY.N (e.g. 2026.2)"
        )
    if (site / edition).exists():
        raise PublishRefused(
            1, f"edition {edition} is already published in {site / edition}; published editions are "
            "never changed: publish the next edition instead",
        )
    tag = archive.TAG_PREFIX + edition
    if gitrepo.tag_exists(repo, tag):
        raise PublishRefused(
            1, f"edition {edition} is already published (git tag {tag}); published editions are "
            "never changed: publish the next edition instead",
        )
    untagged = sorted(set(archive.published_editions(site)) - set(tagged_editions(repo)), key=archive.edition_key)
    if untagged:
        # Without the tag there is nothing to compare the pages with: a silent change could pass.
        raise PublishRefused(
            1, f"edition {untagged[-1]} is in {site} but this repository has no tag "
            f"{archive.TAG_PREFIX}{untagged[-1]}: fetch the tags (git fetch --tags) and publish again",
        )
    known = sorted(set(tagged_editions(repo)) | set(archive.published_editions(site)), key=archive.edition_key)
    if known and archive.edition_key(edition) < archive.edition_key(known[-1]):
        raise PublishRefused(
            1, f"edition {edition} would be older than edition {known[-1]}, already published: "
            "name the new edition after it",
        )
    reason = gitrepo.can_tag(repo)
    if reason:
        raise PublishRefused(1, f"git cannot tag the edition (set user.name and user.email): {reason}")
    return previous_of(edition, tagged_editions(repo))


def publish(repo: Path, edition: str, site: Path, log: Log = print) -> Published:
    """Publish ``edition`` from the commit checked out in ``repo`` into ``site``."""
    log(f"[1/6] Checking the git tree and the name {edition!r}")
    previous = check_can_publish(repo, edition, site)
    with archive.locked(site):
        archive.remove_leftovers(site)
        check_can_publish(repo, edition, site)  # again, now that we hold the lock
        epoch = gitrepo.commit_epoch(repo)
        commit_date = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date()

        def step3() -> None:
            log("[3/6] Checking every controlled page may be published")
            current, unreadable = read_pages(sources_at(repo, "HEAD"))
            problems = unreadable + publication_problems(
                current, _pages(repo, previous and archive.TAG_PREFIX + previous), previous, commit_date
            )
            if problems:
                listing = "\n".join(f"  - {problem}" for problem in problems)
                raise PublishRefused(3, f"edition {edition} cannot be published:\n{listing}")

        target, changes = _build_into_archive(repo, repo, "HEAD", edition, previous, site, log, step3)
        log(f"[5/6] Updating {site / archive.SWITCHER_NAME} and {site / archive.INDEX_NAME}")
        archive.update_front_files(site)
    tag = archive.TAG_PREFIX + edition
    log(f"[6/6] Tagging the commit {tag}")
    gitrepo.create_tag(repo, tag, tag_message(edition, previous, changes))
    return Published(edition, target, previous, changes, tag)


# -- site -----------------------------------------------------------------------------


def rebuild_site(repo: Path, site: Path, log: Log = print) -> dict[str, str]:
    """Rebuild every ``edition-*`` tag missing from ``site``; keep the editions already there."""
    editions = tagged_editions(repo)
    if not editions:
        raise PublishRefused(1, "no edition is tagged (edition-YYYY.N) in this repository: nothing to rebuild")
    outcome = {}
    with archive.locked(site):
        archive.remove_leftovers(site)
        for index, edition in enumerate(editions):
            if (site / edition).exists():
                log(f"Edition {edition}: already in {site}, kept as it is")
                outcome[edition] = "kept"
                continue
            tag = archive.TAG_PREFIX + edition
            previous = editions[index - 1] if index else None
            with gitrepo.worktree(repo, tag) as srcdir:
                _build_into_archive(repo, srcdir, tag, edition, previous, site, log)
            outcome[edition] = "rebuilt"
        archive.update_front_files(site)
    return outcome


# -- command line (thin) ----------------------------------------------------------------


#: One line for ``python -m handbook --help``.
HELP = "publish an edition into the archive: check, build strictly, add it, update the switcher, tag it"


def add_arguments(parser) -> None:
    parser.description = (
        "Publish an edition: check, build strictly, add it to the archive, update the version "
        "switcher and tag the commit. Refuses at the first problem and says what to do."
    )
    parser.add_argument("--edition", required=True, help="the new edition's name, YYYY.N (e.g. 2026.2)")
    parser.add_argument(
        "--site", default=None,
        help=f"the archive folder (default: ${archive.SITE_ENV}, else {archive.DEFAULT_SITE}/ in the repository)",
    )


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so an interrupted publish removes its temporary folder."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def run(args) -> int:
    stop_cleanly_on_sigterm()
    repo = gitrepo.toplevel(Path.cwd())
    site = archive.site_dir(args.site, repo)
    try:
        done = publish(repo, args.edition, site)
    except (PublishRefused, archive.ArchiveError, gitrepo.GitError) as error:
        print(f"publish: refused: {error}", file=sys.stderr)
        return 1
    print(f"Published edition {done.edition} in {done.path} and tagged {done.tag}.")
    for change in done.changes:
        if change.kind == "new":
            what = f"new, version {change.new_version}"
        elif change.kind == "removed":
            what = f"withdrawn (was version {change.old_version})"
        else:
            what = f"{change.old_version} -> {change.new_version}"
        print(f"  {change.id} {change.title}: {what}")
    return 0
