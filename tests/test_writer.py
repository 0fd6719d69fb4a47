"""The bulk segment writer writes the very segment Whoosh's writer would."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import writing as whoosh_writing
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from conftest import CORPORA
from vnsearch import schema
from vnsearch.articles import read_article
from vnsearch.codec import Codec, Positions
from vnsearch.indexing import article_id, seed_files
from vnsearch.writer import SegmentWriter


def documents(seeds: Path) -> list[dict]:
    """The fields vnsearch indexes each article of ``seeds`` by."""
    return [
        schema.document(read_article(path, id=article_id(seeds, path)), os.stat(path))
        for path in seed_files(seeds)
    ]


def segment_files(folder: Path) -> dict[str, bytes]:
    """Every segment file's bytes, by name with the (random) segment id left out."""
    return {
        re.sub(r"^MAIN_[a-z0-9]+", "SEGMENT", path.name): path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith("MAIN_") and not path.name.endswith("LOCK")
    }


def write(folder: Path, writer_class, batches: list[list[dict]], *, merge_all: bool = False, index_schema=None):
    """An index of ``batches`` of documents, one commit (one segment) each, written by ``writer_class``."""
    folder.mkdir()
    index = FileStorage(str(folder)).create_index(index_schema or schema.make_schema())
    for batch in batches:
        writer = writer_class(index, codec=Codec(), compound=False)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)
    if merge_all:
        writer = writer_class(index, codec=Codec(), compound=False)
        writer.commit(optimize=True)
    return segment_files(folder)


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_same_segment_as_whooshs_writer(corpus_index: Path, tmp_path: Path) -> None:
    docs = documents(corpus_index.parent / "seeds")
    ours = write(tmp_path / "ours", SegmentWriter, [docs])
    whooshs = write(tmp_path / "whoosh", whoosh_writing.SegmentWriter, [docs])
    assert {name for name in ours if name.endswith((".pst", ".trm"))} == {"SEGMENT.pst", "SEGMENT.trm"}
    assert ours == whooshs


def test_the_same_segment_after_deletions_and_a_merge(pristine_seeds: Path, tmp_path: Path) -> None:
    docs = documents(pristine_seeds)
    batches = [docs[:2], docs[2:], [dict(docs[0], id="again")]]

    def deleting(writer_class):
        def make(index, **kwargs):
            writer = writer_class(index, **kwargs)
            if index.doc_count_all() >= len(docs):  # the last batch: delete two articles first
                writer.delete_by_term("id", docs[1]["id"])
                writer.delete_by_term("id", docs[3]["id"])
            return writer

        return make

    ours = write(tmp_path / "ours", deleting(SegmentWriter), batches, merge_all=True)
    whooshs = write(tmp_path / "whoosh", deleting(whoosh_writing.SegmentWriter), batches, merge_all=True)
    assert sum(name.endswith(".pst") for name in ours) == 1  # merged into one segment
    assert ours == whooshs


def test_any_analyser_through_whooshs_tokens(tmp_path: Path) -> None:
    """A text field whose analyser has no ``index_tokens`` is indexed from Whoosh's token stream."""

    def make_schema() -> Schema:
        body = TEXT(analyzer=StandardAnalyzer())  # drops stop words: positions with gaps
        body.format = Positions()
        return Schema(body=body)

    docs = [{"body": "The population of Vietnam grows."}, {"body": "Population and health: the ministry."}]
    ours = write(tmp_path / "ours", SegmentWriter, [docs], index_schema=make_schema())
    whooshs = write(tmp_path / "whoosh", whoosh_writing.SegmentWriter, [docs], index_schema=make_schema())
    assert ours == whooshs


def test_the_writer_refuses_another_codec(built_index: Path) -> None:
    from whoosh.codec.whoosh3 import W3Codec

    from vnsearch import storage

    with pytest.raises(TypeError, match="vnsearch's codec"):
        SegmentWriter(storage.open_index(built_index), codec=W3Codec(), _lk=False)


def test_fields_without_a_word(tmp_path: Path) -> None:
    docs = [
        {"id": "a", "title": "…", "body": "Dân số", "author": ""},
        {"id": "b", "title": "!!", "body": "y tế", "author": "—"},
    ]
    ours = write(tmp_path / "ours", SegmentWriter, [docs])
    assert ours == write(tmp_path / "whoosh", whoosh_writing.SegmentWriter, [docs])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["dân", "số", "y", "tế", "dân_số", "a" * 40, "đ"]), max_size=30), max_size=12))
def test_random_documents_give_whooshs_segment(words_per_document: list[list[str]]) -> None:
    """Terms in many or one or no articles, repeated or not: the same bytes as Whoosh's writer."""

    def make_schema() -> Schema:
        body = TEXT(analyzer=StandardAnalyzer(stoplist=None))  # a list of words: one token each
        body.format = Positions()
        return Schema(body=body)

    docs = [{"body": words} for words in words_per_document]
    with tempfile.TemporaryDirectory() as folder:
        ours = write(Path(folder) / "ours", SegmentWriter, [docs], index_schema=make_schema())
        whooshs = write(Path(folder) / "whoosh", whoosh_writing.SegmentWriter, [docs], index_schema=make_schema())
    assert ours == whooshs
