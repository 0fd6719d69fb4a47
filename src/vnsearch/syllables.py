"""Valid Vietnamese syllables, built from the rules of the writing system.

"Did you mean" must never "correct" a word that is right: a query word that is
a real Vietnamese syllable as typed is kept, even when the index lacks it.
This module says which words are syllables, from the structure of the
language rather than from a word list, so that it knows every syllable, rare
ones included.

A written syllable is *initial consonant* + *rhyme* (vần) + *tone*:

* **Initial** (optional): ``b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu
  r s t th tr v x``.  Spelling picks between letters for one sound: ``k``,
  ``gh``, ``ngh`` stand before the front vowels ``i e ê`` (``k`` also before
  ``y``: kỹ, kỳ), ``c``, ``g``, ``ng`` before every other vowel; ``q`` is only
  ever written ``qu`` (its ``u`` is the rhyme's glide: ``qua`` rhymes with
  ``hoa``).  ``gi`` is one consonant before a vowel (già, giữa, giếng); when
  nothing follows it, or only a final consonant, its ``i`` is also the vowel
  (gì, gìn).  ``p`` (without ``h``) begins only loanwords, but long
  naturalised ones written as Vietnamese (pin, pa-nô, pê-đan): accepted.
* **Rhyme**: optional *glide* ``o``/``u`` + *nucleus* + optional *coda*.  The
  glide is written ``o`` before ``a ă e`` (hoa, xoăn, khỏe) and ``u`` before
  ``â ê y ơ`` (tuân, thuế, thủy, thuở); it follows neither ``c`` (which
  becomes ``qu``) nor the lip consonants ``b m p ph v``.  Nuclei are the
  vowels ``a ă â e ê i/y o ô ơ u ư`` and the diphthongs ``iê/yê/ia/ya``,
  ``uô/ua``, ``ươ/ưa`` (written ``-a`` when open: mía, mua, mưa), plus the long
  ``oo`` of xoong, moóc.  Codas are ``m n ng nh p t c ch`` and the glides
  ``i/y``, ``u/o``; ``nh`` and ``ch`` follow only ``a ê i`` (anh, ếch, inh),
  ``ng`` and ``c`` the other vowels.  Which nucleus takes which coda is not
  free, so the rhymes are listed in :data:`RHYMES` (162, a few more than
  the ~155 of school primers, which leave out rare ones such as ``uych``,
  ``uyu``, ``oeng``).  ``iê`` is written ``yê`` with no initial consonant
  (yêu, yên) and after the glide (khuyên); ``uơ`` (thuở, huơ) is only open.
  The ``-k`` of Central Highlands names (Đắk Lắk, Krông Pắk) is accepted
  after ``ă`` as a proper-name exception; ``kr`` of Krông is not an initial.
  A handful of naturalised loans that break these rules (buýt, tuýp, phuy,
  voan) are listed as exceptions; loans written as one run (ôtô, bêtông) are
  not syllables.
* **Tone**: none, huyền, sắc, hỏi, ngã, nặng; a syllable closed by a stop
  (``p t c ch``, and ``k``) takes only sắc or nặng (bác, bạc; never ``bàc``).

Words are first put through :func:`vnsearch.text.normalize_word`, so case,
NFC/NFD and old or new tone placement (hoà/hòa, thuỷ/thủy) do not matter; nor
do the slips it mends, a misplaced tone (đaị) or a half-horned ``uơ`` before a
consonant (nguời): they index as the syllable they stand for (đại, người).
Loanwords written foreign-style (covid, internet) are not syllables: they are
left to the index, which knows them when they occur in it.

The toneless syllables (about 3,500) are computed once at import time, as a
frozenset, along with their folded (unaccented) spellings.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from vnsearch.text import TONE_MARKS, VOWELS, fold, has_diacritics, normalize_word

__all__ = ["is_syllable", "could_be_syllable", "INITIALS", "RHYMES"]

#: Initial consonants ("" is none).  ``q`` exists only as ``qu``.
INITIALS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
    "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip

# Rhymes without a glide, by nucleus.  "ia"/"iê" take an initial consonant,
# "yê" none (yêu); "y" alone is the i of lý, kỳ, mỹ, y tá.
_PLAIN_RHYMES = (
    "a ai ao au ay ac ach am an ang anh ap at",
    "ăc ăm ăn ăng ăp ăt ăk",  # ăk: Đắk Lắk, Krông Pắk (proper names)
    "âc âm ân âng âp ât âu ây",
    "e eo ec em en eng ep et",
    "ê êu êch êm ên ênh êp êt",
    "i ia iu ich im in inh ip it",
    "iêc iêm iên iêng iêp iêt iêu",
    "y yêm yên yêng yêt yêu",
    "o oi oc om on ong op ot oong ooc",
    "ô ôi ôc ôm ôn ông ôp ôt",
    "ơ ơi ơm ơn ơp ơt",
    "u ua ui uc um un ung up ut",
    "uôc uôi uôm uôn uông uôt",
    "ư ưa ưi ưu ưc ưng ưt",
    "ươc ươi ươm ươn ương ươp ươt ươu",
)
# Rhymes with the glide o/u (written "o" before a ă e, "u" before â ê y ơ).
_GLIDE_RHYMES = (
    "oa oai oay oao oac oach oam oan oang oanh oap oat",
    "oăc oăm oăn oăng oăp oăt",  # oăp: quắp, co quắp
    "oe oeo oen oeng oet",  # oeng: loẻng xoẻng
    "uân uâng uât uây",
    "uê uêch uên uênh uêt",
    "uơ",  # thuở, huơ, quở: open only
    "uy uya uych uyn uynh uyt uyu uyên uyêt",
)

_PLAIN = frozenset(r for line in _PLAIN_RHYMES for r in line.split())
_GLIDED = frozenset(r for line in _GLIDE_RHYMES for r in line.split())
#: Every rhyme (vần), toneless.
RHYMES = _PLAIN | _GLIDED

_FRONT = ("i", "e", "ê")  # vowels after which k, gh, ngh are written
_LIPS = frozenset(["b", "m", "p", "ph", "v"])  # take no glide
_STOPS = ("c", "ch", "p", "t", "k")
_LEVEL_TONES = frozenset(["", "\u0300", "\u0309", "\u0303"])  # none, huyền, hỏi, ngã
_TONES = frozenset(TONE_MARKS)
# Initials after which "y" (not "i") is written alone: lý, kỳ, mỹ, sỹ, tỷ, hy;
# names: Vy, Thy, Ny.
_Y_INITIALS = frozenset(["", "h", "k", "l", "m", "n", "s", "t", "th", "v"])


# Naturalised loans written as Vietnamese syllables against the rules (a lip
# consonant before the glide, the rhyme "uyp"): xe buýt, thùng phuy, vải voan, tuýp.
_LOANS = frozenset(["buyt", "phuy", "voan", "tuyp"])


def _allowed(initial: str, rhyme: str) -> bool:
    """Whether the rhyme may follow the initial under the spelling rules."""
    if rhyme.startswith("yê"):
        return initial == ""  # yêu; after a consonant it is iê (tiêu)
    if rhyme.startswith("iê") or rhyme == "ia":
        if initial == "":
            return rhyme == "ia"  # ỉa; but "iêu" with no initial is yêu
    if rhyme == "y":
        return initial in _Y_INITIALS
    if rhyme in _GLIDED and initial in _LIPS | {"c", "k", "gh", "ngh"}:
        return False
    front = rhyme.startswith(_FRONT) or rhyme.startswith("y")
    if initial == "k":
        return front
    if initial in ("gh", "ngh"):
        return rhyme.startswith(_FRONT)
    if initial in ("c", "g", "ng"):
        return not front
    return True


@lru_cache(maxsize=1)  # built at the first lookup, not when `vnsearch` starts
def _syllables() -> frozenset[str]:
    """Every toneless syllable: each initial with each rhyme its spelling allows."""
    syllables: set[str] = set()
    for initial in INITIALS:
        if initial == "qu":
            # qu's u is the glide: qua, quê, quân, quy, quyên, quở rhyme with hoa, huê...
            syllables.update("qu" + rhyme[1:] for rhyme in _GLIDED)
            # quốc (the one ô after the glide); quí, quít (old spelling of quý, quýt)
            syllables.update(["quôc", "qui", "quit"])
        elif initial == "gi":
            for rhyme in RHYMES:
                if rhyme.startswith("i"):
                    # gi + i merges: gì, gìn, gịt; gi + iê is written giê (giếng)
                    syllables.add("g" + rhyme)
                elif not rhyme.startswith("y") and rhyme not in _GLIDED | {"ăk"}:
                    syllables.add("gi" + rhyme)  # no glide after gi (giuộc is uô)
        else:
            for rhyme in RHYMES:
                if _allowed(initial, rhyme):
                    syllables.add(initial + rhyme)
    return frozenset(syllables | _LOANS)


@lru_cache(maxsize=1)
def _folded() -> frozenset[str]:
    """Every syllable without its diacritics (``người`` → ``nguoi``)."""
    return frozenset(fold(s) for s in _syllables())


def _base_and_tone(word: str) -> tuple[str, str] | None:
    """Split a normalised word into its toneless letters (NFC) and tone mark.

    None when it carries two tone marks or a tone on something not a vowel.
    """
    base: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            if tone or not base or unicodedata.normalize("NFC", base[-1])[-1:] not in VOWELS:
                return None
            tone = ch
        elif unicodedata.combining(ch) and base:
            base[-1] += ch  # a quality mark (circumflex, breve, horn) or stray mark
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)), tone


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Whether `word` (any case, NFC or NFD, old or new tone placement) is a valid Vietnamese syllable as written, diacritics included.

    Lets "did you mean" keep a right word the index happens to lack.  Never raises.
    """
    if not isinstance(word, str) or not 0 < len(word) <= 16:
        return False
    split = _base_and_tone(normalize_word(word))
    if split is None:
        return False
    base, tone = split
    if base not in _syllables():
        return False
    return not (tone in _LEVEL_TONES and base.endswith(_STOPS))


@lru_cache(maxsize=65536)
def could_be_syllable(word: str) -> bool:
    """Whether `word` typed without diacritics is some valid syllable once its diacritics are restored (`nguoi` -> người: True; `nguoii`, `ducc`: False). A word with diacritics: same as is_syllable.

    Tells a query typed without accents from a typo.  Never raises.
    """
    if not isinstance(word, str) or not 0 < len(word) <= 16:
        return False
    if has_diacritics(word):
        return is_syllable(word)
    return word.lower() in _folded()
