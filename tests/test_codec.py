"""vnsearch's codec (vnsearch.codec): postings as arrays, the same hits as Whoosh's W3 codec.

* random posting lists survive encode/decode (hypothesis), and so do single
  postings kept inline in the term dictionary;
* on the news articles and 300 VNTC articles, an index written with the
  codec gives exactly the hits, scores and facets of one written with W3 (as
  vnsearch did before), for every query shape of the suite, also after an
  update that deletes articles and after merging segments;
* a damaged postings file is one ``vnsearch:`` line asking for a rebuild.
"""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh import writing as whoosh_writing
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import TEXT

from conftest import CORPORA, write_article
from vnsearch import IndexDamagedError, Searcher, schema, storage, update_index, workers
from vnsearch.cli import main
from vnsearch.codec import (
    FIXED_VALUES,
    NO_VALUES,
    POSITIONS,
    VALUES,
    ArrayMatcher,
    Codec,
    Positions,
    PostingsError,
    TermInfo,
    column_values,
    decode_inline,
    encode_inline,
    decode_postings,
    encode_postings,
)

# -- encoding ------------------------------------------------------------------

U32 = 2**32 - 1


@st.composite
def posting_lists(draw):
    """``(ids, positions per article, weights or None)`` of one term, in every shape that matters."""
    shape = draw(st.sampled_from(["random", "empty", "single", "every article", "huge gaps"]))
    n = {"empty": 0, "single": 1}.get(shape) or draw(st.integers(1, 60))
    if shape == "every article":
        ids = list(range(n))
    else:
        top = U32 // max(n, 1) if shape == "huge gaps" else 300
        gaps = draw(st.lists(st.integers(1, top), min_size=n, max_size=n))
        ids = list(np.cumsum([g - 1 if i == 0 else g for i, g in enumerate(gaps)]))
    big = draw(st.booleans())
    position = st.integers(0, U32 if big else 2000)
    increasing = draw(st.booleans())
    positions = []
    for _ in ids:
        ps = draw(st.lists(position, min_size=1, max_size=12))
        positions.append(sorted(ps) if increasing else ps)
    weights = None
    if draw(st.booleans()):
        weights = draw(st.lists(st.floats(0.25, 1e6, width=32), min_size=n, max_size=n))
    return [int(i) for i in ids], positions, weights


@given(posting_lists())
@settings(max_examples=300, deadline=None)
def test_posting_lists_round_trip(case) -> None:
    ids, positions, weights = case
    freqs = [len(p) for p in positions]
    flat = [x for p in positions for x in p]
    postings = decode_postings(encode_postings(ids, freqs, flat, weights))
    assert postings.ids.tolist() == ids
    assert postings.weights.tolist() == (weights if weights is not None else [float(f) for f in freqs])
    assert [postings.positions(i).tolist() for i in range(len(ids))] == positions
    fmt = Positions()
    assert postings.values() == [fmt.encode(p) for p in positions]
    assert [fmt.decode_positions(v) for v in postings.values()] == positions


@given(posting_lists())
@settings(max_examples=100, deadline=None)
def test_postings_without_positions_round_trip(case) -> None:
    ids, positions, _ = case
    for kind, values, vsize in [
        (NO_VALUES, None, 0),
        (FIXED_VALUES, [len(p).to_bytes(4, "big") for p in positions], 4),
        (VALUES, [bytes(p[:3]) if max(p) < 256 else b"" for p in positions], 0),
    ]:
        postings = decode_postings(encode_postings(ids, kind=kind, values=values, vsize=vsize))
        assert postings.ids.tolist() == ids
        assert postings.weights.tolist() == [1.0] * len(ids)
        assert postings.values() == (values if values is not None else [b""] * len(ids))


@given(st.lists(st.integers(0, U32), min_size=1, max_size=20), st.booleans())
def test_a_single_posting_round_trips_inline(positions: list[int], increasing: bool) -> None:
    positions = sorted(positions) if increasing else positions
    value = Positions().encode(positions)
    payload = encode_inline(POSITIONS, value)
    assert decode_inline(POSITIONS, payload, 0) == value
    info = TermInfo(weight=len(positions), df=1, minlength=3, maxlength=9, maxweight=len(positions), minid=7, maxid=7)
    info.set_inline_payload(payload)
    again = TermInfo.from_bytes(info.to_bytes())
    assert again.is_inlined() and again._payload == payload
    assert (again.weight(), again.doc_frequency(), again.min_id(), again.max_id()) == (len(positions), 1, 7, 7)
    assert b"\x80" not in info.to_bytes()[:1]  # no pickle: flags 2, not W3's 1


def test_a_common_term_is_about_three_bytes_a_posting() -> None:
    """A word in most articles, a few times each: one byte per gap, count and position gap."""
    rng = np.random.default_rng(0)
    ids = np.flatnonzero(rng.random(10_000) < 0.6)
    freqs = rng.integers(1, 4, len(ids))
    positions = np.concatenate([np.sort(rng.choice(200, f, replace=False)) for f in freqs])
    record = encode_postings(ids, freqs, positions)
    assert len(record) < len(ids) * (2 + 2 * freqs.mean()) + 16


def test_bad_posting_lists_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_postings([3, 3], [1, 1], [0, 0])  # not increasing
    with pytest.raises(ValueError):
        encode_postings([1, 2], [1, 2], [0, 0])  # counts do not match the positions
    with pytest.raises(ValueError):
        encode_postings([1], [1], [2**32])  # too big for 32 bits


def test_every_damaged_record_is_refused_not_misread() -> None:
    record = encode_postings([2, 5, 900], [2, 1, 3], [4, 9, 0, 1, 2, 70000])
    for cut in range(len(record)):
        with pytest.raises(PostingsError):
            decode_postings(record[:cut])
    for at in range(len(record)):
        flipped = bytearray(record)
        flipped[at] ^= 0x10
        with pytest.raises(PostingsError):
            decode_postings(bytes(flipped))


def test_the_matcher_walks_and_skips_like_whooshs() -> None:
    ids = [1, 4, 9, 16, 25, 36]
    positions = [[0], [1, 5], [2], [3, 4, 8], [0], [7]]
    postings = decode_postings(encode_postings(ids, [len(p) for p in positions], sum(positions, [])))
    m = ArrayMatcher(postings, Positions())
    seen = []
    while m.is_active():
        seen.append((m.id(), m.weight(), m.value_as("positions")))
        m.next()
    assert seen == [(i, float(len(p)), p) for i, p in zip(ids, positions)]
    m.reset()
    m.skip_to(10)
    assert m.id() == 16 and [s.start for s in m.spans()] == [3, 4, 8]
    copy = m.copy()
    m.skip_to(100)
    assert not m.is_active() and copy.id() == 16 and list(copy.all_ids()) == [16, 25, 36]


# -- the same hits as W3 ------------------------------------------------------------


@contextmanager
def w3_codec():
    """vnsearch as it was before its codec: Whoosh's W3 codec and ``Positions`` format (pickles)."""

    def old_text(analyzer):
        return TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase")

    def w3_writer(index, **kwargs):
        kwargs["codec"] = W3Codec()
        return whoosh_writing.SegmentWriter(index, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(storage._Index, "writer", w3_writer)
        mp.setattr(workers, "Codec", W3Codec)
        mp.setattr(workers, "SegmentWriter", w3_writer)
        mp.setattr(schema, "_text", old_text)
        yield


def codecs_of(index: Path) -> set[str]:
    """The codec classes of an index's segments."""
    return {type(segment.codec()).__name__ for segment in storage.open_index(index)._segments()}


#: Query shapes of the suite: words, accents or not, boolean logic, phrases
#: (slop), fields, wildcards, ``*``; each also sorted by date, filtered and with facets.
QUERIES = [
    "dân số",
    "dan so",
    "kế hoạch hóa gia đình",
    "dân số OR bệnh viện",
    "dân NOT số",
    "(sức khỏe OR y tế) AND người dân",
    "trẻ em NOT quân",
    "title:dân",
    '"dân số"',
    '"ke hoach hoa"',
    '"công tác dân số"~3',
    "dân*",
    "kinh* OR y*",
    "id:bai*",
    'author:"Trần Lộc"',
    "site:baocaobang.vn",
    "*",
    "bóng đá việt nam",
]
OPTIONS = [
    {},
    {"any_terms": True},
    {"sort": "date"},
    {"since": "2018", "until": "2022", "facets": True},
    {"category": "dan-so"},
]
#: Whoosh queries the CLI does not type, on the fields it does not search: ranges, prefixes, phrases with slop.
WHOOSH_QUERIES = [
    wq.NumericRange("day", 736000, 738000),
    wq.DateRange("date", None, None),
    wq.TermRange("id", "a", "z"),
    wq.Prefix("body", "dân"),
    wq.Phrase("body", ["dân", "số"], slop=2),
    wq.Or([wq.Term("title", "dân"), wq.Term("body", "y_tế")]),
    wq.Every(),
]


def outcome(searcher: Searcher, query: str, **options) -> tuple:
    result = searcher.search(query, limit=30, **options)
    return result.total, [(h.id, h.score) for h in result.hits], result.facets


def assert_same(new: tuple, old: tuple) -> None:
    assert new[0] == old[0]
    assert [i for i, _ in new[1]] == [i for i, _ in old[1]]
    for (_, a), (_, b) in zip(new[1], old[1]):
        assert a == b or a == pytest.approx(b, rel=1e-9)
    assert new[2] == old[2]


def whoosh_hits(index: Path, q: wq.Query) -> list[tuple[int, float]]:
    with storage.open_index(index).searcher() as searcher:
        return [(hit.docnum, hit.score) for hit in searcher.search(q, limit=None)]


def everything(index: Path) -> tuple[list, list]:
    """Every query shape's outcome on ``index`` (``Searcher``), then Whoosh's own on its fields."""
    with Searcher(index) as searcher:
        shapes = [outcome(searcher, q, **o) for q in QUERIES for o in OPTIONS]
    return shapes, [whoosh_hits(index, q) for q in WHOOSH_QUERIES]


def assert_everything_same(new: Path, old: Path) -> None:
    new_shapes, new_whoosh = everything(new)
    with w3_codec():
        old_shapes, old_whoosh = everything(old)
    assert sum(total for total, _, _ in new_shapes) > 0
    for query, a, b in zip([(q, o) for q in QUERIES for o in OPTIONS], new_shapes, old_shapes):
        try:
            assert_same(a, b)
        except AssertionError as exc:
            raise AssertionError(f"{query}: {exc}") from None
    for q, a, b in zip(WHOOSH_QUERIES, new_whoosh, old_whoosh):
        assert [d for d, _ in a] == [d for d, _ in b], q
        assert [s for _, s in a] == pytest.approx([s for _, s in b], rel=1e-9), q


@pytest.fixture(scope="module")
def twins(corpus_index: Path, tmp_path_factory) -> tuple[Path, Path]:
    """The corpus's seeds indexed twice, with vnsearch's codec and with W3, for changing."""
    root = tmp_path_factory.mktemp("twins")
    shutil.copytree(corpus_index.parent / "seeds", root / "seeds")
    update_index(root / "seeds", root / "new", jobs=1)  # one process: the same article numbers
    with w3_codec():
        update_index(root / "seeds", root / "old", jobs=1)
        assert codecs_of(root / "old") == {"W3Codec"}
    assert codecs_of(root / "new") == {"Codec"}
    return root / "new", root / "old"


def test_worker_processes_write_vnsearchs_codec(seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from vnsearch import indexing

    monkeypatch.setattr(indexing, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(workers, "BATCH_SIZE", 1)
    update_index(seeds_dir, tmp_path / "index", jobs=2)
    assert codecs_of(tmp_path / "index") == {"Codec"}
    assert len(storage.open_index(tmp_path / "index")._segments()) == 2


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_same_hits_scores_and_facets_as_w3(twins) -> None:
    assert_everything_same(*twins)


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_same_after_an_update_with_deletions(twins) -> None:
    new, old = twins
    seeds = new.parent / "seeds"
    write_article(seeds, "them", "Dân số và bóng đá", "Người dân Quảng Ninh bàn về dân số, y tế và kế hoạch.")
    files = sorted(seeds.rglob("*.txt"))
    files[0].unlink()  # deleted
    files[1].write_text("Dân số tăng\n\nDân số Quảng Ninh tăng nhanh, y tế và bóng đá.\n", encoding="utf-8")  # changed
    for index, context in ((new, _nothing), (old, w3_codec)):
        with context():
            report = update_index(seeds, index, jobs=1)
        assert report.added and report.updated and report.removed
    with storage.open_index(new).searcher() as searcher:
        assert searcher.reader().has_deletions()
    assert_everything_same(new, old)


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_same_after_a_merge(twins) -> None:
    new, old = twins
    for index, context in ((new, _nothing), (old, w3_codec)):
        with context():
            writer = storage.open_index(index).writer()
            writer.commit(optimize=True)  # all segments, deletions dropped, into one
            storage.record_files(index, storage.read_pointer(index).name)
            assert len(storage.open_index(index)._segments()) == 1
    assert codecs_of(new) == {"Codec"}
    assert_everything_same(new, old)


@contextmanager
def _nothing():
    yield


def test_segments_of_both_codecs_mix_and_merge_into_vnsearchs(built_index: Path, tmp_path: Path) -> None:
    """Each segment is read with its own codec; a merge writes the writer's."""
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    with whoosh_writing.SegmentWriter(storage.open_index(index), codec=W3Codec()) as writer:
        writer.add_document(id="w3", path="w3.txt", title="Dân số", body="Dân số tăng nhanh ở Quảng Ninh.")
    storage.record_files(index, storage.read_pointer(index).name)
    assert codecs_of(index) == {"Codec", "W3Codec"}
    with Searcher(index) as searcher:
        mixed = [outcome(searcher, q) for q in ("dân số", '"dân số"', "quảng*")]
    assert "w3" in [i for i, _ in mixed[0][1]]
    storage.open_index(index).writer().commit(optimize=True)
    storage.record_files(index, storage.read_pointer(index).name)
    assert codecs_of(index) == {"Codec"}
    with Searcher(index) as searcher:
        for q, before in zip(("dân số", '"dân số"', "quảng*"), mixed):
            after = outcome(searcher, q)  # scores move a little: a merge rounds the field lengths
            assert after[0] == before[0] and [i for i, _ in after[1]] == [i for i, _ in before[1]]


def test_an_index_of_the_w3_format_asks_for_a_rebuild_which_converts_it(pristine_seeds: Path, tmp_path: Path) -> None:
    """An index written before the codec (schema 4, W3) is refused with the usual line; ``--rebuild`` rewrites it."""
    index = tmp_path / "index"
    with w3_codec():
        update_index(pristine_seeds, index, jobs=1)
    state = json.loads((index / storage.STATE_FILE).read_text(encoding="utf-8"))
    (index / storage.STATE_FILE).write_text(json.dumps({**state, "schema": 4}), encoding="utf-8")
    result = CliRunner().invoke(main, ["search", "--index", str(index), "dân số"])
    assert result.exit_code == 2 and "--rebuild" in result.stderr and result.stderr.count("\n") == 1
    assert len(update_index(pristine_seeds, index, rebuild=True).added) == 5
    assert codecs_of(index) == {"Codec"}
    with Searcher(index) as searcher:
        assert searcher.search("dân số").total == 4


# -- damage ------------------------------------------------------------------------


def postings_file(index: Path) -> Path:
    (found,) = index.rglob("*.pst")
    return found


@pytest.fixture
def index(built_index: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_index, tmp_path / "index"))


def search_all(index: Path) -> list:
    with Searcher(index) as searcher:
        return [outcome(searcher, q) for q in ["dân số", '"dân số"', "dân*", "kế hoạch", "y tế OR trẻ em"]]


def test_flipped_bytes_in_the_postings_are_found(index: Path) -> None:
    path = postings_file(index)
    data = path.read_bytes()
    good = search_all(index)
    damaged = 0
    for at in range(0, len(data), max(1, len(data) // 150)):
        flipped = bytearray(data)
        flipped[at] ^= 0x41
        path.write_bytes(bytes(flipped))
        try:
            assert search_all(index) == good  # a term no query reads
        except IndexDamagedError as exc:
            assert "damaged" in str(exc)
            damaged += 1
        with pytest.raises(PostingsError):  # every byte is some term's: reading them all finds it
            read_every_term(index)
    assert damaged > 0


def test_a_damaged_postings_file_is_one_line_asking_for_a_rebuild(index: Path) -> None:
    with storage.open_index(index).searcher() as searcher:
        offset, length = searcher.reader().term_info("body", "số").extent()
    path = postings_file(index)
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["search", "--index", str(index), "dân số OR y tế OR trẻ em"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("vnsearch: ")
    assert "damaged" in result.stderr and "--rebuild" in result.stderr


@pytest.mark.parametrize("share", [0.0, 0.001, 0.5, 0.999])
def test_a_damaged_term_dictionary_is_one_line_too(index: Path, share: float) -> None:
    (path,) = index.rglob("*.trm")
    data = bytearray(path.read_bytes())
    for at in range(int(share * len(data)), min(len(data), int(share * len(data)) + 64)):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["search", "--index", str(index), "dân số OR y tế OR trẻ em"])
    assert result.exit_code in (0, 1, 2), result.output  # 0/1: no query read the damaged bytes
    if result.exit_code == 2:
        assert result.stderr.count("\n") == 1 and "damaged" in result.stderr and "--rebuild" in result.stderr


@pytest.mark.parametrize("keep", [0, 3, 100, 0.5])
def test_a_truncated_postings_file_is_one_line_too(index: Path, keep: float) -> None:
    path = postings_file(index)
    data = path.read_bytes()
    path.write_bytes(data[: int(keep * len(data)) if isinstance(keep, float) else keep])
    (index / storage.read_pointer(index).name / storage.FILES_RECORD).unlink()  # not caught by sizes
    result = CliRunner().invoke(main, ["search", "--index", str(index), "dân số OR y tế OR trẻ em"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "damaged" in result.stderr and "--rebuild" in result.stderr


def test_a_file_short_of_its_last_bytes_is_found(index: Path) -> None:
    path = postings_file(index)
    path.write_bytes(path.read_bytes()[:-1])
    (index / storage.read_pointer(index).name / storage.FILES_RECORD).unlink()  # not caught by sizes
    with pytest.raises(PostingsError):
        read_every_term(index)


def read_every_term(index: Path) -> int:
    """Read every term's postings in ``index``; the number inlined."""
    inline = 0
    with storage.open_index(index).searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            assert isinstance(leaf.codec(), Codec)
            for (fieldname, tbytes), info in leaf._terms.items():
                assert info.to_bytes()[0] in (0, TermInfo.INLINE)
                inline += info.is_inlined()
                postings = leaf._terms.postings(fieldname, tbytes, leaf.schema[fieldname].format)
                assert len(postings) == info.doc_frequency()
    return inline


def test_every_term_is_read_without_pickle(built_index: Path) -> None:
    """Each term entry points to a record or holds its posting inline (never W3's pickle), and every record reads."""
    assert read_every_term(built_index) > 0


def test_a_whole_column_is_read_as_whoosh_reads_it(built_index: Path) -> None:
    with storage.open_index(built_index).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for name in ("id", "size", "mtime", "day", "site"):
                if leaf.has_column(name):
                    assert column_values(leaf, name) == list(leaf.column_reader(name)), name
