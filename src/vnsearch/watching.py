"""Keep an index in step with its seeds folder while articles come and go.

:func:`watch_index` brings the index up to date, then waits for changes to
the folder's ``.txt`` files (through ``watchfiles``: inotify on Linux) and,
after each quiet moment, runs the same incremental :func:`update_index`.
Each update is crash-safe, so stopping the watcher at any moment leaves the
index as the last finished update made it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .errors import SeedsNotFoundError, VnsearchError
from .indexing import IndexReport, update_index

__all__ = ["watch_index", "seed_change_filter"]

#: Milliseconds between checks when nothing happens: whether the seeds folder is
#: still there, whether a failed update is due to be tried again.
TICK_MS = 200
#: Seconds to wait before trying again an update that failed (the index
#: locked by another `vnsearch index`, a full disk) when nothing else changes.
RETRY_SECONDS = 5.0

# watchfiles' Change values, without importing watchfiles at import time
_ADDED, _DELETED = 1, 3


def seed_change_filter(seeds_dir: Path, index_dir: Path) -> Callable[[object, str], bool]:
    """A ``watch_filter`` keeping the changes that can matter to the index.

    Kept: ``.txt`` files, folders added or removed (a folder moved in or out
    brings or takes articles without an event for each), and the seeds folder
    itself.  Left out: anything in the index folder (the index's own writes),
    hidden files and folders (as :func:`~vnsearch.indexing.seed_files` does),
    other files (editors' swap and backup files, notes).
    """
    seeds, index = os.path.realpath(seeds_dir), os.path.realpath(index_dir)
    index_prefix = os.path.join(index, "")

    def keep(change: object, path: str) -> bool:
        if path == seeds:
            return True
        if path == index or path.startswith(index_prefix):
            return False
        parts = os.path.relpath(path, seeds).split(os.sep)
        if parts[0] == ".." or any(part.startswith(".") for part in parts):
            return False
        if path.endswith(".txt"):
            return True
        if int(change) == _DELETED:  # gone: a folder if it had no extension
            return not os.path.splitext(path)[1]
        return int(change) == _ADDED and os.path.isdir(path)

    return keep


def watch_index(
    seeds_dir: str | os.PathLike,
    index_dir: str | os.PathLike,
    *,
    on_update: Callable[[IndexReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    on_ready: Callable[[IndexReport | None], None] | None = None,
    debounce_ms: int = 1600,
    quiet_ms: int = 300,
    stop_event: threading.Event | None = None,
    jobs: int | None = None,
) -> None:
    """Update the index in ``index_dir`` whenever the articles in ``seeds_dir`` change.

    First one update brings the index in step, then ``on_ready(report)`` is
    called (``None`` if that update failed): watching has begun, no change is
    missed from then on.  After that, changes are gathered until ``quiet_ms``
    pass without a new one (``debounce_ms`` at most), then one incremental
    update runs; ``on_update(report)`` is called when it changed the index.
    Returns when ``stop_event`` is set or on KeyboardInterrupt (an update it
    interrupts is left undone: the index stays as the one before left it).

    An update that fails (another process updating the index, a full disk)
    is passed to ``on_error`` and tried again at the next change, or after
    :data:`RETRY_SECONDS`; the watcher goes on.  If the seeds folder
    disappears, :class:`~vnsearch.errors.SeedsNotFoundError` is raised.
    ``jobs`` is as for :func:`~vnsearch.indexing.update_index`.
    """
    import watchfiles  # only for this command

    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    if not seeds_dir.is_dir():
        raise SeedsNotFoundError(f"seeds folder '{seeds_dir}' not found")
    watcher = watchfiles.watch(
        os.path.realpath(seeds_dir),
        watch_filter=seed_change_filter(seeds_dir, index_dir),
        debounce=debounce_ms,
        step=quiet_ms,
        stop_event=stop_event,
        rust_timeout=TICK_MS,
        yield_on_timeout=True,
    )
    updater, batches = _Updater(seeds_dir, index_dir, jobs, on_error), _started(watcher, seeds_dir)
    try:
        ready = False
        for changes in batches:
            if not seeds_dir.is_dir():
                raise SeedsNotFoundError(f"seeds folder '{seeds_dir}' disappeared while watching it")
            if not ready:  # the watcher is in place: nothing from now on is missed
                ready = True
                report = updater.run()
                if on_ready:
                    on_ready(report)
            elif changes or updater.due():
                report = updater.run()
                if report is not None and report.changed and on_update:
                    on_update(report)
    except KeyboardInterrupt:
        pass
    finally:
        batches.close()
        watcher.close()


def _started(watcher, seeds_dir: Path):
    """``watcher``'s batches, a failure to start it told as one line."""
    try:
        first = next(watcher)
    except StopIteration:  # stopped before it began
        return
    except (OSError, RuntimeError) as exc:  # e.g. the system's limit of watches reached
        raise VnsearchError(f"cannot watch '{seeds_dir}' ({exc})") from None
    yield first
    yield from watcher


class _Updater:
    """Runs the updates, telling what failed and when to try again."""

    def __init__(self, seeds_dir, index_dir, jobs, on_error) -> None:
        self.seeds_dir, self.index_dir, self.jobs, self.on_error = seeds_dir, index_dir, jobs, on_error
        self.failed_at: float | None = None  # a failed update waits to be tried again
        self.last_error: str | None = None

    def due(self) -> bool:
        """True if an update failed and is to be tried again now."""
        return self.failed_at is not None and time.monotonic() - self.failed_at >= RETRY_SECONDS

    def run(self) -> IndexReport | None:
        """One incremental update: its report, or None if it failed (``on_error`` is told why)."""
        try:
            report = update_index(self.seeds_dir, self.index_dir, jobs=self.jobs)
        except SeedsNotFoundError:
            raise
        except (VnsearchError, OSError) as exc:
            self.failed_at = time.monotonic()
            if str(exc) != self.last_error and self.on_error:  # the same failure again: said already
                self.on_error(exc)
            self.last_error = str(exc)
            return None
        self.failed_at = self.last_error = None
        return report
