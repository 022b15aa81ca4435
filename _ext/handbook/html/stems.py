"""The search index's English stemmer, remembered across pages.

Sphinx stems every word of every page for the search index, and remembers a
word's stem only for the page it is on (``IndexBuilder.feed`` caches per
call); the handbook's pages share most of their words, so most stems are
computed hundreds of times. At 300 synthetic pages stemming was 11 % of a
clean build (``make bench``, pyinstrument).

:class:`SearchEnglishMemo` is Sphinx's own English search language with one
dictionary in front of the Snowball stemmer, which is a pure function of the
word: the index, the stemmer shipped to the browser and every other output
are byte for byte the same.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.search.en import SearchEnglish


class SearchEnglishMemo(SearchEnglish):
    """``SearchEnglish`` whose stems are computed once per word for the whole build."""

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The Snowball English stem of ``word`` (lower case), as ``SearchEnglish.stem`` gives it."""
        try:
            return self._stems[word]
        except KeyError:
            stemmed = self._stems[word] = super().stem(word)
            return stemmed


def setup(app: Sphinx) -> None:
    # Registered for "en", the handbook's language; Sphinx then builds every
    # English index with it (sphinx.search.languages is shared by the process).
    app.add_search_language(SearchEnglishMemo)
