"""Snippets: cut from the original, at word boundaries, matches marked."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPORA
from vnsearch import Searcher
from vnsearch.articles import decode
from vnsearch.snippets import make_snippet, match_spans
from vnsearch.text import fold

TEXT = (
    "Ngày 11/1, Bộ Quốc phòng tổ chức hội nghị trực tuyến tổng kết công tác dân số, "
    "gia đình và trẻ em toàn quân năm 2023. Năm 2023, toàn quân duy trì thực hiện tốt "
    "công tác chăm sóc sức khỏe sinh sản, kế hoạch hóa gia đình; triển khai có hiệu quả "
    "các hoạt động giảm thiểu mất cân đối giới tính khi sinh và nâng cao chất lượng dân số. "
    "Tổ chức nhiều hoạt động khám bệnh, cấp thuốc miễn phí cho trẻ em ở vùng sâu, vùng xa."
)


def test_unaccented_query_marks_accented_words_in_original_case():
    snippet = make_snippet("Dân số tăng nhanh. DÂN SỐ già đi.", {"dan", "so"})
    marked = [snippet.text[s:e] for s, e in snippet.highlights]
    assert marked == ["Dân", "số", "DÂN", "SỐ"]


def test_accented_query_marks_only_that_word():
    spans = match_spans("bàn bán bạn bản ban", {"bản"})
    assert [s for s, _, _ in spans] == [12]


def test_snippet_is_short_cut_at_words_and_centred_on_matches():
    snippet = make_snippet(TEXT, {"miễn", "phí"}, width=120)
    assert len(snippet.text) <= 125
    assert snippet.text.startswith("… ")
    words = snippet.text.strip("… ").split()
    assert all(w in TEXT.split() for w in words)
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["miễn", "phí"]


def test_passage_with_most_distinct_terms_wins():
    snippet = make_snippet(TEXT, {"sức", "khỏe", "sinh", "sản"}, width=80)
    assert "sức khỏe sinh sản" in snippet.text


def test_no_match_gives_the_start_of_the_text():
    snippet = make_snippet(TEXT, {"bóng"}, width=60)
    assert snippet.text.startswith("Ngày 11/1")
    assert snippet.highlights == []


def test_whitespace_is_collapsed_and_offsets_still_point_at_words():
    snippet = make_snippet("Dân số\n\n   tăng    nhanh", {"tang"})
    assert snippet.text == "Dân số tăng nhanh"
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["tăng"]


@settings(max_examples=200)
@given(st.text(max_size=400), st.sets(st.sampled_from(["dan", "số", "a", "e", "1"]), max_size=3))
def test_highlights_always_slice_a_matching_word(text, terms):
    snippet = make_snippet(text, terms, width=100)
    for s, e in snippet.highlights:
        word = snippet.text[s:e].lower()
        assert word and (word in terms or fold(word) in terms or any(fold(t) == fold(word) for t in terms))


WORDS = ["Dân", "số", "DÂN", "SỐ", "đường", "Đường", "hoà", "hòa", "khoẻ", "ban", "bàn", "bạn",
         "2023", "1.000", "dan_so", "İstanbul", "Ωmega", "q\u0301", "x", "a", "Việt", "NAM",
         "Vie\u0323\u0302t", "東京", "٣٤", "x²", "😀", "ｄａｎ", "1.000Dân", "_số", "Ðan", "\x00", "\ud800"]


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(WORDS + [" ", ", ", ".\n", "-", "/"]), max_size=40),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.booleans(),
)
def test_fast_matching_finds_exactly_the_syllables_a_full_scan_finds(parts, words, folded):
    from vnsearch.analysis import syllable_tokens
    from vnsearch.text import normalize_word

    text = "".join(parts)
    terms = {fold(normalize_word(w)) if folded else normalize_word(w) for w in words}
    expected = []
    for word, start, end in syllable_tokens(text):
        if word in terms:
            expected.append((start, end, word))
        elif fold(word) in terms:
            expected.append((start, end, fold(word)))
    assert match_spans(text, terms) == expected


@pytest.mark.parametrize("query", ["tre em", "sức khỏe", '"gia đình"', "quân OR dân số"])
@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_snippets_of_hits_are_cut_from_their_article_with_the_query_words_marked(corpus_index, query):
    words = {fold(word) for word in re.findall(r"\w+", query) if word != "OR"}
    with Searcher(corpus_index) as searcher:
        hits = searcher.search(query, limit=100).hits
    assert hits
    for hit in hits:
        article = " ".join(decode(Path(hit.path).read_bytes()).split())
        assert all(part in article for part in re.split(r"\s*…\s*", hit.snippet)), hit.snippet
        assert {fold(hit.snippet[s:e].lower()) for s, e in hit.highlights} <= words
    assert sum(bool(hit.highlights) for hit in hits) >= len(hits) * 0.9  # a few match in the title only


def test_every_letter_that_folds_to_a_plain_one_is_marked_by_the_plain_query():
    """The fast path's table of letters misses none of the Basic Multilingual Plane's."""
    from vnsearch.text import normalize_word

    letters = [chr(code) for code in range(0x80, 0x10000) if chr(code).isalpha()]
    for letter in letters:
        word = normalize_word(letter)
        plain = fold(word)
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and word == letter:
            text = f"Dân số {letter} tăng"
            assert match_spans(text, {plain}) == [(7, 8, plain)], hex(ord(letter))
