"""Snippets: the best short passage of an article, with the matched words marked.

A snippet is cut from the original text, with its accents and case, at word
boundaries.  A word is marked when its normalised form is a query term, or its
folded form is (so ``dan so`` marks ``dân số``): exactly the rule the index
used to match it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import string
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np

from .analysis import syllable_tokens
from .text import fold, normalize_word

__all__ = ["Snippet", "match_spans", "make_snippet"]

_SPACE = re.compile(r"\s+")
_SPACES = re.compile(r"\s\s+")
#: The word characters of :func:`_plain`'s text (see :func:`_plain_code`).
_PLAIN_WORD_CHARS = frozenset(string.ascii_lowercase + string.digits + "_Z")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    """A passage and the ``(start, end)`` offsets of the marked words in it."""

    text: str
    highlights: list[tuple[int, int]]


def match_spans(text: str, terms: Collection[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` for every word of ``text`` that matches a term."""
    fast = _whole_words(text, terms)
    if fast is None:
        words: Iterable[tuple[str, int, int]] = syllable_tokens(text)
    else:
        plain, found = fast
        if all(term.isascii() for term in terms):  # typed without accents: the folded word is the term
            return [(s, e, plain[s:e]) for s, e in found]
        words = ((normalize_word(text[s:e]), s, e) for s, e in found)
    spans = []
    for word, start, end in words:
        if word in terms:
            spans.append((start, end, word))
        else:
            folded = fold(word)
            if folded in terms:
                spans.append((start, end, folded))
    return spans


def _whole_words(text: str, terms: Collection[str]) -> tuple[str, list[tuple[int, int]]] | None:
    """``text`` folded letter by letter (:func:`_plain`), and where a folded term is a whole word in it.

    Those are the syllables of ``text`` a term may match, found without
    tokenising the whole article (a snippet is cut for every hit).  None
    when only a full scan can tell: terms that do not fold to plain letters,
    text not in NFC (stored articles are), or a match right after a digit
    (``1.000Dân`` is two syllables, ``A1Dân`` one).
    """
    folded = {fold(term) for term in terms}
    if not folded or not all(t.isascii() and t.isalpha() for t in folded):
        return None
    if not unicodedata.is_normalized("NFC", text):
        return None
    plain = _plain(text)
    found = []
    for m in _pattern(frozenset(folded)).finditer(plain):
        start, end = m.span()
        before = plain[start - 1] if start else " "
        if before.isdigit():
            return None
        if before not in _PLAIN_WORD_CHARS and (end == len(plain) or plain[end] not in _PLAIN_WORD_CHARS):
            found.append((start, end))
    return plain, found


def _plain(text: str) -> str:
    """``text`` with each character replaced by its ASCII stand-in (:func:`_plain_code`): same offsets."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    plain_codes = _PLAIN_CODES[codes]
    unknown = plain_codes == 0
    if unknown.any():  # characters met for the first time
        for code in set(codes[unknown].tolist()):
            _PLAIN_CODES[code] = _plain_code(code)
        plain_codes = _PLAIN_CODES[codes]
    return plain_codes.tobytes().decode("ascii")


#: :func:`_plain_code` of every character met so far, by code point; 0 for the others.
_PLAIN_CODES = np.zeros(0x110000, dtype=np.uint8)


def _plain_code(code: int) -> int:
    """The ASCII character standing for character ``code`` in :func:`_plain`.

    ASCII stays (lower-cased); a letter folding to one ASCII letter becomes
    it (``Đ``, ``ữ``); another digit becomes ``0``, another letter ``Z``
    (never a term's: terms are lower case) and anything else a space.  So a
    character is a word character, a digit or a letter exactly when its
    stand-in is, and regular expressions see the same word boundaries.
    """
    char = chr(code)
    if code < 0x80:
        return ord(char.lower()) or ord(" ")  # NUL as a space: 0 means unknown
    base = _fold_table().get(code)
    if base is not None:
        return ord(base)
    if char.isdecimal():
        return ord("0")
    return ord("Z") if char.isalnum() else ord(" ")


@functools.lru_cache(maxsize=512)
def _pattern(folded: frozenset[str]) -> re.Pattern:
    """Any of the folded terms, longest first.

    Word boundaries are checked apart (:func:`_whole_words`): the pattern
    then starts with a letter, which ``re`` looks for quickly.  A match
    inside a word hides no whole word: that starts after a non-word
    character, and a match is letters only.
    """
    return re.compile("|".join(sorted(folded, key=lambda t: (-len(t), t))))


@functools.cache
def _fold_table() -> dict[int, str]:
    """Each character whose folded lowercase form is one ASCII letter, mapped to it.

    Such letters are Latin (Latin-1 to Latin Extended-B, and Latin Extended
    Additional, where Vietnamese's ``ạ``…``ỹ`` are): in NFC text no other
    character folds to one ASCII letter.
    """
    table = {}
    for code in [*range(0x80, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        if not char.isalpha():
            continue
        base = fold.__wrapped__(char.lower())  # uncached: each character once
        if len(base) == 1 and base.isascii() and base.isalpha() and base != char:
            table[code] = base
    return table


def make_snippet(text: str, terms: Collection[str], width: int = 200) -> Snippet:
    """The ``width``-character passage of ``text`` with the most query words.

    Passages are compared by how many different terms they contain, then by
    how many matches.  With no match, the snippet is the start of the text.
    """
    matches = match_spans(text, terms)
    if matches:
        first, last = _best_window(matches, width)
        start, end = _frame(text, matches[first][0], matches[last][1], width)
        inside = [(s, e) for s, e, _ in matches[first : last + 1] if s >= start and e <= end]
    else:
        start, end = _frame(text, 0, 0, width)
        inside = []
    return _render(text, start, end, inside)


def _best_window(matches: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Indexes of the first and last match of the best run fitting in ``width``."""
    best, best_score = (0, 0), (0, 0)
    last = 0
    for first in range(len(matches)):
        last = max(last, first)
        while last + 1 < len(matches) and matches[last + 1][1] - matches[first][0] <= width:
            last += 1
        run = matches[first : last + 1]
        score = (len({term for _, _, term in run}), len(run))
        if score > best_score:
            best, best_score = (first, last), score
    return best


def _frame(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to about ``width`` characters, cut between words."""
    spare = max(0, width - (end - start))
    lo = max(0, start - spare // 3)
    hi = min(len(text), max(end, lo + width))
    if lo > 0 and not text[lo - 1].isspace():
        space = _SPACE.search(text, lo, start)
        lo = space.end() if space else start
    if hi < len(text) and not text[hi].isspace():
        cuts = [m.start() for m in _SPACE.finditer(text, end, hi)]
        hi = cuts[-1] if cuts else end
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """``text[start:end]`` on one line, with ellipses and shifted offsets."""
    prefix = ELLIPSIS + " " if start > 0 else ""
    body = prefix + _SPACE.sub(" ", text[start:end]).rstrip()
    if end < len(text):
        body += " " + ELLIPSIS
    # each run of spaces became one: an offset moves left by what the longer runs before it lost
    gaps = [m.span() for m in _SPACES.finditer(text, start, end)]
    gap_ends = [gap_end for _, gap_end in gaps]
    lost = list(itertools.accumulate(gap_end - gap_start - 1 for gap_start, gap_end in gaps))

    def shifted(offset: int) -> int | None:
        i = bisect.bisect_right(gap_ends, offset)
        if not start <= offset <= end or (i < len(gaps) and gaps[i][0] < offset):  # inside spaces
            return None
        return len(prefix) + offset - start - (lost[i - 1] if i else 0)

    highlights = [(shifted(s), shifted(e)) for s, e in spans]
    return Snippet(body, [(s, e) for s, e in highlights if s is not None and e is not None])
