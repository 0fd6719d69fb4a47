"""The index fields, and an Article to stored fields and back (vnsearch.schema)."""

from __future__ import annotations

import datetime as dt
import os

from vnsearch.articles import Article
from vnsearch.schema import QUERY_FIELDS, SEARCH_FIELDS, VERBATIM_FIELDS, article_fields, document, make_schema

ARTICLE = Article(
    id="the-thao/bong-da",
    path="seeds/the-thao/bong-da.txt",
    title="Bóng đá Quảng Ninh",
    date=dt.date(2024, 6, 20),
    author="Trần Lộc",
    url="https://baocaobang.vn/bong-da",
    site="baocaobang.vn",
    category="the-thao",
    body="Đội bóng đá Quảng Ninh thắng trận.",
    sha256="ab" * 32,
)


def test_field_lists_come_from_the_schema() -> None:
    schema = make_schema()
    assert QUERY_FIELDS[: len(SEARCH_FIELDS)] == SEARCH_FIELDS
    assert set(QUERY_FIELDS) == {"title", "body", "author", "date", "site", "url", "id", "category", "source"}
    assert all(schema[name].indexed for name in QUERY_FIELDS)
    assert set(VERBATIM_FIELDS) == set(QUERY_FIELDS) - set(SEARCH_FIELDS)


def test_document_and_back() -> None:
    stored = document(ARTICLE)
    assert stored["date"] == dt.datetime(2024, 6, 20)
    assert stored["day"] == dt.date(2024, 6, 20).toordinal()
    assert "size" not in stored
    fields = article_fields(stored)
    assert Article(**fields, body=stored["body"], sha256=stored["sha256"]) == ARTICLE


def test_document_of_a_bare_article_from_a_file() -> None:
    bare = Article(id="a", path="a\udcff.txt", title="Dân số", date=None, author=None, url=None,
                   site=None, category=None, body="Dân số tăng.", sha256="0" * 64)  # fmt: skip
    stat = os.stat(__file__)
    stored = document(bare, stat)
    assert stored["path"] == "a\\xff.txt"  # a file name's undecodable byte, escaped
    assert (stored["day"], stored["size"], stored["mtime"]) == (0, stat.st_size, stat.st_mtime_ns)
    assert not {"date", "author", "url", "site", "category"} & stored.keys()
    assert article_fields(stored)["date"] is None
