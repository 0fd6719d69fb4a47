"""“Did you mean”: restored diacritics and typo fixes, learned from the index."""

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import corpus_cases, write_article
from vnsearch import Searcher, update_index
from vnsearch.text import fold


@pytest.fixture(scope="module")
def seeds(built_index: Path):
    with Searcher(built_index) as searcher:
        yield searcher


@pytest.fixture(scope="module")
def corpus(corpus_index: Path):
    """The news articles made from the seeds, or 300 VNTC articles (see conftest.py)."""
    with Searcher(corpus_index) as searcher:
        yield searcher


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("dan so", "dân số"),
        ("suc khoe sinh san", "sức khỏe sinh sản"),
        ("ke hoach hoa gia dinh", "kế hoạch hóa gia đình"),
        ("tre em", "trẻ em"),
        ("kế hoach", "kế hoạch"),  # "hoach" is no syllable as typed
    ],
)
def test_an_unaccented_query_gets_its_accented_form(seeds, typed, meant) -> None:
    assert seeds.search(typed).suggestions[0] == meant


def test_the_results_stay_those_of_the_query_as_typed(seeds) -> None:
    typed, meant = seeds.search("dan so"), seeds.search("dân số")
    assert typed.query == "dan so" and typed.instead_of is None
    assert typed.suggestions == ["dân số"]
    assert typed.total >= meant.total  # unaccented words match every accented form


def test_use_suggestion_searches_for_it_instead(seeds) -> None:
    instead = seeds.search("dan so", use_suggestion=True)
    meant = seeds.search("dân số")
    assert instead.query == "dân số" and instead.instead_of == "dan so"
    assert [h.id for h in instead.hits] == [h.id for h in meant.hits]
    assert instead.suggestions == ["dân số"]


def test_use_suggestion_without_one_is_the_plain_search(seeds) -> None:
    result = seeds.search("dân số", use_suggestion=True)
    assert result.query == "dân số" and result.instead_of is None and result.suggestions == []


def test_a_query_typed_right_gets_no_suggestion(seeds) -> None:
    assert seeds.search("dân số").suggestions == []
    assert seeds.search("kế hoạch hóa gia đình").suggestions == []
    assert seeds.search("sức khoẻ").suggestions == []  # old tone placement is the same word


def test_case_is_kept(seeds) -> None:
    assert seeds.search("Dan So").suggestions[0] == "Dân Số"
    assert seeds.search("DAN SO").suggestions[0] == "DÂN SỐ"
    # words left alone are left exactly as typed
    assert seeds.search("COVID dan so Khoe (2024)").suggestions[0] == "COVID dân số Khỏe (2024)"


def test_query_syntax_is_kept_around_the_words(seeds) -> None:
    assert seeds.search('"dan so" OR title:gia dinh').suggestions[0] == '"dân số" OR title:gia đình'
    assert seeds.search("dan -so").suggestions[0] == "dân -số"
    # names and codes are not words; a wildcard is left as typed
    assert seeds.search("site:baocaobang.vn dan so").suggestions[0] == "site:baocaobang.vn dân số"
    assert seeds.search("dan* so").suggestions[0] == "dan* số"
    assert seeds.search("dan so?").suggestions[0] == "dân số?"  # a question, not a wildcard


def test_suggest_alone(seeds) -> None:
    assert seeds.suggest("ke hoach hoa gia dinh") == ["kế hoạch hóa gia đình"]
    assert seeds.suggest("kế hoạch") == []


def test_names_ranges_and_addresses_are_kept(seeds) -> None:
    assert seeds.suggest('author:"tran loc" dan so') == ['author:"tran loc" dân số']
    assert seeds.suggest("date:[2024 TO 2025] dan so") == ["date:[2024 TO 2025] dân số"]
    assert seeds.suggest("dan so [2024 to 2025]") == ["dân số [2024 to 2025]"]
    assert seeds.suggest("baocaobang.vn/hoi-nghi dan so") == ["baocaobang.vn/hoi-nghi dân số"]
    assert seeds.suggest("TP.HCM dan so") == ["TP.HCM dân số"]


def test_decomposed_unicode_is_the_same_query(seeds) -> None:
    nfd = unicodedata.normalize("NFD", "dân số")
    assert seeds.search(nfd).suggestions == []
    assert seeds.suggest(unicodedata.normalize("NFD", "kế hoach hóa")) == ["kế hoạch hóa"]


def test_a_long_run_of_words_is_no_trouble(seeds) -> None:
    assert seeds.suggest("dan " * 240)[0].startswith("dân dân")  # 960 characters, near the limit


def test_suggestions_can_be_turned_off(seeds) -> None:
    assert seeds.search("dan so", suggestions=False).suggestions == []


def test_words_only_deleted_articles_had_are_not_suggested(tmp_path, pristine_seeds) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(pristine_seeds, seeds)
    write_article(seeds, "gone", "Quyxdeptrai", "Quyxdeptrai đẹp trai.")
    update_index(seeds, tmp_path / "index")
    (seeds / "gone.txt").unlink()
    update_index(seeds, tmp_path / "index")
    with Searcher(tmp_path / "index") as searcher:
        assert searcher.suggest("quyxdeptra") == []
        assert searcher.suggest("quyxdeptrai") == []


def test_a_typo_is_fixed_from_the_index_words(seeds) -> None:
    assert seeds.search("nguoii dan").suggestions[0] == "người dân"  # unaccented typo
    assert seeds.search("ngưoi dân").suggestions[0] == "người dân"  # accented typo
    result = seeds.search("dân sốô", use_suggestion=True)
    assert result.query == "dân số" and result.total > 0


def test_nothing_near_means_no_suggestion(seeds) -> None:
    assert seeds.search("qwxz").suggestions == []
    assert seeds.search("zz").suggestions == []  # too short to guess


@pytest.mark.parametrize("query", ["bóng đá", "giá vàng", "hoà", "hòa", "Hoà Bình", "khoẻ mạnh"])
def test_a_right_word_the_index_lacks_is_not_fixed_into_another(seeds, query) -> None:
    # the seeds lack "bóng", "vàng", "hòa" and "khỏe": "bằng đá", "giá vùng", "hóa" would change the meaning
    assert seeds.search(query).suggestions == []


def test_old_and_new_tone_placement_are_the_same_word(seeds) -> None:
    assert seeds.search("hoà").suggestions == seeds.search("hòa").suggestions == []
    assert seeds.search("thuỷ").suggestions == []


def test_an_unaccented_word_that_is_its_likeliest_form_gets_no_suggestion(seeds) -> None:
    # "ban" (Ban Chỉ đạo) is the seeds' commonest form of the word (17 against 7 "bàn")
    assert seeds.search("ban").suggestions == []
    assert seeds.search("ban chi dao").suggestions == ["ban chỉ đạo"]


def test_a_word_typed_without_diacritics_among_words_typed_with_them_is_meant_so(seeds) -> None:
    # "so" (to compare) is a word: the person typing diacritics left them off on purpose
    assert seeds.search("dân so").suggestions == []


def test_names_and_abbreviations_are_not_typos(seeds) -> None:
    assert seeds.search("vaccine Covid").suggestions == []  # not "Coi"
    assert seeds.search("ISP dân số").suggestions == []


def test_a_typo_that_is_no_word_is_still_fixed(seeds) -> None:
    assert seeds.search("ngườii dân").suggestions[0] == "người dân"
    assert seeds.search("dân sốô").suggestions[0] == "dân số"


@pytest.mark.parametrize(
    "corpus_index, typed, meant",
    corpus_cases(
        news=[
            ("cham soc suc khoe", "chăm sóc sức khỏe"),
            ("bao ve tre em", "bảo vệ trẻ em"),
            ("quoc phong", "quốc phòng"),
            ("truc tuyen", "trực tuyến"),
            ("dia ban", "địa bàn"),  # "ban" alone is most often "Ban" (Ban Chỉ đạo)
            ("hoi nghii", "hội nghị"),  # typo, then diacritics
            ("quann doi", "quân đội"),
            ("giao ducc", "giáo dục"),
            ("chăm soc", "chăm sóc"),
        ],
        vntc=[
            ("dan so", "dân số"),
            ("suc khoe sinh san", "sức khỏe sinh sản"),
            ("bong da", "bóng đá"),
            ("tai nan giao thong", "tai nạn giao thông"),
            ("thi truong chung khoan", "thị trường chứng khoán"),
            ("may tinh", "máy tính"),
            ("benhh vien", "bệnh viện"),  # typo, then diacritics
            ("giao ducc", "giáo dục"),  # the typo fix that makes a compound with its neighbour
            ("bóng đáa", "bóng đá"),
        ],
    ),
    indirect=["corpus_index"],
)
def test_suggestions_on_news_articles(corpus, typed, meant) -> None:
    assert corpus.search(typed).suggestions[0] == meant


@pytest.mark.parametrize(
    "corpus_index, word", corpus_cases(news=[("ca",)], vntc=[("ban",)]), indirect=["corpus_index"]
)
def test_an_ambiguous_word_offers_its_few_likely_forms(corpus, word) -> None:
    suggestions = corpus.search(word).suggestions
    assert 2 <= len(suggestions) <= 3
    assert all(fold(s) == word and s != word for s in suggestions)
    assert corpus.search("dan so").suggestions == ["dân số"]  # clear-cut: one


query_text = st.lists(
    st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxy AĐ\"():*?-+_.") + [" AND ", " OR ", " NOT "]),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_text)
def test_suggestions_only_change_words(seeds, text) -> None:
    try:
        suggestions = seeds.search(text).suggestions
    except Exception as exc:  # malformed queries are the query layer's to reject
        assert exc.__class__.__name__ == "QueryError"
        return
    assert len(suggestions) <= 3
    for suggestion in suggestions:
        assert suggestion != text
        assert re.sub(r"\w+", "", suggestion) == re.sub(r"\w+", "", text)
