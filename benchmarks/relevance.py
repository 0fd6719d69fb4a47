"""Relevance: how often does each system rank the right answer first?

UIT-ViCoV19QA (../shared/data/vicov19qa): the corpus is every answer of the
three splits (4,500 documents); each question of the chosen split (``test``
by default: tune on ``train``/``val`` only) is a query whose one relevant
document is its own answer.  Every system ranks with "any of the words"
semantics, since the queries are questions in plain language, once with the
questions as written and once with their diacritics stripped (``đ`` → ``d``),
which is how many people type.

    python benchmarks/relevance.py            # prints and saves a Markdown table

Reports Recall@1, Recall@10 and MRR@10 per system.  Deterministic: the same
command gives the same numbers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import Doc, Fts5Peer, WhooshPeer  # noqa: E402

from vnsearch import Article, QueryError, Searcher, build_index  # noqa: E402
from vnsearch.text import fold  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "vicov19qa"
SPLITS = ("train", "val", "test")
K = 10


@dataclass(frozen=True)
class Question:
    """A query and the id of its one relevant answer."""

    text: str
    answer_id: str


@dataclass(frozen=True)
class Scores:
    """Recall@1, Recall@10 and MRR@10 of one system on one query set."""

    recall_1: float
    recall_10: float
    mrr_10: float


def load(data_dir: Path, split: str) -> tuple[list[Doc], list[Question]]:
    """All answers as documents, and the questions of ``split``."""
    docs: list[Doc] = []
    questions: list[Question] = []
    for name in SPLITS:
        path = data_dir / f"UIT-ViCoV19QA_1ans_{name}.csv"
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="|"):
                docs.append(Doc(id=row["id"], title="", body=row["Answer_1"].strip()))
                if name == split:
                    questions.append(Question(row["Question"].strip(), row["id"]))
    return docs, questions


def score(rank_of: Callable[[str], list[str]], questions: list[Question]) -> Scores:
    """Evaluate one ranking function over the questions."""
    r1 = r10 = rr = 0.0
    for q in questions:
        ranked = rank_of(q.text)[:K]
        if q.answer_id in ranked:
            pos = ranked.index(q.answer_id) + 1
            r1 += pos == 1
            r10 += 1
            rr += 1 / pos
    n = len(questions) or 1
    return Scores(r1 / n, r10 / n, rr / n)


def strip(text: str) -> str:
    """A question as typed without diacritics."""
    return fold(text)


#: Question words and filler phrases, for ``--without-question-words``.
QUESTION_WORDS = ("như thế nào", "thế nào", "là gì", "bao nhiêu", "ở đâu", "tại sao", "vì sao",
                  "làm sao", "có phải", "được không", "hay không", "không", "ạ")  # fmt: skip
_QUESTION_WORDS = re.compile(
    r"(?<!\w)(?:%s)(?!\w)" % "|".join(re.escape(p) for p in QUESTION_WORDS), re.IGNORECASE
)


def without_question_words(text: str) -> str:
    """A question without its question words and filler phrases (``là gì``, ``như thế nào``…)."""
    return _QUESTION_WORDS.sub(" ", text)


class VnsearchSystem:
    """vnsearch, built from the answers in memory, queried with any-terms."""

    name = "vnsearch"

    def __init__(self, work: Path, docs: list[Doc]):
        build_index(
            (
                Article(id=d.id, path="", title=d.title, date=None, author=None,
                        url=None, site=None, body=d.body, sha256="")
                for d in docs
            ),
            work / "vnsearch",
        )
        self.searcher = Searcher(work / "vnsearch")

    def rank(self, query: str) -> list[str]:
        try:
            return [h.id for h in self.searcher.search(query, limit=K, any_terms=True).hits]
        except QueryError:  # a query vnsearch rejects ranks nothing
            return []


class PeerSystem:
    """A peer from peers.py, built from the same answers."""

    def __init__(self, peer, docs: list[Doc]):
        self.peer = peer
        self.name = peer.name
        peer.build(docs)

    def rank(self, query: str) -> list[str]:
        return [h.id for h in self.peer.search(query, limit=K, any_terms=True)]


def run(questions: list[Question], docs: list[Doc], work: Path) -> list[tuple[str, Scores, Scores, float]]:
    """Build every system and score it on the questions, as written and stripped."""
    stripped = [Question(strip(q.text), q.answer_id) for q in questions]
    makers = [
        lambda: VnsearchSystem(work, docs),
        lambda: PeerSystem(Fts5Peer(work / "fts5.db"), docs),
        lambda: PeerSystem(WhooshPeer(work / "whoosh"), docs),
    ]
    rows = []
    for make in makers:
        start = time.perf_counter()
        system = make()
        print(f"[relevance] built {system.name}", file=sys.stderr)
        accented = score(system.rank, questions)
        unaccented = score(system.rank, stripped)
        rows.append((system.name, accented, unaccented, time.perf_counter() - start))
    return rows


def table(rows, split: str, n_questions: int, n_docs: int) -> str:
    """The results as Markdown."""
    lines = [
        f"# Relevance on UIT-ViCoV19QA ({split} questions)",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- corpus: {n_docs:,} answers; queries: {n_questions} {split} questions, any-of-the-words ranking",
        f"- command: `python benchmarks/relevance.py --split {split}`",
        "",
        "| system | R@1 | R@10 | MRR@10 | R@1 (no diacritics) | R@10 (no diacritics) | MRR@10 (no diacritics) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, acc, una, _ in rows:
        lines.append(
            f"| {name} | {acc.recall_1:.3f} | {acc.recall_10:.3f} | {acc.mrr_10:.3f} "
            f"| {una.recall_1:.3f} | {una.recall_10:.3f} | {una.mrr_10:.3f} |"
        )
    return "\n".join(lines) + "\n"


def question_parser(doc: str) -> argparse.ArgumentParser:
    """Command-line options of a benchmark asking UIT-ViCoV19QA's questions."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the CSV files")
    parser.add_argument("--split", choices=SPLITS, default="test", help="questions to ask")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = question_parser(__doc__)
    parser.add_argument("--limit", type=int, default=None,
                        help="only N questions, against their answers and 10×N others (smoke tests)")
    parser.add_argument("--without-question-words", action="store_true",
                        help="leave question words and filler phrases (là gì, như thế nào…) out of the questions")
    args = parser.parse_args(argv)
    docs, questions = load(args.data, args.split)
    if args.without_question_words:
        questions = [Question(without_question_words(q.text), q.answer_id) for q in questions]
    if args.limit:  # a quick run: a few questions against a small corpus holding their answers
        questions = questions[: args.limit]
        wanted = {q.answer_id for q in questions}
        docs = [d for i, d in enumerate(docs) if d.id in wanted or i < 10 * args.limit]
    with tempfile.TemporaryDirectory(prefix="vnsearch-relevance-") as tmp:
        rows = run(questions, docs, Path(tmp))
    report = table(rows, args.split, len(questions), len(docs))
    print(report)
    if args.split == "test" and not args.limit and not args.without_question_words:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"relevance-{dt.date.today().isoformat()}.md").write_text(report, encoding="utf-8")
        (args.out / "relevance-latest.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
