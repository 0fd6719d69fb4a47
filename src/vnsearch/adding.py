"""Articles added and deleted by id, from other tools: JSON records rather than files.

Scrapers, CMS exports and pipelines hand over JSON; a correction or a
takedown names an id.  :func:`add_articles` (and :func:`add_jsonl`, for a
JSON Lines file) adds or replaces articles by id, :func:`delete_articles`
deletes them.  Each is one commit under the index's write lock, as an update
from the seeds folder is: a kill leaves the index as it was before or after.

Such articles are marked ``source="json"``: ``vnsearch index`` never removes
them, and an id belongs to one source only (a record with the id of a file's
article is refused, as is a file with the id of an added article).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import jsonl, schema, storage
from .articles import Article, ArticleError
from .errors import ArticleSourceError, BadRecordsError
from .indexing import Change, changing

__all__ = ["AddReport", "DeleteReport", "add_articles", "add_jsonl", "delete_articles"]

Progress = Callable[[int, "int | None"], None]


@dataclass
class AddReport:
    """What an addition did: the ids in each case, the records that were not articles, and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad: list[jsonl.BadRecord] = field(default_factory=list)
    created: bool = False  # the index did not exist before

    @property
    def changed(self) -> bool:
        """True if the index content changed."""
        return bool(self.added or self.updated)


@dataclass
class DeleteReport:
    """What a deletion did: the ids deleted, and those the index did not have."""

    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def add_articles(
    index_dir: str | os.PathLike,
    articles: Iterable[dict | Article],
    *,
    skip_bad: bool = False,
    ignore_unknown: bool = False,
    progress: Progress | None = None,
) -> AddReport:
    """Add ``articles`` (JSON records as dicts, or :class:`Article`\\ s) to the index, replacing those with the same id.

    The index is made if it does not exist.  A record that is not an
    article (see :func:`vnsearch.jsonl.article`: no ``id`` or ``body``, an
    unknown key unless ``ignore_unknown``, a bad date, the id of another
    record or of an article from a file) makes it raise
    :class:`BadRecordsError` listing every such record by its number, from
    1, and nothing is added; with ``skip_bad`` the others are added and the
    bad ones are in the report.  ``progress(done, None)`` is called after
    each record.
    """
    numbered = enumerate(articles, 1)
    if progress:
        numbered = _counting(numbered, progress)
    return _add(Path(index_dir), numbered, "record", skip_bad, ignore_unknown)


def add_jsonl(
    index_dir: str | os.PathLike,
    source: str | os.PathLike | BinaryIO,
    *,
    skip_bad: bool = False,
    ignore_unknown: bool = False,
    progress: Progress | None = None,
) -> AddReport:
    """:func:`add_articles` for a JSON Lines file (a path, or a binary stream such as ``sys.stdin.buffer``).

    Bad records are numbered by their line; blank lines are skipped.  The
    file is read a line at a time, so its length does not matter.
    ``progress(bytes read, bytes in all)`` is called after each line (``None``
    for all when the stream's size is unknown).
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            return add_jsonl(index_dir, stream, skip_bad=skip_bad, ignore_unknown=ignore_unknown, progress=progress)
    lines = jsonl.read_lines(source)
    if progress:
        lines = _reading(lines, source, progress)
    return _add(Path(index_dir), lines, "line", skip_bad, ignore_unknown)


def delete_articles(index_dir: str | os.PathLike, ids: Iterable[str] | str) -> DeleteReport:
    """Delete the articles added with these ids, in one commit; ids the index lacks are reported, not errors.

    An article from a file in the seeds folder is not deleted by id (the
    next update would bring it back): that raises :class:`ArticleSourceError`
    and nothing is deleted.
    """
    if isinstance(ids, str):  # one id, not its characters
        ids = [ids]
    report = DeleteReport()
    with changing(Path(index_dir)) as change:
        from_files = []
        for id in dict.fromkeys(ids):
            if id in change.files:
                from_files.append(id)
            elif id in change.added:
                change.writer.delete_by_term("id", id)
                report.deleted.append(id)
            else:
                report.missing.append(id)
        if from_files:
            path = change.searcher.stored_fields(change.files[from_files[0]].docnum)["path"]
            raise ArticleSourceError(
                f"'{from_files[0]}' is the article of the file '{path}', not one added by id"
                + (f" (and {len(from_files) - 1} more)" if len(from_files) > 1 else "")
                + ": delete the file, then update the index (nothing was deleted)"
            )
        change.commit = bool(report.deleted)
    return report


def _add(index_dir: Path, numbered: Iterable, unit: str, skip_bad: bool, ignore_unknown: bool) -> AddReport:
    """Add the numbered records, one commit; see :func:`add_articles`."""
    storage.check_location(index_dir)
    report = AddReport()
    seen: dict[str, int] = {}  # id -> its record's number
    with changing(index_dir, create=True) as change:
        report.created = change.searcher is None
        for number, data in numbered:
            outcome = data if isinstance(data, jsonl.BadRecord) else _article(number, data, unit, ignore_unknown, change, seen)
            if isinstance(outcome, jsonl.BadRecord):
                report.bad.append(outcome)
            elif skip_bad or not report.bad:  # else nothing will be added: the rest is only checked
                _upsert(change, outcome, report)
        if report.bad and not skip_bad:
            raise BadRecordsError(_bad_message(report.bad, unit), report.bad)
        change.commit = report.changed or report.created
    return report


def _article(number: int, data: object, unit: str, ignore_unknown: bool, change: Change, seen: dict) -> Article | jsonl.BadRecord:
    """Record ``number`` as an article to add, or why it is not one."""
    try:
        article = jsonl.article(data, ignore_unknown=ignore_unknown)
    except ArticleError as exc:
        return jsonl.BadRecord(number, str(exc))
    if article.id in change.files:
        path = change.searcher.stored_fields(change.files[article.id].docnum)["path"]
        return jsonl.BadRecord(number, f"id '{article.id}' is that of the article of the file '{path}': give another id")
    if (first := seen.setdefault(article.id, number)) != number:
        return jsonl.BadRecord(number, f"id '{article.id}' is also that of {unit} {first}")
    return article


def _upsert(change: Change, article: Article, report: AddReport) -> None:
    """Add ``article``, or replace the one with its id unless it is the same."""
    old = change.added.get(article.id)
    if old is None:
        change.writer.add_document(**schema.document(article))
        report.added.append(article.id)
    elif change.searcher.stored_fields(old)["sha256"] == article.sha256:
        report.unchanged.append(article.id)
    else:
        change.writer.update_document(**schema.document(article))
        report.updated.append(article.id)


def _bad_message(bad: list[jsonl.BadRecord], unit: str) -> str:
    """One line for records that are not articles: the first, and how many in all."""
    first = bad[0]
    more = f" (and {len(bad) - 1} more bad {unit}{'s' * (len(bad) > 2)})" if len(bad) > 1 else ""
    return f"{unit} {first.number}: {first.reason}{more}: nothing was added"


def _counting(numbered: Iterable, progress: Progress) -> Iterator:
    """``numbered``, calling ``progress`` with how many records were read."""
    for number, data in numbered:
        yield number, data
        progress(number, None)


def _reading(lines: Iterable, stream: BinaryIO, progress: Progress) -> Iterator:
    """``lines``, calling ``progress`` with how far into ``stream`` they are (lines read, of a pipe)."""
    try:
        total = os.fstat(stream.fileno()).st_size if stream.seekable() else None
    except (OSError, ValueError):  # not a file (io.BytesIO has no fileno)
        total = None
    for number, data in lines:
        yield number, data
        progress(stream.tell() if stream.seekable() else number, total)
