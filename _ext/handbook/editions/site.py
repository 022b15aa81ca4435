"""``python -m handbook site``: rebuild the archive from the ``edition-*`` tags.

For a new server, or to replace a lost archive: each tagged edition missing
from the archive is built from a temporary ``git worktree`` of its tag;
editions already there are kept untouched. ``verify`` then checks them all.
"""

from __future__ import annotations

import sys
from pathlib import Path

from handbook.editions import archive
from handbook.editions import gitrepo
from handbook.editions.publish import PublishRefused, rebuild_site, stop_cleanly_on_sigterm


#: One line for ``python -m handbook --help``.
HELP = "rebuild every published edition missing from the archive from its edition-* tag"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--site", default=None,
        help=f"the archive folder (default: ${archive.SITE_ENV}, else {archive.DEFAULT_SITE}/ in the repository)",
    )


def run(args) -> int:
    stop_cleanly_on_sigterm()
    repo = gitrepo.toplevel(Path.cwd())
    site = archive.site_dir(args.site, repo)
    try:
        outcome = rebuild_site(repo, site)
    except (PublishRefused, archive.ArchiveError, gitrepo.GitError) as error:
        print(f"site: refused: {error}", file=sys.stderr)
        return 1
    for edition, what in outcome.items():
        print(f"  {edition}: {what}")
    print(f"The archive in {site} holds {len(outcome)} edition(s); run 'make verify' to check them.")
    return 0
