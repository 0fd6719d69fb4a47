"""Query text to Whoosh queries, without an index (vnsearch.queries)."""

from __future__ import annotations

import datetime as dt

import pytest
from whoosh import query as wq

from vnsearch.errors import QueryError
from vnsearch.queries import (
    MAX_QUERY_CHARS,
    check_size,
    compounds,
    filter_query,
    parse,
    parse_date,
    positive_words,
    to_date,
    without_boosts,
)
from vnsearch.schema import QUERY_FIELDS, make_schema

SCHEMA = make_schema()


def terms(q: wq.Query) -> set[tuple[str, str]]:
    return {(leaf.fieldname, leaf.text) for leaf in q.leaves() if isinstance(leaf, wq.Term)}


def test_words_are_all_required_in_title_or_body() -> None:
    q = without_boosts(parse("dân số", SCHEMA))
    assert isinstance(q, wq.And)
    assert {("title", "dân"), ("body", "dân"), ("title", "số"), ("body", "số")} <= terms(q)


def test_any_terms_needs_one_word() -> None:
    assert isinstance(without_boosts(parse("dân số", SCHEMA, any_terms=True)), wq.Or)


def test_adjacent_words_add_optional_compounds() -> None:
    q = parse("kế hoạch hóa gia đình", SCHEMA)
    assert isinstance(q, wq.AndMaybe)
    boosts = {text for _, text in terms(q.b)}
    assert {"kế_hoạch", "hoạch_hóa", "gia_đình", "kế_hoạch_hóa"} <= boosts


def test_compounds_join_as_typed_or_folded() -> None:
    assert compounds(["dân", "số"]) == ["dân_số"]
    assert compounds(["dan", "so", "tang"]) == ["dan_so", "so_tang", "dan_so_tang"]
    assert compounds(["gia", "đình"]) == ["gia_đình"]  # one word with diacritics: as typed
    assert compounds(["dân"]) == []


def test_positive_words_leave_out_negated_ones() -> None:
    q = without_boosts(parse("Quảng Ninh NOT (bóng đá)", SCHEMA))
    assert positive_words(q) == ["quảng", "ninh"]


@pytest.mark.parametrize("text", ["dân số như thế nào?", "điều trị COVID-19 ở TP.HCM ?", "? dân số"])
def test_question_mark_is_punctuation(text: str) -> None:
    q = without_boosts(parse(text, SCHEMA, any_terms=True))
    assert not any(isinstance(leaf, wq.Wildcard) for leaf in q.leaves())


def test_question_mark_in_a_word_is_a_wildcard() -> None:
    q = without_boosts(parse("d?n", SCHEMA))
    assert any(isinstance(leaf, wq.Wildcard) for leaf in q.leaves())


@pytest.mark.parametrize("text", ["", "   ", '""', "("])
def test_a_query_without_words_is_refused(text: str) -> None:
    with pytest.raises(QueryError):
        parse(text, SCHEMA)


@pytest.mark.parametrize("text", ["NOT dân", "(NOT dân) OR (NOT số)", "NOT bóng NOT đá"])
@pytest.mark.parametrize("any_terms", [False, True])
def test_a_query_that_only_leaves_words_out_says_so(text: str, any_terms: bool) -> None:
    with pytest.raises(QueryError, match=r"only leaves words out \(NOT …\): add a word"):
        parse(text, SCHEMA, any_terms=any_terms)
    parse(text.replace("NOT ", "y tế NOT ", 1), SCHEMA, any_terms=any_terms)  # one word to find is enough


def test_a_query_whoosh_cannot_read_names_what_to_check() -> None:
    with pytest.raises(QueryError) as error:
        parse("NOT NOT dân", SCHEMA)
    assert str(error.value) == "cannot understand the query: check its AND, OR, NOT, quotes and parentheses"


def test_unknown_field_names_the_fields() -> None:
    with pytest.raises(QueryError, match="unknown field 'tác_giả:'") as error:
        parse("tác_giả:Lộc", SCHEMA)
    assert all(name in str(error.value) for name in QUERY_FIELDS)
    parse('author:"Trần Lộc" https://baocaobang.vn', SCHEMA)  # fields and addresses are fine


def test_check_size_refuses_a_pasted_page() -> None:
    check_size("dân số " * 100)
    with pytest.raises(QueryError, match="too long"):
        check_size("dân số " * (MAX_QUERY_CHARS // 7 + 1))


def test_filter_query() -> None:
    assert filter_query(None, None, None, None) is None
    q = filter_query(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "https://www.baocaobang.vn/a", "/the-thao/")
    assert wq.Term("site", "baocaobang.vn") in q.subqueries
    assert wq.Term("category", "the-thao") in q.subqueries
    (dates,) = [sub for sub in q.subqueries if isinstance(sub, wq.DateRange)]
    assert dates.startdate == dt.datetime(2024, 1, 1)
    assert dates.enddate == dt.datetime(2024, 1, 31, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("text", "end", "day"),
    [
        ("2024-01-31", False, dt.date(2024, 1, 31)),
        ("31/01/2024", False, dt.date(2024, 1, 31)),
        ("2024-02", False, dt.date(2024, 2, 1)),
        ("2024-02", True, dt.date(2024, 2, 29)),
        ("2024", False, dt.date(2024, 1, 1)),
        ("2024", True, dt.date(2024, 12, 31)),
    ],
)
def test_parse_date(text: str, end: bool, day: dt.date) -> None:
    assert parse_date(text, end=end) == day


@pytest.mark.parametrize("text", ["2024-13-45", "31/02/2024", "hôm qua"])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(QueryError, match="bad date"):
        parse_date(text)


def test_to_date_takes_dates_and_text() -> None:
    assert to_date(None) is None
    assert to_date(dt.date(2024, 5, 6)) == dt.date(2024, 5, 6)
    assert to_date("2024", end=True) == dt.date(2024, 12, 31)
    with pytest.raises(TypeError):
        to_date(2024)


def test_any_word_queries_expand_abbreviations_and_long_forms_too() -> None:
    from vnsearch import abbreviations
    from vnsearch.queries import with_abbreviations

    table = abbreviations.Table(abbreviations.builtin())
    for text, also in (("ủy ban nhân dân tỉnh họp", ["UBND"]), ("UBND tỉnh họp", ["Ủy ban nhân dân"])):
        parsed = without_boosts(parse(text, SCHEMA, any_terms=True))
        expanded, shown = with_abbreviations(parsed, table, text)
        assert shown == also
        # the words left alone stay in the one OR the parser made
        assert {leaf.text for leaf in expanded.subqueries if isinstance(leaf, wq.Term)} == {"tỉnh", "họp"}
