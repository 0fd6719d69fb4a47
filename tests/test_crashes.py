"""A killed `vnsearch index` never costs the index: old state or new, never a mix.

Each case copies an index of over 200 short articles, starts `vnsearch index`
(an update, or a rebuild: a new generation written by worker processes) as a
real process, kills it with SIGKILL, and checks that the index still opens,
holds exactly the articles of before or of after, and that the next run
finishes the job by itself.  The kills are spread over the time an
uninterrupted run of the same command takes (measured once): each command is
killed at a seeded moment in each quarter of its run, from starting and reading
the articles to writing and committing them.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import indexed_ids, made_once, write_articles
from vnsearch import update_index

pytestmark = pytest.mark.slow

#: The parts of an uninterrupted run each command is killed in, as shares of its length.
QUARTERS = [(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0)]
#: Over ``PARALLEL_MIN_FILES`` (200) articles before and after, so a rebuild uses workers.
ARTICLES = 210


def vnsearch_index(seeds: Path, index_dir: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "vnsearch.cli", "index", "--seeds", str(seeds), "--index", str(index_dir), *options]


def timed_run(command: list[str]) -> float:
    """Run ``command`` to the end; how long it took, in seconds."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - start


def _before_and_after(root: Path) -> None:
    seeds = root / "seeds"
    seeds.mkdir()
    write_articles(seeds, range(ARTICLES), seed=1, sentences=3)
    update_index(seeds, root / "index", jobs=1)
    # after: 30 new articles, 20 deleted, 20 changed
    write_articles(seeds, range(ARTICLES, ARTICLES + 30), seed=2, sentences=3)
    for n in range(20):
        (seeds / f"bai-{n:04d}.txt").unlink()
    write_articles(seeds, range(20, 40), seed=3, sentences=3)
    # how long each command takes when nothing stops it, on copies of the index
    seconds = {}
    for name, options in {"update": [], "rebuild": ["--rebuild"]}.items():
        shutil.copytree(root / "index", root / name)
        seconds[name] = timed_run(vnsearch_index(seeds, root / name, *options))
    (root / "seconds").write_text(f"{seconds['update']} {seconds['rebuild']}")


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory) -> tuple[Path, Path, set[str], set[str], dict[str, float]]:
    """An index of 210 articles, a seeds folder that differs from it (the "after"), and each command's length."""
    root = made_once(tmp_path_factory, "crash", _before_and_after)
    before, after = indexed_ids(root / "index"), indexed_ids(root / "update")
    assert before != after and len(after) > 200
    assert indexed_ids(root / "rebuild") == after
    update, rebuild = map(float, (root / "seconds").read_text().split())
    return root / "seeds", root / "index", before, after, {"update": update, "rebuild": rebuild}


@pytest.mark.parametrize("quarter", range(len(QUARTERS)))
@pytest.mark.parametrize("command", ["update", "rebuild"])
def test_killed_indexing_leaves_old_or_new_and_the_next_run_finishes(
    before_and_after, tmp_path: Path, command: str, quarter: int
) -> None:
    seeds, pristine, before, after, seconds = before_and_after
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    update = vnsearch_index(seeds, index_dir)
    low, high = QUARTERS[quarter]
    kill_at = seconds[command] * random.Random(f"{command}-{quarter}").uniform(low, high)
    proc = subprocess.Popen(update + ["--rebuild"] if command == "rebuild" else update,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    time.sleep(kill_at)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert indexed_ids(index_dir) in (before, after)

    done = subprocess.run(update, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert indexed_ids(index_dir) == after
    again = subprocess.run(update, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and " 0 added, 0 updated, 0 removed" in again.stdout
