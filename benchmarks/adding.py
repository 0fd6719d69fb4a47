"""Adding articles as JSON Lines (``vnsearch add``) against indexing them from files (``vnsearch index``).

    python benchmarks/adding.py              # 5,000 VNTC articles; saves the table
    python benchmarks/adding.py --n 200      # a smoke run; nothing saved

From N VNTC articles (speed.py's seeded draw) this indexes the same articles
as users would, each command a separate process, timed end to end, its peak
memory read from the kernel:

* ``vnsearch index --jobs 1`` from the ``.txt`` files: the baseline, run
  first and again last (the machine is shared: the mean of the two is the
  baseline, both are shown);
* ``vnsearch index --jobs 2`` (a first build uses one process per core);
* ``vnsearch export`` of that index to a JSON Lines file, then ``vnsearch
  add`` of the file into a new index, and ``add`` of it again (every line
  unchanged: what re-running an import costs);
* ``vnsearch add`` into the files' index of every article with a changed
  body (an upsert of each).

Both paths analyse the same text, so they should index at about the same
rate; ``add`` runs in one process, so ``index --jobs 2`` is the rate it
leaves on the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from speed import add_folder_options, prepare_corpus, save_latest  # noqa: E402


def log(message: str) -> None:
    print(f"[adding {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Run:
    label: str
    seconds: float
    peak_mb: float
    output: str


def vnsearch(*args: str | Path, stdout=None) -> Run:
    """Run one ``vnsearch`` command to its end (its output to ``stdout``, a file): its time and peak memory."""
    command = [sys.executable, "-m", "vnsearch.cli", *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=stdout or out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed: {err.read().decode()[-2000:]}")
        return Run(str(args[0]), seconds, usage.ru_maxrss / 1024, out.read().decode())


def timed(label: str, *args: str | Path) -> Run:
    log(f"{label}…")
    run = vnsearch(*args)
    run.label = label
    log(f"{label}: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB")
    return run


def bench(seeds: Path, work: Path) -> tuple[list[Run], int]:
    """Every run, in the order it ran, and the number of articles."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    runs = [timed("index --jobs 1 (first)", "index", "--seeds", seeds, "--index", work / "files-1", "--jobs", "1")]
    runs.append(timed("index --jobs 2", "index", "--seeds", seeds, "--index", work / "files-2", "--jobs", "2"))
    export = work / "all.jsonl"
    log("export…")
    with export.open("wb") as out:
        runs.append(vnsearch("export", "--index", work / "files-1", stdout=out))
    runs[-1].label = "export (to JSON Lines)"
    articles = sum(1 for _ in export.open("rb"))
    runs.append(timed("add (a new index)", "add", export, "--index", work / "added"))
    runs.append(timed("add again (all unchanged)", "add", export, "--index", work / "added"))
    changed = work / "changed.jsonl"
    with export.open(encoding="utf-8") as lines, changed.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            out.write(json.dumps({**record, "body": record["body"] + "\n\nCập nhật."}, ensure_ascii=False) + "\n")
    shutil.copytree(work / "added", work / "upserted")
    runs.append(timed("add of every article changed (upserts)", "add", changed, "--index", work / "upserted"))
    runs.append(timed("index --jobs 1 (last)", "index", "--seeds", seeds, "--index", work / "files-1b", "--jobs", "1"))
    return runs, articles


def report(runs: list[Run], articles: int, n: int) -> str:
    first, last = runs[0].seconds, runs[-1].seconds
    baseline = (first + last) / 2
    lines = [
        f"# `vnsearch add` against `vnsearch index`: {articles:,} VNTC articles",
        "",
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"`python benchmarks/adding.py --n {n}`. Each row is one `vnsearch` process, end to end; "
        f"the baseline is the mean of `index --jobs 1` run first and last ({first:.1f} s and {last:.1f} s).",
        "",
        "| run | seconds | articles/s | ÷ index --jobs 1 | peak MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        rate = articles / run.seconds
        lines.append(f"| {run.label} | {run.seconds:.1f} | {rate:,.0f} | {baseline / run.seconds:.2f} | {run.peak_mb:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="number of VNTC articles (default 5,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the article sample (default 0)")
    add_folder_options(parser)
    args = parser.parse_args(argv)
    corpus = prepare_corpus(args.data, args.work, args.n, args.seed)
    runs, articles = bench(corpus.seeds, args.work / f"adding-{args.n}")
    text = report(runs, articles, args.n)
    print(text)
    if args.n >= 5000:
        log(f"saved {save_latest(args.out, 'adding', text)}")


if __name__ == "__main__":
    main()
