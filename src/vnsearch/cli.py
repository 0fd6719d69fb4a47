"""The ``vnsearch`` command: a thin shell over the library.

Every command reports a problem as one line on stderr and exits with
status 2; results go to stdout, coloured on a terminal and plain when piped.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click

from .errors import IndexNotFoundError, VnsearchError
from .indexing import IndexReport, default_jobs, update_index
from .searching import SORTS, FacetCount, Searcher, SearchResult, parse_date
from .snippets import match_spans

EXIT_ERROR = 2
#: A search that found nothing (as grep): scripts can tell it from an error.
EXIT_NO_HITS = 1
#: Values of each facet printed on a terminal (``--json`` has them all).
FACETS_SHOWN = 6
# click >= 8.2 raises this for a group called without a command
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())

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
index_option = _folder_option("--index", "index_dir", "index", "VNSEARCH_INDEX", "Folder of the index.")


class _Group(click.Group):
    """Turns every error into one line on stderr, never a traceback."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:
            if isinstance(exc, _NO_ARGS_IS_HELP) and exc.ctx:  # plain `vnsearch`
                click.echo(exc.ctx.get_help())
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
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", code=130)
        except BrokenPipeError:  # `vnsearch show ID | head`: the reader has gone
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so briefly
            _fail(f"internal error ({exc.__class__.__name__}: {exc}); please report it", code=70)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"vnsearch: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch")
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
    default=default_jobs,
    show_default="one per core",
    help="Processes writing a new index (a first build or --rebuild of 200+ files).",
)
def index(seeds_dir: Path, index_dir: Path, rebuild: bool, jobs: int) -> None:
    """Add new, changed and deleted articles to the index."""
    report = _update(seeds_dir, index_dir, rebuild, jobs)
    _print_report(report, seeds_dir, index_dir)


@main.command(short_help="Search the index (building it first if missing).")
@click.argument("query", nargs=-1)
@seeds_option
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(min=1), help="Number of hits.")
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit, a line each.")
def search(query, seeds_dir, index_dir, limit, any_terms, since, until, site, category, sort,
           use_suggestion, facets, as_json, as_jsonl) -> None:  # fmt: skip
    """Search the index for QUERY (built from the seeds first if missing).

    \b
    Words are all required: dân số      any word: --any
    Phrases: "kế hoạch hóa"             fields: title:hội author:"Trần Lộc"
    Operators: AND OR NOT ( )           prefixes: dân*
    Words typed without diacritics match every accented form; the likeliest
    accented query is suggested ("did you mean"), as are fixes for typos.
    Exit status, as grep's: 0 with hits, 1 with none, 2 on errors.
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl: choose one")
    if facets and as_jsonl:
        raise click.UsageError("--facets is not for --jsonl (a line per hit): use --json")
    text = " ".join(query)
    options = dict(
        limit=limit,
        any_terms=any_terms,
        since=parse_date(since) if since else None,
        until=parse_date(until, end=True) if until else None,
        site=site,
        category=category,
        sort=sort,
        use_suggestion=use_suggestion,
        facets=facets,
    )
    try:
        searcher = Searcher(index_dir)
    except IndexNotFoundError:
        if not seeds_dir.is_dir():
            raise VnsearchError(
                f"no index in '{index_dir}' and no seeds folder '{seeds_dir}' to build it from: "
                "give --index or --seeds"
            ) from None
        click.echo(f"No index in '{index_dir}' yet: building it from '{seeds_dir}'…", err=True)
        _print_report(_update(seeds_dir, index_dir, False, None), seeds_dir, index_dir, err=True)
        searcher = Searcher(index_dir)
    with searcher:
        result = searcher.search(text, **options)
    if as_json:
        click.echo(json.dumps(_result_json(result), ensure_ascii=False))
    elif as_jsonl:
        for hit in _result_json(result)["hits"]:
            click.echo(json.dumps(hit, ensure_ascii=False))
    else:
        _print_result(result)
    if not result.hits:
        sys.exit(EXIT_NO_HITS)


@main.command()
@click.argument("article_id")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(article_id: str, index_dir: Path, as_json: bool) -> None:
    """Print one indexed article with its metadata."""
    with Searcher(index_dir) as searcher:
        try:
            article = searcher.article(article_id)
        except KeyError:
            raise VnsearchError(
                f"no article '{article_id}' in the index: ids are shown by `vnsearch search`"
            ) from None
    if as_json:
        data = asdict(article)
        data["date"] = article.date.isoformat() if article.date else None
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.secho(article.title, bold=True)
    for label, value in [
        ("id", article.id),
        ("date", article.date),
        ("author", article.author),
        ("site", article.site),
        ("category", article.category),
        ("url", article.url),
        ("file", article.path),
    ]:
        if value:
            click.echo(click.style(f"{label:>7}: ", dim=True) + str(value))
    click.echo()
    click.echo(article.body)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats(index_dir: Path, as_json: bool) -> None:
    """Print the size and freshness of the index."""
    with Searcher(index_dir) as searcher:
        info = searcher.stats()
    if as_json:
        data = asdict(info)
        data["updated"] = info.updated.isoformat(timespec="seconds") if info.updated else None
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    updated = info.updated.strftime("%Y-%m-%d %H:%M:%S") if info.updated else "never"
    click.echo(f"index:        {info.path}")
    click.echo(f"articles:     {info.articles}")
    click.echo(f"terms:        {info.terms}")
    click.echo(f"size:         {_size(info.size_bytes)}")
    click.echo(f"last update:  {updated}")


# -- helpers -----------------------------------------------------------------


def _update(seeds_dir: Path, index_dir: Path, rebuild: bool, jobs: int | None) -> IndexReport:
    """Run an index update with a progress bar when stderr is a terminal."""
    if not sys.stderr.isatty():
        return update_index(seeds_dir, index_dir, rebuild=rebuild, jobs=jobs)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        return update_index(seeds_dir, index_dir, rebuild=rebuild, progress=progress, jobs=jobs)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _print_report(report: IndexReport, seeds_dir: Path, index_dir: Path, err: bool = False) -> None:
    """Summary line (on stdout unless ``err``), a warning per skipped file on stderr."""
    for skipped in report.skipped:
        click.echo(f"vnsearch: skipped {skipped.path}: {skipped.reason}", err=True)
    verb = "Built" if report.created else "Rebuilt" if report.rebuilt else "Updated"
    click.echo(
        f"{verb} '{index_dir}' from '{seeds_dir}': {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped",
        err=err,
    )


def _print_result(result: SearchResult) -> None:
    """Hits as readable text: title, metadata, snippet with marked words."""
    others = result.suggestions
    if result.instead_of is not None:  # searched for the first suggestion
        click.secho(f'Showing results for "{result.query}" instead of "{result.instead_of}".', fg="yellow")
        others = others[1:]
    if others:
        marked = " · ".join(click.style(other, bold=True) for other in others)
        click.echo(click.style("Did you mean / Có phải bạn muốn tìm: ", fg="yellow") + marked)
        if result.instead_of is None:
            click.secho("  (--exact-suggestion searches for the first)", dim=True)
    if result.relaxed:
        click.secho("No article has all the words; showing articles with any of them.", fg="yellow")
    if not result.hits:
        click.echo(f'No results for "{result.query}".')
        return
    shown = len(result.hits)
    more = f", showing {shown}" if shown < result.total else ""
    click.secho(f'{result.total} result{"s" * (result.total != 1)} for "{result.query}"{more}', dim=True)
    for rank, hit in enumerate(result.hits, 1):
        title_marks = [(s, e) for s, e, _ in match_spans(hit.title, result.terms)]
        click.echo()
        click.echo(f"{rank:>2}. " + _marked(hit.title, title_marks, bold=True))
        meta = [str(hit.date) if hit.date else None, hit.author, hit.site, hit.category, hit.id,
                f"score {hit.score:.2f}"]  # fmt: skip
        click.secho("    " + " · ".join(m for m in meta if m), dim=True)
        click.echo("    " + _marked(hit.snippet, hit.highlights))
        if hit.url:
            click.secho("    " + hit.url, fg="blue")
    if result.facets is not None:
        _print_facets(result.facets)


def _print_facets(facets: dict[str, list[FacetCount]]) -> None:
    """One line per facet: its most frequent values, then the count of articles without one."""
    click.echo()
    missing = {"year": "undated", "site": "no site", "category": "no category"}
    for facet, counts in facets.items():
        known = [c for c in counts if c.value is not None]
        shown = [f"{c.value} {click.style(str(c.count), bold=True)}" for c in known[:FACETS_SHOWN]]
        if len(known) > FACETS_SHOWN:
            shown.append(f"+{len(known) - FACETS_SHOWN} more")
        shown += [f"{missing[facet]} {click.style(str(c.count), bold=True)}" for c in counts if c.value is None]
        click.echo(click.style(f"{facet:<9}", dim=True) + (" · ".join(shown) or "–"))


def _marked(text: str, spans: list[tuple[int, int]], bold: bool = False) -> str:
    """``text`` styled, with the ``spans`` in bold yellow."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(click.style(text[pos:start], bold=bold))
        out.append(click.style(text[start:end], fg="yellow", bold=True))
        pos = end
    out.append(click.style(text[pos:], bold=bold))
    return "".join(out)


def _result_json(result: SearchResult) -> dict:
    """The ``--json`` shape: query, total, relaxed and hits."""
    hits = []
    for hit in result.hits:
        data = asdict(hit)
        data["date"] = hit.date.isoformat() if hit.date else None
        data["score"] = round(hit.score, 4)
        data["highlights"] = [list(span) for span in hit.highlights]
        hits.append(data)
    return {
        "query": result.query,
        "total": result.total,
        "relaxed": result.relaxed,
        "suggestions": result.suggestions,
        "instead_of": result.instead_of,
        "facets": None if result.facets is None else {
            facet: [asdict(count) for count in counts] for facet, counts in result.facets.items()
        },
        "hits": hits,
    }


def _size(n: int) -> str:
    """Bytes in human units."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


if __name__ == "__main__":  # pragma: no cover
    main()
