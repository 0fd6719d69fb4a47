"""The multi-process writer: same index, and no worker left behind."""

from __future__ import annotations

import json
import os
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


def test_documents_from_every_worker_are_committed(tmp_path: Path) -> None:
    name, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    for i in range(120):
        writer.add_document(**dict(ARTICLE, id=f"a{i}"))
    writer.commit()
    reopened = storage.open_index(tmp_path, name)
    assert reopened.doc_count() == 120
    with reopened.searcher() as searcher:
        assert {f["id"] for f in searcher.all_stored_fields()} == {f"a{i}" for i in range(120)}


def test_cancel_stops_the_workers(tmp_path: Path) -> None:
    _, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    for i in range(200):
        writer.add_document(**dict(ARTICLE, id=f"a{i}"))
    pids = [task.pid for task in writer.tasks]
    assert pids
    writer.cancel()
    assert all(gone(pid, timeout=5) for pid in pids)


def test_a_lost_worker_fails_the_commit(tmp_path: Path) -> None:
    _, index = storage.new_generation(tmp_path, lambda index: index)
    writer = ParallelWriter(index, procs=2)
    for i in range(200):
        # a body that is not text fails in the worker that gets it
        writer.add_document(**dict(ARTICLE, id=f"a{i}", body=12345 if i == 120 else ARTICLE["body"]))
    with pytest.raises(VnsearchError, match="worker process failed"):
        writer.commit()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    code = f"""
import json, os, signal, sys
from pathlib import Path
from vnsearch import storage
from vnsearch.workers import ParallelWriter
_, index = storage.new_generation(Path({str(tmp_path)!r}), lambda index: index)
writer = ParallelWriter(index, procs=2)
for i in range(200):
    writer.add_document(**dict({ARTICLE!r}, id=f"a{{i}}"))
print(json.dumps([task.pid for task in writer.tasks]), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    pids = json.loads(done.stdout)
    assert pids
    assert all(gone(pid, timeout=5) for pid in pids)
