"""A tampered index cannot run code through pickle (vnsearch.unpickle)."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
import whoosh.codec.whoosh3
import whoosh.columns
import whoosh.filedb.structfile
import whoosh.formats
import whoosh.index
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from vnsearch import IndexDamagedError, Searcher, storage, unpickle
from vnsearch.cli import main

DAMAGED = "damaged or not a vnsearch index"
QUERIES = ["dân số", '"dân số"', "kinh*", "dân NOT số", "title:dân"]


class Payload:
    """Unpickles into a call of ``os.system``: creates ``marker`` if it runs."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch '{self.marker}'",)


@pytest.fixture
def index(built_index: Path, tmp_path: Path) -> Path:
    """A copy of the seeds' index, to tamper with."""
    return Path(shutil.copytree(built_index, tmp_path / "index"))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


def rewrite_tocs(index: Path, *, schema: bytes | None = None, segments: bytes | None = None):
    """Replace the pickled schema or segment list in the index's tables of contents.

    The layout is Whoosh's ``TOC._write``: sizes, a check number, versions,
    the schema pickle as a string, the generation, an unused int, then the
    segment list pickled to the end of the file.
    """
    tocs = list(index.rglob("_*.toc"))
    assert tocs
    for toc in tocs:
        old = StructFile(io.BytesIO(toc.read_bytes()))
        for _ in range(3):
            old.read_varint()
        old.read_int(), old.read_int()
        for _ in range(3):
            old.read_varint()
        head = toc.read_bytes()[: old.tell()]
        old_schema = old.read_string()
        generation, unused = old.read_int(), old.read_int()
        new = StructFile(io.BytesIO())
        new.write(head)
        new.write_string(old_schema if schema is None else schema)
        new.write_int(generation)
        new.write_int(unused)
        new.write(old.read() if segments is None else segments)
        toc.write_bytes(new.file.getvalue())
        # a tamperer would rewrite the record of sizes too, which would tell the change
        (toc.parent / "FILES.json").unlink(missing_ok=True)


def search_cli(index: Path):
    return CliRunner().invoke(main, ["search", "--index", str(index), "dân số"])


def assert_refused(status: int, stderr: str, marker: Path) -> None:
    """The CLI said in one line that the index must be rebuilt, exit 2, and ran nothing."""
    assert status == 2, stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "damaged or not a vnsearch index" in stderr and "rebuild" in stderr
    assert not marker.exists()


def test_a_payload_in_the_segment_list_is_refused(index: Path, marker: Path) -> None:
    rewrite_tocs(index, segments=pickle.dumps([Payload(marker)]))
    with pytest.raises(IndexDamagedError, match="'posix.system'"):
        Searcher(index)
    result = search_cli(index)
    assert_refused(result.exit_code, result.stderr, marker)


def test_the_segment_list_of_the_cli_in_a_new_process(index: Path, marker: Path) -> None:
    """As a user runs it: `vnsearch search` in its own process, workers and all."""
    rewrite_tocs(index, segments=pickle.dumps(Payload(marker)))
    done = subprocess.run(
        ["vnsearch", "search", "--index", str(index), "dân số"],
        capture_output=True,
        text=True,
    )
    assert_refused(done.returncode, done.stderr, marker)


def test_a_payload_in_the_schema_is_refused(index: Path, marker: Path) -> None:
    rewrite_tocs(index, schema=pickle.dumps(Payload(marker), 2))
    # vnsearch opens its indexes with its own schema: the pickled one is skipped
    with Searcher(index) as searcher:
        assert searcher.search("dân số").total > 0
    # ... and Whoosh, left to read it, refuses it
    toc = next(index.rglob("_*.toc"))
    with pytest.raises(IndexDamagedError, match=DAMAGED):
        FileStorage(str(toc.parent)).open_index(toc.stem[1:].rsplit("_", 1)[0])
    assert not marker.exists()


def test_a_payload_in_a_stored_field_is_refused(index: Path, marker: Path) -> None:
    with storage.open_index(index).writer() as writer:
        writer.add_document(id="evil", title="Dân số", body="Dân số tăng.", path=Payload(marker))
    result = search_cli(index)
    assert_refused(result.exit_code, result.stderr, marker)
    assert result.stderr == (
        "vnsearch: the index is damaged or not a vnsearch index (it holds a pickled "
        "'posix.system'): run `vnsearch index --rebuild`\n"
    )


def test_a_normal_index_searches_as_with_plain_pickle(built_index: Path, monkeypatch) -> None:
    def everything():
        with Searcher(built_index) as searcher:
            results = [searcher.search(q, facets=True) for q in QUERIES]
            results += [searcher.search(q, sort="date") for q in QUERIES]
            articles = [searcher.article(hit.id) for r in results for hit in r.hits]
            return results, articles, searcher.stats().articles

    restricted = everything()
    monkeypatch.setattr(whoosh.index, "pickle", pickle)
    monkeypatch.setattr(whoosh.filedb.structfile, "load_pickle", pickle.load)
    for module in (whoosh.codec.whoosh3, whoosh.columns, whoosh.formats):
        monkeypatch.setattr(module, "loads", pickle.loads)
    assert everything() == restricted
    assert restricted[0][0].total > 0


@pytest.mark.parametrize(
    "name", [("builtins", "eval"), ("posix", "system"), ("whoosh.index", "create_in"),
             ("subprocess", "Popen"), ("whoosh.compat", "exec_"), ("pickle", "loads")]
)
def test_only_allowed_names_are_unpickled(name: tuple[str, str]) -> None:
    module, attr = name
    data = b"\x80\x02c" + f"{module}\n{attr}\n".encode() + b"."
    with pytest.raises(IndexDamagedError, match=f"'{module}.{attr}'"):
        unpickle.loads(data)


@pytest.mark.parametrize(
    "read",
    [
        lambda data: whoosh.index.pickle.loads(data),
        lambda data: whoosh.filedb.structfile.load_pickle(io.BytesIO(data)),
        lambda data: whoosh.codec.whoosh3.loads(data),
        lambda data: whoosh.columns.loads(data),
        lambda data: whoosh.formats.loads(data),
    ],
    ids=["schema", "segments-and-blocks", "postings", "stored-fields", "positions"],
)
def test_whoosh_reads_with_the_allow_list(read, marker: Path) -> None:
    with pytest.raises(IndexDamagedError):
        read(pickle.dumps(Payload(marker)))
    assert not marker.exists()


def test_what_an_index_holds_still_loads() -> None:
    import datetime as dt
    from collections import defaultdict

    from vnsearch.schema import make_schema

    schema = make_schema()
    assert unpickle.loads(pickle.dumps(schema, 2)).names() == schema.names()
    for value in (dt.datetime(2024, 5, 1, 8, 30), defaultdict(int, a=1), [1, 2, 3], b"\x00c"):
        for protocol in (2, pickle.HIGHEST_PROTOCOL):
            assert unpickle.loads(pickle.dumps(value, protocol)) == value
