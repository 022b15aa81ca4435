"""Reading level of Spanish text: Szigriszt-Pazos (INFLESZ scale) and Fernández-Huerta.

Syllables are counted with pylabeador (a maintained Spanish syllabifier that
follows the Real Academia's rules for diphthongs, hiatus and accents), not
with textstat's pyphen hyphenation dictionaries, which split Spanish words at
hyphenation points, not syllables.

Formulas (scores: higher is easier; words are runs of letters, numbers left out):

* Szigriszt-Pazos, *índice de perspicuidad* (Szigriszt Pazos F., *Sistemas
  predictivos de legibilidad del mensaje escrito: fórmula de perspicuidad*,
  thesis, Universidad Complutense de Madrid, 1993)::

      P = 206.835 - 62.3 x (syllables / words) - (words / sentences)

  read on the INFLESZ scale, validated on patient information (Barrio-Cantalejo
  IM et al., *An Sist Sanit Navar* 2008;31(2):135-152): below 40 muy difícil,
  40-55 algo difícil, 55-65 normal, 65-80 bastante fácil, 80 and above muy fácil.

* Fernández-Huerta (Fernández Huerta J., *Medidas sencillas de lecturabilidad*,
  Consigna 1959;214:29-32), Flesch's reading ease adapted to Spanish::

      L = 206.84 - 0.60 x (syllables per 100 words) - 1.02 x (words / sentences)

  read on its own scale: below 30 muy difícil, 30-50 difícil, 50-60 algo
  difícil, 60-70 normal, 70-80 bastante fácil, 80-90 fácil, 90 and above muy fácil.

The handbook's default limit is "bastante fácil" or easier: INFLESZ 65.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from handbook.content.readability import scoring_text

FORMULAS = ("szigriszt-pazos", "fernandez-huerta")
FORMULA_NAMES = {"szigriszt-pazos": "Szigriszt-Pazos (INFLESZ)", "fernandez-huerta": "Fernández-Huerta"}
#: (lowest score of the band, band name), easiest first, per formula.
SCALES = {
    "szigriszt-pazos": ((80, "muy fácil"), (65, "bastante fácil"), (55, "normal"), (40, "algo difícil"),
                        (float("-inf"), "muy difícil")),
    "fernandez-huerta": ((90, "muy fácil"), (80, "fácil"), (70, "bastante fácil"), (60, "normal"),
                         (50, "algo difícil"), (30, "difícil"), (float("-inf"), "muy difícil")),
}
#: The default limit: "bastante fácil" or easier on the INFLESZ scale.
DEFAULT_FORMULA = "szigriszt-pazos"
DEFAULT_MIN_SCORE = 65.0

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE = re.compile(r"[.!?…]+(?=\s|$)")
_VOWELS = re.compile(r"[aeiouáéíóúü]+", re.IGNORECASE)


@functools.lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    """Syllables in one Spanish word (pylabeador; a vowel-group count for what it cannot split)."""
    import pylabeador

    try:
        return max(1, len(pylabeador.syllabify(word.lower())))
    except Exception:  # pylabeador refuses non-Spanish spellings ("PG", "Wi-Fi"): count vowel groups
        return max(1, len(_VOWELS.findall(word)))


@dataclasses.dataclass(frozen=True)
class SpanishReadability:
    """The reading level of one Spanish text."""

    score: float
    formula: str
    words: int
    sentences: int
    syllables: int

    @property
    def band(self) -> str:
        """The score's band on the formula's scale (INFLESZ for Szigriszt-Pazos)."""
        return band(self.score, self.formula)

    def passes(self, min_score: float) -> bool:
        return self.score >= min_score


def band(score: float, formula: str = DEFAULT_FORMULA) -> str:
    """The name of the band ``score`` falls in (``"bastante fácil"``...)."""
    for lowest, name in SCALES[formula]:
        if score >= lowest:
            return name
    return SCALES[formula][-1][1]


def readability(blocks: Iterable[str], formula: str = DEFAULT_FORMULA) -> SpanishReadability:
    """Score Spanish ``blocks`` (paragraphs, list items); each counts as at least one sentence."""
    if formula not in FORMULAS:
        raise ValueError(f"unknown Spanish readability formula {formula!r}; use one of {', '.join(FORMULAS)}")
    text = scoring_text(blocks)
    words = _WORD.findall(text)
    if not words:
        return SpanishReadability(0.0, formula, 0, 0, 0)
    sentences = max(1, len(_SENTENCE.findall(text)))
    count = sum(syllables(word) for word in words)
    per_word = count / len(words)
    per_sentence = len(words) / sentences
    if formula == "szigriszt-pazos":
        score = 206.835 - 62.3 * per_word - per_sentence
    else:
        score = 206.84 - 0.60 * (100 * per_word) - 1.02 * per_sentence
    return SpanishReadability(round(score, 1) + 0.0, formula, len(words), sentences, count)


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
_SUBSTITUTION = re.compile(r"\{\{[^}]*\}\}")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def plain_text(markdown: str) -> str:
    """A catalog message (MyST inline Markdown) as the words a reader sees, for scoring."""
    text = _LINK.sub(r"\1", markdown)
    text = _ROLE.sub(r"\1", text)
    text = _SUBSTITUTION.sub("0", text)
    text = _EMPHASIS.sub(r"\2", text)
    return text.replace("`", "")
