"""Keep an index in step with a folder of ``.txt`` articles.

:func:`update_index` is incremental: it adds new files, re-indexes changed
ones and removes deleted ones, looking at a file's content only when its size
or modification time changed.  ``rebuild=True`` (and the first build) write a
fresh index beside the old one and switch over only once it is complete.

Segmenting articles and building postings is the slow part: a new index of
many files is written by ``jobs`` processes (one per core by default, see
:mod:`vnsearch.workers`); an incremental update, usually a few files, by one.

An index may also hold articles added as JSON (:mod:`vnsearch.adding`): an
update leaves them alone, a rebuild carries them over, and a file whose id is
one of theirs is skipped.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import schema, storage, typos
from .articles import JSON, Article, ArticleError, read_article
from .codec import column_values
from .errors import IndexNotFoundError, SeedsNotFoundError
from .text import escape_surrogates
from .workers import ParallelWriter, index_file

__all__ = [
    "IndexReport",
    "Skipped",
    "update_index",
    "build_index",
    "seed_files",
    "article_id",
    "default_jobs",
]

#: Segments as separate files: Whoosh copies a compound segment's term
#: dictionary into memory each time it opens it (~1 s at 50,000 articles).
WRITER_OPTIONS = {"compound": False}
#: Memory (MB) each writing process sorts postings in before spilling them to
#: disk: 128 made a 10,000-article build 20% slower.  A process peaks near 0.7 GB.
POOL_MB = 512
#: Files bigger than this are not articles (a news article is well under
#: 1 MB) and would take minutes and gigabytes to segment: they are skipped.
MAX_FILE_BYTES = 10_000_000
#: A build with fewer files than this runs in one process: starting workers
#: would cost more than it saves.
PARALLEL_MIN_FILES = 200


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What an index update did, file by file: the ids of the articles in each case."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt: bool = False
    created: bool = False

    @property
    def changed(self) -> bool:
        """True if the index content changed."""
        return bool(self.added or self.updated or self.removed)


def seed_files(seeds_dir: Path, index_dir: Path | None = None) -> list[Path]:
    """The ``.txt`` files under ``seeds_dir``, sorted, hidden ones and the index folder left out."""
    return [Path(path) for path in _seed_paths(Path(seeds_dir), index_dir)]


def _seed_paths(seeds_dir: Path, index_dir: Path | None = None) -> list[str]:
    """:func:`seed_files` as strings (for folders of many files, strings are faster)."""
    if not seeds_dir.is_dir():
        raise SeedsNotFoundError(f"seeds folder '{seeds_dir}' not found")
    found, seen = [], set()
    if index_dir is not None and index_dir.is_dir():  # an index inside the seeds is not articles
        stat = os.stat(index_dir)
        seen.add((stat.st_dev, stat.st_ino))
    for folder, subfolders, names in os.walk(seeds_dir, followlinks=True):
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in seen:  # a symlink loop, or the index
            subfolders.clear()
            continue
        seen.add((stat.st_dev, stat.st_ino))
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        prefix = os.path.join(folder, "")  # the folder and one separator
        found += [prefix + name for name in names if name.endswith(".txt") and not name.startswith(".")]
    # sorted folder by folder, as paths compare (not as strings: "a-b" > "a/b"):
    # the separator as the smallest character makes string order that order
    return sorted(found, key=operator.methodcaller("replace", os.sep, "\0"))


def article_id(seeds_dir: str | os.PathLike, path: str | os.PathLike) -> str:
    """An article's id: its path under the seeds folder, without ``.txt``.

    Bytes of a file name that are not UTF-8 are written as ``\\xff``
    (a name such as ``bad\\xff.txt`` is indexed as ``bad\\xff``).
    """
    path, folder = os.fspath(path), os.fspath(seeds_dir)
    if path.startswith(folder + os.sep) and path.endswith(".txt"):  # fast, for big folders
        id = path[len(folder) + 1 : -4].replace(os.sep, "/")
    else:
        id = Path(path).relative_to(seeds_dir).with_suffix("").as_posix()
    try:
        id.encode("utf-8")
    except UnicodeEncodeError:
        return escape_surrogates(id)
    return id


def update_index(
    seeds_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
    cluster=None,
) -> IndexReport:
    """Bring the index in ``index_dir`` up to date with ``seeds_dir``.

    ``progress(done, total)`` is called after each seed file is looked at
    (for progress bars).  ``jobs`` is how many processes write a new index
    (default: one per core).  ``cluster`` (a Dask scheduler's address, or a
    ``dask.distributed.Client``) has a new index, a first build or a rebuild,
    written by that cluster's workers instead (:mod:`vnsearch.cluster`); an
    update of a few files stays here.
    """
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    storage.check_location(index_dir, seeds_dir)
    files = _seed_paths(seeds_dir, index_dir)
    if rebuild:
        old = storage.current_name(index_dir)
        return _build_new(seeds_dir, index_dir, files, old, progress, jobs, cluster)
    try:
        storage.read_pointer(index_dir)
    except IndexNotFoundError:
        return _build_new(seeds_dir, index_dir, files, None, progress, jobs, cluster)
    return _update(seeds_dir, index_dir, files, progress)


def default_jobs() -> int:
    """How many processes write a new index by default: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _build_new(seeds_dir, index_dir, files, old: str | None, progress, jobs, cluster=None) -> IndexReport:
    """Write a complete new generation from the seed files (and the JSON articles of ``old``), then switch to it."""
    report = IndexReport(rebuilt=old is not None, created=old is None)
    if cluster is not None:
        return _build_on_cluster(seeds_dir, index_dir, files, old, progress, cluster, report)
    jobs = jobs if len(files) >= PARALLEL_MIN_FILES else 1
    read = functools.partial(_document, seeds_dir)
    with writing_generation(index_dir, old, functools.partial(_writer, jobs=jobs), carry=report) as writer:
        files = _without_added(seeds_dir, files, _added_ids(index_dir, old, report), report)  # old is locked now
        if isinstance(writer, ParallelWriter):  # the files are read in the worker processes
            outcomes = writer.index_files(read, files)
        else:
            outcomes = (index_file(writer, read, path)[1] for path in files)
        for done, outcome in enumerate(outcomes, 1):
            if isinstance(outcome, Skipped):
                report.skipped.append(outcome)
            else:
                report.added.append(outcome)
            if progress:
                progress(done, len(files))
        _check_still_there(seeds_dir)
    return report


def _build_on_cluster(seeds_dir, index_dir, files, old: str | None, progress, cluster, report) -> IndexReport:
    """As :func:`_build_new`, the articles indexed by a Dask cluster's workers (see :mod:`vnsearch.cluster`)."""
    from . import cluster as dask

    client, close = dask.connect(cluster)

    def partitions():
        named = [(path, article_id(seeds_dir, path)) for path in files]
        for partition in dask.read_partitions(named, dask.partition_sizes(len(files), dask.threads(client))):
            report.skipped.extend(partition.skipped)
            yield partition

    try:
        with writing_generation(index_dir, old, dask.AdoptingWriter, carry=report) as writer:
            files = _without_added(seeds_dir, files, _added_ids(index_dir, old, report), report)  # old is locked now
            for built in dask.build_segments(client, partitions()):
                writer.adopt(built)
                for outcome in built.outcomes:
                    (report.skipped if isinstance(outcome, Skipped) else report.added).append(outcome)
                if progress:
                    progress(len(report.added) + len(report.skipped), len(files))
            _check_still_there(seeds_dir)
    finally:
        if close:
            client.close()
    return report


def _added_ids(index_dir: Path, name: str | None, report: IndexReport) -> set[str]:
    """The ids of the articles added as JSON to generation ``name`` (none if there is none, or it cannot be read)."""
    return set(_added_in(index_dir, name, report)[1])


def _added_in(index_dir: Path, name: str | None, report: IndexReport):
    """Generation ``name`` opened even if damaged, and the docnums of its articles added as JSON by id.

    ``(None, {})`` if there is no such generation or it cannot be read; that
    is noted in ``report``, as the articles added to it, if any, are lost.
    """
    if name is None:
        return None, {}
    try:
        index = storage.open_index(index_dir, name, checked=False)
        with index.searcher() as searcher:
            return index, _known(searcher)[1]
    except Exception as exc:  # a VnsearchError, or anything Whoosh raises on a damaged index
        if not any(s.path == _UNREADABLE_PATH for s in report.skipped):
            report.skipped.append(Skipped(_UNREADABLE_PATH, f"{str(exc) or type(exc).__name__}: {_UNREADABLE}"))
        return None, {}


#: A skipped "file" that stands for the articles added as JSON to an index that cannot be read.
_UNREADABLE_PATH = "(articles added as JSON)"
_UNREADABLE = "the index replaced cannot be read, so any articles added to it as JSON are not in the new one: add them again"


def _without_added(seeds_dir: Path, files: list[str], added: set[str], report: IndexReport) -> list[str]:
    """``files`` but those whose id is an article added as JSON, which are reported as skipped."""
    if not added:
        return files
    kept = []
    for path in files:
        if article_id(seeds_dir, path) in added:
            report.skipped.append(Skipped(path, _CLASH))
        else:
            kept.append(path)
    return kept


#: Why a file whose id is that of an article added as JSON is skipped.
_CLASH = "its id is that of an article added as JSON (rename the file, or delete that article)"


def _document(seeds_dir: Path, path: str) -> tuple[dict | None, "str | Skipped"]:
    """A seed file's fields to index and its article id, or (None, why it is skipped)."""
    read = _read(seeds_dir, path)
    if isinstance(read, Skipped):
        return None, read
    return read.document, read.article.id


def build_index(articles: Iterable[Article], index_dir: str | os.PathLike) -> int:
    """Replace the index in ``index_dir`` with ``articles`` (not from files).

    For programs that hold their documents in memory.  They are indexed as
    they are, with the ``source`` each has (``"file"`` unless set), so
    ``vnsearch index`` would later treat those from files as deleted: keep
    such an index apart from one built from a seeds folder, or add articles
    with :func:`vnsearch.add_articles` instead.  Returns the number of
    articles indexed.
    """
    index_dir = Path(index_dir)
    storage.check_location(index_dir)
    count = 0
    with writing_generation(index_dir, storage.current_name(index_dir), functools.partial(_writer, jobs=1)) as writer:
        for article in articles:
            writer.add_document(**schema.document(article))
            count += 1
    return count


@contextmanager
def writing_generation(index_dir: Path, old: str | None, open_writer: Callable, *, carry: IndexReport | None = None):
    """``open_writer(index)`` on a fresh generation, published only if the block succeeds.

    The generation in use (``old``) stays locked meanwhile, so no update
    can slip in and be lost; once the new one is published, the old one is
    deleted by the next run.  A failed build deletes what it wrote.  With
    ``carry`` (the build's report), the articles added as JSON to ``old`` are
    indexed again into the new generation before it is published; those that
    cannot be read (a damaged ``old``) are reported as skipped.
    """
    with storage.write_lock(index_dir, old):
        name, writer = storage.new_generation(index_dir, open_writer)
        try:
            yield writer
            storage.writing(index_dir, writer.commit)
            if carry is not None and old is not None:
                _carry_added(index_dir, old, name, carry)
            _recorded(index_dir, name)
            storage.publish(index_dir, name, replacing=old)
        except BaseException:
            _cancel(writer)
            storage.discard_generation(index_dir, name)
            raise
    storage.remove_stale_generations(index_dir, keep={name, old} - {None})


def _carry_added(index_dir: Path, old: str, new: str, report: IndexReport) -> None:
    """Index the articles added as JSON to generation ``old`` into generation ``new`` (not published yet)."""
    index, added = _added_in(index_dir, old, report)
    if not added:
        return
    with index.searcher() as searcher:  # the same commit: ``old`` is locked
        writer = storage.writing(index_dir, storage.open_index(index_dir, new).writer, batched=True, **WRITER_OPTIONS)
        try:
            for id, docnum in added.items():
                try:
                    article = schema.stored_article(searcher.stored_fields(docnum))
                except Exception:  # a damaged generation: what can be read is carried
                    report.skipped.append(Skipped(id, "an article added as JSON that the damaged index lost: add it again"))
                    continue
                writer.add_document(**schema.document(article))
            storage.writing(index_dir, writer.commit)
        except BaseException:
            _cancel(writer)
            raise


@contextmanager
def _locked_generation(index_dir: Path) -> Iterator[str]:
    """The name of the generation in use, locked, and still in use once locked.

    A rebuild holds the old generation's lock until the new one is in use: a
    change that waited for it must go to the new one, or be lost with the old.
    """
    while True:
        name = storage.read_pointer(index_dir).name
        with storage.write_lock(index_dir, name):
            if storage.read_pointer(index_dir).name == name:
                yield name
                return
        # replaced meanwhile: lock the new one


@dataclass
class Change:
    """An index being changed in place (see :func:`changing`): set ``commit`` to keep the changes.

    ``searcher`` reads the index as it was when the change began (None for
    a new index); ``files`` and ``added`` are what it held: the articles from
    files by id, and the docnums of those added as JSON.
    """

    writer: object
    searcher: object
    files: dict[str, "_Known"]
    added: dict[str, int]
    commit: bool = False


@contextmanager
def changing(index_dir: Path, *, create: bool = False) -> Iterator[Change]:
    """The index in use, locked, with a writer whose changes are committed once, if the block sets ``commit``.

    The writer writes new articles a batch at a time (``index.writer(batched=True)``),
    so a change of any size takes the memory of one batch.

    A kill before the commit leaves the index as it was (the next change
    removes what the writer left); Whoosh's commit itself is atomic.  With
    ``create``, a missing index is made (an empty new generation); else it
    raises ``IndexNotFoundError``.
    """
    try:
        storage.read_pointer(index_dir)
    except IndexNotFoundError:
        if not create:
            raise
        with writing_generation(index_dir, None, lambda index: index.writer(batched=True, **WRITER_OPTIONS)) as writer:
            yield Change(writer, None, {}, {}, commit=True)  # a new index is made even if empty
        return
    with _locked_generation(index_dir) as name:
        index = storage.open_index(index_dir, name)
        storage.remove_leftovers(index)  # of an update that failed before this one
        storage.remove_stale_generations(index_dir, keep={name})
        writer = storage.writing(index_dir, index.writer, batched=True, _lk=False, **WRITER_OPTIONS)  # locked above
        try:
            with index.searcher() as searcher:
                change = Change(writer, searcher, *_known(searcher))
                yield change
            if change.commit:
                storage.writing(index_dir, writer.commit)
                _recorded(index_dir, name)
            else:
                writer.cancel()
        except BaseException:
            _cancel(writer)
            storage.remove_leftovers(index)
            raise


def _writer(index, jobs: int):
    """A writer for a new generation: one process, or ``jobs`` of them."""
    if jobs > 1:
        return ParallelWriter(index, procs=jobs, limitmb=POOL_MB, **WRITER_OPTIONS)
    return index.writer(limitmb=POOL_MB, **WRITER_OPTIONS)


def _recorded(index_dir: Path, name: str) -> None:
    """After a commit to generation ``name``: its typo tables, and the files it is made of (a full disk is one clear line)."""
    storage.writing(index_dir, typos.write_missing, storage.open_index(index_dir, name))
    storage.writing(index_dir, storage.record_files, index_dir, name)


def _cancel(writer) -> None:
    """Cancel a writer that failed; one that cannot even cancel has nothing left to undo."""
    try:
        writer.cancel()
    except Exception:
        pass


def _update(seeds_dir, index_dir, files, progress) -> IndexReport:
    """Apply the differences between the folder and the index in use."""
    with changing(index_dir) as change:
        report = IndexReport()
        files = _without_added(seeds_dir, files, set(change.added), report)
        _apply_changes(seeds_dir, change, files, progress, report)
        change.commit = report.changed
    return report


def _apply_changes(seeds_dir, change: Change, files, progress, report: IndexReport) -> None:
    """Give the writer the files that are new, changed or gone since the last update."""
    known, writer = change.files, change.writer
    ids = {path: article_id(seeds_dir, path) for path in files}
    changed = []
    for done, path in enumerate(files, 1):
        old = known.get(ids[path])
        if old and _same_stat(old, path):
            report.unchanged.append(ids[path])
            if progress:
                progress(done, len(files))
        else:
            changed.append(path)
    done = len(files) - len(changed)
    for path in changed:
        read, old = _read(seeds_dir, path), known.get(ids[path])
        old_sha = change.searcher.stored_fields(old.docnum)["sha256"] if old else None
        _apply(writer, read, ids[path] if old else None, old_sha, report)
        done += 1
        if progress:
            progress(done, len(files))
    for id_ in sorted(set(known) - set(ids.values())):
        writer.delete_by_term("id", id_)
        report.removed.append(id_)
    _check_still_there(seeds_dir)


@dataclass(frozen=True)
class _Known:
    """What the index holds of an article's file: its document, size and mtime."""

    docnum: int
    size: int
    mtime: int


def _known(searcher) -> tuple[dict[str, _Known], dict[str, int]]:
    """Every indexed article by id, read from columns (not the stored texts).

    Those from files with their file's size and mtime, then those added as
    JSON with their docnum.
    """
    files, added = {}, {}
    for leaf, offset in searcher.reader().leaf_readers():
        ids, sizes, mtimes, sources = (column_values(leaf, name) for name in ("id", "size", "mtime", "source"))
        for docnum in leaf.all_doc_ids():
            if sources[docnum] == JSON:
                added[ids[docnum]] = offset + docnum
            else:
                files[ids[docnum]] = _Known(offset + docnum, sizes[docnum], mtimes[docnum])
    return files, added


def _apply(writer, read: "_Read | Skipped", old_id: str | None, old_sha: str | None, report) -> None:
    """Add, re-index or leave alone one changed file, given what the index has of it."""
    if isinstance(read, Skipped):
        report.skipped.append(read)
        if old_id:  # it was an article, it is not one any more
            writer.delete_by_term("id", old_id)
            report.removed.append(old_id)
    elif old_id and old_sha == read.article.sha256:  # touched, not changed
        report.unchanged.append(old_id)
    else:
        writer.update_document(**read.document)
        (report.updated if old_id else report.added).append(read.article.id)


@dataclass(frozen=True)
class _Read:
    """A seed file parsed, with the fields to index it by."""

    article: Article
    document: dict


def _check_still_there(seeds_dir: Path) -> None:
    """Refuse to commit what was read from a seeds folder that vanished meanwhile."""
    if not seeds_dir.is_dir():
        raise SeedsNotFoundError(
            f"seeds folder '{seeds_dir}' disappeared while indexing (the index was left as it was)"
        )


def _read(seeds_dir: Path, path: str) -> "_Read | Skipped":
    """Parse one file (its stat taken first), or say why it was skipped."""
    try:
        stat = os.stat(path)
        if why := too_big(stat.st_size):
            return Skipped(str(path), why)
        article = read_article(Path(path), id=article_id(seeds_dir, path))
    except ArticleError as exc:
        return Skipped(str(path), str(exc))
    except OSError as exc:
        return Skipped(str(path), exc.strerror or str(exc))
    return _Read(article, schema.document(article, stat))


def too_big(size: int) -> str | None:
    """Why a file of ``size`` bytes is not read as an article, or None if it may be."""
    if size > MAX_FILE_BYTES:
        return f"too big for an article ({size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)"
    return None


def _same_stat(known: _Known, path: str) -> bool:
    """True if the file's size and mtime are those recorded at indexing time."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return known.size == st.st_size and known.mtime == st.st_mtime_ns
