"""vnsearch: full-text search for Vietnamese text.

    >>> from vnsearch import update_index, Searcher
    >>> report = update_index("seeds", "index")          # doctest: +SKIP
    >>> with Searcher("index") as s:                     # doctest: +SKIP
    ...     for hit in s.search("dan so", limit=3).hits:
    ...         print(hit.id, hit.title, hit.snippet)

Importing this package is cheap: each name below loads its module (Whoosh,
numpy, pyvi's model) when first used, so ``vnsearch --help`` stays instant.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

# Before vnsearch loads numpy: its array work is element-wise, so BLAS threads
# would only cost start-up time (~70 ms a command), and OpenBLAS's threads
# keep a command cut short by `| head` from exiting cleanly.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

#: Where each public name is defined.
_MODULES = {
    "AddReport": "adding",
    "DeleteReport": "adding",
    "add_articles": "adding",
    "add_jsonl": "adding",
    "delete_articles": "adding",
    "Article": "articles",
    "ArticleError": "articles",
    "read_article": "articles",
    "ArticleSourceError": "errors",
    "BadRecordsError": "errors",
    "IndexDamagedError": "errors",
    "IndexLocationError": "errors",
    "IndexLockedError": "errors",
    "IndexNotFoundError": "errors",
    "IndexVersionError": "errors",
    "IndexWriteError": "errors",
    "QueryError": "errors",
    "SynonymsFileError": "errors",
    "SeedsNotFoundError": "errors",
    "VnsearchError": "errors",
    "IndexReport": "indexing",
    "Skipped": "indexing",
    "build_index": "indexing",
    "update_index": "indexing",
    "watch_index": "watching",
    "export_articles": "jsonl",
    "FacetCount": "results",
    "Hit": "results",
    "IndexStats": "results",
    "SearchResult": "results",
    "Searcher": "searching",
    "parse_date": "searching",
    "search": "searching",
}

__all__ = sorted(_MODULES)

if TYPE_CHECKING:  # what type checkers and IDEs see: the names, imported eagerly
    from .adding import AddReport, DeleteReport, add_articles, add_jsonl, delete_articles
    from .articles import Article, ArticleError, read_article
    from .errors import (
        ArticleSourceError,
        BadRecordsError,
        IndexDamagedError,
        IndexLocationError,
        IndexLockedError,
        IndexNotFoundError,
        IndexVersionError,
        IndexWriteError,
        QueryError,
        SeedsNotFoundError,
        SynonymsFileError,
        VnsearchError,
    )
    from .indexing import IndexReport, Skipped, build_index, update_index
    from .jsonl import export_articles
    from .results import FacetCount, Hit, IndexStats, SearchResult
    from .searching import Searcher, parse_date, search
    from .watching import watch_index

    __version__: str


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use (PEP 562); ``__version__`` from the installed metadata."""
    if name == "__version__":
        from importlib.metadata import version

        value: object = version("vnsearch")
    elif name in _MODULES:
        value = getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__, "__version__"])
