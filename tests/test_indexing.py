"""Tests of building and updating an index through the public API."""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import pytest

import vnsearch.indexing
import vnsearch.schema
import vnsearch.workers
from conftest import SEED_IDS, write_article
from vnsearch import (
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    Searcher,
    SeedsNotFoundError,
    search,
    update_index,
)
from vnsearch import storage

FOOTBALL = (
    "Tối 20/11, đội tuyển bóng đá quốc gia Việt Nam đã giành chiến thắng 2-0 trước "
    "Thái Lan trên sân vận động Mỹ Đình.\n\n"
    "Hàng nghìn cổ động viên đã đổ ra các đường phố Hà Nội để ăn mừng chiến thắng của "
    "đội nhà."
)
BADMINTON = (
    "Tay vợt cầu lông Nguyễn Thùy Linh đã vào chung kết giải đấu quốc tế tại Đà Nẵng.\n\n"
    "Các vận động viên trẻ được kỳ vọng sẽ tiếp bước chị trong những năm tới."
)
QUERIES = ["dân số", "dan so", "trẻ em", "kế hoạch hóa gia đình", "quân", "ban", "hội nghị"]


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def snapshot(index_dir: Path) -> dict:
    """What a few queries return: ids, rounded scores and snippets."""
    out = {}
    with Searcher(index_dir) as searcher:
        for query in QUERIES:
            result = searcher.search(query)
            out[query] = (
                result.total,
                [(h.id, round(h.score, 4), h.snippet, h.highlights) for h in result.hits],
            )
    return out


def generations(index_dir: Path) -> set[str]:
    """The generation folders in ``index_dir``."""
    return {p.name for p in index_dir.iterdir() if p.is_dir()}


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path) -> Path:
    """A private copy of the prebuilt seed index (its paths still name the pristine seeds)."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target)
    return target


@pytest.fixture
def indexed(seeds_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A fresh seeds copy and its index, both safe to modify."""
    index_dir = tmp_path / "index"
    update_index(seeds_dir, index_dir)
    return seeds_dir, index_dir


def bump_mtime(path: Path, seconds: int = 5) -> None:
    """Move a file's mtime forward, so a change is seen even on coarse clocks."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 10**9))


# --- first build and no-op update ---------------------------------------------------------


def test_first_build_adds_every_seed(seeds_dir: Path, tmp_path: Path) -> None:
    calls = []
    report = update_index(seeds_dir, tmp_path / "index", progress=lambda d, t: calls.append((d, t)))
    assert report.created and not report.rebuilt
    assert sorted(report.added) == sorted(SEED_IDS.values())
    assert report.updated == [] and report.removed == [] and report.skipped == []
    assert len(report.unchanged) == 0
    assert report.changed
    assert calls == [(i, 5) for i in range(1, 6)]
    assert (tmp_path / "index" / "CURRENT.json").is_file()


def test_second_run_changes_nothing(indexed) -> None:
    seeds, index_dir = indexed
    before = snapshot(index_dir)
    report = update_index(seeds, index_dir)
    assert len(report.unchanged) == 5
    assert (report.added, report.updated, report.removed, report.skipped) == ([], [], [], [])
    assert not report.changed and not report.created and not report.rebuilt
    assert snapshot(index_dir) == before


def test_index_from_seeds_is_searchable(built_index: Path) -> None:
    result = search("dan so", built_index)
    assert result.total == 5
    assert not result.relaxed
    with Searcher(built_index) as searcher:
        article = searcher.article(SEED_IDS["000"])
        assert article.author == "Trần Lộc"
        assert article.site == "baocaobang.vn"
        assert searcher.stats().articles == 5


# --- incremental updates ------------------------------------------------------------------


def test_new_file_is_added_and_found_without_accents(indexed) -> None:
    seeds, index_dir = indexed
    write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL, byline="Minh Anh")
    report = update_index(seeds, index_dir)
    assert report.added == ["the_thao"]
    assert len(report.unchanged) == 5
    assert report.updated == [] and report.removed == []
    result = search("bong da", index_dir)
    assert ids(result)[0] == "the_thao"  # 000 also matches: "học bổng", "đa"
    assert not result.relaxed
    assert ids(search('"bong da"', index_dir)) == ["the_thao"]
    assert search("bóng đá", index_dir).hits[0].id == "the_thao"
    assert search('"Mỹ Đình"', index_dir).hits[0].id == "the_thao"
    assert search('author:"Minh Anh"', index_dir).hits[0].id == "the_thao"


def test_article_in_subfolder_gets_path_id(indexed) -> None:
    seeds, index_dir = indexed
    write_article(seeds / "the_thao", "2024", "Việt Nam thắng Thái Lan", FOOTBALL)
    write_article(seeds / ".nhap", "an", "Bản nháp bóng đá", FOOTBALL)  # hidden: left out
    report = update_index(seeds, index_dir)
    assert report.added == ["the_thao/2024"]
    assert ids(search('"bong da"', index_dir)) == ["the_thao/2024"]


def test_changed_file_is_reindexed(indexed) -> None:
    seeds, index_dir = indexed
    path = write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    update_index(seeds, index_dir)
    assert ids(search('"bong da"', index_dir)) == ["the_thao"]

    write_article(seeds, "the_thao", "Thùy Linh vào chung kết", BADMINTON)
    bump_mtime(path)
    report = update_index(seeds, index_dir)
    assert report.updated == ["the_thao"]
    assert report.added == [] and report.removed == []
    assert len(report.unchanged) == 5

    assert ids(search("cau long", index_dir)) == ["the_thao"]
    assert ids(search("chung kết", index_dir)) == ["the_thao"]
    old = search("bóng đá Mỹ Đình", index_dir)
    assert "the_thao" not in ids(old)
    with Searcher(index_dir) as searcher:
        assert searcher.article("the_thao").title == "Thùy Linh vào chung kết"
        assert searcher.stats().articles == 6


def test_edited_seed_is_reindexed(indexed) -> None:
    seeds, index_dir = indexed
    path = seeds / f"{SEED_IDS['000']}.txt"
    text = path.read_text(encoding="utf-8").replace("toàn quân", "toàn đơn vị")
    path.write_text(text, encoding="utf-8")
    bump_mtime(path)
    report = update_index(seeds, index_dir)
    assert report.updated == [SEED_IDS["000"]]
    assert len(report.unchanged) == 4
    # "quân" still occurs elsewhere in 000 (Quân đội, đóng quân), but no longer "toàn quân"
    assert SEED_IDS["000"] not in ids(search('"toàn quân"', index_dir))
    assert ids(search('"toàn đơn vị"', index_dir)) == [SEED_IDS["000"]]


def test_deleted_file_is_removed(indexed) -> None:
    seeds, index_dir = indexed
    gone = SEED_IDS["002"]
    assert gone in ids(search('title:"trẻ em"', index_dir))
    (seeds / f"{gone}.txt").unlink()
    report = update_index(seeds, index_dir)
    assert report.removed == [gone]
    assert len(report.unchanged) == 4
    assert report.added == [] and report.updated == []
    assert gone not in ids(search('title:"trẻ em"', index_dir))
    assert gone not in ids(search("tre em", index_dir, limit=10))
    with Searcher(index_dir) as searcher:
        assert searcher.stats().articles == 4
        with pytest.raises(KeyError):
            searcher.article(gone)


def test_touched_file_counts_as_unchanged(indexed) -> None:
    seeds, index_dir = indexed
    bump_mtime(seeds / f"{SEED_IDS['001']}.txt")
    report = update_index(seeds, index_dir)
    assert len(report.unchanged) == 5
    assert report.updated == [] and not report.changed
    # and again: still nothing to do
    assert len(update_index(seeds, index_dir).unchanged) == 5


def test_empty_seeds_folder_gives_empty_index(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    report = update_index(tmp_path / "seeds", tmp_path / "index")
    assert report.created and report.added == [] and report.skipped == []
    result = search("dân số", tmp_path / "index")
    assert result.total == 0 and result.hits == []
    with Searcher(tmp_path / "index") as searcher:
        assert searcher.stats().articles == 0


def test_article_emptied_after_indexing_is_no_longer_found(indexed) -> None:
    seeds, index_dir = indexed
    path = write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    update_index(seeds, index_dir)
    path.write_bytes(b"")
    bump_mtime(path)
    report = update_index(seeds, index_dir)
    assert [s.path for s in report.skipped] == [str(path)]
    assert "the_thao" not in ids(search('"bong da"', index_dir))


# --- rebuild ------------------------------------------------------------------------------


def test_rebuild_gives_same_results(indexed) -> None:
    seeds, index_dir = indexed
    before = snapshot(index_dir)
    old = storage.read_pointer(index_dir).name
    report = update_index(seeds, index_dir, rebuild=True)
    assert report.rebuilt and not report.created
    assert sorted(report.added) == sorted(SEED_IDS.values())
    assert len(report.unchanged) == 0
    assert storage.read_pointer(index_dir).name != old
    assert snapshot(index_dir) == before
    # an update after the rebuild has nothing to do
    assert len(update_index(seeds, index_dir).unchanged) == 5


def test_old_generation_stays_until_the_next_run(indexed) -> None:
    # a search that opened it just before the switch may still be reading it
    seeds, index_dir = indexed
    old = storage.read_pointer(index_dir).name
    update_index(seeds, index_dir, rebuild=True)
    current = storage.read_pointer(index_dir).name
    assert generations(index_dir) == {old, current}
    update_index(seeds, index_dir)
    assert generations(index_dir) == {current}
    assert sorted(os.listdir(index_dir)) == sorted(["CURRENT.json", "LOCK", current])
    assert storage.read_state(index_dir).generations == (current,)


def test_second_rebuild_cleans_up_the_first_generation(indexed) -> None:
    seeds, index_dir = indexed
    first = storage.read_pointer(index_dir).name
    update_index(seeds, index_dir, rebuild=True)
    update_index(seeds, index_dir, rebuild=True)
    assert first not in generations(index_dir)
    assert storage.read_pointer(index_dir).name in generations(index_dir)


@pytest.mark.parametrize(
    ("module", "target"),
    [(vnsearch.schema, "document"), (vnsearch.indexing, "read_article")],
    ids=["document", "read_article"],
)
def test_failed_rebuild_keeps_previous_index(indexed, monkeypatch, module, target: str) -> None:
    seeds, index_dir = indexed
    before = snapshot(index_dir)
    pointer = (index_dir / "CURRENT.json").read_text()
    real = getattr(module, target)
    calls = 0

    def flaky(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls > 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, target, flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        update_index(seeds, index_dir, rebuild=True)
    monkeypatch.undo()

    assert (index_dir / "CURRENT.json").read_text() == pointer
    assert snapshot(index_dir) == before
    # nothing is left locked: updates and rebuilds work again
    assert len(update_index(seeds, index_dir).unchanged) == 5
    assert update_index(seeds, index_dir, rebuild=True).rebuilt
    assert snapshot(index_dir) == before


def test_failed_first_build_leaves_no_index(seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(vnsearch.schema, "document", broken)
    with pytest.raises(RuntimeError):
        update_index(seeds_dir, tmp_path / "index")
    monkeypatch.undo()
    with pytest.raises(IndexNotFoundError):
        Searcher(tmp_path / "index")
    assert update_index(seeds_dir, tmp_path / "index").created


# --- odd files ----------------------------------------------------------------------------


def test_binary_and_empty_files_are_skipped(seeds_dir: Path, tmp_path: Path) -> None:
    binary = seeds_dir / "anh.txt"
    binary.write_bytes(b"\x00\x01PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = seeds_dir / "rong.txt"
    empty.write_bytes(b"")
    blank = seeds_dir / "trang.txt"
    blank.write_text(" \n\n\t\n", encoding="utf-8")
    latin = seeds_dir / "latin1.txt"
    latin.write_bytes("Việt Nam".encode("utf-8")[:2] + b"\xe9t \xff\xfe\xfd")

    report = update_index(seeds_dir, tmp_path / "index")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"anh.txt", "rong.txt", "trang.txt", "latin1.txt"}
    assert all(reason.strip() for reason in reasons.values())
    assert "binary" in reasons["anh.txt"]
    assert "empty" in reasons["rong.txt"]
    assert sorted(report.added) == sorted(SEED_IDS.values())
    with Searcher(tmp_path / "index") as searcher:
        assert searcher.stats().articles == 5

    # skipped files are looked at again, and skipped again, on the next run
    again = update_index(seeds_dir, tmp_path / "index")
    assert len(again.unchanged) == 5 and not again.changed
    assert len(again.skipped) == 4


def test_skipped_file_fixed_later_is_added(indexed) -> None:
    seeds, index_dir = indexed
    path = seeds / "the_thao.txt"
    path.write_bytes(b"")
    assert len(update_index(seeds, index_dir).skipped) == 1
    write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    report = update_index(seeds, index_dir)
    assert report.added == ["the_thao"] and report.skipped == []
    assert ids(search('"bong da"', index_dir)) == ["the_thao"]


def test_utf16_with_bom_and_crlf_is_indexed(seeds_dir: Path, tmp_path: Path) -> None:
    text = "Việt Nam thắng Thái Lan\n\n" + FOOTBALL + "\n\nMinh Anh\n"
    data = codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")
    (seeds_dir / "windows.txt").write_bytes(data)
    report = update_index(seeds_dir, tmp_path / "index")
    assert "windows" in report.added and report.skipped == []
    assert ids(search('"bong da"', tmp_path / "index")) == ["windows"]
    assert ids(search('"cổ động viên"', tmp_path / "index")) == ["windows"]
    with Searcher(tmp_path / "index") as searcher:
        article = searcher.article("windows")
    assert article.title == "Việt Nam thắng Thái Lan"
    assert article.author == "Minh Anh"
    assert "\r" not in article.body and "\ufeff" not in article.title


# --- errors -------------------------------------------------------------------------------


def test_missing_seeds_folder(tmp_path: Path) -> None:
    with pytest.raises(SeedsNotFoundError, match="nope"):
        update_index(tmp_path / "nope", tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_seeds_path_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "seeds.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SeedsNotFoundError):
        update_index(tmp_path / "seeds.txt", tmp_path / "index")


def test_search_without_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no index in"):
        search("dân số", tmp_path / "index")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFoundError):
        Searcher(tmp_path / "empty")


def _set_schema(index_dir: Path, schema) -> None:
    pointer = json.loads((index_dir / "CURRENT.json").read_text(encoding="utf-8"))
    pointer["schema"] = schema
    (index_dir / "CURRENT.json").write_text(json.dumps(pointer), encoding="utf-8")


def test_index_of_another_version(index_copy: Path, pristine_seeds: Path) -> None:
    _set_schema(index_copy, 999)
    with pytest.raises(IndexVersionError, match="another version of vnsearch") as info:
        Searcher(index_copy)
    assert "\n" not in str(info.value)
    with pytest.raises(IndexVersionError, match="another version of vnsearch"):
        update_index(pristine_seeds, index_copy)


def test_unreadable_pointer(index_copy: Path) -> None:
    (index_copy / "CURRENT.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexVersionError, match="unreadable"):
        search("dân số", index_copy)


def test_damaged_generation_can_be_rebuilt(index_copy: Path, pristine_seeds: Path) -> None:
    for toc in index_copy.rglob("_*.toc"):
        toc.unlink()
    with pytest.raises(IndexDamagedError, match="damaged"):
        search("dân số", index_copy)
    assert update_index(pristine_seeds, index_copy, rebuild=True).rebuilt
    assert search("dan so", index_copy).total == 5


@pytest.mark.parametrize("damage", ["schema 999", "garbage"])
def test_rebuild_repairs_incompatible_index(index_copy: Path, pristine_seeds: Path, damage) -> None:
    if damage == "garbage":
        (index_copy / "CURRENT.json").write_text("{not json", encoding="utf-8")
    else:
        _set_schema(index_copy, 999)
    report = update_index(pristine_seeds, index_copy, rebuild=True)
    assert len(report.added) == 5
    assert search("dan so", index_copy).total == 5


# --- locking ------------------------------------------------------------------------------


def test_second_writer_is_refused(indexed, monkeypatch) -> None:
    seeds, index_dir = indexed
    monkeypatch.setattr(storage, "LOCK_WAIT", 0.3)
    write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    writer = storage.open_index(index_dir).writer()
    try:
        with pytest.raises(IndexLockedError) as info:
            update_index(seeds, index_dir)
        assert "\n" not in str(info.value)
        with pytest.raises(IndexLockedError):
            update_index(seeds, index_dir, rebuild=True)
        # searching is not blocked by a writer
        assert search("dan so", index_dir).total == 5
    finally:
        writer.cancel()
    report = update_index(seeds, index_dir)
    assert report.added == ["the_thao"]
    assert ids(search('"bong da"', index_dir)) == ["the_thao"]


def postings(index_dir: Path) -> dict:
    """Every title and body term of an index, with the articles and positions it occurs at."""
    index = storage.open_index(index_dir)
    with index.searcher() as searcher:
        reader = searcher.reader()
        ids = {n: f["id"] for n, f in enumerate(reader.all_stored_fields())}
        out = {}
        for fieldname, term in reader.all_terms():
            if fieldname in ("title", "body"):
                m = reader.postings(fieldname, term)
                out[fieldname, term] = sorted(
                    (ids[n], tuple(p)) for n, p in m.items_as("positions")
                )
        return out


@pytest.mark.slow
def test_worker_processes_index_exactly_what_one_process_does(
    seeds_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    write_article(seeds_dir / "the-thao", "bong-da", "Bóng đá Việt Nam", "Đội tuyển thắng 2-0.")
    (seeds_dir / "rong.txt").write_text("   \n", encoding="utf-8")
    serial = update_index(seeds_dir, tmp_path / "serial", jobs=1)
    monkeypatch.setattr(vnsearch.indexing, "PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(vnsearch.workers, "BATCH_SIZE", 2)
    parallel = update_index(seeds_dir, tmp_path / "parallel", jobs=2)
    assert parallel.added == serial.added and len(serial.added) == 6
    assert parallel.skipped == serial.skipped and len(serial.skipped) == 1
    assert postings(tmp_path / "parallel") == postings(tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_a_run_with_nothing_changed_reads_no_file(indexed, monkeypatch) -> None:
    seeds_dir, index_dir = indexed

    def unexpected(*args, **kwargs):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(vnsearch.indexing, "read_article", unexpected)
    report = update_index(seeds_dir, index_dir)
    assert len(report.unchanged) == len(SEED_IDS) and not report.changed


def test_update_of_a_parallel_build_keeps_every_article(seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(vnsearch.indexing, "PARALLEL_MIN_FILES", 0)
    update_index(seeds_dir, tmp_path / "index", jobs=2)  # one segment per process
    write_article(seeds_dir, "moi", "Bài mới về dân số", "Dân số Hà Nội tăng.")
    (seeds_dir / f"{SEED_IDS['001']}.txt").unlink()
    report = update_index(seeds_dir, tmp_path / "index", jobs=2)
    assert report.added == ["moi"] and report.removed == [SEED_IDS["001"]]
    assert len(report.unchanged) == len(SEED_IDS) - 1
    with Searcher(tmp_path / "index") as searcher:
        assert searcher.stats().articles == len(SEED_IDS)
        assert "moi" in ids(searcher.search("dan so", limit=20))


def test_second_writer_waits_for_a_lock_released_soon(indexed) -> None:
    import threading

    seeds, index_dir = indexed
    write_article(seeds, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    writer = storage.open_index(index_dir).writer()
    threading.Timer(0.5, writer.cancel).start()  # like a killed build's workers exiting
    report = update_index(seeds, index_dir)
    assert report.added == ["the_thao"]
