"""“Did you mean”: a query's likely diacritics and spelling, from the index.

Most people type Vietnamese without diacritics, and some words with a typo.
:func:`suggest` rewrites the words of a query in place (operators, quotes,
field names and wildcards stay as typed):

* a word the index has in no form is replaced by the nearest word it has
  (``nguoii`` → ``nguoi``, ``ngưòi`` → ``người``), fewest edits first, then
  the most frequent;
* words typed without diacritics get the likeliest accented reading
  (``dan so`` → ``dân số``, see :mod:`vnsearch.accents`).

The suggestions only propose queries: the search itself runs as typed.
"""

from __future__ import annotations

import re

from .accents import readings
from .text import normalize_word

__all__ = ["suggest", "MAX_SUGGESTIONS", "EVEN"]

#: Most suggestions offered for one query.
MAX_SUGGESTIONS = 3
#: Other readings are offered when at least this likely, relative to the best.
EVEN = 1 / 3
#: Fields whose values are names or codes, not words (``site:``, ``id:`` …).
_VERBATIM_FIELDS = ("site", "url", "id", "category", "date")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}

# A field's value, a word, or a word run into a wildcard: the last is kept as typed.
_TOKEN = re.compile(
    r"(?P<verbatim>\b(?:%s):(?:\"[^\"]*\"?|\S*))"
    r"|(?P<field>\b\w+:)"
    # a "?" ending a word before a space is a question mark, as the query layer reads it
    r"|(?P<wild>[\w*?]*(?:\*|\?(?!\s|$))[\w*?]*)"
    r"|(?P<word>\w+)" % "|".join(_VERBATIM_FIELDS)
)
# What may separate two words that are read together: spaces and quotes.
_NEIGHBOURS = re.compile(r"[\s\"]*")


def suggest(query: str, vocabulary) -> list[str]:
    """Likely rewritings of ``query``, best first; empty when it looks right.

    ``vocabulary`` has ``frequency(term) -> int`` (occurrences of a term in
    the index, folded terms included) and ``nearest(word) -> str | None``
    (for a word the index does not have, the closest one it has).
    """
    runs = _runs(query)
    if not runs:
        return []
    choices: list[list[tuple[tuple[str, ...], float]]] = []
    for run in runs:
        words = [_corrected(m.group(), vocabulary) for m in run]
        found = readings(words, vocabulary.frequency)
        best = found[0].likelihood
        choices.append([(r.words, r.likelihood) for r in found if r.likelihood >= EVEN * best])
    # the best reading of every run, then the runner-up readings of each run
    options = [[c[0][0] for c in choices]]
    for i, run_choices in enumerate(choices):
        for words, _ in run_choices[1:]:
            options.append([words if j == i else c[0][0] for j, c in enumerate(choices)])
    typed = [tuple(normalize_word(m.group()) for m in run) for run in runs]
    out = []
    for option in options:
        text = _rewrite(query, runs, option)
        if option != typed and text not in out:
            out.append(text)
    return out[:MAX_SUGGESTIONS]


def _runs(query: str) -> list[list[re.Match]]:
    """The query's plain words, in runs of neighbours (read together)."""
    runs: list[list[re.Match]] = []
    last_end = None
    for m in _TOKEN.finditer(query):
        word = m.group("word")
        if word is None or word in _OPERATORS or "_" in word:
            last_end = None
            continue
        between = query[last_end : m.start()] if last_end is not None else None
        if between is not None and _NEIGHBOURS.fullmatch(between):
            runs[-1].append(m)
        else:
            runs.append([m])
        last_end = m.end()
    return runs


def _corrected(word: str, vocabulary) -> str:
    """``word`` lowercased and normalised, or the nearest word the index has."""
    word = normalize_word(word)
    return (vocabulary.nearest(word) if word.isalpha() else None) or word


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

