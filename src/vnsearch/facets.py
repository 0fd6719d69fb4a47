"""Facets: how the articles matching a query spread over years, sites and categories.

Every article's year, site and category are read once per open index into
arrays of small codes; counting the matches of any query is then one
``bincount`` over its match mask, however many articles match.  Years come
from the ``day`` column, sites and categories from their terms' postings, so
no stored article is read.
"""

from __future__ import annotations

import numpy as np

from .results import FACETS, FacetCount

__all__ = ["FacetCounter"]


class FacetCounter:
    """The facet values of every article of one Whoosh reader."""

    def __init__(self, reader):
        self._reader = reader
        self._n = reader.doc_count_all()
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}

    def count(self, matches: np.ndarray) -> dict[str, list[FacetCount]]:
        """Counts of the articles in the ``matches`` mask, by facet.

        Values come most frequent first; articles without one (undated, no
        site, no category) are counted last, as None.
        """
        out = {}
        for facet in FACETS:
            codes, names = self._facet(facet)
            counts = np.bincount(codes[matches] + 1, minlength=len(names) + 1)
            found = sorted(
                ((names[i], int(c)) for i, c in enumerate(counts[1:]) if c),
                key=lambda vc: (-vc[1], vc[0]),
            )
            if counts[0]:
                found.append((None, int(counts[0])))
            out[facet] = [FacetCount(value, count) for value, count in found]
        return out

    def _facet(self, facet: str) -> tuple[np.ndarray, list[str]]:
        """Each article's code (-1 for none) and the values the codes stand for."""
        if facet not in self._codes:
            self._codes[facet] = self._years() if facet == "year" else self._terms(facet)
        return self._codes[facet]

    def _years(self) -> tuple[np.ndarray, list[str]]:
        """Years from the ``day`` sort column (a date's ordinal, 0 when undated)."""
        if not self._n:  # an empty index has no columns
            return np.zeros(0, dtype=np.int64), []
        days = np.fromiter(self._reader.column_reader("day"), dtype=np.int64, count=self._n)
        dated = days > 0
        epoch = np.datetime64("0001-01-01", "D")
        years = (epoch + (days[dated] - 1)).astype("datetime64[Y]").astype(np.int64) + 1970
        found, codes_of_dated = np.unique(years, return_inverse=True)
        codes = np.full(self._n, -1, dtype=np.int64)
        codes[dated] = codes_of_dated
        return codes, [str(year) for year in found]

    def _terms(self, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """Values of a one-term field, from its postings."""
        codes = np.full(self._n, -1, dtype=np.int64)
        names = []
        for code, term in enumerate(self._reader.lexicon(fieldname)):
            names.append(term.decode("utf-8"))
            ids = self._reader.postings(fieldname, names[-1]).all_ids()
            codes[np.fromiter(ids, dtype=np.int64)] = code
        return codes, names
