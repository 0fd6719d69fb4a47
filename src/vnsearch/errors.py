"""Errors vnsearch reports to its users.

Each carries a one-line message that says what went wrong and what to do;
the CLI prints it as it is.  Anything else escaping the library is a bug.
"""

from __future__ import annotations

__all__ = [
    "VnsearchError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexLockedError",
    "IndexDamagedError",
    "SeedsNotFoundError",
    "QueryError",
]


class VnsearchError(Exception):
    """Base class: something the user can fix, described in one line."""


class IndexNotFoundError(VnsearchError):
    """There is no index at the given location."""


class IndexVersionError(VnsearchError):
    """The index was written by an incompatible version of vnsearch."""


class IndexDamagedError(VnsearchError):
    """The index's files are missing, truncated, corrupt or not vnsearch's."""


class IndexLockedError(VnsearchError):
    """Another process is writing to the index."""


class SeedsNotFoundError(VnsearchError):
    """The folder of articles to index does not exist."""


class QueryError(VnsearchError):
    """The query or a search option cannot be understood."""
