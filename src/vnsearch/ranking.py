"""How hits are ranked: the weighting, its knobs, and the queries that read words together.

Ranking is BM25F (title words weigh more than body words, see
``schema.FIELD_BOOSTS``) with BM25's own idf, plus optional boosts, added
to the query by :mod:`vnsearch.queries`, for articles that have adjacent
query words as one compound word (``dân_số``) or near each other, in order
(:class:`Near`).  The knobs were tuned on UIT-ViCoV19QA's val questions
(benchmarks/relevance.py).

Whoosh scores with :class:`Weighting`; :mod:`vnsearch.arrays` scores the
usual queries the same way, faster.
"""

from __future__ import annotations

import math

from whoosh import query as wq
from whoosh import scoring

__all__ = ["Weighting", "Near", "Readings", "Synonyms", "idf"]

#: BM25 parameters: term-frequency saturation and length normalisation
#: (long articles that mention a word in passing should not outrank short
#: ones about it).  Re-tuned with proximity and readings (issue 14) on val
#: questions, MRR@10 as written / without diacritics: K1 2.0, B 0.9 (before)
#: 0.384 / 0.376; K1 1.6, B 0.8: 0.397 / 0.380; K1 1.2, B 0.8: 0.397 / 0.386;
#: B 0.7 or 0.6 lower; confirmed on train: 0.355 / 0.350 → 0.360 / 0.352.
BM25_K1 = 1.2
BM25_B = 0.8
#: Weight of a compound word (``dân_số``) formed from adjacent query words,
#: relative to one word.
COMPOUND_BOOST = 0.5
#: The same for a compound typed without diacritics (``dan_so``).
FOLDED_COMPOUND_BOOST = 1.0
#: Weight of neighbouring query words found near each other, in order, in
#: an article (:class:`Near`), relative to one word.
PROXIMITY_BOOST = 0.5
#: The same for two words typed without diacritics (``dan so``): next to each
#: other they tell which reading was meant.
FOLDED_PROXIMITY_BOOST = 0.75
#: How near: the second word at most this many positions after the first.
PROXIMITY_WINDOW = 2
#: Weight of an unlikely reading of a word typed without diacritics, relative
#: to the likeliest in context (``duc`` in ``thu duc``: ``đức`` 1, ``dục``
#: this much; :class:`Readings`).  1 counts every reading the same.
READING_FLOOR = 0.3
#: With ``any_terms``, how much an article gains for each extra query word it has.
ANY_TERMS_BONUS = 0.9


class Weighting(scoring.BM25F):
    """BM25F with BM25's own idf, and vnsearch's ``B`` and ``K1``.

    Whoosh's default idf, ``log(N / (df + 1)) + 1``, gives a word found in
    every article (``là``, ``có``, ``được``) a weight of about 1, so long
    questions rank by their filler words; BM25's idf gives it about 0.
    """

    def __init__(self) -> None:
        super().__init__(B=BM25_B, K1=BM25_K1)

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        return idf(parent.doc_frequency(fieldname, text), parent.doc_count_all())


def idf(df: float, n: int) -> float:
    """BM25's idf of a word found in ``df`` of ``n`` articles."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class Near(wq.Phrase):
    """Two neighbouring query words found near each other, in order: an optional boost.

    :class:`vnsearch.arrays.Ranker` scores it in the matching articles (the
    ``arrays.NEAR_DEPTH`` best when more match) as BM25 of a pseudo-word, the pair: each time the second word follows the
    first within ``slop`` positions counts ``1 / distance`` (adjacent: 1),
    and the pair's idf is that of the articles having it.  Whoosh, where it
    runs a query, reads it as the phrase ``"a b"~slop``.
    """


class Readings(wq.Term):
    """A word typed without diacritics whose accented forms weigh as much as they are likely here.

    ``forms`` maps some of the forms an article may have (``đức``, ``dục``)
    to their weights; every other form, and the word written without
    diacritics, weighs ``rest``.  :class:`vnsearch.arrays.Ranker` counts each
    occurrence of the word in an article times its form's weight; Whoosh,
    where it runs a query, reads it as the plain word (every form alike).
    """

    def __init__(self, fieldname: str, text: str, forms: dict[str, float], rest: float, boost: float = 1.0):
        super().__init__(fieldname, text, boost=boost)
        self.forms = forms
        self.rest = rest

    def __repr__(self) -> str:
        return f"Readings({self.fieldname!r}, {self.text!r}, {self.forms!r}, rest={self.rest}, boost={self.boost})"


class Synonyms(wq.Or):
    """Ways of writing one thing (``UBND``, ``"ủy ban nhân dân"``), ranked as one word.

    Its subqueries are terms and phrases of one field.  An article matches
    if it has any of them; :class:`vnsearch.arrays.Ranker` scores it as BM25
    of a single word that occurs as often as all of them together (a phrase
    counts once each time it is found), with the idf of the articles having
    any: an article writing both ``UBND`` and ``Ủy ban nhân dân`` is not
    rewarded twice.  Whoosh, where it runs a query, reads it as their OR.
    """

    @property
    def fieldname(self) -> str | None:
        """The field of its terms and phrases."""
        return self.subqueries[0].fieldname if self.subqueries else None

    def __repr__(self) -> str:
        return f"Synonyms({self.subqueries!r}, boost={self.boost})"
