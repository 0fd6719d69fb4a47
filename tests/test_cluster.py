"""Building the index on a Dask cluster: a real LocalCluster, worker processes talking TCP on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from conftest import write_article, write_news
from vnsearch import Searcher, add_articles, storage, update_index
from vnsearch.errors import VnsearchError

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

QUERIES = ["dân số", "dan so", "UBND", "Cao Bằng", "bóng đá", "quân đội", "kế hoạch hóa gia đình", "y tế"]


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, on 127.0.0.1, for the module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:  # fmt: skip
        with distributed.Client(cluster) as client:
            yield client


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    """64 news articles and the five seeds, plus a file that is not text: 70 files."""
    root = tmp_path_factory.mktemp("cluster-news")
    write_news(root / "seeds")
    shutil.copytree(Path(__file__).parents[1] / "seeds", root / "seeds", dirs_exist_ok=True)
    (root / "seeds" / "anh.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    return root / "seeds"


@pytest.fixture(scope="module")
def local_index(news: Path, tmp_path_factory) -> Path:
    """The same articles indexed on this machine, by one process."""
    index = tmp_path_factory.mktemp("local") / "index"
    update_index(news, index, jobs=1)
    return index


@pytest.fixture
def small_partitions(monkeypatch):
    """Seven files a task, so that the 70 files are ten tasks over both workers."""
    monkeypatch.setattr("vnsearch.cluster.partition_sizes", lambda files, threads: [7] * 10)


def contents(index_dir: Path) -> dict:
    """Every stored document and every posting of the index, in document order."""
    index = storage.open_index(index_dir)
    with index.reader() as reader:
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
        postings = {}
        for field, text in reader.all_terms():
            postings[field, text] = list(reader.postings(field, text).items_as("weight"))
    return {"stored": stored, "postings": postings}


def results(index_dir: Path) -> list:
    with Searcher(index_dir) as searcher:
        return [[(h.id, round(h.score, 9), h.snippet) for h in searcher.search(q, limit=20).hits] for q in QUERIES]


def test_the_cluster_build_is_the_one_machine_build(client, news, local_index, tmp_path, small_partitions):
    index = tmp_path / "index"
    report = update_index(news, index, cluster=client)
    assert report.created and len(report.added) == 69 and [s.path for s in report.skipped] == [str(news / "anh.txt")]
    assert len(storage.open_index(index)._segments()) == 10
    assert contents(index) == contents(local_index)
    assert results(index) == results(local_index)
    assert update_index(news, index).changed is False  # then updated here, incrementally: nothing to do


def test_a_rebuild_on_the_cluster_replaces_the_index(client, news, local_index, tmp_path, small_partitions):
    index = tmp_path / "index"
    shutil.copytree(local_index, index)
    before = storage.current_name(index)
    report = update_index(news, index, rebuild=True, cluster=client)
    assert report.rebuilt and len(report.added) == 69
    assert storage.current_name(index) != before
    assert results(index) == results(local_index)


def test_a_rebuild_on_the_cluster_keeps_the_articles_added_as_json(client, news, local_index, tmp_path, small_partitions):
    index = tmp_path / "index"
    shutil.copytree(local_index, index)
    add_articles(index, [{"id": "json-1", "title": "Bàn ghế mới", "body": "Trường học nhận bàn ghế mới cho học sinh."}])
    report = update_index(news, index, rebuild=True, cluster=client)
    assert report.rebuilt and "json-1" not in report.added
    with Searcher(index) as searcher:
        assert searcher.stats().sources == {"file": 69, "json": 1}
        assert searcher.search("ban ghe moi").hits[0].id == "json-1"


def test_a_worker_killed_mid_build_has_its_partitions_redone(client, news, local_index, tmp_path, monkeypatch):
    monkeypatch.setattr("vnsearch.cluster.partition_sizes", lambda files, threads: [2] * 35)  # the kill lands mid-build
    pids = client.run(os.getpid)
    done = threading.Event()

    def progress(files: int, total: int) -> None:
        if not done.is_set():
            done.set()
            os.kill(next(iter(pids.values())), signal.SIGKILL)

    report = update_index(news, tmp_path / "index", cluster=client, progress=progress)
    assert done.is_set() and len(report.added) == 69
    assert contents(tmp_path / "index") == contents(local_index)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it, for the next tests


def test_a_failed_build_publishes_nothing(client, news, local_index, tmp_path, monkeypatch, small_partitions):
    index = tmp_path / "index"
    shutil.copytree(local_index, index)
    before, files = storage.current_name(index), sorted(os.listdir(index))
    calls = []

    def adopt(self, built):
        calls.append(built)
        if len(calls) == 3:
            raise VnsearchError("the disk is full")

    monkeypatch.setattr("vnsearch.cluster.AdoptingWriter.adopt", adopt)
    with pytest.raises(VnsearchError, match="the disk is full"):
        update_index(news, index, rebuild=True, cluster=client)
    assert storage.current_name(index) == before and sorted(os.listdir(index)) == files
    assert results(index) == results(local_index)


def test_an_update_stays_here(client, news, local_index, tmp_path):
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(news, seeds)
    shutil.copytree(local_index, index)
    write_article(seeds, "khung-long", "Khủng long ở Cao Bằng", "Các nhà khoa học tìm thấy hóa thạch khủng long.")
    tasks = len(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.tasks))
    report = update_index(seeds, index, cluster=client)
    assert report.added == ["khung-long"] and len(report.unchanged) == 69
    assert len(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.tasks)) == tasks


def test_an_unreachable_scheduler_is_one_error(news, tmp_path):
    began = time.monotonic()
    with pytest.raises(VnsearchError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        update_index(news, tmp_path / "index", cluster="tcp://127.0.0.1:9")
    assert time.monotonic() - began < 30
    assert not (tmp_path / "index").exists() or storage.current_name(tmp_path / "index") is None


def test_the_command(client, news, local_index, tmp_path, small_partitions):
    from click.testing import CliRunner

    from vnsearch.cli import main

    index = tmp_path / "index"
    address = client.scheduler.address
    result = CliRunner().invoke(main, ["index", "--seeds", str(news), "--index", str(index), "--cluster", address])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Built '{index}' from '{news}': 69 added")
    assert results(index) == results(local_index)
    unreachable = CliRunner().invoke(main, ["index", "--rebuild", "--seeds", str(news), "--index", str(index),
                                            "--cluster", "tcp://127.0.0.1:9"])  # fmt: skip
    assert unreachable.exit_code == 2 and unreachable.stderr.count("\n") == 1
    assert unreachable.stderr.startswith("vnsearch: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert results(index) == results(local_index)


@pytest.mark.parametrize("files, threads", [(70, 2), (10_000, 1), (10_000, 2), (123_457, 8), (10_000_000, 128)])
def test_partitions_shrink_so_the_workers_finish_together(files, threads):
    from vnsearch.cluster import MAX_PARTITION_FILES, MIN_PARTITION_FILES, partition_sizes

    sizes = partition_sizes(files, threads)
    assert sum(sizes) == files and sizes == sorted(sizes, reverse=True)
    assert all(size <= MAX_PARTITION_FILES for size in sizes)
    assert all(size >= MIN_PARTITION_FILES for size in sizes[:-1])
    assert sizes[-1] <= max(MIN_PARTITION_FILES, files // threads)  # the last task is a short one
    assert len(sizes) <= files / MAX_PARTITION_FILES + 2 * threads * 10  # few segments: ~2 × threads × ln


def test_a_worker_with_another_vnsearch_fails_the_build(client, news, local_index, tmp_path, monkeypatch):
    from vnsearch.cluster import AdoptingWriter

    index = tmp_path / "index"
    shutil.copytree(local_index, index)
    before = storage.current_name(index)
    real = AdoptingWriter.adopt

    def adopt(self, built):  # as if the worker's vnsearch wrote the index format before this one
        built.schema -= 1
        return real(self, built)

    monkeypatch.setattr(AdoptingWriter, "adopt", adopt)
    with pytest.raises(VnsearchError, match="index format is [0-9]+, not [0-9]+: install the same vnsearch on every"):
        update_index(news, index, rebuild=True, cluster=client)
    assert storage.current_name(index) == before
