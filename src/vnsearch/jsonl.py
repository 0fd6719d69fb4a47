"""Articles as JSON Lines: one JSON object an article, a line each.

The shape other tools read and write (scrapers, CMS exports, pipelines):
``id``, ``title``, ``body``, ``date`` (``YYYY-MM-DD``), ``author``, ``url``,
``site`` and ``category``, absent values as ``null``.  What vnsearch adds of
its own (the file's path, its hash) stays out.  :func:`export_articles`
gives every stored article in this shape (``vnsearch export``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .articles import Article

__all__ = ["FIELDS", "record", "export_articles"]

#: The keys of an article's record, in this order.
FIELDS = ("id", "title", "body", "date", "author", "url", "site", "category")


def record(article: Article) -> dict:
    """``article``'s JSON Lines record: :data:`FIELDS`, the date as ``YYYY-MM-DD``."""
    data = {name: getattr(article, name) for name in FIELDS}
    data["date"] = article.date.isoformat() if article.date else None
    return data


def export_articles(index_dir: str | os.PathLike = "index") -> Iterator[dict]:
    """Every article stored in the index in ``index_dir``, as its record, in the index's order."""
    from .searching import Searcher

    with Searcher(index_dir) as searcher:
        for article in searcher.articles():
            yield record(article)
