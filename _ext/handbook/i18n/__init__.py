"""Translations of the patient guides, under the same document control as the English.

``catalog`` (the extension's own strings through the ``handbook`` message
catalog, dates in the reader's language), ``control`` (``translations.yaml``:
which English version each translation translates, its review, draft and stale
states, what publishing refuses), ``catalogs`` (the guides' ``.po`` files and
what is left to translate), ``glossary`` (terms that must not be mistranslated,
rules as data), ``readability_es`` (Szigriszt-Pazos/INFLESZ and
Fernández-Huerta with pylabeador's syllables), ``search`` (Spanish search,
accents ignored), ``commands`` (``python -m handbook translations``) and
``sphinx`` (translated builds, their checks, banners and language switcher).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, transforms and handlers."""
    from handbook.i18n import checklists, sphinx

    sphinx.setup(app)
    checklists.setup(app)
