"""Where an index lives on disk, and how a new one replaces the old safely.

An index folder holds a state file, ``CURRENT.json``, and one subfolder per
Whoosh index ("generation")::

    index/
      CURRENT.json    {"schema": 4, "name": "g18c…", "generations": ["g18c…", "g17f…"]}
      LOCK            held while generations are created, switched or removed
      g18c…/          the generation in use: a Whoosh index and its FILES.json
      g17f…/          the one it replaced, removed by the next run

``name`` is the generation in use; ``generations`` lists every subfolder
vnsearch created here and has not removed yet.  vnsearch deletes only those
subfolders, never a file or folder it did not record, and it makes an index
only in a folder that is empty, missing or already an index: pointed at a
folder of other files (``--index .``, ``--index /``) it refuses to start.

A rebuild writes a new generation next to the old one and then switches with
an atomic rename of ``CURRENT.json``, so a search at any moment sees a
complete index: the old one until the switch, the new one after it.  Whoosh
itself makes each incremental commit atomic (its table of contents is written
last); after each commit the generation's ``FILES.json`` records the size of
every file, so a missing or truncated file is reported as damage before a
query stumbles on it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, FileIndex, Index, clean_files
from whoosh.util.filelock import FileLock

from . import unpickle
from .errors import (
    IndexDamagedError,
    IndexLocationError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    VnsearchError,
)
from .schema import SCHEMA_VERSION, make_schema

__all__ = [
    "LOCK_WAIT",
    "State",
    "read_state",
    "read_pointer",
    "current_name",
    "check_location",
    "open_index",
    "generation_files",
    "generation_usage",
    "record_files",
    "remove_leftovers",
    "new_generation",
    "discard_generation",
    "publish",
    "remove_stale_generations",
    "write_lock",
    "write_atomically",
    "writing",
]

unpickle.install()  # a tampered index cannot run code through pickle

STATE_FILE = "CURRENT.json"
LOCK_FILE = "LOCK"
FILES_RECORD = "FILES.json"
#: Whoosh's name for the index inside a generation folder.
INDEX_NAME = "MAIN"
#: Files a folder may hold and still be an empty place for a new index.
IGNORABLE = {".gitkeep"}
_GENERATION = re.compile(r"g[0-9a-f]{1,24}")
_SEGMENT = re.compile(rf"{INDEX_NAME}_[0-9a-z]{{1,32}}")
#: What a folder holds while another process makes an index in it, before its first ``CURRENT.json``.
_BEING_MADE = re.compile(rf"{LOCK_FILE}|\.{re.escape(STATE_FILE)}\.[0-9]+\.tmp|{_GENERATION.pattern}")


@dataclass(frozen=True)
class State:
    """What ``CURRENT.json`` says: the generation in use and every one vnsearch made."""

    name: str | None
    schema: int = SCHEMA_VERSION
    generations: tuple[str, ...] = field(default_factory=tuple)


def read_state(index_dir: Path) -> State | None:
    """The folder's state, None if it has none; raise if it is damaged or foreign."""
    path = Path(index_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = State(
            name=data.get("name"),
            schema=int(data["schema"]),
            generations=tuple(data.get("generations", ())),
        )
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise IndexLocationError(f"'{index_dir}' is a file, not an index folder") from None
    except OSError as exc:
        raise IndexLocationError(f"cannot read '{path}' ({exc.strerror})") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise IndexVersionError(f"'{path}' is unreadable") from None
    if state.schema != SCHEMA_VERSION:
        return state  # another version's: read_pointer says so, a rebuild replaces it
    names = [state.name] if state.name is not None else []
    if not all(isinstance(n, str) and _GENERATION.fullmatch(n) for n in [*names, *state.generations]):
        # a name is a folder to open and delete: never a path ("/", "..")
        raise IndexDamagedError(f"'{path}' names generations that are not vnsearch's")
    return state


def read_pointer(index_dir: Path) -> State:
    """The state of a usable index; raise if there is none, or not a compatible one."""
    state = read_state(index_dir)
    if state is None or (state.schema == SCHEMA_VERSION and state.name is None):
        raise IndexNotFoundError(f"no index in '{index_dir}'")
    if state.schema != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index in '{index_dir}' was built by another version of vnsearch"
        )
    if not (Path(index_dir) / state.name).is_dir():
        raise IndexDamagedError(
            f"the index in '{index_dir}' is damaged (its folder {state.name} is missing)"
        )
    return state


def current_name(index_dir: Path) -> str | None:
    """The generation in use, if the folder names a readable one of this version."""
    try:
        state = read_state(index_dir)
    except VnsearchError:
        return None
    if state is None or state.schema != SCHEMA_VERSION:
        return None
    return state.name


def check_location(index_dir: Path, seeds_dir: Path | None = None) -> None:
    """Refuse to write an index where it could mix with (and so endanger) other files.

    A new index goes only into a missing or empty folder; an existing
    vnsearch index is recognised by its ``CURRENT.json``.  The seeds folder
    cannot also be the index folder.
    """
    index_dir = Path(index_dir)
    if seeds_dir is not None and _same_folder(index_dir, Path(seeds_dir)):
        raise IndexLocationError(f"'{index_dir}' cannot be both the seeds folder and the index folder")
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexLocationError(f"'{index_dir}' is a file, not an index folder")
    if not index_dir.is_dir() or (index_dir / STATE_FILE).exists():
        return
    try:
        others = sorted(name for name in set(os.listdir(index_dir)) - IGNORABLE if not _BEING_MADE.fullmatch(name))
    except OSError as exc:
        raise IndexLocationError(f"cannot read the index folder '{index_dir}' ({exc.strerror})") from None
    if others:
        raise IndexLocationError(
            f"'{index_dir}' holds other files ({_shown(others)}) and is not a vnsearch index: "
            "a new index needs an empty or new folder"
        )


def open_index(index_dir: Path, name: str | None = None, *, checked: bool = True) -> Index:
    """Open generation ``name`` (default: the one in use) for searching or updating.

    ``checked=False`` skips the check of its files' sizes, to read what a
    damaged generation still holds.
    """
    name = name or read_pointer(index_dir).name
    if checked:
        check_files(index_dir, name)
    try:
        index = _storage(index_dir, name).open_index(
            indexname=INDEX_NAME, schema=make_schema(), indexclass=_Index
        )
        _check_segment_names(index_dir, index)
        return index
    except VnsearchError:
        raise
    except EmptyIndexError:
        raise IndexDamagedError(
            f"the index in '{index_dir}' is damaged (its table of contents is missing)"
        ) from None
    except Exception as exc:  # Whoosh raises many kinds on a damaged index
        raise IndexDamagedError(
            f"the index in '{index_dir}' is damaged ({_reason(exc)})"
        ) from None


def _check_segment_names(index_dir: Path, index: Index) -> None:
    """Refuse segment names that are not Whoosh's own: a segment's name becomes a file name."""
    for attempt in range(10):
        try:
            segments = index._read_toc().segments
            break
        except FileNotFoundError:  # a commit replaced the table of contents meanwhile
            if attempt == 9:
                raise
            time.sleep(0.05)
    for segment in segments:
        if not _SEGMENT.fullmatch(segment.segment_id()):
            raise IndexDamagedError(
                f"the index in '{index_dir}' is damaged (a segment is named "
                f"{segment.segment_id()!r})"
            )


def generation_files(index_dir: Path, name: str) -> list[Path]:
    """The files of one generation (not its scratch folders)."""
    folder = Path(index_dir) / name
    return [p for p in folder.iterdir() if p.is_file()]


def generation_usage(index_dir: Path, name: str) -> tuple[int, float | None]:
    """Bytes on disk of generation ``name``, and the time of its last commit (None: none yet)."""
    files = generation_files(index_dir, name)
    commits = [p.stat().st_mtime for p in files if p.suffix == ".toc"]
    return sum(p.stat().st_size for p in files), max(commits, default=None)


def record_files(index_dir: Path, name: str) -> None:
    """Write down the size of each file of the latest commit, to tell damage later."""
    folder = Path(index_dir) / name
    toc = TOC._latest_generation(_storage(index_dir, name), INDEX_NAME)
    sizes = {
        p.name: p.stat().st_size
        for p in generation_files(index_dir, name)
        if not p.name.endswith("WRITELOCK") and p.name != FILES_RECORD
    }
    _write_json(folder / FILES_RECORD, {"toc": toc, "sizes": sizes})


def check_files(index_dir: Path, name: str) -> None:
    """Raise ``IndexDamagedError`` if a file of the latest commit is missing or truncated.

    The record and the table of contents are re-read when a check fails: a
    commit in another process may have replaced both meanwhile.
    """
    folder = Path(index_dir) / name
    for _attempt in range(3):
        try:
            record = json.loads((folder / FILES_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # made before this check existed, or by a killed commit: nothing to compare
        toc = TOC._latest_generation(_storage(index_dir, name), INDEX_NAME)
        if record.get("toc") != toc:
            return  # a commit recorded nothing (yet)
        problem = _first_difference(folder, record.get("sizes", {}))
        if problem is None:
            return
    raise IndexDamagedError(f"the index in '{index_dir}' is damaged ({problem})")


def _first_difference(folder: Path, sizes: dict) -> str | None:
    """How the files in ``folder`` differ from the recorded ``sizes`` (None: they don't)."""
    for filename, size in sorted(sizes.items()):
        try:
            actual = (folder / filename).stat().st_size
        except OSError:
            return f"{filename} is missing"
        if actual != size:
            return f"{filename} has {actual} bytes, not {size}"
    return None


def remove_leftovers(index: Index) -> None:
    """Delete the files of failed commits in a generation (hold its write lock).

    A generation folder is vnsearch's alone, so any Whoosh file there that
    the latest commit does not use was left by a writer that failed (a full
    disk, a kill) and would otherwise take space for ever.
    """
    toc = index._read_toc()
    clean_files(index.storage, index.indexname, toc.generation, toc.segments)
    folder = Path(index.storage.folder)
    shutil.rmtree(folder / f"{INDEX_NAME}.tmp", ignore_errors=True)  # its scratch
    for unfinished in folder.glob(".*.tmp"):  # see write_atomically
        unfinished.unlink(missing_ok=True)


@contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    """Hold the folder's lock: one process at a time creates, switches or removes generations."""
    lock = FileLock(str(Path(index_dir) / LOCK_FILE))
    _acquire(lock)
    try:
        yield
    finally:
        lock.release()


def new_generation(index_dir: Path, open_writer):
    """An empty index beside the one in use, recorded as vnsearch's; not visible yet.

    ``open_writer(index)`` is called with the folder's lock held, so that no
    other process removes the generation before its writer locks it.
    Returns ``(name, writer)``.
    """
    index_dir = Path(index_dir)
    writing(index_dir, index_dir.mkdir, parents=True, exist_ok=True)
    with _locked(index_dir):
        state = _writable_state(index_dir)
        name = f"g{time.time_ns():x}"
        writing(index_dir, (index_dir / name).mkdir)  # fails if it exists: never reuse a folder
        _write_state(index_dir, replace(state, generations=(*state.generations, name)))
        index = writing(
            index_dir, _storage(index_dir, name).create_index, make_schema(), indexname=INDEX_NAME, indexclass=_Index
        )
        return name, open_writer(index)


def discard_generation(index_dir: Path, name: str) -> None:
    """Remove a generation that was never published (a failed build)."""
    with _locked(index_dir):
        _remove(index_dir, name)


def publish(index_dir: Path, name: str, replacing: str | None) -> None:
    """Make generation ``name`` the one in use (atomically), in place of ``replacing``.

    If another generation than ``replacing`` came into use meanwhile (two
    processes made a missing index at once), nothing changes and it raises
    ``IndexLockedError``: publishing would lose what the other one wrote.
    """
    with _locked(index_dir):
        state = _writable_state(index_dir)
        if state.name != replacing:  # (an unusable state reads as none: replacing is None then)
            raise IndexLockedError(f"another process changed the index in '{index_dir}' meanwhile: nothing was written, try again")
        _write_state(index_dir, replace(state, name=name))


def remove_stale_generations(index_dir: Path, keep: Collection[str]) -> None:
    """Delete every recorded generation not in ``keep`` that no writer holds.

    Left-overs come from a replaced index or from a build that was
    interrupted; a generation whose write lock is held is being built by a
    live process and is left alone.  A rebuild keeps the generation it
    replaced until the next run: a search that opened it just before the
    switch reads some of its files lazily and must still find them.
    """
    with _locked(index_dir):
        state = read_state(index_dir)
        if state is None:
            return
        for name in set(state.generations) - set(keep) - {state.name}:
            lock = _generation_lock(index_dir, name)
            if lock is None:
                _remove(index_dir, name)
            elif lock.acquire(blocking=False):
                try:
                    _remove(index_dir, name)
                finally:
                    lock.release()


def _remove(index_dir: Path, name: str) -> None:
    """Delete one recorded generation's folder and its record (hold the folder's lock)."""
    shutil.rmtree(Path(index_dir) / name, ignore_errors=True)
    state = read_state(index_dir)
    if state is not None and name in state.generations:
        kept = tuple(g for g in state.generations if g != name)
        _write_state(index_dir, replace(state, generations=kept))


def _generation_lock(index_dir: Path, name: str) -> FileLock | None:
    """The write lock of generation ``name`` (None if its folder is gone)."""
    folder = Path(index_dir) / name
    return FileLock(str(folder / f"{INDEX_NAME}_WRITELOCK")) if folder.is_dir() else None


#: Seconds to wait for another writer's lock before giving up.  A killed
#: build's worker processes keep its lock until they notice (half a second).
LOCK_WAIT = 5.0
LOCKED = "another process is updating this index: wait for it to finish, then try again"


class write_lock:
    """Hold the write lock of generation ``name`` (waiting a little, then failing clearly).

    It is the lock Whoosh's own writer takes.  A generation whose folder is
    missing has nothing to protect: the lock is then a no-op.
    """

    def __init__(self, index_dir: Path, name: str | None, *, wait: bool = True):
        self._lock = _generation_lock(index_dir, name) if name else None
        self._wait = wait

    def __enter__(self) -> "write_lock":
        if self._lock is not None:
            _acquire(self._lock, None if self._wait else 0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.release()


def _acquire(lock: FileLock, wait: float | None = None) -> None:
    """Take ``lock``, waiting up to ``wait`` seconds (default ``LOCK_WAIT``)."""
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    while not writing(Path(lock.filename).parent, lock.acquire, blocking=False):
        if time.monotonic() > deadline:
            raise IndexLockedError(LOCKED)
        time.sleep(0.1)


def _writable_state(index_dir: Path) -> State:
    """The state to change: the folder's own, or a fresh one if it has none or an unusable one."""
    try:
        state = read_state(index_dir)
    except (IndexVersionError, IndexDamagedError):
        state = None  # a rebuild replaces it; what it named cannot be trusted to delete
    if state is None or state.schema != SCHEMA_VERSION:
        return State(name=None)
    return state


def _write_state(index_dir: Path, state: State) -> None:
    """Replace ``CURRENT.json`` atomically."""
    data = {"schema": state.schema, "name": state.name, "generations": list(state.generations)}
    _write_json(Path(index_dir) / STATE_FILE, data)


def _write_json(path: Path, data: dict) -> None:
    write_atomically(path, json.dumps(data).encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` through ``.<name>.<pid>.tmp`` and a rename, so it is never half-written.

    A killed process may leave the temporary file: :func:`remove_leftovers`
    deletes those of a generation.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path.parent, exc) from None


def writing(where: Path, call, *args, **kwargs):
    """``call(...)``, with an OS error (a full disk, a read-only folder) as one line about ``where``."""
    try:
        return call(*args, **kwargs)
    except OSError as exc:
        raise _write_error(where, exc) from None


def _write_error(where, exc: OSError) -> IndexWriteError:
    """A one-line error for a failed write in the index folder."""
    where = exc.filename or where
    return IndexWriteError(f"cannot write the index in '{where}' ({exc.strerror or exc})", exc.errno)


class _Index(FileIndex):
    """A Whoosh index whose writer is vnsearch's (:mod:`vnsearch.writer`), writing its codec."""

    def writer(self, batched: bool = False, **kwargs):
        """vnsearch's writer; ``batched``: a :class:`~vnsearch.writer.BatchingWriter`, for changes of any size."""
        from .writer import BatchingWriter, SegmentWriter

        return (BatchingWriter if batched else SegmentWriter)(self, **kwargs)


def _storage(index_dir: Path, name: str) -> FileStorage:
    """Whoosh's view of one generation's folder."""
    return FileStorage(str(Path(index_dir) / name))


def _same_folder(a: Path, b: Path) -> bool:
    """Whether two paths name one folder (symlinks and ``.`` resolved)."""
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _shown(names: list[str], most: int = 3) -> str:
    """A few file names for a message."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _reason(exc: Exception) -> str:
    """An exception as a short reason for a one-line message."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}"[:120] if text else exc.__class__.__name__
