"""The systems vnsearch is compared with, on the same documents and queries.

* :class:`Fts5Peer` -- SQLite FTS5 from Python's ``sqlite3``, tokenizer
  ``unicode61 remove_diacritics 2``, ranked with ``bm25()``, snippets with
  ``snippet()``.
* :class:`WhooshPeer` -- plain Whoosh with its ``StandardAnalyzer`` (no word
  segmentation, no accent folding), highlights from Whoosh's own highlighter
  (best fragment, matched words marked ``[like this]`` as FTS5 marks them).
* :func:`pyvi_alone` -- pyvi's ``ViTokenizer.tokenize`` over the same text and
  nothing else: the floor under any pyvi-based index build.

Every peer indexes what vnsearch indexes: the title and body that
:func:`vnsearch.articles.read_article` makes of each file (see
:func:`load_docs`).  Heavy imports (Whoosh, pyvi, vnsearch) happen on first
use, so a process that only uses FTS5 pays for nothing else; that keeps the
cold-start figures honest.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Doc",
    "PeerHit",
    "Fts5Peer",
    "WhooshPeer",
    "PEERS",
    "iter_docs",
    "load_docs",
    "pyvi_alone",
]

_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Doc:
    """One article as the peers index it."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class PeerHit:
    """One search result of a peer: the article id and a marked snippet."""

    id: str
    snippet: str


# -- documents ---------------------------------------------------------------


PathLike = os.PathLike | str


def iter_docs(paths: Iterable[PathLike], root: PathLike | None = None) -> Iterator[Doc]:
    """Read article files the way vnsearch does, one :class:`Doc` at a time.

    The id is the path under ``root`` without ``.txt`` -- vnsearch's article
    id when ``root`` is its seeds folder -- or the path without ``.txt`` when
    ``root`` is None.  Files vnsearch would skip (binary, empty, undecodable)
    are skipped.
    """
    from vnsearch.articles import ArticleError, read_article

    for path in map(Path, paths):
        rel = path.relative_to(root) if root is not None else path
        try:
            article = read_article(path, id=rel.with_suffix("").as_posix())
        except ArticleError:
            continue
        yield Doc(article.id, article.title, article.body)


def load_docs(paths: Iterable[PathLike], root: PathLike | None = None) -> list[Doc]:
    """All of :func:`iter_docs` as a list."""
    return list(iter_docs(paths, root))


def pyvi_alone(docs: Iterable[Doc]) -> None:
    """Run pyvi's word segmentation over every document and keep nothing."""
    from pyvi.ViTokenizer import ViTokenizer

    for doc in docs:
        ViTokenizer.tokenize(doc.title + "\n" + doc.body)


def _words(query: str) -> list[str]:
    """The whitespace-separated words of a query that carry a letter or digit."""
    return [word for word in query.split() if _WORD_CHAR.search(word)]


def _dir_size(path: Path) -> int:
    """Total size of the files under ``path``."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


#: How much more a title word weighs than a body word, in every system
#: compared (vnsearch's ``schema.FIELD_BOOSTS``): a peer left with the same
#: weight for both ranks a headline search by the body.
TITLE_WEIGHT = 2.5


# -- SQLite FTS5 -------------------------------------------------------------


class Fts5Peer:
    """A SQLite FTS5 table of the documents, in one database file."""

    name = "SQLite FTS5"
    CREATE = (
        "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
        "id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    INSERT = "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)"
    # bm25 with a title word weighing TITLE_WEIGHT body words, as in vnsearch
    SEARCH = (
        "SELECT id, snippet(docs, 2, '[', ']', '…', 20) FROM docs "
        f"WHERE docs MATCH ? ORDER BY bm25(docs, 0, {TITLE_WEIGHT}, 1) LIMIT ?"
    )

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = sqlite3.connect(self.path)
        self._db.execute(self.CREATE)
        self._db.commit()

    def build(self, docs: Iterable[Doc]) -> None:
        """Replace the table with these documents, in one transaction."""
        with self._db:
            self._db.execute("DROP TABLE IF EXISTS docs")
            self._db.execute(self.CREATE)
            self._db.executemany(self.INSERT, ((d.id, d.title, d.body) for d in docs))

    def add(self, doc: Doc) -> None:
        """Insert one document and commit."""
        with self._db:
            self._db.execute(self.INSERT, (doc.id, doc.title, doc.body))

    @staticmethod
    def match_expression(query: str, any_terms: bool = False) -> str:
        """The FTS5 query for ``query``: each word a quoted string, AND or OR."""
        quoted = ['"' + word.replace('"', '""') + '"' for word in _words(query)]
        return (" OR " if any_terms else " ").join(quoted)

    def search(self, query: str, limit: int = 10, any_terms: bool = False) -> list[PeerHit]:
        """The best ``limit`` documents by bm25, with a snippet of the body."""
        expression = self.match_expression(query, any_terms)
        if not expression:
            return []
        rows = self._db.execute(self.SEARCH, (expression, limit)).fetchall()
        return [PeerHit(id, snippet) for id, snippet in rows]

    def size_bytes(self) -> int:
        """Size of the database file (and its journal, if any) on disk."""
        files = [self.path, Path(f"{self.path}-journal"), Path(f"{self.path}-wal")]
        return sum(p.stat().st_size for p in files if p.exists())

    def close(self) -> None:
        """Close the database."""
        self._db.close()


# -- plain Whoosh ------------------------------------------------------------


class WhooshPeer:
    """A Whoosh index with the StandardAnalyzer, in one directory."""

    name = "Whoosh (StandardAnalyzer)"

    def __init__(self, path: Path):
        from whoosh import highlight, index
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        text = StandardAnalyzer()
        self._schema = Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=text, stored=True),
            body=TEXT(analyzer=text, stored=True),
        )
        self._whoosh_index = index
        try:  # with its own schema: vnsearch.unpickle refuses Whoosh's analysers
            self._index = index.open_dir(str(self.path), schema=self._schema)
        except index.EmptyIndexError:
            self._index = self._new_index()
        boosts = {"title": TITLE_WEIGHT, "body": 1.0}  # as in vnsearch
        self._parsers = {
            any_terms: MultifieldParser(["title", "body"], self._schema, fieldboosts=boosts, group=group)
            for any_terms, group in ((False, AndGroup), (True, OrGroup))
        }
        self._searcher = None
        self._formatter = _brackets_formatter(highlight)

    def build(self, docs: Iterable[Doc]) -> None:
        """Replace the index with these documents, in one commit."""
        self.close()
        self._index = self._new_index()
        writer = self._index.writer(limitmb=256)
        try:
            for doc in docs:
                writer.add_document(id=doc.id, title=doc.title, body=doc.body)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _new_index(self):
        """An empty index in ``self.path``, replacing any there."""
        return self._whoosh_index.create_in(str(self.path), self._schema)

    def add(self, doc: Doc) -> None:
        """Add one document and commit."""
        writer = self._index.writer()
        writer.add_document(id=doc.id, title=doc.title, body=doc.body)
        writer.commit()

    def search(self, query: str, limit: int = 10, any_terms: bool = False) -> list[PeerHit]:
        """The best ``limit`` documents by BM25F, with Whoosh's best body fragment."""
        if not _words(query):
            return []
        if self._searcher is None:
            self._searcher = self._index.searcher()
        self._searcher = self._searcher.refresh()
        parsed = self._parsers[any_terms].parse(query)
        results = self._searcher.search(parsed, limit=limit)
        results.formatter = self._formatter
        return [PeerHit(hit["id"], hit.highlights("body", top=1)) for hit in results]

    def size_bytes(self) -> int:
        """Size of the index directory on disk."""
        return _dir_size(self.path)

    def close(self) -> None:
        """Close the open searcher, if any."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


def _brackets_formatter(highlight):
    """A Whoosh highlight formatter marking words ``[like this]``, as FTS5 does."""

    class Brackets(highlight.Formatter):
        between = "…"

        def format_token(self, text, token, replace=False):
            return "[" + highlight.get_text(text, token, replace) + "]"

    return Brackets()


#: The peers by short name, for benchmarks that loop over them.
PEERS = {"fts5": Fts5Peer, "whoosh": WhooshPeer}
