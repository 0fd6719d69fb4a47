"""`watch_index` and `vnsearch index --watch`: the index follows the seeds folder.

The watcher runs in a thread (the library) or a real process (the command);
every wait polls with a timeout, so a slow machine only makes the tests slower.
The few fixed sleeps are for changes that must *not* cause an update.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import vnsearch
import vnsearch.watching
from conftest import SEED_IDS, write_article
from vnsearch import Searcher, storage
from vnsearch.errors import IndexLockedError, SeedsNotFoundError
from vnsearch.cli import main
from vnsearch.indexing import IndexReport, Skipped
from vnsearch.watching import watch_index

SRC = str(Path(__file__).resolve().parent.parent / "src")
#: Seconds any one thing may take on a slow, busy machine.
TIMEOUT = 20
#: A quiet moment long enough to hold a burst of writes in one batch.
QUIET_MS = 300
#: Long enough for a change to have been seen and dropped (several quiet moments).
NOTHING_WAIT = 1.5


class Watcher:
    """``watch_index`` in a thread: its updates and errors in queues."""

    def __init__(self, seeds_dir: Path, index_dir: Path) -> None:
        self.seeds_dir, self.index_dir = seeds_dir, index_dir
        self.updates: queue.Queue[IndexReport] = queue.Queue()
        self.errors: queue.Queue[Exception] = queue.Queue()
        self.ready, self.stop = threading.Event(), threading.Event()
        self.first: IndexReport | None = None
        self.raised: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        def ready(report: IndexReport | None) -> None:
            self.first = report
            self.ready.set()

        try:
            watch_index(
                self.seeds_dir, self.index_dir, on_update=self.updates.put, on_error=self.errors.put,
                on_ready=ready, quiet_ms=QUIET_MS, debounce_ms=3000, stop_event=self.stop,
            )  # fmt: skip
        except BaseException as exc:
            self.raised = exc

    def __enter__(self) -> "Watcher":
        self.thread.start()
        assert self.ready.wait(TIMEOUT), f"not watching after {TIMEOUT} s ({self.raised!r})"
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()

    def next_update(self) -> IndexReport:
        try:
            return self.updates.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no update within {TIMEOUT} s ({self.raised!r})") from None


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def found(index_dir: Path, query: str) -> list[str]:
    """The ids of the articles with all the words of ``query``."""
    with Searcher(index_dir) as searcher:
        result = searcher.search(query)
        return [] if result.relaxed else [hit.id for hit in result.hits]


DINOSAUR = ("Khủng long ở Cao Bằng", "Các nhà khoa học tìm thấy hóa thạch khủng long bạo chúa.")


def test_the_first_update_builds_the_index_then_an_added_article_is_indexed(seeds_dir, index_dir) -> None:
    with Watcher(seeds_dir, index_dir) as watcher:
        assert watcher.first.created and sorted(watcher.first.added) == sorted(SEED_IDS.values())
        assert found(index_dir, "khủng long") == []
        write_article(seeds_dir, "khung-long", *DINOSAUR)
        report = watcher.next_update()
        assert report.added == ["khung-long"] and not report.updated and not report.removed
        assert found(index_dir, "khủng long") == ["khung-long"]
        assert found(index_dir, "khung long") == ["khung-long"]  # as any search finds it


def test_a_changed_article_is_updated_and_a_deleted_one_removed(seeds_dir, index_dir) -> None:
    seed = SEED_IDS["000"]
    with Watcher(seeds_dir, index_dir) as watcher:
        write_article(seeds_dir, seed, *DINOSAUR)
        report = watcher.next_update()
        assert report.updated == [seed] and not report.added and not report.removed
        assert found(index_dir, "khủng long") == [seed]
        (seeds_dir / f"{seed}.txt").unlink()
        report = watcher.next_update()
        assert report.removed == [seed] and not report.added and not report.updated
        assert found(index_dir, "khủng long") == []


def test_an_index_already_in_step_is_left_alone_then_followed(seeds_dir, index_dir) -> None:
    vnsearch.update_index(seeds_dir, index_dir)
    with Watcher(seeds_dir, index_dir) as watcher:
        assert not watcher.first.changed and len(watcher.first.unchanged) == len(SEED_IDS)
        write_article(seeds_dir / "khoa-hoc", "khung-long", *DINOSAUR)  # in a new subfolder
        assert watcher.next_update().added == ["khoa-hoc/khung-long"]


def test_a_burst_of_writes_is_one_update(seeds_dir, index_dir) -> None:
    names = [f"tin-{n}" for n in range(5)]
    with Watcher(seeds_dir, index_dir) as watcher:
        for n, name in enumerate(names):
            write_article(seeds_dir, name, f"Tin số {n}", "Chính phủ Việt Nam bàn về dân số, y tế.")
        assert sorted(watcher.next_update().added) == names
        time.sleep(NOTHING_WAIT)
        assert watcher.updates.empty()


def test_other_files_the_index_and_hidden_files_cause_no_update(seeds_dir, monkeypatch) -> None:
    index_dir = seeds_dir / "index"  # inside the seeds: its own writes must not wake it
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return update_index(*args, **kwargs)

    update_index = vnsearch.watching.update_index
    monkeypatch.setattr(vnsearch.watching, "update_index", counted)
    with Watcher(seeds_dir, index_dir) as watcher:
        assert len(calls) == 1  # the first update
        (seeds_dir / "notes.md").write_text("không phải bài báo", encoding="utf-8")
        (seeds_dir / f"{SEED_IDS['001']}.txt~").write_text("bản sao lưu", encoding="utf-8")
        write_article(seeds_dir, ".an.txt", *DINOSAUR)
        write_article(seeds_dir / ".git", "x", *DINOSAUR)
        write_article(index_dir, "in-the-index", *DINOSAUR)
        time.sleep(NOTHING_WAIT)
        assert len(calls) == 1 and watcher.updates.empty()
        write_article(seeds_dir, "khung-long", *DINOSAUR)  # still watching
        assert watcher.next_update().added == ["khung-long"]
        time.sleep(NOTHING_WAIT)  # the update's own writes to the index
        assert len(calls) == 2 and watcher.updates.empty()


def test_a_folder_moved_out_removes_its_articles(seeds_dir, index_dir, tmp_path) -> None:
    write_article(seeds_dir / "khoa-hoc", "khung-long", *DINOSAUR)
    with Watcher(seeds_dir, index_dir) as watcher:
        shutil.move(seeds_dir / "khoa-hoc", tmp_path / "elsewhere")
        assert watcher.next_update().removed == ["khoa-hoc/khung-long"]
        shutil.move(tmp_path / "elsewhere", seeds_dir / "khoa-hoc")
        assert watcher.next_update().added == ["khoa-hoc/khung-long"]


def test_stop_event_stops_it_promptly(seeds_dir, index_dir) -> None:
    watcher = Watcher(seeds_dir, index_dir).__enter__()
    start = time.monotonic()
    watcher.stop.set()
    watcher.thread.join(TIMEOUT)
    assert not watcher.thread.is_alive() and watcher.raised is None
    assert time.monotonic() - start < 2


def test_a_locked_index_is_an_error_then_tried_again(seeds_dir, index_dir, monkeypatch) -> None:
    monkeypatch.setattr(storage, "LOCK_WAIT", 0.2)
    monkeypatch.setattr(vnsearch.watching, "RETRY_SECONDS", 0.5)
    with Watcher(seeds_dir, index_dir) as watcher:
        with storage.write_lock(index_dir, storage.current_name(index_dir)):  # another `vnsearch index`
            write_article(seeds_dir, "khung-long", *DINOSAUR)
            error = watcher.errors.get(timeout=TIMEOUT)
            assert isinstance(error, IndexLockedError)
        assert watcher.next_update().added == ["khung-long"]  # without another change
        assert watcher.errors.empty() and watcher.thread.is_alive()


def test_the_seeds_folder_vanishing_stops_it_with_an_error(seeds_dir, index_dir) -> None:
    with Watcher(seeds_dir, index_dir) as watcher:
        shutil.rmtree(seeds_dir)
        watcher.thread.join(TIMEOUT)
        assert isinstance(watcher.raised, SeedsNotFoundError)
    assert storage.current_name(index_dir)  # the index is as it was


def test_a_missing_seeds_folder_is_an_error_at_once(tmp_path, index_dir) -> None:
    with pytest.raises(SeedsNotFoundError):
        watch_index(tmp_path / "nowhere", index_dir, stop_event=threading.Event())


# -- the command ---------------------------------------------------------------


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)


@pytest.mark.parametrize(
    "options, verb, stop", [([], "Built", signal.SIGINT), (["--rebuild"], "Rebuilt", signal.SIGTERM)]
)
def test_index_watch_command(seeds_dir, index_dir, options, verb, stop) -> None:
    if options:
        vnsearch.update_index(seeds_dir, index_dir)
    command = [sys.executable, "-m", "vnsearch", "index", "--watch", *options,
               "--seeds", str(seeds_dir), "--index", str(index_dir)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal, even if run in the background
    )  # fmt: skip
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith(f"{verb} '{index_dir}' from '{seeds_dir}': 5 added")
        write_article(seeds_dir, "khung-long", *DINOSAUR)
        second = lines.get(timeout=TIMEOUT)
        assert re.fullmatch(r"\d\d:\d\d:\d\d Updated '.*': 1 added, 0 updated, 0 removed, 5 unchanged, 0 skipped\n", second)
        process.send_signal(stop)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"Stopped watching '{seeds_dir}'."
    assert found(index_dir, "khủng long") == ["khung-long"]


def test_index_watch_prints_each_update_and_error_and_goes_on(seeds_dir, index_dir, monkeypatch) -> None:
    def watch_index(seeds_dir, index_dir, *, on_ready, on_update, on_error, jobs) -> None:
        on_ready(IndexReport(unchanged=["a"]))  # nothing changed since the first update: no line
        on_error(IndexLockedError(storage.LOCKED))
        on_update(IndexReport(added=["b"], unchanged=["a"], skipped=[Skipped("x.txt", "no text")]))
        # then Ctrl-C: watch_index returns

    monkeypatch.setattr(vnsearch.watching, "watch_index", watch_index)
    result = CliRunner().invoke(main, ["index", "--watch", "--seeds", str(seeds_dir), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first.startswith("Built") and re.fullmatch(
        r"\d\d:\d\d:\d\d Updated '.*': 1 added, 0 updated, 0 removed, 1 unchanged, 1 skipped", second
    )
    assert result.stderr.splitlines() == [
        f"Watching '{seeds_dir}' for changes (Ctrl-C to stop)…",
        f"vnsearch: {storage.LOCKED}",
        "vnsearch: skipped x.txt: no text",
        f"Stopped watching '{seeds_dir}'.",
    ]
