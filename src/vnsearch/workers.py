"""Writing a new index with one process per core.

Reading articles, segmenting Vietnamese and sorting postings are pure
Python, so one process uses one core.  :class:`ParallelWriter`, on top of
Whoosh's multi-process writer (``whoosh.multiproc.MpWriter``), hands batches
of file names to worker processes, each of which reads them, indexes them
with vnsearch's writer (:mod:`vnsearch.writer`), and writes a segment and its
typo table (:mod:`vnsearch.typos`) of its own.  The main process only sends
names and collects what became of each file.  On top of Whoosh's writer:

* a worker never outlives the main process (if that is killed, its workers
  notice within half a second and exit, instead of waiting forever for work);
* Ctrl-C is the main process's to handle: workers ignore it, and cancelling
  the writer stops them;
* a lost worker (an error in it, or the worker killed) fails the build
  instead of letting it succeed with fewer documents.

It is meant for writing a generation that is not in use yet
(``indexing.writing_generation``): a failed commit there leaves nothing behind.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing import Queue
from pathlib import Path
from typing import Any

from whoosh import writing
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import SegmentReader

from . import typos
from .codec import Codec
from .errors import VnsearchError
from .writer import SegmentWriter

__all__ = ["ParallelWriter", "Read", "index_file"]

#: Files per batch handed to a worker.
BATCH_SIZE = 50

#: What indexing does with one file: ``(document fields or None, outcome)``.
#: Called in the worker processes, so it must pickle (a module-level function
#: or a ``functools.partial`` of one).
Read = Callable[[Any], tuple[dict | None, Any]]


def index_file(writer, read: Read, item) -> tuple[bool, Any]:
    """Index what ``read(item)`` makes of one file; (whether a document was added, the outcome)."""
    document, outcome = read(item)
    if document is not None:
        writer.add_document(**document)
    return document is not None, outcome


class ParallelWriter(MpWriter):
    """A Whoosh writer whose files are read and indexed by ``procs`` worker processes.

    Each worker writes its own segment; they are not merged, so an index built
    with N processes has N segments.
    """

    def __init__(self, index, procs: int, **kwargs):
        kwargs.setdefault("codec", Codec())  # the workers' writers get it too
        super().__init__(index, procs=procs, multisegment=True, **kwargs)
        self.donequeue = Queue()  # (batch number, [(added, outcome)…] or None if lost)
        self._added_docs = 0

    def add_document(self, **fields) -> None:
        raise TypeError("a ParallelWriter's workers index files: use index_files()")

    def index_files(self, read: Read, items: Sequence) -> Iterator[Any]:
        """Index ``items`` (file names…) in the workers; each one's outcome, in order, as they finish."""
        self._added_sub = True
        done: dict[int, list | None] = {}
        batches = range(0, len(items), BATCH_SIZE)
        waiting = 0  # the batch whose outcomes come next
        for number, start in enumerate(batches):
            if len(self.tasks) < self.procs:
                self._new_task()
            self.jobqueue.put((number, read, items[start : start + BATCH_SIZE]))
            self._collect(done, block=False)
            while waiting in done:
                yield from self._outcomes(done.pop(waiting))
                waiting += 1
        while waiting < len(batches):
            while waiting not in done:
                self._collect(done, block=True)
            yield from self._outcomes(done.pop(waiting))
            waiting += 1

    def _collect(self, done: dict, block: bool) -> None:
        """Take the outcomes of the batches the workers have finished (waiting for one if ``block``)."""
        try:
            while True:
                number, outcomes = self.donequeue.get(block=block, timeout=0.5 if block else None)
                done[number] = outcomes
                block = False
        except queue.Empty:
            if block and any(task.exitcode is not None for task in self.tasks):
                raise self._lost() from None

    def _outcomes(self, outcomes: list | None) -> Iterator[Any]:
        if outcomes is None:
            raise self._lost()
        for added, outcome in outcomes:
            self._added_docs += added
            yield outcome

    def _lost(self) -> VnsearchError:
        return VnsearchError(
            "a worker process failed; the index in use is unchanged (try again with one process)"
        )

    def _new_task(self) -> SubWriterTask:
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True)
        task.donequeue = self.donequeue
        task.parent = os.getpid()
        self.tasks.append(task)
        task.start()
        return task

    def commit(self, **kwargs) -> None:
        super().commit(**kwargs)
        written = self.storage.open_index(self.indexname).doc_count_all()
        if written != self._added_docs:
            raise VnsearchError(
                f"a worker process failed: {written} of {self._added_docs} articles were "
                "written; the index in use is unchanged (try again with one process)"
            )

    def cancel(self) -> None:
        for task in self.tasks:
            task.terminate()
            task.join()
        self.tasks = []
        writing.SegmentWriter.cancel(self)


class _Worker(SubWriterTask):
    """A worker process, tied to the process that started it: reads, indexes, writes a segment."""

    parent: int
    donequeue: Queue

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_exit_with, args=(self.parent,), daemon=True).start()
        try:
            writer = SegmentWriter(self.storage.open_index(self.indexname), _lk=False, **self.kwargs)
        except Exception:
            writer = None  # every batch will be reported lost
        while (job := self.jobqueue.get()) is not None:
            number, read, items = job
            try:
                outcomes = [index_file(writer, read, item) for item in items]
            except Exception:
                # Lose this worker's documents (the main process fails the
                # build) but keep taking batches, so it never waits on a full queue.
                writer, outcomes = None, None
            self.donequeue.put((number, outcomes))
        if writer is not None:
            segment = writer._finalize_segment()
            with SegmentReader(self.storage, writer.schema, segment) as leaf:
                typos.write_table(leaf, Path(self.storage.folder))
            self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


def _exit_with(parent: int) -> None:
    """End this process soon after ``parent`` is gone (killed, say)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
