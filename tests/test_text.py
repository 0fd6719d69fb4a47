"""Tests for vnsearch.text: tone placement, folding, accent detection."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vnsearch.text import fold, has_diacritics, normalize_word


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


CANONICAL = [
    # new style -> traditional style
    ("hoà", "hòa"),
    ("khoẻ", "khỏe"),
    ("thuỷ", "thủy"),
    ("Hoá", "hóa"),
    ("uý", "úy"),
    ("khuỷu", "khuỷu"),
    # misplaced marks
    ("đaị", "đại"),
    ("gìa", "già"),
    ("qủy", "quỷ"),
    ("nguời", "người"),
    ("ngươì", "người"),
    ("muà", "mùa"),
    ("tiá", "tía"),
    ("giừơng", "giường"),
    ("nưóc", "nước"),  # half-horned ươ before a final is a typing slip
    ("thuởng", "thưởng"),
    ("cưả", "cửa"),
    ("hoáng", "hoáng"),
    ("hóang", "hoáng"),
    ("huynh", "huynh"),
    ("hùynh", "huỳnh"),
    ("khóai", "khoái"),
    ("xóay", "xoáy"),
    ("qúyêt", "quyết"),
    # already correct words stay
    ("mưa", "mưa"),
    ("thuở", "thuở"),
    ("khuya", "khuya"),
    ("hoàng", "hoàng"),
    ("huỳnh", "huỳnh"),
    ("khoái", "khoái"),
    ("xoáy", "xoáy"),
    ("quyết", "quyết"),
    ("giữ", "giữ"),
    ("gì", "gì"),
    ("gìn", "gìn"),
    ("già", "già"),
    ("quỷ", "quỷ"),
    ("người", "người"),
    ("nghĩa", "nghĩa"),
    ("tài", "tài"),
    ("mía", "mía"),
    ("múa", "múa"),
    ("gửi", "gửi"),
    ("Đắk", "đắk"),
    # uppercase input
    ("HOÀ", "hòa"),
    ("THUỶ", "thủy"),
    ("NGƯỜI", "người"),
    ("ĐẠI", "đại"),
]


@pytest.mark.parametrize("word, expected", CANONICAL)
def test_normalize_word(word, expected):
    assert normalize_word(word) == nfc(expected)


@pytest.mark.parametrize("word, expected", CANONICAL)
def test_normalize_word_nfd_input(word, expected):
    assert normalize_word(nfd(word)) == normalize_word(nfc(word)) == nfc(expected)


def test_normalize_word_returns_nfc():
    assert unicodedata.is_normalized("NFC", normalize_word(nfd("nguời")))
    assert unicodedata.is_normalized("NFC", normalize_word(nfd("Trường")))


@pytest.mark.parametrize(
    "word",
    ["", "123", "Hello", "café", "señor", "naïve", "Zürich", "résumé",
     "hoà-bình", "hoà1", "hoàà", "a b", "dân số", "x²", "🙂"],
)
def test_non_syllables_only_lowercased(word):
    assert normalize_word(word) == nfc(word).lower()


def test_ascii_fast_path():
    assert normalize_word("VIETNAM") == "vietnam"
    assert normalize_word("Hoa") == "hoa"


def test_fold():
    assert fold("Đường dân số") == "Duong dan so"
    assert fold("khỏe") == "khoe"
    assert fold(nfd("Người Việt")) == "Nguoi Viet"
    assert fold("TIẾNG VIỆT") == "TIENG VIET"
    assert fold("đ Đ") == "d D"
    assert fold("") == ""
    assert fold("plain ascii 123") == "plain ascii 123"


def test_has_diacritics():
    assert has_diacritics("dan so") is False
    assert has_diacritics("dân số") is True
    assert has_diacritics("đ") is True
    assert has_diacritics("Đ") is True
    assert has_diacritics("") is False
    assert has_diacritics(nfd("số")) is True


def test_sentence_words():
    sentence = "Thủ đô Hà Nội có khí hậu nhiệt đới gió mùa, mùa hè nóng ẩm"
    words = [w.strip(",") for w in sentence.split()]
    assert [normalize_word(w) for w in words] == [w.lower() for w in words]
    old = "Nước Việt Nam hoà bình, sức khoẻ là vàng, thuỷ điện"
    new = "nước việt nam hòa bình, sức khỏe là vàng, thủy điện"
    assert " ".join(normalize_word(w) for w in old.split()) == new


# --- property tests -------------------------------------------------------

_VOWEL_LETTERS = "aăâeêioôơuưy"
_CONSONANT_LETTERS = "bcdđghklmnpqrstvx"
_TONE_MARKS = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
_LOWER_LETTERS = [nfc(v + t) for v in _VOWEL_LETTERS for t in _TONE_MARKS]
_LOWER_LETTERS += list(_CONSONANT_LETTERS)
VIETNAMESE_LETTERS = _LOWER_LETTERS + [c.upper() for c in _LOWER_LETTERS]
vietnamese_words = st.text(alphabet=VIETNAMESE_LETTERS, max_size=8)


@given(st.text())
def test_never_raises(text):
    assert isinstance(normalize_word(text), str)
    assert isinstance(fold(text), str)
    assert isinstance(has_diacritics(text), bool)


@given(st.text())
def test_normalize_word_idempotent_any_text(text):
    once = normalize_word(text)
    assert normalize_word(once) == once


@given(vietnamese_words)
def test_normalize_word_idempotent(word):
    once = normalize_word(word)
    assert normalize_word(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(vietnamese_words)
def test_normalize_only_moves_marks(word):
    assert fold(normalize_word(word)) == nfc(fold(word).lower())


@given(vietnamese_words)
def test_fold_nfd_equals_nfc(word):
    assert fold(nfd(word)) == fold(nfc(word))
    assert not has_diacritics(fold(word))


INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l",
            "m", "n", "ng", "ngh", "nh", "ph", "qu", "r", "s", "t", "th", "tr",
            "v", "x"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
          "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu",
          "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô",
          "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê",
          "iêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu",
          "ươi", "ươu", "yêu"]
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]


@st.composite
def syllables_with_tone_anywhere(draw):
    """One syllable spelled with its tone mark on each of its vowels in turn."""
    initial = draw(st.sampled_from(INITIALS))
    nucleus = draw(st.sampled_from(NUCLEI))
    final = draw(st.sampled_from(FINALS))
    tone = draw(st.sampled_from(_TONE_MARKS[1:]))
    letters = list(initial + nucleus + final)
    # Every vowel, including the u of "qu" and the i of "gi" (qủy, gìa).
    vowel_positions = [i for i, c in enumerate(letters) if c in _VOWEL_LETTERS]
    variants = []
    for pos in vowel_positions:
        marked = letters.copy()
        marked[pos] = nfc(marked[pos] + tone)
        variants.append("".join(marked))
    upper = draw(st.booleans())
    return [v.upper() if upper else v for v in variants]


@given(syllables_with_tone_anywhere())
def test_old_and_new_style_agree(variants):
    results = {normalize_word(v) for v in variants}
    assert len(results) == 1, (variants, results)
    (result,) = results
    assert fold(result) == fold(variants[0]).lower()
