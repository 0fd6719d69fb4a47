"""Speed and scale of vnsearch, side by side with SQLite FTS5, plain Whoosh and pyvi.

    python benchmarks/speed.py --n 1000 --n 10000 --n 50000
    python benchmarks/speed.py --n 10000 --n 50000 --n max   # issue 13's three sizes

For each N, N articles of the VNTC test set are extracted (unchanged, UTF-16
with BOM) into a seeds folder under the work folder.  VNTC has 50,373; one is
held back for the incremental add, so an N up to 50,372 is VNTC alone, the
same articles and queries for the same seed as ever.  A larger N takes all
those 50,372 and then baomoi's short items (UTF-8, a title and a lead line,
``seeds/baomoi/<category>/<id>.txt``), a seeded shuffle of them taken as a
prefix, so each corpus is part of a larger N's; ``--n max`` is every article
of both (177,031).  Every system -- vnsearch, SQLite FTS5, Whoosh with its
StandardAnalyzer, and pyvi's word segmentation alone -- is measured on the
same articles and the same queries:

* index build: wall time, articles/s, MB/s of text, peak RSS, size on disk;
* queries: a seeded set of one- to four-word queries taken from the articles,
  half with their diacritics and half without, 10 hits with snippets each:
  latency p50 / p95 / max and the mean number of hits;
* adding one new article to the N-article index (incremental);
* a cold search in a new process (for vnsearch, the ``vnsearch search`` command).

pyvi alone (~12 ms an article, single-core) segments at most ``--pyvi-sample``
articles (10,000 by default), a seeded random sample of the N, so that it keeps
the mix of sources; its rates are that sample's own.  With two N or more, the
report adds the growth exponent k (time ∝ N^k) fitted for each system.

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
import functools
import importlib
import json
import math
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from peers import PEERS, Doc, iter_docs, load_docs, pyvi_alone  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ARCHIVE = Path("vntc") / "VNTC_Test_Full.tar.gz"
BAOMOI_ARCHIVE = Path("baomoi") / "TC201805_corpus.tar.gz"
#: The folder of the seeds that baomoi's items go to, as ``baomoi/<category>/<id>.txt``.
BAOMOI_FOLDER = "baomoi"
#: The most articles pyvi alone segments in one build, by default.
PYVI_SAMPLE = 10_000
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
    sample: int = 0  # the most articles a sampled system (pyvi alone) takes; 0: all
    seed: int = 0  # the seed of that sample

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

    def sample_of(self, files: list[Path]) -> list[Path]:
        """At most :attr:`sample` of ``files``, a seeded random choice kept in their order.

        Random rather than a prefix: the files are sorted by folder, so a prefix
        would be a few topics (and, with baomoi's items, VNTC's alone).
        """
        if not self.sample or len(files) <= self.sample:
            return files
        rng = random.Random(f"vnsearch-speed-sample-{self.seed}")
        kept = set(rng.sample(range(len(files)), self.sample))
        return [path for i, path in enumerate(files) if i in kept]

    def sources(self, files: list[Path]) -> Counter:
        """How many of ``files`` (under the seeds) come from each archive."""
        return Counter(source_of(path.relative_to(self.seeds).as_posix()) for path in files)

    def to_json(self) -> dict:
        return {"root": str(self.root), "extra": self.extra, "sample": self.sample, "seed": self.seed}

    @classmethod
    def from_json(cls, data: dict) -> "Corpus":
        return cls(Path(data["root"]), data["extra"], data.get("sample", 0), data.get("seed", 0))


@functools.cache  # each archive is listed once a run, however many N
def archive_members(archive: Path) -> list[str]:
    """The names of the article files in the archive, sorted (shared: do not modify)."""
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
    order = shuffled(members, seed)
    return order[:n], order[n]


def shuffled(members: list[str], seed: int) -> list[str]:
    """The members in a seeded random order."""
    order = list(members)
    random.Random(seed).shuffle(order)
    return order


def max_n(vntc: int, baomoi: int) -> int:
    """The largest N: every article of both archives but the VNTC one held back."""
    return vntc - 1 + baomoi


def choose_mixed(
    vntc: list[str], baomoi: list[str], n: int, seed: int
) -> tuple[list[str], list[str], str]:
    """VNTC's N articles, baomoi's, and VNTC's held-back one: the same for the same seed.

    While VNTC suffices (N < ``len(vntc)``) this is :func:`choose` on VNTC and
    no baomoi item.  Beyond, it takes all of VNTC's but the same held-back
    article (the one that N = ``len(vntc) - 1`` holds back) and the first
    ``N - len(vntc) + 1`` items of a seeded shuffle of baomoi's: a smaller N's
    corpus is part of a larger N's, across the boundary too.
    """
    largest = max_n(len(vntc), len(baomoi))
    if not 1 <= n <= largest:
        raise SystemExit(
            f"--n must be between 1 and {largest:,} (max): VNTC has {len(vntc):,} articles, "
            f"one held back for the add, and baomoi {len(baomoi):,} items"
        )
    if n < len(vntc):
        chosen, extra = choose(vntc, n, seed)
        return chosen, [], extra
    chosen, extra = choose(vntc, len(vntc) - 1, seed)
    return chosen, shuffled(baomoi, seed)[: n - len(chosen)], extra


def seed_path(member: str) -> str:
    """``Test_Full/<topic>/<name>.txt`` -> ``<topic>/<name>.txt``."""
    return member.split("/", 1)[1]


def baomoi_seed_path(member: str) -> str:
    """``corpus/<category>/<id>.txt`` -> ``baomoi/<category>/<id>.txt``."""
    return f"{BAOMOI_FOLDER}/{seed_path(member)}"


def source_of(seed: str) -> str:
    """The archive a seed path under the seeds comes from: ``"VNTC"`` or ``"baomoi"``."""
    return "baomoi" if seed.split("/", 1)[0] == BAOMOI_FOLDER else "VNTC"


def extract(archive: Path, targets: dict[str, Path]) -> None:
    """Write the bytes of the archive members named in ``targets`` to their paths."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:  # archive order: the gzip stream is only read forward
            target = targets.get(member.name)
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())


def prepare_corpus(data: Path, work: Path, n: int | str, seed: int, sample: int = 0) -> Corpus:
    """Extract the N articles into ``<work>/vntc-N/seeds``, reusing an earlier extraction.

    An N beyond VNTC (see :func:`choose_mixed`) goes to ``<work>/vntc-baomoi-N``;
    ``n`` may be ``"max"``.  ``sample``: see :attr:`Corpus.sample`.
    """
    archive, baomoi_archive = data / ARCHIVE, data / BAOMOI_ARCHIVE
    vntc, baomoi = archive_members(archive), []
    if n == "max" or n >= len(vntc):  # baomoi's archive is read only when needed
        if not baomoi_archive.is_file():
            raise SystemExit(f"N beyond {len(vntc) - 1:,} takes baomoi's items: no {baomoi_archive}")
        baomoi = archive_members(baomoi_archive)
    if n == "max":
        n = max_n(len(vntc), len(baomoi))
    chosen, items, extra = choose_mixed(vntc, baomoi, n, seed)
    root = work / (f"vntc-baomoi-{n}" if items else f"vntc-{n}")
    corpus = Corpus(root, seed_path(extra), sample, seed)
    selection = {"archive": str(archive), "seed": seed, "members": chosen, "extra": extra}
    if items:  # VNTC alone keeps the marker it always had
        selection |= {"baomoi_archive": str(baomoi_archive), "baomoi_members": items}
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
    if items:
        extract(baomoi_archive, {m: corpus.seeds / baomoi_seed_path(m) for m in items})
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
Build = Callable[[], dict]  # builds, returns {"docs": articles read, ...}
SearchFn = Callable[[str], int]  # runs one query, returns the number of hits


class Vnsearch:
    """vnsearch through its public API (build, search, add) and its command (cold)."""

    key = label = short = "vnsearch"
    phases = ("build", "queries", "add")
    modules = ("vnsearch.searching",)  # `import vnsearch` alone loads nothing

    def build(self, corpus: Corpus) -> Build:
        from vnsearch import update_index

        def run() -> dict:
            index, progress = corpus.index(self.key), _progress(self.key)
            report = update_index(corpus.seeds, index, progress=progress)
            return {"docs": len(report.added)}

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

        corpus.extra_seed.parent.mkdir(parents=True, exist_ok=True)  # its topic may have no other
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

    def build(self, corpus: Corpus) -> Build:
        """Reading the files counts in the build time, as it does for vnsearch."""

        def run() -> dict:
            docs = _Counted(iter_docs(corpus.seed_files(), corpus.seeds))
            peer = self.peer_class(corpus.index(self.key))
            peer.build(docs)
            peer.close()
            return {"docs": docs.count}

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
    """pyvi's segmentation of the same text, nothing indexed: builds only.

    Of at most :attr:`Corpus.sample` articles (:meth:`Corpus.sample_of`): the
    result says how many and how much text, and whether they were a sample.
    """

    key, label, short = "pyvi", "pyvi alone", "pyvi"
    phases = ("build",)
    cold_argv = None

    def build(self, corpus: Corpus) -> Build:
        def run() -> dict:
            files = corpus.seed_files()
            sample = corpus.sample_of(files)
            docs = _Counted(iter_docs(sample, corpus.seeds), text=True)
            pyvi_alone(docs)
            return {"docs": docs.count, "text_bytes": docs.text_bytes, "sampled": len(sample) < len(files)}

        return run


def text_bytes(doc: Doc) -> int:
    """The size of an article's text as the figures count it: title and body, UTF-8."""
    return len((doc.title + doc.body).encode("utf-8"))


class _Counted:
    """An iterable of documents that counts them (and their text, if asked) as they go through."""

    def __init__(self, items, text: bool = False):
        self._items, self._text, self.count, self.text_bytes = items, text, 0, 0

    def __iter__(self):
        for item in self._items:
            self.count += 1
            if self._text:
                self.text_bytes += text_bytes(item)
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
    built = run()
    seconds = time.perf_counter() - start
    size = dir_size(index) if index.exists() else None
    return {"seconds": seconds, **built, "index_bytes": size}


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


def bench_n(data: Path, work: Path, n: int | str, n_queries: int, seed: int, sample: int = 0) -> dict:
    """Every measurement for one corpus size (``n`` may be ``"max"``)."""
    corpus = prepare_corpus(data, work, n, seed, sample)
    files = corpus.seed_files()
    docs = load_docs(files, corpus.seeds)
    queries = make_queries(docs, n_queries, seed)
    corpus.queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    cold = cold_query(queries)
    n = len(files)
    result = {
        "n": n,
        "docs": len(docs),
        "sources": dict(corpus.sources(files)),
        "file_bytes": sum(p.stat().st_size for p in files),
        "text_bytes": sum(map(text_bytes, docs)),
        "queries": len(queries),
        "cold_query": cold,
        "systems": {},
    }
    sampled = corpus.sample_of(files)
    if len(sampled) < n:  # what pyvi alone will segment
        result["sample"] = dict(corpus.sources(sampled))
    del docs  # ~0.5 GB of text at N = 177,031, while the systems run
    try:
        for system in SYSTEMS:
            measured = result["systems"][system.key] = {}
            for phase in system.phases:
                log(f"N={n} {system.label}: {phase}")
                measured[phase] = run_worker(phase, system, corpus)
            if measured["build"]["docs"] != result["docs"] and not measured["build"].get("sampled"):
                built = measured["build"]["docs"]
                log(f"WARNING: {system.label} built from {built} articles, not {result['docs']}")
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


def _built(run: dict, build: dict) -> tuple[int, int]:
    """The articles and bytes of text a build went through: a sample's own, else the corpus's."""
    return (build["docs"], build["text_bytes"]) if build.get("sampled") else (run["docs"], run["text_bytes"])


def _build_rate(per: Callable[[int, int], float]) -> Metric:
    """A build's throughput: ``per(articles, text bytes)`` of what it went through, a second."""

    def metric(run: dict, measured: dict) -> float | None:
        build = measured.get("build")
        return None if build is None else per(*_built(run, build)) / build["seconds"]

    return metric


def _build_seconds(run: dict, measured: dict) -> float | None:
    """A build's wall time; a sample's is scaled to the corpus's text (an estimate: see the notes)."""
    build = measured.get("build")
    if build is None:
        return None
    if not build.get("sampled"):
        return build["seconds"]
    return build["seconds"] * run["text_bytes"] / build["text_bytes"]


def _measured_build_seconds(run: dict, measured: dict) -> float | None:
    """A build's wall time where it went through all N articles, else None."""
    build = measured.get("build", {})
    return None if build.get("sampled") else build.get("seconds")


#: (name, metric), in the order of the table.
METRICS: list[tuple[str, Metric]] = [
    ("build: wall time (s)", _build_seconds),
    ("build: articles/s", _build_rate(lambda docs, text: docs)),
    ("build: MB/s of text", _build_rate(lambda docs, text: text / MB)),
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


def growth_exponent(sizes: Sequence[float], times: Sequence[float | None]) -> float | None:
    """k of time ∝ size^k: the least-squares slope of log(time) on log(size).

    Pairs without a time (None, or not above 0) are left out; None unless two
    different sizes remain.
    """
    points = [(math.log(size), math.log(t)) for size, t in zip(sizes, times) if t is not None and t > 0]
    if len({x for x, _ in points}) < 2:
        return None
    return statistics.linear_regression(*zip(*points)).slope


#: (column, metric, size it is fitted against) of the growth table.
GROWTH: list[tuple[str, Metric, Callable[[dict], float]]] = [
    ("build wall time", _measured_build_seconds, lambda run: run["n"]),
    ("build wall time, against text size", _measured_build_seconds, lambda run: run["text_bytes"]),
    *[(name, dict(METRICS)[f"{name} (ms)"], lambda run: run["n"]) for name in ("query p50", "add 1 article")],
    ("queries: peak RSS", dict(METRICS)["queries: peak RSS (MB)"], lambda run: run["n"]),
]


def growth_table(runs: list[dict]) -> str | None:
    """Each system's fitted growth exponents over the runs; None with fewer than two N."""
    if len({run["n"] for run in runs}) < 2:
        return None
    lines = [
        "fitted growth exponent k (time ∝ N^k, least squares on log–log"
        f" over N = {', '.join(format(run['n'], ',') for run in runs)}):",
        "",
        "| system | " + " | ".join(name for name, _, _ in GROWTH) + " |",
        "|---|" + "---:|" * len(GROWTH),
    ]
    for system in SYSTEMS:
        cells = []
        for _, metric, size in GROWTH:
            measured = [(size(run), metric(run, run["systems"].get(system.key, {}))) for run in runs]
            k = growth_exponent(*zip(*measured))
            cells.append(_fmt(None if k is None else round(k, 2) + 0.0))  # + 0.0: no "-0.00"
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mixed(runs: list[dict]) -> bool:
    """Whether any run took baomoi's items."""
    return any(run["sources"].get("baomoi") for run in runs)


def corpus_table(runs: list[dict]) -> str:
    """One line per N: the articles (from each archive, if baomoi's were used), their size, the queries."""
    mixed = _mixed(runs)
    sources = ["VNTC", "baomoi"] if mixed else []
    files = "files (MB; VNTC UTF-16, baomoi UTF-8)" if mixed else "files (MB, UTF-16)"
    lines = [
        f"| N | articles | {''.join(f'from {s} | ' for s in sources)}{files} | text (MB, UTF-8) "
        "| queries | cold-search query |",
        "|---:|---:|" + "---:|" * len(sources) + "---:|---:|---:|---|",
    ]
    for run in runs:
        counts = "".join(f"{run['sources'].get(s, 0):,} | " for s in sources)
        lines.append(
            f"| {run['n']:,} | {run['docs']:,} | {counts}{run['file_bytes'] / MB:.1f} | "
            f"{run['text_bytes'] / MB:.1f} | {run['queries']} | `{run['cold_query']}` |"
        )
    return "\n".join(lines)


def notes(runs: list[dict], args: argparse.Namespace) -> str:
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
        + _mixed_notes(runs)
        + _sample_notes(runs, args.pyvi_sample)
        + _growth_notes(runs)
    )


def _mixed_notes(runs: list[dict]) -> list[str]:
    """What an N beyond VNTC is made of."""
    if not _mixed(runs):
        return []
    vntc = max(run["sources"].get("VNTC", 0) for run in runs)
    return [
        f"- Beyond {vntc:,} articles the corpus is every VNTC test article but the one held back",
        "  for the add (the same one at every such N), then baomoi's items, a seeded shuffle taken",
        "  as a prefix (each N's articles are part of a larger N's). baomoi's items are a title and",
        "  a lead line, about a tenth of a VNTC article's text: per-article figures (articles/s) rise",
        "  there, per-text ones (MB/s) are the ones to compare across N. Queries are drawn from all",
        "  N articles alike, so most of a mixed N's come from baomoi's items.",
    ]


def _sample_notes(runs: list[dict], size: int) -> list[str]:
    """How pyvi alone's figures were measured where it segmented a sample."""
    sampled = [run for run in runs if "sample" in run]
    if not sampled:
        return []
    mixes = [
        f"  N={run['n']:,}: "
        + " + ".join(f"{count:,} {source}" for source, count in sorted(run["sample"].items()))
        + f" articles, {_fmt(_built(run, run['systems']['pyvi']['build'])[1] / MB)} MB of text;"
        for run in sampled
    ]
    return [
        f"- pyvi alone segmented a seeded random sample of {size:,} of the N articles where N is",
        "  larger (`--pyvi-sample`), not all of them:",
        *mixes,
        "  a random sample, not a prefix, keeps the mix of topics, sources and lengths. Its",
        "  articles/s and MB/s are the sample's own (its articles, its text, its time), so both",
        "  ÷ pyvi ratios compare rates; MB/s is the fairer one, as it does not depend on how long",
        "  the sample's articles happen to be. Its wall time is the sample's scaled to all N",
        "  articles by text size (an estimate), and is left out of the growth fit.",
    ]


def _growth_notes(runs: list[dict]) -> list[str]:
    """How to read the growth exponents."""
    if len({run["n"] for run in runs}) < 2:
        return []
    return [
        "- Growth exponents: k = 1 is linear; query time and RSS have a fixed part (imports,",
        "  model, per-query work) that pulls k down at small N. Against text size: the same build",
        "  times fitted on the text's bytes, which counts baomoi's short items for what they are.",
        "  Blank: fewer than two N measured (pyvi alone: only where it segmented all N articles).",
    ]


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
        f"- data: {args.data / ARCHIVE}" + (f" and {args.data / BAOMOI_ARCHIVE}" if _mixed(runs) else ""),
        "",
    ]
    growth = growth_table(runs)
    body = [corpus_table(runs), "", table(runs), ""] + ([growth, ""] if growth else [])
    return "\n".join(header + body + [notes(runs, args), ""])


def save(text: str, out: Path) -> list[Path]:
    """Write the report as ``speed-<date>.md`` and ``speed-latest.md``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"speed-{dt.date.today().isoformat()}.md", out / "speed-latest.md"]
    for path in paths:
        path.write_text(text, encoding="utf-8")
    return paths


# -- command line ------------------------------------------------------------------


def n_articles(text: str) -> int | str:
    """An ``--n``: a whole number of articles (``10,000`` and ``10_000`` too), or ``max``."""
    if text == "max":
        return text
    try:
        n = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of articles nor 'max': {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("at least 1 article")
    return n


def save_latest(out: Path, name: str, text: str) -> Path:
    """Write a benchmark's report as ``<out>/<name>-latest.md``; its path."""
    path = out / f"{name}-latest.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def add_folder_options(parser: argparse.ArgumentParser, holding: str = ARCHIVE) -> None:
    """The benchmarks' ``--data`` (the shared data, ``holding`` what), ``--work`` and ``--out`` folders."""
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"shared data folder holding {holding} (default {DEFAULT_DATA})")  # fmt: skip
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"folder for the articles and indexes (default {DEFAULT_WORK})")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the results (default benchmarks/results)")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Speed and scale of vnsearch against SQLite FTS5, plain Whoosh and pyvi alone.",
        epilog="Up to N = 50,372 the articles are VNTC's alone; beyond, all of those and then "
        f"baomoi's items ({BAOMOI_ARCHIVE} in the data folder); 'max' is every article of both. "
        "Example, issue 13's sizes: --n 10000 --n 50000 --n max",
    )
    parser.add_argument("--n", type=n_articles, action="append", metavar="N",
                        help="number of articles, or 'max' for all of VNTC and baomoi "
                        "(repeatable; default 1000)")  # fmt: skip
    parser.add_argument("--queries", type=int, default=200, help="number of queries (default 200)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the article and query samples (default 0)")  # fmt: skip
    parser.add_argument("--pyvi-sample", type=int, default=PYVI_SAMPLE, metavar="K",
                        help="pyvi alone segments at most K of the N articles, a seeded random sample; "
                        f"0: all (default {PYVI_SAMPLE:,})")  # fmt: skip
    add_folder_options(parser, f"{ARCHIVE} and, for N beyond VNTC, {BAOMOI_ARCHIVE}")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.n = args.n or [1000]
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    if args.pyvi_sample < 0:
        parser.error("--pyvi-sample must be 0 (all) or more")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return
    archive = args.data / ARCHIVE
    if not archive.is_file():
        raise SystemExit(f"no VNTC archive at {archive}: give the data folder with --data")
    work = args.work.resolve()
    runs = [bench_n(args.data, work, n, args.queries, args.seed, args.pyvi_sample) for n in args.n]
    text = report(runs, args)
    print(text)
    for path in save(text, args.out):
        log(f"saved {path}")


if __name__ == "__main__":
    main()
