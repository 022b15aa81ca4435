"""The few git operations publishing needs, as small functions over ``git``.

Every function takes the repository's root and runs ``git`` there; a failure
raises :class:`GitError` with git's own message, so the caller can refuse with
it. Nothing here writes to the repository except :func:`create_tag` and the
temporary worktree of :func:`worktree`.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


class GitError(RuntimeError):
    """A git command failed; the message is git's."""


def git(repo: Path, *args: str, input: str | None = None) -> str:
    """Run ``git args`` in ``repo`` and return its standard output."""
    result = subprocess.run(
        ["git", *args], cwd=repo, input=input, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise GitError(f"git {' '.join(args)}: {message}")
    return result.stdout


def toplevel(path: Path) -> Path:
    """The root of the git working tree holding ``path``."""
    return Path(git(path, "rev-parse", "--show-toplevel").strip())


def dirty_paths(repo: Path) -> list[str]:
    """Files changed, staged or untracked (ignored files excepted)."""
    out = git(repo, "status", "--porcelain=v1", "--untracked-files=all")
    return [line[3:] for line in out.splitlines() if line.strip()]


def head_commit(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()


def commit_epoch(repo: Path, rev: str = "HEAD") -> int:
    """The committer date of ``rev``, in seconds since the epoch."""
    return int(git(repo, "log", "-1", "--format=%ct", f"{rev}^{{commit}}").strip())


def tags(repo: Path, pattern: str) -> list[str]:
    return git(repo, "tag", "--list", pattern).split()


def tag_exists(repo: Path, name: str) -> bool:
    return name in tags(repo, name)


def list_files(repo: Path, rev: str, *folders: str) -> list[str]:
    """Paths of the files under ``folders`` in the tree of ``rev``."""
    out = git(repo, "ls-tree", "-r", "--name-only", rev, "--", *folders)
    return sorted(out.splitlines())


def read_file(repo: Path, rev: str, path: str) -> str:
    """The text of ``path`` as committed in ``rev``."""
    return git(repo, "show", f"{rev}:{path}")


def can_tag(repo: Path) -> str | None:
    """``None`` when git knows who is tagging; else the reason it does not."""
    try:
        git(repo, "var", "GIT_COMMITTER_IDENT")
    except GitError as error:
        return str(error)
    return None


def create_tag(repo: Path, name: str, message: str, rev: str = "HEAD") -> None:
    """Make the annotated tag ``name`` on ``rev``."""
    git(repo, "tag", "--annotate", "--file=-", name, rev, input=message)


@contextlib.contextmanager
def worktree(repo: Path, rev: str) -> Iterator[Path]:
    """A temporary, detached checkout of ``rev``, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="handbook-worktree-") as parent:
        path = Path(parent) / "src"
        git(repo, "worktree", "add", "--detach", "--quiet", str(path), rev)
        try:
            yield path
        finally:
            git(repo, "worktree", "remove", "--force", str(path))
            git(repo, "worktree", "prune")
