"""Facets: the matches of a query counted by year, site and category."""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import needs_vntc, write_article
from vnsearch import Searcher, update_index
from vnsearch.searching import FACETS


@pytest.fixture(scope="module")
def vntc(vntc_index: Path):
    with Searcher(vntc_index) as searcher:
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
    "query, options",
    [
        ("dân số", {}),
        ("dan so", {}),  # every accented form
        ('"bóng đá"', {}),  # a phrase: scored by Whoosh
        ("bóng*", {}),  # a wildcard
        ("chính phủ", {"sort": "date"}),
        ("bóng đá", {"category": "The thao"}),
        ("bóng đá", {"since": "2005-01-01"}),
        ("việt nam bóng đá kinh tế", {"any_terms": True}),
        ("dân số xyzzy", {}),  # relaxed to any of the words
    ],
)
def test_facets_count_every_match(vntc, query, options) -> None:
    if "since" in options:
        from vnsearch import parse_date

        options = {**options, "since": parse_date(options["since"])}
    result = vntc.search(query, facets=True, **options)
    assert result.total > 0
    assert counted(result) == by_hand(vntc, query, **options)
    for facet in FACETS:
        assert sum(c.count for c in result.facets[facet]) == result.total


def test_most_frequent_first_and_missing_values_last(vntc) -> None:
    facets = vntc.search("dân số", facets=True).facets
    assert list(facets) == list(FACETS)
    for counts in facets.values():
        known = [c.count for c in counts if c.value is not None]
        assert known == sorted(known, reverse=True)
        assert all(c.value is not None for c in counts[:-1])


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


@needs_vntc
def test_news_topics_show_in_category_facets(vntc) -> None:
    football = vntc.search("bóng đá", facets=True).facets["category"]
    assert football[0].value == "The thao"
    disease = vntc.search("bệnh nhân", facets=True).facets["category"]
    assert disease[0].value == "Suc khoe"


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
