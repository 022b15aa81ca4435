"""An edition's manifest: the SHA-256 and size of every file it holds.

``manifest.json`` sits at the root of each published edition and lists every
other file of the edition, sorted by path. It is deterministic: the same files
give byte-identical JSON, so an edition rebuilt from its tag on a new server
can be compared with the original byte for byte.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

MANIFEST_NAME = "manifest.json"
FORMAT = 1


def _sha256(path: Path, sync: bool = False) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
        if sync:
            # The edition is about to be moved into the archive: make sure what
            # the manifest vouches for is on disk, not only in the page cache.
            os.fsync(handle.fileno())
    return digest.hexdigest()


def edition_files(root: Path) -> list[str]:
    """Every file under ``root`` but the manifest, as sorted POSIX paths."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() or path.is_symlink():
            relative = path.relative_to(root).as_posix()
            if relative != MANIFEST_NAME:
                found.append(relative)
    return sorted(found)


def build_manifest(root: Path, edition: str, commit: str, source_date_epoch: int) -> dict:
    """The manifest of the edition whose files are under ``root``."""
    files = [
        {"path": rel, "sha256": _sha256(root / rel, sync=True), "size": (root / rel).stat().st_size}
        for rel in edition_files(root)
    ]
    return {
        "format": FORMAT,
        "edition": edition,
        "commit": commit,
        "source_date_epoch": source_date_epoch,
        "files": files,
    }


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_manifest(root: Path, manifest: dict) -> Path:
    path = root / MANIFEST_NAME
    path.write_text(dumps(manifest), encoding="utf-8")
    return path


def read_manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))


@dataclasses.dataclass(frozen=True)
class Problem:
    """One way an edition's files differ from its manifest."""

    kind: str  # "modified" | "missing" | "unexpected" | "manifest"
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


def check_edition(root: Path) -> list[Problem]:
    """Compare the files under ``root`` with its manifest; ``[]`` when they match."""
    try:
        manifest = read_manifest(root)
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except FileNotFoundError:
        return [Problem("manifest", MANIFEST_NAME, "missing: this edition cannot be verified")]
    except (ValueError, KeyError, TypeError) as error:
        return [Problem("manifest", MANIFEST_NAME, f"unreadable ({error})")]
    problems = []
    present = set(edition_files(root))
    for rel, entry in sorted(listed.items()):
        path = root / rel
        if rel not in present:
            problems.append(Problem("missing", rel, "missing"))
            continue
        size = path.stat().st_size
        if size != entry["size"]:
            problems.append(Problem("modified", rel, f"modified (size {size}, manifest says {entry['size']})"))
        elif _sha256(path) != entry["sha256"]:
            problems.append(Problem("modified", rel, "modified (SHA-256 differs from the manifest)"))
    for rel in sorted(present - set(listed)):
        problems.append(Problem("unexpected", rel, "not in the manifest (added after publishing)"))
    return problems
