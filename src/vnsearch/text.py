"""Vietnamese text normalisation.

Vietnamese writes each syllable with up to two diacritics: a *vowel-quality*
mark that makes a different letter (â ă ê ô ơ ư) and a *tone* mark (grave,
acute, hook above, tilde, dot below).  The same word reaches us in several
spellings -- precomposed (NFC) or decomposed (NFD) Unicode, old-style or
new-style tone placement (``hòa``/``hoà``, ``thủy``/``thuỷ``), or simply with
the tone on the wrong letter (``đaị``).  A search engine has to treat these as
one word, and it also has to match queries typed without any accents at all.

This module provides the three building blocks for that:

* :func:`normalize_word` -- one canonical spelling for a syllable;
* :func:`fold` -- strip every diacritic (``Đường`` -> ``Duong``);
* :func:`has_diacritics` -- whether a query term was typed with accents.

Pure standard library; tables are built once at import time.
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache

__all__ = ["normalize_word", "fold", "has_diacritics", "TONE_MARKS", "VOWELS"]

#: Combining tone marks: grave, acute, hook above, tilde, dot below.
TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_TONES = frozenset(TONE_MARKS)
# Combining vowel-quality marks: circumflex, breve, horn.
_QUALITY_MARKS = frozenset("\u0302\u0306\u031b")

#: Vowel letters, without tone marks.
VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")  # vowels carrying a quality mark
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ") | VOWELS
# Syllable-final consonants ("k" for names such as Đắk Lắk).
_FINALS = frozenset(["", "c", "ch", "k", "m", "n", "ng", "nh", "p", "t"])


def normalize_word(word: str) -> str:
    """Return the canonical form of one word: NFC, lowercase, tone mark placed.

    Old-style (``hoà``), new-style (``hòa``) and misplaced (``đaị``) tone marks
    all become the traditional placement (``hòa``, ``đại``), so every spelling
    of a syllable indexes to the same term.  Input that does not look like a
    single Vietnamese syllable is only NFC-normalised and lowercased.
    Never raises.
    """
    if word.isascii():  # fast path: no marks to move
        return word.lower()
    return _normalize_non_ascii(word)


@lru_cache(maxsize=65536)
def _normalize_non_ascii(word: str) -> str:
    lowered = unicodedata.normalize("NFC", word).lower()
    # str.lower() can (rarely) produce decomposed output, e.g. for "İ".
    lowered = unicodedata.normalize("NFC", lowered)
    placed = _place_tone(lowered)
    return lowered if placed is None else placed


def _place_tone(word: str) -> str | None:
    """Re-place the tone mark of a lowercase syllable; None if not a syllable."""
    letters: list[str] = []  # each entry: base letter + its quality marks
    tone, tone_at = "", -1
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            if tone or not letters:
                return None  # two tone marks, or a mark with nothing under it
            tone = ch
            tone_at = len(letters) - 1
        elif ch in _QUALITY_MARKS:
            if not letters:
                return None
            letters[-1] += ch
        elif ch in _LETTERS:
            letters.append(ch)
        else:
            return None  # digit, punctuation, foreign letter or mark
    if not tone:
        return None

    letters = [unicodedata.normalize("NFC", letter) for letter in letters]
    if any(letter not in _LETTERS for letter in letters):
        return None  # a quality mark on the wrong base, e.g. "ŝ"
    if letters[tone_at] not in VOWELS:
        return None  # tone on a consonant, e.g. Spanish "ñ"

    # The nucleus is the single run of vowels; consonants may surround it.
    start = next(i for i, letter in enumerate(letters) if letter in VOWELS)
    end = start
    while end < len(letters) and letters[end] in VOWELS:
        end += 1
    if any(letter in VOWELS for letter in letters[end:]):
        return None  # more than one syllable
    if "".join(letters[end:]) not in _FINALS:
        return None

    # "qu" and "gi" (before another vowel) are initial consonants.
    initial = "".join(letters[:start])
    if end - start >= 2 and (
        (initial == "q" and letters[start] == "u")
        or (initial == "g" and letters[start] == "i")
    ):
        start += 1
    size = end - start
    if size > 3:
        return None

    # Half-horned "uơ"/"ưo" is only a valid rhyme when open (thuở); before a
    # vowel or consonant it is a typing slip for "ươ" (nguời -> người).
    for i in range(start, end - 1):
        if letters[i] + letters[i + 1] in ("uơ", "ưo") and i + 2 < len(letters):
            letters[i : i + 2] = ["ư", "ơ"]

    marked = [i for i in range(start, end) if letters[i] in _MARKED_VOWELS]
    if marked:
        target = marked[-1]  # người, tuấn, quyết, cửa
    elif size == 3 or (size == 2 and end < len(letters)):
        target = start + 1  # khoái, hoàng, huỳnh
    else:
        target = start  # hòa, khỏe, thủy, mùa, tài

    letters[target] += tone
    return unicodedata.normalize("NFC", "".join(letters))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Remove all diacritics and map đ/Đ to d/D, preserving case; return NFC.

    Folded text lets a query typed without accents (``duong``) match every
    accented spelling (``đường``, ``dương``, ...).  Works on any string.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", stripped)


def has_diacritics(text: str) -> bool:
    """Return True if *text* carries any mark or đ, i.e. was typed with accents.

    Decides whether a query term should match exactly or accent-insensitively.
    """
    if text.isascii():
        return False
    text = unicodedata.normalize("NFC", text)
    return fold(text) != text


def escape_surrogates(name: str) -> str:
    """A file name as valid text: undecodable bytes (surrogates in Python) as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")
