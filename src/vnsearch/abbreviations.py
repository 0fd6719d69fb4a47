"""Vietnamese abbreviations and their long forms.

Vietnamese news writes institutions both ways -- ``UBND`` and ``Ủy ban nhân
dân``, ``TP.HCM``, ``TPHCM`` and ``Thành phố Hồ Chí Minh`` -- and readers type
either.  This module is the pure logic and data behind expanding one into the
other; it knows nothing of Whoosh or of the index.

Matching
    An abbreviation is known by its :func:`key` -- its letters and digits,
    folded and lowercased -- so ``TP.HCM``, ``TPHCM`` and ``Tp.HCM`` are one
    abbreviation; a long form by its :func:`long_key` -- its words, each
    :func:`~vnsearch.text.normalize_word`-ed -- so case and tone placement do
    not matter.  :func:`agrees` says whether an abbreviation's letters are the
    initials of a long form's syllables (``&`` standing for *và*).

File format
    The built-in list (``abbreviations.txt`` in this package) and a user's
    file share one format, read by :func:`parse`: one entry per line,
    ``ABBR = long form``; blank lines and lines starting with ``#`` are
    ignored.  ``!ABBR`` vetoes every long form of ABBR, ``!ABBR = long form``
    vetoes that one pair (a user's way to remove a built-in or learned pair).
    Every built-in entry must agree; a user's entry need not (``TW = Trung
    ương``, ``WTO = Tổ chức Thương mại Thế giới`` are the user's call).

Learning
    Articles define abbreviations inline -- ``Ủy ban nhân dân (UBND) tỉnh``.
    :func:`definitions` finds them; :func:`learned` keeps an abbreviation
    only when enough articles define it (``min_seen``) and nearly all of them
    with the same long form (``min_share``), so chance matches and
    abbreviations with competing meanings (``BTC``: Ban tổ chức or Bộ Tài
    chính) are left out.

:class:`Table` holds the pairs in use -- built-in, learned and the user's,
minus vetoes -- and looks them up both ways.  :func:`encode` and
:func:`decode` turn a pair into one index term and back.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from os import PathLike
from typing import TypeVar

from vnsearch.text import fold, has_diacritics, normalize_word

__all__ = [
    "Abbreviation",
    "Veto",
    "Table",
    "key",
    "long_key",
    "agrees",
    "parse",
    "load_file",
    "builtin",
    "definitions",
    "encode",
    "decode",
    "learned",
    "MIN_SEEN",
    "MIN_SHARE",
    "MIN_LETTERS",
]

#: Defaults of :func:`learned`, tuned on VNTC news (``benchmarks/abbreviations_precision.py``):
#: an inline definition is almost never wrong (the letters must be the run's
#: initials), so two articles suffice; what min_share weeds out is competing
#: meanings (``TT``: tổng thống, trọng tài, trực tiếp).  Every one of the 166
#: pairs kept from all 50,373 articles was right on reading.
MIN_SEEN = 2
MIN_SHARE = 0.8
#: Fewer letters than this are not learned: ``HS``, ``TQ``, ``ĐH`` (đại học or
#: đại hội?) clash with words and with each other at query time.
MIN_LETTERS = 3


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation and its long form, each as usually written."""

    short: str  # "UBND", "TP.HCM", "GD&ĐT"
    long: str  # "Ủy ban nhân dân"


@dataclass(frozen=True)
class Veto:
    """A pair (or, with ``long_key`` None, every pair) of an abbreviation not to use."""

    short_key: str
    long_key: tuple[str, ...] | None


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def key(short: str) -> str:
    """The variant-insensitive key of an abbreviation: its letters and digits, folded, lowercase.

    ``TP.HCM``, ``TPHCM``, ``TP HCM`` and ``Tp.HCM`` all give ``tphcm``;
    ``GD&ĐT`` gives ``gddt``.
    """
    return "".join(ch for ch in fold(_nfc(short)).lower() if ch.isalnum())


_WORD = re.compile(r"[^\W_]+|&")


def long_key(long: str) -> tuple[str, ...]:
    """The words of a long form, each normalised; punctuation dropped, ``&`` read as *và*.

    ``Ủy Ban nhân dân`` and ``Uỷ ban nhân dân`` both give
    ``("ủy", "ban", "nhân", "dân")``, so a long form matches whatever its case
    and tone placement.  Underscores split words, as pyvi joins compounds.
    """
    return tuple(
        "và" if word == "&" else normalize_word(word) for word in _WORD.findall(_nfc(long))
    )


# Characters an abbreviation may hold besides letters and digits.
_SHORT_PUNCTUATION = frozenset("&-.–— ")
_VA = "và"


def _short_tokens(short: str) -> list[str] | None:
    """The letters of an abbreviation, folded and lowercase, and its ``&``; None if it holds anything else."""
    tokens = []
    for ch in fold(_nfc(short)).lower():
        if ch == "&":
            tokens.append(ch)
        elif ch in _SHORT_PUNCTUATION:
            continue
        elif ch.isalpha():
            tokens.append(ch)
        else:
            return None  # digits (G7, H5N1) and anything else: not initials
    return tokens


def _align(letters: Sequence[str], words: Sequence[str]) -> bool:
    """Whether ``letters`` (with ``&``) are the initials of ``words`` (normalised).

    Each letter is one word's first letter (folded); ``&`` is a *và*; a *và*
    that is neither first nor last may also be skipped.
    """

    def match(i: int, j: int) -> bool:
        if i == len(letters):
            return j == len(words)
        if j == len(words):
            return False
        letter, word = letters[i], words[j]
        if letter == "&":
            if word == _VA:
                return match(i + 1, j + 1)
        elif fold(word[0]) == letter and match(i + 1, j + 1):
            return True
        return word == _VA and 0 < j < len(words) - 1 and match(i, j + 1)

    return match(0, 0)


def agrees(short: str, long: str) -> bool:
    """Whether an abbreviation's letters are the initials of a long form's syllables.

    Case-insensitive, Đ counting as D; the abbreviation may hold ``& - .``
    and spaces but no digits.  ``&`` stands for *và* (``GD&ĐT``: *Giáo dục và
    Đào tạo*) and a *và* may also go without a letter (``NN-PTNT``: *Nông
    nghiệp và Phát triển nông thôn*); hyphens and commas in the long form are
    ignored.  A syllable counts by its first letter only, digraphs too
    (``THPT``: *Trung học phổ thông*).
    """
    letters = _short_tokens(short)
    words = long_key(long)
    if not letters or sum(letter != "&" for letter in letters) < 2 or not words:
        return False
    if not all(word.isalpha() for word in words) or _VA in (words[0], words[-1]):
        return False
    return _align(letters, words)


# --------------------------------------------------------------------------- file format


def parse(
    text: str, source: str = "abbreviations", *, require_agreement: bool = False
) -> tuple[list[Abbreviation], list[Veto]]:
    """Read the abbreviation file format (see the module docstring): entries and vetoes.

    A bad line raises ``ValueError("<source>, line <n>: <reason>")``.  With
    ``require_agreement`` (the built-in list) an entry whose letters do not
    :func:`agrees` with its long form is a bad line; a user's file may add
    any pair.
    """
    entries: list[Abbreviation] = []
    vetoes: list[Veto] = []
    seen: dict[tuple[str, tuple[str, ...] | None, bool], int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue

        def bad(reason: str) -> ValueError:
            return ValueError(f"{source}, line {n}: {reason}")

        veto = line.startswith("!")
        if veto:
            line = line[1:].strip()
        if "=" in line:
            short, long = (side.strip() for side in line.split("=", 1))
            if "=" in long:
                raise bad('more than one "="')
            if not short:
                raise bad('nothing before "="')
            if not long:
                raise bad('nothing after "="')
        elif veto:
            short, long = line, None
            if not short:
                raise bad('nothing after "!"')
        else:
            raise bad('no "=": expected "ABBR = long form"')
        bad_chars = sorted({ch for ch in short if not ch.isalnum() and ch not in _SHORT_PUNCTUATION})
        if bad_chars:
            chars = "".join(bad_chars)
            raise bad(f"abbreviation {short!r} holds {chars!r}: only letters, digits, & - . and spaces")
        short_key = key(short)
        if len(short_key) < 2:
            raise bad(f"abbreviation {short!r} has fewer than two letters")
        words = None if long is None else long_key(long)
        if words is not None and not words:
            raise bad(f"long form {long!r} has no words")
        if not veto and require_agreement and not agrees(short, long or ""):
            raise bad(f"the letters of {short!r} are not the initials of {long!r}")
        entry = (short_key, words, veto)
        if entry in seen:
            raise bad(f"repeats line {seen[entry]}")
        seen[entry] = n
        if veto:
            vetoes.append(Veto(short_key, words))
        else:
            assert long is not None
            entries.append(Abbreviation(short, long))
    return entries, vetoes


def load_file(path: str | PathLike[str]) -> tuple[list[Abbreviation], list[Veto]]:
    """Read a user's abbreviation file (UTF-8): its entries and vetoes.

    Errors are ``ValueError`` naming the file (and the line); ``OSError`` if
    it cannot be read.
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 (byte {e.start})") from None
    return parse(text, str(path))


@lru_cache(maxsize=1)
def _builtin() -> tuple[Abbreviation, ...]:
    text = resources.files("vnsearch").joinpath("abbreviations.txt").read_text(encoding="utf-8")
    entries, vetoes = parse(text, "abbreviations.txt", require_agreement=True)
    if vetoes:
        raise ValueError("abbreviations.txt: the built-in list holds vetoes")
    return tuple(entries)


def builtin() -> list[Abbreviation]:
    """The built-in abbreviations (package data ``abbreviations.txt``), read once."""
    return list(_builtin())


# --------------------------------------------------------------------------- definitions in text

# "(UBND)": 2-10 characters, a letter first; checked further in _candidate().
_PAREN = re.compile(r"\(([^\W\d_][^\s()]{1,9})\)")
# Before "(": words, "&", and separators ignored inside a long form; anything else ends the run.
_BEFORE = re.compile(r"[^\W\d_]+|&|[-–—,]|\S")
_SEPARATORS = frozenset("-–—,")
# How far before "(" to look: a syllable and its space rarely take more than 9 characters.
_CHARS_PER_LETTER = 9


def _candidate(short: str) -> list[str] | None:
    """An abbreviation's letters if ``short`` looks like one: 2+ capitals, only letters & - ."""
    capitals = 0
    for ch in short:
        if ch.isupper():
            capitals += 1
        elif not (ch.isalpha() or ch in "&-."):
            return None
    if capitals < 2 or short[-1] in "&-.":
        return None
    return _short_tokens(short)


def definitions(text: str) -> list[Abbreviation]:
    """The abbreviations an article defines inline: ``Ủy ban nhân dân (UBND)``.

    The abbreviation in parentheses has 2-10 characters, at least two of
    them capitals (Đ, ``&``, ``-`` and ``.`` allowed); the long form is the
    run of words right before ``(`` whose initials agree with it -- as many
    syllables as it has letters, plus any skipped *và* -- within the same
    clause (commas and hyphens may occur inside it).  Both are returned as
    written, in order of appearance, repeats included.  Cheap enough to run
    on every article: a regular expression finds the parentheses, and a
    2,300-character VNTC article takes 17 µs on average (7 ms per MB).
    """
    found: list[Abbreviation] = []
    if "(" not in text:
        return found
    for m in _PAREN.finditer(text):
        short = m.group(1)
        letters = _candidate(short)
        if letters is None:
            continue
        start = m.start()
        window_start = max(0, start - _CHARS_PER_LETTER * len(letters) - 8)
        while window_start > 0 and text[window_start - 1].isalpha():
            window_start -= 1  # not into the middle of a word
        window = text[window_start:start]
        long = _long_form_before(window, letters)
        if long is not None:
            found.append(Abbreviation(short, long))
    return found


def _long_form_before(window: str, letters: list[str]) -> str | None:
    """The run of words ending ``window`` whose initials are ``letters``, as written; None if none."""
    window = _nfc(window)
    tokens = list(_BEFORE.finditer(window))
    # Walk back over the clause: words and separators, up to the first other character.
    words: list[re.Match[str]] = []
    for token in reversed(tokens):
        t = token.group()
        if t in _SEPARATORS:
            continue
        if t == "&" or t[0].isalpha():
            words.append(token)
            if len(words) > len(letters) + 2:
                break
        else:
            break
    if len(words) < 2:
        return None
    words.reverse()
    normalised = ["và" if w.group() == "&" else normalize_word(w.group()) for w in words]
    n = len(normalised)
    for first in range(n - 1, -1, -1):  # shortest run first
        if normalised[first] == _VA:
            continue
        if n - first < sum(letter != "&" for letter in letters):
            continue
        if _align(letters, normalised[first:]):
            written = window[words[first].start() : words[-1].end()]
            return " ".join(written.split())
    return None


# --------------------------------------------------------------------------- index terms

_SEPARATOR = "="


def _escape(part: str, at_start: bool, at_end: bool) -> str:
    out = []
    last = len(part) - 1
    for i, ch in enumerate(part):
        if (
            ch in "%,="
            or (ch.isspace() and (ch != " " or (at_start and i == 0) or (at_end and i == last)))
            or not ch.isprintable()
        ):
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


_ESCAPE = re.compile(r"(?:%[0-9A-F]{2})+")


def _unescape(part: str, term: str) -> str:
    def replace(m: re.Match[str]) -> str:
        try:
            return bytes.fromhex(m.group().replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"malformed abbreviation term {term!r}: bad escape {m.group()!r}") from None

    if "%" in _ESCAPE.sub("", part):
        raise ValueError(f"malformed abbreviation term {term!r}: a bare %")
    return _ESCAPE.sub(replace, part)


def encode(a: Abbreviation) -> str:
    """One index term for a pair, ``UBND=Ủy ban nhân dân``: no comma or newline, no space at its ends.

    Fit for a Whoosh ``KEYWORD(commas=True)`` field, which splits at commas
    and strips spaces: ``%``, ``,``, ``=``, control characters and such
    spaces are written ``%XX`` (UTF-8).  :func:`decode` reads it back.
    """
    return _escape(a.short, True, False) + _SEPARATOR + _escape(a.long, False, True)


def decode(term: str) -> Abbreviation:
    """The pair an :func:`encode` term stands for; ``ValueError`` if the term is malformed."""
    short, sep, long = term.partition(_SEPARATOR)
    if not sep:
        raise ValueError(f"malformed abbreviation term {term!r}: no {_SEPARATOR!r}")
    return Abbreviation(_unescape(short, term), _unescape(long, term))


# --------------------------------------------------------------------------- learning


_T = TypeVar("_T", str, tuple[str, ...])


def _commonest(counter: Counter[_T]) -> _T:
    """The most frequent; ties go to the first in sorted order, for stable output."""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def learned(
    counts: Mapping[Abbreviation, int],
    *,
    min_seen: int = MIN_SEEN,
    min_share: float = MIN_SHARE,
    min_letters: int = MIN_LETTERS,
) -> list[Abbreviation]:
    """The pairs worth using, from how many articles define each pair (as written).

    Pairs are grouped by abbreviation (:func:`key`) and long form
    (:func:`long_key`, with or without its *và*: ``khoa học công nghệ`` and
    ``khoa học và công nghệ`` are one).  An abbreviation of at least
    ``min_letters`` letters is kept when its commonest long form is defined
    in at least ``min_seen`` articles and makes at least ``min_share`` of
    its definitions -- so chance matches and abbreviations with competing
    long forms are left out.  Each is returned in its commonest written
    forms, sorted by abbreviation.
    """
    by_key: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    shorts: dict[tuple[str, tuple[str, ...]], Counter[str]] = defaultdict(Counter)
    longs: dict[tuple[str, tuple[str, ...]], Counter[str]] = defaultdict(Counter)
    for pair, count in counts.items():
        if count <= 0:
            continue
        k = key(pair.short)
        lk = tuple(word for word in long_key(pair.long) if word != _VA)
        if len(k) < min_letters:
            continue
        by_key[k][lk] += count
        shorts[k, lk][pair.short] += count
        longs[k, lk][pair.long] += count

    kept = []
    for k, forms in by_key.items():
        lk = _commonest(forms)
        seen = forms[lk]
        if seen >= min_seen and seen >= min_share * sum(forms.values()):
            kept.append(Abbreviation(_commonest(shorts[k, lk]), _commonest(longs[k, lk])))
    kept.sort(key=lambda a: (key(a.short), a.short, a.long))
    return kept


# --------------------------------------------------------------------------- the table in use


class Table:
    """The abbreviations in use -- built-in, learned and a user's -- minus vetoes.

    Where two entries have the same abbreviation and long form (by key), the
    first one given is kept: list the preferred spellings first.
    """

    def __init__(self, entries: Iterable[Abbreviation], vetoes: Iterable[Veto] = ()) -> None:
        vetoed_all: set[str] = set()
        vetoed: set[tuple[str, tuple[str, ...]]] = set()
        for v in vetoes:
            if v.long_key is None:
                vetoed_all.add(v.short_key)
            else:
                vetoed.add((v.short_key, v.long_key))
        self._entries: list[Abbreviation] = []
        self._by_short: dict[str, list[Abbreviation]] = defaultdict(list)
        # Folded long key -> (exact long key, entry), for lookups typed with or without accents.
        self._by_long: dict[tuple[str, ...], list[tuple[tuple[str, ...], Abbreviation]]] = defaultdict(list)
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for a in entries:
            k, lk = key(a.short), long_key(a.long)
            if not k or not lk or k in vetoed_all or (k, lk) in vetoed or (k, lk) in seen:
                continue
            seen.add((k, lk))
            self._entries.append(a)
            self._by_short[k].append(a)
            self._by_long[tuple(fold(w) for w in lk)].append((lk, a))
        self._longest = max((len(long_key(a.long)) for a in self._entries), default=0)
        # Folded first word of a long form -> its lengths in words, to skip runs that cannot be one.
        self._sizes: dict[str, set[int]] = defaultdict(set)
        for folded in self._by_long:
            self._sizes[folded[0]].add(len(folded))

    def long_forms(self, short: str) -> list[Abbreviation]:
        """The pairs of an abbreviation, written any way (``TPHCM``, ``tp.hcm``); [] if unknown."""
        return list(self._by_short.get(key(short), ()))

    def abbreviations_of(self, words: Sequence[str]) -> list[Abbreviation]:
        """The pairs whose long form is ``words`` (syllables, or pyvi tokens ``ủy_ban``).

        A word typed with accents must match exactly (up to case and tone
        placement); one typed without matches any accents: ``uy ban nhan
        dan`` finds ``UBND``.
        """
        typed = long_key(" ".join(words))
        found = []
        for exact, a in self._by_long.get(tuple(fold(w) for w in typed), ()):
            if all(w == e or not has_diacritics(w) for w, e in zip(typed, exact)):
                found.append(a)
        return found

    def long_form_sizes(self, first: str) -> set[int]:
        """How many words the long forms starting with the word ``first`` (any accents) have."""
        return self._sizes.get(fold(normalize_word(first)), set())

    def longest_long_form(self) -> int:
        """The most words in a long form: how long a run of query words to try."""
        return self._longest

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Abbreviation]:
        return iter(self._entries)

    def __repr__(self) -> str:
        return f"<Table of {len(self)} abbreviations>"
