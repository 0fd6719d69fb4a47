"""How to store posting lists: bytes per posting and decoding time of each option.

    python benchmarks/postings.py --index /path/to/a/vnsearch/index [--sample 0.2]

Reads every posting list of the body and title fields of an index written
with vnsearch's codec (real postings: article numbers, frequencies,
positions) and stores each again as

* ``none``: the codec's arrays, each in the smallest byte width that fits
  (what vnsearch writes), CRC-checked or not when read;
* ``bits128``: blocks of 128 values, each block in the smallest bit width
  that fits (bit-packed; numpy unpacks one block at a time);
* ``zlib1`` / ``zlib6``: the codec's arrays compressed with zlib at level 1 / 6;
* ``w3``: Whoosh's W3 codec (pickled, zlib'd blocks of 128), for reference,
  encoded and decoded with Whoosh's own writer and matcher.

For each: bytes per posting (all of a term's record over its postings; a
term in one article is left out, vnsearch keeps it inline) and the time to
decode a whole list, per 128 postings (one W3 block) and per list.
A measurement, never part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vnsearch import storage  # noqa: E402
from vnsearch.codec import _HEADER, decode_postings, encode_postings  # noqa: E402


def read_lists(index: Path, sample: float, seed: int = 0):
    """``(ids, freqs, positions)`` of the body and title terms in more than one article."""
    rng = random.Random(seed)
    lists = []
    with storage.open_index(index).searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            for (fieldname, tbytes), info in leaf._terms.items():
                if fieldname not in ("body", "title") or info.is_inlined() or rng.random() > sample:
                    continue
                p = leaf._terms.postings(fieldname, tbytes, leaf.schema[fieldname].format)
                lists.append((p.ids, p._freqs, p.all_positions()))
    return lists


def _deltas(ids, freqs, positions):
    id_d = np.diff(ids, prepend=0)
    pos_d = positions.copy()
    pos_d[1:] -= positions[:-1]
    starts = np.concatenate(([0], np.cumsum(freqs)[:-1]))
    pos_d[starts] = positions[starts]
    return id_d, pos_d


# -- bit-packed blocks of 128 ------------------------------------------------------------


def pack_blocks(values: np.ndarray) -> bytes:
    out = []
    for start in range(0, len(values), 128):
        block = values[start : start + 128].astype(np.uint64)
        width = max(1, int(block.max()).bit_length())
        bits = ((block[:, None] >> np.arange(width, dtype=np.uint64)) & 1).astype(np.uint8)
        out.append(bytes([width]) + np.packbits(bits.ravel(), bitorder="little").tobytes())
    return b"".join(out)


def unpack_blocks(data: bytes, count: int) -> np.ndarray:
    parts, at = [], 0
    buf = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, count, 128):
        n = min(128, count - start)
        width = data[at]
        size = (n * width + 7) // 8
        bits = np.unpackbits(buf[at + 1 : at + 1 + size], count=n * width, bitorder="little")
        parts.append(bits.reshape(n, width) @ (1 << np.arange(width, dtype=np.int64)))
        at += 1 + size
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def bits_encode(ids, freqs, positions) -> tuple[bytes, bytes, bytes]:
    id_d, pos_d = _deltas(ids, freqs, positions)
    return pack_blocks(id_d), pack_blocks(freqs), pack_blocks(pos_d)


def bits_decode(parts, n: int, total: int):
    ids = np.cumsum(unpack_blocks(parts[0], n))
    freqs = unpack_blocks(parts[1], n)
    unpack_blocks(parts[2], total)
    return ids, freqs.astype(np.float64)


# -- W3 ------------------------------------------------------------------------------


def w3_encode(ids, freqs, positions):
    from whoosh.codec.whoosh3 import W3PostingsWriter, W3TermInfo
    from whoosh.filedb.structfile import StructFile
    from whoosh.formats import Positions

    fmt = Positions()
    f = StructFile(io.BytesIO())
    writer = W3PostingsWriter(f, blocklimit=128, compression=3)
    writer.start_postings(fmt, W3TermInfo())
    bounds = np.concatenate(([0], np.cumsum(freqs))).tolist()
    pos = positions.tolist()
    for i, docnum in enumerate(ids.tolist()):
        writer.add_posting(docnum, float(freqs[i]), fmt.encode(pos[bounds[i] : bounds[i + 1]]), 100)
    info = writer.finish_postings()
    return f.file.getvalue(), info.extent()


def w3_decode(data: bytes, extent, with_values: bool):
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.filedb.structfile import StructFile
    from whoosh.formats import Positions

    m = W3LeafMatcher(StructFile(io.BytesIO(data)), extent[0], extent[1], Positions())
    ids, weights = [], []
    while m.is_active():  # block by block, as vnsearch's ranker read W3
        m._read_data()
        m._read_weights()
        ids.append(np.cumsum(np.array(m._data[0], dtype=np.int64)))
        weights.append(np.asarray(m._weights, dtype=np.float64))
        if with_values:
            m._read_values()
        m._next_block()
    return np.concatenate(ids), np.concatenate(weights)


# -- the measurement ----------------------------------------------------------------------


def timed(call, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def measure(lists, w3_share: float) -> list[tuple[str, float, float, float, int]]:
    postings = sum(len(ids) for ids, _, _ in lists)
    records = [encode_postings(ids, freqs, pos) for ids, freqs, pos in lists]
    rows = []

    def row(name, size, seconds, count=postings, terms=len(lists)):
        rows.append((name, size / count, seconds / count * 128 * 1e6, seconds / terms * 1e6, count))

    size = sum(map(len, records))
    row("none, CRC checked", size, timed(lambda: [decode_postings(r) for r in records]))
    row("none, no CRC", size, timed(lambda: [decode_postings(r, check=False) for r in records]))
    for level in (1, 6):
        packed = [r[: _HEADER.size] + zlib.compress(r[_HEADER.size :], level) for r in records]

        def unzip(packed=packed):
            for p in packed:
                decode_postings(p[: _HEADER.size] + zlib.decompress(p[_HEADER.size :]), check=False)

        row(f"zlib {level} of the arrays", sum(map(len, packed)), timed(unzip))
    bits = [bits_encode(*lst) for lst in lists]
    row(
        "bits per block of 128",
        sum(len(b) for parts in bits for b in parts) + 8 * len(lists),
        timed(lambda: [bits_decode(p, len(l[0]), len(l[2])) for p, l in zip(bits, lists)], repeat=1),
    )
    # W3 is slow to encode in Python: a sample of the lists
    rng = random.Random(1)
    sample = [lst for lst in lists if rng.random() < w3_share]
    count = sum(len(ids) for ids, _, _ in sample)
    w3 = [w3_encode(*lst) for lst in sample]
    size = sum(extent[1] for _, extent in w3)
    for with_values in (False, True):
        what = "ids and weights" if not with_values else "and positions"
        seconds = timed(lambda: [w3_decode(d, e, with_values) for d, e in w3], repeat=1)
        row(f"W3 (Whoosh), {what}", size, seconds, count, len(sample))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--sample", type=float, default=1.0, help="share of the terms read")
    parser.add_argument("--w3-sample", type=float, default=0.1, help="share of those also encoded as W3")
    args = parser.parse_args()
    every = read_lists(args.index, args.sample)
    for least, what in ((2, "all lists (2+ articles)"), (1000, "long lists (1,000+ articles)")):
        lists = [lst for lst in every if len(lst[0]) >= least]
        n = sum(len(ids) for ids, _, _ in lists)
        positions = sum(len(p) for _, _, p in lists)
        print(f"\n{what}: {len(lists):,} posting lists, {n:,} postings, {positions:,} positions "
              f"({positions / n:.2f} a posting), the longest {max(len(i) for i, _, _ in lists):,}\n")
        print("| storage | bytes / posting | decode µs / 128 postings | decode µs / list |")
        print("|---|---:|---:|---:|")
        for name, size, per_block, per_list, _ in measure(lists, args.w3_sample):
            print(f"| {name} | {size:.2f} | {per_block:.2f} | {per_list:.1f} |")


if __name__ == "__main__":
    main()
