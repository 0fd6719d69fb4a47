"""Restore the diacritics of words typed without them, from an index's counts.

``dan so`` could be ``dân số``, ``dần sổ``, ``đan sợ``…  Every accented form
of an unaccented syllable can be spelled out (a few vowel letters times six
tones), so the likely ones are the forms the index holds most often.
Neighbouring words are read together when the index knows them as one
compound word (``dân_số``, ``hồ_chí_minh``): the reading that makes the
compound wins over one that picks each word's most frequent form on its own.

Only counts the index already has are needed: no model, no vocabulary scan.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .text import TONE_MARKS, VOWELS, fold, has_diacritics, normalize_word

__all__ = ["Reading", "accented_forms", "readings", "likely_forms", "shares", "MAX_WORD_LETTERS"]

#: ``frequency(term)``: how many times the index has a syllable or compound.
Frequency = Callable[[str], float]

_VARIANTS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư"}
#: Longer words are kept as typed.  No Vietnamese word is nearly this long,
#: and spelling out a word's forms costs time in proportion to its length.
MAX_WORD_LETTERS = 50
_MAX_BASES = 400
#: Forms of each word carried into the search for the best reading.
FORMS_PER_WORD = 4
#: Most lookups of a compound's accented forms, for neighbours whose
#: folded compound the index has (``da_day``: ``dạ_dày``, ``đã_đây``…):
#: each word's 6 commonest forms for two words, 3 for three.  On val
#: questions 200 lookups restore as many words (0.887), 1.6× slower.
COMPOUND_LOOKUPS = 36
#: Readings kept while moving from word to word.
BEAM = 16
#: Longest compound words looked up, in syllables (pyvi's are mostly 2–3).
COMPOUND_SIZES = (2, 3)
#: A compound's count is smoothed by this much, so that one article does not
#: rule out every other reading (tuned on val questions, benchmarks/suggestions.py).
SMOOTHING = 0.1


@dataclass(frozen=True)
class Reading:
    """One way to read a query's words, and how likely it is (0–1)."""

    words: tuple[str, ...]
    likelihood: float


@functools.lru_cache(maxsize=20_000)  # the same words come back query after query
def accented_forms(word: str) -> tuple[str, ...]:
    """Every way ``word`` (lowercase, no diacritics) could be written with them.

    ``"co"`` gives ``co, cò, có, cỏ, cõ, cọ, cô, cồ, … cơ, cờ, …``; words with
    diacritics, digits or no vowel give just themselves.
    """
    if has_diacritics(word) or not word.isalpha() or not word.isascii() or len(word) > MAX_WORD_LETTERS:
        return (word,)
    letters = [_VARIANTS.get(ch, ch) for ch in word]
    if word[0] == "d":
        letters[0] = "dđ"
    forms = []
    for spelled in itertools.islice(itertools.product(*letters), _MAX_BASES):
        base = "".join(spelled)
        first_vowel = next((i for i, ch in enumerate(base) if ch in VOWELS), None)
        if first_vowel is None:
            forms.append(base)
            continue
        for tone in ("", *TONE_MARKS):
            marked = base[: first_vowel + 1] + tone + base[first_vowel + 1 :]
            forms.append(normalize_word(marked))
    return tuple(dict.fromkeys(forms))


def readings(words: Sequence[str], frequency: Frequency) -> list[Reading]:
    """The likely accented readings of ``words`` (lowercase), most likely first.

    Words typed with diacritics, and words the index has in no form, are
    kept as they are.  A reading's likelihood is
    each word's share of its forms in the index, times, for neighbours that
    the index knows as a compound, the chosen compound's share of that
    compound's forms.
    """
    options = _options(words, frequency)
    compounds = [
        (i, size, _compound_shares(options[i - size + 1 : i + 1], frequency))
        for i in range(len(options))
        for size in COMPOUND_SIZES
        if i - size + 1 >= 0
    ]
    ending_at: dict[int, list[tuple[int, dict]]] = {}
    for i, size, shares in compounds:
        if shares:
            ending_at.setdefault(i, []).append((size, shares))
    beam: list[tuple[float, tuple[str, ...]]] = [(0.0, ())]
    for i, forms in enumerate(options):
        extended = []
        for score, chosen in beam:
            for form, share in forms:
                reading = chosen + (form,)
                step = math.log(share)
                for size, shares in ending_at.get(i, ()):
                    step += shares[reading[-size:]]
                extended.append((score + step, reading))
        beam = sorted(extended, key=lambda sc: -sc[0])[:BEAM]
    best = beam[0][0]
    weights = [math.exp(score - best) for score, _ in beam]  # relative to the best: no underflow
    total = sum(weights)
    return [Reading(chosen, w / total) for w, (_, chosen) in zip(weights, beam)]


def likely_forms(words: Sequence[str], frequency: Frequency) -> list[dict[str, float]]:
    """For each of ``words``, how likely each of its forms is in this context, relative to the likeliest.

    A form's likelihood is the sum of those of the :func:`readings` that
    have it at that place; the likeliest form gets 1.  Forms that no likely
    reading has are left out (as unlikely as can be, never impossible).
    """
    found = readings(words, frequency)
    out = []
    for i in range(len(words)):
        summed: dict[str, float] = {}
        for reading in found:
            summed[reading.words[i]] = summed.get(reading.words[i], 0.0) + reading.likelihood
        best = max(summed.values())
        out.append({form: p / best for form, p in summed.items()})
    return out


def _options(words: Sequence[str], frequency: Frequency) -> list[list[tuple[str, float]]]:
    """The forms of each word worth trying, with their shares.

    A word's ``FORMS_PER_WORD`` most frequent forms, and any rarer form that
    makes a compound the index has with its neighbours (``da day``: ``dạ``
    of ``dạ dày`` is much rarer than ``đã``, ``da``, ``đa``).
    """
    every = [shares(word, frequency) for word in words]
    options = [forms[:FORMS_PER_WORD] for forms in every]
    for size in COMPOUND_SIZES:
        for i in range(len(words) - size + 1):
            run = every[i : i + size]
            if all(len(forms) == 1 for forms in run) or not frequency("_".join(fold(w) for w in words[i : i + size])):
                continue
            per_word = max(int(COMPOUND_LOOKUPS ** (1 / size)), 1)
            for combo in itertools.product(*[forms[:per_word] for forms in run]):
                spelled = "_".join(form for form, _ in combo)
                if has_diacritics(spelled) and frequency(spelled):
                    for j, form_and_share in enumerate(combo):
                        if form_and_share not in options[i + j]:
                            options[i + j].append(form_and_share)
    return options


def shares(word: str, frequency: Frequency) -> list[tuple[str, float]]:
    """Every form of ``word`` the index has, with its share, most frequent first.

    The index stores each occurrence of a word under its folded form too, and
    a word written without diacritics twice under the same term, so the
    folded term counts ``accented + 2 × unaccented`` occurrences: when it
    counts none, no form is looked up.
    """
    if has_diacritics(word) or not word.isalpha() or not frequency(word):
        return [(word, 1.0)]
    counted = {form: frequency(form) for form in accented_forms(word) if form != word}
    counted[word] = (frequency(word) - sum(counted.values())) / 2
    counted = {form: n for form, n in counted.items() if n > 0}
    total = sum(counted.values())
    if not total:
        return [(word, 1.0)]
    ranked = sorted(counted.items(), key=lambda fn: -fn[1])
    return [(form, n / total) for form, n in ranked]


def _compound_shares(options: list[list[tuple[str, float]]], frequency: Frequency) -> dict[tuple[str, ...], float]:
    """For neighbouring words' forms (with their shares), the log weight of each reading as a compound.

    Empty when the index has no compound of these words in any form.  A
    reading that is a compound the index knows gets its share among the
    compound's forms in place of its words' own shares (``dạ dày``: ``dạ``
    is a rare word, not a rare part of ``dạ_dày``); any other reading gets
    the smoothed share of an unseen compound.
    """
    combos = list(itertools.product(*options))
    folded = {combo: "_".join(fold(w) for w, _ in combo) for combo in combos}
    totals = {key: frequency(key) for key in set(folded.values())}
    if not any(totals.values()):
        return {}
    counts = {
        combo: frequency("_".join(w for w, _ in combo))
        for combo in combos
        if totals[folded[combo]] and any(has_diacritics(w) for w, _ in combo)
    }
    accented = dict.fromkeys(totals, 0.0)
    for combo, n in counts.items():
        accented[folded[combo]] += n
    shares = {}
    for combo in combos:
        words = tuple(w for w, _ in combo)
        total = totals[folded[combo]]
        # the unaccented compound: what the folded term counts besides, twice
        count = counts.get(combo, max((total - accented[folded[combo]]) / 2, 0.0))
        shares[words] = math.log((count + SMOOTHING) / (total + SMOOTHING)) if total else 0.0
        if counts.get(combo):
            shares[words] -= sum(math.log(share) for _, share in combo)
    return shares
