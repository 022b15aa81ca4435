"""Translation control: which English version each translation translates, and who checked it.

Each language keeps one register, ``<locale_dir>/<lang>/translations.yaml``
(``locales/es/translations.yaml``), keyed by the guide's document-control id::

    translations:
      PG-008:
        english-version: "1.0"        # the English version this translation translates
        translated-by: Ana Pérez
        translated-on: 2026-11-20
        reviewed-by: Luis Gómez        # a qualified medical translator
        reviewer-credential: CMI-Spanish   # e.g. CMI-Spanish (NBCMI) or CoreCHI/CHI-Spanish (CCHI)
        reviewed-on: 2026-11-25
        accepted-english-version: "1.1"    # optional: English moved on, translation still fits

A translation's :func:`state` is

``draft``
    no complete review (reviewer, credential and date): the page shows the
    draft banner in its language;
``stale``
    the English guide is at another version than ``english-version``: the page
    shows "this translation is of version X; version Y in English is current",
    and ``make publish`` refuses it unless ``accepted-english-version`` names
    the English version in force (then it is ``accepted``);
``current``
    reviewed, and of the English version in force.

This module is pure (no Sphinx); :mod:`handbook.i18n.sphinx` reports the
problems :func:`parse` finds as warnings at ``translations.yaml:line``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from handbook.i18n.catalog import _

REGISTER_NAME = "translations.yaml"
KEYS = ("english-version", "translated-by", "translated-on", "reviewed-by", "reviewer-credential",
        "reviewed-on", "accepted-english-version", "notes")
REVIEW_KEYS = ("reviewed-by", "reviewer-credential", "reviewed-on")
_VERSION = re.compile(r"\d+\.\d+")


@dataclasses.dataclass(frozen=True)
class Translation:
    """One guide's translation record."""

    guide_id: str
    english_version: str
    translated_by: str
    translated_on: dt.date | None
    reviewed_by: str
    reviewer_credential: str
    reviewed_on: dt.date | None
    accepted_english_version: str
    line: int  # the line of the guide's id in translations.yaml

    @property
    def reviewed(self) -> bool:
        """A qualified review is recorded: who, their credential, and when."""
        return bool(self.reviewed_by and self.reviewer_credential and self.reviewed_on)


@dataclasses.dataclass(frozen=True)
class Problem:
    """A mistake in a translations register, at its line."""

    line: int
    message: str


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse(text: str) -> tuple[dict[str, Translation], list[Problem]]:
    """Read a ``translations.yaml``: the records by guide id, and the problems at their lines."""
    problems: list[Problem] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return {}, [Problem(mark.line + 1 if mark else 1, f"not valid YAML: {error}")]
    if root is None:
        return {}, []
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("translations", {}), dict):
        return {}, [Problem(1, "must be a mapping with one key, 'translations', mapping guide ids to records")]
    lines: dict[str, int] = {}
    key_lines: dict[tuple[str, str], int] = {}
    for key_node, value_node in root.value:
        if key_node.value == "translations" and isinstance(value_node, yaml.MappingNode):
            for guide_node, record_node in value_node.value:
                lines[guide_node.value] = guide_node.start_mark.line + 1
                if isinstance(record_node, yaml.MappingNode):
                    for k, _v in record_node.value:
                        key_lines[(guide_node.value, k.value)] = k.start_mark.line + 1
    records: dict[str, Translation] = {}
    for guide_id, record in (data.get("translations") or {}).items():
        line = lines.get(str(guide_id), 1)
        if not isinstance(record, dict):
            problems.append(Problem(line, f"{guide_id}: the record must be a mapping of {', '.join(KEYS[:3])}, ..."))
            continue
        for key in record:
            if key not in KEYS:
                problems.append(Problem(key_lines.get((guide_id, key), line),
                                        f"{guide_id}: unknown key {key!r}; known keys are {', '.join(KEYS)}"))
        version = record.get("english-version")
        if not isinstance(version, str) or not _VERSION.fullmatch(version.strip()):
            problems.append(Problem(key_lines.get((guide_id, "english-version"), line),
                                    f"{guide_id}: english-version must be the quoted English version it "
                                    f"translates, e.g. \"1.0\", not {version!r}"))
            continue
        for key in ("translated-on", "reviewed-on"):
            if record.get(key) is not None and _as_date(record.get(key)) is None:
                problems.append(Problem(key_lines.get((guide_id, key), line),
                                        f"{guide_id}: {key} must be a date, YYYY-MM-DD, not {record.get(key)!r}"))
        given = [key for key in REVIEW_KEYS if _text(record.get(key))]
        if given and len(given) < len(REVIEW_KEYS):
            missing = [key for key in REVIEW_KEYS if key not in given]
            problems.append(Problem(key_lines.get((guide_id, given[0]), line),
                                    f"{guide_id}: a review needs {', '.join(REVIEW_KEYS)}; missing "
                                    f"{', '.join(missing)} (until then the translation is a draft)"))
        translated_on, reviewed_on = _as_date(record.get("translated-on")), _as_date(record.get("reviewed-on"))
        if translated_on and reviewed_on and reviewed_on < translated_on:
            problems.append(Problem(key_lines.get((guide_id, "reviewed-on"), line),
                                    f"{guide_id}: reviewed-on {reviewed_on} is before translated-on {translated_on}"))
        records[str(guide_id)] = Translation(
            guide_id=str(guide_id),
            english_version=version.strip(),
            translated_by=_text(record.get("translated-by")),
            translated_on=translated_on,
            reviewed_by=_text(record.get("reviewed-by")),
            reviewer_credential=_text(record.get("reviewer-credential")),
            reviewed_on=reviewed_on,
            accepted_english_version=_text(record.get("accepted-english-version")),
            line=line,
        )
    return records, problems


def read_register(locale_dir: Path, language: str) -> tuple[dict[str, Translation], list[Problem], Path]:
    """``<locale_dir>/<language>/translations.yaml`` read; no file reads as no translation."""
    path = Path(locale_dir) / language / REGISTER_NAME
    if not path.is_file():
        return {}, [], path
    records, problems = parse(path.read_text(encoding="utf-8"))
    return records, problems, path


def state(record: Translation | None, english_version: str) -> str:
    """``"missing"``, ``"stale"``, ``"accepted"`` (stale but accepted), ``"draft"`` or ``"current"``.

    Stale comes first: a reviewed translation of an older English version is
    still out of date.
    """
    if record is None:
        return "missing"
    if record.english_version != english_version:
        return "accepted" if record.accepted_english_version == english_version else "stale"
    return "current" if record.reviewed else "draft"


@dataclasses.dataclass(frozen=True)
class TranslationBanner:
    """A notice at the top of a translated page (and its PDF), in the page's language."""

    kind: str  # "translation-draft" | "translation-stale"
    text: str
    link_text: str


def banners(record: Translation | None, english_version: str) -> list[TranslationBanner]:
    """The notices a reader of a translated guide must see (translated with the handbook catalog)."""
    found = []
    if record is None:
        return found
    if record.english_version != english_version:
        found.append(TranslationBanner(
            "translation-stale",
            _("This translation is of version {old}; version {new} in English is the current one.").format(
                old=record.english_version, new=english_version),
            _("Read the current English version"),
        ))
    if not record.reviewed:
        found.append(TranslationBanner(
            "translation-draft",
            _("Draft translation \N{EM DASH} a qualified medical translator has not checked it yet. "
              "If anything is unclear, ask us or read the English version."),
            _("Read the English version"),
        ))
    return found


def publication_problems(records: dict[str, Translation], guides: dict[str, tuple[str, str]],
                         language: str, register: str) -> list[str]:
    """Why a language's translations may not be published: stale ones not accepted.

    ``guides`` maps guide id -> (English version, source path). A draft
    translation may be published (its page says it is a draft); a stale one
    may not, unless its record accepts the English version in force.
    """
    problems = []
    for guide_id, record in sorted(records.items()):
        if guide_id not in guides:
            continue
        version, path = guides[guide_id]
        if state(record, version) == "stale":
            problems.append(
                f"{register}:{record.line}: the {language} translation of {guide_id} ({path}) is of "
                f"version {record.english_version} but the English guide is at {version}: update the "
                f"translation and its review, or set accepted-english-version: \"{version}\" if the "
                f"translation still says the same"
            )
    return problems


def configured_languages(srcdir: Path) -> list[str]:
    """The languages of ``srcdir`` to build: ``handbook_languages`` of its ``conf.py`` that
    record at least one translation (``<locale_dir>/<lang>/translations.yaml``).

    ``[]`` for a tree from before translations, or a language not started yet
    (a build of nothing but an untranslated index would only fail).
    """
    import runpy

    conf_path = Path(srcdir) / "conf.py"
    if not conf_path.is_file():
        return []
    conf = runpy.run_path(str(conf_path))
    locale_dir = Path(srcdir) / (conf.get("locale_dirs") or ["locales"])[0]
    return [language for language in conf.get("handbook_languages", [])
            if read_register(locale_dir, language)[0]]


def translation_problems(srcdir: Path) -> list[str]:
    """Step 3 of ``make publish`` for translations: every stale translation not accepted, and
    every translations register that cannot be read, in each language of ``srcdir/conf.py``."""
    import runpy

    from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter

    conf = runpy.run_path(str(Path(srcdir) / "conf.py"))
    languages = conf.get("handbook_languages", [])
    locale_dir = Path(srcdir) / (conf.get("locale_dirs") or ["locales"])[0]
    guides: dict[str, tuple[str, str]] = {}
    for folder in conf.get("handbook_translated_folders", ["patient-guides"]):
        for path in sorted((Path(srcdir) / folder).glob("*.md")):
            try:
                front = read_front_matter(path)
            except (FrontMatterError, OSError):
                continue
            if front and isinstance(front.data.get("id"), str):
                guides[front.data["id"]] = (str(front.data.get("version", "")), f"{folder}/{path.name}")
    problems = []
    for language in languages:
        records, register_problems, register = read_register(locale_dir, language)
        shown = register.relative_to(srcdir).as_posix() if register.is_relative_to(srcdir) else str(register)
        problems += [f"{shown}:{p.line}: {p.message}" for p in register_problems]
        problems += publication_problems(records, guides, language, shown)
    return problems
