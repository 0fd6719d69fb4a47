"""Run queries against an index and return plain-data hits with snippets.

Query syntax is Whoosh's (see :mod:`vnsearch.queries`).  A word typed with
diacritics matches exactly that word; a word typed without them matches
every accented form (see :mod:`vnsearch.analysis`).  :class:`Searcher` runs
a query: it parses it (:mod:`vnsearch.queries`), scores the matches
(:mod:`vnsearch.ranking`, :mod:`vnsearch.arrays`), and returns plain data
(:mod:`vnsearch.results`) with snippets, "did you mean" suggestions
(:mod:`vnsearch.suggest`) and facet counts (:mod:`vnsearch.facets`).
Abbreviations are searched with their long forms, and back
(:mod:`vnsearch.abbreviations`).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import struct
import threading
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh import query as wq
from whoosh import collectors, sorting
from whoosh.filedb.filetables import FileFormatError

from . import abbreviations, schema, storage
from .articles import FILE, JSON, SOURCES, Article
from .codec import column_values
from .errors import IndexDamagedError, QueryError, SynonymsFileError, VnsearchError
from .queries import (  # noqa: F401 (parse_date: re-exported)
    check_size,
    filter_query,
    highlight_terms,
    parse,
    parse_date,
    quote_long_forms,
    to_date,
    with_abbreviations,
)
from .ranking import Weighting
from .results import FACETS, SORTS, FacetCount, Hit, IndexStats, SearchResult  # noqa: F401 (FACETS, FacetCount: re-exported)
from .snippets import make_snippet
from .suggest import Vocabulary, suggest


__all__ = ["Hit", "FacetCount", "SearchResult", "IndexStats", "Searcher", "search", "parse_date", "SYNONYMS_FILE"]

#: A file of abbreviations to add or veto, read from the index folder when no other is given.
SYNONYMS_FILE = "synonyms.txt"


class Searcher:
    """An open index to search many times (close it, or use ``with``).

    A ``Searcher`` may be shared by threads.  Whoosh's readers keep a file
    position between a seek and a read, so each thread reads the index
    through a view of its own (see ``_View``), opened on its first call and
    moved to the latest commit or rebuild at each one.

    Abbreviations are searched with their long forms, and long forms with
    their abbreviations: those of vnsearch's list, those the articles define
    ("Ủy ban nhân dân (UBND)") often and consistently, and those of a file
    of additions and vetoes, ``synonyms`` (by default ``synonyms.txt`` in
    the index folder, if there is one; see :mod:`vnsearch.abbreviations`).
    """

    def __init__(self, index_dir: str | os.PathLike = "index", *, synonyms: str | os.PathLike | None = None):
        self.index_dir = Path(index_dir)
        self._schema = schema.make_schema()
        self._local = threading.local()  # this thread's _View
        # Every thread's view, for close(); a thread's view goes when the thread ends.
        self._views: weakref.WeakSet[_View] = weakref.WeakSet()
        self._views_lock = threading.Lock()  # guards _views and _closed, never a search
        self._closed = False
        self._users = _users_abbreviations(self.index_dir, synonyms)  # a bad synonyms file raises here
        self._view()  # and so does a missing or incompatible index, not at the first search

    def _view(self) -> "_View":
        """This thread's view of the index, first moved to the latest commit or rebuild."""
        if self._closed:
            raise ValueError("search on a closed Searcher")
        view = getattr(self._local, "view", None)
        with _reading(self.index_dir, opening=True):  # a damaged term dictionary fails here
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
        offset: int = 0,
        any_terms: bool = False,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        site: str | None = None,
        category: str | None = None,
        sort: str = "relevance",
        suggestions: bool = True,
        use_suggestion: bool = False,
        facets: bool = False,
        expand: bool = True,
    ) -> SearchResult:
        """Rank the articles matching ``query``; see the module doc for syntax.

        The hits are the ``limit`` best after the ``offset`` best (pages of
        results: ``offset=10`` for the second page of ten).

        ``any_terms`` ranks articles matching any of the words (for questions
        in natural language).  When all-words finds nothing, the result holds
        the any-words hits with ``relaxed=True``.  ``since`` and ``until``
        are dates, or dates as :func:`parse_date` reads them (``"2024"``
        until its last day).  ``sort="date"`` puts the newest first, and the
        hits then have no score.  ``suggestions=False`` skips "did you
        mean"; ``use_suggestion`` searches for the first suggestion instead
        of the query, if there is one.  ``facets`` counts all the matches by
        year, site and category.  ``expand=False`` searches abbreviations and
        long forms only as typed (see ``SearchResult.expanded``).
        """
        if limit < 1:
            raise QueryError(f"limit must be at least 1, not {limit}")
        if offset < 0:
            raise QueryError(f"offset must be at least 0, not {offset}")
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}': use one of {', '.join(SORTS)}")
        since, until = to_date(since), to_date(until, end=True)
        if since and until and since > until:
            raise QueryError(f"since ({since}) is after until ({until}): nothing can match")
        check_size(query)
        view = self._view()
        options = _Options(limit, offset, any_terms, filter_query(since, until, site, category), sort, facets, expand)
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
        # ranked by relevance, words typed without diacritics read as they are likely meant
        frequency = None if options.sort == "date" else view.vocabulary.frequency
        with _reading(self.index_dir):
            strict, expanded = self._parsed(view, query, options, any_terms=options.any_terms, frequency=frequency)
        result = self._run(view, query, strict, options)
        if result.total == 0 and not options.any_terms:
            with _reading(self.index_dir):
                loose, expanded_loose = self._parsed(view, query, options, any_terms=True, frequency=frequency)
            if loose != strict:
                relaxed = self._run(view, query, loose, options)
                if relaxed.total:
                    result, expanded = replace(relaxed, relaxed=True), expanded_loose
        return replace(result, expanded=expanded)

    def _parsed(self, view: "_View", text: str, options: "_Options", **how) -> tuple[wq.Query, list[str]]:
        """The query for ``text``, its abbreviations searched with their long forms (and back), and what that added."""
        if not options.expand:
            return parse(text, self._schema, **how), []
        table = view.abbreviations(self._users)
        q = parse(quote_long_forms(text, table), self._schema, **how)
        return with_abbreviations(q, table, text, view.vocabulary.frequency)

    def suggest(self, query: str) -> list[str]:
        """Likely meant queries, best first: diacritics restored, typos fixed (see ``SearchResult``)."""
        check_size(query)
        return self._suggest(self._view(), query)

    def _suggest(self, view: "_View", query: str) -> list[str]:
        table = view.abbreviations(self._users)
        with _reading(self.index_dir):
            return suggest(query, view.vocabulary, known=lambda word: bool(table.long_forms(word)))

    def article(self, id: str) -> Article:
        """The stored article with this id (``KeyError`` if there is none)."""
        view = self._view()
        with _reading(self.index_dir):
            fields = view.searcher.document(id=id)
            if fields is None:
                raise KeyError(id)
            return schema.stored_article(fields)

    def articles(self) -> Iterator[Article]:
        """Every stored article, in the index's order, as the index is when the iteration starts.

        It reads through a reader of its own, so searches may go on meanwhile.
        """
        if self._closed:
            raise ValueError("articles of a closed Searcher")
        with _reading(self.index_dir, opening=True):
            index = storage.open_index(self.index_dir)
        with index.reader() as reader, _reading(self.index_dir):
            for fields in reader.all_stored_fields():  # deleted ones left out
                yield schema.stored_article(fields)

    def stats(self) -> IndexStats:
        """Counts, size on disk and time of the last update."""
        view = self._view()
        reader = view.searcher.reader()
        terms = sum(1 for _ in reader.lexicon("body")) + sum(1 for _ in reader.lexicon("title"))
        size, committed = storage.generation_usage(self.index_dir, view.generation)
        sources = dict.fromkeys(SOURCES, 0)
        for leaf, _ in reader.leaf_readers():
            values = column_values(leaf, "source")
            for docnum in leaf.all_doc_ids():
                sources[JSON if values[docnum] == JSON else FILE] += 1
        return IndexStats(
            path=str(self.index_dir),
            articles=view.searcher.doc_count(),
            terms=terms,
            size_bytes=size,
            updated=dt.datetime.fromtimestamp(committed) if committed is not None else None,
            sources=sources,
        )

    # -- internals ---------------------------------------------------------

    def _rank(self, view: "_View", q: wq.Query, filter: wq.Query | None):
        """``(match mask, scores)`` from :mod:`vnsearch.ranking`, or None if it leaves ``q`` to Whoosh."""
        return view.ranker.matches(q, view.allowed(filter))

    def _run(self, view: "_View", text: str, q: wq.Query, options: "_Options") -> SearchResult:
        """Execute a parsed query and build the hits."""
        by_date = options.sort == "date"
        with _reading(self.index_dir, query=True):  # e.g. a wildcard expanding to too many terms
            terms = highlight_terms(q, view.searcher.reader())
            matches = None if by_date else self._rank(view, q, options.filter)
            if matches is not None:
                mask, scores = matches
                total, top = int(mask.sum()), view.ranker.best(mask, scores, options.offset + options.limit)
            else:  # a query vnsearch.ranking leaves to Whoosh
                results = view.whoosh_search(q, options.offset + options.limit, options.filter, by_date)
                # sorted by date, a Whoosh hit's score is its sort key: no score
                total, top = len(results), [(None if by_date else hit.score, hit.docnum) for hit in results]
                mask = view.match_mask(q, options.filter) if options.facets else None
        with _reading(self.index_dir):
            hits = [view.hit(docnum, score, terms) for score, docnum in top[options.offset :]]
            facets = view.facets.count(mask) if options.facets else None
        return SearchResult(text, total, hits, False, terms, facets=facets, offset=options.offset)


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
        self._ranker = self._facets = self._vocabulary = self._abbreviations = None

    @classmethod
    def open(cls, index_dir: Path) -> "_View":
        """A view of the generation in use now."""
        generation = storage.read_pointer(index_dir).name
        index = storage.open_index(index_dir, generation)
        return cls(generation, index.searcher(weighting=Weighting()))

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
            from .arrays import Ranker  # numpy: imported by searches only

            self._ranker = Ranker(self.searcher)
        return self._ranker

    def abbreviations(self, users: tuple[list, list]) -> "abbreviations.Table":
        """The abbreviations searched with their long forms: vnsearch's, the index's, the user's (made on first use)."""
        if self._abbreviations is None:
            added, vetoes = users
            learned = abbreviations.learned(_defined(self.searcher.reader()))
            self._abbreviations = abbreviations.Table(abbreviations.builtin() + learned + added, vetoes)
        return self._abbreviations

    @property
    def vocabulary(self) -> Vocabulary:
        """The index's words and counts, for readings and suggestions (made on first use)."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self.searcher.reader())
        return self._vocabulary

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

    def hit(self, docnum: int, score: float | None, terms: frozenset[str]) -> Hit:
        """Plain data for one matching article (``score``: None when not ranked by relevance)."""
        fields = self.searcher.stored_fields(docnum)
        snippet = make_snippet(fields.get("body", ""), terms)
        return Hit(
            **schema.article_fields(fields),
            score=None if score is None else float(score),
            snippet=snippet.text,
            highlights=snippet.highlights,
        )


@dataclass(frozen=True)
class _Options:
    """How to run a query, as ``Searcher.search`` was asked."""

    limit: int
    offset: int
    any_terms: bool
    filter: wq.Query | None
    sort: str
    facets: bool
    expand: bool


def _users_abbreviations(index_dir: Path, path: str | os.PathLike | None) -> tuple[list, list]:
    """The abbreviations a user adds and vetoes: in ``path``, or in the index folder's ``synonyms.txt``."""
    if path is None:
        path = index_dir / SYNONYMS_FILE
        if not path.is_file():
            return [], []
    try:
        return abbreviations.load_file(path)
    except OSError as exc:
        raise SynonymsFileError(f"cannot read the synonyms file '{path}': {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SynonymsFileError(str(exc)) from None


def _defined(reader) -> dict:
    """How many articles define each abbreviation inline, from the index's ``abbreviations`` field."""
    counts: dict = {}
    if schema.ABBREVIATIONS not in reader.schema:
        return counts
    for term in reader.lexicon(schema.ABBREVIATIONS):
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        try:
            pair = abbreviations.decode(text)
        except ValueError:
            continue
        if reader.has_deletions():  # a deleted article's terms stay counted until its segment is merged
            found = sum(1 for _ in reader.postings(schema.ABBREVIATIONS, text).all_ids())
        else:
            found = reader.doc_frequency(schema.ABBREVIATIONS, text)
        counts[pair] = counts.get(pair, 0) + found
    return counts


def search(
    query: str,
    index_dir: str | os.PathLike = "index",
    *,
    limit: int = 10,
    offset: int = 0,
    any_terms: bool = False,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    site: str | None = None,
    category: str | None = None,
    sort: str = "relevance",
    suggestions: bool = True,
    use_suggestion: bool = False,
    facets: bool = False,
    expand: bool = True,
    synonyms: str | os.PathLike | None = None,
) -> SearchResult:
    """Open the index, run one query (options as ``Searcher.search``), close."""
    with Searcher(index_dir, synonyms=synonyms) as searcher:
        return searcher.search(
            query, limit=limit, offset=offset, any_terms=any_terms, since=since, until=until, site=site,
            category=category, sort=sort, suggestions=suggestions,
            use_suggestion=use_suggestion, facets=facets, expand=expand,
        )  # fmt: skip


#: Errors of reading a file that is truncated or not what it should be
#: (ValueError: a bad array typecode, bytes that are not UTF-8…; TypeError:
#: a column whose typecode byte, read from garbage, names floats).
_DAMAGE = (zlib.error, struct.error, EOFError, OSError, pickle.UnpicklingError, ValueError,
           OverflowError, TypeError, FileFormatError)  # fmt: skip
#: What Whoosh raises on a posting block it cannot read (a plain Exception).
_BLOCK_TAG_ERROR = "Block tag error"


@contextmanager
def _reading(index_dir: Path, *, query: bool = False, opening: bool = False) -> Iterator[None]:
    """Report an error in reading the index in one line.

    A damaged index raises ``IndexDamagedError``; with ``query=True`` any
    other error is the query's (a wildcard expanding to too many terms, a
    phrase in a field without positions), a ``QueryError``.  vnsearch's own
    errors pass through as they are, and so do OS errors in ``opening`` the
    index (a folder it may not read is not a damaged index).
    """
    try:
        yield
    except VnsearchError:
        raise
    except Exception as exc:
        if opening and isinstance(exc, OSError):
            raise
        if str(exc).startswith(_BLOCK_TAG_ERROR) or isinstance(exc, _DAMAGE):
            raise IndexDamagedError(
                f"the index in '{index_dir}' is damaged ({_damage(exc)})"
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
