"""Valid Vietnamese syllables: real text passes, typos and foreign words do not."""

from __future__ import annotations

import re
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import VNTC, needs_vntc
from vnsearch.syllables import RHYMES, could_be_syllable, is_syllable
from vnsearch.text import fold, has_diacritics

SENTENCES = [
    "Ủy ban nhân dân thành phố Hồ Chí Minh vừa tổ chức hội nghị tổng kết công tác phòng chống dịch",
    "Người dân khỏe mạnh, thuở ấy quyết định nghiêng ngả khuya khoắt",
    "Huỳnh Quỳnh oanh khuếch trương",
    "Đắk Lắk",
    "giữa gì gìn thuở yêu quyện nghỉ kỹ ngoằn ngoèo",
    "Khuya khoắt, khuỷu tay huých nhau; quốc gia yên bình, giếng nước láng giềng",
    "Chim yểng hót, xoong nồi, quần soóc, huơ tay, quở trách, quí hoá, pin sạc",
]
WORDS = [word for sentence in SENTENCES for word in re.findall(r"\w+", sentence)]


@pytest.mark.parametrize("word", WORDS)
def test_real_syllables(word: str) -> None:
    assert is_syllable(word)
    assert is_syllable(unicodedata.normalize("NFD", word))
    assert is_syllable(word.upper())
    assert is_syllable(word.lower())
    assert could_be_syllable(fold(word))


@pytest.mark.parametrize(
    "word",
    ["hoà", "hòa", "thuỷ", "thủy", "khoẻ", "khỏe", "quý", "quí", "kỳ", "kì", "lý", "lí", "Vy", "xoã", "xõa",
     "đaị", "nguời"],
)
def test_either_tone_placement_or_spelling(word: str) -> None:
    """Spellings normalize_word makes one: tone placement, i/y, and slips it mends (đaị, nguời)."""
    assert is_syllable(word)
    assert is_syllable(unicodedata.normalize("NFD", word))


ISSUE_WORDS = ["bóng", "đá", "vàng", "hoà", "hòa", "bàn", "bán", "bạn", "bản", "bác", "bạc"]


@pytest.mark.parametrize("word", ISSUE_WORDS)
def test_issue_words_are_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "ngườii", "ducc", "bóngg", "vàngg", "hóaa", "nguoii", "tphcm", "ubnd", "covid", "internet",
        "facebook", "kà", "ghà", "ngha", "cí", "qa", "bàc", "bảc", "bãc", "ácc", "gha", "ke̛", "coa",
        "bóa", "iêu", "tyêu", "ơng", "ba1", "b́a", "hóà", "việtnam", "ʻokina", "ça", "",
    ],
)  # fmt: skip
def test_non_syllables(word: str) -> None:
    assert not is_syllable(word)
    assert not is_syllable(word.upper())


def test_stop_codas_take_only_sac_or_nang() -> None:
    for rhyme in ("ac", "ach", "ap", "at", "ăk"):
        marked = {
            tone: unicodedata.normalize("NFC", "b" + rhyme[0] + tone + rhyme[1:])
            for tone in "\u0300\u0301\u0309\u0303\u0323"
        }
        assert [tone for tone, word in marked.items() if is_syllable(word)] == ["\u0301", "\u0323"], rhyme
        assert not is_syllable("b" + rhyme)


def test_rhyme_count() -> None:
    assert 150 <= len(RHYMES) <= 165


@pytest.mark.parametrize(
    "word", ["nguoi", "duc", "dan", "so", "ban", "hoa", "thuy", "khoe", "quyet", "nghieng", "NGUOI", "Duong"]
)
def test_could_be_syllable(word: str) -> None:
    assert could_be_syllable(word)


@pytest.mark.parametrize("word", ["nguoii", "ducc", "tphcm", "ubnd", "xyz", "", "covid", "ka", "qa", "ngha"])
def test_could_not_be_syllable(word: str) -> None:
    assert not could_be_syllable(word)


def test_could_be_syllable_with_diacritics_is_is_syllable() -> None:
    for word in ("người", "ngườii", "bàc", "bác", "đá", "đaá"):
        assert could_be_syllable(word) == is_syllable(word)


# Letters Vietnamese is written with, plus a few others, to hit syllables often.
_LETTERS = "abcdeghiklmnopqrstuvxyđăâêôơư\u0300\u0301\u0309\u0303\u0323"  # + the tone marks
_near_words = st.text(alphabet=_LETTERS, min_size=1, max_size=8)
_any_text = st.text(max_size=20)


@settings(deadline=None)  # the first call builds the tables: no time limit on a busy machine
@given(st.one_of(_any_text, _near_words))
def test_never_raises(word: str) -> None:
    assert isinstance(is_syllable(word), bool)
    assert isinstance(could_be_syllable(word), bool)


@settings(deadline=None)  # the first call builds the tables: no time limit on a busy machine
@given(st.one_of(_any_text, _near_words))
def test_case_and_normal_form_do_not_matter(word: str) -> None:
    assert is_syllable(word) == is_syllable(word.upper())
    assert is_syllable(unicodedata.normalize("NFD", word)) == is_syllable(unicodedata.normalize("NFC", word))


@settings(deadline=None)  # the first call builds the tables: no time limit on a busy machine
@given(st.one_of(_any_text, _near_words))
def test_syllable_folds_to_a_possible_syllable(word: str) -> None:
    if is_syllable(word):
        assert could_be_syllable(fold(word))


#: How many VNTC articles the corpus check reads, and the share of accented
#: tokens that must be syllables (the rest: foreign names, typos, run-ons).
CORPUS_ARTICLES = 300
CORPUS_SHARE = 0.99


def _vntc_tokens(limit: int) -> Counter[str]:
    """Lowercase alphabetic tokens of the first `limit` articles of VNTC (UTF-16LE, CRLF)."""
    tokens: Counter[str] = Counter()
    with tarfile.open(VNTC, "r|gz") as tar:
        read = 0
        for member in tar:
            if not member.isfile():
                continue
            raw = tar.extractfile(member)
            assert raw is not None
            text = raw.read().decode("utf-16")
            words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text))
            tokens.update(word for word in words if word.islower())
            read += 1
            if read >= limit:
                break
    return tokens


@needs_vntc
def test_vntc_accented_words_are_syllables() -> None:
    assert Path(VNTC).exists()
    tokens = _vntc_tokens(CORPUS_ARTICLES)
    accented = {t: n for t, n in tokens.items() if has_diacritics(t)}
    invalid = Counter({t: n for t, n in accented.items() if not is_syllable(t)})
    total = sum(accented.values())
    share = 1 - sum(invalid.values()) / total
    assert total > 50_000
    assert share >= CORPUS_SHARE, f"{share:.4%} valid; commonest invalid: {invalid.most_common(30)}"
