"""Articles as JSON Lines: export (``vnsearch export``, ``export_articles``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from conftest import SEED_IDS
from vnsearch import Searcher, export_articles, update_index
from vnsearch.cli import main
from vnsearch.jsonl import FIELDS


def test_export_gives_every_article_as_a_record(built_index: Path) -> None:
    records = list(export_articles(built_index))
    assert sorted(r["id"] for r in records) == sorted(SEED_IDS.values())
    assert all(tuple(r) == FIELDS for r in records)
    with Searcher(built_index) as searcher:
        for r in records:
            article = searcher.article(r["id"])
            assert (r["title"], r["body"], r["author"], r["url"], r["site"]) == (
                article.title, article.body, article.author, article.url, article.site,
            )  # fmt: skip
            assert r["date"] == (article.date.isoformat() if article.date else None)
    first = next(r for r in records if r["id"] == "000_d72407d80385c662")
    assert first["date"] == "2024-01-11" and first["title"].startswith("Hội nghị trực tuyến tổng kết công tác dân số")


def test_export_leaves_out_deleted_articles(seeds_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    update_index(seeds_dir, index, jobs=1)
    os.remove(seeds_dir / "000_d72407d80385c662.txt")
    update_index(seeds_dir, index)
    assert sorted(r["id"] for r in export_articles(index)) == sorted(set(SEED_IDS.values()) - {"000_d72407d80385c662"})


def test_articles_go_on_while_the_same_searcher_searches(built_index: Path) -> None:
    with Searcher(built_index) as searcher:
        ids = []
        for article in searcher.articles():
            ids.append(article.id)
            assert searcher.search("dân số").total == 4
    assert sorted(ids) == sorted(SEED_IDS.values())


def test_the_command_prints_one_json_object_a_line(built_index: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--index", str(built_index)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == list(export_articles(built_index))
    assert "dân số" in result.stdout  # UTF-8, not \\u escapes


def test_the_command_without_an_index_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and result.stderr.startswith("vnsearch: no index")
