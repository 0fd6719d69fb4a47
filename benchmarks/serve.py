"""`vnsearch serve` under load: a bounded load test on localhost, which stops by itself.

    python benchmarks/serve.py                 # 10,000 VNTC articles, 30 s a row; saves the table
    python benchmarks/serve.py --reuse         # the same, keeping the index built before
    python benchmarks/serve.py --limit 200     # a smoke run: 200 articles, 2 s a row; nothing saved

From N VNTC articles (speed.py's seeded draw: ``prepare_corpus``, 10,000 by
default) and speed.py's seeded queries (``make_queries``: 200 runs of one to
four words, half typed without diacritics, the same as speed.py's for the same
N and seed), this measures, with the same queries and ten hits each:

* the in-process baseline: one :class:`vnsearch.Searcher`, warmed, searching
  the queries one after another (queries/s and latency), in slices of
  ``--seconds``: one before the first served row and one after each, so that
  each row is compared with the machine's speed at its time (:class:`Baseline`);
* ``python -m vnsearch serve --workers W`` started on a free localhost port,
  for W = 1 and 2, each under C = 8 and 32 concurrent clients for ``--seconds``
  (30 by default): every client a thread with its own keep-alive
  connection (:class:`Connection`), cycling through the queries as
  ``GET /api/search?q=…&limit=10``; requests/s, latency p50/p95/p99 as the
  client sees it, errors (any status but 200, or an exception) and the ratio
  to the in-process queries/s around it; the CPU the clients (this process) and the
  server (its process tree) used, in cores;
* the same under ``vnsearch index --rebuild`` (W = 2, 8 clients): the server
  serves a copy of the index, which a ``vnsearch index --rebuild`` rebuilds
  from the same articles meanwhile; the load runs until the rebuild is over and
  a few seconds more. Reports the errors and whether the server then answers
  from the new generation (``/api/stats``'s ``updated``).

The server is stopped with SIGINT (SIGKILL after a timeout) whatever happens.
Indexes go to ``<work>/serve-<N>/``: ``vnsearch`` (kept with ``--reuse``) and
``rebuilt`` (a fresh copy each run); the servers' logs next to them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from known_item import VnsearchSystem  # noqa: E402
from peers import load_docs  # noqa: E402
from speed import ARCHIVE, add_folder_options, Corpus, _percentile, make_queries  # noqa: E402
from speed import prepare_corpus, save_latest  # noqa: E402

HOST = "127.0.0.1"
LIMIT = 10  # hits per query
#: Seconds a server has to answer /api/stats after it starts, and to stop after SIGINT.
START_TIMEOUT, STOP_TIMEOUT = 120, 15
#: Seconds the rebuild may take before the run gives up; the load goes on this long after it ends.
REBUILD_TIMEOUT, AFTER_REBUILD = 1800, 5
#: Seconds a row lasts at most in a --limit run.
SMOKE_SECONDS = 2.0
TARGET_RATIO, TARGET_P99_MS = 1.6, 1000


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[serve {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the server --------------------------------------------------------------------


def free_port() -> int:
    """A localhost port nothing listens on (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get_json(port: int, path: str, timeout: float = 10) -> dict:
    """GET ``path`` on the server, on a connection of its own; the JSON body (raises unless 200)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: status {response.status}: {body[:200]!r}")
        return json.loads(body)
    finally:
        conn.close()


class Server:
    """``python -m vnsearch serve`` in a process group of its own, stopped on leaving the ``with``."""

    def __init__(self, index: Path, seeds: Path, workers: int, log_file: Path):
        self.port = free_port()
        self.argv = [sys.executable, "-m", "vnsearch", "serve", "--index", str(index), "--seeds", str(seeds),
                     "--host", HOST, "--port", str(self.port), "--workers", str(workers)]  # fmt: skip
        self.log_file = log_file
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        log(f"starting {shlex.join(self.argv[1:])}")
        with open(self.log_file, "wb") as out:
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip
        try:
            self.stats = self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait(self) -> dict:
        """The first /api/stats answer, once the server gives one."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with status {self.process.returncode}:\n{self.tail()}")
            try:
                return get_json(self.port, "/api/stats", timeout=5)
            except (OSError, http.client.HTTPException, RuntimeError, ValueError):
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer /api/stats in {START_TIMEOUT} s:\n{self.tail()}")
                time.sleep(0.2)

    def tail(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")[-3000:]

    def stop(self) -> None:
        """SIGINT, as Ctrl-C would; SIGKILL to the whole group if it has not ended in time."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log(f"the server did not stop in {STOP_TIMEOUT} s after SIGINT: SIGKILL")
        try:  # its worker processes too, should any be left
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and every process under it."""
        return tree_cpu_seconds(self.process.pid)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU time of process ``root`` and its descendants alive now (Linux /proc), in s."""
    parents, times = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "
        pid = int(entry.name)
        parents[pid], times[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (the clients), in s."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the clients -------------------------------------------------------------------


@dataclass
class Load:
    """What the clients saw: each request's latency, the errors, the time and CPU it took."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)  # "status 503", "ConnectionResetError", ...
    error_times: list[float] = field(default_factory=list)  # monotonic time of each error
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of this process
    server_cpu: float = 0.0  # CPU seconds of the server's processes

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def errors_total(self) -> int:
        return sum(self.errors.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def search_paths(queries: list[str]) -> list[str]:
    """The API requests of the queries, ten hits each."""
    return [f"/api/search?{urllib.parse.urlencode({'q': q, 'limit': LIMIT})}" for q in queries]


class Connection:
    """One keep-alive HTTP/1.1 connection on a plain socket: a load generator's needs and no more.

    ``http.client`` parses each response's headers with the email package: its
    clients took a tenth of a core, which the server, on the same two cores,
    then lacked.  This one only reads the status and ``Content-Length``.
    """

    def __init__(self, port: int):
        self.port, self.sock, self.buffer = port, None, b""

    def request(self, path: str) -> bytes:
        """The bytes of a GET of ``path``."""
        return f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n\r\n".encode()

    def get(self, request: bytes) -> int:
        """Send ``request`` (see :meth:`request`); the status of the response, once all of it is read."""
        if self.sock is None:
            self.sock, self.buffer = socket.create_connection((HOST, self.port), timeout=30), b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:[ \t]*(\d+)", head)
        if length is None:
            raise http.client.HTTPException("a response without Content-Length")
        while len(self.buffer) < int(length[1]):
            self._read()
        self.buffer = self.buffer[int(length[1]) :]
        if re.search(rb"(?im)^connection:[ \t]*close", head):
            self.close()
        return int(head.split(b" ", 2)[1])

    def _read(self) -> None:
        data = self.sock.recv(1 << 16)
        if not data:
            raise http.client.RemoteDisconnected("the server closed the connection")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


def run_load(server: Server, paths: list[str], clients: int, stop: threading.Event) -> Load:
    """``clients`` threads requesting ``paths`` in turn (each its own keep-alive connection) until ``stop`` is set."""
    load, lock = Load(), threading.Lock()
    turn = iter(range(10**12))  # next() on a range iterator is atomic under the GIL
    requests = [Connection(server.port).request(path) for path in paths]

    def client() -> None:
        latencies, errors, error_times = [], Counter(), []
        conn = Connection(server.port)
        while not stop.is_set():
            request = requests[next(turn) % len(requests)]
            start = time.perf_counter()
            try:
                status = conn.get(request)
                ok = status == 200
                if not ok:
                    errors[f"status {status}"] += 1
            except (OSError, ValueError, http.client.HTTPException) as exc:  # ValueError: not HTTP
                ok = False
                errors[type(exc).__name__] += 1
                conn.close()
            latencies.append((time.perf_counter() - start) * 1000)
            if not ok:
                error_times.append(time.monotonic())
        conn.close()
        with lock:
            load.latencies_ms += latencies
            load.errors += errors
            load.error_times += error_times

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    cpu, server_cpu, start = own_cpu_seconds(), server.cpu_seconds(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - start
    load.client_cpu, load.server_cpu = own_cpu_seconds() - cpu, server.cpu_seconds() - server_cpu
    return load


def timed_load(server: Server, paths: list[str], clients: int, seconds: float) -> Load:
    """``clients`` clients for ``seconds``."""
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    try:
        return run_load(server, paths, clients, stop)
    finally:
        timer.cancel()
        stop.set()


def warm(server: Server, paths: list[str]) -> None:
    """Every query once, four at a time, untimed: each worker process opens and warms its index."""
    done = iter(range(len(paths)))
    failed = Counter()

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
        try:
            for i in done:
                conn.request("GET", paths[i])
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed[response.status] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        log(f"warming: statuses {dict(failed)}")


# -- the rows ----------------------------------------------------------------------


@dataclass
class Row:
    label: str
    workers: int | None  # None: the in-process Searcher
    clients: int
    load: Load
    baseline: float = 0.0  # the in-process searcher's queries/s around this row (see Baseline)
    note: str = ""
    ok: bool = True  # the rebuild: it succeeded and the server then answered from the new generation

    @property
    def ratio(self) -> float:
        return self.load.per_second / self.baseline


def in_process(searcher, queries: list[str], seconds: float) -> Load:
    """One Searcher, warmed by a pass over the queries, then searching them in turn for about ``seconds`` (whole passes)."""
    for query in queries:
        searcher.search(query, limit=LIMIT)
    load, cpu, start = Load(), own_cpu_seconds(), time.perf_counter()
    while not load.latencies_ms or time.perf_counter() - start < seconds:
        for query in queries:
            began = time.perf_counter()
            searcher.search(query, limit=LIMIT)
            load.latencies_ms.append((time.perf_counter() - began) * 1000)
    load.seconds, load.client_cpu = time.perf_counter() - start, own_cpu_seconds() - cpu
    return load


class Baseline:
    """The in-process searcher, measured in slices: one before the first served row, then one after each.

    The machine's speed drifts (it is shared), so each served row is compared
    with the slices just before and after it, not with one measured minutes
    earlier.  A server waiting between rows uses no CPU.
    """

    def __init__(self, searcher, queries: list[str], seconds: float):
        self.searcher, self.queries, self.seconds = searcher, queries, seconds
        self.slices: list[Load] = []

    def measure(self) -> float:
        """A slice's queries/s."""
        self.slices.append(in_process(self.searcher, self.queries, self.seconds))
        log(f"in-process: {self.slices[-1].per_second:,.1f} queries/s")
        return self.slices[-1].per_second

    def around(self, measure_row) -> Row:
        """The row ``measure_row()`` gives, its baseline the mean of the slices before and after it."""
        before = self.slices[-1].per_second if self.slices else self.measure()
        row = measure_row()
        row.baseline = (before + self.measure()) / 2
        return row

    def row(self) -> Row:
        """All the slices as one row, its baseline their mean."""
        load = Load(seconds=sum(s.seconds for s in self.slices), client_cpu=sum(s.client_cpu for s in self.slices))
        for piece in self.slices:
            load.latencies_ms += piece.latencies_ms
        return Row("in-process `Searcher`, sequential", None, 1, load, baseline=load.per_second)


def serve_rows(index: Path, corpus: Corpus, paths: list[str], workers: list[int], clients: list[int],
               seconds: float, logs: Path, baseline: Baseline) -> list[Row]:  # fmt: skip
    """Each server's rows: under each number of clients for ``seconds``, between in-process slices."""
    rows = []
    for w in workers:
        with Server(index, corpus.seeds, w, logs / f"server-workers-{w}.log") as server:
            warm(server, paths)
            for c in clients:

                def measure(w=w, c=c, server=server) -> Row:
                    log(f"--workers {w}: {c} clients for {seconds:g} s")
                    load = timed_load(server, paths, c, seconds)
                    log(f"  {load.per_second:,.1f} requests/s, {load.errors_total} errors")
                    return Row(f"serve --workers {w}", w, c, load)

                rows.append(baseline.around(measure))
    return rows


def rebuild_row(index: Path, corpus: Corpus, paths: list[str], root: Path, after: float, clients: int = 8,
                workers: int = 2) -> Row:  # fmt: skip
    """The load on a server whose index (a copy) ``vnsearch index --rebuild`` rebuilds meanwhile."""
    copy = root / "rebuilt"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    argv = [sys.executable, "-m", "vnsearch", "index", "--rebuild", "--index", str(copy), "--seeds", str(corpus.seeds)]
    with Server(copy, corpus.seeds, workers, root / "server-rebuild.log") as server:
        warm(server, paths)
        before = server.stats["updated"]
        stop = threading.Event()
        seen: list[tuple[float, str | None]] = []  # (monotonic time, /api/stats updated) polled during the load
        stats_errors = Counter()

        def poll() -> None:
            while not stop.wait(0.5):
                try:
                    seen.append((time.monotonic(), get_json(server.port, "/api/stats")["updated"]))
                except Exception as exc:  # noqa: BLE001 (reported)
                    stats_errors[type(exc).__name__] += 1

        result: dict = {}

        def rebuild() -> None:
            stop.wait(min(2.0, after))  # the load first
            if stop.is_set():
                return
            log(f"running {shlex.join(argv[1:])} under {clients} clients")
            began = time.monotonic()
            with open(root / "rebuild.log", "wb") as out:
                process = result["process"] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                                               stderr=subprocess.STDOUT)  # fmt: skip
                try:
                    result["status"] = process.wait(REBUILD_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    result["status"] = f"killed after {REBUILD_TIMEOUT} s"
                    process.wait()
            result["ended"] = time.monotonic()
            result["seconds"] = result["ended"] - began
            log(f"rebuild ended ({result['status']}) in {result['seconds']:,.1f} s; load for {after:g} s more")
            stop.wait(after)
            stop.set()

        helpers = [threading.Thread(target=poll, daemon=True), threading.Thread(target=rebuild, daemon=True)]
        for thread in helpers:
            thread.start()
        try:
            load = run_load(server, paths, clients, stop)
        finally:
            stop.set()
            if result.get("process") and result["process"].poll() is None:  # the load failed: no rebuild left behind
                result["process"].kill()
            for thread in helpers:
                thread.join()
        after_stats = [get_json(server.port, "/api/stats")["updated"] for _ in range(10)]
    ended = result.get("ended", float("inf"))
    errors_after = sum(t >= ended for t in load.error_times)
    fresh = all(u != before for u in after_stats)
    switched = next((t - ended for t, u in seen if u != before), None)
    note = (f"rebuild of the copy: exit status {result.get('status')}, {result.get('seconds', 0):,.1f} s; "
            f"/api/stats `updated` {before} → {after_stats[-1]}: "
            + ("every one of 10 answers after the load from the new generation" if fresh
               else f"{sum(u == before for u in after_stats)} of 10 answers after the load still from the old one")
            + (f"; first seen changed {switched:+.1f} s from the rebuild's end" if switched is not None else "")
            + f"; errors after the rebuild ended: {errors_after}"
            + (f"; /api/stats polls failed: {dict(stats_errors)}" if stats_errors else ""))  # fmt: skip
    log(note)
    ok = result.get("status") == 0 and fresh and not stats_errors
    return Row(f"serve --workers {workers} during `index --rebuild`", workers, clients, load, note=note, ok=ok)


# -- the report --------------------------------------------------------------------


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| run | clients | s | requests | requests/s | in-process queries/s around it | ÷ in-process | p50 ms "
        "| p95 ms | p99 ms | errors | client CPU (cores) | server CPU (cores) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        load, lat = row.load, row.load.latencies_ms
        server = "" if row.workers is None else f"{load.server_cpu / load.seconds:.2f}"
        lines.append(
            f"| {row.label} | {row.clients} | {load.seconds:.1f} | {load.requests:,} | {load.per_second:,.1f} "
            f"| {row.baseline:,.1f} | {row.ratio:.2f} | {statistics.median(lat):.1f} | {_percentile(lat, 95):.1f} "
            f"| {_percentile(lat, 99):.1f} | {load.errors_total} | {load.client_cpu / load.seconds:.2f} | {server} |"
        )
    return lines


def targets(rows: list[Row]) -> list[str]:
    """The issue's targets, each met or not."""
    served = [row for row in rows if row.workers is not None]
    errors = sum(row.load.errors_total for row in served)
    two = [row for row in served if row.workers == 2 and not row.note]
    at_32 = [row for row in served if row.clients == 32 and not row.note]
    rebuild = [row for row in served if row.note]
    checks = [(f"0 errors: {errors}", errors == 0)]
    if two:
        best = max(row.ratio for row in two)
        checks.append((f"--workers 2 ≥ {TARGET_RATIO}× the in-process searcher: {best:.2f}×", best >= TARGET_RATIO))
    if at_32:
        worst = max(_percentile(row.load.latencies_ms, 99) for row in at_32)
        checks.append((f"p99 ≤ {TARGET_P99_MS} ms at 32 clients: {worst:,.0f} ms", worst <= TARGET_P99_MS))
    if rebuild:
        row = rebuild[0]
        checks.append((f"during `index --rebuild`: {row.load.errors_total} errors, then the new generation",
                       row.load.errors_total == 0 and row.ok))  # fmt: skip
    return [f"- {'✓' if ok else '✗'} {text}" for text, ok in checks]


def report(rows: list[Row], slices: list[Load], args: argparse.Namespace, n_docs: int, corpus: Corpus,
           queries: list[str]) -> str:  # fmt: skip
    errors = Counter()
    for row in rows:
        errors += row.load.errors
    lines = [
        f"# vnsearch serve under load: {n_docs:,} VNTC articles, {len(queries)} queries",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- corpus: {n_docs:,} VNTC articles (speed.py's draw, seed {args.seed}: {corpus.seeds}); "
        f"speed.py's {len(queries)} seeded queries (half without diacritics), {LIMIT} hits each",
        f"- command: `python {shlex.join(['benchmarks/serve.py', *sys.argv[1:]])}`",
        "",
        *table(rows),
        "",
        *targets(rows),
        "",
        f"- in-process: one `Searcher` in this process, warmed, searching the queries one after another, in "
        f"{len(slices)} slices of {args.seconds:g} s or so, one before the first served row and one after each "
        "(its row sums them): " + ", ".join(f"{load.per_second:,.1f}" for load in slices) + " queries/s. "
        "÷ in-process: a row's requests/s ÷ the mean of the slices just before and after it, since the machine's "
        "speed drifts.",
        "- serve: `python -m vnsearch serve --workers W` on localhost, warmed by one pass of the queries; "
        "each client a thread with a keep-alive connection (a plain socket, see `Connection`), asking `GET /api/search?q=…&limit=10` "
        "in turn; latency as the client sees it; an error is any status but 200 or a failed request.",
        "- CPU in cores: CPU time ÷ wall time, the clients' (this process, all its threads; on the in-process row, "
        f"the searcher's) and the server's (its process tree); the machine has {os.cpu_count()}, which clients "
        f"and server share, as they share it with anything else running: the 1-minute load average was "
        f"{args.load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
    ]
    if errors:
        lines.append(f"- errors: {dict(errors)}")
    lines += [f"- {row.note}" for row in rows if row.note]
    return "\n".join(lines) + "\n"


# -- command line ------------------------------------------------------------------


#: The options every benchmark of this folder has: flag, type, default, help.
OPTIONS = (
    ("--n", int, 10_000, "VNTC articles in the corpus, speed.py's seeded draw (default 10,000)"),
    ("--queries", int, 200, "speed.py's seeded queries (default 200)"),
    ("--seed", int, 0, "seed of the articles and queries (default 0)"),
    ("--seconds", float, 30.0, "length of each row's load (default 30)"),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag, kind, default, text in OPTIONS:
        parser.add_argument(flag, type=kind, default=default, help=text)
    add_folder_options(parser)
    for flag, text in (("--clients", "concurrent clients (repeatable; default 8 and 32)"),
                       ("--workers", "server processes, `serve --workers` (repeatable; default 1 and 2)")):  # fmt: skip
        parser.add_argument(flag, type=int, action="append", help=text)
    parser.add_argument("--no-rebuild", action="store_true", help="leave out the run during `index --rebuild`")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the index a run built before on the same articles (brought up to date)")
    parser.add_argument("--limit", type=int, metavar="N",
                        help=f"a smoke run: N articles at most, {SMOKE_SECONDS:g} s a row at most; nothing saved")
    args = parser.parse_args(argv)
    args.clients = args.clients or [8, 32]
    args.workers = args.workers or [1, 2]
    if min(args.n, args.queries, *args.clients, *args.workers) < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--n, --queries, --clients, --workers and --limit must be at least 1")
    if args.seconds <= 0:
        parser.error("--seconds must be more than 0")
    return args


def corpus_and_queries(args: argparse.Namespace, n: int) -> tuple[Corpus, int, list[str]]:
    """speed.py's N articles (extracted once), how many it has, and speed.py's queries for them."""
    archive = args.data / ARCHIVE
    if not archive.is_file():
        raise SystemExit(f"no VNTC archive at {archive}: give the data folder with --data")
    corpus = prepare_corpus(args.data, args.work.resolve(), n, args.seed)
    docs = load_docs(corpus.seed_files(), corpus.seeds)
    return corpus, len(docs), make_queries(docs, args.queries, args.seed)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    began, smoke = time.perf_counter(), args.limit is not None
    args.load = os.getloadavg()
    n = min(args.n, args.limit) if smoke else args.n
    seconds = min(args.seconds, SMOKE_SECONDS) if smoke else args.seconds
    corpus, n_docs, queries = corpus_and_queries(args, n)
    root = corpus.root.parent / f"serve-{n}"
    root.mkdir(parents=True, exist_ok=True)
    system = VnsearchSystem(corpus, root / "vnsearch", args.reuse)
    log(f"index {'reused' if system.reused else f'built in {system.build_seconds:,.0f} s'}")
    baseline = Baseline(system.searcher, queries, seconds)
    paths = search_paths(queries)
    rows = serve_rows(root / "vnsearch", corpus, paths, args.workers, args.clients, seconds, root, baseline)
    if not args.no_rebuild:
        rows.append(baseline.around(lambda: rebuild_row(root / "vnsearch", corpus, paths, root, min(AFTER_REBUILD, seconds))))
    rows.insert(0, baseline.row())
    text = report(rows, baseline.slices, args, n_docs, corpus, queries)
    print(text)
    log(f"done in {time.perf_counter() - began:,.0f} s")
    if not smoke and seconds >= 30:  # a shorter run is a try, not the result
        log(f"saved {save_latest(args.out, 'serve', text)}")


if __name__ == "__main__":
    main()
