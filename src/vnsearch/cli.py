"""The ``vnsearch`` command: a thin shell over the library.

Every command reports a problem the user can act on as one line on stderr
(``vnsearch: what is wrong: what to do``) and exits with status 2; exit 70 is
for bugs.  Results go to stdout, coloured on a terminal and plain when piped
(``--color`` and ``NO_COLOR`` decide otherwise).

A command imports the parts of the library it uses when it runs: ``vnsearch
--help`` loads neither Whoosh nor numpy, and a search does not load the
indexer.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .articles import FILE, JSON, SOURCES
from .errors import (
    BadRecordsError,
    IndexDamagedError,
    IndexLocationError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    SeedsNotFoundError,
    VnsearchError,
)
from .results import SORTS, article_json, result_json, stats_json

if TYPE_CHECKING:
    from .adding import AddReport
    from .indexing import IndexReport
    from .jsonl import BadRecord
    from .searching import FacetCount, SearchResult

EXIT_ERROR = 2
#: A search that found nothing (as grep): scripts can tell it from an error.
EXIT_NO_HITS = 1
#: Values of each facet printed on a terminal (``--json`` has them all).
FACETS_SHOWN = 6
#: Bad lines of a file to add listed one by one; the rest are counted.
BAD_LINES_SHOWN = 20
# click >= 8.2 raises this for a group called without a command
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())

_DISK_FULL = ("write", "free some space, then try again")
_DENIED = ("open", "check the permissions of the file and of its folders")
#: OS errors the user can act on: errno -> (what failed, what to do).  Others are bugs.
OS_FAULTS = {
    errno.ENOSPC: _DISK_FULL,
    errno.EDQUOT: _DISK_FULL,
    errno.EROFS: ("write", "the file system is read-only: use a writable folder"),
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.EIO: ("read or write", "the disk may be failing: check it, then try again"),
    errno.ENOENT: ("open", "it was removed meanwhile: try again, or run `vnsearch index --rebuild`"),
}


#: How ``stats`` and ``show`` name an article's source.
SOURCE_NAMES = {FILE: "from files", JSON: "added as JSON"}

_REBUILD = "run `vnsearch index --rebuild`"
#: How to fix each kind of library error on the command line (the library's message says what is wrong).
FIXES = {
    IndexNotFoundError: "run `vnsearch index` to build it",
    IndexVersionError: _REBUILD,
    IndexDamagedError: _REBUILD,
    IndexLocationError: "give another folder with --index",
    SeedsNotFoundError: "create it and put .txt articles in it, or give another with --seeds",
}
#: How to fix a refused write to the index, by errno (else: check the folder).
WRITE_FIXES = {
    errno.ENOSPC: "free some space, then run the command again",
    errno.EDQUOT: "free some space, then run the command again",
    errno.EROFS: "give a writable folder with --index",
    errno.EACCES: "check the folder's permissions, or give another with --index",
    errno.EPERM: "check the folder's permissions, or give another with --index",
}


def _with_fix(exc: VnsearchError) -> str:
    """The library's message, and how to fix it from the command line."""
    if isinstance(exc, IndexWriteError):
        fix = WRITE_FIXES.get(exc.errno, "check the folder, or give another with --index")
    else:
        fix = next((FIXES[kind] for kind in type(exc).__mro__ if kind in FIXES), None)
    return f"{exc}: {fix}" if fix else str(exc)


def _folder_option(flag: str, dest: str, default: str, envvar: str, help: str):
    """A folder option settable by an environment variable."""
    return click.option(
        flag,
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        envvar=envvar,
        show_default=True,
        show_envvar=True,
        help=help,
    )


seeds_option = _folder_option("--seeds", "seeds_dir", "seeds", "VNSEARCH_SEEDS", "Folder of .txt articles.")
synonyms_option = click.option(
    "--synonyms", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False),
    help="Abbreviations to add or veto, one 'ABBR = long form' or '!ABBR' a line (default: synonyms.txt in the index folder).",
)  # fmt: skip
index_option = _folder_option("--index", "index_dir", "index", "VNSEARCH_INDEX", "Folder of the index.")


#: ``--color`` values: whether to colour, ``None`` for click's choice (only on a terminal).
COLOR_MODES = {"auto": None, "always": True, "never": False}


def _set_color(ctx: click.Context, param: click.Parameter, mode: str | None) -> None:
    """Colour this command's output as ``--color`` says (https://no-color.org for ``auto``)."""
    if mode is None:  # not given to the subcommand: the group's holds
        return
    color = COLOR_MODES[mode]
    if mode == "auto" and os.environ.get("NO_COLOR"):
        color = False
    ctx.color = color


def _color_option(default: str | None):
    """``--color``, for ``vnsearch`` (default ``auto``) and again for each command, as is handier."""
    return click.option(
        "--color",
        type=click.Choice(list(COLOR_MODES)),
        default=default,
        show_default=default is not None,
        is_eager=True,
        expose_value=False,
        callback=_set_color,
        help="Colour the output: auto (on a terminal, unless NO_COLOR is set), "
        "always (even through a pipe, as to `less -R`) or never.",
    )


color_option = _color_option(default=None)


class _Group(click.Group):
    """Turns every error into one line on stderr, never a traceback.

    ``invoke`` sorts the library's errors from bugs; ``main`` handles, last,
    results that could not be written.
    """

    def main(self, *args, **kwargs):
        try:
            return self._main(*args, **kwargs)
        except _OutputError as exc:
            _fail(str(exc))
        except OSError as exc:  # writing click's own --help or --version
            _fail(_os_fault(exc, "write the results"))
        finally:
            _discard_unwritten_output()

    def _main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:
            if isinstance(exc, _NO_ARGS_IS_HELP) and exc.ctx:  # plain `vnsearch`
                _echo(exc.ctx.get_help())
                sys.exit(0)
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            _fail(exc.format_message() + hint)
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:
            _fail("interrupted", code=130)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except VnsearchError as exc:
            _fail(_with_fix(exc))
        except KeyboardInterrupt:
            _fail("interrupted", code=130)
        except BrokenPipeError:  # `vnsearch show ID | head`: the reader has gone
            sys.exit(141)
        except (click.exceptions.Exit, click.ClickException, click.Abort, _OutputError):
            raise  # for `main`
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in OS_FAULTS:  # disk full, read-only, …
                _fail(_os_fault(exc))
            _fail(f"internal error ({exc.__class__.__name__}: {exc}); please report it", code=70)


class _OutputError(Exception):
    """stdout cannot take the results: a full disk, a closed stdout, an encoding without Vietnamese."""


def _echo(message: str = "", err: bool = False, **styles) -> None:
    """``click.secho``, with a failure to write stdout told apart from the library's errors.

    click flushes every line, so a full disk shows here, to be reported by
    ``main``, rather than in Python's last flush at exit.
    """
    try:
        if sys.stdout is None and not err:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        click.secho(message, err=err, **styles)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _OutputError(_os_fault(exc, "write the results")) from exc
    except UnicodeEncodeError as exc:
        raise _OutputError(
            f"the output encoding '{exc.encoding}' cannot write Vietnamese text: "
            "set PYTHONIOENCODING=utf-8 or use a UTF-8 locale"
        ) from exc


def _echo_json(data: object) -> None:
    """``data`` as one line of JSON, ASCII (the same data) if stdout's encoding lacks a letter."""
    line = json.dumps(data, ensure_ascii=False)
    try:
        line.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=latin-1
        line = json.dumps(data)
    _echo(line)


def _discard_unwritten_output() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit cannot fail again.

    Only what a failed write left behind is lost: every line of results is
    flushed as it is printed.
    """
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):  # closed, full, gone
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):  # no stdout, or not a file (CliRunner)
            pass


def _os_fault(exc: OSError, what: str | None = None) -> str:
    """What failed (``what``, else the file), why and what to do, for an OS error."""
    verb, advice = OS_FAULTS.get(exc.errno, (None, None))
    if what is None:
        what = f"{verb} '{_shown(exc.filename)}'" if exc.filename is not None else f"{verb} a file"
    return f"cannot {what}: {exc.strerror or exc}" + (f": {advice}" if advice else "")


def _warn(message: str) -> None:
    """One ``vnsearch:`` line on stderr, whatever the message holds and stderr's encoding."""
    line = f"vnsearch: {_shown(message)}"
    try:
        click.echo(line, err=True)
    except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=latin-1:strict
        click.echo(line.encode("ascii", "backslashreplace").decode("ascii"), err=True)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    _warn(message)
    sys.exit(code)


def _shown(name: object) -> str:
    """``name`` (an id, a path, a message) for one line of text: what is not printable escaped.

    A newline in a file name would split the line; a byte that is not UTF-8
    (a lone surrogate from ``os.fsdecode``) could not even be printed.
    """
    return "".join(char if char.isprintable() else _escaped(char) for char in str(name))


def _escaped(char: str) -> str:
    """``\\n``, ``\\x1b``, ``\\u200b``; ``\\xff`` for the undecodable byte 0xff."""
    if "\udc80" <= char <= "\udcff":
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch", prog_name="vnsearch")
@_color_option(default="auto")
def main() -> None:
    """Search Vietnamese news articles, with or without diacritics."""


@main.command()
@seeds_option
@index_option
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch (the old index stays usable until done).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    show_default="one per core",
    help="Processes writing a new index (a first build or --rebuild of 200+ files).",
)
@click.option(
    "--watch", is_flag=True,
    help="Then keep watching the seeds and update the index after each change, until Ctrl-C or SIGTERM "
    "(with --rebuild: rebuild first, then update).",
)  # fmt: skip
@click.option(
    "--cluster", metavar="ADDRESS",
    help="Have a Dask cluster's workers write a new index (a first build or --rebuild), e.g. tcp://10.0.0.5:8786; "
    'updates stay here. Needs pip install "vnsearch[cluster]".',
)  # fmt: skip
@color_option
def index(seeds_dir: Path, index_dir: Path, rebuild: bool, jobs: int, watch: bool, cluster: str | None) -> None:
    """Add new, changed and deleted articles to the index."""
    report = _update(seeds_dir, index_dir, rebuild, jobs, cluster)
    _print_report(report, seeds_dir, index_dir)
    if watch:
        from .watching import watch_index

        def updated(report: IndexReport) -> None:
            _print_report(report, seeds_dir, index_dir, prefix=time.strftime("%H:%M:%S "))

        def watching(report: IndexReport | None) -> None:
            if report is not None and report.changed:  # changes made since the update above
                updated(report)
            _echo(f"Watching '{_shown(seeds_dir)}' for changes (Ctrl-C to stop)…", err=True)

        def error(exc: Exception) -> None:  # the update failed; the next change (or a while) tries again
            known = isinstance(exc, OSError) and exc.errno in OS_FAULTS
            _warn(_with_fix(exc) if isinstance(exc, VnsearchError) else _os_fault(exc) if known else str(exc))

        with _sigterm_as_ctrl_c():  # `kill`, systemd, docker stop
            watch_index(seeds_dir, index_dir, on_ready=watching, on_update=updated, on_error=error, jobs=jobs)
        _echo(f"Stopped watching '{_shown(seeds_dir)}'.", err=True)


@contextlib.contextmanager
def _sigterm_as_ctrl_c():
    """SIGTERM stops what runs inside as Ctrl-C does (an update it interrupts is left undone)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command(short_help="Search the index (building it first if missing).")
@click.argument("query", nargs=-1)
@seeds_option
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(min=1), help="Number of hits.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Skip this many best hits (the next page).")
@click.option("--any", "any_terms", is_flag=True, help="Rank articles matching any of the words.")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY-MM-DD, YYYY-MM, YYYY).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE.")
@click.option("--site", metavar="HOST", help="Only articles from this site, e.g. baocaobang.vn.")
@click.option("--category", metavar="NAME", help="Only articles from this subfolder of the seeds, e.g. the-thao.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option(
    "--exact-suggestion",
    "use_suggestion",
    is_flag=True,
    help="Search for the suggested query (diacritics restored, typos fixed) instead.",
)
@click.option("--facets", is_flag=True, help="Count all the matches by year, site and category.")
@click.option(
    "--no-expand", "expand", is_flag=True, default=True, flag_value=False,
    help="Search abbreviations (UBND) and long forms (Ủy ban nhân dân) only as typed, not for each other.",
)  # fmt: skip
@synonyms_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit, a line each.")
@color_option
def search(query, seeds_dir, index_dir, limit, offset, any_terms, since, until, site, category, sort,
           use_suggestion, facets, expand, synonyms, as_json, as_jsonl) -> None:  # fmt: skip
    """Search the index for QUERY (built from the seeds first if missing).

    \b
    Words are all required: dân số      any word: --any
    Phrases: "kế hoạch hóa"             fields: title:hội author:"Trần Lộc"
    Operators: AND OR NOT ( )           prefixes: dân*
    Words typed without diacritics match every accented form; the likeliest
    accented query is suggested ("did you mean"), as are fixes for typos.
    Abbreviations also find their long forms, and back: UBND, Ủy ban nhân dân.
    Exit status, as grep's: 0 with hits, 1 with none, 2 on errors.
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl: choose one")
    if facets and as_jsonl:
        raise click.UsageError("--facets is not for --jsonl (a line per hit): use --json")
    from .searching import parse_date

    text = " ".join(query)
    options = dict(
        limit=limit,
        offset=offset,
        any_terms=any_terms,
        since=parse_date(since) if since else None,
        until=parse_date(until, end=True) if until else None,
        site=site,
        category=category,
        sort=sort,
        use_suggestion=use_suggestion,
        facets=facets,
        expand=expand,
    )
    try:
        searcher = _searcher(index_dir, synonyms)
    except IndexNotFoundError:
        if not seeds_dir.is_dir():
            raise VnsearchError(
                f"no index in '{index_dir}' and no seeds folder '{seeds_dir}' to build it from: "
                "give --index or --seeds"
            ) from None
        from .storage import check_location

        check_location(index_dir, seeds_dir)  # before saying it will build there
        _echo(f"No index in '{_shown(index_dir)}' yet: building it from '{_shown(seeds_dir)}'…", err=True)
        _print_report(_update(seeds_dir, index_dir, False, None), seeds_dir, index_dir, err=True)
        searcher = _searcher(index_dir, synonyms)
    with searcher:
        result = searcher.search(text, **options)
    if as_json:
        _echo_json(result_json(result))
    elif as_jsonl:
        for hit in result_json(result)["hits"]:
            _echo_json(hit)
    else:
        _print_result(result)
    if not result.hits:
        sys.exit(EXIT_NO_HITS)


@main.command()
@click.argument("article_id")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@color_option
def show(article_id: str, index_dir: Path, as_json: bool) -> None:
    """Print one indexed article with its metadata."""
    with _searcher(index_dir) as searcher:
        try:
            article = searcher.article(article_id)
        except KeyError:
            raise VnsearchError(
                f"no article '{article_id}' in the index: ids are shown by `vnsearch search`"
            ) from None
    if as_json:
        _echo_json(article_json(article))
        return
    _echo(_safe(article.title or article.id), bold=True)  # an article added without a title: its id
    for label, value in [
        ("id", article.id),
        ("date", article.date),
        ("author", article.author),
        ("site", article.site),
        ("category", article.category),
        ("url", article.url),
        ("source", SOURCE_NAMES.get(article.source, article.source)),
        ("file", article.path),
    ]:
        if value:
            _echo(click.style(f"{label:>7}: ", dim=True) + _shown(value))
    _echo()
    _echo(_safe(article.body))


@main.command(short_help="Add or replace articles from a JSON Lines file (or stdin).")
@click.argument("file", metavar="FILE.jsonl", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@index_option
@click.option("--skip-bad", is_flag=True, help="Add the good lines even if some are bad (listed on stderr).")
@click.option("--ignore-unknown", is_flag=True, help="Ignore keys other than an article's (else a line with one is bad).")
@color_option
def add(file: str, index_dir: Path, skip_bad: bool, ignore_unknown: bool) -> None:
    """Add articles from FILE.jsonl (- for stdin), replacing those with the same id.

    \b
    One JSON object a line:
      {"id": "vnx-2024-118", "title": "…", "body": "…", "date": "2024-06-20",
       "author": "…", "url": "https://…", "site": "…", "category": "…"}
    id and body are required (body may be "" if there is a title), the others
    optional (or null); the date as YYYY-MM-DD or as articles write it
    (20/6/2024, 20 tháng 6 năm 2024).
    Nothing is added if a line is bad (each is named by its number) unless
    --skip-bad.  `vnsearch index` never removes these articles; `vnsearch
    delete ID` does.  The index is made if missing.
    """
    from .adding import add_jsonl

    name = "stdin" if file == "-" else file
    source = _stdin_bytes() if file == "-" else file
    try:
        with _progress_bar("Adding") as progress:
            report = add_jsonl(index_dir, source, skip_bad=skip_bad, ignore_unknown=ignore_unknown, progress=progress)
    except BadRecordsError as exc:
        if len(exc.bad) == 1:
            _fail(f"{_shown(name)}:{exc.bad[0].number}: {exc.bad[0].reason}: nothing was added (fix the line, or give --skip-bad)")
        _print_bad(name, exc.bad)
        _fail(f"{len(exc.bad)} bad lines in '{_shown(name)}': nothing was added (fix them, or give --skip-bad to add the others)")
    _print_bad(name, report.bad)
    _print_added(report, name, index_dir)


@main.command()
@click.argument("ids", metavar="ID…", nargs=-1, required=True)
@index_option
@color_option
def delete(ids: tuple[str, ...], index_dir: Path) -> None:
    """Delete the articles with these ids, added with `vnsearch add` (- reads ids from stdin, one a line).

    An article from a .txt file is deleted by deleting its file, then
    running `vnsearch index`.  Exit status: 0 when every id was deleted,
    1 when some were not in the index (the others are deleted), 2 on errors.
    """
    from .adding import delete_articles

    if "-" in ids:
        try:
            piped = [line.strip() for line in _stdin_bytes().read().decode("utf-8-sig").splitlines() if line.strip()]
        except UnicodeDecodeError:
            raise VnsearchError("the ids on stdin are not UTF-8 text") from None
        ids = tuple(i for id in ids for i in (piped if id == "-" else [id]))
    report = delete_articles(index_dir, ids)
    for id in report.missing:
        _warn(f"no article '{id}' in the index: nothing to delete")
    _echo(f"Deleted {len(report.deleted)} article{'s' * (len(report.deleted) != 1)} from '{_shown(index_dir)}'"
          + (f"; {len(report.missing)} not found" if report.missing else ""))  # fmt: skip
    if report.missing:
        sys.exit(EXIT_NO_HITS)


@main.command()
@index_option
@click.option("--jsonl", "as_jsonl", is_flag=True, default=True, help="One JSON object per article, a line each (the only format, and the default).")
@click.option("--source", type=click.Choice(SOURCES), help="Only the articles from .txt files, or only those added as JSON.")
def export(index_dir: Path, as_jsonl: bool, source: str | None) -> None:
    """Print every indexed article as JSON Lines: id, title, body, date, author, url, site, category.

    The lines `vnsearch add` reads: `vnsearch export > all.jsonl` then
    `vnsearch add all.jsonl --index copy` gives the same articles.
    """
    from .jsonl import export_articles

    for record in export_articles(index_dir, source=source):
        _echo_json(record)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@color_option
def stats(index_dir: Path, as_json: bool) -> None:
    """Print the size and freshness of the index."""
    with _searcher(index_dir) as searcher:
        info = searcher.stats()
    if as_json:
        _echo_json(stats_json(info))
        return
    updated = info.updated.strftime("%Y-%m-%d %H:%M:%S") if info.updated else "never"
    _echo(f"index:        {_shown(info.path)}")
    sources = ", ".join(f"{count} {SOURCE_NAMES[s]}" for s, count in info.sources.items() if count)
    _echo(f"articles:     {info.articles}" + (f" ({sources})" if sources else ""))
    _echo(f"terms:        {info.terms}")
    _echo(f"size:         {_size(info.size_bytes)}")
    _echo(f"last update:  {updated}")


@main.command(short_help="Serve a search page and a JSON API (building the index first if missing).")
@index_option
@seeds_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--workers", type=click.IntRange(min=1), show_default="one per core", help="Processes answering requests."
)
@synonyms_option
def serve(index_dir: Path, seeds_dir: Path, host: str, port: int, workers: int | None, synonyms: Path | None) -> None:
    """Serve the index over HTTP: a search page at / and a JSON API at /api (see /docs).

    It listens on this computer only (127.0.0.1) unless --host says otherwise:
    before exposing it, put a reverse proxy with authentication in front.
    Updates of the index (`vnsearch index`) are seen without a restart.
    """
    from .server import serve as run

    try:
        _searcher(index_dir, synonyms).close()  # a damaged index or synonyms file is reported before listening
    except IndexNotFoundError:
        if not seeds_dir.is_dir():
            raise VnsearchError(
                f"no index in '{index_dir}' and no seeds folder '{seeds_dir}' to build it from: give --index or --seeds"
            ) from None
        from .storage import check_location

        check_location(index_dir, seeds_dir)
        _echo(f"No index in '{_shown(index_dir)}' yet: building it from '{_shown(seeds_dir)}'…", err=True)
        _print_report(_update(seeds_dir, index_dir, False, None), seeds_dir, index_dir, err=True)
    run(index_dir, host=host, port=port, workers=workers, synonyms=synonyms)


# -- helpers -----------------------------------------------------------------


def _searcher(index_dir: Path, synonyms: Path | None = None):
    """A :class:`~vnsearch.Searcher` on ``index_dir`` (Whoosh and numpy load here, not at startup)."""
    from .searching import Searcher

    return Searcher(index_dir, synonyms=synonyms)


def _update(seeds_dir: Path, index_dir: Path, rebuild: bool, jobs: int | None, cluster: str | None = None) -> IndexReport:
    """Run an index update with a progress bar when stderr is a terminal."""
    from .indexing import update_index  # the indexer (pyvi, Whoosh's writer) only for commands that write

    with _progress_bar("Indexing") as progress:
        return update_index(seeds_dir, index_dir, rebuild=rebuild, progress=progress, jobs=jobs, cluster=cluster)


@contextlib.contextmanager
def _progress_bar(label: str):
    """A ``progress(done, total)`` callback drawing a bar on stderr if it is a terminal (else None).

    Without a total (a pipe) it counts instead.
    """
    if not sys.stderr.isatty():
        yield None
        return
    bar = None
    counted, last = 0.0, 0

    def progress(done: int, total: int | None) -> None:
        nonlocal bar, counted, last
        if total is None:
            last = done
            if time.monotonic() - counted > 0.2:
                click.echo(f"\r{label}: {done} lines", nl=False, err=True)
                counted = time.monotonic()
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        elif counted:
            click.echo(f"\r{label}: {last} lines", err=True)


def _print_report(
    report: IndexReport, seeds_dir: Path, index_dir: Path, err: bool = False, prefix: str = ""
) -> None:
    """Summary line (on stdout unless ``err``, after ``prefix``), a warning per skipped file on stderr."""
    for skipped in report.skipped:
        _warn(f"skipped {skipped.path}: {skipped.reason}")
    verb = "Built" if report.created else "Rebuilt" if report.rebuilt else "Updated"
    _echo(
        f"{prefix}{verb} '{_shown(index_dir)}' from '{_shown(seeds_dir)}': {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped",
        err=err,
    )


def _stdin_bytes():
    """Standard input as bytes, or one line if there is none (started with ``<&-``)."""
    if sys.stdin is None:
        raise VnsearchError("no standard input to read ('-'): give a file, or pipe the lines in")
    return sys.stdin.buffer


def _print_bad(name: str, bad: list[BadRecord]) -> None:
    """A warning per bad line (the first :data:`BAD_LINES_SHOWN`, then how many more)."""
    for record in bad[:BAD_LINES_SHOWN]:
        _warn(f"{name}:{record.number}: {record.reason}")
    if len(bad) > BAD_LINES_SHOWN:
        _warn(f"{name}: {len(bad) - BAD_LINES_SHOWN} more bad lines")


def _print_added(report: AddReport, name: str, index_dir: Path) -> None:
    """The summary line of ``vnsearch add``."""
    verb = "Built" if report.created else "Updated"
    _echo(
        f"{verb} '{_shown(index_dir)}' from '{_shown(name)}': {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, {len(report.bad)} bad lines skipped"
    )


def _print_result(result: SearchResult) -> None:
    """Hits as readable text: title, metadata, snippet with marked words."""
    from .snippets import match_spans

    others = result.suggestions
    if result.instead_of is not None:  # searched for the first suggestion
        _echo(f'Showing results for "{result.query}" instead of "{result.instead_of}".', fg="yellow")
        others = others[1:]
    if others:
        marked = " · ".join(click.style(other, bold=True) for other in others)
        _echo(click.style("Did you mean / Có phải bạn muốn tìm: ", fg="yellow") + marked)
        if result.instead_of is None:
            _echo("  (--exact-suggestion searches for the first)", dim=True)
    if result.expanded:
        _echo("Also searched / Tìm cả: " + " · ".join(_safe(e) for e in result.expanded), dim=True)
    if result.relaxed:
        _echo("No article has all the words; showing articles with any of them.", fg="yellow")
    found = f'{result.total} result{"s" * (result.total != 1)} for "{result.query}"'
    if not result.hits:
        _echo(f"{found}: --offset {result.offset} is past the last." if result.total else f'No results for "{result.query}".')
        return
    shown, first = len(result.hits), result.offset + 1
    if result.offset:
        found += f", showing {first}–{result.offset + shown}"
    elif shown < result.total:
        found += f", showing {shown}"
    _echo(found, dim=True)
    for rank, hit in enumerate(result.hits, first):
        title = hit.title or hit.id  # an article added without a title: its id
        title_marks = [(s, e) for s, e, _ in match_spans(title, result.terms)]
        _echo()
        _echo(f"{rank:>2}. " + _marked(title, title_marks, bold=True))
        meta = [str(hit.date) if hit.date else None, hit.author, hit.site, hit.category, hit.id,
                None if hit.score is None else f"score {hit.score:.2f}"]  # fmt: skip
        _echo("    " + " · ".join(_shown(m) for m in meta if m), dim=True)
        _echo("    " + _marked(hit.snippet, hit.highlights))
        if hit.url:
            _echo("    " + _shown(hit.url), fg="blue")
    if result.facets is not None:
        _print_facets(result.facets)


def _print_facets(facets: dict[str, list[FacetCount]]) -> None:
    """One line per facet: its most frequent values, then the count of articles without one."""
    _echo()
    missing = {"year": "undated", "site": "no site", "category": "no category"}
    for facet, counts in facets.items():
        known = [c for c in counts if c.value is not None]
        shown = [f"{c.value} {click.style(str(c.count), bold=True)}" for c in known[:FACETS_SHOWN]]
        if len(known) > FACETS_SHOWN:
            shown.append(f"+{len(known) - FACETS_SHOWN} more")
        shown += [f"{missing[facet]} {click.style(str(c.count), bold=True)}" for c in counts if c.value is None]
        _echo(click.style(f"{facet:<9}", dim=True) + (" · ".join(shown) or "–"))


def _marked(text: str, spans: list[tuple[int, int]], bold: bool = False) -> str:
    """``text`` styled, with the ``spans`` in bold yellow."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(click.style(_safe(text[pos:start]), bold=bold))
        out.append(click.style(_safe(text[start:end]), fg="yellow", bold=True))
        pos = end
    out.append(click.style(_safe(text[pos:]), bold=bold))
    return "".join(out)


# C0 and C1 control characters but tab and newline: an article is text, not terminal commands.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """An article's text with its control characters escaped (``\\x1b``), so it cannot drive the terminal."""
    return _CONTROL.sub(lambda m: _escaped(m.group()), text)


def _size(n: int) -> str:
    """Bytes in human units."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


if __name__ == "__main__":  # pragma: no cover
    main()
