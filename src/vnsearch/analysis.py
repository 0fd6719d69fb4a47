"""The Whoosh analyser for Vietnamese, used for indexing and queries alike.

Indexing ``Dân số`` yields, at the positions a phrase query expects::

    pos 0  dân      dan      (syllable, then its folded form)
    pos 0  dân_số   dan_so   (the compound word pyvi found, at its first syllable)
    pos 1  số       so

* Syllables keep recall: ``quân`` finds ``quân_đội``.
* Compounds sharpen ranking: the query layer adds ``dân_số`` as an optional
  term when the user types ``dân số``.
* Every word is indexed twice, as written (normalised) and folded, in the same
  field at the same position.  A query term typed with diacritics is looked up
  as written, so it only matches that exact word; a term typed without them
  matches the folded forms of every accented word.  A word that has no
  diacritics in the text counts for both, which ranks exact matches of an
  unaccented query first.  Mixed phrases (``"dân so"``) work because both
  forms share positions.

At query time the analyser emits each syllable as typed (normalised, never
folded, never joined), so query analysis never loads pyvi.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from whoosh.analysis import Composable, Token

from . import segment
from .text import fold, normalize_word

__all__ = ["VietnameseAnalyzer", "syllable_tokens", "index_terms", "query_terms"]

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+([.,]\d+)+")
# what pyvi's syllables come to once _pieces has split URLs and abbreviations
_SYLLABLE = re.compile(r"\d+(?:[.,]\d+)+|\w+")


class VietnameseAnalyzer(Composable):
    """Segment, normalise and fold Vietnamese text into Whoosh tokens.

    ``compounds=False`` skips pyvi's word segmentation (for short fields such
    as author names, where syllables are enough).
    """

    def __init__(self, compounds: bool = True):
        self.compounds = compounds

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VietnameseAnalyzer)
            and other.compounds == self.compounds
        )

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return

        querying = mode == "query"
        for pos, text, start, end in _tokens(value, compounds=self.compounds and not querying):
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            if keeporiginal:
                t.original = value[start:end]
            t.text = text
            yield t
            if not querying:
                t.text = fold(text)
                yield t

    def index_tokens(self, value: str) -> tuple[list[str], list[int]]:
        """The terms indexing ``value`` yields, and their positions, without Whoosh's tokens.

        The same terms as calling the analyser with ``mode="index"``, for
        :mod:`vnsearch.writer`, which indexes a thousand of them an article.
        """
        texts: list[str] = []
        positions: list[int] = []
        for pos, text, _, _ in _tokens(value, compounds=self.compounds):
            texts += (text, fold(text))
            positions += (pos, pos)
        return texts, positions


def _tokens(
    value: str, compounds: bool
) -> Iterator[tuple[int, str, int, int]]:
    """``(position, normalised text, start, end)`` for each indexable token."""
    groups = segment.words(value) if compounds else ([s] for s in segment.syllables(value))
    pos = 0
    for group in groups:
        plain = [_plain(s.text) for s in group]
        if all(plain):  # nearly every word: syllables seen many times before
            if len(group) > 1:  # a compound
                yield pos, "_".join(plain), group[0].start, group[-1].end
            for syll, text in zip(group, plain):
                yield pos, text, syll.start, syll.end
                pos += 1
            continue
        if plain == [""]:  # punctuation
            continue
        # URLs, e-mails, abbreviations: their runs of letters and digits
        split = [_pieces(value, s) for s in group if s.is_word]
        parts = [p for pieces in split for p in pieces]
        if not parts:
            continue
        texts = [normalize_word(s.text) for s in parts]
        # a compound is several syllables pyvi joined, not the pieces of a URL
        compound = len(split) > 1 and all(len(pieces) == 1 for pieces in split)
        for i, (syll, text) in enumerate(zip(parts, texts)):
            if i == 0 and compound:
                yield pos, "_".join(texts), parts[0].start, parts[-1].end
            yield pos, text, syll.start, syll.end
            pos += 1


@functools.lru_cache(maxsize=1 << 16)
def _plain(text: str) -> str | None:
    """A syllable's normalised text if it is one word as it stands, "" if it is no word, else None."""
    if not any(ch.isalnum() for ch in text):
        return ""
    if _WORD.fullmatch(text) or _NUMBER.fullmatch(text):
        return normalize_word(text)
    return None


def _pieces(value: str, syll: segment.Syllable) -> list[segment.Syllable]:
    """A URL, e-mail or ``TP.`` split into its runs of letters and digits.

    Numbers such as ``99,8`` or ``1.000`` stay whole.
    """
    if _WORD.fullmatch(syll.text) or _NUMBER.fullmatch(syll.text):
        return [syll]
    original = value[syll.start : syll.end]
    normal, starts, ends = segment.nfc_map(original)
    return [
        segment.Syllable(m.group(), syll.start + starts[m.start()], syll.start + ends[m.end() - 1])
        for m in _WORD.finditer(normal)
    ]


def syllable_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """``(normalised syllable, start, end)`` for each syllable of ``text``.

    The same syllables as the analyser's, found with one regular expression
    instead of pyvi's pattern and its clean-up: snippets scan whole articles
    at query time.
    """
    normal, starts, ends = segment.nfc_map(text)
    for m in _SYLLABLE.finditer(normal):
        if m.group().strip("_"):  # a lone underscore is no word
            yield normalize_word(m.group()), starts[m.start()], ends[m.end() - 1]


def index_terms(text: str) -> list[str]:
    """The terms indexing ``text`` produces, in order (for tests and debugging)."""
    return [t.text for t in VietnameseAnalyzer()(text, mode="index")]


def query_terms(text: str) -> list[str]:
    """The terms a query for ``text`` looks up, in order."""
    return [t.text for t in VietnameseAnalyzer()(text, mode="query")]
