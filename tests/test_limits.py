"""Queries that could hold a core for long are refused or kept cheap; a damaged index says so."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import SEED_IDS
from vnsearch import IndexDamagedError, QueryError, Searcher, update_index
from vnsearch.accents import MAX_WORD_LETTERS
from vnsearch.queries import MAX_NESTING, MAX_QUERY_CHARS, MAX_SLOP, MAX_WILDCARDS

#: Generous: these take well under a second alone.  Measured in CPU time of
#: the searching thread (what holding a core means), not on the wall clock: the
#: machine is shared, and other test workers and their processes run beside it.
SECONDS = 3.0


def filled(words: str) -> str:
    """``words`` repeated up to the longest query allowed."""
    return (words * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS].strip()


WORST = {
    "one long word": "a" * MAX_QUERY_CHARS,
    "words just too long to suggest": filled("d" * (MAX_WORD_LETTERS + 1) + " "),
    "longest words suggested": filled("do" * (MAX_WORD_LETTERS // 2) + " "),
    "many short words": filled("a "),
    "many real words": filled("dân số kế hoạch hóa gia đình "),
    "many unaccented words": filled("dan so ke hoach hoa gia dinh "),
    "many typos": filled("nguoii succ khoee "),
    "many unknown accented words": filled("đđđđđ "),
    "long phrase": '"' + filled("dan so ")[: MAX_QUERY_CHARS - 5] + f'"~{MAX_SLOP}',
    "loosest phrase": f'"dan so ke hoach hoa gia dinh"~{MAX_SLOP}',
    "wildcards": " ".join(f"{c}*" for c in "abcdeghiklmnopqrstuvxy"[:MAX_WILDCARDS]),
    "infix wildcards and words": " ".join(f"*{c}*" for c in "acdeghnotu"[:MAX_WILDCARDS]) + filled(" dan so")[: MAX_QUERY_CHARS - 4 * MAX_WILDCARDS],
    "star alone": "*",
    "ranges": " ".join(f"body:[{c} TO {c}z]" for c in "abcdeghikl"[:MAX_WILDCARDS]),
    "deepest nesting": "(" * MAX_NESTING + "dân số" + ")" * MAX_NESTING,
    "many operators": filled("dân OR NOT số AND "),
    "question marks": filled("dân? "),
}


@pytest.fixture(scope="module")
def searcher(built_index: Path):
    with Searcher(built_index) as searcher:
        searcher.search("dân số")  # the first search loads numpy: not what is measured
        yield searcher


def timed(call, *args, **options) -> float:
    """The CPU seconds ``call`` takes in this thread (it searches in this thread)."""
    start = time.thread_time()
    try:
        call(*args, **options)
    except QueryError as exc:
        assert "\n" not in str(exc)
    return time.thread_time() - start


@pytest.mark.parametrize("query", WORST.values(), ids=WORST.keys())
def test_no_query_within_the_limits_takes_long(searcher: Searcher, query: str) -> None:
    assert len(query) <= MAX_QUERY_CHARS
    assert timed(searcher.search, query, facets=True) < SECONDS
    assert timed(searcher.search, query, any_terms=True) < SECONDS
    assert timed(searcher.suggest, query) < SECONDS


@pytest.mark.parametrize("ask", ["search", "suggest"])
def test_a_query_too_long_says_the_limit(searcher: Searcher, ask: str) -> None:
    with pytest.raises(QueryError, match=f"too long .*at most {MAX_QUERY_CHARS}") as error:
        getattr(searcher, ask)("dân số " * 1000)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 2000])
@pytest.mark.parametrize("ask", ["search", "suggest"])
def test_a_query_too_deeply_nested_says_so(searcher: Searcher, ask: str, depth: int) -> None:
    with pytest.raises(QueryError, match="too deeply nested"):
        getattr(searcher, ask)("(" * depth + "dân số" + ")" * depth)


def test_too_many_wildcards_say_so(searcher: Searcher) -> None:
    with pytest.raises(QueryError, match=f"too many wildcards .*at most {MAX_WILDCARDS}"):
        searcher.search(" ".join(f"{c}*" for c in "abcdeghiklmnopqrstuvxy"))
    assert searcher.search("dân* số*").total == searcher.search("dân* số* dân*").total


def test_a_phrase_too_loose_says_so(searcher: Searcher) -> None:
    with pytest.raises(QueryError, match=f"too loose .*at most ~{MAX_SLOP}"):
        searcher.search('"dân số"~999')
    assert searcher.search('"dân số"~2').total == searcher.search('"dân số"').total


def test_a_word_too_long_is_searched_but_not_suggested(searcher: Searcher) -> None:
    long_word = "dan" * 17  # 51 letters
    assert searcher.search(f"dan so {long_word}", any_terms=True).total > 0
    assert searcher.suggest(f"dan so {long_word}") == [f"dân số {long_word}"]


def test_star_alone_finds_every_article(searcher: Searcher) -> None:
    assert searcher.search("*").total == 5
    assert searcher.search("dân *").total == searcher.search("dân").total


def test_a_damaged_index_says_so_at_query_time(tmp_path: Path, built_index: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir)
    with Searcher(index_dir) as searcher:
        for path in index_dir.rglob("*.pst"):  # the postings of every word
            os.truncate(path, path.stat().st_size // 2)
        with pytest.raises(IndexDamagedError, match="damaged") as error:
            searcher.search("dân số")
        assert "\n" not in str(error.value) and str(index_dir) in str(error.value)
        update_index(built_index.parent / "seeds", index_dir, rebuild=True)
        assert searcher.search("dân số").total == 4


def test_a_damaged_article_store_says_so(tmp_path: Path, built_index: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir)
    for path in index_dir.rglob("*_stored.col"):
        os.truncate(path, path.stat().st_size // 2)
    for record in index_dir.rglob("FILES.json"):  # without it, damage shows only when read
        record.unlink()
    with Searcher(index_dir) as searcher:
        with pytest.raises(IndexDamagedError, match="damaged"):
            searcher.article(SEED_IDS["000"])
        with pytest.raises(IndexDamagedError, match="damaged"):
            searcher.search("dân số")
