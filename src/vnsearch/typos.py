"""Typo lookups: an index's words within an edit or two of a word, in well under a millisecond.

Whoosh finds such words by walking the lexicon with a Python edit distance
(~46 ms a word on 10,000 articles).  Here each segment keeps a table built
once, after the segment is written, with the idea of SymSpell (Wolf Garbe,
2012): every word is filed under each string made by deleting up to two of
its letters after the first; a word typed is looked up under its own
deletions, and the words found are checked with the true distance.  Two
words within ``d`` edits always share a string reached by at most ``d``
deletions from each, so nothing within reach is missed.

The distance is Damerau-Levenshtein as Whoosh computes it, the "optimal
string alignment" kind (a swap of two neighbouring letters is one edit),
checked by rapidfuzz; words share their first letter, as Whoosh's
``terms_within(..., prefix=1)`` had them: typos there are rare.

A table is one file per segment, ``MAIN_<segment>.typ``, named like the
segment's own files so that Whoosh deletes it with the segment.  A segment
without one (an index made before tables existed, or a crash right after a
commit) is searched the old way, and gets its table at the next update.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh.reading import SegmentReader

from . import storage

__all__ = ["MAX_DISTANCE", "EXTENSION", "TypoTable", "deletions", "write_missing", "write_table", "load"]

#: Most edits a lookup allows.
MAX_DISTANCE = 2
#: A segment's table is ``<segment id>.typ`` in its generation's folder.
EXTENSION = ".typ"
#: The field whose words are looked up.
FIELD = "body"

_MAGIC = b"VNTYPO1\n"
_HEADER = struct.Struct("<8sIII")  # magic, words, blob bytes, entries


def deletions(word: str, distance: int) -> dict[str, int]:
    """Each string made by deleting up to ``distance`` letters of ``word`` after its first, with the fewest deletions."""
    found = {word: 0}
    tails = {word[1:]}
    for depth in range(1, distance + 1):
        tails = {tail[:i] + tail[i + 1 :] for tail in tails for i in range(len(tail))}
        for tail in tails:
            found.setdefault(word[:1] + tail, depth)
    return found


def _key(text: str) -> int:
    """A string's 32-bit key (a stable hash: tables are written by one process, read by others)."""
    return zlib.crc32(text.encode("utf-8"))


class TypoTable:
    """The words of one segment, findable by their deletions."""

    def __init__(self, words: list[str], keys: np.ndarray, ids: np.ndarray, depths: np.ndarray):
        self._words = words
        self._keys, self._ids, self._depths = keys, ids, depths

    @classmethod
    def build(cls, words: Iterable[str]) -> "TypoTable":
        """The table of ``words`` (each once)."""
        words = sorted(set(words))
        keys, ids, depths = [], [], []
        for i, word in enumerate(words):
            for deleted, depth in deletions(word, MAX_DISTANCE).items():
                keys.append(_key(deleted))
                ids.append(i)
                depths.append(depth)
        order = np.argsort(np.array(keys, dtype=np.uint32), kind="stable")
        return cls(
            words,
            np.array(keys, dtype=np.uint32)[order],
            np.array(ids, dtype=np.uint32)[order],
            np.array(depths, dtype=np.uint8)[order],
        )

    def within(self, word: str, distance: int) -> set[str]:
        """The table's words at most ``distance`` edits from ``word`` that start with its letter."""
        from rapidfuzz.distance import OSA  # here: most searches look up no typo, and it takes 40 ms to load

        if not word:
            return set()
        mine = deletions(word, distance)
        wanted = np.array([_key(d) for d in mine], dtype=np.uint32)
        starts = np.searchsorted(self._keys, wanted, side="left")
        ends = np.searchsorted(self._keys, wanted, side="right")
        candidates = set()
        for start, end in zip(starts.tolist(), ends.tolist()):
            for i in range(start, end):
                if self._depths[i] <= distance:
                    candidates.add(int(self._ids[i]))
        found = set()
        for i in candidates:
            other = self._words[i]
            if other[0] == word[0] and abs(len(other) - len(word)) <= distance:
                if OSA.distance(other, word, score_cutoff=distance) <= distance:
                    found.add(other)
        return found

    def to_bytes(self) -> bytes:
        blob = "\n".join(self._words).encode("utf-8")
        header = _HEADER.pack(_MAGIC, len(self._words), len(blob), len(self._keys))
        parts = [header, blob, self._keys.astype("<u4").tobytes(), self._ids.astype("<u4").tobytes(),
                 self._depths.tobytes()]  # fmt: skip
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "TypoTable":
        """A table read back; ``ValueError`` if ``data`` is not one."""
        if len(data) < _HEADER.size:
            raise ValueError("typo table too short")
        magic, count, blob_size, entries = _HEADER.unpack_from(data)
        at = _HEADER.size
        if magic != _MAGIC or len(data) != at + blob_size + entries * 9:
            raise ValueError("not a typo table, or a truncated one")
        words = data[at : at + blob_size].decode("utf-8").split("\n") if count else []
        if len(words) != count:
            raise ValueError("typo table's words do not add up")
        at += blob_size
        keys = np.frombuffer(data, dtype="<u4", count=entries, offset=at)
        ids = np.frombuffer(data, dtype="<u4", count=entries, offset=at + 4 * entries)
        depths = np.frombuffer(data, dtype=np.uint8, count=entries, offset=at + 8 * entries)
        if entries and int(ids.max()) >= count:
            raise ValueError("typo table names words it does not have")
        return cls(words, keys, ids, depths)


def _filename(segment) -> str:
    return segment.make_filename(EXTENSION)


def load(leaf) -> TypoTable | None:
    """The table of a Whoosh segment reader, or None if it has none (or a damaged one)."""
    if not isinstance(leaf, SegmentReader):  # an empty index's reader
        return None
    path = Path(leaf._storage.folder) / _filename(leaf._segment)
    try:
        return TypoTable.from_bytes(path.read_bytes())
    except (OSError, ValueError):
        return None


def write_missing(index) -> None:
    """Give each segment of the index's latest commit that has no table one (after a commit)."""
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            if isinstance(leaf, SegmentReader):  # an empty index has no segment
                write_table(leaf, Path(index.storage.folder))


def write_table(leaf: SegmentReader, folder: Path) -> None:
    """Write the table of one segment into its ``folder``, unless it has one (or no field to look words up in)."""
    path = folder / _filename(leaf._segment)
    if path.exists() or FIELD not in leaf.schema:
        return
    words = (raw.decode("utf-8") for raw in leaf.lexicon(FIELD))
    table = TypoTable.build(w for w in words if w.isalpha())  # not dân_số, 2024 or URL pieces
    storage.write_atomically(path, table.to_bytes())
