"""Typo lookups: each segment's table finds exactly the words Whoosh's walk through the lexicon finds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import damerau_levenshtein

from conftest import CORPORA, write_article
from vnsearch import Searcher, storage, update_index
from vnsearch.suggest import Vocabulary
from vnsearch.typos import EXTENSION, TypoTable, load

# letters that make near-misses likely: few, some accented
LETTERS = "anhgiuoưđêtcs"
words = st.text(alphabet=LETTERS, min_size=1, max_size=9)


def brute_force(vocabulary: set[str], word: str, distance: int) -> set[str]:
    return {w for w in vocabulary if w[0] == word[0] and damerau_levenshtein(w, word) <= distance}


@settings(max_examples=200, deadline=None)
@given(st.sets(words, max_size=60), words, st.integers(min_value=0, max_value=2))
def test_a_table_finds_exactly_the_words_within_reach(vocabulary, word, distance) -> None:
    table = TypoTable.build(vocabulary)
    assert table.within(word, distance) == brute_force(vocabulary, word, distance)
    assert TypoTable.from_bytes(table.to_bytes()).within(word, distance) == table.within(word, distance)


def test_a_swap_of_neighbouring_letters_is_one_edit() -> None:
    table = TypoTable.build(["người", "nguồn", "ngoài", "dân", "dẫn"])
    assert table.within("ngưiờ", 1) == {"người"}
    assert table.within("nguoi", 1) == set()  # another letter altogether: ư is not u
    assert table.within("dân", 0) == {"dân"}


@pytest.mark.parametrize("damage", [b"", b"VNTYPO1\n", b"x" * 64, "cut"])
def test_a_damaged_table_is_refused(damage) -> None:
    data = TypoTable.build(["dân", "số"]).to_bytes()
    with pytest.raises(ValueError):
        TypoTable.from_bytes(data[:-3] if damage == "cut" else damage)


def segment_ids(index_dir: Path) -> set[str]:
    index = storage.open_index(index_dir)
    return {segment.segment_id() for segment in index._segments()}


def tables(index_dir: Path) -> set[str]:
    folder = index_dir / storage.read_pointer(index_dir).name
    return {path.name[: -len(EXTENSION)] for path in folder.glob(f"*{EXTENSION}")}


def test_every_segment_has_its_table_through_updates_and_merges(tmp_path: Path, pristine_seeds: Path) -> None:
    seeds, index_dir = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(pristine_seeds, seeds)
    update_index(seeds, index_dir)
    assert tables(index_dir) == segment_ids(index_dir) != set()
    for n in range(12):  # small segments, merged by Whoosh as they pile up
        write_article(seeds, f"them-{n}", "Tin mới", f"Người dân xã {n} nói về dân số và sức khỏe.")
        update_index(seeds, index_dir)
        assert tables(index_dir) == segment_ids(index_dir)  # none missing, none left behind
    assert update_index(seeds, index_dir, rebuild=True).rebuilt
    assert tables(index_dir) == segment_ids(index_dir)


@pytest.mark.parametrize("corpus_index", CORPORA, indirect=True)
def test_the_tables_offer_the_words_the_walk_through_the_lexicon_offers(corpus_index: Path) -> None:
    with Searcher(corpus_index) as searcher:
        reader = searcher._view().searcher.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert all(load(leaf) is not None for leaf in leaves)
        typed = ["nguoii", "dann", "giaoo", "sucw", "khoe", "tinhr", "ngưoi", "đươngf", "vietj", "quanx"]
        for word in typed:
            for distance in (1, 2):
                walked = set()
                for leaf in leaves:
                    walked.update(IndexReader.terms_within(leaf, "body", word, distance, prefix=1))
                plain = {w for w in walked if w.isalpha()}  # suggestions are words, not dân_số
                assert Vocabulary(reader)._within(word, distance) == plain, (word, distance)


def test_a_segment_without_a_table_is_searched_the_old_way(built_index: Path, monkeypatch) -> None:
    with Searcher(built_index) as searcher:
        expected = searcher.search("nguoii dan").suggestions
    monkeypatch.setattr("vnsearch.typos.load", lambda leaf: None)  # as in an index made before tables
    with Searcher(built_index) as searcher:
        assert searcher.search("nguoii dan").suggestions == expected == ["người dân"]


def test_a_table_left_half_written_by_a_killed_update_is_removed(tmp_path: Path, pristine_seeds: Path) -> None:
    seeds, index_dir = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(pristine_seeds, seeds)
    update_index(seeds, index_dir)
    generation = index_dir / storage.read_pointer(index_dir).name
    unfinished = generation / f".MAIN_abc{EXTENSION}.4242.tmp"
    unfinished.write_bytes(b"VNTYPO1\n")
    write_article(seeds, "moi", "Tin mới", "Người dân nói về dân số.")
    assert update_index(seeds, index_dir).added == ["moi"]
    assert not unfinished.exists()
    assert tables(index_dir) == segment_ids(index_dir)
