"""Real processes at once: searches during indexing, and two indexers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import indexed_ids, made_once, write_articles
from vnsearch import update_index

pytestmark = pytest.mark.slow


def vnsearch(*args: str) -> list[str]:
    return [sys.executable, "-m", "vnsearch.cli", *args]


def _changing(root: Path) -> None:
    seeds = root / "seeds"
    seeds.mkdir()
    write_articles(seeds, range(220), seed=4, sentences=3)
    update_index(seeds, root / "index", jobs=1)
    write_articles(seeds, range(220, 300), seed=5, sentences=3)


@pytest.fixture
def changing(tmp_path: Path, tmp_path_factory) -> tuple[Path, Path, int]:
    """An index of 220 short articles and a seeds folder with 80 more (ids before: 220).

    Over 200 articles, so a rebuild is written by worker processes; short, so
    indexing is quick, but searches run all along it all the same.

    A copy of one made once per run: each test changes its index.
    """
    shutil.copytree(made_once(tmp_path_factory, "changing", _changing), tmp_path, dirs_exist_ok=True)
    return tmp_path / "seeds", tmp_path / "index", len(indexed_ids(tmp_path / "index"))


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_searches_while_indexing_all_succeed(changing, rebuild: bool) -> None:
    seeds, index_dir, before = changing
    command = vnsearch("index", "--seeds", str(seeds), "--index", str(index_dir))
    indexer = subprocess.Popen(command + (["--rebuild"] if rebuild else []), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    totals = []
    while indexer.poll() is None or not totals:
        searches = [
            subprocess.Popen(
                vnsearch("search", "--index", str(index_dir), "--seeds", str(seeds), "--json",
                         "-n", "500", "công tác"),  # fmt: skip
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for search in searches:
            out, err = search.communicate(timeout=60)
            assert search.returncode == 0, err
            assert err == ""
            totals.append(json.loads(out)["total"])
    assert indexer.wait(timeout=120) == 0, indexer.stderr.read()
    assert len(indexed_ids(index_dir)) == before + 80
    # every search saw a whole index: the one before or the one after
    with_all = json.loads(subprocess.run(
        vnsearch("search", "--index", str(index_dir), "--json", "-n", "1", "công tác"),
        capture_output=True, text=True, check=True).stdout)["total"]  # fmt: skip
    assert set(totals) <= {totals[0], with_all}


def test_two_indexers_at_once_one_waits_or_says_so(changing) -> None:
    seeds, index_dir, before = changing
    command = vnsearch("index", "--seeds", str(seeds), "--index", str(index_dir))
    first, second = (
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    )
    results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
    for code, out, err in results:
        if code != 0:  # the loser: one clear line, nothing else
            assert code == 2 and out == ""
            assert err.startswith("vnsearch: another process is updating this index") and err.count("\n") == 1
    assert any(code == 0 for code, _, _ in results)
    assert len(indexed_ids(index_dir)) == before + 80
