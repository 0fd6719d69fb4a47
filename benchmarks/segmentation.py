"""Segmentation: vnsearch's words are pyvi's, article for article, and how much faster.

    python benchmarks/segmentation.py                 # 1,000 VNTC articles
    python benchmarks/segmentation.py --n 5000 --seed 1

A seeded sample of N articles of the VNTC test set, across all topics (the
articles speed.py takes for the same N and seed), is read straight from the
archive and decoded as vnsearch decodes a file.  Each article is segmented by
pyvi's ``ViTokenizer.tokenize`` and by ``vnsearch.segment.words`` and the
words must be identical (tests/test_segment.py's comparison), twice: on the
whole text (title and body as in the file) and on the body that
``vnsearch.articles.parse_article`` makes of it (NFC, junk lines dropped),
which is what the index segments.

Speed is timed on the whole texts, article by article in turn (pyvi then
vnsearch), so a noisy machine slows both alike; each model is loaded first and
its load time reported apart.  The Markdown table goes to stdout and to
``benchmarks/results/segmentation-latest.md``.  If any article differs, the
first differences go to stderr and the exit status is 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import platform
import shlex
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from speed import ARCHIVE, DEFAULT_DATA, DEFAULT_OUT, MB, _fmt, archive_members, choose  # noqa: E402

from vnsearch.articles import ArticleError, decode, parse_article  # noqa: E402

SAMPLE = "Hà Nội mùa thu"  # segmented once to load each model
SHOWN = 5  # differences printed to stderr
CONTEXT = 5  # tokens shown each side of the first differing one


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[segmentation {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the articles -----------------------------------------------------------------


def read_members(archive: Path, names: list[str]) -> dict[str, bytes]:
    """The bytes of the named archive members, in one forward pass over the gzip stream."""
    wanted = set(names)
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.name in wanted}


# -- the two segmenters -----------------------------------------------------------


def load_vnsearch() -> tuple[Callable[[str], list], float]:
    """``vnsearch.segment.words`` and the seconds its model took to load."""
    start = time.perf_counter()
    from vnsearch.segment import words

    words(SAMPLE)
    return words, time.perf_counter() - start


def load_pyvi() -> tuple[Callable[[str], str], float]:
    """``ViTokenizer.tokenize`` and the seconds its import and model load took."""
    start = time.perf_counter()
    from pyvi import ViTokenizer

    ViTokenizer.tokenize(SAMPLE)
    return ViTokenizer.tokenize, time.perf_counter() - start


def as_pyvi(groups: list[list]) -> list[str]:
    """vnsearch's words written as pyvi writes them: tests/test_segment.py's comparison."""
    return ["_".join(s.text for s in word) for word in groups if word[0].text != "\n"]


# -- the check ----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One article whose words differ: where, and the tokens around the first difference."""

    name: str
    part: str  # "text" or "body"
    position: int
    pyvi: list[str]
    ours: list[str]
    tokens: int  # differing tokens in the whole article


@dataclass
class Tally:
    """What the comparison of one part (whole text or parsed body) found."""

    tokens: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def differing_tokens(self) -> int:
        return sum(d.tokens for d in self.differences)


def compare(name: str, part: str, pyvi: list[str], ours: list[str], tally: Tally) -> None:
    """Count one article's tokens into ``tally`` and record it if its words differ."""
    tally.tokens += len(pyvi)
    if ours == pyvi:
        return
    matcher = difflib.SequenceMatcher(None, pyvi, ours, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    first = next((i for i, (a, b) in enumerate(zip(pyvi, ours)) if a != b), min(len(pyvi), len(ours)))
    around = slice(max(0, first - CONTEXT), first + CONTEXT + 1)
    tally.differences.append(
        Difference(name, part, first, pyvi[around], ours[around], max(len(pyvi), len(ours)) - matched)
    )


@dataclass
class Run:
    """Everything measured over the sample."""

    articles: int = 0
    skipped: list[str] = field(default_factory=list)
    text_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"pyvi": 0.0, "vnsearch": 0.0})
    load: dict[str, float] = field(default_factory=dict)
    text: Tally = field(default_factory=Tally)
    body: Tally = field(default_factory=Tally)


def check(articles: dict[str, bytes]) -> Run:
    """Segment every article with both, timing the whole texts; compare text and body."""
    run = Run()
    ours_words, run.load["vnsearch"] = load_vnsearch()
    tokenize, run.load["pyvi"] = load_pyvi()
    log(f"models loaded: vnsearch {run.load['vnsearch']:.2f} s, pyvi {run.load['pyvi']:.2f} s")
    for done, (name, data) in enumerate(articles.items(), 1):
        try:
            text = decode(data)
            body = parse_article(text, id=name, path=name, sha256="").body
        except ArticleError as error:
            run.skipped.append(f"{name}: {error}")
            continue
        start = time.perf_counter()
        theirs = tokenize(text)
        middle = time.perf_counter()
        ours = ours_words(text)
        run.seconds["vnsearch"] += time.perf_counter() - middle
        run.seconds["pyvi"] += middle - start
        run.articles += 1
        run.text_bytes += len(text.encode("utf-8"))
        compare(name, "text", theirs.split(), as_pyvi(ours), run.text)
        compare(name, "body", tokenize(body).split(), as_pyvi(ours_words(body)), run.body)
        if done % max(1, len(articles) // 10) == 0:
            log(f"{done}/{len(articles)} articles")
    return run


# -- the report ---------------------------------------------------------------------


def check_table(run: Run) -> str:
    """Articles, tokens and differences, for the whole texts and the parsed bodies."""
    rows = [
        ("articles compared", lambda t: run.articles),
        ("tokens compared (pyvi's)", lambda t: t.tokens),
        ("differing articles", lambda t: len(t.differences)),
        ("differing tokens", lambda t: t.differing_tokens),
    ]
    lines = ["| check | whole text | parsed body |", "|---|---:|---:|"]
    lines += [f"| {name} | {value(run.text):,} | {value(run.body):,} |" for name, value in rows]
    return "\n".join(lines)


def speed_table(run: Run) -> str:
    """Throughput and load time of pyvi and vnsearch, and their ratio."""
    rate = {key: run.articles / seconds for key, seconds in run.seconds.items()}
    rows = [
        ("segmentation time (s)", run.seconds),
        ("articles/s", rate),
        ("MB/s of text (UTF-8)", {key: run.text_bytes / MB / s for key, s in run.seconds.items()}),
        ("model load (s)", run.load),
    ]
    lines = ["| speed | pyvi | vnsearch | vnsearch ÷ pyvi |", "|---|---:|---:|---:|"]
    for name, values in rows:
        pyvi, ours = values["pyvi"], values["vnsearch"]
        lines.append(f"| {name} | {_fmt(pyvi)} | {_fmt(ours)} | {_fmt(ours / pyvi)} |")
    return "\n".join(lines)


def report(run: Run, args: argparse.Namespace) -> str:
    """The whole Markdown report."""
    verdict = "identical" if not (run.text.differences or run.body.differences) else "DIFFERENT"
    skipped = f"; {len(run.skipped)} not decodable, skipped" if run.skipped else ""
    return "\n".join(
        [
            f"# vnsearch segmentation vs pyvi — {dt.date.today().isoformat()}",
            "",
            f"- machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
            f"- command: `python {shlex.join(sys.argv)}`",
            f"- data: {args.data / ARCHIVE}, {args.n:,} articles sampled with seed {args.seed}{skipped};"
            f" {run.text_bytes / MB:.1f} MB of text (UTF-8)",
            f"- verdict: **{verdict}** (`vnsearch.segment.words` against `pyvi.ViTokenizer.tokenize`)",
            "",
            check_table(run),
            "",
            speed_table(run),
            "",
            "- Whole text: the decoded file (title and body, `\\n` line ends); parsed body: the body",
            "  `parse_article` makes of it. Only the whole texts are timed, each article by pyvi",
            "  then by vnsearch; a ratio above 1 means vnsearch does more per second (or takes longer).",
            "- Model load: vnsearch's first `segment.words` call (loaded first, it also pays for",
            "  importing python-crfsuite); pyvi's import and first `tokenize` call.",
            "",
        ]
    )


def show(differences: list[Difference]) -> None:
    """The first few differences, on stderr."""
    for d in differences[:SHOWN]:
        print(f"DIFFERENT {d.name} ({d.part}), token {d.position}, {d.tokens} differing tokens:", file=sys.stderr)
        print(f"  pyvi:     {' '.join(d.pyvi)}", file=sys.stderr)
        print(f"  vnsearch: {' '.join(d.ours)}", file=sys.stderr)
    if len(differences) > SHOWN:
        print(f"... and {len(differences) - SHOWN} more", file=sys.stderr)


# -- command line ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the article sample (default 0)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"shared data folder holding {ARCHIVE} (default {DEFAULT_DATA})")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the results (default benchmarks/results)")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    archive = args.data / ARCHIVE
    if not archive.is_file():
        raise SystemExit(f"no VNTC archive at {archive}: give the data folder with --data")
    log(f"listing {archive}")
    chosen, _ = choose(archive_members(archive), args.n, args.seed)
    log(f"reading {len(chosen)} articles")
    run = check(read_members(archive, chosen))
    text = report(run, args)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "segmentation-latest.md"
    path.write_text(text, encoding="utf-8")
    log(f"saved {path}")
    for skipped in run.skipped:
        log(f"skipped {skipped}")
    differences = run.text.differences + run.body.differences
    if differences:
        show(differences)
        sys.exit(1)


if __name__ == "__main__":
    main()
