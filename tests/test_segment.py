"""Segmentation: the same words as pyvi, with offsets into the original text."""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnsearch.segment import nfc_map, syllables, words

SEEDS = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_same_words_as_pyvi(path):
    from pyvi import ViTokenizer

    text = path.read_text(encoding="utf-8")
    ours = ["_".join(s.text for s in word) for word in words(text) if word[0].text != "\n"]
    assert ours == ViTokenizer.tokenize(text).split()


def test_compound_words_group_their_syllables():
    text = "Công tác dân số và kế hoạch hóa gia đình"
    found = [" ".join(s.text for s in word) for word in words(text)]
    assert "dân số" in found
    assert "gia đình" in found


def test_offsets_slice_the_original_decomposed_text():
    text = unicodedata.normalize("NFD", "Hội nghị dân số năm 2024")
    sylls = syllables(text)
    assert [s.text for s in sylls] == ["Hội", "nghị", "dân", "số", "năm", "2024"]
    for s in sylls:
        assert unicodedata.normalize("NFC", text[s.start : s.end]) == s.text


def test_nfc_map_points_every_character_back():
    text = "Ho\u0300a bi\u0300nh"
    normal, starts, ends = nfc_map(text)
    assert normal == "Hòa bình"
    assert text[starts[1] : ends[1]] == "o\u0300"


@settings(max_examples=300)
@given(st.text())
def test_syllable_offsets_always_slice_the_original(text):
    for s in syllables(text):
        assert 0 <= s.start < s.end <= len(text)
        # the slice is the token, or the whole characters (with their stray
        # combining marks) the token was cut from
        assert s.text in unicodedata.normalize("NFC", text[s.start : s.end])


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_same_crf_features_and_labels_as_pyvi(path):
    from pyvi.ViTokenizer import ViTokenizer

    from vnsearch.segment import _crf_labels, _features

    tokens = [s.text for s in syllables(path.read_text(encoding="utf-8"))]
    expected = ViTokenizer.sent2features(tokens, False)
    assert _features(tokens) == [_as_crfsuite_reads(f) for f in expected]
    assert _crf_labels(tokens) == list(ViTokenizer.model.predict([expected])[0])


def _as_crfsuite_reads(features: dict) -> list[str]:
    """pyvi's feature dict as python-crfsuite's attributes, zero weights left out."""
    out = []
    for name, value in features.items():
        if isinstance(value, str):
            out.append(f"{name}:{value}")
        elif value:
            assert value == 1.0
            out.append(name)
    return out


def test_indexing_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys; from vnsearch.segment import words; words('Dân số Việt Nam');"
        "print('sklearn' in sys.modules, 'pyvi.ViTokenizer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
