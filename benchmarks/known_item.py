"""Known-item search: find the article whose headline you half remember.

People remember a headline and type part of it, often without accents.  From
N VNTC articles (speed.py's seeded draw: ``prepare_corpus``, 10,000 by
default) this takes a seeded sample of articles with a real headline; each
query is a run of 4-8 consecutive words of that title, and its one right
answer is that article.  Every query is asked twice: as written, and folded
(no diacritics, ``đ`` → ``d``: :func:`vnsearch.text.fold`), which is how many
people type.

    python benchmarks/known_item.py            # prints and saves a Markdown table
    python benchmarks/known_item.py --reuse    # the same, keeping the indexes built before
    python benchmarks/known_item.py --limit 10 # a smoke run: 10 queries over 100 articles

Every system reads the same title and body of each file, vnsearch's own
article parser's (:func:`peers.iter_docs`): vnsearch builds its index from the
seeds folder (``update_index``), SQLite FTS5 and plain Whoosh from those
documents.  Each is asked with its default semantics, ten hits: all the words
required (vnsearch relaxes to any of them when no article has all; the peers
then return nothing).  Reports Recall@1, Recall@10 and MRR@10 per system, and
the median query latency.  Deterministic: the same command gives the same
scores.

A title is a headline when it has 4 to :data:`MAX_TITLE_WORDS` words, no
markup, and no other article has the same title (folded, any case): VNTC's
NLĐ and Thanh Niên files often have no title line of their own, so what the
parser takes for the title is the first paragraph (headline, photo caption and
lead run together, or the lead alone); nobody remembers that as a headline.
Indexes go to ``<work>/known-item-<N>/``: ``vnsearch``, ``fts5.db``, ``whoosh``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from peers import TITLE_WEIGHT, Doc, Fts5Peer, WhooshPeer, load_docs  # noqa: E402
from relevance import K, Question, Scores, score  # noqa: E402
from speed import ARCHIVE, add_folder_options, Corpus, prepare_corpus  # noqa: E402

from vnsearch.text import fold  # noqa: E402

#: Query length, in words: a run of this many consecutive title words (at most the title's).
QUERY_WORDS = (4, 8)
#: The longest title taken for a headline, in words; a longer one is a paragraph.
MAX_TITLE_WORDS = 20
#: A word: a run of letters and digits holding a letter (numbers alone are left out).
_WORD = re.compile(r"[^\W_]+")


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[known-item {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the queries -------------------------------------------------------------------


def title_words(title: str) -> list[str]:
    """The words of a title, in order, punctuation and bare numbers left out."""
    return [word for word in _WORD.findall(title) if any(ch.isalpha() for ch in word)]


def headline_key(title: str) -> str:
    """What two titles share when they are the same headline: folded, lowercased words."""
    return " ".join(title_words(fold(title).lower()))


def junk_reason(title: str, copies: int) -> str | None:
    """Why a title is no headline to search for (None: it is one).

    ``copies``: how many articles of the corpus have this headline (see
    :func:`headline_key`); a title several articles share has no one answer.
    """
    words = len(title_words(title))
    if words < QUERY_WORDS[0]:
        return f"fewer than {QUERY_WORDS[0]} words"
    if words > MAX_TITLE_WORDS:
        return f"more than {MAX_TITLE_WORDS} words (a paragraph)"
    if "<" in title and ">" in title:
        return "markup"
    if copies > 1:
        return "shared with another article"
    return None


def make_queries(docs: list[Doc], count: int, seed: int) -> tuple[list[Question], Counter]:
    """``count`` known-item queries from the headlines of ``docs``, seeded; and why titles were left out.

    Each is a run of 4-8 consecutive words (the length seeded too, at most the
    title's) of one article's title, joined by spaces, with that article's id
    as its answer.  Fewer than ``count`` when fewer articles have a headline.
    """
    keys = [headline_key(doc.title) for doc in docs]
    copies = Counter(keys)
    junk = [junk_reason(doc.title, copies[key]) for doc, key in zip(docs, keys)]
    headlines = [doc for doc, reason in zip(docs, junk) if reason is None]
    rng = random.Random(f"vnsearch-known-item-{seed}")
    questions = []
    for doc in rng.sample(headlines, min(count, len(headlines))):
        words = title_words(doc.title)
        size = min(rng.randint(*QUERY_WORDS), len(words))
        start = rng.randint(0, len(words) - size)
        questions.append(Question(" ".join(words[start : start + size]), doc.id))
    return questions, Counter(reason for reason in junk if reason is not None)


def folded(questions: list[Question]) -> list[Question]:
    """The same queries typed without diacritics."""
    return [Question(fold(q.text), q.answer_id) for q in questions]


# -- the systems -------------------------------------------------------------------


def remove(path: Path) -> None:
    """Delete a file or folder, if there."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


class VnsearchSystem:
    """vnsearch through its public API: ``update_index`` on the seeds, ``Searcher.search``."""

    name = "vnsearch"

    def __init__(self, corpus: Corpus, index: Path, reuse: bool):
        from vnsearch import IndexDamagedError, IndexVersionError, Searcher, update_index

        if not reuse:
            remove(index)
        start = time.perf_counter()
        try:  # on an index there, an update: cheap when the seeds have not changed
            report = update_index(corpus.seeds, index)
        except (IndexVersionError, IndexDamagedError) as exc:
            log(f"vnsearch: {exc}: building anew")
            remove(index)
            report = update_index(corpus.seeds, index)
        self.build_seconds = time.perf_counter() - start
        self.reused = reuse and not report.changed
        self.searcher = Searcher(index)
        self.relaxed = 0  # queries answered with any of their words

    def rank(self, query: str) -> list[str]:
        """The ids of the ten best articles; none for a query vnsearch refuses."""
        from vnsearch import QueryError

        try:
            result = self.searcher.search(query, limit=K)
        except QueryError:
            return []
        self.relaxed += result.relaxed
        return [hit.id for hit in result.hits]


class PeerSystem:
    """A peer from peers.py, built from the same documents (or kept, with ``--reuse``)."""

    relaxed = 0  # the peers never relax a query

    def __init__(self, peer_class: type, path: Path, docs: list[Doc], corpus_digest: str, reuse: bool):
        marker = path.with_name(path.name + ".built")  # the corpus it holds, once complete
        self.reused = reuse and path.exists() and marker.is_file() and marker.read_text() == corpus_digest
        start = time.perf_counter()
        if not self.reused:
            marker.unlink(missing_ok=True)
            remove(path)
        self.peer = peer_class(path)
        self.name = self.peer.name
        if not self.reused:
            self.peer.build(docs)
            marker.write_text(corpus_digest)
        self.build_seconds = time.perf_counter() - start

    def rank(self, query: str) -> list[str]:
        """The ids of the ten best documents by the peer's default search."""
        return [hit.id for hit in self.peer.search(query, limit=K)]


System = VnsearchSystem | PeerSystem


@dataclass(frozen=True)
class Outcome:
    """One system on one query set: the scores, each query's latency, what it missed."""

    scores: Scores
    latencies_ms: list[float]
    missed: int  # the answer not in the top ten
    empty: int  # no hit at all
    relaxed: int  # vnsearch: answered with any of the words

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms)


def measure(system: System, questions: list[Question]) -> Outcome:
    """Ask every question, timing each; score the rankings (relevance.py's :func:`score`)."""
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    relaxed_before = system.relaxed

    def timed_rank(query: str) -> list[str]:
        start = time.perf_counter()
        ranked = system.rank(query)
        latencies.append((time.perf_counter() - start) * 1000)
        rankings[query] = ranked
        return ranked

    scores = score(timed_rank, questions)
    missed = sum(q.answer_id not in rankings[q.text] for q in questions)
    empty = sum(not rankings[q.text] for q in questions)
    return Outcome(scores, latencies, missed, empty, system.relaxed - relaxed_before)


@dataclass(frozen=True)
class Row:
    """One system's results: as written and folded."""

    name: str
    written: Outcome
    folded: Outcome
    build: str  # how its index came to be: "built in 12 s" or "reused"


def run(corpus: Corpus, docs: list[Doc], questions: list[Question], root: Path, reuse: bool) -> list[Row]:
    """Build (or keep) every system's index in ``root`` and ask it every question, both ways."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256((corpus.root / "selection.json").read_bytes()).hexdigest()
    makers: list[Callable[[], System]] = [
        lambda: VnsearchSystem(corpus, root / "vnsearch", reuse),
        lambda: PeerSystem(Fts5Peer, root / "fts5.db", docs, digest, reuse),
        lambda: PeerSystem(WhooshPeer, root / "whoosh", docs, digest, reuse),
    ]
    unaccented = folded(questions)
    rows = []
    for make in makers:
        system = make()
        build = "reused" if system.reused else f"built in {system.build_seconds:,.0f} s"
        log(f"{system.name}: index {build}; asking {len(questions)} queries twice")
        rows.append(Row(system.name, measure(system, questions), measure(system, unaccented), build))
    return rows


# -- the report --------------------------------------------------------------------


def table(rows: list[Row]) -> list[str]:
    """The scores and latencies, one line a system."""
    lines = [
        "| system | R@1 | R@10 | MRR@10 | R@1 (folded) | R@10 (folded) | MRR@10 (folded) "
        "| p50 ms | p50 ms (folded) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        both = (row.written, row.folded)
        cells = [f"{o.scores.recall_1:.3f} | {o.scores.recall_10:.3f} | {o.scores.mrr_10:.3f}" for o in both]
        cells += [f"{o.p50_ms:.1f}" for o in both]
        lines.append(f"| {row.name} | {' | '.join(cells)} |")
    return lines


def misses_table(rows: list[Row], count: int) -> list[str]:
    """What each system missed: the answer not in its top ten, of which no hit at all."""
    lines = [
        f"| system (of {count} queries) | missed | no hits | relaxed "
        "| missed (folded) | no hits (folded) | relaxed (folded) | index |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        cells = [f"{o.missed} | {o.empty} | {o.relaxed}" for o in (row.written, row.folded)]
        lines.append(f"| {row.name} | {' | '.join(cells)} | {row.build} |")
    return lines


def report(rows: list[Row], args: argparse.Namespace, corpus: Corpus, n_docs: int,
           questions: list[Question], left_out: Counter) -> str:  # fmt: skip
    """The results as Markdown."""
    sizes = Counter(len(q.text.split()) for q in questions)
    reasons = "; ".join(f"{reason}: {count:,}" for reason, count in left_out.most_common())
    lines = [
        f"# Known-item search on VNTC: part of a headline, typed ({len(questions)} queries)",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- corpus: {n_docs:,} VNTC articles (speed.py's draw, seed {args.seed}: {corpus.seeds}); "
        f"titles left out as no headline: {reasons or 'none'}",
        f"- queries: {len(questions)} articles' titles, a run of {QUERY_WORDS[0]}–{QUERY_WORDS[1]} "
        "consecutive words each (" + ", ".join(f"{n} words: {sizes[n]}" for n in sorted(sizes)) + "), "
        "as written and folded (no diacritics); the answer is that article; default search, 10 hits",
        f"- command: `python {shlex.join(['benchmarks/known_item.py', *sys.argv[1:]])}`",
        "",
        *table(rows),
        "",
        *misses_table(rows, len(questions)),
        "",
        "- missed: the article is not in the top 10; no hits: the system returned nothing;",
        "  relaxed: no article had all the words, so vnsearch ranked those with any of them",
        "  (the peers return nothing then). Latency: one query with snippets, in this process",
        "  (vnsearch also computes its \"did you mean\" suggestions, as by default).",
        f"- The peers as configured in peers.py, a title word weighing {TITLE_WEIGHT} body words as in vnsearch:",
        "  FTS5's `unicode61 remove_diacritics 2` drops tone marks but keeps `đ`, so a folded query",
        "  with `d` for `đ` finds nothing or other articles; Whoosh's StandardAnalyzer folds nothing,",
        "  so a folded query matches only words that have no diacritics.",
        "- A query's words are runs of letters and digits holding a letter: `TP.HCM` is typed",
        "  `TP HCM`, `v3.0.1` is `v3`, a bare number is left out (Whoosh indexes `tp.hcm` whole).",
    ]
    return "\n".join(lines) + "\n"


# -- command line ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000,
                        help="VNTC articles in the corpus, speed.py's seeded draw (default 10,000)")  # fmt: skip
    parser.add_argument("--queries", type=int, default=500,
                        help="articles whose title is searched for (default 500)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the articles and the queries (default 0)")  # fmt: skip
    add_folder_options(parser)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the indexes a run built before on the same articles (vnsearch's is brought "
                        "up to date, which is cheap): for changes to the ranking, not to what is indexed")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, metavar="Q",
                        help="a smoke run: Q queries over the first 10×Q of the N articles; nothing saved")  # fmt: skip
    args = parser.parse_args(argv)
    if args.n < 1 or args.queries < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--n, --queries and --limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not (args.data / ARCHIVE).is_file():
        raise SystemExit(f"no VNTC archive at {args.data / ARCHIVE}: give the data folder with --data")
    n, count = args.n, args.queries
    if args.limit:
        n, count = min(n, 10 * args.limit), min(count, args.limit)
    work = args.work.resolve()
    start = time.perf_counter()
    corpus = prepare_corpus(args.data, work, n, args.seed)
    docs = load_docs(corpus.seed_files(), corpus.seeds)
    questions, left_out = make_queries(docs, count, args.seed)
    if len(questions) < count:
        log(f"only {len(questions)} of the {len(docs):,} articles have a headline to search for")
    rows = run(corpus, docs, questions, work / f"known-item-{n}", args.reuse)
    text = report(rows, args, corpus, len(docs), questions, left_out)
    print(text)
    log(f"done in {time.perf_counter() - start:,.0f} s")
    if not args.limit:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "known_item-latest.md"
        path.write_text(text, encoding="utf-8")
        log(f"saved {path}")


if __name__ == "__main__":
    main()
