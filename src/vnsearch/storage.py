"""Where an index lives on disk, and how a new one replaces the old safely.

An index folder holds one or more Whoosh indexes ("generations") side by
side, and a small pointer file, ``CURRENT.json``, naming the one in use.
A rebuild writes a new generation next to the old one and then swaps the
pointer with an atomic rename, so a search at any moment sees a complete
index: the old one until the swap, the new one after it.  Whoosh itself
makes each incremental commit atomic (its table of contents is written last).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index

from . import unpickle
from .errors import IndexLockedError, IndexNotFoundError, IndexVersionError
from .schema import SCHEMA_VERSION, make_schema

__all__ = [
    "LOCK_WAIT",
    "Pointer",
    "read_pointer",
    "current_name",
    "open_index",
    "new_generation",
    "publish",
    "remove_stale_generations",
    "write_lock",
]

unpickle.install()  # a tampered index cannot run code through pickle

POINTER_FILE = "CURRENT.json"


@dataclass(frozen=True)
class Pointer:
    """What ``CURRENT.json`` says: the generation in use and its schema version."""

    name: str
    schema: int


def read_pointer(index_dir: Path) -> Pointer:
    """The generation in use; raise if there is no readable, compatible index."""
    path = Path(index_dir) / POINTER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pointer = Pointer(name=str(data["name"]), schema=int(data["schema"]))
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no index in '{index_dir}': run `vnsearch index` to build it"
        ) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexVersionError(
            f"'{path}' is unreadable: run `vnsearch index --rebuild`"
        ) from None
    if pointer.schema != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index in '{index_dir}' was built by another version of vnsearch: "
            "run `vnsearch index --rebuild`"
        )
    return pointer


def current_name(index_dir: Path) -> str | None:
    """The generation named in use, even by an incompatible pointer (or None)."""
    try:
        data = json.loads((Path(index_dir) / POINTER_FILE).read_text(encoding="utf-8"))
        return str(data["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_index(index_dir: Path) -> Index:
    """Open the index in use in ``index_dir`` for searching or updating."""
    pointer = read_pointer(index_dir)
    try:
        return FileStorage(str(index_dir)).open_index(
            indexname=pointer.name, schema=make_schema()
        )
    except Exception as exc:  # Whoosh raises many kinds on a damaged index
        raise IndexVersionError(
            f"the index in '{index_dir}' cannot be opened ({exc.__class__.__name__}): "
            "run `vnsearch index --rebuild`"
        ) from None


def new_generation(index_dir: Path) -> tuple[str, Index]:
    """Create an empty index beside the one in use; it is not visible yet."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    name = f"g{time.time_ns():x}"
    index = FileStorage(str(index_dir)).create_index(make_schema(), indexname=name)
    return name, index


def publish(index_dir: Path, name: str) -> None:
    """Make generation ``name`` the one in use (atomically)."""
    index_dir = Path(index_dir)
    tmp = index_dir / f".{POINTER_FILE}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"name": name, "schema": SCHEMA_VERSION}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / POINTER_FILE)


def remove_stale_generations(index_dir: Path, keep: Collection[str]) -> None:
    """Delete the files of every generation not in ``keep`` that no writer holds.

    Left-overs come from a replaced index or from a rebuild that was
    interrupted; a generation whose write lock is held is being built by a
    live process and is left alone.  A rebuild keeps the generation it
    replaced until the next run: a search that opened it just before the
    switch reads some of its files lazily and must still find them.
    """
    storage = FileStorage(str(index_dir))
    names = {_generation_of(f) for f in storage.list()} - set(keep) - {None}
    for name in names:
        lock = storage.lock(f"{name}_WRITELOCK")
        if not lock.acquire(blocking=False):
            continue
        try:
            for f in storage.list():
                if _generation_of(f) == name and not f.endswith("_WRITELOCK"):
                    path = Path(index_dir) / f
                    if path.is_dir():  # a writer's scratch folder (``g1.tmp``)
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        storage.delete_file(f)
        finally:
            lock.release()
        try:
            storage.delete_file(f"{name}_WRITELOCK")
        except OSError:
            pass


def _generation_of(filename: str) -> str | None:
    """The generation a Whoosh file belongs to (``_g1_3.toc``, ``g1_abc.seg``, ``g1.tmp``)."""
    stem = filename.lstrip("_")
    if not stem.startswith("g"):
        return None
    return stem.split("_", 1)[0].split(".", 1)[0]


#: Seconds to wait for another writer's lock before giving up.  A killed
#: build's worker processes keep its lock until they notice (half a second).
LOCK_WAIT = 5.0
LOCKED = "another `vnsearch index` is updating this index: wait for it to finish"


class write_lock:
    """Hold the write lock of the generation in use (waiting a little, then failing clearly)."""

    def __init__(self, index_dir: Path, name: str):
        self._lock = FileStorage(str(index_dir)).lock(f"{name}_WRITELOCK")

    def __enter__(self) -> "write_lock":
        deadline = time.monotonic() + LOCK_WAIT
        while not self._lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexLockedError(LOCKED)
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
