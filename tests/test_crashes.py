"""A killed `vnsearch index` never costs the index: old state or new, never a mix.

Each case copies an index of a few hundred articles, starts `vnsearch index`
(an update or a rebuild) as a real process, kills it with SIGKILL at a seeded
moment, and checks that the index still opens, holds exactly the articles of
before or of after, and that the next run finishes the job by itself.
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

from conftest import indexed_ids, write_articles
from vnsearch import update_index

pytestmark = pytest.mark.slow

CASES = 20


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory) -> tuple[Path, Path, set[str], set[str]]:
    """An index of 260 articles, and a seeds folder that differs from it (the "after")."""
    root = tmp_path_factory.mktemp("crash")
    seeds = root / "seeds"
    seeds.mkdir()
    write_articles(seeds, range(260), seed=1)
    update_index(seeds, root / "index", jobs=1)
    before = indexed_ids(root / "index")
    # after: 60 new articles, 30 deleted, 30 changed
    write_articles(seeds, range(260, 320), seed=2)
    for n in range(30):
        (seeds / f"bai-{n:04d}.txt").unlink()
    write_articles(seeds, range(30, 60), seed=3)
    shutil.copytree(root / "index", root / "updated")
    update_index(seeds, root / "updated", jobs=1)
    after = indexed_ids(root / "updated")
    assert before != after and len(after) > 250
    return seeds, root / "index", before, after


@pytest.mark.parametrize("case", range(CASES))
def test_killed_indexing_leaves_old_or_new_and_the_next_run_finishes(
    before_and_after, tmp_path: Path, case: int
) -> None:
    seeds, pristine, before, after = before_and_after
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    rng = random.Random(case)
    update = [sys.executable, "-m", "vnsearch.cli", "index", "--seeds", str(seeds), "--index", str(index_dir)]
    # odd cases rebuild: a new generation, written by worker processes
    command = update + ["--rebuild"] if case % 2 else update
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(rng.uniform(0.05, 2.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert indexed_ids(index_dir) in (before, after)

    done = subprocess.run(update, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert indexed_ids(index_dir) == after
    again = subprocess.run(update, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and " 0 added, 0 updated, 0 removed" in again.stdout
