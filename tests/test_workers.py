"""The multi-process writer: same index, and no worker left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnsearch import storage
from vnsearch.errors import VnsearchError
from vnsearch.workers import ParallelWriter

pytestmark = pytest.mark.slow

ARTICLE = dict(
    id="a",
    path="a.txt",
    title="Dân số Việt Nam",
    body="Công tác dân số và kế hoạch hóa gia đình ở Hà Nội.",
    sha256="0",
    day=0,
)


def gone(pid: int, timeout: float) -> bool:
    """True once process ``pid`` has exited (or is a zombie) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "State:\tZ" in state:
            return True
        time.sleep(0.1)
    return False


def as_document(i: int) -> tuple[dict, str]:
    """Item ``i`` as a document and its outcome (the ``read`` the workers call)."""
    return dict(ARTICLE, id=f"a{i}"), f"a{i}"


def every_tenth_skipped(i: int) -> tuple[dict | None, str]:
    return (None, f"skipped {i}") if i % 10 == 0 else as_document(i)


def not_text_at_120(i: int) -> tuple[dict, str]:
    """A body that is not text fails in the worker that gets it."""
    document, outcome = as_document(i)
    return dict(document, body=12345) if i == 120 else document, outcome


def test_files_from_every_worker_are_committed_their_outcomes_in_order(tmp_path: Path) -> None:
    name, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    outcomes = list(writer.index_files(every_tenth_skipped, range(420)))
    assert outcomes == [every_tenth_skipped(i)[1] for i in range(420)]
    assert len(writer.tasks) == 2
    writer.commit()
    reopened = storage.open_index(tmp_path, name)
    assert reopened.doc_count() == 378
    with reopened.searcher() as searcher:
        assert {f["id"] for f in searcher.all_stored_fields()} == {f"a{i}" for i in range(420) if i % 10}


def test_cancel_stops_the_workers(tmp_path: Path) -> None:
    _, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    next(writer.index_files(as_document, range(200)))
    pids = [task.pid for task in writer.tasks]
    assert pids
    writer.cancel()
    assert all(gone(pid, timeout=5) for pid in pids)


def test_a_lost_worker_fails_the_build(tmp_path: Path) -> None:
    _, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    with pytest.raises(VnsearchError, match="worker process failed"):
        list(writer.index_files(not_text_at_120, range(200)))
    writer.cancel()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    code = f"""
import json, os, signal, sys
from pathlib import Path
from vnsearch import storage
from vnsearch.workers import ParallelWriter
_, index = storage.new_generation(Path({str(tmp_path)!r}), lambda index: index)
writer = ParallelWriter(index, procs=2)
def read(i):
    return dict({ARTICLE!r}, id=f"a{{i}}"), i
next(writer.index_files(read, range(400)))
print(json.dumps([task.pid for task in writer.tasks]), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    pids = json.loads(done.stdout)
    assert pids
    assert all(gone(pid, timeout=5) for pid in pids)
