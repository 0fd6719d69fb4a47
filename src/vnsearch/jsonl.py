"""Articles as JSON Lines: one JSON object an article, a line each.

The shape other tools read and write (scrapers, CMS exports, pipelines):
``id``, ``title``, ``body``, ``date`` (``YYYY-MM-DD``), ``author``, ``url``,
``site`` and ``category``, absent values as ``null``.  What vnsearch adds of
its own (the file's path, its hash) stays out.

:func:`read_lines` reads such a file line by line, :func:`article` checks one
record and makes it an :class:`~vnsearch.articles.Article` (``vnsearch add``);
:func:`export_articles` gives every stored article in this shape (``vnsearch
export``), so an export added to a new index gives the same index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import orjson

from .articles import JSON, SOURCES, Article, ArticleError, read_date, site_of

__all__ = ["FIELDS", "REQUIRED", "MAX_ID_LENGTH", "BadRecord", "record", "article", "read_lines", "export_articles"]

#: The keys of an article's record, in this order.
FIELDS = ("id", "title", "body", "date", "author", "url", "site", "category")
#: The keys a record must have.
REQUIRED = ("id", "body")
#: The longest id, in characters.
MAX_ID_LENGTH = 512
#: The longest body, in UTF-8 bytes (as for a ``.txt`` article).
MAX_BODY_BYTES = 10_000_000
#: The longest line read: a body at its limit with every character escaped (``\\u1ea1``).
MAX_LINE_BYTES = 6 * MAX_BODY_BYTES + 100_000


@dataclass(frozen=True)
class BadRecord:
    """A record (a line of a file, or an item of a list) that is not an article, and why."""

    number: int  # the line's number in its file, or the item's in its list, from 1
    reason: str


def record(article: Article) -> dict:
    """``article``'s JSON Lines record: :data:`FIELDS`, the date as ``YYYY-MM-DD``."""
    data = {name: getattr(article, name) for name in FIELDS}
    data["date"] = article.date.isoformat() if article.date else None
    return data


def article(data: object, *, ignore_unknown: bool = False) -> Article:
    """The article a record describes (``source`` JSON), or :class:`ArticleError` saying what is wrong.

    ``data`` is a decoded JSON object, or an :class:`Article` (its fields
    are checked the same way).  Texts are NFC-normalised; ``site`` is
    ``url``'s host when not given; the hash is of the record, so adding the
    same record again changes nothing.
    """
    if isinstance(data, Article):
        data = record(data)
    if not isinstance(data, dict):
        raise ArticleError(f"not a JSON object but {_kind(data)}")
    unknown = [str(key) for key in data if key not in FIELDS]
    if unknown and not ignore_unknown:
        raise ArticleError(f"unknown key{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))} "
                           f"(an article's keys: {', '.join(FIELDS)})")  # fmt: skip
    for key in REQUIRED:
        if data.get(key) is None:
            raise ArticleError(f"no '{key}' (each article needs {' and '.join(REQUIRED)})")
    id = _id(data["id"])
    body = _text(data, "body").replace("\r\n", "\n").replace("\r", "\n")
    title = _text(data, "title", strip=True)
    if not body.strip() and not title:  # a one-line file has a title and no body: it is exported so
        raise ArticleError("'body' is empty, and there is no 'title'")
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise ArticleError(f"'body' is too big for an article (the limit is {MAX_BODY_BYTES / 1e6:.0f} MB)")
    url = _text(data, "url", strip=True) or None
    fields = {
        "title": title,
        "date": _date(data.get("date")),
        "author": _text(data, "author", strip=True) or None,
        "url": url,
        "site": (_text(data, "site", strip=True).lower() or None) if data.get("site") is not None else site_of(url),
        "category": _text(data, "category", strip=True) or None,
    }
    normal = {"id": id, "body": body, **fields}
    digest = hashlib.sha256(orjson.dumps(normal, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()
    return Article(path="", sha256=digest, source=JSON, **normal)


def _id(value: object) -> str:
    """A record's id as a string (an integer is taken as its digits), checked."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**MAX_ID_LENGTH:
            raise ArticleError(f"'id' is too long (a number of over {MAX_ID_LENGTH} digits)")
        value = str(value)
    if not isinstance(value, str):
        raise ArticleError(f"'id' must be a string, not {_kind(value)}")
    _check_unicode("id", value)
    if not value.strip():
        raise ArticleError("'id' is empty")
    if value != value.strip():
        raise ArticleError(f"'id' starts or ends with a space ({value!r})")
    if len(value) > MAX_ID_LENGTH:
        raise ArticleError(f"'id' is too long ({len(value)} characters; at most {MAX_ID_LENGTH})")
    if bad := next((char for char in value if not char.isprintable() and char != " "), None):
        raise ArticleError(f"'id' has a control character ({bad.encode('unicode_escape').decode('ascii')})")
    return value


def _text(data: dict, key: str, strip: bool = False) -> str:
    """The text of ``key`` ("" if absent or null), NFC-normalised."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleError(f"'{key}' must be a string or null, not {_kind(value)}")
    _check_unicode(key, value)
    if "\0" in value:
        raise ArticleError(f"'{key}' has NUL characters (binary data?)")
    value = unicodedata.normalize("NFC", value)
    return value.strip() if strip else value


def _check_unicode(key: str, value: str) -> None:
    """Refuse a lone surrogate (which a Python caller may pass; JSON decoding refuses them itself)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(f"'{key}' is not valid Unicode text (it has a lone surrogate)") from None


def _date(value: object) -> dt.date | None:
    """A record's date: ``YYYY-MM-DD``, another written form of one (see ``articles.read_date``), or null."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ArticleError(f"'date' must be a string or null, not {_kind(value)}")
    _check_unicode("date", value)
    try:
        return read_date(value)
    except ArticleError as exc:
        raise ArticleError(f"bad 'date': {exc}") from None


def _kind(value: object) -> str:
    """What a JSON value is, for a message."""
    kinds = {bool: "true or false", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object", type(None): "null"}  # fmt: skip
    return kinds.get(type(value), type(value).__name__)


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, dict | BadRecord]]:
    """Each non-blank line of a JSON Lines stream, numbered from 1: its object decoded, or why it cannot be.

    Reads a line at a time, so a file of any length takes the memory of its
    longest line; a line longer than :data:`MAX_LINE_BYTES` is skipped
    unread.  Decoding is strict UTF-8 (a byte-order mark first is allowed).
    """
    for number, line in enumerate(_lines(stream), 1):
        if line is None:
            yield number, BadRecord(number, f"the line is too long (over {MAX_LINE_BYTES / 1e6:.0f} MB)")
            continue
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, BadRecord(number, _json_error(line, exc))
            continue
        if not isinstance(data, dict):
            yield number, BadRecord(number, f"not a JSON object but {_kind(data)}")
            continue
        yield number, data


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of ``stream``; None for one longer than :data:`MAX_LINE_BYTES`, read past in pieces."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _json_error(line: bytes, exc: orjson.JSONDecodeError) -> str:
    """Why a line is not JSON, in words."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"not UTF-8 text (byte {bad.start + 1} of the line)"
    return f"not valid JSON ({exc.msg} at column {exc.colno})"


def export_articles(index_dir: str | os.PathLike = "index", source: str | None = None) -> Iterator[dict]:
    """Every article stored in the index in ``index_dir``, as its record, in the index's order.

    ``source`` (``"file"`` or ``"json"``) keeps those of one source only:
    ``"json"`` gives the articles that live only in the index, to keep.
    """
    from .searching import Searcher

    if source is not None and source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    with Searcher(index_dir) as searcher:
        for article in searcher.articles():
            if source is None or article.source == source:
                yield record(article)
