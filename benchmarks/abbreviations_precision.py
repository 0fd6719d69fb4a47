"""Abbreviations learned from articles: how many, how right, and at what cost.

    python benchmarks/abbreviations_precision.py                  # 10,000 VNTC articles
    python benchmarks/abbreviations_precision.py --articles 2000 --seed 1 --sample 50

A seeded sample of N articles of the VNTC test set (speed.py's draw) is read
straight from the archive and decoded as vnsearch decodes a file.
``vnsearch.abbreviations.definitions`` runs on each (timed article by
article); the articles defining each pair are counted and
``vnsearch.abbreviations.learned`` applied with the chosen knobs.

Printed: a Markdown table of the counts and the cost per article, the pairs
kept for a grid of knobs, then a seeded random sample of kept pairs and one
of rejected abbreviations (half of them among those defined more than once),
each with the long forms seen, for checking by hand: whether a long form is
right takes a reader.  Not imported by the tests.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tarfile
import time
from collections import Counter, defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from speed import ARCHIVE, DEFAULT_DATA, archive_members, shuffled  # noqa: E402

from vnsearch.abbreviations import (  # noqa: E402
    MIN_LETTERS,
    MIN_SEEN,
    MIN_SHARE,
    Abbreviation,
    builtin,
    definitions,
    key,
    learned,
    long_key,
)
from vnsearch.articles import ArticleError, decode  # noqa: E402

GRID_SEEN = (2, 3, 4, 5, 8)
GRID_SHARE = (0.5, 0.7, 0.8, 0.9)


def log(message: str) -> None:
    print(f"[abbreviations {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def read_articles(archive: Path, n: int, seed: int) -> list[str]:
    """The texts of N articles of speed.py's seeded draw, in one pass over the archive."""
    members = archive_members(archive)
    if not 1 <= n <= len(members):
        raise SystemExit(f"--articles must be between 1 and {len(members):,}")
    wanted = set(shuffled(members, seed)[:n])
    texts = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name in wanted:
                f = tar.extractfile(member)
                assert f is not None
                try:
                    texts.append(decode(f.read()))
                except ArticleError:
                    pass
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="VNTC articles (default 10,000)")
    parser.add_argument("--seed", type=int, default=0, help="the draw of articles and of the samples")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--min-seen", type=int, default=MIN_SEEN)
    parser.add_argument("--min-share", type=float, default=MIN_SHARE)
    parser.add_argument("--min-letters", type=int, default=MIN_LETTERS)
    parser.add_argument("--sample", type=int, default=50, help="kept pairs shown for checking (default 50)")
    parser.add_argument("--rejected", type=int, default=20, help="rejected abbreviations shown (default 20)")
    args = parser.parse_args()

    archive = args.data / ARCHIVE
    if not archive.exists():
        raise SystemExit(f"no VNTC archive at {archive}: give the data folder with --data")
    log(f"reading {args.articles:,} articles")
    texts = read_articles(archive, args.articles, args.seed)

    log("finding definitions")
    definitions("Ủy ban nhân dân (UBND)")  # warm the caches of normalize_word and fold
    counts: Counter[Abbreviation] = Counter()
    times = []
    found = 0
    defining = 0
    for text in texts:
        start = time.perf_counter()
        pairs = definitions(text)
        times.append(time.perf_counter() - start)
        found += len(pairs)
        defining += bool(pairs)
        counts.update(set(pairs))  # articles, not occurrences
    kept = learned(counts, min_seen=args.min_seen, min_share=args.min_share, min_letters=args.min_letters)
    kept_keys = {key(a.short) for a in kept}
    builtin_keys = {key(a.short) for a in builtin()}
    n_keys = len({key(a.short) for a in counts})
    chars = sum(len(t) for t in texts)

    print(f"# Abbreviations learned from {len(texts):,} VNTC articles (seed {args.seed})\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| articles | {len(texts):,} ({chars / len(texts):,.0f} characters on average) |")
    print(f"| definitions found | {found:,} |")
    print(f"| articles with a definition | {defining:,} |")
    print(f"| distinct pairs (as written) | {len(counts):,} |")
    print(f"| distinct abbreviations (by key) | {n_keys:,} |")
    print(f"| kept (min_seen {args.min_seen}, min_share {args.min_share}, min_letters {args.min_letters}) "
          f"| {len(kept):,} |")  # fmt: skip
    print(f"| kept and also built in | {len(kept_keys & builtin_keys):,} |")
    print(f"| definitions(): mean per article | {statistics.fmean(times) * 1e6:,.0f} µs |")
    print(f"| definitions(): median / p99 / max | {statistics.median(times) * 1e6:,.0f} / "
          f"{sorted(times)[int(len(times) * 0.99)] * 1e6:,.0f} / {max(times) * 1e6:,.0f} µs |")  # fmt: skip
    print(f"| definitions(): per MB of text | {sum(times) / (chars / 1e6) * 1e3:,.1f} ms |")

    print("\n## Pairs kept, by knobs\n")
    print("| min_seen | " + " | ".join(f"share {s}" for s in GRID_SHARE) + " |")
    print("|---:|" + "---:|" * len(GRID_SHARE))
    for seen in GRID_SEEN:
        row = [len(learned(counts, min_seen=seen, min_share=share, min_letters=args.min_letters))
               for share in GRID_SHARE]  # fmt: skip
        print(f"| {seen} | " + " | ".join(str(r) for r in row) + " |")

    # Per abbreviation: its long forms (by long_key) and how many articles define each.
    forms: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for pair, count in counts.items():
        forms[key(pair.short)][long_key(pair.long)] += count

    def describe(k: str) -> str:
        return "; ".join(f"{' '.join(lk)} ×{c}" for lk, c in forms[k].most_common(4))

    rng = random.Random(args.seed)
    print(f"\n## A sample of kept pairs, to check by hand ({min(args.sample, len(kept))} of {len(kept)})\n")
    print("| abbreviation | long form | long forms seen (articles) |")
    print("|---|---|---|")
    for a in sorted(rng.sample(kept, min(args.sample, len(kept))), key=lambda a: key(a.short)):
        print(f"| {a.short} | {a.long} | {describe(key(a.short))} |")

    rejected = sorted(k for k in forms if k not in kept_keys)
    print(f"\n## A sample of rejected abbreviations ({min(args.rejected, len(rejected))} of {len(rejected)})\n")
    print("| key | long forms seen (articles) |")
    print("|---|---|")
    # Half among those seen more than once, where the knobs decide, half among all.
    repeated = [k for k in rejected if sum(forms[k].values()) > 1]
    picks = set(rng.sample(repeated, min(args.rejected // 2, len(repeated))))
    rest = [k for k in rejected if k not in picks]
    picks |= set(rng.sample(rest, min(args.rejected - len(picks), len(rest))))
    for k in sorted(picks):
        print(f"| {k} | {describe(k)} |")


if __name__ == "__main__":
    main()
