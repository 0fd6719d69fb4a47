"""Building the index on a Dask cluster, against the one-machine build.

    python benchmarks/cluster.py               # 10,000 VNTC articles; saves the table
    python benchmarks/cluster.py --limit 200   # a smoke run on 200 articles; nothing saved

From N VNTC articles (speed.py's seeded draw, 10,000 by default) this builds
the same index three ways, one after another, each a full rebuild:

* on this machine: ``update_index(..., rebuild=True, jobs=2)`` (``vnsearch
  index --rebuild --jobs 2``), the baseline, run first and again last (the
  machine is shared: the mean of the two is the baseline, both are shown);
* on a Dask cluster of 1 and of 2 workers (``dask worker --nthreads 1``
  processes, and a ``dask scheduler`` process, all on 127.0.0.1): ``vnsearch
  index --rebuild --cluster ADDRESS``, run by this process (the coordinator).

For the cluster builds it measures the coordinator's own cost apart from the
workers': the time it spends listing the seeds, reading files into
partitions, and adopting the returned segments (writing their bytes); its
CPU time in all (which includes sending tasks and receiving results); and
the bytes sent and received per article.  From those it extrapolates to 10
million articles on 8, 32 and 128 workers, with its assumptions printed
next to the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import platform
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from serve import tree_cpu_seconds  # noqa: E402
from speed import ARCHIVE, add_folder_options, prepare_corpus, save_latest  # noqa: E402

import vnsearch.cluster as vc  # noqa: E402
import vnsearch.indexing as vi  # noqa: E402
from vnsearch import update_index  # noqa: E402

HOST = "127.0.0.1"
#: Seconds the scheduler and workers have to come up, and to stop after SIGTERM.
START_TIMEOUT, STOP_TIMEOUT = 120, 15
TARGET_RATIO, TARGET_COORDINATOR = 1.15, 0.05
#: The extrapolation's archive, workers, and the coordinator's network link (bytes/s).
ARCHIVE_ARTICLES, WORKERS, LINK_BYTES_PER_S = 10_000_000, (8, 32, 128), 125e6


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Build:
    label: str
    workers: int | None  # None: on this machine
    seconds: float = 0.0
    articles: int = 0
    cpu: float = 0.0  # this process's CPU seconds (the coordinator's, for a cluster build)
    parts: dict = field(default_factory=dict)  # coordinator's seconds by part
    sent: int = 0  # bytes of files sent to the workers
    received: int = 0  # bytes of segments received
    partitions: list = field(default_factory=list)  # files per partition
    all_cpu: float = 0.0  # CPU seconds of every process of the build (coordinator, scheduler, workers)
    baseline: float = 0.0  # seconds of the one-machine builds just before and after (their mean)


class Timed:
    """Wraps the coordinator's steps to add up their time in ``build.parts`` and the bytes each way."""

    def __init__(self, build: Build):
        self.build = build
        self.saved = []

    def __enter__(self) -> "Timed":
        build = self.build

        def timed(owner, name, part, count=None):
            original = getattr(owner, name)
            self.saved.append((owner, name, original))

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                began = time.perf_counter()
                try:
                    result = original(*args, **kwargs)
                finally:
                    build.parts[part] = build.parts.get(part, 0.0) + time.perf_counter() - began
                if count:
                    count(args, result)
                return result

            setattr(owner, name, wrapper)

        def sent(args, partition) -> None:
            build.sent += partition.size

        def received(args, _) -> None:
            build.received += args[1].size

        timed(vi, "_seed_paths", "listing")
        timed(vc.AdoptingWriter, "adopt", "adopting", received)
        original_read = vc.read_partitions
        self.saved.append((vc, "read_partitions", original_read))

        def read_partitions(files, sizes):  # a generator: each partition's reading timed alone
            build.partitions = list(sizes)
            parts = original_read(files, sizes)
            while True:
                began = time.perf_counter()
                partition = next(parts, None)
                build.parts["reading"] = build.parts.get("reading", 0.0) + time.perf_counter() - began
                if partition is None:
                    return
                sent(None, partition)
                yield partition

        vc.read_partitions = read_partitions
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self.saved):
            setattr(owner, name, original)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped on leaving the ``with``."""

    def __init__(self, workers: int, logs: Path):
        self.workers, self.logs = workers, logs
        self.address = f"tcp://{HOST}:{free_port()}"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> "Cluster":
        from dask.distributed import Client

        port = self.address.rsplit(":", 1)[1]
        self._start("scheduler", [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", HOST,
                                  "--port", port, "--no-dashboard"])  # fmt: skip
        self._start("workers", [sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                                "--nworkers", str(self.workers), "--nthreads", "1", "--no-dashboard",
                                "--memory-limit", "0"])  # fmt: skip
        try:
            with Client(self.address, timeout=f"{START_TIMEOUT}s") as client:
                client.wait_for_workers(self.workers, timeout=START_TIMEOUT)
        except BaseException:
            self.__exit__()
            raise
        return self

    def cpu_seconds(self) -> float:
        """CPU time used so far by the scheduler and the workers."""
        return sum(tree_cpu_seconds(process.pid) for process in self.processes)

    def _start(self, name: str, argv: list[str]) -> None:
        with open(self.logs / f"dask-{name}-{self.workers}.log", "wb") as out:
            self.processes.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                                   stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):  # the workers first
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def build(label: str, seeds: Path, index: Path, workers: int | None, cluster: "Cluster | None" = None) -> Build:
    """One rebuild of ``index`` from ``seeds``, timed."""
    result = Build(label, workers)
    log(f"{label}: building")
    cpu, children, began = cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    others = cluster.cpu_seconds() if cluster else 0.0
    if cluster is None:
        report = update_index(seeds, index, rebuild=True, jobs=2)
    else:
        with Timed(result):
            report = update_index(seeds, index, rebuild=True, cluster=cluster.address)
    result.seconds, result.cpu = time.perf_counter() - began, cpu_seconds() - cpu
    if cluster:  # the scheduler's and the workers'
        result.all_cpu = result.cpu + cluster.cpu_seconds() - others
    else:  # the writing processes', ended by now
        result.all_cpu = result.cpu + cpu_seconds(resource.RUSAGE_CHILDREN) - children
    result.articles = len(report.added)
    log(f"  {result.articles:,} articles in {result.seconds:,.1f} s")
    return result


def report(rows: list[Build], args, n: int) -> str:
    for i, row in enumerate(rows):  # a cluster build between two one-machine builds: their mean
        around = [other.seconds for other in rows[max(0, i - 1) : i + 2] if other.workers is None]
        row.baseline = sum(around) / len(around)
    lines = [
        f"# vnsearch on a Dask cluster: {n:,} VNTC articles",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}; load average {args.load[0]:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end",
        f"- command: `python {shlex.join(['benchmarks/cluster.py', *sys.argv[1:]])}`",
        "- partitions (`cluster.partition_sizes`: what is left ÷ (worker threads × "
        f"{vc.GUIDED}), {vc.MIN_PARTITION_FILES:,} to {vc.MAX_PARTITION_FILES:,} files): "
        + "; ".join([f"{row.label}: {len(row.partitions)}, of {row.partitions[0]:,} to {row.partitions[-1]:,} files"
                     for row in rows if row.partitions][:2])  # fmt: skip
        + f"; {vc.IN_FLIGHT_PER_THREAD} partitions in flight per worker thread",
        "",
        "| build | workers | s | articles/s | ÷ one machine around it | CPU s, all processes | coordinator CPU s "
        "| coordinator share | listing s | reading s | adopting s | sent bytes/article | received bytes/article |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cluster = row.workers is not None
        cells = [
            row.label, str(row.workers or ""), f"{row.seconds:.1f}", f"{row.articles / row.seconds:,.0f}",
            f"{row.seconds / row.baseline:.2f}" if cluster else "", f"{row.all_cpu:.1f}",
            f"{row.cpu:.2f}" if cluster else "", f"{row.cpu / row.seconds:.1%}" if cluster else "",
            *(f"{row.parts.get(part, 0.0):.2f}" if cluster else "" for part in ("listing", "reading", "adopting")),
            f"{row.sent / row.articles:,.0f}" if cluster else "", f"{row.received / row.articles:,.0f}" if cluster else "",
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    two = [row for row in rows if row.workers == 2]
    lines.append("")
    if two:
        ratio = sum(row.seconds / row.baseline for row in two) / len(two)
        share = max(row.cpu / row.seconds for row in two)
        lines += [
            f"- {'✓' if ratio <= TARGET_RATIO else '✗'} 2 workers within {TARGET_RATIO - 1:.0%} of the one-machine "
            f"--jobs 2 build (the mean of its {len(two)} runs, each ÷ the one-machine builds either side): {ratio:.2f}×",
            f"- {'✓' if share <= TARGET_COORDINATOR else '✗'} coordinator cost under {TARGET_COORDINATOR:.0%} of the "
            f"total: {share:.1%} (its CPU time ÷ the build's wall time)",
        ]
    lines += ["", *extrapolation(rows)]
    return "\n".join(lines) + "\n"


def extrapolation(rows: list[Build]) -> list[str]:
    """10 million articles on 8, 32 and 128 workers, from the 1-worker rate and the coordinator's cost per article."""
    one = next((row for row in rows if row.workers == 1), None)
    two = next((row for row in rows if row.workers == 2), None)
    if one is None or two is None:
        return []
    rate = one.articles / one.seconds  # one worker's articles/s (its fixed costs included)
    coordinator = two.cpu / two.articles  # the coordinator's CPU s per article
    sent = (two.sent + two.received) / two.articles
    limit = min(1 / coordinator, LINK_BYTES_PER_S / sent)  # articles/s the coordinator can take at most
    lines = [
        f"## Extrapolated to {ARCHIVE_ARTICLES:,} articles",
        "",
        "| workers | workers' articles/s | coordinator's limit, articles/s | predicted articles/s | predicted hours | limited by |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for w in WORKERS:
        workers = w * rate
        predicted = min(workers, limit)
        lines.append(f"| {w} | {workers:,.0f} | {limit:,.0f} | {predicted:,.0f} | {ARCHIVE_ARTICLES / predicted / 3600:.1f} "
                     f"| {'the workers' if workers < limit else 'the coordinator'} |")  # fmt: skip
    lines += [
        "",
        f"- assumptions: each worker (one core, one thread) indexes {rate:,.0f} articles/s, as the 1-worker build "
        "here did, whatever the number of workers (the scheduler's per-task cost, a few ms for a task of "
        f"thousands of files, is left out); the coordinator spends {coordinator * 1e3:.2f} ms of CPU per "
        f"article (the 2-worker build's), on one core; it moves {sent:,.0f} bytes per article (files out, segments "
        f"back) over a {LINK_BYTES_PER_S * 8 / 1e9:.0f} Gbit/s link; the coordinator's limit is the lower of "
        f"1 ÷ its CPU per article ({1 / coordinator:,.0f}/s) and the link ÷ bytes per article "
        f"({LINK_BYTES_PER_S / sent:,.0f}/s); the articles are like VNTC's (~{two.sent / two.articles / 1e3:.1f} kB).",
        "- the adopted segments are not merged: an index built by W workers has one segment per partition ("
        + ", ".join(f"{len(vc.partition_sizes(ARCHIVE_ARTICLES, w)):,} on {w}" for w in WORKERS)
        + " workers), which a search reads one after another; that cost is not in this table.",
    ]
    return lines


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="VNTC articles, speed.py's seeded draw (default 10,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw (default 0)")
    parser.add_argument("--limit", type=int, metavar="N", help="a smoke run: N articles at most; nothing saved")
    add_folder_options(parser)
    args = parser.parse_args(argv)
    if args.n < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--n and --limit must be at least 1")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    args.load = os.getloadavg()
    smoke = args.limit is not None
    n = min(args.n, args.limit) if smoke else args.n
    if not (args.data / ARCHIVE).is_file():
        raise SystemExit(f"no VNTC archive at {args.data / ARCHIVE}: give the data folder with --data")
    corpus = prepare_corpus(args.data, args.work.resolve(), n, args.seed)
    root = corpus.root.parent / f"cluster-{n}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if smoke:  # partitions small enough that a few hundred articles still spread over the workers
        vc.MIN_PARTITION_FILES = 1
    index = root / "index"
    rows = []
    for turn, workers in enumerate((2, 1, 2)):  # alternating, as the machine's speed drifts
        rows.append(build("one machine, --jobs 2", corpus.seeds, index, None))
        with Cluster(workers, root) as cluster:
            rows.append(build(f"cluster, {workers} worker{'s' * (workers > 1)}", corpus.seeds, index, workers, cluster))
    rows.append(build("one machine, --jobs 2", corpus.seeds, index, None))
    text = report(rows, args, n)
    print(text)
    if not smoke:
        log(f"saved {save_latest(args.out, 'cluster', text)}")


if __name__ == "__main__":
    main()
