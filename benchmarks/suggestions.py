"""Did you mean: how often is a question typed without diacritics given back right?

UIT-ViCoV19QA (../shared/data/vicov19qa): vnsearch indexes every answer
(4,500 documents); each question of the chosen split, with its diacritics
stripped as many people type it, is a query whose right suggestion is the
question as written.  Two more runs ask three-word pieces of the questions
(as short as most searches), and the questions with one typo (a letter
dropped, doubled, swapped with the next or replaced) in one of their words,
never the first letter: vnsearch does not look for typos there, so its typo
figures are for typos after it.

Systems, all given the same stripped questions:

* **vnsearch** — ``Searcher.suggest``: each word's forms counted in the
  index, neighbours read together through the compounds it holds;
* **most frequent form** — each word on its own, its most frequent form in
  the same index (vnsearch without the neighbours, and without typo fixes);
* **pyvi ViDiac** — ``pyvi.ViUtils.add_accents``, the diacritics restorer
  shipped in pyvi's wheel (a character CRF trained on general text).

    python benchmarks/suggestions.py          # prints and saves a Markdown table

Reports the share of words and of whole questions given back exactly
(lowercase, tone marks placed alike), and the time per question.
Deterministic: the same command gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import VnsearchSystem, load, question_parser  # noqa: E402

from vnsearch import storage  # noqa: E402
from vnsearch.accents import readings  # noqa: E402
from vnsearch.text import fold, normalize_word  # noqa: E402

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Score:
    """How one system did on one set of questions."""

    words: float  # share of words given back exactly
    questions: float  # share of questions given back exactly
    top3: float | None  # share with the right question among the first three suggestions
    ms_p50: float


def words_of(text: str) -> list[str]:
    """Words as compared: lowercase, tone marks placed alike."""
    return [normalize_word(w) for w in _WORD.findall(text)]


def three_words(text: str, rng: random.Random) -> str:
    """Three neighbouring words of ``text`` (all of it if it has fewer)."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if len(spans) <= 3:
        return text
    first = rng.randrange(len(spans) - 2)
    return text[spans[first][0] : spans[first + 2][1]]


def with_typo(text: str, rng: random.Random) -> str:
    """``text`` with one edit in one of its longer words (if it has one)."""
    spans = [m.span() for m in _WORD.finditer(text) if len(m.group()) >= 4 and m.group().isalpha()]
    if not spans:
        return text
    start, end = rng.choice(spans)
    word = list(text[start:end])
    i = rng.randrange(1, len(word) - 1)  # not the first letter, as most typos
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "drop":
        del word[i]
    elif edit == "double":
        word.insert(i, word[i])
    elif edit == "swap":
        word[i], word[i + 1] = word[i + 1], word[i]
    else:
        word[i] = rng.choice("aeioucdhmnt".replace(word[i], ""))
    return text[:start] + "".join(word) + text[end:]


def evaluate(
    restore: Callable[[str], list[str]], typed: list[str], meant: list[str]
) -> Score:
    """Score a restorer, which gives its likely readings of a question, best first."""
    right_words = total_words = right = top3 = 0
    times = []
    for query, truth in zip(typed, meant):
        start = time.perf_counter()
        options = restore(query) or [query]
        times.append((time.perf_counter() - start) * 1000)
        expected, got = words_of(truth), words_of(options[0])
        total_words += len(expected)
        if len(got) == len(expected):
            right_words += sum(a == b for a, b in zip(got, expected))
        right += got == expected
        top3 += any(words_of(o) == expected for o in options[:3])
    n = len(typed) or 1
    return Score(right_words / (total_words or 1), right / n, top3 / n, statistics.median(times))


def systems(index_dir: Path) -> list[tuple[str, Callable[[str], list[str]], bool]]:
    """``(name, restorer, offers several)`` for every system compared."""
    from vnsearch import Searcher

    searcher = Searcher(index_dir)
    reader = storage.open_index(index_dir).reader()
    frequency = lambda term: reader.frequency("body", term)  # noqa: E731

    def most_frequent(query: str) -> list[str]:
        words = [readings([normalize_word(w)], frequency)[0].words[0] for w in _WORD.findall(query)]
        return [" ".join(words)]

    from pyvi import ViUtils  # ~1.5 s: scikit-learn

    def pyvi(query: str) -> list[str]:
        try:
            return [ViUtils.add_accents(query)]
        except KeyError:  # it fails on some letter sequences ("yys"): nothing restored
            return [query]

    return [
        ("vnsearch", searcher.suggest, True),
        ("most frequent form (no context)", most_frequent, False),
        ("pyvi ViDiac", pyvi, False),
    ]


def table(rows: list[tuple[str, Score, Score, Score]], split: str, n: int, n_docs: int) -> str:
    """The results as Markdown."""
    lines = [
        f"# Did you mean: restoring diacritics on UIT-ViCoV19QA ({split} questions)",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- index: {n_docs:,} answers; queries: {n} {split} questions without diacritics, "
        "three-word pieces of them, and the questions with one typo each",
        f"- command: `python benchmarks/suggestions.py --split {split}`",
        "",
        "| system | words right | questions right | in first 3 | 3 words: right | 3 words: in first 3 "
        "| with a typo: words | with a typo: questions | ms per question (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, plain, short, typo in rows:
        lines.append(
            f"| {name} | {plain.words:.3f} | {plain.questions:.3f} | {_share(plain.top3)} "
            f"| {short.questions:.3f} | {_share(short.top3)} "
            f"| {typo.words:.3f} | {typo.questions:.3f} | {plain.ms_p50:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = question_parser(__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only N questions (smoke tests)")
    args = parser.parse_args(argv)
    docs, questions = load(args.data, args.split)
    meant = [q.text for q in questions[: args.limit]]
    typed = [fold(q) for q in meant]
    rng = random.Random(6)
    pieces = [three_words(q, rng) for q in meant]
    typos = [with_typo(q, rng) for q in typed]
    with tempfile.TemporaryDirectory(prefix="vnsearch-suggestions-") as tmp:
        VnsearchSystem(Path(tmp), docs).searcher.close()
        rows = []
        for name, restore, several in systems(Path(tmp) / "vnsearch"):
            scores = [
                evaluate(restore, typed, meant),
                evaluate(restore, [fold(p) for p in pieces], pieces),
                evaluate(restore, typos, meant),
            ]
            if not several:  # its first reading is its only one
                scores = [Score(s.words, s.questions, None, s.ms_p50) for s in scores]
            rows.append((name, *scores))
            print(f"[suggestions] {name}: done", file=sys.stderr)
    report = table(rows, args.split, len(meant), len(docs))
    print(report)
    if args.split == "test" and not args.limit:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "suggestions-latest.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
