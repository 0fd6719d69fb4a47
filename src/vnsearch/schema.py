"""The fields of an indexed article.

``title`` and ``body`` are searched by default, ``title`` weighted above
``body``; ``author``, ``site``, ``url`` and ``id`` can be searched with a
field prefix (``author:"Trần Lộc"``).  The file's size and mtime are kept in
columns, which an update reads for every article at little cost, and its hash
is stored, so an update can tell which files changed.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import VietnameseAnalyzer

__all__ = ["SCHEMA_VERSION", "SEARCH_FIELDS", "FIELD_BOOSTS", "make_schema"]

#: Bumped whenever the fields or the analyser change what is indexed, so an
#: index written by another version is rebuilt instead of misread.
SCHEMA_VERSION = 4

#: Fields a query searches when it names none.
SEARCH_FIELDS = ("title", "body")

#: BM25F weights: a word in the title counts for more than one in the body.
FIELD_BOOSTS = {"title": 2.5, "body": 1.0}


def make_schema() -> Schema:
    """The Whoosh schema of a vnsearch index."""
    text = VietnameseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=STORED(),
        title=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        body=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        author=TEXT(
            analyzer=VietnameseAnalyzer(compounds=False),
            stored=True,
            multitoken_query="phrase",
        ),
        date=DATETIME(stored=True),
        # Sort key for --sort date: the day's ordinal, 0 for undated articles
        # so they come last (Whoosh sorts a missing DATETIME first).
        day=NUMERIC(int, bits=32, sortable=True, signed=False),
        url=ID(stored=True),
        site=KEYWORD(stored=True, lowercase=True),
        category=ID(stored=True),
        sha256=STORED(),
        # -1 for articles not from a file (``build_index``)
        size=COLUMN(NumericColumn("q", default=-1)),
        mtime=COLUMN(NumericColumn("q", default=-1)),
    )
