"""Run queries against an index and return plain-data hits with snippets.

Query syntax is Whoosh's: words (all required by default), ``"phrases"``,
``AND``/``OR``/``NOT``, parentheses, ``field:`` prefixes, ``prefix*``.
A word typed with diacritics matches exactly that word; a word typed without
them matches every accented form (see :mod:`vnsearch.analysis`).  Adjacent
words are also looked up as compound words (``dân số`` → ``dân_số``), which
ranks articles that use the words together first.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import pickle
import re
import struct
import threading
import weakref
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh import query as wq
from whoosh import collectors, scoring, sorting
from whoosh.filedb.filetables import FileFormatError
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

from . import storage
from .articles import Article, site_of
from .errors import IndexDamagedError, QueryError, VnsearchError
from .results import FACETS, FacetCount, Hit, IndexStats, SearchResult  # noqa: F401 (FACETS, FacetCount: re-exported)
from .schema import FIELD_BOOSTS, SEARCH_FIELDS, make_schema
from .snippets import make_snippet
from .suggest import suggest
from .text import fold, has_diacritics


__all__ = ["Hit", "FacetCount", "SearchResult", "IndexStats", "Searcher", "search", "parse_date"]

SORTS = ("relevance", "date")
#: Fields a query can name with ``field:``.
QUERY_FIELDS = ("title", "body", "author", "date", "site", "url", "id", "category")

# Limits that keep one query from holding a core for long (a paragraph is
# fine: a pasted page is not).  Words longer than ``accents.MAX_WORD_LETTERS``
# are searched but get no suggestions.

#: Longest query, in characters.
MAX_QUERY_CHARS = 1000
#: Deepest nesting of parentheses (Whoosh's parser recurses on each level).
MAX_NESTING = 20
#: Most wildcards (``dân*``, ``d?n``) and ranges (``title:[a TO c]``) in one
#: query: each is a scan of the index's words, and a match of all they find.
MAX_WILDCARDS = 4
#: Loosest phrase, ``"dân số"~10``: Whoosh compares every pair of the words'
#: positions within that distance, in every article that has them all.
MAX_SLOP = 10

# Ranking knobs, tuned on UIT-ViCoV19QA's val questions (benchmarks/relevance.py).

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
#: BM25 parameters: term-frequency saturation and length normalisation
#: (long articles that mention a word in passing should not outrank short
#: ones about it).
BM25_K1 = 2.0
BM25_B = 0.9

_QUESTION_MARK = re.compile(r"(?<=\w)\?(?=\s|$)")
_FIELD_PREFIX = re.compile(r"(?:^|[\s(+\-])([^\W\d]\w*):(?!//)")
_SCHEME_WORDS = {"http", "https", "ftp", "mailto"}


class Weighting(scoring.BM25F):
    """BM25F with BM25's own idf.

    Whoosh's default idf, ``log(N / (df + 1)) + 1``, gives a word found in
    every article (``là``, ``có``, ``được``) a weight of about 1, so long
    questions rank by their filler words; BM25's idf gives it about 0.
    """

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


class Searcher:
    """An open index to search many times (close it, or use ``with``).

    A ``Searcher`` may be shared by threads.  Whoosh's readers keep a file
    position between a seek and a read, so each thread reads the index
    through a view of its own (see ``_View``), opened on its first call and
    moved to the latest commit or rebuild at each one.
    """

    def __init__(self, index_dir: str | os.PathLike = "index"):
        self.index_dir = Path(index_dir)
        self._schema = make_schema()
        self._local = threading.local()  # this thread's _View
        # Every thread's view, for close(); a thread's view goes when the thread ends.
        self._views: weakref.WeakSet[_View] = weakref.WeakSet()
        self._views_lock = threading.Lock()  # guards _views and _closed, never a search
        self._closed = False
        self._view()  # a missing or incompatible index raises here, not at the first search

    def _view(self) -> "_View":
        """This thread's view of the index, first moved to the latest commit or rebuild."""
        if self._closed:
            raise ValueError("search on a closed Searcher")
        view = getattr(self._local, "view", None)
        if view is not None and storage.current_name(self.index_dir) == view.generation:
            fresh = view.refreshed()
        else:
            fresh = _View.open(self.index_dir)
        if fresh is not view:
            self._register(fresh, instead_of=view)
        return fresh

    def _register(self, view: "_View", instead_of: "_View | None") -> None:
        """Make ``view`` this thread's, closing the one it replaces."""
        with self._views_lock:
            closed = self._closed
            if not closed:
                self._views.add(view)  # the view replaced leaves the set when dropped
        if instead_of is not None:
            instead_of.close()
        if closed:  # by another thread, while this one was opening the index
            view.close()
            raise ValueError("search on a closed Searcher")
        self._local.view = view

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files, those of every thread's view."""
        with self._views_lock:
            self._closed = True
            views, self._views = list(self._views), weakref.WeakSet()
        for view in views:
            view.close()

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        any_terms: bool = False,
        since: dt.date | None = None,
        until: dt.date | None = None,
        site: str | None = None,
        category: str | None = None,
        sort: str = "relevance",
        suggestions: bool = True,
        use_suggestion: bool = False,
        facets: bool = False,
    ) -> SearchResult:
        """Rank the articles matching ``query``; see the module doc for syntax.

        ``any_terms`` ranks articles matching any of the words (for questions
        in natural language).  When all-words finds nothing, the result holds
        the any-words hits with ``relaxed=True``.  ``suggestions=False``
        skips "did you mean"; ``use_suggestion`` searches for the first
        suggestion instead of the query, if there is one.
        ``facets`` counts all the matches by year, site and category.
        """
        if limit < 1:
            raise QueryError("--limit must be at least 1")
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}': use one of {', '.join(SORTS)}")
        if since and until and since > until:
            raise QueryError("--since is after --until: nothing can match")
        _check_size(query)
        view = self._view()
        options = _Options(limit, any_terms, _filter(since, until, site, category), sort, facets)
        if not use_suggestion:
            result = self._search(view, query, options)  # first: a query that cannot run raises
            return replace(result, suggestions=self._suggest(view, query)) if suggestions else result
        meant = self._suggest(view, query)
        if not meant:
            return self._search(view, query, options)
        result = self._search(view, meant[0], options)
        return replace(result, suggestions=meant, instead_of=query)

    def _search(self, view: "_View", query: str, options: "_Options") -> SearchResult:
        """The hits of one query, relaxed to any of its words if it has none."""
        strict = self._parse(query, options.any_terms)
        result = self._run(view, query, strict, options)
        if result.total == 0 and not options.any_terms:
            loose = self._parse(query, True)
            if loose != strict:
                relaxed = self._run(view, query, loose, options)
                if relaxed.total:
                    result = replace(relaxed, relaxed=True)
        return result

    def suggest(self, query: str) -> list[str]:
        """Likely meant queries, best first: diacritics restored, typos fixed (see ``SearchResult``)."""
        _check_size(query)
        return self._suggest(self._view(), query)

    def _suggest(self, view: "_View", query: str) -> list[str]:
        with _reading(self.index_dir):
            return suggest(query, _Vocabulary(view.searcher.reader()))

    def article(self, id: str) -> Article:
        """The stored article with this id (``KeyError`` if there is none)."""
        view = self._view()
        with _reading(self.index_dir):
            fields = view.searcher.document(id=id)
            if fields is None:
                raise KeyError(id)
            return Article(**_metadata(fields), body=fields["body"], sha256=fields["sha256"])

    def stats(self) -> IndexStats:
        """Counts, size on disk and time of the last update."""
        view = self._view()
        reader = view.searcher.reader()
        terms = sum(1 for _ in reader.lexicon("body")) + sum(1 for _ in reader.lexicon("title"))
        files = storage.generation_files(self.index_dir, view.generation)
        tocs = [p.stat().st_mtime for p in files if p.suffix == ".toc"]
        return IndexStats(
            path=str(self.index_dir),
            articles=view.searcher.doc_count(),
            terms=terms,
            size_bytes=sum(p.stat().st_size for p in files),
            updated=dt.datetime.fromtimestamp(max(tocs)) if tocs else None,
        )

    # -- internals ---------------------------------------------------------

    def _parse(self, text: str, any_terms: bool) -> wq.Query:
        """Whoosh query for ``text``, plus optional boosts for words found together."""
        if not text or not text.strip():
            raise QueryError("empty query: give some words to search for")
        if not any_terms:  # in a question ("Lý do: …") a colon is just punctuation
            _check_fields(text)
        group = OrGroup.factory(ANY_TERMS_BONUS) if any_terms else AndGroup
        parser = MultifieldParser(
            list(SEARCH_FIELDS), self._schema, fieldboosts=FIELD_BOOSTS, group=group
        )
        try:
            # "…như thế nào?" is a question, not a one-letter wildcard
            parsed = parser.parse(_QUESTION_MARK.sub(" ", text)).normalize().accept(_every_article)
        except Exception as exc:  # Whoosh raises assorted errors on odd syntax
            raise QueryError(f"cannot understand the query: {exc}") from None
        if parsed is wq.NullQuery or not list(parsed.leaves()):
            raise QueryError("the query has no words to search for")
        _check_cost(parsed)
        boosts = _compound_terms(_positive_words(parsed))
        return wq.AndMaybe(parsed, wq.Or(boosts)) if boosts else parsed

    def _rank(self, view: "_View", q: wq.Query, filter: wq.Query | None):
        """``(match mask, scores)`` from :mod:`vnsearch.ranking`, or None if it leaves ``q`` to Whoosh."""
        return view.ranker.matches(q, view.allowed(filter))

    def _run(self, view: "_View", text: str, q: wq.Query, options: "_Options") -> SearchResult:
        """Execute a parsed query and build the hits."""
        by_date = options.sort == "date"
        depth = options.limit if by_date else max(options.limit, RERANK_DEPTH)
        with _reading(self.index_dir, query=True):  # e.g. a wildcard expanding to too many terms
            terms = _highlight_terms(q, view.searcher.reader())
            matches = None if by_date else self._rank(view, q, options.filter)
            if matches is not None:
                mask, scores = matches
                total, top = int(mask.sum()), view.ranker.best(mask, scores, depth)
            else:  # a query vnsearch.ranking leaves to Whoosh
                results = view.whoosh_search(q, depth, options.filter, by_date)
                total, top = len(results), [(hit.score or 0.0, hit.docnum) for hit in results]
                mask = view.match_mask(q, options.filter) if options.facets else None
            if not by_date:
                top = view.with_phrase_boosts(top, _positive_words(_base(q)))
        with _reading(self.index_dir):
            hits = [view.hit(docnum, score, terms) for score, docnum in top[: options.limit]]
            facets = view.facets.count(mask) if options.facets else None
        return SearchResult(text, total, hits, False, terms, facets=facets)


class _View:
    """One thread's open generation of the index, and the caches built on it.

    Nothing in a view is shared with another thread: its Whoosh searcher
    (whose files keep a read position), the ranker's postings and the facet
    codes.  Its files are closed by ``close()``, or when the thread ends.
    """

    def __init__(self, generation: str, searcher):
        self.generation = generation
        self.searcher = searcher
        #: Closes the Whoosh searcher, once (also when the view is dropped).
        self.close = weakref.finalize(self, searcher.close)
        self._ranker = self._facets = None

    @classmethod
    def open(cls, index_dir: Path) -> "_View":
        """A view of the generation in use now."""
        generation = storage.read_pointer(index_dir).name
        index = storage.open_index(index_dir, generation)
        return cls(generation, index.searcher(weighting=Weighting(B=BM25_B, K1=BM25_K1)))

    def refreshed(self) -> "_View":
        """This view, or one of the latest commit of its generation (this one is then spent)."""
        searcher = self.searcher.refresh()
        if searcher is self.searcher:
            return self
        self.close.detach()  # Whoosh closed the files the new searcher does not reuse
        return _View(self.generation, searcher)

    @property
    def ranker(self):
        """The array scorer of this view (made on first use)."""
        if self._ranker is None:
            from .ranking import Ranker  # numpy: imported by searches only

            searcher = self.searcher
            idf = lambda fieldname, text: searcher.weighting.idf(searcher, fieldname, text)  # noqa: E731
            self._ranker = Ranker(searcher, idf, B=BM25_B, K1=BM25_K1)
        return self._ranker

    @property
    def facets(self):
        """The facet counter of this view (made on first use)."""
        if self._facets is None:
            from .facets import FacetCounter  # numpy: imported by searches only, not by `import vnsearch`

            self._facets = FacetCounter(self.searcher.reader())
        return self._facets

    def match_mask(self, q: wq.Query, filter: wq.Query | None):
        """The articles matching ``q`` as a mask, found by Whoosh."""
        mask = self.ranker.mask(self.searcher.docs_for_query(q))
        allowed = self.allowed(filter)
        return mask if allowed is None else mask & allowed

    def allowed(self, filter: wq.Query | None):
        """The mask of articles ``filter`` lets through (None: all)."""
        if filter is None:
            return None
        return self.ranker.mask(self.searcher.docs_for_query(filter))

    def whoosh_search(self, q: wq.Query, limit: int, filter: wq.Query | None, by_date: bool):
        """Whoosh's results for ``q``, counting every match."""
        if by_date:
            collector = self.searcher.collector(
                limit=limit, sortedby=sorting.FieldFacet("day", reverse=True)
            )
        else:
            # Whoosh's default collector skips what cannot reach the top
            # ``limit`` (blocks, and branches such as a title-only match), and
            # then undercounts the total: 186 of 591 matches for a phrase.
            collector = collectors.TopCollector(limit, usequality=False, replace=0)
        if filter is not None:
            collector = collectors.FilterCollector(collector, filter)
        self.searcher.search_with_collector(q, collector)
        return collector.results()

    def with_phrase_boosts(
        self, top: list[tuple[float, int]], words: list[str]
    ) -> list[tuple[float, int]]:
        """Re-rank hits, adding ``PHRASE_BOOST`` for adjacent query words found adjacent.

        The boost is what Whoosh's ``Phrase("body", [a, b], boost=PHRASE_BOOST)``
        would add: the two words' scores in the article, scaled.
        """
        pairs = [(a, b) for a, b in zip(words, words[1:]) if a.isalnum() and b.isalnum()]
        if not PHRASE_BOOST or not pairs:
            return top
        docnums = sorted(docnum for _, docnum in top)
        found = {w: self.ranker.occurrences("body", w, docnums) for pair in pairs for w in pair}
        bonus = dict.fromkeys(docnums, 0.0)
        for a, b in pairs:
            for docnum in found[a].keys() & found[b].keys():
                (positions_a, score_a), (positions_b, score_b) = found[a][docnum], found[b][docnum]
                if not positions_a.isdisjoint(p - 1 for p in positions_b):
                    bonus[docnum] += PHRASE_BOOST * (score_a + score_b)
        return sorted(((score + bonus[d], d) for score, d in top), key=lambda h: (-h[0], h[1]))

    def hit(self, docnum: int, score: float, terms: frozenset[str]) -> Hit:
        """Plain data for one matching article."""
        fields = self.searcher.stored_fields(docnum)
        snippet = make_snippet(fields.get("body", ""), terms)
        return Hit(
            **_metadata(fields),
            score=float(score),
            snippet=snippet.text,
            highlights=snippet.highlights,
        )


@dataclass(frozen=True)
class _Options:
    """How to run a query, as ``Searcher.search`` was asked."""

    limit: int
    any_terms: bool
    filter: wq.Query | None
    sort: str
    facets: bool


def _filter(
    since: dt.date | None, until: dt.date | None, site: str | None, category: str | None
) -> wq.Query | None:
    """The query that lets through articles of those dates, site and category."""
    filters = []
    if since or until:
        filters.append(wq.DateRange("date", _datetime(since), _datetime(until, end=True)))
    if site:
        filters.append(wq.Term("site", _site(site)))
    if category:
        filters.append(wq.Term("category", category.strip().strip("/")))
    return wq.And(filters) if filters else None


class _Vocabulary:
    """An index's words, as :func:`vnsearch.suggest.suggest` needs them.

    Whoosh keeps a deleted article's words and counts until its segment is
    merged away, so a word is only offered if a live article has it.
    """

    #: Edits tried for a word that matches nothing, by its length.
    MAX_EDITS = ((5, 2), (3, 1))
    #: Nearest words offered for one typo, most frequent first.
    CANDIDATES = 5

    def __init__(self, reader):
        self._reader = reader
        self._live: dict[tuple[str, str], bool] = {}

    def frequency(self, term: str) -> int:
        """Occurrences of ``term`` in article bodies (0 if only deleted ones had it)."""
        count = self._reader.frequency("body", term)
        if count and self._reader.has_deletions() and not self._is_live("body", term):
            return 0
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
            # sharing the first letter (typos there are rare) skips most of the words
            found = {
                term
                for term in self._reader.terms_within("body", word, distance, prefix=1)
                if term.isalpha() and (term.isascii() or not word.isascii())
            }
            counts = {term: self.frequency(term) for term in found}  # 0 if only deleted articles had it
            live = sorted((term for term in found if counts[term]), key=lambda t: (-counts[t], t))
            if live:
                return live[: self.CANDIDATES]
        return []  # too short to guess, or nothing near

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


def search(query: str, index_dir: str | os.PathLike = "index", **options) -> SearchResult:
    """Open the index, run one query (options as ``Searcher.search``), close."""
    with Searcher(index_dir) as searcher:
        return searcher.search(query, **options)


def parse_date(text: str, *, end: bool = False) -> dt.date:
    """A date typed by a user: ``2024-01-31``, ``2024-01``, ``2024`` or ``31/01/2024``.

    A month or a year stands for its first day, or its last with ``end=True``.
    """
    text = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            d, m, y = map(int, text.split("/"))
            return dt.date(y, m, d)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            y, m = map(int, text.split("-"))
            first = dt.date(y, m, 1)
            if not end:
                return first
            return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    except ValueError:
        pass
    raise QueryError(f"bad date '{text}': use YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY")


def _positive_words(q: wq.Query) -> list[str]:
    """The body words of a query in order, leaving out negated ones."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return _positive_words(q.a)
    if isinstance(q, wq.Term):
        return [q.text] if q.fieldname == "body" else []
    if isinstance(q, wq.Phrase):
        return list(q.words) if q.fieldname == "body" else []
    return [w for child in q.children() for w in _positive_words(child)]


def _check_fields(text: str) -> None:
    """Reject ``name:`` prefixes that are not fields, naming the fields there are."""
    for name in _FIELD_PREFIX.findall(text):
        if name not in QUERY_FIELDS and name.lower() not in _SCHEME_WORDS:
            raise QueryError(f"unknown field '{name}:' (fields: {', '.join(QUERY_FIELDS)})")


def _check_cost(q: wq.Query) -> None:
    """Reject a parsed query with more wildcards, or a looser phrase, than the limits."""
    # "dân*" is looked up in the title and in the body: one wildcard
    per_field = Counter(leaf.fieldname for leaf in q.leaves() if isinstance(leaf, wq.MultiTerm))
    wildcards = max(per_field.values(), default=0)
    if wildcards > MAX_WILDCARDS:
        raise QueryError(
            f"the query has too many wildcards and ranges ({wildcards}, at most "
            f"{MAX_WILDCARDS}): keep the ones that matter"
        )
    slop = max((leaf.slop for leaf in q.leaves() if isinstance(leaf, wq.Phrase)), default=1)
    if slop > MAX_SLOP:
        raise QueryError(f'a phrase\'s ~{slop} is too loose (at most ~{MAX_SLOP}): bring its words closer')


def _every_article(q: wq.Query) -> wq.Query:
    """``*`` alone as every article: Whoosh finds the articles with a field by reading all its words' postings."""
    return wq.Every(boost=q.boost) if type(q) is wq.Every else q


def _check_size(text: str) -> None:
    """Reject a query too deeply nested or too long to run quickly (before parsing it)."""
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_NESTING:
        raise QueryError(
            f"the query is too deeply nested ({deepest} parentheses, at most {MAX_NESTING}): "
            "remove some parentheses"
        )
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS}): "
            "search for its key words"
        )


#: Errors of reading a file that is truncated or not what it should be
#: (ValueError: a bad array typecode, bytes that are not UTF-8…).
_DAMAGE = (zlib.error, struct.error, EOFError, OSError, pickle.UnpicklingError, ValueError, FileFormatError)
#: What Whoosh raises on a posting block it cannot read (a plain Exception).
_BLOCK_TAG_ERROR = "Block tag error"


@contextmanager
def _reading(index_dir: Path, *, query: bool = False) -> Iterator[None]:
    """Report an error in reading the index in one line.

    A damaged index raises ``IndexDamagedError``; with ``query=True`` any
    other error is the query's (a wildcard expanding to too many terms, a
    phrase in a field without positions), a ``QueryError``.  vnsearch's own
    errors pass through as they are.
    """
    try:
        yield
    except VnsearchError:
        raise
    except Exception as exc:
        if str(exc).startswith(_BLOCK_TAG_ERROR) or isinstance(exc, _DAMAGE):
            raise IndexDamagedError(
                f"the index in '{index_dir}' is damaged ({_damage(exc)}): run `vnsearch index --rebuild`"
            ) from None
        if query:
            raise QueryError(f"cannot run the query: {exc}") from None
        raise


def _damage(exc: Exception) -> str:
    """A short name for what was found damaged: ``Block tag error``, ``zlib.error``, ``EOFError``…"""
    if str(exc).startswith(_BLOCK_TAG_ERROR):
        return _BLOCK_TAG_ERROR
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _compound_terms(words: list[str]) -> list[wq.Query]:
    """Optional compound-word terms (``dân_số``) for adjacent query words."""
    return [
        wq.Term(
            name,
            compound,
            boost=FIELD_BOOSTS[name]
            * (COMPOUND_BOOST if has_diacritics(compound) else FOLDED_COMPOUND_BOOST),
        )
        for compound in _compounds(words)
        for name in SEARCH_FIELDS
    ]


def _compounds(words: list[str]) -> list[str]:
    """Compound-word terms for each run of 2–3 adjacent words.

    Words typed with diacritics join as typed (``dân_số``, ``gia_đình``: a
    word such as ``gia`` has none to type); words all typed without them join
    folded (``dan_so``).  The index holds compounds both ways.
    """
    out = []
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if any(not w.replace("_", "").isalnum() for w in run):
                continue
            if any(has_diacritics(w) for w in run):
                out.append("_".join(run))
            else:
                out.append("_".join(fold(w) for w in run))
    return list(dict.fromkeys(out))


def _base(q: wq.Query) -> wq.Query:
    """The query as parsed, without the optional compound-word boosts."""
    return q.a if isinstance(q, wq.AndMaybe) else q


def _highlight_terms(q: wq.Query, reader) -> frozenset[str]:
    """The words to mark in snippets: the query's own, wildcards expanded."""
    q = _base(q)
    terms = set()
    for fieldname, text in q.existing_terms(reader, expand=True):
        if fieldname in SEARCH_FIELDS:
            terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    for fieldname, text in q.iter_all_terms():
        if fieldname in SEARCH_FIELDS:
            terms.add(text)
    return frozenset(t for t in terms if "_" not in t)


def _site(text: str) -> str:
    """A site as typed (``www.x.vn``, ``https://x.vn/a``) as stored (``x.vn``)."""
    text = text.strip()
    return site_of(text if "://" in text else "//" + text) or text.lower()


def _datetime(day: dt.date | None, *, end: bool = False) -> dt.datetime | None:
    """The first (or last) moment of a day, as the index stores dates."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.max if end else dt.time.min)


def _metadata(fields: dict) -> dict:
    """The fields an ``Article`` and a ``Hit`` share, from stored fields."""
    return {
        "id": fields["id"],
        "path": fields["path"],
        "title": fields["title"],
        "date": _date(fields.get("date")),
        "author": fields.get("author"),
        "url": fields.get("url"),
        "site": fields.get("site"),
        "category": fields.get("category"),
    }


def _date(value) -> dt.date | None:
    """A stored datetime back to a date."""
    return value.date() if isinstance(value, dt.datetime) else None
