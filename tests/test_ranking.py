"""Array scoring (vnsearch.ranking) ranks exactly as Whoosh's matchers do.

On the news articles made from the seeds and, with the shared data, on 300
VNTC articles (see ``corpus_index`` in conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPORA, SEED_IDS, needs_vntc, write_article
from whoosh import query as wq

from vnsearch import Searcher, queries, update_index
from vnsearch.ranking import Near
from vnsearch.text import fold
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
    index = index_of(tmp_path, {
        "mot": ("Tin tức", "Bệnh viện mới khai trương hôm nay."),
        "hai": ("Tin tức", "Bệnh viện mới ở Quảng Ninh khai trương hôm nay."),
    })  # fmt: skip
    with Searcher(index) as searcher:
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


# -- reading words together ----------------------------------------------------

#: Place and person names, and compounds whose syllables are common words in
#: other forms, in the VNTC sample: the article that has the word most often
#: (found by benchmarks-style search over the sample's compounds; typed
#: without diacritics, each used to lose to an article with the same
#: syllables in other words, such as ``dục`` of ``giáo dục`` for ``duc``).
READ_TOGETHER = [
    ("Hải Phòng", "Van hoa/VH_NLD_T_ (11184)"),
    ("Việt Hùng", "Van hoa/VH_NLD_T_ (11447)"),
    ("hoàng tử", "Van hoa/VH_NLD_T_ (11461)"),
    ("dữ liệu", "Vi tinh/VT_NLD_T_ (5605)"),
    ("độc lập", "The gioi/TG_NLD_T_ (7794)"),
    ("phòng chống", "Suc khoe/SK_NLD_T_ (5984)"),
]


@pytest.mark.parametrize("query", ["thu duc", "Thủ Đức", "THU DUC"])
def test_a_place_typed_without_diacritics_finds_the_article_about_it(built_index: Path, query: str) -> None:
    # 002 has "thu" three times and "giáo dục" ten; 004 has "Thủ Đức" three times
    with Searcher(built_index) as searcher:
        assert searcher.search(query).hits[0].id == SEED_IDS["004"]


@needs_vntc
@pytest.mark.parametrize("typed", [str, fold], ids=["as written", "without diacritics"])
@pytest.mark.parametrize(("query", "expected"), READ_TOGETHER)
def test_words_read_together_find_the_article_with_them_together(vntc_index: Path, query: str, expected: str, typed) -> None:
    with Searcher(vntc_index) as searcher:
        assert searcher.search(typed(query)).hits[0].id == expected


def index_of(root: Path, articles: dict[str, tuple[str, str]], others: int = 0) -> Path:
    """An index of ``{id: (title, body)}``, and ``others`` articles with none of their words.

    The others make a test's words rare, as they are in a real index.
    """
    for i in range(others):
        articles = {**articles, f"khac-{i:02d}": ("Thể thao", f"Đội tuyển bóng đá thắng trận thứ {i} của mùa giải.")}
    for name, (title, body) in articles.items():
        write_article(root / "seeds", name, title, body)
    update_index(root / "seeds", root / "index")
    return root / "index"


def test_an_article_with_the_likely_reading_ranks_above_one_with_unlikely_ones(tmp_path: Path) -> None:
    articles = {
        "giao-duc": ("Tin tức", "Mùa thu này, ngành giáo dục lo giáo dục trẻ em, giáo dục người lớn."),
        "thu-duc": ("Tin tức", "Người dân Thủ Đức dọn vệ sinh đường phố sáng nay."),
    }
    for i in range(3):  # the index learns that "thu duc" is read "thủ đức"
        articles[f"tp-{i}"] = ("Tin tức", "Thành phố Thủ Đức mở thêm trường học.")
    with Searcher(index_of(tmp_path, articles, others=20)) as searcher:
        ids = [h.id for h in searcher.search("thu duc", limit=10).hits]
        assert ids.index("thu-duc") < ids.index("giao-duc")  # both still match: no reading is left out


def test_an_accented_query_stays_exact_with_its_words_near(tmp_path: Path) -> None:
    index = index_of(tmp_path, {
        "ban-ghe": ("Cửa hàng", "Chúng tôi bán ghế gỗ, bán ghế nhựa, bán ghế xếp."),
        "ban-hoc": ("Lớp học", "Mỗi bàn học có hai ghế ngồi."),
    })  # fmt: skip
    with Searcher(index) as searcher:
        assert [h.id for h in searcher.search("bàn ghế").hits] == ["ban-hoc"]
        assert [h.id for h in searcher.search("bàn ghế", any_terms=True).hits][0] == "ban-hoc"
        assert {h.id for h in searcher.search("ban ghe").hits} == {"ban-ghe", "ban-hoc"}


def test_words_near_each_other_rank_above_words_apart(tmp_path: Path) -> None:
    filler = " ".join(["Hôm nay trời đẹp."] * 5)
    index = index_of(tmp_path, {
        "xa": ("Tin tức", f"Bệnh viện mới. {filler} Quảng Ninh có tin vui."),
        "gan": ("Tin tức", f"Bệnh viện Quảng Ninh mới. {filler} Hôm nay có tin vui."),
    }, others=20)  # fmt: skip
    with Searcher(index) as searcher:
        for query in ("viện quảng", "vien quang"):  # not a compound word: only nearness tells them apart
            assert [h.id for h in searcher.search(query).hits] == ["gan", "xa"]


def test_an_abbreviation_and_its_long_form_rank_as_one_word(tmp_path: Path) -> None:
    filler = " ".join(["Hôm nay trời đẹp."] * 4)
    index = index_of(tmp_path, {
        "hai-lan": ("Tin tức", f"UBND tỉnh họp. {filler} UBND tỉnh kết luận."),
        "ca-hai": ("Tin tức", f"Ủy ban nhân dân tỉnh họp. {filler} UBND tỉnh kết luận."),
        "mot-lan": ("Tin tức", f"UBND tỉnh họp. {filler} Hôm nay tỉnh kết luận."),
    }, others=20)  # fmt: skip
    with Searcher(index) as searcher:
        scores = {h.id: h.score for h in searcher.search("UBND").hits}
        alone = {h.id: h.score for h in searcher.search("UBND", expand=False).hits}
    assert set(scores) == set(alone) == {"hai-lan", "ca-hai", "mot-lan"}
    # two mentions either way count about alike (the long form makes the article a little longer),
    # not as two words each found once
    assert scores["ca-hai"] == pytest.approx(scores["hai-lan"], rel=0.1)
    assert scores["mot-lan"] < scores["ca-hai"]
