"""Writing a new index with one process per core.

Segmenting Vietnamese and building Whoosh's postings are both pure Python,
so one process uses one core.  Whoosh's multi-process writer
(``whoosh.multiproc.MpWriter``) hands batches of documents to worker
processes, each of which analyses them and writes a segment of its own.
:class:`ParallelWriter` adds what a command-line tool needs on top:

* a worker never outlives the main process (if that is killed, its workers
  notice within half a second and exit, instead of waiting forever for work);
* Ctrl-C is the main process's to handle: workers ignore it, and cancelling
  the writer stops them;
* a commit that lost a worker's documents (an error in the worker, or the
  worker killed) fails instead of succeeding with fewer documents.

It is meant for writing a generation that is not in use yet
(``indexing._new_generation``): a failed commit there leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh import writing

from .codec import Codec
from .errors import VnsearchError
from .writer import SegmentWriter

__all__ = ["ParallelWriter"]

#: Documents per batch handed to a worker.
BATCH_SIZE = 50


class ParallelWriter(MpWriter):
    """A Whoosh writer whose documents are indexed by ``procs`` worker processes.

    Each worker writes its own segment; they are not merged, so an index built
    with N processes has N segments.
    """

    def __init__(self, index, procs: int, **kwargs):
        kwargs.setdefault("codec", Codec())  # the workers' writers get it too
        super().__init__(index, procs=procs, batchsize=BATCH_SIZE, multisegment=True, **kwargs)
        self._sent = 0

    def add_document(self, **fields) -> None:
        super().add_document(**fields)
        self._sent += 1

    def _new_task(self) -> SubWriterTask:
        task = _Worker(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        task.parent = os.getpid()
        self.tasks.append(task)
        task.start()
        return task

    def commit(self, **kwargs) -> None:
        super().commit(**kwargs)
        written = self.storage.open_index(self.indexname).doc_count_all()
        if written != self._sent:
            raise VnsearchError(
                f"a worker process failed: {written} of {self._sent} articles were "
                "written; the index in use is unchanged (try again with one process)"
            )

    def cancel(self) -> None:
        for task in self.tasks:
            task.terminate()
            task.join()
        self.tasks = []
        writing.SegmentWriter.cancel(self)


class _Worker(SubWriterTask):
    """Whoosh's worker process, tied to the process that started it."""

    parent: int

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_exit_with, args=(self.parent,), daemon=True).start()
        try:
            self._write_segment()
        except Exception:
            # Leave this worker's documents out (the commit notices) but keep
            # taking batches, so the main process never waits on a full queue.
            while self.jobqueue.get() is not None:
                pass

    def _write_segment(self) -> None:
        """Index every batch the main process sends, then hand it the segment written."""
        index = self.storage.open_index(self.indexname)
        self.writer = SegmentWriter(index, _lk=False, **self.kwargs)  # the main process locked it
        while (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
        segment = self.writer._finalize_segment()
        self.resultqueue.put((None, self.writer.pool.fieldnames, segment), timeout=5)


def _exit_with(parent: int) -> None:
    """End this process soon after ``parent`` is gone (killed, say)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
