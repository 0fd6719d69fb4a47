"""Restore the diacritics of words typed without them, from an index's words.

``dan so`` could be ``dân số``, ``dần sổ``, ``đan sợ``…  Every accented form
of an unaccented syllable can be spelled out (a handful of vowel letters times
six tones), so the most likely one is simply the form the index holds most
often, preferring forms that make a known compound word with their
neighbours (``dân_số``), so neighbouring words are chosen together.

Only counts the index already has are needed: no model, no vocabulary scan.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from .text import has_diacritics, normalize_word

__all__ = ["accented_forms", "restore"]

_VARIANTS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư"}
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VOWELS = set("aăâeêioôơuưy")
_MAX_FORMS = 400
#: Candidate forms per word kept when looking for compounds.
_TOP = 3


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
    for spelled in itertools.islice(itertools.product(*letters), _MAX_FORMS):
        base = "".join(spelled)
        first_vowel = next((i for i, ch in enumerate(base) if ch in _VOWELS), None)
        if first_vowel is None:
            forms.append(base)
            continue
        for tone in _TONES:
            marked = base[: first_vowel + 1] + tone + base[first_vowel + 1 :]
            forms.append(normalize_word(marked))
    return list(dict.fromkeys(forms))


def restore(words: Sequence[str], frequency: Callable[[str], int]) -> list[str]:
    """The most likely accented spelling of each word, given term frequencies.

    ``frequency(term)`` counts a syllable or a compound (``dân_số``) in the
    index.  Words typed with diacritics, and words the index never has in any
    form, come back unchanged.
    """
    options = [_likely_forms(w, frequency) for w in words]
    chosen: list[str | None] = [None] * len(words)
    # compounds first, most frequent first, so neighbours agree
    pairs = []
    for i in range(len(words) - 1):
        for a, b in itertools.product(options[i], options[i + 1]):
            if not (has_diacritics(a) or has_diacritics(b)):
                continue  # that is the folded compound: its count mixes all forms
            count = frequency(f"{a}_{b}")
            if count:
                pairs.append((count, i, a, b))
    for _, i, a, b in sorted(pairs, reverse=True):
        if chosen[i] in (None, a) and chosen[i + 1] in (None, b):
            chosen[i], chosen[i + 1] = a, b
    return [c if c is not None else opts[0] for opts, c in zip(options, chosen)]


def _likely_forms(word: str, frequency: Callable[[str], int]) -> list[str]:
    """The forms of ``word`` the index has, most frequent first.

    The index stores a word without diacritics under the same term as the
    folded forms of all its accented spellings, so its own count is
    estimated: the folded count less the accented ones.
    """
    if has_diacritics(word):
        return [word]
    counted = [(frequency(form), form) for form in accented_forms(word) if form != word]
    counted = [(n, f) for n, f in counted if n]
    counted.append((frequency(word) - sum(n for n, _ in counted), word))
    ranked = sorted(counted, key=lambda nf: -nf[0])
    return [f for n, f in ranked[:_TOP] if n > 0] or [word]
