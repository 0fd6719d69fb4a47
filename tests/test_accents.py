"""Restoring diacritics: the likeliest accented readings, from an index's counts."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from vnsearch.accents import FORMS_PER_WORD, accented_forms, likely_forms, readings
from vnsearch.analysis import index_terms
from vnsearch.text import fold, has_diacritics, normalize_word

TEXT = """
Công tác dân số và kế hoạch hóa gia đình được triển khai ở khắp các xã.
Quy mô dân số tỉnh Cao Bằng tăng chậm; chất lượng dân số được nâng lên.
Người dân được hướng dẫn chăm sóc sức khỏe sinh sản.
Cán bộ dân số dẫn đoàn về bản, dần dần người dân hiểu chính sách dân số.
Ông ghi số điện thoại vào sổ. Bà bán bánh ở chợ, bạn bè đến mua.
"""


def index_frequency(text: str):
    """Term counts as a vnsearch index holds them (folded forms included)."""
    counts = Counter(index_terms(text))
    return lambda term: counts[term]


def counted(counts: dict[str, int]):
    """A stand-in for an index's counts: those given, 0 for any other term."""
    return lambda term: counts.get(term, 0)


def best(words: str, frequency) -> str:
    return " ".join(readings(words.split(), frequency)[0].words)


def test_accented_forms_spell_every_vowel_and_tone() -> None:
    forms = accented_forms("dan")
    for form in ["dan", "dân", "dần", "dẫn", "đàn", "đan", "dán", "dạn"]:
        assert form in forms
    assert len(forms) == len(set(forms)) == 2 * 3 * 6  # d/đ × a/ă/â × six tones


def test_accented_forms_place_tones_as_the_index_does() -> None:
    assert "hòa" in accented_forms("hoa")  # not hoà: the index normalises to hòa
    assert "hoà" not in accented_forms("hoa")
    assert "người" in accented_forms("nguoi")


def test_words_with_diacritics_digits_or_no_vowel_are_themselves() -> None:
    assert accented_forms("dân") == ("dân",)
    assert accented_forms("2024") == ("2024",)
    assert accented_forms("covid19") == ("covid19",)


def test_the_index_frequent_reading_comes_first() -> None:
    frequency = index_frequency(TEXT)
    assert best("dan so", frequency) == "dân số"
    assert best("suc khoe sinh san", frequency) == "sức khỏe sinh sản"
    assert best("ke hoach hoa gia dinh", frequency) == "kế hoạch hóa gia đình"


def test_a_compound_outweighs_each_word_on_its_own() -> None:
    # "đàn" and "sở" are each the commoner form, but the index knows "dân_số"
    counts = {"dan": 60, "đàn": 30, "dân": 10, "so": 60, "sở": 30, "số": 10,
              "dan_so": 8, "dân_số": 8}  # fmt: skip
    frequency = counted(counts)
    assert best("dan so", frequency) == "dân số"
    assert best("dan", frequency) == "đàn"
    assert best("so", frequency) == "sở"


def test_a_compound_of_three_words_counts_too() -> None:
    # "mình" and "chỉ" are commoner on their own; the index knows "hồ_chí_minh"
    counts = {"ho": 50, "hồ": 20, "họ": 30, "chi": 90, "chỉ": 50, "chí": 40,
              "minh": 80, "mình": 60, "ho_chi_minh": 20, "hồ_chí_minh": 20}  # fmt: skip
    frequency = counted(counts)
    assert best("ho chi minh", frequency) == "hồ chí minh"
    assert best("chi minh", frequency) == "chỉ mình"


def test_a_rare_form_that_makes_a_compound_is_tried() -> None:
    # "dạ" is the rarest form of "da", left out on its own; the index knows "dạ_dày"
    counts = {"da": 900, "đã": 500, "da_": 0, "đa": 200, "dà": 100, "đà": 50, "dạ": 5,
              "day": 300, "đây": 150, "đầy": 100, "dày": 20, "da_day": 5, "dạ_dày": 5}  # fmt: skip
    frequency = counted(counts)
    assert len([f for f in accented_forms("da") if counts.get(f) and f != "da"]) > FORMS_PER_WORD
    assert best("da day", frequency) == "dạ dày"
    assert best("da", frequency) == "đã"


def test_likely_forms_weigh_each_form_in_context() -> None:
    counts = {"thu": 60, "thu_": 0, "thủ": 5, "thứ": 20, "duc": 40, "dục": 30, "đức": 5,
              "thu_duc": 5, "thủ_đức": 5, "giao": 10, "giáo": 10, "giao_duc": 10, "giáo_dục": 10}  # fmt: skip
    frequency = counted(counts)
    thu, duc = likely_forms(["thu", "duc"], frequency)
    assert thu["thủ"] == duc["đức"] == 1.0  # the likeliest, in context
    assert duc.get("dục", 0.0) < 0.1
    giao, duc = likely_forms(["giao", "duc"], frequency)
    assert duc["dục"] == 1.0 and duc.get("đức", 0.0) < 0.1


def test_likelihoods_rank_readings_and_add_up_to_at_most_one() -> None:
    found = readings(["ban"], index_frequency(TEXT + " Bàn bạc. Cái bàn. Bản tin."))
    likelihoods = [r.likelihood for r in found]
    assert likelihoods == sorted(likelihoods, reverse=True)
    assert 0 < sum(likelihoods) <= 1 + 1e-9
    assert {r.words[0] for r in found} >= {"bàn", "bán", "bạn"}


def test_typed_diacritics_and_unknown_words_are_kept() -> None:
    frequency = index_frequency(TEXT)
    assert best("dân so", frequency) == "dân số"
    assert best("xyzzy dan", frequency) == "xyzzy dân"
    assert readings(["zzz"], frequency)[0].words == ("zzz",)


words = st.text(alphabet="abcdeghiklmnopqrstuvxyđâêôơư0123456789", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=5))
def test_every_reading_spells_the_typed_words(typed: list[str]) -> None:
    frequency = index_frequency(TEXT)
    for reading in readings(typed, frequency):
        assert len(reading.words) == len(typed)
        for word, restored in zip(typed, reading.words):
            if has_diacritics(word):
                assert restored == word
            else:
                assert fold(restored) == word
                assert restored == normalize_word(restored)
