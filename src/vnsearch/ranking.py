"""How hits are ranked: the weighting, its knobs, and the phrase re-ranking.

Ranking is BM25F (title words weigh more than body words, see
``schema.FIELD_BOOSTS``) with BM25's own idf, plus optional boosts for
articles that have adjacent query words as one compound word (``dân_số``,
added to the query by :mod:`vnsearch.queries`) or next to each other
(:func:`with_phrase_boosts`, on the best hits).  The knobs were tuned on
UIT-ViCoV19QA's val questions (benchmarks/relevance.py).

Whoosh scores with :class:`Weighting`; :mod:`vnsearch.arrays` scores the
usual queries the same way, faster.
"""

from __future__ import annotations

import math

from whoosh import scoring

__all__ = ["Weighting", "with_phrase_boosts"]

#: BM25 parameters: term-frequency saturation and length normalisation
#: (long articles that mention a word in passing should not outrank short
#: ones about it).
BM25_K1 = 2.0
BM25_B = 0.9
#: Weight of a compound word (``dân_số``) formed from adjacent query words,
#: relative to one word.
COMPOUND_BOOST = 0.5
#: The same for a compound typed without diacritics (``dan_so``).
FOLDED_COMPOUND_BOOST = 1.0
#: Weight of two adjacent query words found next to each other in an article.
PHRASE_BOOST = 0.5
#: How many of the best hits are re-ranked with those phrase boosts.  Checking
#: adjacency in every matching article would cost a pass over all of them;
#: the boosts only reorder hits that are already near the top.
RERANK_DEPTH = 100
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
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


def with_phrase_boosts(top: list[tuple[float, int]], words: list[str], ranker) -> list[tuple[float, int]]:
    """``top`` (``[(score, docnum)]``) re-ranked, adding ``PHRASE_BOOST`` for adjacent query words found adjacent.

    The boost is what Whoosh's ``Phrase("body", [a, b], boost=PHRASE_BOOST)``
    would add: the two words' scores in the article, scaled.  ``ranker`` (a
    :class:`vnsearch.arrays.Ranker`) finds the words in the hits' bodies.
    """
    pairs = [(a, b) for a, b in zip(words, words[1:]) if a.isalnum() and b.isalnum()]
    if not PHRASE_BOOST or not pairs:
        return top
    docnums = sorted(docnum for _, docnum in top)
    found = {w: ranker.occurrences("body", w, docnums) for pair in pairs for w in pair}
    bonus = dict.fromkeys(docnums, 0.0)
    for a, b in pairs:
        for docnum in found[a].keys() & found[b].keys():
            (positions_a, score_a), (positions_b, score_b) = found[a][docnum], found[b][docnum]
            if not positions_a.isdisjoint(p - 1 for p in positions_b):
                bonus[docnum] += PHRASE_BOOST * (score_a + score_b)
    return sorted(((score + bonus[d], d) for score, d in top), key=lambda h: (-h[0], h[1]))
