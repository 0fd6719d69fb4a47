"""The fields of an indexed article.

``title`` and ``body`` are searched by default, ``title`` weighted above
``body``; ``author``, ``site``, ``url`` and ``id`` can be searched with a
field prefix (``author:"Trần Lộc"``).  The file's size and mtime are kept in
columns, which an update reads for every article at little cost, and its hash
is stored, so an update can tell which files changed.  Its ``source`` says
whether it came from a file in the seeds folder or was added as JSON.  The abbreviations an
article defines ("Ủy ban nhân dân (UBND)") are kept as terms of a field of
their own, so the index counts how many articles define each.

:func:`document`, :func:`article_fields` and :func:`stored_article` convert
between an :class:`~vnsearch.articles.Article` and the fields the index stores.
"""

from __future__ import annotations

import datetime as dt
import os

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from . import abbreviations
from .analysis import VietnameseAnalyzer
from .articles import FILE, Article
from .codec import Positions
from .text import escape_surrogates

__all__ = [
    "SCHEMA_VERSION",
    "SEARCH_FIELDS",
    "QUERY_FIELDS",
    "VERBATIM_FIELDS",
    "FIELD_BOOSTS",
    "ABBREVIATIONS",
    "make_schema",
    "document",
    "article_fields",
    "stored_article",
]

#: Bumped whenever the fields, the analyser or the index format change what
#: is written, so an index written by another version is rebuilt instead of
#: misread (5: vnsearch's codec, :mod:`vnsearch.codec`; 6: the abbreviations
#: articles define; 7: an article's source, a file or JSON).
SCHEMA_VERSION = 7

#: Fields a query searches when it names none.
SEARCH_FIELDS = ("title", "body")

#: Fields a query can name with ``field:``: those indexed and shown in a hit
#: (``day`` is only a sort key), the default ones first.
QUERY_FIELDS: tuple[str, ...]
#: Fields named in queries whose values are names or codes, not words to
#: correct or accent (``site:``, ``author:``…).
VERBATIM_FIELDS: tuple[str, ...]

#: BM25F weights: a word in the title counts for more than one in the body.
FIELD_BOOSTS = {"title": 2.5, "body": 1.0}

#: The field of the abbreviations an article defines, one term each
#: (``abbreviations.encode``): not stored, not searched by queries.
ABBREVIATIONS = "abbreviations"


def make_schema() -> Schema:
    """The Whoosh schema of a vnsearch index."""
    text = VietnameseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=STORED(),
        title=_text(text),
        body=_text(text),
        author=_text(VietnameseAnalyzer(compounds=False)),
        date=DATETIME(stored=True),
        # Sort key for --sort date: the day's ordinal, 0 for undated articles
        # so they come last (Whoosh sorts a missing DATETIME first).
        day=NUMERIC(int, bits=32, sortable=True, signed=False),
        url=ID(stored=True),
        site=KEYWORD(stored=True, lowercase=True),
        category=ID(stored=True),
        # "file" or "json" (articles.SOURCES): a column, read for every article by an update
        source=ID(stored=True, sortable=True),
        sha256=STORED(),
        abbreviations=KEYWORD(commas=True, lowercase=False),
        # -1 for articles not from a file (``build_index``)
        size=COLUMN(NumericColumn("q", default=-1)),
        mtime=COLUMN(NumericColumn("q", default=-1)),
    )


def _text(analyzer) -> TEXT:
    """A text field whose positions are stored as arrays (``codec.Positions``), not pickles."""
    field = TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase")
    field.format = Positions(field_boost=field.format.field_boost)
    return field


QUERY_FIELDS = SEARCH_FIELDS + tuple(
    name
    for name, field in make_schema().items()
    if field.indexed and field.stored and name not in SEARCH_FIELDS
)
VERBATIM_FIELDS = tuple(name for name in QUERY_FIELDS if name not in SEARCH_FIELDS)


def document(article: Article, stat: os.stat_result | None = None) -> dict:
    """The fields to index ``article`` by (``stat`` of its file, if any)."""
    doc = {
        "id": article.id,
        "path": escape_surrogates(article.path),
        "title": article.title,
        "body": article.body,
        "sha256": article.sha256,
        "source": article.source,
        "day": article.date.toordinal() if article.date else 0,
    }
    if stat:
        doc["size"], doc["mtime"] = stat.st_size, stat.st_mtime_ns
    if article.date:
        doc["date"] = dt.datetime.combine(article.date, dt.time())
    if article.author:
        doc["author"] = article.author
    if article.url:
        doc["url"] = article.url
    if article.site:
        doc["site"] = article.site
    if article.category:
        doc["category"] = article.category
    defined = abbreviations.definitions(f"{article.title}\n{article.body}")
    if defined:
        doc[ABBREVIATIONS] = ",".join(dict.fromkeys(abbreviations.encode(a) for a in defined))
    return doc


def article_fields(stored: dict) -> dict:
    """The fields an ``Article`` and a ``Hit`` share, from an article's stored fields."""
    date = stored.get("date")
    return {
        "id": stored["id"],
        "path": stored["path"],
        "title": stored["title"],
        "date": date.date() if isinstance(date, dt.datetime) else None,
        "author": stored.get("author"),
        "url": stored.get("url"),
        "site": stored.get("site"),
        "category": stored.get("category"),
        "source": stored.get("source", FILE),  # written by a program without it: as a file's
    }


def stored_article(stored: dict) -> Article:
    """The article of an index document's stored fields."""
    return Article(**article_fields(stored), body=stored["body"], sha256=stored["sha256"])
