"""Array scoring (vnsearch.ranking) ranks exactly as Whoosh's matchers do.

On the news articles made from the seeds and, with the shared data, on 300
VNTC articles (see ``corpus_index`` in conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPORA, write_article
from whoosh import query as wq

from vnsearch import Searcher, queries, update_index
from vnsearch.ranking import Near
from vnsearch.searching import parse_date


QUERIES = [
    "dân số",
    "dan so",
    "kế hoạch hóa gia đình",
    "ke hoach hoa gia dinh",
    "Quảng Ninh",
    "dân số OR bệnh viện",
    "dân NOT số",
    "(sức khỏe OR y tế) AND người dân",
    "title:dân",
    "chính phủ",
    "việt nam",
    "bóng đá",
    "trẻ em NOT quân",
    '"dân số"',
    '"dan so" OR "gia đình"',
    '"công tác dân số"~3',
    "COVID-19 tiêm",
    '"dân số" NOT "trẻ em"',
]


def whoosh_only(searcher: Searcher, monkeypatch) -> None:
    """Make ``searcher`` score every query with Whoosh's matchers.

    Without the proximity boosts, which Whoosh reads as loose phrases (see
    ``test_near_finds_what_whoosh_finds_as_a_loose_phrase``) and scores
    otherwise, and with every reading of an unaccented word alike, as Whoosh
    counts them.
    """
    monkeypatch.setattr(searcher, "_rank", lambda *args: None)
    monkeypatch.setattr(queries, "PROXIMITY_BOOST", 0)
    monkeypatch.setattr(queries, "FOLDED_PROXIMITY_BOOST", 0)
    monkeypatch.setattr(queries, "READING_FLOOR", 1)


def ranked(searcher: Searcher, query: str, **options) -> tuple[int, list[tuple[str, float]], bool]:
    result = searcher.search(query, limit=20, **options)
    return result.total, [(h.id, h.score) for h in result.hits], result.relaxed


def assert_same(fast, slow) -> None:
    assert fast[0] == slow[0]  # total
    assert fast[2] == slow[2]  # relaxed
    assert [i for i, _ in fast[1]] == [i for i, _ in slow[1]]
    for (_, a), (_, b) in zip(fast[1], slow[1]):
        assert a == pytest.approx(b, rel=1e-9)


@pytest.fixture(scope="module")
def updated_index(corpus_index: Path, tmp_path_factory) -> Path:
    """A corpus after an update: two segments, a deleted document in the first."""
    import shutil

    root = tmp_path_factory.mktemp("updated")
    shutil.copytree(corpus_index.parent / "seeds", root / "seeds")
    shutil.copytree(corpus_index, root / "index")
    write_article(root / "seeds", "extra", "Dân số", "Người dân Quảng Ninh và sức khỏe.")
    with Searcher(root / "index") as searcher:  # an indexed article, changed: its old version is deleted
        changed = Path(searcher.search("dân số", limit=1).hits[0].path)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nDân số và bóng đá.\n", encoding="utf-8")
    report = update_index(root / "seeds", root / "index", jobs=1)
    assert report.updated, report  # an article replaced: its old version is deleted
    return root / "index"


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_same_hits_and_scores_as_whoosh(corpus_index: Path, query: str, monkeypatch) -> None:
    with Searcher(corpus_index) as fast, Searcher(corpus_index) as slow:
        whoosh_only(slow, monkeypatch)
        assert_same(ranked(fast, query), ranked(slow, query))


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_same_articles_as_whoosh_with_any_word(corpus_index: Path, query: str, monkeypatch) -> None:
    # The scores differ where Whoosh's coordination bonus miscounts the words
    # an article has (see ranking.Ranker._coordinated); the articles do not.
    with Searcher(corpus_index) as fast, Searcher(corpus_index) as slow:
        whoosh_only(slow, monkeypatch)
        a, b = (s.search(query, any_terms=True, limit=1000) for s in (fast, slow))
        assert a.total == b.total
        assert {h.id for h in a.hits} == {h.id for h in b.hits}


@pytest.mark.parametrize("slop", [1, 3])
@pytest.mark.parametrize("pair", [("dân", "số"), ("dan", "so"), ("trẻ", "em"), ("công", "tác"), ("người", "dân")])
@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_near_finds_what_whoosh_finds_as_a_loose_phrase(corpus_index: Path, pair, slop: int) -> None:
    with Searcher(corpus_index) as searcher:
        view = searcher._view()
        for field in ("title", "body"):
            near = view.ranker.matches(Near(field, list(pair), slop=slop))[0]
            phrase = set(view.searcher.docs_for_query(wq.Phrase(field, list(pair), slop=slop)))
            assert set(near.nonzero()[0]) == phrase


def test_any_word_ranks_articles_with_more_of_the_words_first(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_article(seeds, "mot", "Tin tức", "Bệnh viện mới khai trương hôm nay.")
    write_article(seeds, "hai", "Tin tức", "Bệnh viện mới ở Quảng Ninh khai trương hôm nay.")
    update_index(seeds, tmp_path / "index")
    with Searcher(tmp_path / "index") as searcher:
        hits = searcher.search("bệnh viện Quảng Ninh", any_terms=True).hits
        assert [h.id for h in hits] == ["hai", "mot"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_same_hits_after_an_update(updated_index: Path, query: str, monkeypatch) -> None:
    with Searcher(updated_index) as fast, Searcher(updated_index) as slow:
        whoosh_only(slow, monkeypatch)
        assert_same(ranked(fast, query), ranked(slow, query))


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_same_hits_with_filters(corpus_index: Path, monkeypatch) -> None:
    options = dict(since=parse_date("2000"), until=parse_date("2030", end=True))
    with Searcher(corpus_index) as fast, Searcher(corpus_index) as slow:
        whoosh_only(slow, monkeypatch)
        assert_same(ranked(fast, "dân số", **options), ranked(slow, "dân số", **options))


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_deleted_articles_are_not_found(updated_index: Path) -> None:
    with Searcher(updated_index) as searcher:
        result = searcher.search("bóng đá chính phủ", limit=50, any_terms=True)
        assert result.total and "extra" not in [h.id for h in result.hits][:1]
        assert searcher.search("extra", limit=5).total == 0


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_a_segment_with_deletions_is_read_whole_blocks_at_a_time(updated_index: Path, monkeypatch) -> None:
    """Whoosh wraps such a segment's postings in a filter read one posting at a time; the ranker does not."""
    from whoosh.matching.wrappers import FilterMatcher

    def one_at_a_time(self):
        raise AssertionError("postings read one at a time")

    with Searcher(updated_index) as searcher:
        assert searcher._view().searcher.reader().has_deletions()
        monkeypatch.setattr(FilterMatcher, "next", one_at_a_time)
        assert searcher.search("dân số", limit=5).total
