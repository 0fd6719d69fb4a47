"""Restore the diacritics of words typed without them, from an index's counts.

``dan so`` could be ``dân số``, ``dần sổ``, ``đan sợ``…  Every accented form
of an unaccented syllable can be spelled out (a few vowel letters times six
tones), so the likely ones are the forms the index holds most often.  Two
neighbouring words are read together when the index knows them as a compound
word (``dân_số``): the reading that makes the compound wins over one that
picks each word's most frequent form on its own.

Only counts the index already has are needed: no model, no vocabulary scan.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .text import fold, has_diacritics, normalize_word

__all__ = ["Reading", "accented_forms", "readings"]

#: ``frequency(term)``: how many times the index has a syllable or compound.
Frequency = Callable[[str], int]

_VARIANTS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư"}
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VOWELS = set("aăâeêioôơuưy")
_MAX_BASES = 400
#: Forms of each word carried into the search for the best reading.
FORMS_PER_WORD = 4
#: Readings kept while moving from word to word.
BEAM = 16
#: A compound's count is smoothed by this much, so that one article does not
#: rule out every other reading.
SMOOTHING = 0.1


@dataclass(frozen=True)
class Reading:
    """One way to read a query's words, and how likely it is (0–1)."""

    words: tuple[str, ...]
    likelihood: float


def accented_forms(word: str) -> list[str]:
    """Every way ``word`` (lowercase, no diacritics) could be written with them.

    ``"co"`` gives ``co, cò, có, cỏ, cõ, cọ, cô, cồ, … cơ, cờ, …``; words with
    diacritics, digits or no vowel give just themselves.
    """
    if has_diacritics(word) or not word.isalpha() or not word.isascii():
        return [word]
    letters = [_VARIANTS.get(ch, ch) for ch in word]
    if word[0] == "d":
        letters[0] = "dđ"
    forms = []
    for spelled in itertools.islice(itertools.product(*letters), _MAX_BASES):
        base = "".join(spelled)
        first_vowel = next((i for i, ch in enumerate(base) if ch in _VOWELS), None)
        if first_vowel is None:
            forms.append(base)
            continue
        for tone in _TONES:
            marked = base[: first_vowel + 1] + tone + base[first_vowel + 1 :]
            forms.append(normalize_word(marked))
    return list(dict.fromkeys(forms))


def readings(words: Sequence[str], frequency: Frequency) -> list[Reading]:
    """The likely accented readings of ``words`` (lowercase), most likely first.

    Words typed with diacritics, and words the index has in no form, are
    kept as they are.  A reading's likelihood is each word's share of its
    forms in the index, times, for neighbours that the index knows as a
    compound, the chosen compound's share of that compound's forms.
    """
    options = [_forms(word, frequency) for word in words]
    beam: list[tuple[float, tuple[str, ...]]] = [(0.0, ())]
    for i, forms in enumerate(options):
        pairs = None
        if i:
            pairs = _PairCounts([f for f, _ in options[i - 1]], [f for f, _ in forms], frequency)
        extended = []
        for score, chosen in beam:
            for form, share in forms:
                step = math.log(share)
                if pairs is not None:
                    step += pairs.log_share(chosen[-1], form)
                extended.append((score + step, chosen + (form,)))
        beam = sorted(extended, key=lambda sc: -sc[0])[:BEAM]
    total = sum(math.exp(score) for score, _ in beam)
    return [Reading(chosen, math.exp(score) / total) for score, chosen in beam]


def _forms(word: str, frequency: Frequency) -> list[tuple[str, float]]:
    """The forms of ``word`` the index has, with their shares, most frequent first.

    The index stores each occurrence of a word under its folded form too, and
    a word written without diacritics twice under the same term, so the
    folded term counts ``accented + 2 × unaccented`` occurrences.
    """
    if has_diacritics(word) or not word.isalpha():
        return [(word, 1.0)]
    counted = [(frequency(form), form) for form in accented_forms(word) if form != word]
    counted = [(n, form) for n, form in counted if n > 0]
    accented = sum(n for n, _ in counted)
    counted.append(((frequency(word) - accented) / 2, word))
    counted = [(n, form) for n, form in counted if n > 0]
    total = sum(n for n, _ in counted)
    if not total:
        return [(word, 1.0)]
    ranked = sorted(counted, key=lambda nf: -nf[0])[:FORMS_PER_WORD]
    return [(form, n / total) for n, form in ranked]


class _PairCounts:
    """How often the index has each reading of two neighbouring words as a compound."""

    def __init__(self, first: list[str], second: list[str], frequency: Frequency):
        self._folded = frequency(f"{fold(first[0])}_{fold(second[0])}")
        self._counts: dict[tuple[str, str], float] = {}
        if not self._folded:
            return
        for a, b in itertools.product(first, second):
            if has_diacritics(a) or has_diacritics(b):
                self._counts[a, b] = frequency(f"{a}_{b}")
        # the unaccented compound is what the folded term counts besides (twice)
        plain = (self._folded - sum(self._counts.values())) / 2
        for a, b in itertools.product(first, second):
            self._counts.setdefault((a, b), max(plain, 0.0))

    def log_share(self, a: str, b: str) -> float:
        """Log of the share of ``a_b`` among the compound's forms (0 if none is known)."""
        if not self._folded:
            return 0.0
        return math.log((self._counts[a, b] + SMOOTHING) / (self._folded + SMOOTHING))
