"""Spanish search that ignores accents: Sphinx's Spanish (Snowball) stemmer on folded words.

A reader types "medicacion" or "medicación", "despues" or "después": both must
find the page. Accents (acute, diaeresis) are removed before stemming, in the
index (Python) and in the reader's query (the same JavaScript Snowball stemmer
Sphinx ships, wrapped), so both sides agree. The "ñ" is kept: "año" is not "ano".

Registered for ``es`` only (``sphinx.search.languages``), so English search
(and any accent folding done for it elsewhere) is untouched.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import sphinx.search
from sphinx.search.es import SearchSpanish

_FOLDED = {"\u0301", "\u0308"}  # combining acute accent, combining diaeresis


def fold(word: str) -> str:
    """``"Medicación"`` -> ``"medicacion"``; ``"pingüino"`` -> ``"pinguino"``; ``"año"`` stays."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _FOLDED))


_JS_DIR = Path(sphinx.search.__file__).parent / "minified-js"

_JS_WRAPPER = """
window.Stemmer = class HandbookFoldedSpanishStemmer {
  constructor() { this.stemmer = new SpanishStemmer(); }
  stemWord(word) {
    const folded = word.toLowerCase().normalize("NFD").replace(/[\\u0301\\u0308]/g, "").normalize("NFC");
    return this.stemmer.stemWord(folded);
  }
};
"""


class SearchSpanishFolded(SearchSpanish):
    """Sphinx's Spanish search language, accents ignored on both sides."""

    js_stemmer_rawcode = ""  # get_js_stemmer_code() then takes js_stemmer_code as it is
    js_stemmer_code = "\n".join((
        (_JS_DIR / "base-stemmer.js").read_text(encoding="utf-8"),
        (_JS_DIR / "spanish-stemmer.js").read_text(encoding="utf-8"),
        _JS_WRAPPER,
    ))

    def split(self, input: str) -> list[str]:
        """The page's words, folded: Sphinx indexes a word as written when its stem is
        too short or a stop word ("qué", "té"), and that word must be folded too."""
        return [fold(word) for word in super().split(input)]

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(fold(word))


def register() -> None:
    """Use :class:`SearchSpanishFolded` for every Spanish build in this process."""
    sphinx.search.languages["es"] = SearchSpanishFolded
