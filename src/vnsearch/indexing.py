"""Keep an index in step with a folder of ``.txt`` articles.

:func:`update_index` is incremental: it adds new files, re-indexes changed
ones and removes deleted ones, looking at a file's content only when its size
or modification time changed.  ``rebuild=True`` (and the first build) write a
fresh index beside the old one and switch over only once it is complete.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import LockError

from . import storage
from .articles import Article, ArticleError, read_article
from .errors import IndexLockedError, IndexNotFoundError, SeedsNotFoundError

__all__ = ["IndexReport", "Skipped", "update_index", "build_index", "seed_files", "article_id"]


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What an index update did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt: bool = False
    created: bool = False

    @property
    def changed(self) -> bool:
        """True if the index content changed."""
        return bool(self.added or self.updated or self.removed)


def seed_files(seeds_dir: Path) -> list[Path]:
    """The ``.txt`` files under ``seeds_dir``, sorted, hidden ones left out."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise SeedsNotFoundError(
            f"seeds folder '{seeds_dir}' not found: create it and put .txt articles "
            "in it, or give another with --seeds"
        )
    return sorted(
        p
        for p in seeds_dir.rglob("*.txt")
        if not any(part.startswith(".") for part in p.relative_to(seeds_dir).parts)
    )


def article_id(seeds_dir: Path, path: Path) -> str:
    """An article's id: its path under the seeds folder, without ``.txt``."""
    return Path(path).relative_to(seeds_dir).with_suffix("").as_posix()


def update_index(
    seeds_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Bring the index in ``index_dir`` up to date with ``seeds_dir``.

    ``progress(done, total)`` is called after each seed file is looked at
    (for progress bars).
    """
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    files = seed_files(seeds_dir)
    if rebuild:
        return _build_new(seeds_dir, index_dir, files, storage.current_name(index_dir), progress)
    try:
        storage.read_pointer(index_dir)
    except IndexNotFoundError:
        return _build_new(seeds_dir, index_dir, files, None, progress)
    return _update(seeds_dir, index_dir, files, progress)


def _build_new(seeds_dir, index_dir, files, old: str | None, progress) -> IndexReport:
    """Write a complete new generation from the seed files, then switch to it."""
    report = IndexReport(rebuilt=old is not None, created=old is None)
    with _new_generation(index_dir, old) as writer:
        for done, path in enumerate(files, 1):
            read = _read(seeds_dir, path, report)
            if read:
                writer.add_document(**_document(*read))
                report.added.append(read[0].id)
            if progress:
                progress(done, len(files))
    return report


def build_index(articles: Iterable[Article], index_dir: str | os.PathLike) -> int:
    """Replace the index in ``index_dir`` with ``articles`` (not from files).

    For programs that hold their documents in memory; ``vnsearch index``
    would later treat them as deleted, so keep such an index apart from one
    built from a seeds folder.  Returns the number of articles indexed.
    """
    index_dir = Path(index_dir)
    count = 0
    with _new_generation(index_dir, storage.current_name(index_dir)) as writer:
        for article in articles:
            writer.add_document(**_document(article, None))
            count += 1
    return count


@contextmanager
def _new_generation(index_dir: Path, old: str | None):
    """A writer on a fresh generation, published only if the block succeeds.

    The generation in use (``old``) stays locked meanwhile, so no update
    can slip in and be lost; once the new one is published, the old one's
    files are deleted.
    """
    with storage.write_lock(index_dir, old) if old else nullcontext():
        name, index = storage.new_generation(index_dir)
        writer = index.writer(limitmb=256)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        storage.publish(index_dir, name)
    storage.remove_stale_generations(index_dir, keep=name)


def _update(seeds_dir, index_dir, files, progress) -> IndexReport:
    """Apply the differences between the folder and the index in use."""
    report = IndexReport()
    index = storage.open_index(index_dir)
    try:
        writer = index.writer()
    except LockError:
        raise IndexLockedError(
            "another `vnsearch index` is updating this index: wait for it to finish"
        ) from None
    try:
        with index.searcher() as searcher:
            known = {f["id"]: f for f in searcher.all_stored_fields()}
        seen = set()
        for done, path in enumerate(files, 1):
            id_ = article_id(seeds_dir, path)
            seen.add(id_)
            _apply(writer, seeds_dir, path, known.get(id_), report)
            if progress:
                progress(done, len(files))
        for id_ in sorted(set(known) - seen):
            writer.delete_by_term("id", id_)
            report.removed.append(id_)
        if report.changed:
            writer.commit()
        else:
            writer.cancel()
    except BaseException:
        writer.cancel()
        raise
    return report


def _apply(writer, seeds_dir: Path, path: Path, old: dict | None, report: IndexReport) -> None:
    """Add, re-index or leave alone one file, given what the index has of it."""
    if old and _same_stat(old, path):
        report.unchanged += 1
        return
    read = _read(seeds_dir, path, report)
    if read is None:
        if old:  # it was an article, it is not one any more
            writer.delete_by_term("id", old["id"])
            report.removed.append(old["id"])
        return
    article, stat = read
    if old and old["sha256"] == article.sha256:
        report.unchanged += 1
        return
    writer.update_document(**_document(article, stat))
    (report.updated if old else report.added).append(article.id)


def _read(seeds_dir: Path, path: Path, report: IndexReport) -> tuple[Article, os.stat_result] | None:
    """Parse one file (and its stat, taken first), or note why it was skipped."""
    try:
        stat = path.stat()
        return read_article(path, id=article_id(seeds_dir, path)), stat
    except ArticleError as exc:
        report.skipped.append(Skipped(str(path), str(exc)))
    except OSError as exc:
        report.skipped.append(Skipped(str(path), exc.strerror or str(exc)))
    return None


def _same_stat(stored: dict, path: Path) -> bool:
    """True if the file's size and mtime are those recorded at indexing time."""
    try:
        st = path.stat()
    except OSError:
        return False
    return stored.get("size") == st.st_size and stored.get("mtime") == st.st_mtime_ns


def _document(article: Article, stat: os.stat_result | None) -> dict:
    """The Whoosh fields of one article (``stat`` of its file, if any)."""
    doc = {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "body": article.body,
        "sha256": article.sha256,
        "size": stat.st_size if stat else None,
        "mtime": stat.st_mtime_ns if stat else None,
        "day": article.date.toordinal() if article.date else 0,
    }
    if article.date:
        doc["date"] = dt.datetime.combine(article.date, dt.time())
    if article.author:
        doc["author"] = article.author
    if article.url:
        doc["url"] = article.url
    if article.site:
        doc["site"] = article.site
    return doc
