"""Unpickle only what a vnsearch index holds.

Whoosh keeps an index's schema, list of segments, posting blocks, stored
fields and column headers as pickles, and unpickling runs whatever callable
a pickle names: a tampered index file could run code as soon as it is
searched.  :func:`install` points Whoosh's readers at :func:`load` and
:func:`loads`, which resolve only the classes and functions listed in
:data:`ALLOWED` (those a vnsearch index was found to contain) and raise
:class:`~vnsearch.errors.IndexDamagedError` for any other.  Writing is left
to Whoosh.

Most pickles Whoosh reads on a query (a term's positions, a block of
postings) name no class at all; those go straight to pickle's C loader.
"""

from __future__ import annotations

import io
import pickle
import re

import whoosh.codec.whoosh3
import whoosh.columns
import whoosh.filedb.structfile
import whoosh.formats
import whoosh.index

from .errors import IndexDamagedError

__all__ = ["ALLOWED", "install", "load", "loads"]

#: The (module, name) pairs an index's pickles may name, exactly as written
#: in the pickle (protocol 2 spells ``builtins`` as ``__builtin__``).
#: Found by recording every lookup while building, updating and searching
#: indexes (see tests/test_unpickle.py); whole modules are never allowed,
#: since most hold functions a payload could call.
ALLOWED = frozenset(
    {
        # the schema
        ("whoosh.fields", "Schema"),
        ("whoosh.fields", "COLUMN"),
        ("whoosh.fields", "DATETIME"),
        ("whoosh.fields", "ID"),
        ("whoosh.fields", "KEYWORD"),
        ("whoosh.fields", "NUMERIC"),
        ("whoosh.fields", "STORED"),
        ("whoosh.fields", "TEXT"),
        ("whoosh.formats", "Existence"),
        ("whoosh.formats", "Frequency"),
        ("vnsearch.codec", "Positions"),  # the text fields' format
        ("whoosh.columns", "NumericColumn"),
        ("whoosh.columns", "VarBytesColumn"),
        ("vnsearch.analysis", "VietnameseAnalyzer"),
        ("whoosh.analysis.analyzers", "CompositeAnalyzer"),
        ("whoosh.analysis.filters", "LowercaseFilter"),
        ("whoosh.analysis.filters", "StripFilter"),  # the abbreviations field's, after its commas
        ("whoosh.analysis.tokenizers", "IDTokenizer"),
        ("whoosh.analysis.tokenizers", "RegexTokenizer"),
        ("re", "_compile"),  # a tokenizer's compiled pattern
        ("__builtin__", "long"),  # a NUMERIC field's type
        # the segments
        ("vnsearch.codec", "Codec"),
        ("whoosh.codec.whoosh3", "W3Segment"),
        # Whoosh's own text format and codec: in no vnsearch index since its
        # schema 5, but plain Whoosh indexes opened in the same process (the
        # benchmarks' Whoosh peer) hold them
        ("whoosh.formats", "Positions"),
        ("whoosh.codec.whoosh3", "W3Codec"),
        ("collections", "defaultdict"),  # a segment's field lengths
        ("builtins", "int"),  # ... and their default
        # stored fields
        ("datetime", "datetime"),
        ("_codecs", "encode"),  # bytes, in protocol 2 (a datetime's state)
    }
)


class Unpickler(pickle.Unpickler):
    """A pickle reader that resolves only the names in :data:`ALLOWED`."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise IndexDamagedError(
                f"the index is damaged or not a vnsearch index "
                f"(it holds a pickled '{module}.{name}')"
            )
        return super().find_class(module, name)


def load(file):
    """Read one pickled object from ``file``, resolving only allowed names."""
    return Unpickler(file).load()


# The bytes of the opcodes that look a name up (GLOBAL, INST, EXT1, EXT2,
# EXT4, STACK_GLOBAL).  A pickle without any of them, anywhere, cannot call
# anything: pickle's own loader is safe for it, and several times faster.
_LOOKUPS = re.compile(rb"[ci\x82\x83\x84\x93]")


def loads(data: bytes):
    """The object pickled in ``data``, resolving only allowed names."""
    if _LOOKUPS.search(data) is None:
        return pickle.loads(data)
    return load(io.BytesIO(data))


class _IndexPickle:
    """The ``pickle`` module as whoosh.index sees it: :func:`loads` is ours."""

    loads = staticmethod(loads)

    def __getattr__(self, name: str):
        return getattr(pickle, name)


def install() -> None:
    """Make Whoosh read pickles with :func:`load`/:func:`loads` (idempotent)."""
    whoosh.index.pickle = _IndexPickle()  # the schema in a table of contents
    whoosh.index.toc_loaders = {}  # Whoosh 1.x indexes: vnsearch never wrote one
    whoosh.filedb.structfile.load_pickle = load  # segments, block infos, headers
    whoosh.codec.whoosh3.loads = loads  # posting blocks, inlined postings
    whoosh.columns.loads = loads  # stored fields
    whoosh.formats.loads = loads  # a posting's positions
