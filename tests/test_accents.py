"""Restoring diacritics from the words an index holds."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from vnsearch.accents import accented_forms, restore
from vnsearch.text import fold


def test_every_accented_form_is_spelled_out():
    forms = accented_forms("co")
    for word in ["co", "có", "cô", "cơ", "cờ", "cổ", "cọ", "cộ", "cỡ"]:
        assert word in forms
    assert "dân" in accented_forms("dan") and "đàn" in accented_forms("dan")
    assert "người" in accented_forms("nguoi")
    assert "khỏe" in accented_forms("khoe") and "hòa" in accented_forms("hoa")


def test_words_with_diacritics_or_digits_are_left_alone():
    assert accented_forms("dân") == ["dân"]
    assert accented_forms("2024") == ["2024"]
    assert accented_forms("covid-19") == ["covid-19"]


@given(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=7))
def test_forms_fold_back_to_the_word(word):
    assert all(fold(form) == word for form in accented_forms(word))


def index(*words: str):
    """A toy frequency function: exact words, compounds and folded words, as the index stores them."""
    counts = Counter()
    for word in words:
        counts[word] += 1
        counts[fold(word)] += 1
    return lambda term: counts[term]


def test_most_frequent_form_wins():
    frequency = index("có", "có", "có", "cô", "cơ")
    assert restore(["co"], frequency) == ["có"]


def test_compounds_choose_neighbouring_words_together():
    # "dần" alone is more frequent, but "dân_số" is a known compound
    frequency = index("dần", "dần", "dần", "dần", "số", "sổ", "sổ", "dân_số", "dân")
    assert restore(["dan", "so"], frequency) == ["dân", "số"]


def test_a_word_the_text_has_without_accents_stays():
    frequency = index("vaccine", "vaccine", "vaccine", "văccine")
    assert restore(["vaccine"], frequency) == ["vaccine"]


def test_accented_and_unknown_words_come_back_unchanged():
    frequency = index("dân")
    assert restore(["dân", "xyz", "2024"], frequency) == ["dân", "xyz", "2024"]
