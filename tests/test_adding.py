"""Articles added and deleted by id (``vnsearch add``, ``delete``; ``add_articles``, ``delete_articles``)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEED_IDS, indexed_ids, write_article
from vnsearch import (
    Article,
    ArticleSourceError,
    BadRecordsError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    Searcher,
    add_articles,
    add_jsonl,
    delete_articles,
    export_articles,
    update_index,
)
from vnsearch import schema, storage
from vnsearch.jsonl import article as record_article
from vnsearch.cli import main

BAN_GHE = {
    "id": "vnx-2024-118",
    "title": "Trường Tiểu học Kim Đồng nhận 200 bộ bàn ghế mới",
    "body": "Sáng 20/6, nhà trường đã nhận bàn ghế mới cho học sinh lớp một.\n\nPhụ huynh rất vui mừng.",
    "date": "2024-06-20",
    "author": "Minh Châu",
    "url": "https://www.baocaobang.vn/ban-ghe-118",
    "category": "giao-duc",
}
BONG_DA = {"id": 4512, "body": "Đội tuyển bóng đá Việt Nam thắng 2-0 trên sân Mỹ Đình tối qua."}


def jsonl(*records: object) -> bytes:
    """Records as JSON Lines (a str is a line as it is)."""
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records).encode()


def ids_of(index: Path, query: str) -> list[str]:
    with Searcher(index) as searcher:
        return [hit.id for hit in searcher.search(query, limit=100).hits]


@pytest.fixture
def index(built_index: Path, tmp_path: Path) -> Path:
    """A copy of the seeds' index, to change; its seeds are ``tmp_path / "seeds"``."""
    shutil.copytree(built_index, tmp_path / "index")
    shutil.copytree(built_index.parent / "seeds", tmp_path / "seeds")
    return tmp_path / "index"


def test_added_articles_are_found_with_their_metadata_and_source(index: Path) -> None:
    report = add_jsonl(index, io.BytesIO(jsonl(BAN_GHE, BONG_DA)))
    assert (report.added, report.updated, report.bad, report.created) == (["vnx-2024-118", "4512"], [], [], False)
    with Searcher(index) as searcher:
        hit = searcher.search("ban ghe moi").hits[0]
        assert (hit.id, hit.source, hit.path, hit.site, hit.category, str(hit.date), hit.author) == (
            "vnx-2024-118", "json", "", "baocaobang.vn", "giao-duc", "2024-06-20", "Minh Châu",
        )  # fmt: skip
        assert "bàn ghế" in hit.snippet and hit.highlights
        assert searcher.search("bóng đá").hits[0].id == "4512"  # an integer id is its digits
        assert searcher.search("dân số").hits[0].source == "file"
        assert searcher.stats().sources == {"file": len(SEED_IDS), "json": 2}
        assert searcher.article("4512").title == ""


def test_add_makes_a_missing_index(tmp_path: Path) -> None:
    report = add_articles(tmp_path / "new", [BAN_GHE])
    assert report.created and report.added == ["vnx-2024-118"]
    assert ids_of(tmp_path / "new", "bàn ghế") == ["vnx-2024-118"]


def test_add_takes_articles_and_dicts(index: Path) -> None:
    article = Article(id="a-1", path="ignored.txt", title="Bàn ghế", date=None, author=None, url=None,
                      site=None, body="Trường học nhận bàn ghế.", sha256="ignored")  # fmt: skip
    add_articles(index, [article, {"id": "a-2", "body": "Bàn ghế cho trường làng."}])
    with Searcher(index) as searcher:
        stored = searcher.article("a-1")
        assert (stored.source, stored.path, stored.body) == ("json", "", "Trường học nhận bàn ghế.")
    assert set(ids_of(index, "bàn ghế")) >= {"a-1", "a-2"}


def test_upsert_replaces_the_text(index: Path) -> None:
    add_articles(index, [BAN_GHE])
    report = add_articles(index, [{**BAN_GHE, "title": "Máy tính mới", "body": "Trường nhận máy tính cho phòng tin học."}])
    assert report.updated == ["vnx-2024-118"] and not report.added
    assert "vnx-2024-118" not in ids_of(index, "bàn ghế")
    assert ids_of(index, "máy tính")[0] == "vnx-2024-118"
    with Searcher(index) as searcher:
        assert searcher.stats().sources["json"] == 1


def test_the_same_record_again_changes_nothing(index: Path) -> None:
    add_articles(index, [BAN_GHE])
    with Searcher(index) as searcher:
        updated = searcher.stats().updated
    report = add_articles(index, [BAN_GHE])
    assert report.unchanged == ["vnx-2024-118"] and not report.changed
    with Searcher(index) as searcher:
        assert searcher.stats().updated == updated  # no commit


def test_delete_then_search(index: Path) -> None:
    add_articles(index, [BAN_GHE, BONG_DA])
    report = delete_articles(index, ["vnx-2024-118", "no-such-id"])
    assert (report.deleted, report.missing) == (["vnx-2024-118"], ["no-such-id"])
    assert "vnx-2024-118" not in ids_of(index, "bàn ghế") + ids_of(index, "id:vnx-2024-118")
    assert ids_of(index, "bóng đá") == ["4512"]


def test_an_article_from_a_file_is_not_deleted_by_id(index: Path) -> None:
    add_articles(index, [BAN_GHE])
    with pytest.raises(ArticleSourceError, match="delete the file"):
        delete_articles(index, ["vnx-2024-118", SEED_IDS["000"]])
    assert "vnx-2024-118" in indexed_ids(index)  # nothing deleted


def test_delete_needs_an_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        delete_articles(tmp_path / "none", ["a"])


def test_a_folder_update_leaves_added_articles_alone(index: Path) -> None:
    seeds = index.parent / "seeds"
    add_articles(index, [BAN_GHE])
    (seeds / f"{SEED_IDS['001']}.txt").unlink()
    write_article(seeds, "moi", "Bàn ghế cũ", "Trường bán bàn ghế cũ.")
    report = update_index(seeds, index)
    assert report.removed == [SEED_IDS["001"]] and report.added == ["moi"]
    assert {"vnx-2024-118", "moi"} <= indexed_ids(index)
    rebuilt = update_index(seeds, index, rebuild=True)  # a new generation carries them over
    assert "vnx-2024-118" not in rebuilt.added
    assert set(ids_of(index, "bàn ghế")) == {"vnx-2024-118", "moi"}
    with Searcher(index) as searcher:
        assert searcher.article("vnx-2024-118").source == "json"


def test_one_id_one_source(index: Path) -> None:
    seeds = index.parent / "seeds"
    with pytest.raises(BadRecordsError, match=f"id '{SEED_IDS['000']}' is that of the article of the file"):
        add_articles(index, [{"id": SEED_IDS["000"], "body": "Bàn ghế."}])
    add_articles(index, [BAN_GHE])
    write_article(seeds, "vnx-2024-118", "Bàn ghế", "Một tệp có cùng id.")
    for report in (update_index(seeds, index), update_index(seeds, index, rebuild=True)):
        assert [s.reason for s in report.skipped] == [
            "its id is that of an article added as JSON (rename the file, or delete that article)"
        ]
        with Searcher(index) as searcher:
            assert searcher.article("vnx-2024-118").body == BAN_GHE["body"]


#: Bad lines, each with what its error says.
BAD_LINES = {
    '{"id": "a", "body": "x"': "not valid JSON",
    '["id", "body"]': "not a JSON object but a list",
    '{"body": "Dân số."}': "no 'id'",
    '{"id": "a", "title": "Dân số"}': "no 'body'",
    '{"id": "a", "body": "  "}': "'body' is empty, and there is no 'title'",
    '{"id": "a", "body": "Dân số.", "date": "hôm qua"}': "bad 'date'",
    '{"id": "a", "body": "Dân số.", "date": "31/2/2024"}': "not a day of the calendar",
    '{"id": "a", "body": "Dân số.", "date": "ngày 11/1"}': "has no year",
    '{"id": "a", "body": "Dân số.", "date": 2024}': "'date' must be a string or null, not a number",
    json.dumps({"id": "a" * 513, "body": "Dân số."}): "'id' is too long (513 characters",
    '{"id": "a\\nb", "body": "Dân số."}': "'id' has a control character (\\n)",
    '{"id": "a\\u0007", "body": "Dân số."}': "control character (\\x07)",
    '{"id": "", "body": "Dân số."}': "'id' is empty",
    '{"id": "a ", "body": "Dân số."}': "'id' starts or ends with a space",
    '{"id": "a", "body": "Dân số.", "date": "11111111"}': "is not a date",
    '{"id": "a", "body": "Dân số.", "date": "2024-02-30"}': "not a day of the calendar",
    '{"id": true, "body": "Dân số."}': "'id' must be a string, not true or false",
    '{"id": "a", "body": "Dân số.", "tags": ["x"]}': "unknown key 'tags'",
    '{"id": "a", "body": ["Dân số."]}': "'body' must be a string or null, not a list",
    '{"id": "a", "body": "D\\u0000"}': "NUL",
    '{"id": "a", "body": "\\ud800"}': "not valid JSON",
}


@pytest.mark.parametrize("line", BAD_LINES)
def test_each_bad_line_is_named_by_number_and_nothing_is_added(index: Path, line: str) -> None:
    with pytest.raises(BadRecordsError) as raised:
        add_jsonl(index, io.BytesIO(jsonl(BAN_GHE, "", line, BONG_DA)))
    [bad] = raised.value.bad
    assert bad.number == 3 and BAD_LINES[line] in bad.reason, bad.reason
    assert str(raised.value).startswith(f"line 3: {bad.reason}") and "nothing was added" in str(raised.value)
    assert not {"vnx-2024-118", "4512"} & indexed_ids(index)


def test_bytes_that_are_not_utf8_are_a_bad_line(index: Path) -> None:
    with pytest.raises(BadRecordsError, match=r"line 2: not UTF-8 text \(byte 22"):
        add_jsonl(index, io.BytesIO(jsonl(BAN_GHE) + b'{"id": "a", "body": "\xff"}\n'))


def test_a_repeated_id_is_a_bad_line(index: Path) -> None:
    with pytest.raises(BadRecordsError, match="line 2: id 'vnx-2024-118' is also that of line 1"):
        add_jsonl(index, io.BytesIO(jsonl(BAN_GHE, {**BAN_GHE, "body": "Khác."})))


def test_skip_bad_adds_the_good_lines(index: Path) -> None:
    report = add_jsonl(index, io.BytesIO(jsonl(BAN_GHE, '{"id": 1}', "nope", BONG_DA)), skip_bad=True)
    assert report.added == ["vnx-2024-118", "4512"]
    assert [(b.number, b.reason.split(" (")[0]) for b in report.bad] == [(2, "no 'body'"), (3, "not valid JSON")]
    assert {"vnx-2024-118", "4512"} <= indexed_ids(index)


def test_ignore_unknown(index: Path) -> None:
    report = add_articles(index, [{**BAN_GHE, "tags": ["giáo dục"], "views": 12}], ignore_unknown=True)
    assert report.added == ["vnx-2024-118"]


def test_dates_in_the_forms_articles_write_them(index: Path) -> None:
    dates = {"2024-06-20": "2024-06-20", "2024-06-20T08:30:00+07:00": "2024-06-20",
             "20/6/2024": "2024-06-20", "20 tháng 6 năm 2024": "2024-06-20", "13.01.2022": "2022-01-13", "": None}  # fmt: skip
    add_articles(index, [{"id": f"d{n}", "body": "Dân số.", "date": d} for n, d in enumerate(dates)])
    with Searcher(index) as searcher:
        assert [searcher.article(f"d{n}").date for n in range(len(dates))] == [
            None if d is None else __import__("datetime").date.fromisoformat(d) for d in dates.values()
        ]


def test_texts_are_normalised(index: Path) -> None:
    decomposed = "Kha\u0301nh Ho\u0300a"  # NFD, as some exports write it
    add_articles(index, [{"id": "n", "title": decomposed, "body": "Tin từ Khánh Hòa.\r\nHết.", "site": "WWW.X.VN"}])
    with Searcher(index) as searcher:
        article = searcher.article("n")
    assert (article.title, article.body, article.site) == ("Khánh Hòa", "Tin từ Khánh Hòa.\nHết.", "www.x.vn")


def test_export_then_add_gives_the_same_search_results(index: Path, tmp_path: Path) -> None:
    seeds = index.parent / "seeds"
    write_article(seeds, "the-thao/chi-tieu-de", "Bóng đá: Việt Nam thắng Thái Lan", "")  # a title, no body
    update_index(seeds, index)
    built_index = index
    export = tmp_path / "all.jsonl"
    export.write_bytes(jsonl(*export_articles(built_index)))
    copy = tmp_path / "copy"
    report = add_jsonl(copy, export)
    assert report.created and sorted(report.added) == sorted([*SEED_IDS.values(), "the-thao/chi-tieu-de"])
    assert list(export_articles(copy)) == list(export_articles(built_index))
    for query in ["dân số", "dan so", "kế hoạch hóa gia đình", "tre em", "Hà Nội", "title:hội nghị", "bong da"]:
        with Searcher(built_index) as before, Searcher(copy) as after:
            a, b = before.search(query, facets=True), after.search(query, facets=True)
        assert a.total == b.total and a.facets == b.facets
        assert [(h.id, h.title, h.snippet, h.highlights, round(h.score, 6)) for h in a.hits] == [
            (h.id, h.title, h.snippet, h.highlights, round(h.score, 6)) for h in b.hits
        ]


# -- the command ---------------------------------------------------------------


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_the_command_adds_from_a_file_and_from_stdin(index: Path, tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_bytes(jsonl(BAN_GHE))
    result = run("add", str(path), "--index", str(index))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Updated '{index}' from '{path}': 1 added, 0 updated, 0 unchanged, 0 bad lines skipped\n"
    result = run("add", "-", "--index", str(index), input=jsonl(BONG_DA, {**BAN_GHE, "title": "Bàn ghế"}))
    assert result.exit_code == 0, result.output
    assert "from 'stdin': 1 added, 1 updated, 0 unchanged" in result.stdout


def test_the_command_names_each_bad_line(index: Path) -> None:
    result = run("add", "-", "--index", str(index), input=jsonl(BAN_GHE, '{"id": "x"}'))
    assert result.exit_code == 2 and result.stderr == (
        "vnsearch: stdin:2: no 'body' (each article needs id and body): "
        "nothing was added (fix the line, or give --skip-bad)\n"
    )
    result = run("add", "-", "--index", str(index), input=jsonl("{", BAN_GHE, "[]"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "vnsearch: stdin:1: not valid JSON (unexpected end of data at column 1)",
        "vnsearch: stdin:3: not a JSON object but a list",
        "vnsearch: 2 bad lines in 'stdin': nothing was added (fix them, or give --skip-bad to add the others)",
    ]
    result = run("add", "-", "--skip-bad", "--index", str(index), input=jsonl("{", BAN_GHE, "[]"))
    assert result.exit_code == 0 and "1 added, 0 updated, 0 unchanged, 2 bad lines skipped" in result.stdout
    assert result.stderr.count("vnsearch: stdin:") == 2


def test_the_command_refuses_a_missing_file(index: Path, tmp_path: Path) -> None:
    result = run("add", str(tmp_path / "none.jsonl"), "--index", str(index))
    assert result.exit_code == 2 and "does not exist" in result.stderr and result.stderr.count("\n") == 1


def test_delete_command(index: Path) -> None:
    add_articles(index, [BAN_GHE, BONG_DA])
    result = run("delete", "vnx-2024-118", "--index", str(index))
    assert (result.exit_code, result.stdout) == (0, f"Deleted 1 article from '{index}'\n")
    result = run("delete", "-", "nothing", "--index", str(index), input=b"4512\n\n")
    assert result.exit_code == 1 and result.stdout == f"Deleted 1 article from '{index}'; 1 not found\n"
    assert result.stderr == "vnsearch: no article 'nothing' in the index: nothing to delete\n"
    result = run("delete", SEED_IDS["000"], "--index", str(index))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "delete the file" in result.stderr
    assert ids_of(index, "bóng đá") == []


def test_stats_show_and_json_hits_show_the_source(index: Path) -> None:
    add_articles(index, [BAN_GHE])
    assert f"articles:     {len(SEED_IDS) + 1} ({len(SEED_IDS)} from files, 1 added as JSON)" in run(
        "stats", "--index", str(index)
    ).stdout
    assert json.loads(run("stats", "--json", "--index", str(index)).stdout)["sources"] == {"file": 5, "json": 1}
    assert " source: added as JSON" in run("show", "vnx-2024-118", "--index", str(index)).stdout
    assert json.loads(run("show", "vnx-2024-118", "--json", "--index", str(index)).stdout)["source"] == "json"
    hits = json.loads(run("search", "bàn ghế", "--json", "--index", str(index)).stdout)["hits"]
    assert {h["id"]: h["source"] for h in hits}["vnx-2024-118"] == "json"
    assert run("search", "source:json", "--jsonl", "--index", str(index)).stdout.count("\n") == 1


def test_a_seeded_random_module_cannot_make_two_segments_share_a_name(index: Path) -> None:
    """Whoosh names segments with ``random``: a program seeding it before each add must not overwrite a segment."""
    import random

    for n in range(3):
        random.seed(0)
        add_articles(index, [{"id": f"r{n}", "body": f"Bản tin số {n} về bàn ghế."}])
    assert {"r0", "r1", "r2"} <= indexed_ids(index)


def test_export_one_source(index: Path) -> None:
    add_articles(index, [BAN_GHE])
    assert [r["id"] for r in export_articles(index, source="json")] == ["vnx-2024-118"]
    assert sorted(r["id"] for r in export_articles(index, source="file")) == sorted(SEED_IDS.values())
    lines = run("export", "--source", "json", "--index", str(index)).stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["vnx-2024-118"]
    with pytest.raises(ValueError):
        list(export_articles(index, source="web"))


def test_a_huge_number_is_no_id(index: Path) -> None:
    with pytest.raises(BadRecordsError, match="'id' is too long"):
        add_articles(index, [{"id": 10**600, "body": "Dân số."}])


def test_delete_takes_one_id_as_a_string(index: Path) -> None:
    add_articles(index, [{"id": "ab", "body": "Bàn ghế."}, {"id": "a", "body": "Bàn."}, {"id": "b", "body": "Ghế."}])
    assert delete_articles(index, "ab").deleted == ["ab"]
    assert {"a", "b"} <= indexed_ids(index)


def test_an_add_waiting_for_a_rebuild_goes_into_the_new_index(index: Path) -> None:
    """The rebuild holds the index until it switches: an add (or a delete) that waited must not go into the old one."""
    seeds = index.parent / "seeds"
    add_articles(index, [BONG_DA])
    started = threading.Event()

    def slowly(done: int, total: int) -> None:
        started.set()
        time.sleep(1.0 / total)  # about a second in all

    rebuild = threading.Thread(target=update_index, args=(seeds, index), kwargs={"rebuild": True, "progress": slowly})
    rebuild.start()
    started.wait(10)
    add_articles(index, [BAN_GHE])
    delete_articles(index, ["4512"])
    rebuild.join()
    ids = indexed_ids(index)
    assert "vnx-2024-118" in ids and "4512" not in ids


def test_two_adds_making_one_index_lose_nothing_they_report(tmp_path: Path) -> None:
    index, outcomes = tmp_path / "new", {}

    def add(n: int) -> None:
        try:
            outcomes[n] = add_articles(index, [{"id": f"a{n}-{k}", "body": f"Bản tin {k}."} for k in range(300)])
        except IndexLockedError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    added = {id for report in outcomes.values() if not isinstance(report, Exception) for id in report.added}
    assert added and added <= {record["id"] for record in export_articles(index)}
    for report in outcomes.values():
        assert not isinstance(report, Exception) or "changed the index" in str(report)


def test_a_rebuild_of_a_damaged_index_keeps_the_articles_added_as_json(index: Path) -> None:
    seeds = index.parent / "seeds"
    add_articles(index, [BAN_GHE, BONG_DA])
    generation = index / storage.read_pointer(index).name
    typo_table = next(generation.glob("*.typ"))
    typo_table.write_bytes(typo_table.read_bytes() + b"x")  # damaged: a file's size is not the one recorded
    with pytest.raises(IndexDamagedError):
        Searcher(index).search("dân số")
    report = update_index(seeds, index, rebuild=True)
    assert report.rebuilt and not report.skipped
    with Searcher(index) as searcher:
        assert searcher.stats().sources == {"file": len(SEED_IDS), "json": 2}


def test_a_cancelled_batching_writer_cancels(index: Path) -> None:
    writer = storage.open_index(index).writer(batched=True)
    writer.add_document(**schema.document(record_article(BAN_GHE)))
    writer.cancel()  # no error, nothing committed
    assert "vnx-2024-118" not in indexed_ids(index)


def test_no_stdin_is_one_line(index: Path) -> None:
    for args in (["add", "-"], ["delete", "-"]):
        done = subprocess.run([sys.executable, "-m", "vnsearch.cli", *args, "--index", str(index)],
                              capture_output=True, text=True, preexec_fn=lambda: os.close(0))  # fmt: skip
        assert done.returncode == 2 and done.stderr.startswith("vnsearch: no standard input"), done.stderr
    done = subprocess.run([sys.executable, "-m", "vnsearch.cli", "delete", "-", "--index", str(index)],
                          input=b"\xff\n", capture_output=True)  # fmt: skip
    assert done.returncode == 2 and done.stderr == b"vnsearch: the ids on stdin are not UTF-8 text\n"


def test_an_article_without_a_title_shows_its_id(index: Path) -> None:
    add_articles(index, [BONG_DA])
    assert run("show", "4512", "--index", str(index)).stdout.startswith("4512\n")
    assert " 1. 4512\n" in run("search", "bóng đá Mỹ Đình", "--index", str(index)).stdout
