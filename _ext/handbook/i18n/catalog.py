"""The handbook's own strings in the reader's language: the ``handbook`` message catalog.

Every string the extension writes where a patient reads it (box titles, banners,
the document-control panel, the print link, PDF headers and footers) goes
through :func:`_`, Sphinx's ``get_translation("handbook")``. English is the
source language: with no catalog the msgid is printed as it is.

Catalogs are ``.po`` files, never committed compiled:

* the extension's own: ``_ext/handbook/i18n/locales/<lang>/LC_MESSAGES/handbook.po``;
* a clinic's, which win: ``<locale_dirs>/<lang>/LC_MESSAGES/handbook.po`` in the
  project (a clinic adding Vietnamese writes ``locales/vi/LC_MESSAGES/handbook.po``
  from ``_ext/handbook/i18n/locales/handbook.pot``, no code).

:func:`install` compiles them with Babel into the build's doctree folder
(``<doctrees>/handbook-locale/``) when the build starts. Babel writes a
``.mo`` from the messages alone (no date, sorted), so the same ``.po`` gives
the same bytes: builds stay reproducible and no binary file is kept in git.

Dates: English pages keep ISO dates (``2026-11-16``); other languages get the
long form with the month's name from Babel's CLDR data
(``16 de noviembre de 2026``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

CATALOG = "handbook"
#: The language the handbook is written in.
SOURCE_LANGUAGE = "en"
#: The extension's own catalogs (one folder per language) and the template.
PACKAGE_LOCALES = Path(__file__).resolve().parent / "locales"
TEMPLATE = PACKAGE_LOCALES / "handbook.pot"

def _(message: str) -> str:
    """``message`` translated with the handbook catalog, as a plain ``str`` (call it at render
    time, never at import: mark module constants with :func:`N_` and translate them when used)."""
    # Imported here, not at the top: the pure modules that call _() (the PDF
    # renderer, the document-control rules) must import without Sphinx.
    from sphinx.locale import get_translation

    return str(get_translation(CATALOG)(message))

_state = {"language": SOURCE_LANGUAGE}


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark ``message`` for extraction without translating it (translate later with :func:`_`)."""
    return message


def base_language(language: str | None) -> str:
    """``"es_MX"`` / ``"es-MX"`` -> ``"es"``; ``None`` -> the source language."""
    return (language or SOURCE_LANGUAGE).replace("-", "_").split("_")[0]


def current_language() -> str:
    """The language of the build in progress (set by :func:`install`)."""
    return _state["language"]


def is_source_language(language: str | None = None) -> bool:
    """Whether ``language`` (default: the current build's) is the handbook's own, English."""
    return base_language(language if language is not None else current_language()) == SOURCE_LANGUAGE


def catalog_sources(language: str, project_locale_dirs: list[Path]) -> list[Path]:
    """The ``handbook.po`` files for ``language``, the project's first (they win)."""
    found = []
    for root in [*project_locale_dirs, PACKAGE_LOCALES]:
        for lang in dict.fromkeys((language, base_language(language))):
            po = Path(root) / lang / "LC_MESSAGES" / f"{CATALOG}.po"
            if po.is_file():
                found.append(po)
    return found


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile ``po`` to ``mo`` with Babel (fuzzy entries left out), atomically."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_name(mo.name + ".tmp")
    with tmp.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    tmp.replace(mo)


def install(language: str | None, project_locale_dirs: list[Path], cache_dir: Path) -> list[Path]:
    """Compile the ``handbook`` catalogs for ``language`` into ``cache_dir`` and load them.

    Returns the ``.po`` files used, the winning one first. Replaces any
    translator an earlier build in the same process installed, so an English
    build after a Spanish one is English again.
    """
    import sphinx.locale

    language = language or SOURCE_LANGUAGE
    _state["language"] = language
    sphinx.locale.translators.pop(("general", CATALOG), None)
    sources = [] if is_source_language(language) else catalog_sources(language, project_locale_dirs)
    dirs = []
    for index, po in enumerate(sources):
        root = Path(cache_dir) / str(index)
        compile_catalog(po, root / base_language(language) / "LC_MESSAGES" / f"{CATALOG}.mo")
        dirs.append(str(root))
    sphinx.locale.init(dirs, base_language(language), CATALOG)
    return sources


def format_date(value: dt.date | str, language: str | None = None) -> str:
    """A date as readers of ``language`` (default: this build's) expect it.

    English: ISO 8601 (``2026-11-16``), as the handbook always printed it.
    Other languages: CLDR's long date (Spanish ``16 de noviembre de 2026``).
    """
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    language = language if language is not None else current_language()
    if is_source_language(language):
        return value.isoformat()
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="long", locale=language.replace("-", "_"))


def ngettext(singular: str, plural: str, count: int) -> str:
    """Plural-aware translation with the handbook catalog."""
    import sphinx.locale

    translator = sphinx.locale.translators.get(("general", CATALOG))
    if translator is None:
        return singular if count == 1 else plural
    return translator.ngettext(singular, plural, count)
