"""Errors vnsearch reports to its users.

Each carries a one-line message that says what went wrong, in terms of
folders and files rather than of the command line: the CLI adds how to fix
it there (``--rebuild``, ``--index``), and each class says below how to fix
it from a program.  Anything else escaping the library is a bug.
"""

from __future__ import annotations

__all__ = [
    "VnsearchError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexLockedError",
    "IndexDamagedError",
    "IndexLocationError",
    "IndexWriteError",
    "SeedsNotFoundError",
    "QueryError",
    "SynonymsFileError",
    "BadRecordsError",
    "ArticleSourceError",
]


class VnsearchError(Exception):
    """Base class: something the user can fix, described in one line."""


class IndexNotFoundError(VnsearchError):
    """There is no index at the given location: build one with ``update_index``."""


class IndexVersionError(VnsearchError):
    """The index was written by an incompatible version: ``build_index`` replaces it."""


class IndexDamagedError(VnsearchError):
    """The index's files are missing, truncated, corrupt or not vnsearch's: ``build_index`` replaces them."""


class IndexLockedError(VnsearchError):
    """Another process is updating the index: wait for it, then try again."""


class IndexLocationError(VnsearchError):
    """The index cannot live in the given folder (a file, another program's files, the seeds): choose another."""


class IndexWriteError(VnsearchError):
    """The operating system refused a write to the index (a full disk, a read-only folder).

    ``errno`` is the operating system's error number; the index in use is unchanged.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class SeedsNotFoundError(VnsearchError):
    """The folder of articles to index does not exist (or vanished while indexing)."""


class QueryError(VnsearchError):
    """The query or a search option cannot be understood."""


class SynonymsFileError(VnsearchError):
    """A file of abbreviations to add or veto cannot be read, or has a bad line (named): fix that line."""


class BadRecordsError(VnsearchError):
    """Records to add are not articles (``bad``: each with its number and why): nothing was added.

    Fix them, or add with ``skip_bad=True`` to add the others.
    """

    def __init__(self, message: str, bad: list) -> None:
        super().__init__(message)
        self.bad = bad


class ArticleSourceError(VnsearchError):
    """An article from a file in the seeds folder was asked to be deleted by id: delete its file, then update."""
