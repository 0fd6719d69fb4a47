"""Speed and scale of vnsearch, side by side with SQLite FTS5, plain Whoosh and pyvi.

    python benchmarks/speed.py --n 1000 --n 10000 --n 50000

For each N, N articles of the VNTC test set are extracted (unchanged, UTF-16
with BOM) into a seeds folder under the work folder, and every system --
vnsearch, SQLite FTS5, Whoosh with its StandardAnalyzer, and pyvi's word
segmentation alone -- is measured on the same articles and the same queries:

* index build: wall time, articles/s, MB/s of text, peak RSS, size on disk;
* queries: a seeded set of one- to four-word queries taken from the articles,
  half with their diacritics and half without, 10 hits with snippets each:
  latency p50 / p95 / max and the mean number of hits;
* adding one new article to the N-article index (incremental);
* a cold search in a new process (for vnsearch, the ``vnsearch search`` command).

Each build, query run and addition runs in its own fresh process (this script
re-invoked with ``--worker``), so peak memory and timings belong to one system.
The Markdown table goes to stdout and to ``benchmarks/results/``.  The machine
may be shared and noisy: compare the ratio columns (vnsearch ÷ peer) measured
in one run, not absolute figures across runs.  Same command, same articles,
same queries.  This is a benchmark, never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from peers import PEERS, Doc, iter_docs, load_docs, pyvi_alone  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ARCHIVE = Path("vntc") / "VNTC_Test_Full.tar.gz"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "vnsearch-bench"
DEFAULT_OUT = BENCH_DIR / "results"
LIMIT = 10  # hits per query
COLD_RUNS = 5
MB = 1_000_000
# Words Whoosh's query parser reads as operators: never sampled into a query.
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
# A run of letters-only words separated by single spaces.
_WORD_RUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[speed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    On Linux this is ``VmHWM``: ``ru_maxrss`` of a child process starts at the
    RSS of the parent it was forked from (the kernel carries the old memory
    map's high-water mark across ``exec``), which would charge every worker
    for the documents the parent holds.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)[1]) * 1024 / MB
    except (OSError, TypeError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB


def dir_size(path: Path) -> int:
    """Total size of the files under ``path`` (or of ``path`` itself)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- the corpus ----------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """N extracted articles, the article kept back for the incremental add, and the indexes."""

    root: Path
    extra: str  # path of the held-back article under seeds/ (and under extra/)

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def extra_file(self) -> Path:
        """Where the held-back article waits until it is added."""
        return self.root / "extra" / self.extra

    @property
    def extra_seed(self) -> Path:
        """Where the held-back article goes when it is added."""
        return self.seeds / self.extra

    @property
    def queries_file(self) -> Path:
        return self.root / "queries.json"

    def index(self, system: str) -> Path:
        return self.root / "indexes" / system

    def seed_files(self) -> list[Path]:
        """The seed files, in the order vnsearch indexes them."""
        from vnsearch.indexing import seed_files

        return seed_files(self.seeds)

    def to_json(self) -> dict:
        return {"root": str(self.root), "extra": self.extra}

    @classmethod
    def from_json(cls, data: dict) -> "Corpus":
        return cls(Path(data["root"]), data["extra"])


def archive_members(archive: Path) -> list[str]:
    """The names of the article files in the archive, sorted."""
    with tarfile.open(archive, "r:gz") as tar:
        return sorted(m.name for m in tar if m.isfile() and m.name.endswith(".txt"))


def choose(members: list[str], n: int, seed: int) -> tuple[list[str], str]:
    """N articles and one more (for the incremental add), the same for the same seed.

    A seeded shuffle of the sorted member list, across all topics; a smaller N
    takes a prefix of the same order, so its corpus is part of a larger N's.
    """
    if not 1 <= n < len(members):
        raise SystemExit(
            f"--n must be between 1 and {len(members) - 1}: the archive has {len(members)} articles"
        )
    order = list(members)
    random.Random(seed).shuffle(order)
    return order[:n], order[n]


def seed_path(member: str) -> str:
    """``Test_Full/<topic>/<name>.txt`` -> ``<topic>/<name>.txt``."""
    return member.split("/", 1)[1]


def extract(archive: Path, targets: dict[str, Path]) -> None:
    """Write the bytes of the archive members named in ``targets`` to their paths."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:  # archive order: the gzip stream is only read forward
            target = targets.get(member.name)
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())


def prepare_corpus(archive: Path, work: Path, n: int, seed: int) -> Corpus:
    """Extract the N articles into ``<work>/vntc-N/seeds``, reusing an earlier extraction."""
    chosen, extra = choose(archive_members(archive), n, seed)
    root = work / f"vntc-{n}"
    corpus = Corpus(root, seed_path(extra))
    selection = {"archive": str(archive), "seed": seed, "members": chosen, "extra": extra}
    marker = root / "selection.json"
    corpus.extra_seed.unlink(missing_ok=True)  # left over from an interrupted run
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == selection:
        log(f"N={n}: reusing the articles in {corpus.seeds}")
        return corpus
    log(f"N={n}: extracting {n} articles into {corpus.seeds}")
    shutil.rmtree(root, ignore_errors=True)
    targets = {m: corpus.seeds / seed_path(m) for m in chosen}
    targets[extra] = corpus.extra_file
    extract(archive, targets)
    marker.write_text(json.dumps(selection), encoding="utf-8")
    return corpus


# -- the queries -----------------------------------------------------------------


def make_queries(docs: list[Doc], count: int, seed: int) -> list[str]:
    """``count`` queries of 1-4 consecutive words from the bodies, seeded.

    Even-numbered queries keep the words as written (each has a diacritic);
    odd-numbered ones are the same kind of run typed without diacritics.
    """
    from vnsearch.text import fold, has_diacritics

    rng = random.Random(f"vnsearch-speed-queries-{seed}")
    queries: list[str] = []
    while len(queries) < count:
        words = _sample_run(rng, rng.choice(docs).body, rng.randint(1, 4))
        if not words or _OPERATORS & set(words) or not has_diacritics(" ".join(words)):
            continue
        text = " ".join(words)
        queries.append(text if len(queries) % 2 == 0 else fold(text).lower())
    return queries


def _sample_run(rng: random.Random, body: str, size: int) -> list[str] | None:
    """``size`` consecutive letters-only words of ``body`` at a random place."""
    runs = [run.split(" ") for run in _WORD_RUN.findall(body)]
    starts = [(run, i) for run in runs for i in range(len(run) - size + 1)]
    if not starts:
        return None
    run, i = rng.choice(starts)
    return run[i : i + size]


def cold_query(queries: list[str]) -> str:
    """The query of the cold-start runs: the first with several words."""
    return next((q for q in queries if " " in q), queries[0])


# -- the systems -------------------------------------------------------------------

Action = Callable[[], object]
SearchFn = Callable[[str], int]  # runs one query, returns the number of hits


class Vnsearch:
    """vnsearch through its public API (build, search, add) and its command (cold)."""

    key = label = short = "vnsearch"
    phases = ("build", "queries", "add")
    modules = ("vnsearch.searching",)  # `import vnsearch` alone loads nothing

    def build(self, corpus: Corpus) -> Action:
        from vnsearch import update_index

        def run() -> int:
            index, progress = corpus.index(self.key), _progress(self.key)
            report = update_index(corpus.seeds, index, progress=progress)
            return len(report.added)

        return run

    def open(self, corpus: Corpus) -> SearchFn:
        from vnsearch import Searcher

        searcher = Searcher(corpus.index(self.key))
        return lambda query: len(searcher.search(query, limit=LIMIT).hits)

    def add(self, corpus: Corpus) -> tuple[Action, dict]:
        """Copy the new article into the seeds; the timed part is ``update_index``.

        pyvi's model is loaded first (its load time is reported apart) so the
        figure is the cost of the update itself.
        """
        from vnsearch import segment, update_index

        shutil.copyfile(corpus.extra_file, corpus.extra_seed)
        start = time.perf_counter()
        segment.words("Hà Nội mùa thu")
        info = {"pyvi_load_s": time.perf_counter() - start}

        def run() -> None:
            report = update_index(corpus.seeds, corpus.index(self.key))
            if len(report.added) != 1 or report.updated or report.removed:
                raise RuntimeError(f"vnsearch add: unexpected report {report}")

        return run, info

    def cold_argv(self, corpus: Corpus, query: str) -> list[str]:
        command = Path(sys.executable).parent / "vnsearch"
        return [str(command), "search", "--index", str(corpus.index(self.key)),
                "--seeds", str(corpus.seeds), "-n", str(LIMIT), query]  # fmt: skip


# A new Python process that opens a peer's index and runs one query with snippets.
_COLD_PEER = (
    "import sys; sys.path.insert(0, sys.argv[1]); import peers; "
    "peer = peers.PEERS[sys.argv[2]](sys.argv[3]); "
    "print('\\n'.join(h.id + ' ' + h.snippet for h in peer.search(sys.argv[4], int(sys.argv[5]))))"
)


class Peer:
    """A peer from :mod:`peers`: FTS5 or plain Whoosh."""

    phases = ("build", "queries", "add")

    def __init__(self, key: str):
        self.key = key
        self.peer_class = PEERS[key]
        self.label = self.peer_class.name
        self.short = {"fts5": "FTS5", "whoosh": "Whoosh"}[key]
        self.modules = {
            "fts5": ("sqlite3",),
            "whoosh": ("whoosh.index", "whoosh.fields", "whoosh.qparser", "whoosh.highlight"),
        }[key]

    def build(self, corpus: Corpus) -> Action:
        """Reading the files counts in the build time, as it does for vnsearch."""

        def run() -> int:
            docs = _Counted(iter_docs(corpus.seed_files(), corpus.seeds))
            peer = self.peer_class(corpus.index(self.key))
            peer.build(docs)
            peer.close()
            return docs.count

        return run

    def open(self, corpus: Corpus) -> SearchFn:
        peer = self.peer_class(corpus.index(self.key))
        return lambda query: len(peer.search(query, limit=LIMIT))

    def add(self, corpus: Corpus) -> tuple[Action, dict]:
        """The timed part opens the index, adds the article, commits and closes."""
        (doc,) = load_docs([corpus.extra_file], corpus.root / "extra")

        def run() -> None:
            peer = self.peer_class(corpus.index(self.key))
            peer.add(doc)
            peer.close()

        return run, {}

    def cold_argv(self, corpus: Corpus, query: str) -> list[str]:
        return [sys.executable, "-c", _COLD_PEER, str(BENCH_DIR), self.key,
                str(corpus.index(self.key)), query, str(LIMIT)]  # fmt: skip


class PyviAlone:
    """pyvi's segmentation of the same text, nothing indexed: builds only."""

    key, label, short = "pyvi", "pyvi alone", "pyvi"
    phases = ("build",)
    cold_argv = None

    def build(self, corpus: Corpus) -> Action:
        def run() -> int:
            docs = _Counted(iter_docs(corpus.seed_files(), corpus.seeds))
            pyvi_alone(docs)
            return docs.count

        return run


class _Counted:
    """An iterable that counts what went through it."""

    def __init__(self, items):
        self._items, self.count = items, 0

    def __iter__(self):
        for item in self._items:
            self.count += 1
            yield item


SYSTEMS = [Vnsearch(), Peer("fts5"), Peer("whoosh"), PyviAlone()]
BY_KEY = {system.key: system for system in SYSTEMS}
PEER_KEYS = ["fts5", "whoosh", "pyvi"]


def _progress(label: str) -> Callable[[int, int], None]:
    """A progress callback logging every tenth of the way."""

    def report(done: int, total: int) -> None:
        if total >= 1000 and done % (total // 10) == 0:
            log(f"  {label}: {done}/{total} files")

    return report


# -- worker processes ----------------------------------------------------------------


def worker_build(system, corpus: Corpus) -> dict:
    """Build the system's index from scratch, timed, from exactly the N articles."""
    corpus.extra_seed.unlink(missing_ok=True)  # added to the seeds by vnsearch's add
    index = corpus.index(system.key)
    if index.is_dir():
        shutil.rmtree(index)
    elif index.exists():
        index.unlink()
    index.parent.mkdir(parents=True, exist_ok=True)
    run = system.build(corpus)
    start = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - start
    size = dir_size(index) if index.exists() else None
    return {"seconds": seconds, "docs": count, "index_bytes": size}


def worker_queries(system, corpus: Corpus) -> dict:
    """Open the index and run every query, each one timed."""
    queries = json.loads(corpus.queries_file.read_text(encoding="utf-8"))
    for module in system.modules:  # the open time is the index's, not the imports'
        importlib.import_module(module)
    start = time.perf_counter()
    search = system.open(corpus)
    open_seconds = time.perf_counter() - start
    latencies, hits = [], []
    for query in queries:
        start = time.perf_counter()
        hits.append(search(query))
        latencies.append((time.perf_counter() - start) * 1000)
    return {"open_ms": open_seconds * 1000, "latencies_ms": latencies, "hits": hits}


def worker_add(system, corpus: Corpus) -> dict:
    """Add the held-back article to the N-article index, timed."""
    run, info = system.add(corpus)
    start = time.perf_counter()
    run()
    return {"ms": (time.perf_counter() - start) * 1000, **info}


WORKERS = {"build": worker_build, "queries": worker_queries, "add": worker_add}


def worker_main(task_json: str) -> None:
    """Run one task in this (fresh) process; print its result as one JSON line."""
    task = json.loads(task_json)
    result = WORKERS[task["phase"]](BY_KEY[task["system"]], Corpus.from_json(task["corpus"]))
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def run_worker(phase: str, system, corpus: Corpus) -> dict:
    """Run one phase for one system in a new process; its result."""
    task = {"phase": phase, "system": system.key, "corpus": corpus.to_json()}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)],
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{system.label} {phase} failed (exit status {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_search_ms(argv: list[str]) -> float:
    """Median wall time of running ``argv`` as a new process, in ms."""
    times = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode not in (0, 1):  # 1: `vnsearch search` found nothing, as grep
            raise SystemExit(f"cold search failed: {shlex.join(argv)}\n{done.stderr}")
    return statistics.median(times)


# -- one N -------------------------------------------------------------------------


def bench_n(archive: Path, work: Path, n: int, n_queries: int, seed: int) -> dict:
    """Every measurement for one corpus size."""
    corpus = prepare_corpus(archive, work, n, seed)
    docs = load_docs(corpus.seed_files(), corpus.seeds)
    queries = make_queries(docs, n_queries, seed)
    corpus.queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    cold = cold_query(queries)
    result = {
        "n": n,
        "docs": len(docs),
        "file_bytes": sum(p.stat().st_size for p in corpus.seed_files()),
        "text_bytes": sum(len((d.title + d.body).encode("utf-8")) for d in docs),
        "queries": len(queries),
        "cold_query": cold,
        "systems": {},
    }
    try:
        for system in SYSTEMS:
            measured = result["systems"][system.key] = {}
            for phase in system.phases:
                log(f"N={n} {system.label}: {phase}")
                measured[phase] = run_worker(phase, system, corpus)
            if measured["build"]["docs"] != len(docs):
                built = measured["build"]["docs"]
                log(f"WARNING: {system.label} built from {built} articles, not {len(docs)}")
            if system.cold_argv is not None:
                log(f"N={n} {system.label}: cold search ×{COLD_RUNS} ({cold!r})")
                measured["cold"] = {"ms": cold_search_ms(system.cold_argv(corpus, cold))}
    finally:
        corpus.extra_seed.unlink(missing_ok=True)  # keep the extraction reusable
    return result


# -- the table ---------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile, by linear interpolation between ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


Metric = Callable[[dict, dict], float | None]  # (run, one system's results) -> value


def _figure(phase: str, key: str, how: Callable = lambda value, run: value) -> Metric:
    """A metric from one phase's result of a system; None where the system has no such figure."""

    def metric(run: dict, measured: dict) -> float | None:
        value = measured.get(phase, {}).get(key)
        return None if value is None else how(value, run)

    return metric


def _per_query(summary: Callable[[list[float]], float], key: str = "latencies_ms") -> Metric:
    """A metric summarising one per-query figure of a system."""
    return _figure("queries", key, lambda values, run: summary(values))


#: (name, metric), in the order of the table.
METRICS: list[tuple[str, Metric]] = [
    ("build: wall time (s)", _figure("build", "seconds")),
    ("build: articles/s", _figure("build", "seconds", lambda s, run: run["docs"] / s)),
    ("build: MB/s of text", _figure("build", "seconds", lambda s, run: run["text_bytes"] / MB / s)),
    ("build: peak RSS (MB)", _figure("build", "rss_mb")),
    ("index size (MB)", _figure("build", "index_bytes", lambda b, run: b / MB)),
    ("index size ÷ text size", _figure("build", "index_bytes", lambda b, r: b / r["text_bytes"])),
    ("query p50 (ms)", _per_query(lambda values: _percentile(values, 50))),
    ("query p95 (ms)", _per_query(lambda values: _percentile(values, 95))),
    ("query max (ms)", _per_query(max)),
    ("mean hits per query", _per_query(statistics.mean, "hits")),
    ("open index (ms)", _figure("queries", "open_ms")),
    ("queries: peak RSS (MB)", _figure("queries", "rss_mb")),
    ("add 1 article (ms)", _figure("add", "ms")),
    ("cold search, new process (ms)", _figure("cold", "ms")),
]


def _fmt(value: float | None) -> str:
    """A number with about three significant figures; blank when missing."""
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(runs: list[dict]) -> str:
    """The Markdown table: one row per metric per N, values then ratios."""
    labels = [system.label for system in SYSTEMS]
    ratios = [f"vnsearch ÷ {BY_KEY[key].short}" for key in PEER_KEYS]
    lines = [
        "| metric | N | " + " | ".join(labels + ratios) + " |",
        "|---|---:|" + "---:|" * (len(labels) + len(ratios)),
    ]
    for name, metric in METRICS:
        for run in runs:
            values = {key: metric(run, m) for key, m in run["systems"].items()}
            mine = values.get("vnsearch")
            cells = [_fmt(values.get(system.key)) for system in SYSTEMS]
            for key in PEER_KEYS:
                peer = values.get(key)
                cells.append(_fmt(mine / peer) if mine is not None and peer else "")
            lines.append(f"| {name} | {run['n']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def corpus_table(runs: list[dict]) -> str:
    """One line per N: the articles, their size and the queries."""
    lines = [
        "| N | articles | files (MB, UTF-16) | text (MB, UTF-8) | queries | cold-search query |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['n']:,} | {run['docs']:,} | {run['file_bytes'] / MB:.1f} | "
            f"{run['text_bytes'] / MB:.1f} | {run['queries']} | `{run['cold_query']}` |"
        )
    return "\n".join(lines)


def notes(runs: list[dict]) -> str:
    """What the figures mean, and pyvi's model load time left out of the add figure."""
    loads = ", ".join(
        f"{run['systems']['vnsearch']['add']['pyvi_load_s']:.2f} s (N={run['n']:,})" for run in runs
    )
    return "\n".join(
        [
            "- Every build, query run and addition ran in its own new process;",
            "  peak RSS is that process's (VmHWM).",
            "- Build time includes reading and parsing the files (vnsearch.articles.read_article)",
            "  for every system, and loading pyvi's model for vnsearch and pyvi alone.",
            "  MB/s and the size ratio use the articles' text (title + body as UTF-8), not the files.",
            f"- Queries return {LIMIT} hits with snippets; half are typed with diacritics, half without.",
            "  vnsearch retries a query with no all-words match as any-words (its `relaxed` results);",
            "  the peers return nothing then. Plain Whoosh does not fold accents, so unaccented",
            "  queries rarely match there. Open index: after the library is imported.",
            "- Add 1 article: vnsearch = `update_index(seeds, index)` after copying the file into",
            "  seeds (it stats every seed file); peers = open the index, insert, commit, close.",
            f"  pyvi's model was loaded before timing vnsearch's add: {loads}.",
            f"- Cold search: median of {COLD_RUNS} new processes; vnsearch = the `vnsearch search`",
            "  command, peers = `python -c` importing only their library, opening the index,",
            "  one query with snippets.",
            "- Ratios are vnsearch ÷ peer: above 1, vnsearch takes more (time, memory, disk)",
            "  or does more (throughput, hits).",
        ]
    )


def report(runs: list[dict], args: argparse.Namespace) -> str:
    """The whole Markdown report."""
    cpu = platform.processor() or platform.machine()
    header = [
        f"# vnsearch speed and scale — {dt.date.today().isoformat()}",
        "",
        f"- machine: {os.cpu_count()} cores, {cpu}, {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- command: `python {shlex.join(sys.argv)}`",
        f"- N: {', '.join(format(run['n'], ',') for run in runs)}; "
        f"seed {args.seed}; {args.queries} queries",
        f"- data: {args.data / ARCHIVE}",
        "",
    ]
    return "\n".join(header + [corpus_table(runs), "", table(runs), "", notes(runs), ""])


def save(text: str, out: Path) -> list[Path]:
    """Write the report as ``speed-<date>.md`` and ``speed-latest.md``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"speed-{dt.date.today().isoformat()}.md", out / "speed-latest.md"]
    for path in paths:
        path.write_text(text, encoding="utf-8")
    return paths


# -- command line ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Speed and scale of vnsearch against SQLite FTS5, plain Whoosh and pyvi alone."
    )
    parser.add_argument("--n", type=int, action="append", metavar="N",
                        help="number of articles (repeatable; default 1000)")  # fmt: skip
    parser.add_argument("--queries", type=int, default=200, help="number of queries (default 200)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the article and query samples (default 0)")  # fmt: skip
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"shared data folder holding {ARCHIVE} (default {DEFAULT_DATA})")  # fmt: skip
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"folder for articles and indexes (default {DEFAULT_WORK})")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the results (default benchmarks/results)")  # fmt: skip
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.n = args.n or [1000]
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return
    archive = args.data / ARCHIVE
    if not archive.is_file():
        raise SystemExit(f"no VNTC archive at {archive}: give the data folder with --data")
    runs = [bench_n(archive, args.work.resolve(), n, args.queries, args.seed) for n in args.n]
    text = report(runs, args)
    print(text)
    for path in save(text, args.out):
        log(f"saved {path}")


if __name__ == "__main__":
    main()
