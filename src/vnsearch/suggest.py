"""“Did you mean”: a query's likely diacritics and spelling, from the index.

Most people type Vietnamese without diacritics, and some words with a typo.
:func:`suggest` rewrites the words of a query in place (operators, quotes,
field names and wildcards stay as typed):

* a word the index has in no form, and that is no Vietnamese syllable, is
  replaced by the nearest word it has (``nguoii`` → ``nguoi``, ``ngườii`` →
  ``người``), fewest edits first, then the one that makes a compound word
  with its neighbours (``giao ducc`` → ``giao duc``), then the most
  frequent.  A right word the index lacks (``bóng đá``, ``hoà``) is left
  as it is: "fixing" it into another word would change what was asked;
* words typed without diacritics get the likeliest accented reading
  (``dan so`` → ``dân số``, see :mod:`vnsearch.accents`); a word that is
  itself the likeliest reading (``ban``, as in Ban Chỉ đạo) gets none.  In
  a query typed with diacritics, a word without them is taken as typed
  if it is a syllable so (``nay`` in ``nay 54 tuổi``) or can be none
  (``vacxin``): only one such as ``hoach`` is read as ``hoạch``;
* names and abbreviations, typed with capitals (``Covid``, ``ISP``), are
  not typos.

The suggestions only propose queries: the search itself runs as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from whoosh.reading import IndexReader

from . import typos
from .accents import Reading, readings
from .queries import word_runs
from .schema import SEARCH_FIELDS
from .syllables import could_be_syllable, is_syllable
from .text import fold, has_diacritics, normalize_word

__all__ = ["suggest", "Vocabulary", "MAX_SUGGESTIONS", "EVEN"]

#: Most suggestions offered for one query.
MAX_SUGGESTIONS = 3
#: Other readings are offered when at least this likely, relative to the best.
EVEN = 1 / 3
#: Words looked up for typos in one query, at most.
MAX_TYPOS = 3
#: Longer words are not looked up for typos (they are not Vietnamese words).
MAX_TYPO_LENGTH = 20
def suggest(query: str, vocabulary, known: Callable[[str], bool] = lambda word: False) -> list[str]:
    """Likely rewritings of ``query``, best first; empty when it looks right.

    ``vocabulary`` (an index's :class:`Vocabulary`, or a stand-in for one)
    has ``frequency(term) -> int`` (occurrences of a term in
    the index, folded terms included) and ``nearest(word) -> list[str]``
    (for a word the index does not have, the closest ones it has, most
    frequent first; None for a word it has).  Words longer than
    ``accents.MAX_WORD_LETTERS``, and those ``known`` says are right (abbreviations
    such as ``tphcm``), are kept as typed.
    """
    query = unicodedata.normalize("NFC", query)
    runs = word_runs(query)
    if not runs:
        return []
    typed = [tuple(normalize_word(m.group()) for m in run) for run in runs]
    meant = _meant_as_typed(typed)
    names = _names(runs)
    typos = _Typos(vocabulary, lambda word: word in names or word in meant or known(word))
    choices = [_choices(words, typos.corrected(list(words)), meant, vocabulary.frequency) for words in typed]
    # the best reading of every run, then the runner-up readings of each run
    options = [[c[0][0] for c in choices]]
    for i, run_choices in enumerate(choices):
        for words, _ in run_choices[1:]:
            options.append([words if j == i else c[0][0] for j, c in enumerate(choices)])
    out = []
    for option in options:
        text = _rewrite(query, runs, option)
        if option != typed and text not in out:
            out.append(text)
    return out[:MAX_SUGGESTIONS]


class Vocabulary:
    """An index's words, as :func:`suggest` needs them, from a Whoosh reader.

    Whoosh keeps a deleted article's words and counts until its segment is
    merged away, so a word is only offered if a live article has it.
    """

    #: Edits tried for a word that matches nothing, by its length: two only
    #: for words longer than a syllable (``nghiêng``), which are not
    #: Vietnamese (``internet``); a short foreign word is more often right
    #: than two typos away from a Vietnamese one (``covid`` is not ``coi``).
    MAX_EDITS = ((8, 2), (3, 1))
    #: Nearest words offered for one typo, most frequent first.
    CANDIDATES = 5

    #: Counts remembered between queries, at most (a few hundred a query).
    REMEMBERED = 100_000

    def __init__(self, reader):
        self._reader = reader
        self._live: dict[tuple[str, str], bool] = {}
        self._tables: dict[object, typos.TypoTable | None] = {}  # by segment reader
        self._counts: dict[str, int] = {}

    def frequency(self, term: str) -> int:
        """Occurrences of ``term`` in article bodies (0 if only deleted ones had it)."""
        count = self._counts.get(term)
        if count is None:
            count = self._reader.frequency("body", term)
            if count and self._reader.has_deletions() and not self._is_live("body", term):
                count = 0
            if len(self._counts) >= self.REMEMBERED:
                self._counts.clear()
            self._counts[term] = count
        return count

    def nearest(self, word: str) -> list[str] | None:
        """For a word the index lacks, the nearest words it has, most frequent first (None: it has it).

        A word typed without diacritics is corrected to one without them
        (the diacritics are restored afterwards, from its neighbours).
        """
        if any(self._is_live(name, word) for name in SEARCH_FIELDS):
            return None
        edits = next((n for size, n in self.MAX_EDITS if len(word) >= size), 0)
        for distance in range(1, edits + 1):
            found = {
                term
                for term in self._within(word, distance)
                if term.isalpha() and (term.isascii() or not word.isascii())
            }
            counts = {term: self.frequency(term) for term in found}  # 0 if only deleted articles had it
            live = sorted((term for term in found if counts[term]), key=lambda t: (-counts[t], t))
            if live:
                return live[: self.CANDIDATES]
        return []  # too short to guess, or nothing near

    def _within(self, word: str, distance: int) -> set[str]:
        """The body's words within ``distance`` edits of ``word``, sharing its first letter (typos there are rare)."""
        found: set[str] = set()
        for leaf, _ in self._reader.leaf_readers():
            if leaf not in self._tables:
                self._tables[leaf] = typos.load(leaf)
            table = self._tables[leaf]
            if table is not None:
                found |= table.within(word, distance)
            else:  # a segment without its table: Whoosh's walk through the words
                found.update(IndexReader.terms_within(leaf, typos.FIELD, word, distance, prefix=1))
        return found

    def _is_live(self, fieldname: str, term: str) -> bool:
        """Whether an article not deleted has ``term``."""
        key = (fieldname, term)
        if key not in self._live:
            if key not in self._reader:
                self._live[key] = False
            elif not self._reader.has_deletions():
                self._live[key] = True
            else:
                self._live[key] = next(iter(self._reader.postings(*key).all_ids()), None) is not None
        return self._live[key]


class _Typos:
    """Words the index lacks, replaced by the nearest ones it has."""

    def __init__(self, vocabulary, known: Callable[[str], bool]):
        self._vocabulary = vocabulary
        self._known = known
        self._left = MAX_TYPOS

    def corrected(self, words: list[str]) -> list[str]:
        """``words`` (normalised) with each unknown one replaced, in the light of its neighbours."""
        out = list(words)
        for i, word in enumerate(words):
            if not word.isalpha() or len(word) > MAX_TYPO_LENGTH or not self._left:
                continue
            if _right(word) or self._known(word):
                continue
            candidates = self._vocabulary.nearest(word)
            if candidates is None:  # a word the index has
                continue
            self._left -= 1  # a lookup, found or not
            if not candidates:
                continue
            neighbours = [fold(w) for w in out[max(i - 1, 0) : i]], [fold(w) for w in words[i + 1 : i + 2]]
            out[i] = max(candidates, key=lambda c: self._compounds(c, *neighbours))
        return out

    def _compounds(self, candidate: str, before: list[str], after: list[str]) -> int:
        """How often the index has ``candidate`` in a compound with a neighbour (any accents)."""
        folded = fold(candidate)
        keys = [f"{w}_{folded}" for w in before] + [f"{folded}_{w}" for w in after]
        return sum(self._vocabulary.frequency(key) for key in keys)


def _meant_as_typed(typed: list[tuple[str, ...]]) -> set[str]:
    """The words typed without diacritics in a query typed with them, that are meant so.

    Those that are a syllable so (``nay``, ``con``) or can be none
    (``vacxin``, ``test``): only one such as ``hoach`` is read ``hoạch``.
    """
    words = [word for run in typed for word in run]
    if not any(map(has_diacritics, words)):
        return set()
    return {w for w in words if not has_diacritics(w) and (is_syllable(w) or not could_be_syllable(w))}


def _names(runs: list[list[re.Match]]) -> set[str]:
    """The words typed as names or abbreviations (``ISP``, ``Covid`` but as the first word): no typos of others."""
    matches = [m for run in runs for m in run]
    return {normalize_word(m.group()) for i, m in enumerate(matches) if _is_name(m.group(), first=i == 0)}


def _choices(
    words: tuple[str, ...], corrected: list[str], meant: set[str], frequency
) -> list[tuple[tuple[str, ...], float]]:
    """The readings of a run of words worth offering, likeliest first, with their likelihoods.

    Words ``meant`` as typed stay so; a word the likeliest reading leaves as
    typed (``ban``) is left so by the others offered.
    """
    pinned = [i for i, word in enumerate(words) if word in meant]
    found = [r for r in readings(corrected, frequency) if all(r.words[i] == words[i] for i in pinned)]
    found = found or [Reading(tuple(corrected), 1.0)]
    best = found[0]
    kept = [i for i, word in enumerate(words) if best.words[i] == word]
    return [
        (r.words, r.likelihood)
        for r in found
        if r.likelihood >= EVEN * best.likelihood and all(r.words[i] == words[i] for i in kept)
    ]


def _is_name(typed: str, first: bool) -> bool:
    """Whether a word is typed as a name or an abbreviation: in capitals, or capitalised after the first word."""
    return (typed.isupper() and len(typed) > 1) or (not first and not typed.islower())


def _right(word: str) -> bool:
    """Whether a word is a Vietnamese syllable as typed (with diacritics, or once they are restored)."""
    return is_syllable(word) if has_diacritics(word) else could_be_syllable(word)


def _rewrite(query: str, runs: list[list[re.Match]], option: list[tuple[str, ...]]) -> str:
    """``query`` with each run's words replaced, in the case they were typed in."""
    out, pos = [], 0
    for run, words in zip(runs, option):
        for m, word in zip(run, words):
            typed = m.group()
            out.append(query[pos : m.start()])
            out.append(typed if word == normalize_word(typed) else _same_case(typed, word))
            pos = m.end()
    out.append(query[pos:])
    return "".join(out)


def _same_case(typed: str, word: str) -> str:
    """``word`` in ``typed``'s case: ``Ha`` → ``Hà``, ``HA`` → ``HÀ``."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word

