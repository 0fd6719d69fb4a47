"""vnsearch: full-text search for Vietnamese text.

    >>> from vnsearch import update_index, Searcher
    >>> report = update_index("seeds", "index")          # doctest: +SKIP
    >>> with Searcher("index") as s:                     # doctest: +SKIP
    ...     for hit in s.search("dan so", limit=3).hits:
    ...         print(hit.id, hit.title, hit.snippet)

Importing this package is cheap: pyvi's model loads only when articles are
indexed.
"""

from .articles import Article, ArticleError, read_article
from .errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    QueryError,
    SeedsNotFoundError,
    VnsearchError,
)
from .indexing import IndexReport, Skipped, build_index, update_index
from .searching import FacetCount, Hit, IndexStats, Searcher, SearchResult, parse_date, search

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleError",
    "FacetCount",
    "Hit",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStats",
    "IndexVersionError",
    "QueryError",
    "SearchResult",
    "Searcher",
    "SeedsNotFoundError",
    "Skipped",
    "build_index",
    "VnsearchError",
    "parse_date",
    "read_article",
    "search",
    "update_index",
]
