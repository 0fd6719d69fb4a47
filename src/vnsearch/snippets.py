"""Snippets: the best short passage of an article, with the matched words marked.

A snippet is cut from the original text, with its accents and case, at word
boundaries.  A word is marked when its normalised form is a query term, or its
folded form is (so ``dan so`` marks ``dân số``): exactly the rule the index
used to match it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from .analysis import syllable_tokens
from .text import fold, normalize_word

__all__ = ["Snippet", "match_spans", "make_snippet"]

_SPACE = re.compile(r"\s+")
# "1.000Dân": a number ends a syllable right before a letter (rare, left to the full scan)
_NUMBER_THEN_LETTER = re.compile(r"\d[.,]\d+[^\W\d_]")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    """A passage and the ``(start, end)`` offsets of the marked words in it."""

    text: str
    highlights: list[tuple[int, int]]


def match_spans(text: str, terms: Collection[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` for every word of ``text`` that matches a term."""
    spans = []
    for word, start, end in _words_to_check(text, terms):
        if word in terms:
            spans.append((start, end, word))
        else:
            folded = fold(word)
            if folded in terms:
                spans.append((start, end, folded))
    return spans


def _words_to_check(text: str, terms: Collection[str]) -> Iterator[tuple[str, int, int]]:
    """The syllables of ``text`` that might match a term (normalised, with offsets).

    Every syllable, unless the terms fold to plain letters and the text is
    NFC (as stored articles are): then only those whose letters fold to a
    term's, found by one regular expression over the text folded character by
    character -- a snippet is cut for every hit, from the whole article.
    """
    folded = {fold(term) for term in terms}
    if not folded or not all(t.isascii() and t.isalpha() for t in folded):
        return syllable_tokens(text)
    if not unicodedata.is_normalized("NFC", text) or _NUMBER_THEN_LETTER.search(text):
        return syllable_tokens(text)
    alternatives = "|".join(sorted(folded, key=len, reverse=True))
    found = re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text.translate(_fold_table()))
    return ((normalize_word(text[m.start() : m.end()]), m.start(), m.end()) for m in found)


@functools.cache
def _fold_table() -> dict[int, str]:
    """Each character whose folded lowercase form is one ASCII letter, mapped to it.

    Folding text with this table keeps every offset (one character for one).
    Such letters are Latin (Latin-1 to Latin Extended-B, and Latin Extended
    Additional, where Vietnamese's ``ạ``…``ỹ`` are): in NFC text no other
    character folds to one ASCII letter, and a cold search need not try them.
    """
    table = {}
    for code in [*range(ord("A"), ord("Z") + 1), *range(0x80, 0x250), *range(0x1E00, 0x1F00)]:
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
    out: list[str] = []
    length = 0
    if start > 0:
        out.append(ELLIPSIS + " ")
        length += 2
    shift = {}
    pos = start
    for m in _SPACE.finditer(text, start, end):
        chunk = text[pos : m.start()]
        for i in range(pos, m.start() + 1):
            shift[i] = length + (i - pos)
        out.append(chunk + " ")
        length += len(chunk) + 1
        pos = m.end()
    for i in range(pos, end + 1):
        shift[i] = length + (i - pos)
    out.append(text[pos:end])
    length += end - pos
    body = "".join(out).rstrip()
    if end < len(text):
        body += " " + ELLIPSIS
    highlights = [(shift[s], shift[e]) for s, e in spans if s in shift and e in shift]
    return Snippet(body, highlights)
