"""Did you mean, unasked: how often does vnsearch "correct" a query typed right?

A suggestion on an index that lacks a word should not turn that word, typed
correctly and with its diacritics, into another one the index has
(``bóng đá`` → ``bằng đá``).  The queries are three-word pieces
(suggestions.py's :func:`~suggestions.three_words`, seeded), as written:

* **ViCoV19QA questions**: one piece of each ``test`` question of UIT-ViCoV19QA
  (../shared/data/vicov19qa);
* **VNTC titles**: one piece of each of the first headlines (known_item.py's
  :func:`~known_item.junk_reason`: 4-20 words, no markup, no other candidate's)
  among the VNTC articles that come right after the index's in speed.py's
  seeded draw, so that no title is of an indexed article.

Each set is asked of two indexes, each lacking many of their words: the
repository's ``seeds/`` (5 articles) and 1,000 VNTC articles (speed.py's
``prepare_corpus``, seed 0).

    python benchmarks/false_fixes.py            # prints and saves a Markdown table
    python benchmarks/false_fixes.py --reuse    # the same, keeping the indexes built before
    python benchmarks/false_fixes.py --limit 20 # a smoke run: 20 queries a set, 200 articles

A query's **false fix**: its first suggestion (``Searcher.suggest``) has other
words than the query (compared as suggestions.py does: lowercase, tone marks
placed alike, so ``hoà`` → ``hòa`` is none, ``hoà`` → ``hóa`` is one); a query
with no suggestion is none.  The target (≤ 1%) is on the pieces typed with
diacritics: a piece with none (``Covid-19 bao``, ``tim 1/4``) cannot be told
from one typed without them, whose likely diacritics are offered by design;
its figure is given too, over all the pieces.  For context, the same pieces folded (no
diacritics, :func:`vnsearch.text.fold`) are restored by the same index, scored
as suggestions.py does (words, and whole pieces, given back exactly): fewer
false fixes must not cost restoration.  Pieces are kept as drawn, numbers too
(``mũi 3``, ``Covid-19``): a number is typed right like any word.
Deterministic: the same command gives the same numbers.  Indexes and articles
go to ``<work>/`` (speed.py's folder by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shlex
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from known_item import VnsearchSystem, headline_key, junk_reason  # noqa: E402
from peers import load_docs  # noqa: E402
from relevance import load  # noqa: E402
from speed import ARCHIVE, add_folder_options, Corpus, archive_members, prepare_corpus, seed_path, shuffled  # noqa: E402,E501
from suggestions import Score, evaluate, three_words, words_of  # noqa: E402

from vnsearch.text import fold, has_diacritics  # noqa: E402

ROOT = BENCH_DIR.parent
#: The repository's seed articles, as a corpus (its ``seeds`` folder is theirs).
SEEDS = Corpus(ROOT, extra="")
#: VNTC articles in the larger index, and pieces in each query set.
ARTICLES, QUERIES = 1000, 500
#: False fixes shown for each index and query set, and word changes.
EXAMPLES, CHANGES = 6, 8


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[false-fixes {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the measure -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One index asked one set of correctly typed queries."""

    queries: int
    suggested: int  # queries with any suggestion
    fixes: list[tuple[str, str]]  # (query, its first suggestion) where that changed a word
    ms_p50: float  # time of a suggestion, as typed
    restored: Score | None = None  # the same queries folded, restored (suggestions.py's scores)
    accented: int = 0  # queries with a diacritic

    @property
    def rate(self) -> float:
        """The false-fix rate of the queries typed with diacritics."""
        return sum(has_diacritics(query) for query, _ in self.fixes) / (self.accented or 1)

    @property
    def rate_of_all(self) -> float:
        """The share of all the queries whose first suggestion changed a word."""
        return len(self.fixes) / (self.queries or 1)


def false_fixes(suggest: Callable[[str], list[str]], queries: list[str]) -> Outcome:
    """Ask ``suggest`` each correctly typed query; count those it would change."""
    suggested, fixes, times = 0, [], []
    for query in queries:
        start = time.perf_counter()
        options = suggest(query)
        times.append((time.perf_counter() - start) * 1000)
        suggested += bool(options)
        if options and words_of(options[0]) != words_of(query):
            fixes.append((query, options[0]))
    median = statistics.median(times) if times else 0.0
    return Outcome(len(queries), suggested, fixes, median, accented=sum(map(has_diacritics, queries)))


def measure(index_dir: Path, queries: list[str], folded: bool = True) -> Outcome:
    """:func:`false_fixes` of vnsearch's index at ``index_dir``; with ``folded``, restoration too."""
    from vnsearch import Searcher

    with Searcher(index_dir) as searcher:
        outcome = false_fixes(searcher.suggest, queries)
        if not folded:
            return outcome
        restored = evaluate(searcher.suggest, [fold(q) for q in queries], queries)
    return replace(outcome, restored=restored)


def word_changes(fixes: list[tuple[str, str]]) -> Counter:
    """How often each typed word became another, in fixes that kept the number of words."""
    changes: Counter = Counter()
    for query, suggestion in fixes:
        typed, got = words_of(query), words_of(suggestion)
        if len(typed) == len(got):
            changes.update((a, b) for a, b in zip(typed, got) if a != b)
    return changes


# -- the queries -------------------------------------------------------------------


def pieces(texts: list[str], seed: int, name: str) -> list[str]:
    """One seeded three-word piece of each text."""
    rng = random.Random(f"vnsearch-false-fixes-{name}-{seed}")
    return [three_words(text, rng) for text in texts]


def question_pieces(data: Path, count: int, seed: int) -> list[str]:
    """Pieces of the first ``count`` UIT-ViCoV19QA test questions, as written."""
    _, questions = load(data / "vicov19qa", "test")
    return pieces([q.text for q in questions[:count]], seed, "questions")


def title_pieces(data: Path, work: Path, indexed: int, count: int, seed: int) -> list[str]:
    """Pieces of ``count`` headlines of VNTC articles drawn after the ``indexed`` ones.

    speed.py's draw is a seeded order of the archive's articles, the index's
    its first ``indexed``: the candidates are the next ones, read from a
    corpus of the first ``indexed`` + 2 × ``count`` + 20 (extracted once).
    """
    candidates = 2 * count + 20
    corpus = prepare_corpus(data, work, indexed + candidates, seed)
    after = shuffled(archive_members(data / ARCHIVE), seed)[indexed : indexed + candidates]
    docs = load_docs([corpus.seeds / seed_path(m) for m in after], corpus.seeds)
    copies = Counter(headline_key(doc.title) for doc in docs)
    titles = [doc.title for doc in docs if junk_reason(doc.title, copies[headline_key(doc.title)]) is None]
    if len(titles) < count:
        log(f"only {len(titles)} of {len(docs)} candidate titles are headlines")
    return pieces(titles[:count], seed, "titles")


# -- the report --------------------------------------------------------------------

Row = tuple[str, str, Outcome]  # index, query set, outcome


def table(rows: list[Row]) -> list[str]:
    """The figures, one line an index and query set."""
    lines = [
        "| index | queries | n | with diacritics | with a suggestion | false fixes "
        "| **false-fix rate** (with diacritics) | false-fix rate (all) "
        "| folded: words right | folded: pieces right | ms p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for index, queries, o in rows:
        restored = o.restored
        lines.append(
            f"| {index} | {queries} | {o.queries} | {o.accented} | {o.suggested / (o.queries or 1):.3f} "
            f"| {len(o.fixes)} | **{o.rate:.3f}** | {o.rate_of_all:.3f} "
            f"| {restored.words:.3f} | {restored.questions:.3f} | {o.ms_p50:.1f} |"
        )
    return lines


def examples(rows: list[Row]) -> list[str]:
    """The first false fixes of each row, and the word changes most often made."""
    lines = []
    for index, queries, o in rows:
        if not o.fixes:
            continue
        lines += ["", f"### {index}, {queries}: {len(o.fixes)} false fixes", ""]
        lines += [f"- `{query}` → `{suggestion}`" for query, suggestion in o.fixes[:EXAMPLES]]
        changes = word_changes(o.fixes).most_common(CHANGES)
        if changes:
            lines.append("- words changed most: " + ", ".join(f"{a} → {b} ({n})" for (a, b), n in changes))
    return lines


def report(rows: list[Row], args: argparse.Namespace, n_articles: int) -> str:
    """The results as Markdown."""
    lines = [
        "# Did you mean, unasked: false fixes of correctly typed queries",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- indexes: the repository's seeds (5 articles); {n_articles:,} VNTC articles "
        f"(speed.py's draw, seed {args.seed})",
        "- queries: a three-word piece (seeded) of each UIT-ViCoV19QA test question, and of each of the first "
        "headlines of the VNTC articles drawn after the index's (none of them indexed); as written, with diacritics",
        f"- command: `python {shlex.join(['benchmarks/false_fixes.py', *sys.argv[1:]])}`",
        "",
        *table(rows),
        "",
        "- false fix: the first suggestion has other words than the query typed right (lowercase, tone marks",
        "  placed alike: `hoà` → `hòa` is none, `hoà` → `hóa` is one); no suggestion is no false fix. Target: ≤ 1%",
        "  of the pieces typed with diacritics (a piece with none cannot be told from one typed without them).",
        "- folded: the same pieces without diacritics (`vnsearch.text.fold`), the first suggestion (or the piece,",
        "  if none) against the piece as written, as in suggestions.py: must not get worse as false fixes go down.",
        "- ms p50: one suggestion for a piece as written, in this process.",
        "",
        "## Examples (the first false fixes, in query order)",
        *examples(rows),
    ]
    return "\n".join(lines) + "\n"


# -- command line ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the articles and the pieces (default 0)")
    add_folder_options(parser, f"{ARCHIVE} and vicov19qa/")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the indexes a run built before (brought up to date, which is cheap): "
                        "for changes to the suggestions, not to what is indexed")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, metavar="Q",
                        help="a smoke run: Q queries a set, an index of 10×Q VNTC articles; nothing saved")  # fmt: skip
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not (args.data / ARCHIVE).is_file():
        raise SystemExit(f"no VNTC archive at {args.data / ARCHIVE}: give the data folder with --data")
    n, count = ARTICLES, QUERIES
    if args.limit:
        n, count = min(n, 10 * args.limit), min(count, args.limit)
    work = args.work.resolve()
    start = time.perf_counter()
    query_sets = {
        "ViCoV19QA questions": question_pieces(args.data, count, args.seed),
        "VNTC titles": title_pieces(args.data, work, n, count, args.seed),
    }
    indexes = {
        "seeds (5 articles)": (SEEDS, work / "false-fixes-seeds"),
        f"VNTC ({n:,} articles)": (prepare_corpus(args.data, work, n, args.seed), work / f"false-fixes-{n}"),
    }
    rows = []
    for index, (corpus, folder) in indexes.items():
        system = VnsearchSystem(corpus, folder / "vnsearch", args.reuse)
        system.searcher.close()
        log(f"{index}: index {'reused' if system.reused else f'built in {system.build_seconds:,.0f} s'}")
        for name, queries in query_sets.items():
            rows.append((index, name, measure(folder / "vnsearch", queries)))
            log(f"{index}, {name}: {len(rows[-1][2].fixes)} false fixes of {len(queries)}")
    text = report(rows, args, n)
    print(text)
    log(f"done in {time.perf_counter() - start:,.0f} s")
    if not args.limit:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "false_fixes-latest.md"
        path.write_text(text, encoding="utf-8")
        log(f"saved {path}")


if __name__ == "__main__":
    main()
