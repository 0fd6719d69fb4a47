"""The analyser: normalised, folded, segmented tokens with honest offsets."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from vnsearch.analysis import VietnameseAnalyzer, index_terms, query_terms, syllable_tokens
from vnsearch.text import fold, normalize_word


def test_index_has_words_compounds_and_folded_forms():
    terms = index_terms("Công tác dân số")
    for term in ["dân", "số", "dân_số", "dan", "so", "dan_so", "công_tác", "cong_tac"]:
        assert term in terms


def test_old_and_new_tone_placement_index_the_same():
    assert index_terms("Hoà bình, khoẻ mạnh, thuỷ lợi") == index_terms("Hòa bình, khỏe mạnh, thủy lợi")
    assert query_terms("hoà") == query_terms("hòa") == ["hòa"]
    assert query_terms("đaị biểu") == ["đại", "biểu"]


def test_query_terms_keep_accents_as_typed_and_never_join():
    assert query_terms("Dân Số") == ["dân", "số"]
    assert query_terms("dan so") == ["dan", "so"]


def test_case_and_unicode_form_do_not_matter():
    nfd = unicodedata.normalize("NFD", "TRẺ EM")
    assert index_terms(nfd) == index_terms("trẻ em")


def test_compound_sits_at_its_first_syllable_so_phrases_still_work():
    tokens = [(t.text, t.pos) for t in VietnameseAnalyzer()("dân số tăng", positions=True, mode="index")]
    assert ("dân", 0) in tokens and ("dân_số", 0) in tokens and ("số", 1) in tokens
    assert ("tăng", 2) in tokens


def test_urls_and_abbreviations_split_into_words():
    terms = query_terms("https://baocaobang.vn/hoi-nghi TP. Hồ Chí Minh")
    assert "baocaobang" in terms and "hoi" in terms and "tp" in terms
    assert query_terms("99,8% và 1.000 trẻ") == ["99,8", "và", "1.000", "trẻ"]


def test_punctuation_is_not_indexed():
    assert index_terms("– , . “ ” …") == []


def _tokens(text, mode):
    return list(
        (t.text, t.startchar, t.endchar)
        for t in VietnameseAnalyzer()(text, positions=True, chars=True, mode=mode)
    )


vietnamese = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÊƠ ,.-\n") + ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "à", "ế", "ộ", "ữ", "ỷ"]),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), vietnamese))
def test_offsets_slice_the_original_text(text):
    for mode in ("query", "index"):
        for term, start, end in _tokens(text, mode):
            assert 0 <= start < end <= len(text)
            surface = text[start:end]
            if "_" not in term:
                # same letters as the slice (a stray extra tone mark on a
                # letter stays in the slice but cannot be part of a term)
                assert fold(term) == fold(normalize_word(surface))


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_syllable_tokens_never_crash_and_stay_in_range(text):
    for word, start, end in syllable_tokens(text):
        assert word and 0 <= start < end <= len(text)


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=120), vietnamese, st.sampled_from([
    "TP.HCM có 99,8% và 1.000 trẻ; https://baocaobang.vn/a-b_c?x=1 1_000.5 a1.5 2,5abc ==> ... Đ.",
])))
def test_fast_syllable_scan_matches_the_analyser(text):
    from vnsearch.analysis import _tokens

    expected = [(w, s, e) for _, w, s, e in _tokens(text, compounds=False)]
    assert list(syllable_tokens(text)) == expected
