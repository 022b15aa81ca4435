"""The translation catalogs of the guides: read them, and say what is left to translate.

One ``.po`` file per page, ``<locale_dir>/<lang>/LC_MESSAGES/<docname>.po``
(``gettext_compact = False``), written by ``sphinx-build -b gettext`` and
``sphinx-intl update`` (``make translations-update``). Read with Babel, keeping
each message's line, so every report names ``file:line``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Entry:
    """One message of a catalog: English ``msgid``, translated ``msgstr``, where it is."""

    msgid: str
    msgstr: str
    fuzzy: bool
    line: int  # the line of the msgid in the .po file
    source_line: int | None  # the line in the English page, from the #: comment

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy


def catalog_path(locale_dir: Path, language: str, docname: str) -> Path:
    """``locales/es/LC_MESSAGES/patient-guides/warning-signs.po`` for ``patient-guides/warning-signs``."""
    return Path(locale_dir) / language / "LC_MESSAGES" / f"{docname}.po"


def read_catalog(path: Path) -> list[Entry]:
    """Every message of ``path`` (the header and obsolete entries left out), in file order."""
    from babel.messages.pofile import read_po

    with Path(path).open("rb") as handle:
        catalog = read_po(handle)
    entries = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        source_line = None
        for _file, line in message.locations:
            if line:
                source_line = int(line)
                break
        entries.append(Entry(message.id, message.string or "", message.fuzzy, message.lineno, source_line))
    return sorted(entries, key=lambda e: e.line)


def translations(path: Path) -> dict[str, str]:
    """msgid -> msgstr for the finished (non-fuzzy, non-empty) entries of ``path``."""
    if not Path(path).is_file():
        return {}
    return {e.msgid: e.msgstr for e in read_catalog(path) if e.translated}


@dataclasses.dataclass(frozen=True)
class Completeness:
    """How much of one catalog is translated."""

    path: Path
    total: int
    untranslated: tuple[Entry, ...]
    fuzzy: tuple[Entry, ...]

    @property
    def complete(self) -> bool:
        return self.total > 0 and not self.untranslated and not self.fuzzy


def completeness(path: Path) -> Completeness:
    """Count the untranslated and fuzzy entries of ``path`` (a missing file: nothing translated)."""
    if not Path(path).is_file():
        return Completeness(Path(path), 0, (), ())
    entries = read_catalog(path)
    return Completeness(
        Path(path), len(entries),
        tuple(e for e in entries if not e.msgstr),
        tuple(e for e in entries if e.msgstr and e.fuzzy),
    )
