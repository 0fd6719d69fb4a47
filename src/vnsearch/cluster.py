"""Building a new index on a Dask cluster (``vnsearch index --rebuild --cluster ADDRESS``).

Segmenting Vietnamese is the cost that grows with an archive, so a first build
or a rebuild can hand it to the workers of a ``dask.distributed`` cluster:

1. The coordinator (this process) lists the seed files and reads them in
   partitions (:func:`partition_sizes`): the workers need no view of the
   seeds folder, nor of each other's disks.
2. Each partition is one Dask task, :func:`index_partition`: it parses,
   segments and analyses its articles and writes a complete vnsearch segment
   (postings, stored fields, typo table) in a temporary folder of the worker,
   then returns the segment's files as bytes.  The task has no side effect
   anywhere else, so Dask may run it again when a worker dies mid-task.
3. The coordinator writes each returned segment into the new generation as it
   arrives (:class:`AdoptingWriter`), and publishes the generation with the
   usual atomic switch once every partition is in.  Any failure publishes
   nothing: the index in use stays as it was.

Only a bounded number of partitions is in flight at a time (a few per worker
thread), so neither the coordinator's memory nor the scheduler's grows with
the archive.  Dask is imported only here, and only for ``--cluster``.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from . import schema, typos
from .articles import ArticleError, article_from_bytes
from .errors import VnsearchError
from .writer import SegmentWriter

__all__ = [
    "MIN_PARTITION_FILES", "MAX_PARTITION_FILES", "GUIDED", "Partition", "Built", "AdoptingWriter",
    "index_partition", "connect", "threads", "partition_sizes", "read_partitions", "build_segments",
]  # fmt: skip

#: Seed files per Dask task at least: enough that a task's overhead (a few ms)
#: is lost in its segmenting (~1.5 s); and at most (~45 MB of VNTC's articles).
MIN_PARTITION_FILES, MAX_PARTITION_FILES = 200, 10_000
#: Each partition is what is left ÷ (worker threads × this): large ones first,
#: smaller and smaller ones last, so that the workers finish together (the last
#: task is short) while the index gets few segments (they are adopted, not merged).
GUIDED = 2
#: Partitions in flight per worker thread of the cluster (the rest wait, unread).
IN_FLIGHT_PER_THREAD = 2
#: How often Dask runs a task again after an error in it (a lost worker is
#: Dask's own business: its tasks are rescheduled on the others).
RETRIES = 2

#: What a worker needs of a file's stat for the index (its size and mtime).
FileStat = namedtuple("FileStat", "st_size st_mtime_ns")


@dataclass(frozen=True)
class Partition:
    """Seed files to index in one task: ``(path, article id, raw bytes, stat)`` each.

    ``skipped`` are the files of its share that could not even be read here (they stay here).
    """

    number: int
    files: list[tuple[str, str, bytes, FileStat]]
    skipped: list = field(default_factory=list)

    def __reduce__(self):  # what a task needs, without the skipped
        return (Partition, (self.number, self.files))

    @property
    def size(self) -> int:
        return sum(len(data) for _, _, data, _ in self.files)


@dataclass
class Built:
    """What a task made of a partition: its segment's files (``None``: no article), each file's outcome."""

    number: int
    segment: Any  # whoosh.codec.base.Segment
    files: dict[str, bytes] = field(default_factory=dict)
    outcomes: list = field(default_factory=list)  # an article id, or a Skipped
    schema: int = schema.SCHEMA_VERSION  # of the vnsearch the worker runs

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


def index_partition(partition: Partition) -> Built:
    """Index ``partition`` into a segment of its own, returned as bytes (runs on a Dask worker)."""
    from .indexing import POOL_MB, WRITER_OPTIONS, Skipped
    from .storage import INDEX_NAME

    with tempfile.TemporaryDirectory(prefix="vnsearch-part-") as folder:
        storage = FileStorage(folder)
        index = storage.create_index(schema.make_schema(), indexname=INDEX_NAME)
        writer = SegmentWriter(index, limitmb=POOL_MB, **WRITER_OPTIONS)
        outcomes: list = []
        for path, id, data, stat in partition.files:
            try:
                article = article_from_bytes(data, id=id, path=path)
            except ArticleError as exc:
                outcomes.append(Skipped(path, str(exc)))
                continue
            writer.add_document(**schema.document(article, stat))
            outcomes.append(article.id)
        if not writer._added:
            writer.cancel()
            return Built(partition.number, None, outcomes=outcomes)
        segment = writer._finalize_segment()
        with SegmentReader(storage, writer.schema, segment) as leaf:
            typos.write_table(leaf, Path(folder))
        prefix = f"{INDEX_NAME}_{segment.segid}"
        files = {name: Path(folder, name).read_bytes() for name in os.listdir(folder) if name.startswith(prefix)}
        writer._finish()  # lets go of the folder's lock
        return Built(partition.number, segment, files, outcomes)


class AdoptingWriter(SegmentWriter):
    """A writer for a new generation that adds segments built elsewhere (:func:`index_partition`).

    The segments are listed in the order of their partitions, whatever order
    they came in: the articles are numbered as a one-machine build numbers them,
    so that equal scores rank alike.
    """

    def __init__(self, index, **kwargs):
        super().__init__(index, **kwargs)
        self.adopted: list[tuple[int, Any]] = []  # (partition number, segment)
        self.adopted_docs = 0

    def adopt(self, built: Built) -> None:
        """Write ``built``'s segment files into this index; the segment joins it at :meth:`commit`."""
        if built.schema != schema.SCHEMA_VERSION:
            raise VnsearchError(
                f"a Dask worker runs a vnsearch whose index format is {built.schema}, not {schema.SCHEMA_VERSION}: "
                "install the same vnsearch on every worker"
            )
        if built.segment is None:
            return
        for name, data in built.files.items():
            if os.sep in name or name.startswith("."):
                raise VnsearchError(f"a cluster task sent a file named '{name}': not a segment's")
            with self.storage.create_file(name) as out:
                out.write(data)
        self.adopted.append((built.number, built.segment))
        self.adopted_docs += built.segment.doc_count_all()

    def commit(self, mergetype=None, optimize=False, merge=False) -> None:
        """Publish the adopted segments (and nothing else) in this generation's table of contents."""
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge) + [s for _, s in sorted(self.adopted, key=lambda a: a[0])]
        self._close_segment()
        self._commit_toc(segments)
        self._finish()
        written = self.storage.open_index(self.indexname).doc_count_all()
        if written != self.adopted_docs:
            raise VnsearchError(f"the cluster's segments hold {written} articles, not {self.adopted_docs}")


def connect(cluster) -> tuple[Any, bool]:
    """A ``dask.distributed.Client`` for ``cluster`` (an address, or a Client already), and whether to close it."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise VnsearchError('building on a cluster needs Dask: pip install "vnsearch[cluster]"') from None
    if isinstance(cluster, Client):
        return cluster, False
    try:
        return Client(str(cluster), timeout="10s", set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise VnsearchError(
            f"cannot reach the Dask scheduler at '{cluster}' ({_reason(exc)}): start it, or check the address"
        ) from None


def build_segments(client, partitions: Iterator[Partition]) -> Iterator[Built]:
    """Run :func:`index_partition` on the cluster for each partition; each result as it comes.

    At most :data:`IN_FLIGHT_PER_THREAD` partitions per worker thread are sent
    ahead; the next one is read only when a result comes back.
    """
    from dask.distributed import as_completed

    limit = IN_FLIGHT_PER_THREAD * threads(client)
    submitted = []
    for partition in partitions:
        submitted.append(_submit(client, partition))
        if len(submitted) >= limit:
            break
    running = as_completed(submitted, with_results=True, loop=client.loop)
    for _, built in running:
        yield built
        partition = next(partitions, None)
        if partition is not None:
            running.add(_submit(client, partition))


def _submit(client, partition: Partition):
    """:func:`index_partition` of ``partition`` as a task, the files in it.

    The files go with the task (through the scheduler), not ahead of it to a
    worker (``scatter``): a worker that dies would take them with it, and the
    task could not be run again.  Dask warns about tasks of megabytes, which
    these are by design: not a user's concern.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        return client.submit(index_partition, partition, pure=False, retries=RETRIES)


def threads(client) -> int:
    """How many tasks the cluster of ``client`` runs at once."""
    return sum(client.nthreads().values()) or 1


def partition_sizes(files: int, threads: int) -> list[int]:
    """How many files each partition takes, in order: guided self-scheduling (see :data:`GUIDED`)."""
    sizes, left = [], files
    while left > 0:
        size = -(-left // (threads * GUIDED))  # rounded up
        size = min(left, max(MIN_PARTITION_FILES, min(MAX_PARTITION_FILES, size)))
        sizes.append(size)
        left -= size
    return sizes


def read_partitions(files: Sequence[tuple[str, str]], sizes: Sequence[int]) -> Iterator[Partition]:
    """``files`` (``(path, article id)`` each) read into partitions of ``sizes``, one at a time."""
    from .indexing import Skipped, too_big

    start = 0
    for number, size in enumerate(sizes):
        partition = Partition(number, [])
        for path, id in files[start : start + size]:
            try:
                stat = os.stat(path)
                if why := too_big(stat.st_size):
                    partition.skipped.append(Skipped(path, why))
                    continue
                data = Path(path).read_bytes()
            except OSError as exc:
                partition.skipped.append(Skipped(path, exc.strerror or str(exc)))
                continue
            partition.files.append((path, id, data, FileStat(stat.st_size, stat.st_mtime_ns)))
        start += size
        yield partition


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
