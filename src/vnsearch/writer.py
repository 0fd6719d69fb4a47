"""Writing a segment's postings from arrays, in bulk.

Whoosh's segment writer turns every posting into a Python tuple, sorts the
tuples in a pool (spilling them to disk), then hands them one by one to the
codec, which looks up the article's field length for each.  For vnsearch's
text fields, a thousand tokens an article, that costs more than segmenting
the text.  :class:`SegmentWriter` keeps Whoosh's writer (stored fields,
columns, field lengths, deletions, merges, the TOC) and replaces its pool
with :class:`ArrayPool`:

* a text field's tokens go into three flat arrays (term number, article,
  position) as they come out of the analyser;
* at the end, one stable sort by term puts them in posting order, and numpy
  finds every posting's frequency, every term's statistics and the widths of
  its record at once (:meth:`vnsearch.codec.FieldWriter.add_tokens`);
* other fields (ids, dates, sites…), a few postings an article, and postings
  merged in from other segments go through the codec's usual writer.

The segment is the same, byte for byte, as Whoosh's writer makes with
:class:`vnsearch.codec.Codec`; only the way there differs.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np
from whoosh import formats
from whoosh import writing

from . import codec

__all__ = ["SegmentWriter", "BatchingWriter", "ArrayPool"]

#: Articles a :class:`BatchingWriter` holds in memory before writing them as a segment.
BATCH_DOCS = 20_000


class SegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer with :class:`ArrayPool` for its postings.

    Documents take the fields of vnsearch's schema: no term vectors, no
    spelling fields, no ``_boost`` or ``_stored_`` keys.
    """

    def __init__(self, index, **kwargs):
        kwargs.setdefault("codec", codec.Codec())
        if not isinstance(kwargs["codec"], codec.Codec):
            raise TypeError("vnsearch's segment writer writes vnsearch's codec only")
        super().__init__(index, **kwargs)
        self.pool = ArrayPool(self.schema)

    def add_document(self, **fields) -> None:
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        docnum, perdoc = self.docnum, self.perdocwriter
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self.pool.index(name, field, value, docnum) if field.indexed else 0
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self.pool.write(self.fieldwriter, lengths, self.docnum)
        finally:
            lengths.close()
        self.fieldwriter.close()


class BatchingWriter(SegmentWriter):
    """A writer whose new articles are written as segments of at most ``batch`` articles, all published at commit.

    A segment's postings stay in memory until it is written, so one segment
    of a 100,000-line file would take memory in proportion to the file: a
    batch at a time, memory stays that of one batch, and the commit is still
    one (the table of contents lists every batch's segment, or none of them).
    Deletions (``update_document``, ``delete_by_term``) apply to the segments
    committed before, as with Whoosh's writer.  Small segments are merged at
    commit, as Whoosh does, but only those under half a batch
    (:func:`merge_small_only`): a merge is written from memory too.
    """

    def __init__(self, index, batch: int = BATCH_DOCS, **kwargs):
        super().__init__(index, **kwargs)
        self._index, self.batch, self._subargs = index, batch, {**kwargs, "_lk": False}
        self._current: SegmentWriter | None = None
        self._written: list = []  # the segments of the batches written so far
        self.mergetype = merge_small_only

    def add_document(self, **fields) -> None:
        self._check_state()
        if self._current is None:
            self._current = SegmentWriter(self._index, **self._subargs)
        self._current.add_document(**fields)
        if self._current.docnum >= self.batch:
            self._write_batch()

    def _write_batch(self) -> None:
        self._written.append(self._current._finalize_segment())
        self._current = None

    def commit(self, *args, **kwargs) -> None:
        self._check_state()
        if self._current is not None:
            self._write_batch()
        super().commit(*args, **kwargs)

    def _commit_toc(self, segments: list) -> None:
        super()._commit_toc(segments + self._written)

    def cancel(self) -> None:
        """Drop every change; the files of the batches written are left for ``storage.remove_leftovers``."""
        try:
            if self._current is not None:
                self._current._close_segment()  # not its cancel(): that deletes the scratch folder shared with this writer
                self._current = None
        finally:
            super().cancel()


def merge_small_only(writer, segments: list) -> list:
    """Whoosh's ``MERGE_SMALL`` among the segments of under half a batch; bigger ones are left as they are."""
    limit = getattr(writer, "batch", BATCH_DOCS) // 2
    small = [s for s in segments if s.doc_count_all() < limit]
    big = [s for s in segments if s.doc_count_all() >= limit]
    return big + writing.MERGE_SMALL(writer, small)


class _Tokens:
    """One text field's tokens in the segment: term numbers, articles, positions."""

    __slots__ = ("terms", "tids", "docs", "positions")

    def __init__(self):
        self.terms: dict[str, int] = {}
        self.tids = array("I")
        self.docs = array("I")
        self.positions = array("I")

    def add(self, texts: list[str], positions: list[int], docnum: int) -> None:
        """Add one article's tokens: ``texts[i]`` at ``positions[i]``."""
        terms, setdefault = self.terms, self.terms.setdefault
        self.tids.extend([setdefault(text, len(terms)) for text in texts])
        self.positions.extend(positions)
        self.docs.extend([docnum] * len(texts))


class ArrayPool:
    """The postings of the segment being written, kept until it is written.

    Stands in for Whoosh's ``PostingPool`` in :class:`SegmentWriter`: text
    fields with :class:`vnsearch.codec.Positions` keep their tokens as arrays
    (:class:`_Tokens`), every other posting is kept as Whoosh's
    ``(field, term bytes, article, weight, value)`` tuple.
    """

    def __init__(self, schema):
        self.schema = schema
        self.fieldnames: set[str] = set()
        self._tokens: dict[str, _Tokens] = {}
        self._other: list[tuple] = []

    def index(self, name: str, field, value, docnum: int) -> int:
        """Add the postings of one field of one article; its length, as Whoosh counts it."""
        self.fieldnames.add(name)
        if not isinstance(field.format, codec.Positions):
            length = 0
            for tbytes, freq, weight, vbytes in field.index(value):
                self._other.append((name, tbytes, docnum, weight, vbytes))
                length += freq
            return length if field.scorable else 0
        if hasattr(field.analyzer, "index_tokens"):  # vnsearch's: no Token objects
            texts, positions = field.analyzer.index_tokens(value)
        else:
            stream = formats.tokens(value, field.analyzer, {"positions": True, "mode": "index"})
            texts, positions = [], []
            for t in stream:
                texts.append(t.text)
                positions.append(t.pos)
        self._field_tokens(name).add(texts, positions, docnum)
        return len(texts) if field.scorable else 0

    def add(self, item: tuple) -> None:
        """Add one posting ``(field, term bytes, article, weight, value)`` (segment merges)."""
        name, tbytes, docnum, weight, vbytes = item
        self.fieldnames.add(name)
        field = self.schema[name]
        if isinstance(field.format, codec.Positions):
            positions = field.format.decode_positions(vbytes)
            self._field_tokens(name).add([field.from_bytes(tbytes)] * len(positions), positions, docnum)
        else:
            self._other.append(item)

    def _field_tokens(self, name: str) -> _Tokens:
        tokens = self._tokens.get(name)
        if tokens is None:
            tokens = self._tokens[name] = _Tokens()
        return tokens

    def write(self, fieldwriter, lengths, doccount: int) -> None:
        """Write every field's postings through ``fieldwriter``, fields and terms in order.

        ``lengths`` is the segment's per-document reader (field lengths of
        its articles, for the terms' statistics).
        """
        other = defaultdict(list)
        for item in self._other:
            other[item[0]].append(item)
        for name in sorted(set(other) | {name for name, tokens in self._tokens.items() if tokens.tids}):
            if name in other:  # Whoosh's way: a few postings an article
                fieldwriter.add_postings(self.schema, lengths, sorted(other[name]))
                continue
            field, tokens = self.schema[name], self._tokens[name]
            field_lengths = np.fromiter(
                (lengths.doc_field_length(d, name) or 0 for d in range(doccount)),
                dtype=np.int64,
                count=doccount,
            )
            btexts = [field.to_bytes(t) for t in tokens.terms]
            fieldwriter.start_field(name, field)
            fieldwriter.add_tokens(btexts, tokens.tids, tokens.docs, tokens.positions,
                                   field_lengths, field.format.field_boost)  # fmt: skip
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self._tokens.clear()
        self._other.clear()

