"""One ``Searcher`` shared by threads: the same results as one thread, and fresh ones."""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import SEED_IDS, write_article
from vnsearch import Searcher, update_index

THREADS = 8
#: Calls each thread makes at least (an update test goes on until the update is done).
SEARCHES = 20

#: Every kind of search: words with and without diacritics, phrases,
#: wildcards, fields, filters, facets, suggestions, typos.
SEARCHES_ASKED = [
    ("dân số", {}),
    ("dan so", {"facets": True}),
    ("kế hoạch hóa gia đình", {"limit": 3}),
    ('"sức khỏe sinh sản"', {}),
    ("tre em", {"any_terms": True, "facets": True}),
    ("công tác", {"sort": "date", "limit": 5}),
    ("chăm sóc*", {"facets": True}),
    ("title:dân", {}),
    ("bảo vệ trẻ em", {"any_terms": True}),
    ("giao ducc", {}),
    ("quốc phòng NOT dân", {}),
    ("ke hoach", {"use_suggestion": True}),
    ("Thượng tướng Lê Huy Vịnh nhấn mạnh điều gì?", {"any_terms": True}),
]


def run(searcher: Searcher, query: str, options: dict) -> tuple:
    """Everything a search and a suggestion give, to compare whole."""
    return searcher.search(query, **options), searcher.suggest(query)


def shared(searcher: Searcher, check, busy=lambda: False) -> list:
    """``check(searcher, i)`` from 8 threads at once, 20 times each and on while ``busy()``; what each returned."""
    start = threading.Barrier(THREADS)

    def worker(n: int) -> list:
        start.wait()
        rng = random.Random(n)
        found = []
        while len(found) < SEARCHES or busy():
            found.append(check(searcher, rng.randrange(len(SEARCHES_ASKED))))
        return found

    with ThreadPoolExecutor(THREADS) as pool:
        return [out for outs in pool.map(worker, range(THREADS)) for out in outs]


@pytest.fixture
def index_dir(tmp_path: Path, pristine_seeds: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(pristine_seeds, seeds)
    update_index(seeds, tmp_path / "index")
    return tmp_path / "index"


def alone(index_dir: Path) -> list[tuple]:
    """Every search's results in a Searcher of its own, one thread."""
    with Searcher(index_dir) as searcher:
        return [run(searcher, query, options) for query, options in SEARCHES_ASKED]


@pytest.mark.slow
def test_threads_sharing_a_searcher_get_what_one_thread_gets(index_dir: Path) -> None:
    expected = alone(index_dir)
    with Searcher(index_dir) as searcher:
        found = shared(searcher, lambda s, i: (i, run(s, *SEARCHES_ASKED[i])))
    assert len(found) == THREADS * SEARCHES
    for i, result in found:
        assert result == expected[i], SEARCHES_ASKED[i]


@pytest.mark.slow
def test_threads_see_an_update_whole_while_searching(index_dir: Path) -> None:
    seeds = index_dir.parent / "seeds"
    before = alone(index_dir)
    write_article(seeds, "dan-so-moi", "Dân số trẻ em tăng", "Công tác dân số và chăm sóc sức khỏe trẻ em.")
    (seeds / f"{SEED_IDS['002']}.txt").unlink()
    with Searcher(index_dir) as searcher:
        updater = threading.Thread(target=update_index, args=(seeds, index_dir), kwargs={"jobs": 1})
        updater.start()
        found = shared(searcher, lambda s, i: (i, run(s, *SEARCHES_ASKED[i])), busy=updater.is_alive)
        updater.join()
        after = alone(index_dir)
        assert before != after
        for i, result in found:
            assert result in (before[i], after[i]), SEARCHES_ASKED[i]
        assert [run(searcher, *asked) for asked in SEARCHES_ASKED] == after


def test_article_and_stats_see_updates_and_rebuilds(index_dir: Path) -> None:
    seeds = index_dir.parent / "seeds"
    with Searcher(index_dir) as searcher:
        assert searcher.stats().articles == 5
        for n, title in enumerate(["Bóng đá Việt Nam", "Bóng chuyền nữ"]):
            write_article(seeds, "the-thao", title, "Đội tuyển thắng trận đầu.")
            update_index(seeds, index_dir, rebuild=True)
            assert searcher.article("the-thao").title == title
            assert searcher.article(SEED_IDS["000"]).author == "Trần Lộc"
            assert searcher.stats().articles == 6
        (seeds / "the-thao.txt").unlink()
        update_index(seeds, index_dir)
        assert searcher.stats().articles == 5
        with pytest.raises(KeyError):
            searcher.article("the-thao")


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_close_releases_every_threads_index_files(index_dir: Path) -> None:
    before = open_files()
    searcher = Searcher(index_dir)
    opened = open_files()
    with ThreadPoolExecutor(THREADS) as pool:  # threads that stay alive until close()
        start = threading.Barrier(THREADS + 1)
        done = [pool.submit(lambda: (searcher.search("dân số"), start.wait())) for _ in range(THREADS)]
        while start.n_waiting < THREADS and not any(future.done() for future in done):
            time.sleep(0.01)
        assert open_files() > opened
        searcher.close()
        assert open_files() == before
        start.wait()
    assert all(future.result() for future in done)
    with pytest.raises(ValueError, match="closed"):
        searcher.search("dân số")
