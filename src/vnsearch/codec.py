"""vnsearch's Whoosh codec: posting lists as plain little-endian arrays.

Whoosh's own codec (W3) stores each term's postings in blocks of 128, each a
zlib-compressed pickle of tuples, and a posting's positions as another
pickle; reading a posting list is mostly ``pickle.loads`` and
``zlib.decompress`` of small pieces.  :class:`Codec` keeps everything else
of W3 (stored fields, columns, field lengths, the term dictionary, vectors)
and replaces the postings:

* the postings of a term in a segment are one **record** in the segment's
  ``.pst`` file, arrays read with ``np.frombuffer`` (:func:`encode_postings`,
  :func:`decode_postings`), with a CRC-32 so a damaged file is reported,
  never misread;
* a term in a single article (half of all terms) is **inlined** in its entry
  of the term dictionary, a few bytes without pickle (:class:`TermInfo`);
* the text fields' postings values are positions as little-endian uint32
  (:class:`Positions`), not pickles, so nothing in a posting is unpickled.

A record (all integers little-endian)::

    crc32  u32   of everything after it
    count  u32   postings
    kind   u8    0: no values, 1: positions, 2: values of ``vsize`` bytes,
                 3: values of any size
    idw    u8    bytes per article-number delta (1, 2 or 4)
    ww     u8    0: weights are the frequencies (kind 1) or 1.0; 4: float32
    fw     u8    bytes per frequency (kind 1) / ``vsize`` (kind 2)
    pw     u8    bytes per position (kind 1), +128 if positions are absolute
                 (not increasing within an article)
    flags  u8    0 (reserved)
    ids    count x idw     the first article number, then the differences
    weights count x f32    if ww == 4
    kind 1: freqs count x fw, then positions sum(freqs) x pw: each
            article's first position, then the differences
    kind 2: values count x vsize
    kind 3: lengths count x u32, then the values one after another

A term's postings are read whole (one read, one CRC check, a few
``np.frombuffer``): :class:`vnsearch.arrays.Ranker` scores them as arrays,
and :class:`ArrayMatcher` gives Whoosh's searcher the usual matcher (phrases,
wildcards, ranges, sorting) over the same arrays.

A writer that has a field's tokens as arrays (:mod:`vnsearch.writer`)
needs no Whoosh posting objects: :meth:`FieldWriter.add_tokens` sorts them
into postings and writes every term's record and entry at once, the same
bytes as the one-posting-at-a-time path above.
"""

from __future__ import annotations

import secrets
import string
import struct
import sys
import zlib
from array import array
from bisect import bisect_left

import numpy as np
from whoosh import columns, formats
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3Codec, W3FieldCursor, W3Segment, W3TermInfo, W3TermsReader
from whoosh.filedb import filetables
from whoosh.matching import LeafMatcher, ReadTooFar
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import _length_byte_cache as _LENGTH_TABLE
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = [
    "Codec",
    "Positions",
    "TermInfo",
    "Postings",
    "ArrayMatcher",
    "PostingsError",
    "encode_postings",
    "decode_postings",
    "read_postings",
    "encode_inline",
    "decode_inline",
    "column_values",
]

_LITTLE = sys.byteorder == "little"

#: What the postings of a field hold besides article numbers and weights.
NO_VALUES, POSITIONS, FIXED_VALUES, VALUES = 0, 1, 2, 3
ABSOLUTE = 128  # in ``pw``: positions stored as they are, not as differences

_HEADER = struct.Struct("<IIBBBBBB")
_FILE_MAGIC = b"VNP1"
_WIDTHS = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_F32 = np.dtype("<f4")
_U4 = np.dtype("<u4")


class PostingsError(ValueError):
    """A posting record that cannot be what vnsearch wrote: the index is damaged."""


# -- the field format ----------------------------------------------------------


class Positions(formats.Positions):
    """Whoosh's ``Positions`` format, with positions as little-endian uint32, not a pickle.

    A posting's value (what Whoosh's pool sorts and its matchers return) is
    the article's positions of the term, ``4 * frequency`` bytes.
    """

    def encode(self, poslist) -> bytes:
        a = array("I", poslist)
        if not _LITTLE:
            a.byteswap()
        return a.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        a = array("I")
        a.frombytes(valuestring)
        if not _LITTLE:
            a.byteswap()
        return a.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4


def _kind(format_) -> tuple[int, int]:
    """How a field's posting values are stored: (kind, fixed size)."""
    if isinstance(format_, Positions):
        return POSITIONS, 0
    size = format_.fixed_value_size()
    if size == 0:
        return NO_VALUES, 0
    if size is not None and 0 < size < 256:
        return FIXED_VALUES, size
    return VALUES, 0


# -- encoding ------------------------------------------------------------------


def _width(largest: int) -> int:
    if largest < 0x100:
        return 1
    if largest < 0x10000:
        return 2
    if largest < 0x100000000:
        return 4
    raise ValueError(f"{largest} does not fit in 32 bits")


def _position_deltas(positions: np.ndarray, freqs: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each article's first position, then differences; or the positions as they are (True) if they decrease."""
    if not len(positions):
        return positions, False
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    starts = np.cumsum(freqs)[:-1]
    starts = starts[starts < len(positions)]
    deltas[0] = positions[0]
    deltas[starts] = positions[starts]
    if deltas.min() < 0:
        return positions, True
    return deltas, False


def encode_postings(
    ids,
    freqs=None,
    positions=None,
    weights=None,
    *,
    kind: int = POSITIONS,
    values=None,
    vsize: int = 0,
) -> bytes:
    """One term's postings in a segment as a record (see the module's docstring).

    ``ids`` are increasing article numbers; for ``kind=POSITIONS``, ``freqs[i]``
    is how many of the flat ``positions`` belong to ``ids[i]``; ``weights``
    default to the frequencies (or 1.0 without positions).  ``values`` are the
    raw values of ``FIXED_VALUES`` (one bytes string of ``vsize`` per
    posting) and ``VALUES`` (a list of bytes).  Takes numpy arrays (or lists),
    so a bulk writer can encode a whole term at once.
    """
    ids = np.asarray(ids, dtype=np.int64)
    n = len(ids)
    id_deltas = np.diff(ids, prepend=0)
    if n and (ids[0] < 0 or (n > 1 and id_deltas[1:].min() <= 0)):
        raise ValueError("article numbers must be non-negative and increasing")
    idw = _width(int(id_deltas.max())) if n else 1
    parts = [b"", id_deltas.astype(_WIDTHS[idw]).tobytes()]
    fw = pw = 0
    if kind == POSITIONS:
        freqs = np.asarray(freqs if freqs is not None else np.zeros(n), dtype=np.int64)
        positions = np.asarray(positions if positions is not None else [], dtype=np.int64)
        if len(freqs) != n or (n and freqs.min() < 0) or int(freqs.sum()) != len(positions):
            raise ValueError("frequencies do not match the positions")
        default = freqs
    else:
        default = np.ones(n)
    ww = 0
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if len(weights) != n:
            raise ValueError("one weight per posting")
        if not np.array_equal(weights, default):
            ww = 4
            parts.append(weights.astype(_F32).tobytes())
    if kind == POSITIONS:
        fw = _width(int(freqs.max())) if n else 1
        parts.append(freqs.astype(_WIDTHS[fw]).tobytes())
        if len(positions) and positions.min() < 0:
            raise ValueError("positions must be non-negative")
        deltas, absolute = _position_deltas(positions, freqs)
        pw = _width(int(deltas.max())) if len(deltas) else 1
        parts.append(deltas.astype(_WIDTHS[pw]).tobytes())
        pw |= ABSOLUTE if absolute else 0
    elif kind == FIXED_VALUES:
        fw = vsize
        blob = b"".join(values)
        if len(blob) != n * vsize:
            raise ValueError(f"values must be {vsize} bytes each")
        parts.append(blob)
    elif kind == VALUES:
        parts.append(np.array([len(v) for v in values], dtype=_U4).tobytes())
        parts.append(b"".join(values))
    elif kind != NO_VALUES:
        raise ValueError(f"unknown kind {kind}")
    body = _HEADER.pack(0, n, kind, idw, ww, fw, pw, 0)[4:] + b"".join(parts)
    return struct.pack("<I", zlib.crc32(body)) + body


# -- decoding ------------------------------------------------------------------


class Postings:
    """One term's postings in one segment, decoded: article numbers and weights as arrays.

    ``ids`` (int64) and ``weights`` (float64) are ready for numpy; positions
    and other values are decoded on demand, for a few articles
    (:meth:`positions`) or all of them (:meth:`values`).
    """

    __slots__ = ("ids", "weights", "kind", "_freqs", "_raw", "_pw", "_absolute", "_offsets", "_all", "_vsize")

    def __init__(self, ids, weights, kind=NO_VALUES, freqs=None, raw=None, pw=1, absolute=False, vsize=0):
        self.ids = ids
        self.weights = weights
        self.kind = kind
        self._freqs = freqs
        self._raw = raw  # kind 1: the position array as stored; kind 2/3: (lengths, blob)
        self._pw = pw
        self._absolute = absolute
        self._vsize = vsize
        self._offsets = None
        self._all = None

    def __len__(self) -> int:
        return len(self.ids)

    def _starts(self) -> np.ndarray:
        if self._offsets is None:
            self._offsets = np.concatenate(([0], np.cumsum(self._freqs)))
        return self._offsets

    def positions(self, i: int) -> np.ndarray:
        """The positions of the term in the ``i``-th article of the list (int64)."""
        if self._all is not None:
            start, end = self._starts()[i], self._starts()[i + 1]
            return self._all[start:end]
        offsets = self._starts()
        stored = self._raw[offsets[i] : offsets[i + 1]].astype(np.int64)
        return stored if self._absolute else np.cumsum(stored)

    def frequencies(self) -> np.ndarray:
        """How many positions each article has (int64; positions kind only)."""
        return self._freqs

    def all_positions(self) -> np.ndarray:
        """Every article's positions, one after another (int64); :meth:`_starts` splits them."""
        if self._all is None:
            stored = self._raw.astype(np.int64)
            if self._absolute or not len(stored):
                self._all = stored
            else:
                total = np.cumsum(stored)
                before = np.concatenate(([0], total))[self._starts()[:-1]]
                self._all = total - np.repeat(before, self._freqs)
        return self._all

    def positions_of(self, picked: np.ndarray) -> np.ndarray:
        """The positions of the ``picked`` postings (indices, increasing), one posting after another (int64).

        Only those positions are decoded: a few articles of a long list cost little.
        """
        freqs = self._freqs[picked]
        ends = np.cumsum(freqs)
        begins = ends - freqs  # where each picked posting's positions start in the result
        at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(self._starts()[picked] - begins, freqs)
        if self._all is not None:
            return self._all[at]
        stored = self._raw[at].astype(np.int64)
        if self._absolute or not len(stored):
            return stored
        total = np.cumsum(stored)
        before = np.concatenate(([0], total))[begins]
        return total - np.repeat(before, freqs)

    def values(self) -> list[bytes]:
        """Each posting's value, as Whoosh's field format encodes it."""
        n = len(self.ids)
        if self.kind == POSITIONS:
            flat = self.all_positions().astype(_U4).tobytes()
            bounds = (self._starts() * 4).tolist()
            return [flat[a:b] for a, b in zip(bounds, bounds[1:])]
        if self.kind == FIXED_VALUES:
            size = self._vsize
            return [self._raw[i * size : (i + 1) * size] for i in range(n)]
        if self.kind == VALUES:
            lengths, blob = self._raw
            bounds = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))).tolist()
            return [blob[a:b] for a, b in zip(bounds, bounds[1:])]
        return [b""] * n


def _array(data: bytes, at: int, dtype: np.dtype, count: int) -> tuple[np.ndarray, int]:
    end = at + dtype.itemsize * count
    if end > len(data):
        raise PostingsError("posting record too short")
    return np.frombuffer(data, dtype=dtype, count=count, offset=at), end


def decode_postings(data: bytes, *, check: bool = True) -> Postings:
    """A record written by :func:`encode_postings`, decoded (``PostingsError`` if it is damaged)."""
    if len(data) < _HEADER.size:
        raise PostingsError("posting record too short")
    crc, n, kind, idw, ww, fw, pw, flags = _HEADER.unpack_from(data)
    if check and zlib.crc32(memoryview(data)[4:]) != crc:
        raise PostingsError("posting record fails its checksum")
    absolute = bool(pw & ABSOLUTE)
    pw &= ~ABSOLUTE
    if idw not in _WIDTHS or ww not in (0, 4) or flags or kind > VALUES:
        raise PostingsError("posting record has an unknown layout")
    deltas, at = _array(data, _HEADER.size, _WIDTHS[idw], n)
    ids = np.cumsum(deltas, dtype=np.int64)
    if n > 1 and not deltas[1:].all():
        raise PostingsError("article numbers out of order in a posting record")
    weights = None
    if ww:
        stored, at = _array(data, at, _F32, n)
        weights = stored.astype(np.float64)
    freqs = raw = None
    vsize = 0
    if kind == POSITIONS:
        if fw not in _WIDTHS or pw not in _WIDTHS:
            raise PostingsError("posting record has an unknown layout")
        stored, at = _array(data, at, _WIDTHS[fw], n)
        freqs = stored.astype(np.int64)
        raw, at = _array(data, at, _WIDTHS[pw], int(freqs.sum()))
        if weights is None:
            weights = freqs.astype(np.float64)
    elif kind == FIXED_VALUES:
        vsize = fw
        if at + n * vsize > len(data):
            raise PostingsError("posting record too short")
        raw = bytes(data[at : at + n * vsize])
        at += n * vsize
    elif kind == VALUES:
        lengths, at = _array(data, at, _U4, n)
        size = int(lengths.sum(dtype=np.int64))
        if at + size > len(data):
            raise PostingsError("posting record too short")
        raw = (lengths, bytes(data[at : at + size]))
        at += size
    if at != len(data):
        raise PostingsError("posting record has bytes left over")
    if weights is None:
        weights = np.ones(n)
    return Postings(ids, weights, kind, freqs, raw, pw, absolute, vsize)


# -- single postings, inline in the term dictionary -------------------------------


def encode_inline(kind: int, value: bytes) -> bytes:
    """The value of a term's only posting, as kept in its :class:`TermInfo`."""
    if kind != POSITIONS:
        return value
    positions = np.frombuffer(value, dtype=_U4).astype(np.int64)
    deltas, absolute = _position_deltas(positions, np.array([len(positions)]))
    pw = _width(int(deltas.max())) if len(deltas) else 1
    return bytes([pw | (ABSOLUTE if absolute else 0)]) + deltas.astype(_WIDTHS[pw]).tobytes()


def decode_inline(kind: int, payload: bytes, vsize: int) -> bytes:
    """The value of a term's only posting, from :func:`encode_inline`."""
    if kind == POSITIONS:
        if not payload:
            raise PostingsError("inlined posting too short")
        pw, absolute = payload[0] & ~ABSOLUTE, bool(payload[0] & ABSOLUTE)
        if pw not in _WIDTHS or (len(payload) - 1) % pw:
            raise PostingsError("inlined posting has an unknown layout")
        stored = np.frombuffer(payload, dtype=_WIDTHS[pw], offset=1).astype(np.int64)
        return (stored if absolute else np.cumsum(stored)).astype(_U4).tobytes()
    if kind == FIXED_VALUES and len(payload) != vsize:
        raise PostingsError("inlined posting has the wrong size")
    return payload


class TermInfo(W3TermInfo):
    """W3's term statistics, then where the postings are, or the only posting itself (no pickle).

    Flags 0: the record's offset and length follow (as in W3); flags 2: the
    term is in one article (``min_id``), with weight ``weight()``, and its
    value follows as :func:`encode_inline` wrote it.  (W3's flags 1, a
    pickle, is refused.)
    """

    INLINE = 2

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._payload = None

    def set_inline_payload(self, payload: bytes) -> None:
        self._payload = payload

    def is_inlined(self) -> bool:
        return self._payload is not None

    def to_bytes(self) -> bytes:
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        maxlength = length_to_byte(self._maxlength)
        minid = 0xFFFFFFFF if self._minid is None else self._minid
        maxid = 0xFFFFFFFF if self._maxid is None else self._maxid
        stats = (self._weight, self._df, minlength, maxlength, self._maxweight, minid, maxid)
        if self._payload is not None:
            return _inline_entry(stats, self._payload)
        return _extent_entry(stats, self._offset, self._length)

    @classmethod
    def from_bytes(cls, s: bytes) -> "TermInfo":
        st = cls._struct
        if len(s) < st.size:
            raise PostingsError("term entry too short")
        flags, weight, df, minlen, maxlen, maxweight, minid, maxid = st.unpack_from(s)
        info = cls()
        info._weight, info._df, info._maxweight = weight, df, maxweight
        info._minlength, info._maxlength = byte_to_length(minlen), byte_to_length(maxlen)
        info._minid = None if minid == 0xFFFFFFFF else minid
        info._maxid = None if maxid == 0xFFFFFFFF else maxid
        if flags == cls.INLINE:
            if df != 1 or info._minid is None:
                raise PostingsError("inlined term entry is not of one posting")
            info._payload = bytes(s[st.size :])
        elif flags == 0:
            if len(s) != st.size + 12:
                raise PostingsError("term entry has the wrong size")
            info._offset, info._length = struct.unpack_from("!qi", s, st.size)
        else:
            raise PostingsError("term entry has an unknown layout")
        return info


def _inline_entry(stats: tuple, payload: bytes) -> bytes:
    """A term entry holding its only posting: ``stats`` are W3's, length bytes included."""
    return TermInfo._struct.pack(TermInfo.INLINE, *stats) + payload


def _extent_entry(stats: tuple, offset: int, length: int) -> bytes:
    """A term entry pointing at its record in the postings file."""
    return TermInfo._struct.pack(0, *stats) + struct.pack("!qi", offset, length)


# -- writing -----------------------------------------------------------------------


class PostingsWriter(base.PostingsWriter):
    """Collects one term's postings, then writes them as a record (or inline if only one)."""

    def __init__(self, postfile):
        self._postfile = postfile
        self._terminfo = None
        self._written = False

    def written(self) -> bool:
        return self._written

    def start_postings(self, format_, terminfo) -> None:
        if self._terminfo is not None:
            raise Exception("Called start in a term")
        self._kind, self._vsize = _kind(format_)
        self._terminfo = terminfo
        self._ids, self._weights, self._values, self._lengths = [], [], [], []

    def add_posting(self, id_, weight, vbytes, length=None) -> None:
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        self._lengths.append(length or 0)

    def finish_postings(self) -> TermInfo:
        info, ids, weights = self._terminfo, self._ids, self._weights
        lengths = [x for x in self._lengths if x]
        info._weight = float(sum(weights))
        info._df = len(ids)
        info._maxweight = max(weights, default=0)
        info._minlength = min(lengths) if lengths else None
        info._maxlength = max(lengths, default=0)
        info._minid = ids[0] if ids else None
        info._maxid = ids[-1] if ids else None
        if len(ids) == 1:
            info.set_inline_payload(encode_inline(self._kind, self._values[0]))
        else:
            record = self.encode(ids, weights, self._values)
            info.set_extent(self._postfile.tell(), len(record))
            self._postfile.write(record)
            self._written = True
        self._terminfo = None
        return info

    def encode(self, ids, weights, values) -> bytes:
        kind = self._kind
        if kind == POSITIONS:
            flat = np.frombuffer(b"".join(values), dtype=_U4)
            freqs = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4
            return encode_postings(ids, freqs, flat, weights)
        return encode_postings(ids, weights=weights, kind=kind, values=values, vsize=self._vsize)


class FieldWriter(base.FieldWriter):
    """W3's term dictionary (an ordered hash file), with :class:`TermInfo`, and the postings as records."""

    def __init__(self, codec: "Codec", storage, segment):
        self._codec = codec
        tifile = segment.create_file(storage, codec.TERMS_EXT)
        self._tindex = filetables.OrderedHashWriter(tifile)
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = segment.create_file(storage, codec.POSTS_EXT)
        self._postfile.write(_FILE_MAGIC)
        self._postwriter = PostingsWriter(self._postfile)
        self._fieldid = self._fieldobj = self._btext = None
        self.is_closed = False

    def start_field(self, fieldname, fieldobj) -> None:
        self._fieldid = self._fieldmap.setdefault(fieldname, len(self._fieldmap))
        self._fieldobj = fieldobj

    def start_term(self, btext) -> None:
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, TermInfo())

    def add(self, docnum, weight, vbytes, length) -> None:
        self._postwriter.add_posting(docnum, weight, vbytes, length)

    def finish_term(self) -> None:
        info = self._postwriter.finish_postings()
        self._tindex.add(pack_ushort(self._fieldid) + self._btext, info.to_bytes())

    def add_tokens(self, btexts, tids, docs, positions, lengths, boost: float = 1.0) -> None:
        """Write the current field's postings from its tokens, all terms at once.

        Token ``i`` is term ``btexts[tids[i]]`` at position ``positions[i]`` of
        article ``docs[i]``; tokens of a term come in article order, an
        article's in position order.  ``lengths[d]`` is article ``d``'s
        field length.  Writes what :meth:`add`, one posting at a time, would.
        """
        t = _SortedTokens(btexts, tids, docs, positions, lengths, boost)
        key = pack_ushort(self._fieldid)
        add, postfile = self._tindex.add, self._postfile
        for i in range(len(t.order)):
            btext = btexts[t.order[i]]
            record = t.record(i)
            if record is None:
                add(key + btext, _inline_entry(t.stats(i), t.inline(i)))
            else:
                add(key + btext, _extent_entry(t.stats(i), postfile.tell(), len(record)))
                postfile.write(record)

    def close(self) -> None:
        self._tindex.close()
        self._postfile.close()
        self.is_closed = True


class _SortedTokens:
    """A field's tokens sorted into postings, with every term's statistics and record widths.

    Term ``i`` (in byte order) is ``btexts[order[i]]``; its postings are
    ``pstart[i]:pstart[i+1]`` of the posting arrays, their tokens
    ``tstart[i]:tstart[i+1]`` of the token arrays.
    """

    def __init__(self, btexts, tids, docs, positions, lengths, boost: float):
        self.order = sorted(range(len(btexts)), key=btexts.__getitem__)
        rank = np.empty(len(btexts), dtype=np.uint32)
        rank[self.order] = np.arange(len(btexts), dtype=np.uint32)
        keys = rank[np.asarray(tids, dtype=np.uint32)]
        docs, positions = np.asarray(docs, dtype=np.uint32), np.asarray(positions, dtype=np.uint32)
        # 4 bytes a token per array (a worker's segment may hold 100 million tokens)
        perm = np.argsort(keys, kind="stable")  # an article's positions stay in order
        keys, docs, positions = keys[perm], docs[perm], positions[perm]
        del perm
        n = len(keys)
        # postings: runs of one term in one article
        same_term = keys[1:] == keys[:-1]
        if np.any(same_term & (docs[1:] < docs[:-1])):  # articles of a term out of order
            raise ValueError("tokens of a term must come in article order")
        first = np.ones(n, dtype=bool)
        first[1:] = ~same_term | (docs[1:] != docs[:-1])
        del same_term
        if np.any(~first[1:] & (positions[1:] < positions[:-1])):
            raise ValueError("positions must be increasing within an article")
        starts = np.flatnonzero(first)
        del first
        freqs = np.diff(starts, append=n)
        terms, ids = keys[starts], docs[starts].astype(np.int64)
        del keys, docs
        # terms: runs of postings of one term
        head = np.ones(len(starts), dtype=bool)
        head[1:] = terms[1:] != terms[:-1]
        pstart = np.flatnonzero(head)
        self.pstart = np.append(pstart, len(starts)).tolist()
        self.tstart = np.append(starts[pstart], n).tolist()
        id_deltas = np.diff(ids, prepend=0)
        id_deltas[pstart] = ids[pstart]
        firsts = positions[starts]
        pos_deltas = positions  # each article's first position, then differences, in place
        pos_deltas[1:] -= positions[:-1]  # (numpy copies the overlapping operand)
        pos_deltas[starts] = firsts
        del firsts, positions
        weights = freqs * float(boost)
        self._plain = boost == 1.0  # weights are the frequencies: not stored
        if not self._plain:
            self._weights = weights.astype(_F32).tobytes()
        field_lengths = np.asarray(lengths, dtype=np.int64)[ids]
        counted = field_lengths > 0
        self._stats = list(zip(
            np.add.reduceat(weights, pstart).tolist(),
            np.diff(self.pstart).tolist(),
            _length_bytes(np.minimum.reduceat(np.where(counted, field_lengths, 1 << 62), pstart)).tolist(),
            _length_bytes(np.maximum.reduceat(np.where(counted, field_lengths, 0), pstart)).tolist(),
            np.maximum.reduceat(weights, pstart).tolist(),
            ids[pstart].tolist(),
            ids[np.array(self.pstart[1:]) - 1].tolist(),
        ))  # fmt: skip
        self._idw = _widths(np.maximum.reduceat(id_deltas, pstart)).tolist()
        self._fw = _widths(np.maximum.reduceat(freqs, pstart)).tolist()
        self._pw = _widths(np.maximum.reduceat(pos_deltas, starts[pstart])).tolist()
        self._arrays = {"ids": id_deltas, "freqs": freqs, "positions": pos_deltas}
        self._bytes = {}

    def _slice(self, name: str, width: int, start: int, end: int) -> bytes:
        """Elements ``start:end`` of one array, little-endian ``width`` bytes each."""
        data = self._bytes.get((name, width))
        if data is None:
            data = self._bytes[name, width] = self._arrays[name].astype(_WIDTHS[width]).tobytes()
        return data[start * width : end * width]

    def stats(self, i: int) -> tuple:
        return self._stats[i]

    def inline(self, i: int) -> bytes:
        """Term ``i``'s only posting, as :func:`encode_inline` writes it."""
        pw = self._pw[i]
        return bytes([pw]) + self._slice("positions", pw, self.tstart[i], self.tstart[i + 1])

    def record(self, i: int) -> bytes | None:
        """Term ``i``'s record, as :func:`encode_postings` writes it (None: a single posting)."""
        a, b = self.pstart[i], self.pstart[i + 1]
        if b - a == 1:
            return None
        idw, fw, pw = self._idw[i], self._fw[i], self._pw[i]
        parts = [
            _HEADER.pack(0, b - a, POSITIONS, idw, 0 if self._plain else 4, fw, pw, 0)[4:],
            self._slice("ids", idw, a, b),
            b"" if self._plain else self._weights[a * 4 : b * 4],
            self._slice("freqs", fw, a, b),
            self._slice("positions", pw, self.tstart[i], self.tstart[i + 1]),
        ]
        body = b"".join(parts)
        return struct.pack("<I", zlib.crc32(body)) + body


def _widths(largest: np.ndarray) -> np.ndarray:
    """:func:`_width` of each element."""
    if len(largest) and largest.max() >= 1 << 32:
        raise ValueError("a number does not fit in 32 bits")
    return np.where(largest < 0x100, 1, np.where(largest < 0x10000, 2, 4))


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` of each length (0 for none)."""
    table = np.asarray(_LENGTH_TABLE)
    found = np.searchsorted(table, np.minimum(lengths, table[-1]), side="left")
    return np.where(lengths >= 1 << 62, 0, np.where(lengths >= table[-1], 255, found))


# -- reading ------------------------------------------------------------------------


class FieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return TermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class TermsReader(W3TermsReader):
    """W3's term dictionary reader, with :class:`TermInfo`, and whole postings as arrays."""

    def __init__(self, codec, dbfile, length, postfile, doccount: int):
        super().__init__(codec, dbfile, length, postfile)
        self._doccount = doccount
        self._checked = False  # the postings file's magic, checked on the first read

    def cursor(self, fieldname, fieldobj):
        return FieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode = self._keydecoder
        return ((decode(k), TermInfo.from_bytes(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return ((decode(k), TermInfo.from_bytes(v)) for k, v in self._tindex.items_from(start))

    def term_info(self, fieldname, tbytes) -> TermInfo:
        try:
            return TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def postings(self, fieldname: str, tbytes: bytes, format_) -> Postings:
        """All postings of a term in this segment (``TermNotFound`` if it has none)."""
        return self.read(self.term_info(fieldname, tbytes), format_)

    def read(self, info: TermInfo, format_) -> Postings:
        """The postings a :class:`TermInfo` points to (or holds), checked against it."""
        if not self._checked and not info.is_inlined():
            if self._postfile.get(0, len(_FILE_MAGIC)) != _FILE_MAGIC:
                raise PostingsError("not a vnsearch postings file")
            self._checked = True
        postings = read_postings(self._postfile, info, format_)
        if postings.ids[-1] >= self._doccount:
            raise PostingsError("posting record names an article past the segment's end")
        return postings

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        info = self.term_info(fieldname, tbytes)
        postings = self.read(info, format_)
        return ArrayMatcher(postings, format_, (fieldname, tbytes), scorer, info)


def read_postings(postfile, info: TermInfo, format_) -> Postings:
    """The postings a :class:`TermInfo` points to in ``postfile`` (or holds), checked against it."""
    kind, vsize = _kind(format_)
    if info.is_inlined():
        value = decode_inline(kind, info._payload, vsize)
        ids = np.array([info._minid], dtype=np.int64)
        postings = _single(ids, np.array([info._weight]), kind, value, vsize)
    else:
        offset, length = info.extent()
        if offset < len(_FILE_MAGIC) or length < _HEADER.size:
            raise PostingsError("term entry points outside the postings")
        postings = decode_postings(postfile.get(offset, length))
        if postings.kind != kind:
            raise PostingsError("posting record of another kind than its field")
    ids = postings.ids
    if len(ids) != info._df or not len(ids) or ids[0] != info._minid or ids[-1] != info._maxid:
        raise PostingsError("posting record does not match its term entry")
    return postings


def _single(ids, weights, kind, value: bytes, vsize: int) -> Postings:
    if kind == POSITIONS:
        positions = np.frombuffer(value, dtype=_U4)
        freqs = np.array([len(positions)], dtype=np.int64)
        return Postings(ids, weights, kind, freqs, positions, 4, True)
    if kind == FIXED_VALUES:
        return Postings(ids, weights, kind, raw=value, vsize=vsize)
    if kind == VALUES:
        return Postings(ids, weights, kind, raw=(np.array([len(value)]), value))
    return Postings(ids, weights, kind)


class ArrayMatcher(LeafMatcher):
    """Whoosh's matcher interface over a term's decoded :class:`Postings`.

    The whole list is one "block" for Whoosh's quality optimisations: its
    maximum weight and shortest field length are the term's.
    """

    def __init__(self, postings: Postings, format_, term=None, scorer=None, terminfo=None, i=0):
        self._postings = postings
        self.format = format_
        self._term = term
        self.scorer = scorer
        self._terminfo = terminfo
        self._ids = postings.ids.tolist()
        self._weights = None
        self._values = None
        self._i = i

    def copy(self):
        m = ArrayMatcher(self._postings, self.format, self._term, self.scorer, self._terminfo, self._i)
        m._weights, m._values = self._weights, self._values
        return m

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def reset(self) -> None:
        self._i = 0

    def id(self):
        return self._ids[self._i]

    def all_ids(self):
        return iter(self._ids[self._i :])

    def weight(self):
        if self._weights is None:
            self._weights = self._postings.weights.tolist()
        return self._weights[self._i]

    def value(self):
        if self._values is None:
            self._values = self._postings.values()
        return self._values[self._i]

    def next(self) -> bool:
        self._i += 1
        return False

    def skip_to(self, id) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)

    def supports_block_quality(self):
        return self.scorer is not None and self.scorer.supports_block_quality()

    def skip_to_quality(self, minquality) -> int:
        if self.is_active() and self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0

    def block_min_id(self):
        return self._ids[self._i]

    def block_max_id(self):
        return self._ids[-1]

    def block_min_length(self):
        return self._terminfo.min_length() if self._terminfo else 1

    def block_max_length(self):
        return self._terminfo.max_length() if self._terminfo else 1

    def block_max_weight(self):
        if self._terminfo is not None:
            return self._terminfo.max_weight()
        return float(self._postings.weights.max()) if len(self._ids) else 0.0


# -- columns ----------------------------------------------------------------------------


def column_values(leaf, name: str) -> list:
    """Every article's value in a column of one segment, read at once.

    Whoosh's column readers read one value per file access (~10 µs each);
    an update reads three columns of every article.  Columns of kinds other
    than numbers and byte strings are read Whoosh's way.
    """
    if not leaf.doc_count_all():  # an empty index's reader has no columns
        return []
    reader = leaf.column_reader(name)
    translate = None
    if isinstance(reader, columns.TranslatingColumnReader):
        reader, translate = reader.raw_column(), reader._translate
    if type(reader) is columns.NumericColumn.Reader:
        count = min(reader._count, reader._doccount)
        data = reader._dbfile.get(reader._basepos, count * reader._fixedlen)
        values = np.frombuffer(data, dtype=np.dtype(reader._typecode).newbyteorder(">")).tolist()
        values += [reader._default] * (reader._doccount - count)
    elif type(reader) is columns.VarBytesColumn.Reader:
        ends = [o + n for o, n in zip(reader._offsets, reader._lengths)]
        data = reader._dbfile.get(reader._basepos, max(ends, default=0))
        values = [data[o:e] for o, e in zip(reader._offsets, ends)]
    else:
        values = list(reader)
    return values if translate is None else [translate(v) for v in values]


#: The characters of a segment's name after ``MAIN_`` (Whoosh's own).
SEGMENT_ID_CHARS = string.digits + string.ascii_lowercase


# -- the codec ------------------------------------------------------------------------


class Codec(W3Codec):
    """Whoosh's W3 codec with vnsearch's postings (see the module's docstring).

    The postings file keeps W3's name (``.pst``); it starts with ``VNP1``.
    """

    def field_writer(self, storage, segment):
        return FieldWriter(self, storage, segment)

    def new_segment(self, storage, indexname):
        """A segment whose name no file in ``storage`` has yet.

        Whoosh draws names from the ``random`` module, which a program may
        seed (``random.seed(0)`` before each run): two writers would then
        draw the same name, and the second would overwrite the first's
        files.  These names come from the operating system's randomness.
        """
        taken = {name.split(".")[0] for name in storage.list()}
        while True:
            segid = "".join(secrets.choice(SEGMENT_ID_CHARS) for _ in range(16))
            if f"{indexname}_{segid}" not in taken:
                return W3Segment(self, indexname, segid=segid)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: W3's
            return super().postings_writer(dbfile, byteids=True)
        return PostingsWriter(dbfile)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        return ArrayMatcher(read_postings(dbfile, terminfo, format_), format_, term, scorer, terminfo)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return TermsReader(self, tifile, storage.file_length(tiname), postfile, segment.doc_count_all())
