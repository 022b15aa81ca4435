"""``python -m handbook verify``: check every edition against its manifest.

Reports each modified, missing or unexpected file; exits non-zero when any
edition differs from what was published.
"""

from __future__ import annotations

import sys
from pathlib import Path

from handbook.editions import archive
from handbook.editions import gitrepo


#: One line for ``python -m handbook --help``.
HELP = "check every published edition's files against its manifest.json"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--site", default=None,
        help=f"the archive folder (default: ${archive.SITE_ENV}, else {archive.DEFAULT_SITE}/ in the repository)",
    )


def run(args) -> int:
    try:
        repo = gitrepo.toplevel(Path.cwd())
    except gitrepo.GitError:
        repo = Path.cwd()
    site = archive.site_dir(args.site, repo)
    report = archive.verify_archive(site)
    if not report.editions:
        print(f"verify: no published edition in {site}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(f"note: {note}")
    failed = False
    for edition in report.editions:
        problems = report.problems.get(edition, [])
        if problems:
            failed = True
            print(f"{edition}: {len(problems)} problem(s)")
            for problem in problems:
                print(f"  {edition}/{problem}")
        else:
            print(f"{edition}: OK, every file matches the manifest")
    for problem in report.problems.get("(archive)", []):
        failed = True
        print(f"{problem}")
    if failed:
        print("verify: FAILED: the archive differs from what was published", file=sys.stderr)
        return 1
    print(f"verify: OK ({len(report.editions)} edition(s) in {site})")
    return 0
