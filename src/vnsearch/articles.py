"""Turn a raw Vietnamese news article (a ``.txt`` file scraped from the web) into plain data.

The files look like this: a title line, paragraphs separated by blank lines, some portal
junk (``PublishingPortal - Block_BanTin_Toolbar``, ``Tăng cỡ chữ Giảm cỡ chữ``, view
counters), maybe a date on a line of its own, a byline near the end and a
``Nguồn …: https://…`` source line.  :func:`read_article` reads such a file and returns an
:class:`Article`; everything that cannot be an article raises :class:`ArticleError`.

Metadata is extracted conservatively: when the date or the author is not clear from
the text, the field is ``None`` rather than a guess.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import itertools
import os
import pathlib
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass

from .errors import VnsearchError

__all__ = [
    "FILE", "JSON", "SOURCES", "Article", "ArticleError",
    "article_from_bytes", "decode", "parse_article", "read_article", "read_date", "site_of",
]  # fmt: skip

#: How many paragraphs after the title's one make up the lead, where the event date is.
LEAD_PARAGRAPHS = 3
#: How many lines at the end of the body are searched for the byline and source line.
TAIL_LINES = 5
#: Years accepted for an article date; other years are historical mentions.
YEARS = range(1990, 2101)

#: Where an article came from (:attr:`Article.source`): a ``.txt`` file in the
#: seeds folder, kept in step with it by ``vnsearch index``; or added by id
#: (``vnsearch add``, JSON Lines), which a folder update never touches.
FILE, JSON = "file", "json"
SOURCES = (FILE, JSON)


@dataclass(frozen=True)
class Article:
    """One parsed article: what the index stores and shows."""

    id: str  # given by the caller (relative path without ``.txt``)
    path: str  # given by the caller (the path string as given)
    title: str
    date: datetime.date | None
    author: str | None
    url: str | None
    site: str | None  # host of ``url``, lowercase, without a leading ``www.``
    body: str  # the text after the title, junk removed, paragraphs joined by a blank line
    sha256: str  # hex SHA-256 of the raw file bytes
    category: str | None = None  # the subfolder of seeds/ it is in (see ``category_of``)
    source: str = FILE  # FILE or JSON (see ``SOURCES``)


def category_of(id: str) -> str | None:
    """An article's category: the subfolder of ``seeds/`` it sits in, if any.

    ``the-thao/bong-da-1`` is in ``the-thao``; ``a/b/c`` in ``a/b``; a file at
    the top of ``seeds/`` has none.
    """
    folder, _, _ = id.rpartition("/")
    return folder or None


class ArticleError(VnsearchError, ValueError):
    """The file cannot be an article; the message says why in one line.

    A :class:`VnsearchError` like the library's other errors; still a
    ``ValueError`` (what it was first) for code that catches that.
    """


# --- decoding ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Decode the bytes of a ``.txt`` file to text with ``\\n`` line ends.

    Accepts UTF-8 (with or without BOM) and UTF-16 LE/BE with a BOM, the encodings
    the scrapers and Windows editors produce; anything else is refused rather than
    decoded into mojibake that would pollute the index.
    """
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")  # the codec reads and drops the BOM
        elif b"\0" in data:
            raise ArticleError("binary file (NUL bytes)")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleError("not UTF-8 or UTF-16 text") from None
    if "\0" in text:
        raise ArticleError("binary file (NUL bytes)")
    if not text.strip():
        raise ArticleError("empty file")
    return _unify_newlines(text)


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- lines ------------------------------------------------------------------------------

_DATE_LINE = re.compile(
    r"(?:[0-9]{1,2}:[0-9]{2}\s+)?"
    r"[0-9]{1,2}([/.-])[0-9]{1,2}\1[0-9]{4}"
    r"(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_JUNK_LINE = re.compile(
    r"PublishingPortal\b.*"  # portal block markers
    r"|(?:(?:tăng|giảm)\s+cỡ\s+chữ\s*)+"  # font-size buttons
    r"|[0-9]+",  # view and comment counters
    re.IGNORECASE,
)

Line = tuple[int, str]  # (paragraph number, line as in the source)


def _split_lines(text: str) -> tuple[list[Line], list[Line]]:
    """Split text into meaningful lines and date-only lines, each with its paragraph number.

    A paragraph ends at a blank line.  Junk lines (see :func:`_is_junk`) are dropped
    without ending the paragraph they sit in.
    """
    lines: list[Line] = []
    date_lines: list[Line] = []
    paragraph = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            if lines and lines[-1][0] == paragraph:
                paragraph += 1
        elif _DATE_LINE.fullmatch(stripped):
            date_lines.append((paragraph, stripped))
        elif not _is_junk(stripped):
            lines.append((paragraph, line))
    return lines, date_lines


def _is_junk(stripped: str) -> bool:
    """Portal boilerplate, bare numbers and lines without a single letter or digit."""
    return _JUNK_LINE.fullmatch(stripped) is not None or not any(c.isalnum() for c in stripped)


def _join_paragraphs(lines: list[Line]) -> str:
    paragraphs = (
        "\n".join(line for _, line in group).strip()
        for _, group in itertools.groupby(lines, key=lambda item: item[0])
    )
    return "\n\n".join(paragraphs)


# --- source line and byline -------------------------------------------------------------

_SOURCE_LINE = re.compile(r"Nguồn\b(?:[^:\n]{0,40}:|.*https?://)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def _is_source(stripped: str) -> bool:
    """A ``Nguồn …:`` attribution line, e.g. ``Nguồn Cao Bằng: https://…``."""
    return _SOURCE_LINE.match(stripped) is not None


def _url(stripped: str) -> str | None:
    match = _URL.search(stripped)
    return match.group().rstrip(".,;:!?)]}»”") if match else None


def site_of(url: str | None) -> str | None:
    """Host of ``url``, lowercase, without ``www.``; ``None`` if it has none.

    The site an article is filed under, and what ``--site`` is compared with.
    """
    if url is None:
        return None
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _byline_name(stripped: str, title: str) -> str | None:
    """The author's name if the line is a byline like ``Hồng Lụa - Phòng TT-GD``.

    A byline is 2-5 capitalised words (not all in capitals, so no heading), optionally
    followed by `` - department`` or `` (agency)``, with no final punctuation.
    """
    if stripped == title or stripped.endswith((".", ":", "!", "?", ",", ";")):
        return None
    name = re.split(r"\s+[-–—]\s+|\s*\(", stripped, maxsplit=1)[0].strip()
    words = name.split()
    if not 2 <= len(words) <= 5 or name.isupper():
        return None
    if all(_is_name_word(word) for word in words):
        return name
    return None


def _is_name_word(word: str) -> bool:
    return word[0].isupper() and all(c.isalpha() or unicodedata.combining(c) for c in word)


def _take_tail(body: list[Line], title: str) -> tuple[list[Line], str | None, str | None]:
    """Find the byline and ``Nguồn`` lines among the last body lines and cut them out.

    Returns the remaining body, the author and the URL.  Lines after the byline (portal
    widgets such as "hỏi đáp") are not recognisable as junk and stay in the body.
    """
    url = author = None
    drop: set[int] = set()
    for index in reversed(range(max(0, len(body) - TAIL_LINES), len(body))):
        stripped = body[index][1].strip()
        if _is_source(stripped):
            drop.add(index)
            url = url or _url(stripped)
        elif author is None and (name := _byline_name(stripped, title)):
            drop.add(index)
            author = name
    kept = [line for index, line in enumerate(body) if index not in drop]
    return kept, author, url


# --- dates ------------------------------------------------------------------------------

_WHEN = r"\b(?:ngày|sáng|trưa|chiều|tối|đêm|hôm)\s+(?:ngày\s+)?"
_DATE = re.compile(
    rf"""
    (?=[0-9nstcđh])  # what a date can start with: skips other places fast
    (?P<when>{_WHEN})?
    (?<![0-9])(?P<day>[0-9]{{1,2}})
    (?: (?P<sep>[/.-])(?P<month>[0-9]{{1,2}})(?:(?P=sep)(?P<year>[0-9]{{4}}))?
      | \s+tháng\s+(?P<tmonth>[0-9]{{1,2}})(?:,?\s+năm\s+(?P<tyear>[0-9]{{4}}))?
    )
    (?![0-9]|/[0-9])
    | (?P<garbled>{_WHEN}[0-9]+/)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YEAR = re.compile(r"\bnăm\s+([0-9]{4})(?![0-9])", re.IGNORECASE)

_Found = tuple[int, int, int | None]  # day, month, year (None if not written)


def _find_dates(text: str) -> list[_Found | None]:
    """Dates written in ``text``, in order; ``None`` marks a garbled one (``ngày 307/``).

    Day/month without a year count only after a word like *ngày*, *sáng*, *chiều*, so
    fractions (``1/2 số hộ``) are not read as dates.  Years outside :data:`YEARS` are
    historical mentions (``ngày 2/9/1945``) and are skipped.
    """
    found: list[_Found | None] = []
    for match in _DATE.finditer(text):
        if match["garbled"]:
            found.append(None)
            continue
        year = match["year"] or match["tyear"]
        if year is None and match["when"] is None:
            continue
        if year is not None and int(year) not in YEARS:
            continue
        month = match["month"] or match["tmonth"]
        found.append((int(match["day"]), int(month), int(year) if year else None))
    return found


def _article_date(lead: str, text: str) -> datetime.date | None:
    """The date of the event reported in the lead, or ``None`` if it is not certain.

    The first date written in the lead (date-only lines first, then the title and the
    first paragraphs) is the article's date; dates deeper in the body are about other
    things (a directive, an anniversary).  If that first date is garbled or not a real
    calendar date the answer is ``None`` - never a repaired guess.

    A day/month without a year (``Ngày 11/1``, ``Sáng 24/1``) takes its year only when
    that is unambiguous:

    1. a full date with the same day and month elsewhere in the article
       (``24/01/2024`` on its own line), if all such dates agree on the year; else
    2. the years written as ``năm YYYY`` in the lead: a single year is used as is;
       two consecutive years (a report reviewing year Y and planning Y+1, written
       around new year) give Y+1, but only for a January-June date;
       anything else is ambiguous and gives ``None``.
    """
    found = _find_dates(lead)
    if not found or found[0] is None:
        return None
    day, month, year = found[0]
    if year is None:
        year = _infer_year(day, month, lead, text)
    if year is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


#: An ISO date, maybe with a time and a zone (what ``fromisoformat`` reads, without its other forms).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.,]+(?:Z|[+-][0-9:]+)?)?")


def read_date(text: str) -> datetime.date:
    """The one date written in ``text``: ``2024-06-20``, ``20/6/2024``, ``20 tháng 6 năm 2024``…

    For dates given on their own (a JSON record's ``date``): an ISO date or
    date and time, or one date with its year as articles write them.  Raises
    :class:`ArticleError` saying why for anything else (no year, two dates,
    not a calendar date).
    """
    text = unicodedata.normalize("NFC", text.strip())
    if _ISO_DATE.fullmatch(text):
        try:
            return datetime.datetime.fromisoformat(text).date()
        except ValueError:
            raise ArticleError(f"'{text}' is not a day of the calendar") from None
    found = _find_dates(text)
    if len(found) != 1 or found[0] is None:
        raise ArticleError(f"'{text}' is not a date (write it as YYYY-MM-DD)")
    day, month, year = found[0]
    if year is None:
        raise ArticleError(f"'{text}' has no year (write it as YYYY-MM-DD)")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ArticleError(f"'{text}' is not a day of the calendar") from None


def _infer_year(day: int, month: int, lead: str, text: str) -> int | None:
    """The year of a day/month date, by the rules in :func:`_article_date`; else ``None``."""
    full_dates = [found for found in _find_dates(text) if found and found[2] is not None]
    same_day = {y for d, m, y in full_dates if (d, m) == (day, month)}
    if same_day:
        return same_day.pop() if len(same_day) == 1 else None
    years = sorted({int(y) for y in _YEAR.findall(lead)} & set(YEARS))
    if len(years) == 1:
        return years[0]
    if len(years) == 2 and years[1] - years[0] == 1 and month <= 6:
        return years[1]
    return None


# --- the article ------------------------------------------------------------------------


def parse_article(text: str, *, id: str, path: str, sha256: str) -> Article:
    """Parse the text of one article file (as returned by :func:`decode`).

    The title is the first meaningful line; the byline and the ``Nguồn`` line among the
    last lines give the author and the URL and are removed from the body.  The text is
    NFC-normalised so that the same Vietnamese word is always spelt with the same code
    points.  Raises :class:`ArticleError` (and nothing else) if there is no text at all.
    """
    text = unicodedata.normalize("NFC", _unify_newlines(text))
    lines, date_lines = _split_lines(text)
    if not lines:
        raise ArticleError("no text")
    (title_paragraph, title), body = lines[0], lines[1:]
    title = title.strip()

    body, author, url = _take_tail(body, title)

    lead_end = title_paragraph + LEAD_PARAGRAPHS
    lead = "\n".join(
        [line for p, line in date_lines if p <= lead_end]
        + [title]
        + [line for p, line in body if p <= lead_end]
    )
    return Article(
        id=id,
        path=path,
        title=title,
        date=_article_date(lead, text),
        author=author,
        url=url,
        site=site_of(url),
        body=_join_paragraphs(body),
        sha256=sha256,
        category=category_of(id),
    )


def read_article(path: str | os.PathLike, *, id: str) -> Article:
    """Read, hash, decode and parse one article file.

    The hash is of the raw bytes so that a changed file is noticed even when its text
    decodes the same.  I/O errors (``OSError``) are not caught.
    """
    return article_from_bytes(pathlib.Path(path).read_bytes(), id=id, path=str(path))


def article_from_bytes(data: bytes, *, id: str, path: str) -> Article:
    """Hash, decode and parse the raw bytes of an article file (read elsewhere: see ``vnsearch.cluster``)."""
    return parse_article(decode(data), id=id, path=path, sha256=hashlib.sha256(data).hexdigest())
