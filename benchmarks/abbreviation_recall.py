"""Abbreviations: do the articles that write only the other form come back?

vnsearch searches an abbreviation with its long forms and a long form with
its abbreviations (:func:`vnsearch.queries.with_abbreviations`).  This asks
what that is worth.  From N VNTC articles (speed.py's seeded draw,
``prepare_corpus``, 10,000 by default) vnsearch builds its index and learns
the abbreviations the articles define inline (``Hoàng Anh Gia Lai (HAGL)``);
each pair (abbreviation S, long form L) then makes queries:

* **S → L**: the query is S as written (``UBND``); the relevant articles
  write L and never S (in any spelling: ``TP.HCM``, ``TPHCM``, ``Tp HCM``);
* **L → S**: the query is L as written, unquoted (``Ủy ban nhân dân``), and
  also quoted (``"Ủy ban nhân dân"``); the relevant articles write S and
  never L.

A pair without a relevant article in a direction makes no query there.  Pairs
come in two groups: those the index has learned (``abbreviations.learned`` of
``searching._defined``: the same call the Searcher's table is made of, each
checked to be in that table), and the built-in ones
(``abbreviations.builtin()``) that are not learned but whose S or L some
article writes.

    python benchmarks/abbreviation_recall.py            # prints and saves a Markdown table
    python benchmarks/abbreviation_recall.py --reuse    # the same, keeping the indexes built before
    python benchmarks/abbreviation_recall.py --limit 5  # a smoke run: 5 pairs a group, 500 articles

Systems: vnsearch (``Searcher.search``, expansion on), vnsearch with
``expand=False`` (the CLI's ``--no-expand``), and SQLite FTS5 (peers.py, a
title word weighing as in vnsearch; the words of the query ANDed, each
tokenised by FTS5 -- ``TP.HCM`` is the phrase ``tp hcm`` -- and a quoted query
a phrase).  Reported per group and direction: the recall of the relevant
articles among all of each system's matches, averaged over the
queries; for context, the share of its first ten hits that write S or L at
all (a precision sanity check, hits of all the queries pooled); and the
median time of a ten-hit query.  Deterministic: the same command gives the
same figures (but the times).

Every system reads the same title and body of each file, vnsearch's article
parser's (:func:`peers.iter_docs`), and so does the relevance judgement:
"writes L" is L's words (:func:`vnsearch.abbreviations.long_key`: case, tone
placement and punctuation aside) in a row in the title or the body; "writes
S" is a run of letters and digits, or two adjacent ones, whose
:func:`vnsearch.abbreviations.key` is S's (with at least two capitals when
S's key is also a Vietnamese syllable).  Indexes go to
``<work>/abbreviation-recall-<N>/``: ``vnsearch``, ``fts5.db``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import re
import shlex
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from known_item import PeerSystem, VnsearchSystem  # noqa: E402
from peers import TITLE_WEIGHT, Doc, Fts5Peer, PeerHit, load_docs  # noqa: E402
from speed import ARCHIVE, add_folder_options, Corpus, prepare_corpus  # noqa: E402

from vnsearch import abbreviations  # noqa: E402
from vnsearch.abbreviations import Abbreviation, key, long_key  # noqa: E402
from vnsearch.syllables import could_be_syllable  # noqa: E402
from vnsearch.text import fold  # noqa: E402

#: Hits read for recall: every match (a system is asked for as many hits as there are articles).
ALL = "all matches"
#: Hits checked for writing S or L, and asked for in the timed query.
TOP = 10
#: Examples listed: the queries with the most relevant articles, and vnsearch's worst.
EXAMPLES = 10
#: The directions, in the order reported.
S_TO_L, L_TO_S, QUOTED_L_TO_S = "S → L", "L → S", '"L" → S'
DIRECTIONS = (S_TO_L, L_TO_S, QUOTED_L_TO_S)
LEARNED, BUILTIN = "learned", "built-in"

# A run of letters and digits.
_RUN = re.compile(r"[^\W_]+")


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[abbreviation-recall {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- what an article writes ----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """What an article writes, as the relevance judgement reads it."""

    words: str  # its normalised words, " "-joined, with " | " between title and body and at the ends
    keys: frozenset[str]  # the abbreviation keys it writes, of those asked about


def words_of(doc: Doc) -> str:
    """The normalised words of a document's title and body, ready for :func:`writes_long`."""
    return " | " + " ".join(long_key(doc.title)) + " | " + " ".join(long_key(doc.body)) + " | "


def written_keys(doc: Doc, wanted: set[str], syllables: set[str]) -> frozenset[str]:
    """The keys in ``wanted`` that a run of letters and digits of the document, or two adjacent ones, has.

    Two runs count only when each starts with a capital and they hold two
    capitals or more (``TP HCM``, ``GD&ĐT``, not ``ô cá`` for ``OCA``); a key
    in ``syllables`` (one a Vietnamese word could have) only when written
    with two capitals or more (``CAN``, not ``cần``).
    """
    found = set()
    for text in (doc.title, doc.body):
        runs = _RUN.findall(unicodedata.normalize("NFC", text))
        keys = [fold(run).lower() for run in runs]
        for i, k in enumerate(keys):
            for j in (i + 1, i + 2):
                if j > len(keys):
                    break
                joined = "".join(keys[i:j])
                if joined not in wanted:
                    continue
                capitals = sum(ch.isupper() for run in runs[i:j] for ch in run)
                if (j == i + 1 and joined not in syllables) or (
                    capitals >= 2 and all(run[0].isupper() for run in runs[i:j])
                ):
                    found.add(joined)
    return frozenset(found)


def read_texts(docs: list[Doc], pairs: Iterable[Abbreviation]) -> dict[str, Text]:
    """Each document's :class:`Text`, by id, for the abbreviations of ``pairs``."""
    wanted = {key(a.short) for a in pairs}
    syllables = {k for k in wanted if could_be_syllable(k)}
    return {doc.id: Text(words_of(doc), written_keys(doc, wanted, syllables)) for doc in docs}


def writes_long(text: Text, long: str) -> bool:
    """Whether the article writes this long form: its words in a row (case, tone placement, punctuation aside)."""
    return f" {' '.join(long_key(long))} " in text.words


def writes_short(text: Text, short: str) -> bool:
    """Whether the article writes this abbreviation, in any spelling."""
    return key(short) in text.keys


# -- the pairs and the queries -------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One query and the articles it should find."""

    group: str  # LEARNED or BUILTIN
    direction: str  # one of DIRECTIONS
    text: str  # as typed
    pair: Abbreviation
    relevant: frozenset[str]


def pair_id(a: Abbreviation) -> tuple[str, tuple[str, ...]]:
    """What makes two pairs one: the abbreviation's key and the long form's, without its *và*."""
    return key(a.short), tuple(word for word in long_key(a.long) if word != "và")


def index_pairs(searcher) -> tuple[dict[str, list[Abbreviation]], int]:
    """The pairs of a vnsearch Searcher's table, by group; and how many pairs its index learned.

    Learned: ``abbreviations.learned(searching._defined(reader))``, the call
    the Searcher's table is made of; each is looked up in that table (the
    Searcher's view's), and asked as the table has it.  Built-in: the
    table's other pairs, those of ``abbreviations.builtin()`` (``KH&CN =
    Khoa học và Công nghệ`` is one even when ``KHCN = Khoa học Công nghệ``
    is learned).
    """
    from vnsearch import searching

    view = searcher._view()
    learned = abbreviations.learned(searching._defined(view.searcher.reader()))
    table = view.abbreviations(searcher._users)
    exact = {(key(a.short), long_key(a.long)) for a in learned}
    groups: dict[str, list[Abbreviation]] = {LEARNED: [], BUILTIN: []}
    for a in table:
        groups[LEARNED if (key(a.short), long_key(a.long)) in exact else BUILTIN].append(a)
    if len(groups[LEARNED]) != len(learned):
        raise SystemExit(f"learned pairs not in the Searcher's table: {sorted(set(learned) - set(groups[LEARNED]))}")
    return groups, len(learned)


def make_queries(group: str, pairs: list[Abbreviation], texts: dict[str, Text]) -> list[Query]:
    """The queries of each pair, in each direction where some article is relevant."""
    queries = []
    for pair in pairs:
        short = {id for id, text in texts.items() if writes_short(text, pair.short)}
        long = {id for id, text in texts.items() if writes_long(text, pair.long)}
        if long - short:
            queries.append(Query(group, S_TO_L, pair.short, pair, frozenset(long - short)))
        if short - long:
            queries.append(Query(group, L_TO_S, pair.long, pair, frozenset(short - long)))
            queries.append(Query(group, QUOTED_L_TO_S, f'"{pair.long}"', pair, frozenset(short - long)))
    return queries


def occurring(pairs: list[Abbreviation], texts: dict[str, Text]) -> list[Abbreviation]:
    """The pairs whose abbreviation or long form some article writes."""
    return [
        a for a in pairs if any(writes_short(text, a.short) or writes_long(text, a.long) for text in texts.values())
    ]


# -- the systems ---------------------------------------------------------------------


class Fts5Phrases(Fts5Peer):
    """peers.py's FTS5, a quoted query searched as one phrase (unquoted: each word, ANDed, as there)."""

    def search(self, query: str, limit: int = 10, any_terms: bool = False) -> list[PeerHit]:
        stripped = query.strip()
        if len(stripped) < 3 or not (stripped[0] == stripped[-1] == '"') or '"' in stripped[1:-1]:
            return super().search(query, limit, any_terms)
        rows = self._db.execute(self.SEARCH, (stripped, limit)).fetchall()
        return [PeerHit(id, snippet) for id, snippet in rows]


def built(system: VnsearchSystem | PeerSystem) -> str:
    """How a system's index came to be: "built in 12 s" or "reused"."""
    return "reused" if system.reused else f"built in {system.build_seconds:,.0f} s"


class Vnsearch:
    """vnsearch through ``Searcher.search``, abbreviations expanded or not (``expand``)."""

    def __init__(self, system: VnsearchSystem, expand: bool):
        self.system, self.expand = system, expand
        self.name = "vnsearch" if expand else "vnsearch --no-expand"
        self.build = built(system)
        self.relaxed = 0  # queries answered with any of their words (counted when asked for all matches)

    def ids(self, query: str, limit: int) -> list[str]:
        """The ids of the best ``limit`` hits; none for a query vnsearch refuses."""
        from vnsearch import QueryError

        try:
            result = self.system.searcher.search(query, limit=limit, suggestions=False, expand=self.expand)
        except QueryError:
            return []
        self.relaxed += result.relaxed and limit > TOP
        return [hit.id for hit in result.hits]


class Fts5:
    """SQLite FTS5 (:class:`Fts5Phrases`), built from the documents, as known_item.py's peers are."""

    relaxed = 0  # FTS5 never relaxes a query

    def __init__(self, system: PeerSystem):
        self.peer, self.name, self.build = system.peer, system.name, built(system)

    def ids(self, query: str, limit: int) -> list[str]:
        """The ids of the best ``limit`` documents by bm25."""
        return [hit.id for hit in self.peer.search(query, limit=limit)]


System = Vnsearch | Fts5


def systems(corpus: Corpus, docs: list[Doc], root: Path, reuse: bool) -> list[System]:
    """vnsearch expanding and not (one index), and FTS5: built in ``root``, or kept with ``reuse``."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256((corpus.root / "selection.json").read_bytes()).hexdigest()
    vnsearch = VnsearchSystem(corpus, root / "vnsearch", reuse)
    log(f"vnsearch: index {built(vnsearch)}")
    fts5 = PeerSystem(Fts5Phrases, root / "fts5.db", docs, digest, reuse)
    log(f"{fts5.name}: index {built(fts5)}")
    return [Vnsearch(vnsearch, True), Vnsearch(vnsearch, False), Fts5(fts5)]


# -- the measure ---------------------------------------------------------------------


@dataclass
class Outcome:
    """One system on one set of queries."""

    recalls: list[float] = field(default_factory=list)  # each query's, in order
    top_hits: int = 0  # hits among the first TOP, all queries
    top_writing: int = 0  # of which writing S or L
    latencies_ms: list[float] = field(default_factory=list)  # each TOP-hit query's

    @property
    def recall(self) -> float:
        return statistics.fmean(self.recalls) if self.recalls else 0.0

    @property
    def none_found(self) -> int:
        return sum(r == 0 for r in self.recalls)

    @property
    def writing(self) -> float:
        return self.top_writing / self.top_hits if self.top_hits else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


def measure(system: System, queries: list[Query], texts: dict[str, Text]) -> Outcome:
    """Ask every query twice: all the matches for recall, TOP hits (timed) for the precision check."""
    outcome = Outcome()
    for q in queries:
        found = set(system.ids(q.text, len(texts)))
        outcome.recalls.append(len(found & q.relevant) / len(q.relevant))
        start = time.perf_counter()
        top = system.ids(q.text, TOP)
        outcome.latencies_ms.append((time.perf_counter() - start) * 1000)
        outcome.top_hits += len(top)
        outcome.top_writing += sum(
            writes_short(texts[id], q.pair.short) or writes_long(texts[id], q.pair.long) for id in top
        )
    return outcome


#: Each system's outcome (in the order of :func:`systems`) on each query set, by (group, direction).
Results = dict[tuple[str, str], list[tuple[str, Outcome]]]


def run(systems: list[System], queries: list[Query], texts: dict[str, Text]) -> Results:
    """Every system on every (group, direction) set of queries."""
    results: Results = {}
    for system in systems:
        log(f"{system.name}: asking {len(queries)} queries")
        for (group, direction), chosen in by_set(queries).items():
            results.setdefault((group, direction), []).append((system.name, measure(system, chosen, texts)))
    return results


def by_set(queries: list[Query]) -> dict[tuple[str, str], list[Query]]:
    """The queries by group and direction, in the order reported."""
    sets: dict[tuple[str, str], list[Query]] = {}
    for group in (LEARNED, BUILTIN):
        for direction in DIRECTIONS:
            chosen = [q for q in queries if (q.group, q.direction) == (group, direction)]
            if chosen:
                sets[group, direction] = chosen
    return sets


# -- the report ----------------------------------------------------------------------


def table(results: Results, queries: list[Query]) -> list[str]:
    """The figures, one line a query set and system."""
    lines = [
        f"| pairs | direction | queries | relevant: median (total) | system | **recall** ({ALL}) "
        f"| found none | top {TOP}: writes S or L | ms p50 ({TOP} hits) |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    sets = by_set(queries)
    for (group, direction), outcomes in results.items():
        chosen = sets[group, direction]
        sizes = [len(q.relevant) for q in chosen]
        first = f"| {group} | {direction} | {len(chosen)} | {statistics.median(sizes):g} ({sum(sizes):,})"
        for name, o in outcomes:
            lines.append(
                f"{first} | {name} | **{o.recall:.3f}** | {o.none_found} | {o.writing:.3f} | {o.p50_ms:.1f} |"
            )
            first = "| | | | "
    return lines


def example_rows(results: Results, queries: list[Query], pick: Callable[[list[tuple[Query, list[float]]]], list]) -> list[str]:
    """A table of the queries ``pick`` chooses from (query, its recalls by system) of every set."""
    names = [name for name, _ in next(iter(results.values()))]
    lines = ["| pairs | direction | query | relevant | " + " | ".join(names) + " |",
             "|---|---|---|---:|" + "---:|" * len(names)]  # fmt: skip
    for (group, direction), chosen in by_set(queries).items():
        outcomes = [o for _, o in results[group, direction]]
        recalls = [[o.recalls[i] for o in outcomes] for i in range(len(chosen))]
        for q, r in pick(list(zip(chosen, recalls))):
            cells = " | ".join(f"{x:.2f}" for x in r)
            shown = q.text if q.direction == S_TO_L else f"{q.text} ({q.pair.short})"
            lines.append(f"| {group} | {direction} | `{shown}` | {len(q.relevant)} | {cells} |")
    return lines if len(lines) > 2 else ["none"]


def commonest(rows: list[tuple[Query, list[float]]]) -> list[tuple[Query, list[float]]]:
    """The queries with the most relevant articles."""
    return sorted(rows, key=lambda row: (-len(row[0].relevant), row[0].text))[:EXAMPLES]


def misses(rows: list[tuple[Query, list[float]]]) -> list[tuple[Query, list[float]]]:
    """The queries vnsearch (expanding) finds least of, below all."""
    missed = [row for row in rows if row[1][0] < 1]
    return sorted(missed, key=lambda row: (row[1][0], -len(row[0].relevant), row[0].text))[:EXAMPLES]


def report(systems: list[System], results: Results, args: argparse.Namespace, corpus: Corpus, n_docs: int, queries: list[Query],
           groups: dict[str, list[Abbreviation]], learned: int, builtin_total: int) -> str:  # fmt: skip
    """The results as Markdown."""
    asked = {group: len({q.pair for q in queries if q.group == group}) for group in groups}
    builds = "; ".join(dict.fromkeys(
        f"{'vnsearch' if isinstance(system, Vnsearch) else system.name} {system.build}" for system in systems
    ))  # fmt: skip
    relaxed = ", ".join(f"{system.name} {system.relaxed}" for system in systems if isinstance(system, Vnsearch))
    lines = [
        f"# Abbreviations: recall of the articles that write only the other form ({len(queries)} queries)",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- corpus: {n_docs:,} VNTC articles (speed.py's draw, seed {args.seed}: {corpus.seeds}); indexes: {builds}",
        f"- pairs: {learned} learned by the index (`abbreviations.learned(searching._defined(reader))`, all in the "
        f"Searcher's table), {asked[LEARNED]} of them asked; of the {builtin_total} built-in pairs, "
        f"{len(groups[BUILTIN])} not learned are written by some article, {asked[BUILTIN]} of them asked",
        "- queries: S → L asks the abbreviation as written, relevant the articles writing the long form and "
        "not the abbreviation; L → S the long form unquoted, \"L\" → S quoted, relevant the articles writing the "
        "abbreviation and not the long form; a direction with no relevant article asks nothing",
        f"- command: `python {shlex.join(['benchmarks/abbreviation_recall.py', *sys.argv[1:]])}`",
        "",
        *table(results, queries),
        "",
        "- recall: the share of a query's relevant articles among all the system's matches (the order aside), "
        "averaged over the queries; found none: queries with recall 0.",
        f"- top {TOP}: writes S or L: of the first {TOP} hits of all the queries (pooled), the share that write the",
        "  pair's abbreviation or long form at all (a precision sanity check, not a relevance judgement).",
        f"- ms p50: one query for {TOP} hits, in this process (vnsearch without its \"did you mean\").",
        "- writes L: L's words in a row in the title or the body (`abbreviations.long_key`: case, tone placement,",
        "  punctuation aside; a long form without its *và* is another one); writes S: a run of letters and digits,",
        "  or two adjacent ones, with S's `abbreviations.key` (`TP.HCM`, `TPHCM`, `Tp HCM`).",
        f"- FTS5 as in peers.py (`unicode61 remove_diacritics 2`, a title word weighing {TITLE_WEIGHT} body words):",
        "  each word of the query quoted and ANDed, so FTS5 tokenises `TP.HCM` into the phrase `tp hcm`; a",
        f"  quoted query is one phrase. Queries vnsearch relaxed to any of their words (none had all): {relaxed}.",
        "",
        "## The queries with the most relevant articles",
        "",
        *example_rows(results, queries, commonest),
        "",
        "## vnsearch's misses (recall < 1 expanding), worst first",
        "",
        *example_rows(results, queries, misses),
    ]
    return "\n".join(lines) + "\n"


# -- command line --------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000,
                        help="VNTC articles in the corpus, speed.py's seeded draw (default 10,000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of the articles (default 0)")
    add_folder_options(parser)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the indexes a run built before on the same articles (vnsearch's is brought "
                        "up to date, which is cheap): for changes to the search, not to what is indexed")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, metavar="P",
                        help="a smoke run: P pairs a group at most, over the first 100×P of the N articles; "
                        "nothing saved")  # fmt: skip
    args = parser.parse_args(argv)
    if args.n < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--n and --limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not (args.data / ARCHIVE).is_file():
        raise SystemExit(f"no VNTC archive at {args.data / ARCHIVE}: give the data folder with --data")
    n = min(args.n, 100 * args.limit) if args.limit else args.n
    work = args.work.resolve()
    start = time.perf_counter()
    corpus = prepare_corpus(args.data, work, n, args.seed)
    docs = load_docs(corpus.seed_files(), corpus.seeds)
    asked = systems(corpus, docs, work / f"abbreviation-recall-{n}", args.reuse)
    groups, learned = index_pairs(vnsearch_searcher(asked))
    texts = read_texts(docs, [a for pairs in groups.values() for a in pairs])
    groups[BUILTIN] = occurring(groups[BUILTIN], texts)
    queries = []
    for group, pairs in groups.items():
        made = make_queries(group, pairs, texts)
        if args.limit:  # the first P pairs asked
            kept = list(dict.fromkeys(q.pair for q in made))[: args.limit]
            made = [q for q in made if q.pair in kept]
        queries += made
    log(f"{len(queries)} queries: " + ", ".join(f"{g} {d}: {len(qs)}" for (g, d), qs in by_set(queries).items()))
    results = run(asked, queries, texts)
    text = report(asked, results, args, corpus, len(docs), queries, groups, learned, len(abbreviations.builtin()))
    print(text)
    log(f"done in {time.perf_counter() - start:,.0f} s")
    if not args.limit:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "abbreviation_recall-latest.md"
        path.write_text(text, encoding="utf-8")
        log(f"saved {path}")


def vnsearch_searcher(asked: list[System]):
    """vnsearch's Searcher."""
    return next(system.system.searcher for system in asked if isinstance(system, Vnsearch))


if __name__ == "__main__":
    main()
