"""Search ignores accents: ``cafe`` finds "Café", ``nino`` finds "niño" (issue 18).

Sphinx's search stems each word of the pages into ``searchindex.js`` in
Python and each word of the query in JavaScript with the same stemmer, and
looks the stems up. Both sides here fold the word first, the same way:
Unicode compatibility decomposition (NFKD), then every combining mark
dropped. ``é`` and ``e``, ``ñ`` and ``n``, ``ü`` and ``u``, ``ﬁ`` and ``fi``
become one, whatever the page's language; the stemmer (English for the
handbook) then runs on the folded word. The cost: two Spanish words that
differ only by an accent or a tilde (``año``, ``ano``) are found together,
as in most search engines.

* Python: the HTML builder's search indexer's language gets a folding
  ``stem`` (:func:`fold_stemmer`), once per build.
* JavaScript: ``static/handbook-search.js`` wraps the page's ``Stemmer`` the
  same way, with ``String.prototype.normalize("NFKD")`` and ``\\p{M}``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

STATIC_DIR = Path(__file__).parent / "static"
SCRIPT = "handbook-search.js"
_FOLDED = "_handbook_folds_accents"


def fold(word: str) -> str:
    """``word`` without accents: NFKD, combining marks (category M*) dropped (``"Café"`` -> ``"Cafe"``)."""
    return "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.category(char).startswith("M"))


def fold_stemmer(language) -> None:
    """Make ``language.stem`` (a ``sphinx.search.SearchLanguage``) fold accents first; idempotent."""
    if getattr(language, _FOLDED, False):
        return
    stem = language.stem
    language.stem = lambda word: stem(fold(word))
    setattr(language, _FOLDED, True)


def _fold_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None:
        fold_stemmer(indexer.lang)


def _add_static(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]


def setup(app: Sphinx) -> None:
    """Add the query-side script and fold the index's words while pages are written."""
    app.connect("config-inited", _add_static)
    # Deferred: it runs after the theme's language_data.js (which defines
    # Stemmer) and before the search page runs its query.
    app.add_js_file(SCRIPT, loading_method="defer")
    app.connect("doctree-resolved", _fold_index, priority=100)
