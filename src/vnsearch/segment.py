"""Syllables and words of Vietnamese text, with offsets into the original.

pyvi's tokenizer returns rewritten text (NFC, ``_`` between the syllables of
a word, spaces around punctuation) and no offsets.  Highlighting needs to know
where each word sits in the text the user wrote, so this module does pyvi's
two steps itself on a character map of the original text:

1. :func:`syllables` splits text with pyvi's own syllable pattern, and
2. :func:`words` asks pyvi's CRF model which syllables belong together,
   joining them by pyvi's own rule.

The result is the same segmentation as ``pyvi.ViTokenizer.tokenize``, with
every syllable carrying ``start``/``end`` offsets that slice the original
string.  pyvi's model is loaded on first use of :func:`words` only, straight
into python-crfsuite (not through scikit-learn), so query-time code that needs
just syllables never pays for it.
"""

from __future__ import annotations

import functools
import importlib.util
import pickle
import re
import string
import unicodedata
from pathlib import Path
from typing import NamedTuple

__all__ = ["Syllable", "syllables", "words", "nfc_map"]

# pyvi 0.1.1's syllable pattern (ViTokenizer.sylabelize), verbatim, so the CRF
# sees exactly the tokens it was trained on.
_PATTERN = re.compile(
    "("
    + "|".join(
        [
            r"[A-ZĐ]+\.",
            r"Tp\.",
            r"Mr\.",
            r"Mrs\.",
            r"Ms\.",
            r"Dr\.",
            r"ThS\.",
            r"==>",
            r"->",
            r"\.\.\.",
            r">>",
            "\n",
            r"\w+://[^\s]+",
            r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
            r"\d+([\.,_]\d+)+",
            r"[^\w\s]",
            r"\w+",
        ]
    )
    + ")",
    re.UNICODE,
)
_PUNCTUATION = frozenset(string.punctuation)


class Syllable(NamedTuple):
    """One pyvi token: its NFC text and where it sits in the original text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        """True for tokens that carry letters or digits (not punctuation)."""
        return any(ch.isalnum() for ch in self.text)


#: ``Syllable((text, start, end))`` without NamedTuple's Python-level constructor.
_syllable = functools.partial(tuple.__new__, Syllable)


def nfc_map(text: str) -> tuple[str, list[int], list[int]]:
    """NFC-normalise ``text`` and map every output character back to it.

    Returns ``(normalised, starts, ends)``: character ``i`` of ``normalised``
    comes from ``text[starts[i]:ends[i]]``.  Each base character is
    normalised together with the combining marks that follow it, so a
    composed character maps to the whole decomposed sequence it came from.
    """
    if unicodedata.is_normalized("NFC", text):
        offsets = list(range(len(text)))
        return text, offsets, [i + 1 for i in offsets]
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        pieces.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return "".join(pieces), starts, ends


def syllables(text: str) -> list[Syllable]:
    """Split text into pyvi's tokens (syllables, numbers, URLs, punctuation)."""
    if unicodedata.is_normalized("NFC", text):  # most text: offsets are the match's
        return [_syllable((m.group(), *m.span())) for m in _PATTERN.finditer(text)]
    normal, starts, ends = nfc_map(text)
    return [
        Syllable(m.group(), starts[m.start()], ends[m.end() - 1])
        for m in _PATTERN.finditer(normal)
    ]


def words(text: str) -> list[list[Syllable]]:
    """Segment text into words, each a list of the syllables it is made of.

    ``dân số`` comes back as one word of two syllables; punctuation comes
    back as one-syllable words, as pyvi returns them.
    """
    sylls = syllables(text)
    if not sylls:
        return []
    labels = _crf_labels([s.text for s in sylls])
    result: list[list[Syllable]] = [[sylls[0]]]
    for i in range(1, len(sylls)):
        if labels[i] == "I_W" and _joinable(sylls[i - 1].text, sylls[i].text):
            result[-1].append(sylls[i])
        else:
            result.append([sylls[i]])
    return result


def _joinable(prev: str, cur: str) -> bool:
    """pyvi's rule for when an I_W label really continues the word."""
    return (
        cur not in _PUNCTUATION
        and prev not in _PUNCTUATION
        and not cur[0].isdigit()
        and not prev[0].isdigit()
        and not (cur[0].istitle() and not prev[0].istitle())
    )


def _crf_labels(tokens: list[str]) -> list[str]:
    """B_W/I_W labels from pyvi's CRF model for one sequence of tokens."""
    return _model().tagger.tag(_features(tokens))


@functools.cache
def _model() -> "_Model":
    """pyvi's CRF tagger and its word lists, read straight from pyvi's wheel.

    pyvi unpickles a scikit-learn wrapper (``sklearn_crfsuite.CRF``) around a
    python-crfsuite model, which costs a second of imports; the model bytes
    inside it are all the tagging needs, so they are fed to python-crfsuite
    directly.  Same model, same labels.
    """
    import pycrfsuite

    models = Path(importlib.util.find_spec("pyvi").submodule_search_locations[0]) / "models"
    with open(models / "pyvi3.pkl", "rb") as f:
        crf = _StubUnpickler(f).load()
    model = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    grams = (models / "words.txt").read_text(encoding="utf-8").split("\n")
    bi = frozenset(g for g in grams if len(g.split(" ")) == 2)
    tri = frozenset(g for g in grams if len(g.split(" ")) == 3)
    # python-crfsuite reads the model from its buffer as it tags: keep it alive
    return _Model(tagger, model, bi, tri)


class _Model(NamedTuple):
    tagger: object
    buffer: bytes
    bi_grams: frozenset[str]
    tri_grams: frozenset[str]


class _Stub:
    """Stands in for any class in pyvi's pickle; keeps its state."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state


class _StubUnpickler(pickle.Unpickler):
    """Unpickles without importing scikit-learn or numpy."""

    def find_class(self, module: str, name: str):
        if module in ("builtins", "copyreg", "_codecs"):
            return super().find_class(module, name)
        return _Stub


def _features(tokens: list[str]) -> list[list[str]]:
    """pyvi's CRF features (``ViTokenizer.word2features``), as python-crfsuite reads them.

    pyvi gives the tagger one dict per token; python-crfsuite turns
    ``{"word.lower()": "dân"}`` into the attribute ``word.lower():dân`` and
    ``{"word.istitle()": False}`` into an attribute of weight 0, which adds
    nothing to any score.  Naming the attributes directly, in pyvi's order and
    without the zero ones, gives the tagger the same scores for a third of the
    work; a token's own attributes are made once for every time it occurs.
    """
    bi, tri = _model().bi_grams, _model().tri_grams
    n = len(tokens)
    facts = [_token_features(t) for t in tokens]
    lower = [f[3] for f in facts]
    # bigram[i]: tokens i-1 and i are a known word; trigram[i]: tokens i-2 .. i
    bigram = [False] + [f"{a} {b}" in bi for a, b in zip(lower, lower[1:])]
    trigram = [False, False] + [f"{a} {b} {c}" in tri for a, b, c in zip(lower, lower[1:], lower[2:])]
    out = []
    for i in range(n):
        f = ["bias", *facts[i][0]]
        if i > 0:
            f += facts[i - 1][1]
            if bigram[i]:
                f.append("-1:word.bi_gram()")
            if trigram[i]:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            f += facts[i + 1][2]
            if bigram[i + 1]:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and trigram[i + 2]:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _token_features(token: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """A token's attributes as itself, as the token before, as the token after; and its lowercase."""
    lower = token.lower()
    title, upper = token.istitle(), token.isupper()
    own = ("word.lower():" + lower,) + ("word.isupper()",) * upper + ("word.istitle()",) * title
    own += ("word.isdigit()",) * token.isdigit()
    before = ("-1:word.lower():" + lower,) + ("-1:word.istitle()",) * title + ("-1:word.isupper()",) * upper
    after = ("+1:word.lower():" + lower,) + ("+1:word.istitle()",) * title + ("+1:word.isupper()",) * upper
    return own, before, after, lower
