"""Facets: the matches of a query counted by year, site and category.

Each test runs on the news articles made from the seeds (``news``: category
subfolders, nine years, seven sites) and, with the shared data, on 300 VNTC
articles (``vntc``: ten topic folders, no source lines).
"""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPORA, corpus_cases, write_article
from vnsearch import Searcher, parse_date, update_index
from vnsearch.searching import FACETS


@pytest.fixture(scope="module")
def corpus(corpus_index: Path):
    with Searcher(corpus_index) as searcher:
        yield searcher


def counted(result) -> dict[str, Counter]:
    return {facet: Counter({c.value: c.count for c in counts}) for facet, counts in result.facets.items()}


def by_hand(searcher: Searcher, query: str, **options) -> dict[str, Counter]:
    """The facets, counted from every hit of the query."""
    hits = searcher.search(query, limit=1_000_000, **options).hits
    return {
        "year": Counter(str(h.date.year) if h.date else None for h in hits),
        "site": Counter(h.site for h in hits),
        "category": Counter(h.category for h in hits),
    }


@pytest.mark.parametrize(
    "corpus_index, query, options",
    corpus_cases(
        news=[
            ("dân số", {}),
            ("dan so", {}),  # every accented form
            ('"kế hoạch hóa gia đình"', {}),  # a phrase: scored by Whoosh
            ("tre*", {}),  # a wildcard
            ("công tác", {"sort": "date"}),
            ("trẻ em", {"category": "tre-em"}),
            ("dân số", {"site": "baocaobang.vn"}),
            ("dân số", {"since": "2020-01-01"}),
            ("quân đội trẻ em dân số", {"any_terms": True}),
            ("dân số xyzzy", {}),  # relaxed to any of the words
        ],
        vntc=[
            ("dân số", {}),
            ("dan so", {}),
            ('"bóng đá"', {}),
            ("bóng*", {}),
            ("chính phủ", {"sort": "date"}),
            ("bóng đá", {"category": "The thao"}),
            ("bóng đá", {"since": "2005-01-01"}),
            ("việt nam bóng đá kinh tế", {"any_terms": True}),
            ("dân số xyzzy", {}),
        ],
    ),
    indirect=["corpus_index"],
)
def test_facets_count_every_match(corpus, query, options) -> None:
    if "since" in options:
        options = {**options, "since": parse_date(options["since"])}
    result = corpus.search(query, facets=True, **options)
    assert result.total > 0
    assert counted(result) == by_hand(corpus, query, **options)
    for facet in FACETS:
        assert sum(c.count for c in result.facets[facet]) == result.total


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_most_frequent_first_and_missing_values_last(corpus) -> None:
    facets = corpus.search("dân số", facets=True).facets
    assert list(facets) == list(FACETS)
    for counts in facets.values():
        known = [c.count for c in counts if c.value is not None]
        assert known == sorted(known, reverse=True)
        assert all(c.value is not None for c in counts[:-1])


@pytest.mark.parametrize("corpus_index", ["news"], indirect=True)
def test_every_facet_has_values_and_articles_without_one(corpus) -> None:
    facets = counted(corpus.search("dan so OR tre em OR quan", facets=True))
    assert {year for year in facets["year"] if year} == {str(y) for y in range(2016, 2025)}
    assert len([site for site in facets["site"] if site]) == 7
    assert set(facets["category"]) == {"tre-em", "dan-so", "quoc-phong", None}
    assert all(counts[None] > 0 for counts in facets.values())  # undated, no site, no category


@pytest.mark.parametrize(
    "corpus_index, query, category",
    corpus_cases(
        news=[("trẻ em", "tre-em"), ("dân số", "dan-so"), ("quân", "quoc-phong")],
        vntc=[("bóng đá", "The thao"), ("bệnh nhân", "Suc khoe")],
    ),
    indirect=["corpus_index"],
)
def test_topics_show_in_category_facets(corpus, query, category) -> None:
    assert corpus.search(query, facets=True).facets["category"][0].value == category


def test_seed_facets(built_index: Path) -> None:
    with Searcher(built_index) as searcher:
        result = searcher.search("dân số", facets=True)
    facets = counted(result)
    assert facets["site"]["baocaobang.vn"] == 1
    assert facets["category"] == Counter({None: result.total})  # no subfolders
    assert facets["year"]["2024"] >= 1


def test_no_facets_unless_asked(built_index: Path) -> None:
    with Searcher(built_index) as searcher:
        assert searcher.search("dân số").facets is None
        assert searcher.search("xyzzy", facets=True).facets == {f: [] for f in FACETS}


def test_facets_of_an_empty_index(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    update_index(tmp_path / "seeds", tmp_path / "index")
    with Searcher(tmp_path / "index") as searcher:
        result = searcher.search("dân số", facets=True)
    assert result.total == 0 and result.facets == {f: [] for f in FACETS}


def test_deleted_and_changed_articles_are_not_counted(tmp_path: Path, pristine_seeds: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(pristine_seeds, seeds)
    write_article(seeds / "the-thao", "a", "Bóng đá", "Đội tuyển bóng đá thắng 2-0. Ngày 13/01/2022.")
    write_article(seeds / "the-thao", "b", "Bóng đá nữ", "Đội tuyển bóng đá nữ thắng. Ngày 20/11/2023.")
    update_index(seeds, tmp_path / "index")
    (seeds / "the-thao" / "a.txt").unlink()
    write_article(seeds / "van-hoa", "c", "Bóng đá và âm nhạc", "Bóng đá. 20 tháng 6 năm 2024.")
    update_index(seeds, tmp_path / "index")
    with Searcher(tmp_path / "index") as searcher:
        facets = counted(searcher.search("bóng đá", facets=True))
    assert facets["category"] == Counter({"the-thao": 1, "van-hoa": 1})
    assert facets["year"] == Counter({"2023": 1, "2024": 1})
