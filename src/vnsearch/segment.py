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
string.  pyvi (and the scikit-learn it pulls in) is imported on first use of
:func:`words` only, so query-time code that needs just syllables stays fast.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Syllable:
    """One pyvi token: its NFC text and where it sits in the original text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        """True for tokens that carry letters or digits (not punctuation)."""
        return any(ch.isalnum() for ch in self.text)


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
    from pyvi.ViTokenizer import ViTokenizer  # slow import: ~1.6 s

    return ViTokenizer.model.predict([ViTokenizer.sent2features(tokens, False)])[0]
