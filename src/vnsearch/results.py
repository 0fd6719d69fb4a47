"""What a search returns: plain data, with no tie to the index it came from.

A :class:`SearchResult` holds the hits of one query (:class:`Hit`) and, when
asked for, the count of all its matches by facet (:class:`FacetCount`);
:class:`IndexStats` describes an index.  These can be kept, compared and
printed after the :class:`vnsearch.Searcher` that made them is closed.
:func:`result_json`, :func:`article_json` and :func:`stats_json` give the
JSON shapes the CLI's ``--json`` prints (and ``vnsearch serve`` answers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at the CLI's start
    from .articles import Article

__all__ = [
    "FACETS", "SORTS", "Hit", "FacetCount", "SearchResult", "IndexStats",
    "result_json", "article_json", "stats_json",
]  # fmt: skip

#: How hits can be ordered: by relevance, or newest first.
SORTS = ("relevance", "date")

#: What ``facets=True`` counts the matches by, in this order.
FACETS = ("year", "site", "category")


@dataclass(frozen=True)
class Hit:
    """One matching article, with a snippet of where it matched.

    ``score`` is the article's relevance to the query (higher is better), or
    None when the hits are not ranked by relevance (``sort="date"``).
    ``source`` is where the article came from: ``"file"`` (the seeds
    folder; ``path`` is the file) or ``"json"`` (added by id; no ``path``).
    """

    id: str
    path: str
    title: str
    date: dt.date | None
    author: str | None
    url: str | None
    site: str | None
    category: str | None
    source: str
    score: float | None
    snippet: str
    highlights: list[tuple[int, int]]


@dataclass(frozen=True)
class FacetCount:
    """How many matching articles have this value (None: undated, no site…)."""

    value: str | None
    count: int


@dataclass(frozen=True)
class SearchResult:
    """The hits of one query.

    ``relaxed`` is True when no article had all the words, so these hits are
    those of the same query with any of the words.  ``terms`` are the words
    looked up, for marking them in other text (see ``snippets.match_spans``).
    ``suggestions`` are likely meant queries, best first ("did you mean":
    diacritics restored, typos corrected); ``instead_of`` is the query as
    typed when these are the hits of its first suggestion.  ``facets``
    (when asked for) count all the matches by year, site and category.
    ``expanded`` is what the query also searched for: the long forms of its
    abbreviations and the abbreviations of its long forms (``UBND`` ↔
    ``Ủy ban nhân dân``).  ``offset`` is how many better hits come before
    ``hits`` (0 for the first page).
    """

    query: str
    total: int
    hits: list[Hit]
    relaxed: bool = False
    terms: frozenset[str] = field(default_factory=frozenset)
    suggestions: list[str] = field(default_factory=list)
    instead_of: str | None = None
    facets: dict[str, list[FacetCount]] | None = None
    expanded: list[str] = field(default_factory=list)
    offset: int = 0


@dataclass(frozen=True)
class IndexStats:
    """Size and freshness of an index.

    ``sources`` counts the articles by where they came from: ``"file"``
    (the seeds folder) and ``"json"`` (added by id).
    """

    path: str
    articles: int
    terms: int
    size_bytes: int
    updated: dt.datetime | None
    sources: dict[str, int] = field(default_factory=dict)


def result_json(result: SearchResult) -> dict:
    """A search's JSON shape: query, total, relaxed, suggestions, expansions, facets and hits."""
    hits = []
    for hit in result.hits:
        data = _fields(hit)
        data["date"] = hit.date.isoformat() if hit.date else None
        data["score"] = None if hit.score is None else round(float(hit.score), 4)
        data["highlights"] = [list(span) for span in hit.highlights]
        hits.append(data)
    return {
        "query": result.query,
        "total": result.total,
        "offset": result.offset,
        "relaxed": result.relaxed,
        "suggestions": result.suggestions,
        "instead_of": result.instead_of,
        "expanded": result.expanded,
        "facets": None if result.facets is None else {
            facet: [_fields(count) for count in counts] for facet, counts in result.facets.items()
        },
        "hits": hits,
    }  # fmt: skip


def article_json(article: "Article") -> dict:
    """An article's JSON shape: its metadata and body."""
    data = _fields(article)
    data["date"] = article.date.isoformat() if article.date else None
    return data


def stats_json(stats: IndexStats) -> dict:
    """An index's JSON shape: path, counts, size and time of the last update."""
    data = _fields(stats)
    data["updated"] = stats.updated.isoformat(timespec="seconds") if stats.updated else None
    return data


def _fields(obj) -> dict:
    """A dataclass's fields by name, values as they are (``asdict`` deep-copies them, at a cost a server feels)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}
