"""Score a query against whole posting lists at once, with numpy.

Whoosh finds and scores matching articles one at a time, each step a few
Python method calls through a tree of matchers; on a big index, a query of
common words spends nearly all its time there.  :class:`Ranker` evaluates
the shapes of query vnsearch builds for words (title and body terms joined
by AND, OR, AND NOT, with the optional compound-word boosts) over arrays
instead: each term's postings are read once, whole, as the arrays
:mod:`vnsearch.codec` stores (and kept for the next query),
scored with the same BM25 formula as :class:`vnsearch.ranking.Weighting`,
and combined column by column, one column per article.

Phrases are found from the terms' positions, kept as sorted arrays of
occurrences.  Other queries (wildcards, ranges, other fields) are left to Whoosh:
:meth:`Ranker.matches` returns None for them.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np  # single-threaded BLAS: see vnsearch/__init__.py
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.util.numeric import byte_to_length

from . import codec
from .ranking import Near, Readings, Synonyms, idf

__all__ = ["Ranker"]

#: Postings kept in memory between queries (about 40 bytes each: number,
#: weight, and the positions as stored).
CACHE_POSTINGS = 2_000_000
#: Occurrences (a term's article and position, 8 bytes) kept in memory
#: between queries, for phrases and proximity.
CACHE_OCCURRENCES = 4_000_000
#: The optional boosts for words near each other (:class:`Near`) are looked
#: for in this many of the best matches by the rest of the query, or in all
#: the matches if there are fewer: on ViCoV19QA (4,500 answers, questions
#: matching most of them) 2,000 ranks as all, 1,000 loses 0.004 MRR@10 on
#: val without diacritics; on a big index, the commonest words' positions
#: in every match would cost the most (benchmarks/relevance.py, speed.py).
NEAR_DEPTH = 2000
#: A query looking at fewer articles than this share of the index decodes
#: only their positions (not cached), instead of every position of its words.
FEW_ARTICLES = 0.05
#: An occurrence's key, sorted as the text reads: ``article << _SHIFT | position``.
_SHIFT = 32

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)

# A query's value over the whole index: which articles match, and their scores.
_Columns = tuple[np.ndarray, np.ndarray]
# A term's postings: article numbers, weights, and the segments' postings (for positions).
_Postings = tuple[np.ndarray, np.ndarray, "_Parts"]


class Ranker:
    """The articles of one Whoosh searcher, ready for scoring whole queries.

    Scores use the searcher's weighting (its idf, ``B`` and ``K1``), so they
    equal Whoosh's (up to rounding).
    """

    def __init__(self, searcher):
        self._searcher = searcher
        self._reader = searcher.reader()
        self._weighting = searcher.weighting
        self._B, self._K1 = self._weighting.B, self._weighting.K1
        # the fields whose terms it scores: text fields, which have lengths
        self._scored = {name for name, field in searcher.schema.items() if field.scorable}
        self._n = self._reader.doc_count_all()
        self._live = self._live_mask()
        self._lengths: dict[str, np.ndarray] = {}
        self._cache: OrderedDict[tuple[str, str], _Postings] = OrderedDict()
        self._cached = 0
        self._occurrence_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._occurrences_cached = 0

    def matches(
        self, q: wq.Query, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The mask of live articles matching ``q`` and their scores, or None if ``q`` is not for us.

        ``allowed`` is a mask of the articles a filter lets through.
        """
        columns = self._evaluate(q)
        if columns is None:
            return None
        mask, scores = columns
        mask = mask & self._live
        if allowed is not None:
            mask &= allowed
        return mask, scores

    @staticmethod
    def best(mask: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[float, int]]:
        """``[(score, docnum)]`` of the ``limit`` best articles in ``mask``, best first."""
        docnums = np.flatnonzero(mask)
        picked = scores[docnums]
        if len(docnums) > limit:
            top = np.argpartition(-picked, limit - 1)[:limit]
            docnums, picked = docnums[top], picked[top]
        order = np.lexsort((docnums, -picked))  # by score, then by docnum as Whoosh
        return [(float(picked[i]), int(docnums[i])) for i in order]

    def mask(self, docnums) -> np.ndarray:
        """A mask of the live articles among ``docnums`` (for filters)."""
        out = np.zeros(self._n, dtype=bool)
        out[np.fromiter(docnums, dtype=np.int64)] = True
        return out & self._live

    # -- evaluation ------------------------------------------------------------

    def _evaluate(self, q: wq.Query, within: np.ndarray | None = None) -> _Columns | None:
        """Match mask and scores of a query, or None if it is not one we score.

        ``within``: the articles whose scores matter (the others may score 0),
        as for the optional part of ``AndMaybe``.
        """
        if type(q) is wq.Term:
            return self._term(q)
        if type(q) is wq.Phrase:
            return self._phrase(q)
        if type(q) is Near:
            return self._near(q, within)
        if type(q) is Readings:
            return self._term(q)
        if type(q) is Synonyms:
            return self._synonyms(q)
        if type(q) in (wq.And, wq.Or):
            parts = [self._evaluate(sub, within) for sub in q.subqueries]
            if not parts or any(p is None for p in parts):
                return None
            combine = np.logical_and if type(q) is wq.And else np.logical_or
            mask, scores = parts[0]  # every part's columns are its own: added up in place
            for part_mask, part_scores in parts[1:]:
                combine(mask, part_mask, out=mask)
                scores += part_scores
            if type(q) is wq.Or and q.scale:
                scores = self._coordinated(q, scores)
                if scores is None:
                    return None
            scores *= mask
            return mask, _boosted(scores, getattr(q, "boost", 1.0))
        if type(q) is wq.AndMaybe:
            a = self._evaluate(q.a, within)
            b = None if a is None else self._evaluate(q.b, _best(a, within))
            if b is None:
                return None
            scores = a[1]
            scores += b[1]
            scores *= a[0]
            return a[0], _boosted(scores, getattr(q, "boost", 1.0))
        if type(q) is wq.AndNot:
            a, b = self._evaluate(q.a, within), self._evaluate(q.b)
            if a is None or b is None:
                return None
            mask = a[0] & ~b[0]
            return mask, _boosted(np.where(mask, a[1], 0.0), getattr(q, "boost", 1.0))
        return None

    def _coordinated(self, q: wq.Or, scores: np.ndarray) -> np.ndarray | None:
        """Whoosh's coordination bonus (``CoordMatcher``): more query terms, more score.

        Whoosh's matchers often miscount the terms an article has (a union
        does not move every branch to the current article, and an index of
        several segments finds none past the first); here they are counted.
        """
        leaves = list(q.leaves())
        if any(type(leaf) not in (wq.Term, wq.Phrase) for leaf in leaves):
            return None
        # Whoosh counts the terms that have postings, a phrase's words each
        present = [leaf for leaf in leaves if all((leaf.fieldname, w) in self._reader for w in _words(leaf))]
        count = sum(len(_words(leaf)) for leaf in present)
        if count == 0:
            return scores
        matching = np.add.reduce(
            [self._evaluate(leaf)[0] * float(len(_words(leaf))) for leaf in present]
        )
        return (scores + (matching - 1) / (count - q.scale) ** 2) * ((count - 1) / count)

    def _term(self, q: wq.Term) -> _Columns | None:
        """One term: the articles it is in, scored by BM25."""
        if q.fieldname not in self._scored or not isinstance(q.text, str):
            return None
        mask = np.zeros(self._n, dtype=bool)
        scores = np.zeros(self._n, dtype=np.float64)
        ids, weights, _ = self._postings(q.fieldname, q.text)
        if type(q) is Readings:
            weights = self._weighed(q, ids, weights)
        if len(ids):
            mask[ids] = True
            scores[ids] = self._bm25(q.fieldname, self._idf(q.fieldname, q.text), ids, weights)
        return mask, _boosted(scores, q.boost)

    def _weighed(self, q: Readings, ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """A word's counts in the articles ``ids``, each occurrence weighed by its form (see ``Readings``)."""
        weighed = counts * q.rest
        for form, weight in q.forms.items():
            form_ids, form_counts, _ = self._postings(q.fieldname, form)
            at = np.searchsorted(ids, form_ids)  # every form is counted in the word's postings too
            weighed[at] += (weight - q.rest) * form_counts
        return weighed

    def _phrase(self, q: wq.Phrase) -> _Columns | None:
        """A phrase: the articles with its words in order, each within ``slop`` of the one before.

        Scored as Whoosh scores it: the sum of its words' scores.
        """
        if q.fieldname not in self._scored or not q.words:
            return None
        mask = np.zeros(self._n, dtype=bool)
        mask[self._phrase_ends(q) >> _SHIFT] = True
        scores = np.add.reduce([self._term(wq.Term(q.fieldname, word))[1] for word in q.words])
        return mask, _boosted(scores * mask, q.boost)

    def _phrase_ends(self, q: wq.Phrase) -> np.ndarray:
        """Where a phrase is found: the occurrences of its last word that end it, sorted."""
        ends = self._occurrences(q.fieldname, q.words[0])
        for word in q.words[1:]:
            ends = _following(ends, self._occurrences(q.fieldname, word), q.slop)
        return ends

    def _synonyms(self, q: Synonyms) -> _Columns | None:
        """Ways of writing one thing, scored as one word found wherever any of them is (see ``Synonyms``).

        Occurrences are counted by place, so a place two of them share (a
        word written without diacritics is indexed twice) counts once.
        """
        if q.fieldname not in self._scored or not all(
            type(sub) in (wq.Term, wq.Phrase) and sub.fieldname == q.fieldname for sub in q.subqueries
        ):
            return None
        found = [
            self._occurrences(q.fieldname, sub.text) if type(sub) is wq.Term else self._phrase_ends(sub)
            for sub in q.subqueries
        ]
        ids, counts = np.unique(np.unique(np.concatenate(found)) >> _SHIFT, return_counts=True)
        mask = np.zeros(self._n, dtype=bool)
        scores = np.zeros(self._n, dtype=np.float64)
        if len(ids):
            mask[ids] = True
            scores[ids] = self._bm25(q.fieldname, idf(len(ids), self._n), ids, counts.astype(np.float64))
        return mask, _boosted(scores, q.boost)

    def _near(self, q: Near, within: np.ndarray | None = None) -> _Columns | None:
        """Two words near each other, in order: BM25 of the pair, counting ``1 / distance`` each time.

        Only the articles ``within`` (all if None) are looked at: an optional
        boost is only needed in the articles that match the rest of the query.
        The pair's idf counts the articles looked at that have it (all of
        them for two words, or any of the words).
        """
        if q.fieldname not in self._scored or len(q.words) != 2:
            return None
        first, second = (self._occurrences(q.fieldname, word, within) for word in q.words)
        distance = _distance_back(first, second)
        near = distance <= q.slop
        ids, at = np.unique(second[near] >> _SHIFT, return_inverse=True)
        counts = np.bincount(at, weights=1.0 / distance[near], minlength=len(ids))
        mask = np.zeros(self._n, dtype=bool)
        scores = np.zeros(self._n, dtype=np.float64)
        if len(ids):
            mask[ids] = True
            scores[ids] = self._bm25(q.fieldname, idf(len(ids), self._n), ids, counts)
        return mask, _boosted(scores, q.boost)

    def _idf(self, fieldname: str, text: str) -> float:
        return self._weighting.idf(self._searcher, fieldname, text)

    def _bm25(self, fieldname: str, word_idf: float, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """BM25 of a word of idf ``word_idf`` in the articles ``ids``, where it occurs ``weights`` times."""
        lengths = self._field_lengths(fieldname)[ids]
        avg = self._searcher.avg_field_length(fieldname) or 1
        B, K1 = self._B, self._K1
        return word_idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avg))

    # -- reading the index -------------------------------------------------------

    def _postings(self, fieldname: str, text: str) -> _Postings:
        """Document numbers, weights (term counts) and positions of a term, cached."""
        key = (fieldname, text)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        ids, weights, parts = [], [], _Parts()
        for leaf, offset in self._reader.leaf_readers():
            if (fieldname, text) in leaf:
                postings = _segment_postings(leaf, fieldname, text)
                ids.append(postings.ids + offset if offset else postings.ids)
                weights.append(postings.weights)
                parts.add(postings, ids[-1])
        found = (
            (np.concatenate(ids), np.concatenate(weights), parts)
            if ids
            else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), parts)
        )
        self._cache[key] = found
        self._cached += len(found[0])
        while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
            _, (old, _, _) = self._cache.popitem(last=False)
            self._cached -= len(old)
        return found

    def _occurrences(self, fieldname: str, text: str, within: np.ndarray | None = None) -> np.ndarray:
        """A term's occurrences as keys ``article << _SHIFT | position``, sorted.

        Only in the articles ``within``, if given.  Every occurrence is
        decoded once and cached, unless ``within`` is a few articles: then only theirs.
        """
        key = (fieldname, text)
        cached = self._occurrence_cache.get(key)
        if cached is None and within is not None and np.count_nonzero(within) < FEW_ARTICLES * self._n:
            return self._keys(fieldname, text, within)
        if cached is None:
            cached = self._occurrence_cache[key] = self._keys(fieldname, text)
            self._occurrences_cached += len(cached)
            while self._occurrences_cached > CACHE_OCCURRENCES and len(self._occurrence_cache) > 1:
                _, old = self._occurrence_cache.popitem(last=False)
                self._occurrences_cached -= len(old)
        self._occurrence_cache.move_to_end(key)
        return cached if within is None else cached[within[cached >> _SHIFT]]

    def _keys(self, fieldname: str, text: str, within: np.ndarray | None = None) -> np.ndarray:
        """A term's occurrences (in the articles ``within``, if given), decoded from its postings."""
        _, _, parts = self._postings(fieldname, text)
        articles, positions = parts.occurrences(within)
        keys = (articles << _SHIFT) | positions
        if len(keys) > 1 and (keys[1:] < keys[:-1]).any():  # positions stored out of order
            keys.sort()
        return keys

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every article's length in a field, as Whoosh stores it (one byte, rounded)."""
        if fieldname not in self._lengths:
            parts = []
            for leaf, _ in self._reader.leaf_readers():
                codes = np.zeros(leaf.doc_count_all(), dtype=np.uint8)
                column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                if column is not None:
                    raw = column._dbfile.get(column._basepos, column._count)
                    codes[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
                parts.append(_BYTE_TO_LENGTH[codes])
            self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0)
        return self._lengths[fieldname]

    def _live_mask(self) -> np.ndarray:
        """True for every article not deleted."""
        live = np.ones(self._n, dtype=bool)
        if self._reader.has_deletions():
            for leaf, offset in self._reader.leaf_readers():
                if leaf.has_deletions():
                    end = offset + leaf.doc_count_all()
                    live[offset:end] = False
                    kept = np.fromiter(leaf.all_doc_ids(), dtype=np.int64)
                    live[kept + offset] = True
        return live


class _Parts:
    """A term's postings segment by segment, for its positions."""

    def __init__(self):
        self._parts: list = []
        self._ids: list[np.ndarray] = []  # each segment's article numbers in the whole index

    def add(self, postings, ids: np.ndarray) -> None:
        self._parts.append(postings)
        self._ids.append(ids)

    def occurrences(self, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The article and the position of every occurrence, posting after posting (in articles ``within`` only, if given)."""
        articles, positions = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for part, ids in zip(self._parts, self._ids):
            freqs = part.frequencies()
            if within is None:
                articles.append(np.repeat(ids, freqs))
                positions.append(part.all_positions())
            else:
                picked = np.flatnonzero(within[ids])
                articles.append(np.repeat(ids[picked], freqs[picked]))
                positions.append(part.positions_of(picked))
        return np.concatenate(articles), np.concatenate(positions)


def _segment_postings(leaf, fieldname: str, text: str):
    """One segment's postings of a term as arrays, its deleted articles included.

    vnsearch's codec hands them over whole (:meth:`vnsearch.codec.TermsReader.postings`).
    ``leaf.postings`` would wrap the matcher of a segment with deletions in a
    filter that skips them one posting at a time; the ranker's live mask
    already leaves them out.  Segments of Whoosh's own codec (W3) are read
    through W3's matcher.
    """
    field = leaf.schema[fieldname]
    terms = leaf._terms
    if isinstance(terms, codec.TermsReader):
        return terms.postings(fieldname, field.to_bytes(text), field.format)
    matcher = terms.matcher(fieldname, field.to_bytes(text), field.format, scorer=None)
    return _W3Postings(*_read_postings(matcher), field.format)


class _W3Postings:
    """A W3 segment's postings of a term, with :class:`vnsearch.codec.Postings`'s positions."""

    def __init__(self, ids: np.ndarray, weights: np.ndarray, values: list, format_):
        self.ids, self.weights, self._values, self._format = ids, weights, values, format_

    def frequencies(self) -> np.ndarray:
        return np.array([len(self._format.decode_positions(v)) for v in self._values], dtype=np.int64)

    def all_positions(self) -> np.ndarray:
        return self.positions_of(np.arange(len(self._values)))

    def positions_of(self, picked: np.ndarray) -> np.ndarray:
        decoded = [self._format.decode_positions(self._values[i]) for i in picked]
        return np.array([p for positions in decoded for p in positions], dtype=np.int64)


def _read_postings(matcher) -> tuple[np.ndarray, np.ndarray, list]:
    """All document numbers, weights and values of one W3 segment's postings of a term.

    Whoosh's on-disk matcher is read a block at a time: ``_read_data`` loads
    a block, whose document numbers are stored as differences, and
    ``_read_weights`` and ``_read_values`` are what its ``weight()`` and
    ``value()`` use.  Other matchers are read one posting at a time.
    """
    ids, weights, values = [], [], []
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        while matcher.is_active():
            matcher._read_data()
            matcher._read_weights()
            matcher._read_values()
            ids.append(np.cumsum(np.array(matcher._data[0], dtype=np.int64)))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            values += matcher._values
            matcher._next_block()
        return np.concatenate(ids), np.concatenate(weights), values
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values


def _words(leaf: wq.Query) -> list[str]:
    """The words of a term or a phrase."""
    return list(leaf.words) if type(leaf) is wq.Phrase else [leaf.text]


def _best(columns: _Columns, within: np.ndarray | None) -> np.ndarray:
    """The mask of the ``NEAR_DEPTH`` best-scoring matches of ``columns`` (all if fewer), ``within`` only."""
    mask, scores = columns
    if within is not None:
        mask = mask & within
    count = int(np.count_nonzero(mask))
    if count <= NEAR_DEPTH:
        return mask
    matched = scores[mask]
    threshold = np.partition(matched, count - NEAR_DEPTH)[count - NEAR_DEPTH]
    return mask & (scores >= threshold)


def _following(ends: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """The ``keys`` found 1 to ``slop`` positions after one of ``ends`` (both sorted), in the same article."""
    return keys[_distance_back(ends, keys) <= slop]


def _distance_back(ends: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, how far back the nearest of ``ends`` before it is (both sorted).

    Keys are occurrences, ``article << _SHIFT | position``: an end in an
    earlier article, or none, is at least ``2 ** _SHIFT`` back.
    """
    if not len(ends):
        return np.full(len(keys), 1 << _SHIFT, dtype=np.int64)
    before = np.searchsorted(ends, keys, side="left") - 1
    return np.where(before >= 0, keys - ends[np.maximum(before, 0)], 1 << _SHIFT)


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    """``scores`` (the caller's own) times ``boost``, in place."""
    if boost != 1.0:
        scores *= boost
    return scores
