"""Search semantics through the library API, on the seed articles."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnsearch import QueryError, Searcher, parse_date, update_index
from vnsearch.text import fold

SEEDS = Path(__file__).parent.parent / "seeds"

EXTRA = {
    "ban-ghe.txt": "Bàn ghế mới cho trường học\n\nNhà trường mua bàn ghế và bán lại đồ cũ cho bạn bè.\n\nLê Văn An\n",
    "thuy-loi.txt": "Công trình thuỷ lợi hoà vào mùa khô\n\nNgười dân khoẻ mạnh nhờ nước sạch.\n\nPhạm Thị Bình\n",
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    for name, text in EXTRA.items():
        (seeds / name).write_text(text, encoding="utf-8")
    update_index(seeds, root / "index")
    with Searcher(root / "index") as s:
        yield s


def ids(result):
    return [h.id for h in result.hits]


def test_accented_word_matches_exactly(searcher):
    assert ids(searcher.search("bản")) == ["003_19f821a7a790877a"]  # "văn bản"
    assert "ban-ghe" in ids(searcher.search("bàn"))
    assert "ban-ghe" not in ids(searcher.search("bản"))


def test_unaccented_word_matches_every_accented_form(searcher):
    found = ids(searcher.search("ban", limit=50))
    assert "ban-ghe" in found and "003_19f821a7a790877a" in found


def test_old_and_new_tone_placement_find_each_other(searcher):
    assert ids(searcher.search("thủy lợi")) == ["thuy-loi"]
    assert ids(searcher.search("hòa khỏe")) == ["thuy-loi"]


def test_one_syllable_finds_compound_words(searcher):
    # "quân" occurs in 000 only inside words such as "toàn quân" and "Quân đội"
    assert ids(searcher.search("quân")) == ["000_d72407d80385c662"]


def test_mixed_query_is_exact_word_by_word(searcher):
    assert ids(searcher.search("sức khoe sinh san")) == ids(searcher.search("sức khỏe sinh sản"))


def test_phrases_work_with_and_without_accents(searcher):
    exact = set(ids(searcher.search('"kế hoạch hóa gia đình"')))
    assert exact == set(ids(searcher.search('"ke hoach hoa gia dinh"')))
    assert "002_f1cafe46c58462ef" not in exact and len(exact) == 4


def test_title_match_ranks_above_body_match(searcher):
    result = searcher.search("bảo vệ trẻ em", any_terms=True)
    assert result.hits[0].id == "002_f1cafe46c58462ef"


def test_compound_words_rank_articles_using_the_words_together(searcher):
    # "dân số" as a word beats articles that only have "dân" and "số" apart
    result = searcher.search("dan so", limit=10)
    assert result.hits[-1].id == "002_f1cafe46c58462ef"


def test_snippet_marks_words_typed_without_accents(searcher):
    hit = searcher.search("suc khoe").hits[0]
    marked = {hit.snippet[s:e] for s, e in hit.highlights}
    assert marked == {"sức", "khỏe"}
    assert len(hit.snippet) <= 210


def test_all_words_nothing_falls_back_to_any_word(searcher):
    result = searcher.search("dân số bóng đá")
    assert result.relaxed and result.total >= 4
    assert not searcher.search("dân số").relaxed
    # the hits are those of any word, with their relevance scores
    any_words = searcher.search("dân số bóng đá", any_terms=True)
    assert [(h.id, h.score) for h in result.hits] == [(h.id, h.score) for h in any_words.hits]
    assert all(h.score > 0 for h in result.hits)


def test_filters_by_date_and_site(searcher):
    result = searcher.search("công tác", since=dt.date(2024, 1, 1), until=dt.date(2024, 1, 31))
    assert sorted(ids(result)) == ["000_d72407d80385c662", "002_f1cafe46c58462ef"]
    assert ids(searcher.search("công tác", site="https://www.baocaobang.vn/x")) == ["000_d72407d80385c662"]


@pytest.mark.parametrize(("since", "until"), [("2024-01", "2024-01"), ("1/1/2024", "31/01/2024")])
def test_dates_as_typed(searcher, since, until):
    typed = searcher.search("công tác", since=since, until=until)
    given = searcher.search("công tác", since=dt.date(2024, 1, 1), until=dt.date(2024, 1, 31))
    assert ids(typed) == ids(given)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"limit": 0}, "^limit must be at least 1"),
        ({"since": "2025", "until": "2024"}, "^since .* is after until .*: nothing can match"),
        ({"since": "hôm qua"}, "^bad date 'hôm qua'"),
    ],
)
def test_bad_options_say_what_is_wrong(searcher, options, message):
    with pytest.raises(QueryError, match=message):
        searcher.search("công tác", **options)


def test_sort_by_date_puts_newest_first_and_undated_last(searcher):
    hits = searcher.search("công tác", sort="date", limit=10).hits
    assert all(h.score is None for h in hits)  # not ranked by relevance: no score
    dates = [h.date for h in hits]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True)
    assert dates[-1] is None


def test_article_and_stats(searcher):
    article = searcher.article("000_d72407d80385c662")
    assert article.author == "Trần Lộc" and article.date == dt.date(2024, 1, 11)
    assert searcher.stats().articles == 7
    with pytest.raises(KeyError):
        searcher.article("nope")


@pytest.mark.parametrize("query", ["", "   ", "foo:bar", "“”", "()", "-"])
def test_bad_queries_are_query_errors(searcher, query):
    with pytest.raises(QueryError):
        searcher.search(query)


@pytest.mark.parametrize(
    "text, end, expected",
    [
        ("2024-01-31", False, dt.date(2024, 1, 31)),
        ("2024-02", True, dt.date(2024, 2, 29)),
        ("2024", False, dt.date(2024, 1, 1)),
        ("2024", True, dt.date(2024, 12, 31)),
        ("31/01/2024", False, dt.date(2024, 1, 31)),
    ],
)
def test_parse_date(text, end, expected):
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["2024-13", "31/02/2024", "hôm qua", ""])
def test_parse_date_rejects_nonsense(text):
    with pytest.raises(QueryError):
        parse_date(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(max_size=60)
    | st.lists(st.sampled_from(['dân', 'số', '"', "(", ")", "AND", "OR", "NOT", "title:", "*", "?", "dan", "~2", "^3", "[", "]", "TO", ":", "x:"]), max_size=8).map(" ".join)
)
def test_any_query_gives_results_or_a_query_error(searcher, query):
    try:
        result = searcher.search(query)
    except QueryError as exc:
        assert "\n" not in str(exc)
        return
    for hit in result.hits:
        for s, e in hit.highlights:
            word = fold(hit.snippet[s:e].lower())
            assert word in {fold(t) for t in result.terms}


def test_an_open_searcher_sees_updates_and_rebuilds(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    update_index(seeds, tmp_path / "index")
    with Searcher(tmp_path / "index") as s:
        assert s.search("bóng đá").total == 0
        (seeds / "bong-da.txt").write_text("Bóng đá Việt Nam\n\nĐội tuyển bóng đá thắng.\n", encoding="utf-8")
        update_index(seeds, tmp_path / "index")
        assert ids(s.search("bóng đá")) == ["bong-da"]
        (seeds / "bong-da.txt").unlink()
        update_index(seeds, tmp_path / "index", rebuild=True)
        assert s.search("bóng đá").total == 0
        assert s.search("dân số").total == 4


# -- abbreviations and long forms ---------------------------------------------------


def index_of(tmp_path: Path, texts: dict[str, str]) -> Path:
    """An index of ``{id: raw text}`` articles."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in texts.items():
        (seeds / f"{name}.txt").write_text(text, encoding="utf-8")
    update_index(seeds, tmp_path / "index")
    return tmp_path / "index"

CITY = "004_6218aeb5327561b4"  # writes "Thành phố Hồ Chí Minh" and "Ủy ban nhân dân" in full


@pytest.mark.parametrize("query", ["TP.HCM", "TPHCM", "TP HCM", "Tp.HCM", "tphcm"])
def test_an_abbreviation_finds_its_long_form(searcher, query):
    result = searcher.search(query)
    assert ids(result) == [CITY]
    assert result.expanded == ["Thành phố Hồ Chí Minh"]
    assert "Hồ Chí Minh" in result.hits[0].snippet


def test_an_abbreviation_finds_articles_writing_either(searcher):
    result = searcher.search("UBND")
    assert set(ids(result)) == {"002_f1cafe46c58462ef", "003_19f821a7a790877a", CITY}
    assert result.expanded == ["Ủy ban nhân dân"]
    marked = {result.hits[i].snippet[s:e] for i in range(len(result.hits)) for s, e in result.hits[i].highlights}
    assert "UBND" in marked and "Ủy" in marked


@pytest.mark.parametrize("query", ["Ủy ban nhân dân", "uỷ ban nhân dân", "uy ban nhan dan"])
def test_a_long_form_finds_its_abbreviation(searcher, query):
    result = searcher.search(query)
    assert {"002_f1cafe46c58462ef", "003_19f821a7a790877a", CITY} <= set(ids(result))
    assert result.expanded == ["UBND"]


def test_no_expand_searches_as_typed(searcher):
    assert searcher.search("TP.HCM", expand=False).total == 0
    result = searcher.search("UBND", expand=False)
    assert CITY not in ids(result) and result.expanded == []


def test_an_abbreviation_is_one_word_to_ranking(searcher):
    # an article writing both forms is not rewarded twice: the group scores as one word
    both = searcher.search("UBND")
    alone = searcher.search("UBND", expand=False)
    assert max(h.score for h in both.hits) <= 1.5 * max(h.score for h in alone.hits)


def with_synonyms(searcher, tmp_path, text: str) -> Searcher:
    """A Searcher of the same index, reading the abbreviations ``text`` adds and vetoes."""
    path = tmp_path / "synonyms.txt"
    path.write_text(text, encoding="utf-8")
    return Searcher(searcher.index_dir, synonyms=path)


def test_a_syllable_is_an_abbreviation_only_in_capitals(searcher, tmp_path):
    with with_synonyms(searcher, tmp_path, "CA = Công an\n") as s:
        assert s.search("ca").expanded == []
        assert s.search("CA").expanded == ["Công an"]


def test_a_synonyms_file_adds_and_vetoes(searcher, tmp_path):
    with with_synonyms(searcher, tmp_path, "# mine\n!UBND\nDS = Dân số\n") as s:
        assert s.search("UBND").expanded == []
        assert s.search("DS").expanded == ["Dân số"]


def test_a_bad_synonyms_file_is_one_clear_error_on_opening(searcher, tmp_path):
    from vnsearch.errors import SynonymsFileError

    with pytest.raises(SynonymsFileError, match="line 2"):
        with_synonyms(searcher, tmp_path, "UBND = Ủy ban nhân dân\nthis line has no equals sign\n")
    with pytest.raises(SynonymsFileError, match="missing.txt"):
        Searcher(searcher.index_dir, synonyms=tmp_path / "missing.txt")


def test_abbreviations_are_learned_from_the_articles_that_define_them(tmp_path):
    seeds = tmp_path / "seeds"
    texts = {
        "dinh-nghia-1": "Bóng đá Phố Núi\n\nĐội Hoàng Anh Gia Lai (HAGL) thắng trận mở màn.\n",
        "dinh-nghia-2": "Cầu thủ trẻ\n\nHọc viện của Hoàng Anh Gia Lai (HAGL) có thêm lứa mới.\n",
        "chi-viet-tat": "Trận cầu đỉnh cao\n\nHAGL hòa trên sân khách.\n",
        "chi-ten-day-du": "Phố Núi mừng\n\nHoàng Anh Gia Lai lên ngôi đầu bảng.\n",
        "mot-lan": "Nông nghiệp\n\nHợp tác xã Nông nghiệp Xanh (HTXNX) mở rộng.\n",
        "cung-mot-lan": "Nông sản\n\nHTXNX bán nông sản sạch.\n",
    }
    with Searcher(index_of(tmp_path, texts)) as s:
        result = s.search("HAGL")
        assert result.expanded == ["Hoàng Anh Gia Lai"]
        assert {h.id for h in result.hits} == {"dinh-nghia-1", "dinh-nghia-2", "chi-viet-tat", "chi-ten-day-du"}
        assert "chi-viet-tat" in ids(s.search("hoang anh gia lai"))
        assert s.search("HTXNX").expanded == []  # defined once: not trusted
    # the articles that define it gone, it is no longer used
    (seeds / "dinh-nghia-1.txt").unlink()
    update_index(seeds, tmp_path / "index")
    with Searcher(tmp_path / "index") as s:
        assert s.search("HAGL").expanded == []


def test_the_index_folder_s_synonyms_file_is_read_and_kept_by_rebuilds(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    update_index(seeds, tmp_path / "index")
    (tmp_path / "index" / "synonyms.txt").write_text("# ours\n!UBND\n", encoding="utf-8")
    with Searcher(tmp_path / "index") as s:
        assert s.search("UBND").expanded == []
    update_index(seeds, tmp_path / "index", rebuild=True)
    assert (tmp_path / "index" / "synonyms.txt").is_file()
    with Searcher(tmp_path / "index") as s:
        assert s.search("UBND").expanded == []


def test_a_long_form_with_a_word_twice_finds_its_abbreviation(tmp_path):
    index = index_of(tmp_path, {
        "viet-tat": "Tin thể thao\n\nPhong trào TDTT quần chúng phát triển mạnh.\n",
        "day-du": "Tin tức\n\nNgành thể dục thể thao tỉnh tổng kết năm.\n",
    })  # fmt: skip
    with Searcher(index) as s:
        for query in ("thể dục thể thao", "the duc the thao", '"thể dục thể thao"'):
            result = s.search(query)  # the parser alone drops the second "thể"
            assert {h.id for h in result.hits} == {"viet-tat", "day-du"} and result.expanded == ["TDTT"]


def test_quoting_long_forms_keeps_the_rest_of_the_query():
    from vnsearch import abbreviations
    from vnsearch.queries import quote_long_forms

    table = abbreviations.Table(abbreviations.builtin())
    assert quote_long_forms("ủy ban nhân dân tỉnh và hội đồng nhân dân", table) == (
        '"ủy ban nhân dân" tỉnh và "hội đồng nhân dân"'
    )
    assert quote_long_forms('"ủy ban nhân dân" OR ubnd', table) == '"ủy ban nhân dân" OR ubnd'  # quoted already
    assert quote_long_forms("uy ban nhan", table) == "uy ban nhan"  # not the whole long form


def test_an_abbreviation_is_found_however_articles_split_it(tmp_path):
    texts = {
        "dinh-nghia-1": "Bóng đá\n\nĐội Thép Miền Nam Cảng Sài Gòn (TMNCSG) thắng.\n",
        "dinh-nghia-2": "Bóng đá\n\nThép Miền Nam Cảng Sài Gòn (TMNCSG) mua cầu thủ.\n",
        "gach-noi": "Trận đấu\n\nTMN-CSG hòa 1-1 trên sân nhà.\n",
        "dau-cham": "Trận đấu\n\nTP.HCM mưa to, trận của TMN.CSG bị hoãn.\n",
    }
    with Searcher(index_of(tmp_path, texts)) as s:
        assert {h.id for h in s.search("TMNCSG").hits} == set(texts)
        assert {"gach-noi", "dau-cham"} <= set(ids(s.search("thép miền nam cảng sài gòn")))


# -- pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_of_hits_follow_each_other(searcher, sort):
    everything = ids(searcher.search("dân", limit=50, sort=sort))
    pages = [searcher.search("dân", limit=2, offset=offset, sort=sort) for offset in range(0, len(everything), 2)]
    assert [i for page in pages for i in ids(page)] == everything
    assert [page.offset for page in pages] == list(range(0, len(everything), 2))
    assert {page.total for page in pages} == {len(everything)}


def test_an_offset_past_the_last_hit_gives_none(searcher):
    result = searcher.search("dân", offset=1000)
    assert result.hits == [] and result.total > 0 and result.offset == 1000


def test_a_negative_offset_is_a_query_error(searcher):
    with pytest.raises(QueryError, match="offset must be at least 0"):
        searcher.search("dân", offset=-1)
