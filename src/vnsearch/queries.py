"""Query text to Whoosh queries, before any index is read.

Query syntax is Whoosh's: words (all required by default), ``"phrases"``,
``AND``/``OR``/``NOT``, parentheses, ``field:`` prefixes, ``prefix*``.
:func:`parse` also looks adjacent words up as compound words (``dân số`` →
``dân_số``), so that articles using the words together rank first; it
refuses queries that would hold a core for long.  :func:`with_abbreviations`
lets an abbreviation find its long form and back (``UBND``, ``Ủy ban nhân
dân``).  :func:`filter_query`
turns the date, site and category options into a filter, and
:func:`parse_date` reads the dates people type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

from .articles import site_of
from .errors import QueryError
from .ranking import (
    ANY_TERMS_BONUS,
    COMPOUND_BOOST,
    FOLDED_COMPOUND_BOOST,
    FOLDED_PROXIMITY_BOOST,
    PROXIMITY_BOOST,
    PROXIMITY_WINDOW,
    READING_FLOOR,
    Near,
    Readings,
    Synonyms,
)
from .schema import FIELD_BOOSTS, QUERY_FIELDS, SEARCH_FIELDS, VERBATIM_FIELDS
from .abbreviations import Abbreviation, Table, key
from .accents import MAX_WORD_LETTERS, Frequency, likely_forms, shares
from .analysis import query_terms
from .syllables import could_be_syllable
from .text import fold, has_diacritics

__all__ = [
    "parse",
    "check_size",
    "positive_words",
    "without_boosts",
    "highlight_terms",
    "with_readings",
    "with_abbreviations",
    "quote_long_forms",
    "word_runs",
    "compounds",
    "filter_query",
    "parse_date",
    "to_date",
]

# Limits that keep one query from holding a core for long (a paragraph is
# fine: a pasted page is not).  Words longer than ``accents.MAX_WORD_LETTERS``
# are searched but get no suggestions.

#: Longest query, in characters.
MAX_QUERY_CHARS = 1000
#: Deepest nesting of parentheses (Whoosh's parser recurses on each level).
MAX_NESTING = 20
#: Most wildcards (``dân*``, ``d?n``) and ranges (``title:[a TO c]``) in one
#: query: each is a scan of the index's words, and a match of all they find.
MAX_WILDCARDS = 4
#: Loosest phrase, ``"dân số"~10``: Whoosh compares every pair of the words'
#: positions within that distance, in every article that has them all.
MAX_SLOP = 10

_QUESTION_MARK = re.compile(r"\?(?=\s|$)")
_FIELD_PREFIX = re.compile(r"(?:^|[\s(+\-])([^\W\d]\w*):(?!//)")
_SCHEME_WORDS = {"http", "https", "ftp", "mailto"}


def parse(
    text: str, schema: Schema, *, any_terms: bool = False, frequency: Frequency | None = None
) -> wq.Query:
    """The Whoosh query for ``text``, plus optional boosts for its words read together.

    The boosts favour articles with adjacent query words as one compound
    word, or near each other in order (see :mod:`vnsearch.ranking`).  With
    an index's ``frequency`` (see :mod:`vnsearch.accents`), words typed
    without diacritics weigh their forms by how likely each is in context
    (:func:`with_readings`).

    Words are all required, or with ``any_terms`` any of them (more is
    better).  Raises ``QueryError`` for a query that cannot run, or would
    run too long (see the limits above).
    """
    if not text or not text.strip():
        raise QueryError("empty query: give some words to search for")
    if not any_terms:  # in a question ("Lý do: …") a colon is just punctuation
        _check_fields(text)
    group = OrGroup.factory(ANY_TERMS_BONUS) if any_terms else AndGroup
    parser = MultifieldParser(
        list(SEARCH_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=group
    )
    try:
        # "…như thế nào?" and "… TP.HCM ?" are questions, not one-letter wildcards
        typed = parser.parse(_QUESTION_MARK.sub(" ", text), normalize=False)
        parsed = typed.normalize().accept(_every_article)
    except Exception:  # Whoosh raises assorted errors (IndexError…) on odd syntax
        raise QueryError(
            "cannot understand the query: check its AND, OR, NOT, quotes and parentheses"
        ) from None
    if parsed is wq.NullQuery or not list(parsed.leaves()):
        raise QueryError("the query has no words to search for")
    if not _finds_something(parsed):
        raise QueryError("the query only leaves words out (NOT …): add a word to search for")
    _check_cost(parsed)
    words = positive_words(typed)  # in the order typed: normalising drops repeated words
    if frequency is not None:
        parsed = with_readings(parsed, words, frequency)
    boosts = _compound_terms(words) + _proximity_terms(words)
    return wq.AndMaybe(parsed, wq.Or(boosts)) if boosts else parsed


def _check_fields(text: str) -> None:
    """Reject ``name:`` prefixes that are not fields, naming the fields there are."""
    for name in _FIELD_PREFIX.findall(text):
        if name not in QUERY_FIELDS and name.lower() not in _SCHEME_WORDS:
            raise QueryError(f"unknown field '{name}:' (fields: {', '.join(QUERY_FIELDS)})")


def _check_cost(q: wq.Query) -> None:
    """Reject a parsed query with more wildcards, or a looser phrase, than the limits."""
    # "dân*" is looked up in the title and in the body: one wildcard
    per_field = Counter(leaf.fieldname for leaf in q.leaves() if isinstance(leaf, wq.MultiTerm))
    wildcards = max(per_field.values(), default=0)
    if wildcards > MAX_WILDCARDS:
        raise QueryError(
            f"the query has too many wildcards and ranges ({wildcards}, at most "
            f"{MAX_WILDCARDS}): keep the ones that matter"
        )
    slop = max((leaf.slop for leaf in q.leaves() if isinstance(leaf, wq.Phrase)), default=1)
    if slop > MAX_SLOP:
        raise QueryError(f'a phrase\'s ~{slop} is too loose (at most ~{MAX_SLOP}): bring its words closer')


def _finds_something(q: wq.Query) -> bool:
    """Whether ``q`` asks for some words, not only for articles without them (``NOT dân``)."""
    if isinstance(q, wq.Not):
        return False
    if isinstance(q, (wq.AndNot, wq.AndMaybe)):
        return _finds_something(q.a)
    if isinstance(q, wq.compound.CompoundQuery):
        return any(_finds_something(sub) for sub in q.subqueries)
    return True


def _every_article(q: wq.Query) -> wq.Query:
    """``*`` alone as every article: Whoosh finds the articles with a field by reading all its words' postings."""
    return wq.Every(boost=q.boost) if type(q) is wq.Every else q


def check_size(text: str) -> None:
    """Reject a query too deeply nested or too long to run quickly (before parsing it)."""
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_NESTING:
        raise QueryError(
            f"the query is too deeply nested ({deepest} parentheses, at most {MAX_NESTING}): "
            "remove some parentheses"
        )
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS}): "
            "search for its key words"
        )


def _compound_terms(words: list[str]) -> list[wq.Query]:
    """Optional compound-word terms (``dân_số``) for adjacent query words."""
    return [
        wq.Term(
            name,
            compound,
            boost=FIELD_BOOSTS[name]
            * (COMPOUND_BOOST if has_diacritics(compound) else FOLDED_COMPOUND_BOOST),
        )
        for compound in compounds(words)
        for name in SEARCH_FIELDS
    ]


def _proximity_terms(words: list[str]) -> list[wq.Query]:
    """Optional boosts for articles with neighbouring query words near each other, in order."""
    pairs = dict.fromkeys((a, b) for a, b in zip(words, words[1:]) if a.isalnum() and b.isalnum())
    boosts = {pair: PROXIMITY_BOOST if any(map(has_diacritics, pair)) else FOLDED_PROXIMITY_BOOST for pair in pairs}
    return [
        Near(name, list(pair), slop=PROXIMITY_WINDOW, boost=FIELD_BOOSTS[name] * boost)
        for pair, boost in boosts.items()
        if boost
        for name in SEARCH_FIELDS
    ]


def compounds(words: list[str]) -> list[str]:
    """Compound-word terms for each run of 2–3 adjacent words.

    Words typed with diacritics join as typed (``dân_số``, ``gia_đình``: a
    word such as ``gia`` has none to type); words all typed without them join
    folded (``dan_so``).  The index holds compounds both ways.
    """
    out = []
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if any(not w.replace("_", "").isalnum() for w in run):
                continue
            if any(has_diacritics(w) for w in run):
                out.append("_".join(run))
            else:
                out.append("_".join(fold(w) for w in run))
    return list(dict.fromkeys(out))


def positive_words(q: wq.Query) -> list[str]:
    """The body words of a query in order, leaving out negated ones."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return positive_words(q.a)
    if isinstance(q, wq.Term):
        return [q.text] if q.fieldname == "body" else []
    if isinstance(q, wq.Phrase):
        return list(q.words) if q.fieldname == "body" else []
    return [w for child in q.children() for w in positive_words(child)]


def without_boosts(q: wq.Query) -> wq.Query:
    """The query as parsed, without the optional compound-word boosts."""
    return q.a if isinstance(q, wq.AndMaybe) else q


#: A word whose commonest form has this share of its occurrences in the index
#: is read as the plain word: the articles with its other forms are too few to matter.
UNAMBIGUOUS = 0.95
#: Forms whose weight is this close to the rest's are counted with the rest
#: (no postings of their own to read).
SAME_WEIGHT = 0.05


def with_readings(q: wq.Query, words: list[str], frequency: Frequency) -> wq.Query:
    """``q`` with each word typed without diacritics weighing its forms by how likely they are here.

    ``words`` are the query's words in the order typed, ``frequency`` the
    index's count of a word (see :mod:`vnsearch.accents`).
    Likely readings are read from the query's words together: ``duc`` is
    ``đức`` after ``thu`` (Thủ Đức), ``dục`` after ``giao`` (giáo dục).  An
    article's occurrences of a form count ``READING_FLOOR`` for the unlikely
    readings, up to 1 for the likeliest (:class:`vnsearch.ranking.Readings`);
    none is left out, so the same articles match.
    """
    if READING_FLOOR >= 1 or len(words) < 2:  # a word alone has no context to be read in
        return q
    likely: dict[str, dict[str, float]] = {}
    for word, forms in zip(words, likely_forms(words, frequency)):
        if not has_diacritics(word) and set(forms) != {word} and shares(word, frequency)[0][1] < UNAMBIGUOUS:
            for form, share in forms.items():  # a word typed twice: each form as likely as it is anywhere
                likely.setdefault(word, {})[form] = max(share, likely.get(word, {}).get(form, 0.0))

    def weigh(leaf: wq.Query) -> wq.Query:
        if type(leaf) is not wq.Term or leaf.fieldname not in SEARCH_FIELDS or leaf.text not in likely:
            return leaf
        likelihoods = likely[leaf.text]
        rest = _weight(likelihoods.get(leaf.text, 0.0))
        forms = {
            form: _weight(share)
            for form, share in likelihoods.items()
            if form != leaf.text and abs(_weight(share) - rest) > SAME_WEIGHT
        }
        if not forms:
            return leaf
        return Readings(leaf.fieldname, leaf.text, forms, rest, boost=leaf.boost)

    return q.accept(weigh)


def _weight(share: float) -> float:
    """The weight of a reading as likely as ``share`` (0–1) of the likeliest."""
    return READING_FLOOR + (1 - READING_FLOOR) * share


#: Words of the query syntax, not to be read as words.
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}

# Kept as typed: a field's value, a range, a URL or e-mail, a field name, a
# word run into a wildcard; then the words.
_TOKEN = re.compile(
    r"(?P<verbatim>\b(?:%s):(?:\"[^\"]*\"?|\[[^\]]*\]?|\{[^}]*\}?|\S*))"
    r"|(?P<range>[\[{][^\]}]*[\]}]?)"
    r"|(?P<address>(?<!\S)[^\s\"()]*\w[./@]\w[^\s\"()]*)"
    r"|(?P<field>\b\w+:)"
    # a "?" ending a word before a space is a question mark, as the query layer reads it
    r"|(?P<wild>[\w*?]*(?:\*|\?(?!\s|$))[\w*?]*)"
    r"|(?P<word>\w+)" % "|".join(VERBATIM_FIELDS)
)
# What may separate two words that are read together: spaces and quotes.
_NEIGHBOURS = re.compile(r"[\s\"]*")



def word_runs(text: str) -> list[list[re.Match]]:
    """The query's plain words, in runs of neighbours (read together), as matches in ``text``.

    Left out: operators, field names and values (``site:x.vn``), ranges,
    addresses (``TP.HCM``, ``x.vn/a``), wildcards and overlong words.
    """
    runs: list[list[re.Match]] = []
    last_end = None
    for m in _TOKEN.finditer(text):
        word = m.group("word")
        if word is None or word in _OPERATORS or "_" in word or len(word) > MAX_WORD_LETTERS:
            last_end = None
            continue
        between = text[last_end : m.start()] if last_end is not None else None
        if between is not None and _NEIGHBOURS.fullmatch(between):
            runs[-1].append(m)
        else:
            runs.append([m])
        last_end = m.end()
    return runs


def quote_long_forms(text: str, table: Table) -> str:
    """``text`` with each long form typed unquoted put in quotes (``thể dục thể thao`` → ``"thể dục thể thao"``).

    Whoosh's parser drops a word typed twice (``thể``); quoted, the long
    form keeps its words for :func:`with_abbreviations` to find.
    """
    spans = []
    for run in word_runs(text):
        i = 0
        while i < len(run):
            for size in sorted(table.long_form_sizes(run[i].group()), reverse=True):
                words = run[i : i + size]
                span = (words[0].start(), words[-1].end())
                quoted = text.count('"', 0, span[0]) % 2 or '"' in text[span[0] : span[1]]
                if len(words) == size and not quoted and table.abbreviations_of([m.group() for m in words]):
                    spans.append(span)
                    i += size - 1
                    break
            i += 1
    for start, end in reversed(spans):
        text = f'{text[:start]}"{text[start:end]}"{text[end:]}'
    return text


# A word written with two capitals or more (``UBND``, ``TP.HCM``, ``Tp.HCM``).
_CAPITALISED = re.compile(r"\w*[A-ZĐ][\w.&-]*[A-ZĐ]\w*")


def with_abbreviations(
    q: wq.Query, table: Table, text: str, frequency: Frequency | None = None
) -> tuple[wq.Query, list[str]]:
    """``q`` with its abbreviations also matching their long forms, and its long forms their abbreviations.

    ``text`` is the query as typed: a word that is also a Vietnamese
    syllable (``ca``, ``ban``) is taken for an abbreviation only when typed
    in capitals.  Each abbreviation and its long forms become one
    :class:`vnsearch.ranking.Synonyms`, ranked as one word that weighs as
    many as were typed (on ViCoV19QA's train and val questions that expand,
    MRR@10 summed 167.0 unexpanded, 168.7 weighing one word, 172.8 the
    square root of the words typed, 174.6 as many as typed).  With the
    index's ``frequency`` (see :mod:`vnsearch.accents`), an abbreviation is
    also found split as articles write it (``TMNCSG`` as ``TMN-CSG``, when the
    index has ``tmn`` and ``csg``).  Returns the new query and what it also
    searches for (``["Ủy ban nhân dân"]``), to show.
    """
    # TP.HCM typed: "tp", "hcm" and "tphcm" were typed in capitals
    capitals = {key(piece) for m in _CAPITALISED.finditer(text) for piece in [m.group(), *re.split(r"[.&-]", m.group())]}
    expanded: list[str] = []
    grouped: list[set[str]] = []  # the words of each run made a group
    spell = _Spellings(table, frequency)

    def expand(node: wq.Query) -> wq.Query:
        if _group_words(node) is not None:
            return _expand_children([node], spell, capitals, expanded, grouped)[0]
        if type(node) in (wq.And, wq.Or):
            words = _by_word(node.subqueries) if type(node) is wq.Or else node.subqueries
            inner = [c if _group_words(c) is not None else expand(c) for c in words]
            children = _expand_children(inner, spell, capitals, expanded, grouped)
            if type(node) is wq.Or:  # words left alone: back into the one OR, as parsed
                regrouped = {id(c) for c in words} - {id(c) for c in node.subqueries}
                children = [leaf for c in children for leaf in (c.subqueries if id(c) in regrouped else [c])]
            out = type(node)(children, boost=node.boost)
            if type(node) is wq.Or:
                out.scale = node.scale
            return out
        if type(node) is wq.AndNot:
            out = wq.AndNot(expand(node.a), node.b)
        elif type(node) is wq.AndMaybe:  # the boosts for words read together: not within a group
            a = expand(node.a)
            boosts = _without_boosts_within(node.b, grouped)
            out = a if boosts is None else wq.AndMaybe(a, boosts)
        else:
            return node
        out.boost = node.boost
        return out

    return expand(q), list(dict.fromkeys(expanded))


def _without_boosts_within(boosts: wq.Query, grouped: list[set[str]]) -> wq.Query | None:
    """The optional boosts, less those for words of one group (it ranks as one word already); None if none is left."""
    if type(boosts) is not wq.Or or not grouped:
        return boosts

    def within(leaf: wq.Query) -> bool:
        words = leaf.text.split("_") if isinstance(leaf, wq.Term) else getattr(leaf, "words", ())
        return any({fold(w) for w in words} <= group for group in grouped)

    kept = [leaf for leaf in boosts.subqueries if not within(leaf)]
    return wq.Or(kept) if kept else None


def _expand_children(
    children: list[wq.Query], spell: "_Spellings", capitals: set[str], expanded: list[str], grouped: list[set[str]]
) -> list[wq.Query]:
    """Sibling queries with each run of them that is an abbreviation or a long form made one group of synonyms."""
    words = [_group_words(child) for child in children]
    fields = [_group_fields(child) if w is not None else None for child, w in zip(children, words)]
    out, i = [], 0
    while i < len(children):
        group = None
        for j in _run_ends(words, i, spell.table, capitals):  # the longest run first
            if all(fields[k] == fields[i] for k in range(i, j)):
                run = [w for ws in words[i:j] for w in ws]
                group = _synonyms(children[i:j], run, fields[i], spell, capitals, expanded)
                if group is not None:
                    break
        if group is None:
            out.append(children[i])
            i += 1
        else:
            out.append(group)
            grouped.append({fold(w) for w in run})
            i = j
    return out


#: Most words (as the parser splits them) an abbreviation is typed in: ``TP HCM``.
_ABBREVIATION_WORDS = 3


def _run_ends(words: list[tuple[str, ...] | None], i: int, table: Table, capitals: set[str]) -> list[int]:
    """Where a run of query words starting at ``i`` could end to be a long form or an abbreviation, longest first."""
    if words[i] is None:
        return []
    sizes = table.long_form_sizes(words[i][0])
    ends, count = [], 0
    for j in range(i, len(words)):
        if words[j] is None:
            break
        count += len(words[j])
        abbreviation = j - i < _ABBREVIATION_WORDS and all(_abbreviation_like(w, capitals) for w in words[j])
        if count in sizes or abbreviation:
            ends.append(j + 1)
        if count >= max(sizes, default=0) and not abbreviation:
            break
    return ends[::-1]


def _abbreviation_like(word: str, capitals: set[str]) -> bool:
    """Whether a query word may be (part of) an abbreviation: no Vietnamese syllable, or typed in capitals."""
    return not could_be_syllable(fold(word)) or key(word) in capitals


def _synonyms(
    typed: list[wq.Query], words: list[str], fields: tuple[str, ...], spell: "_Spellings",
    capitals: set[str], expanded: list[str],
) -> wq.Query | None:  # fmt: skip
    """The group of synonyms for query words that are an abbreviation or a long form (None: neither)."""
    shortened = spell.table.abbreviations_of(words) if len(words) > 1 else []
    lengthened = []
    if all(_abbreviation_like(w, capitals) for w in words):
        lengthened = spell.table.long_forms("".join(words))
    if not shortened and not lengthened:
        return None
    expanded += [a.long for a in lengthened] + [a.short for a in shortened]
    groups = []
    for name in fields:
        alternatives = [_typed(typed, words, name)]
        for a in lengthened + shortened:
            alternatives += spell(a, name)
        unique = list({repr(alt): alt for alt in alternatives}.values())
        # as many words as typed: "người cao tuổi" (NCT) weighs three words, as it did unexpanded
        groups.append(Synonyms(unique, boost=FIELD_BOOSTS.get(name, 1.0) * len(words)))
    return groups[0] if len(groups) == 1 else wq.Or(groups)


def _typed(typed: list[wq.Query], words: list[str], fieldname: str) -> wq.Query:
    """The words as typed, in one field: a term or a phrase."""
    if len(words) == 1:
        return wq.Term(fieldname, words[0])
    if len(typed) == 1:
        leaf = next(leaf for leaf in typed[0].leaves() if leaf.fieldname == fieldname)
        return wq.Phrase(fieldname, list(leaf.words), slop=leaf.slop)
    return wq.Phrase(fieldname, words)


class _Spellings:
    """The ways an abbreviation and its long form are found in articles: ``TP.HCM``, ``TPHCM``, the long form."""

    #: Fewest letters in each piece of an abbreviation split as articles write it (``TP``, ``HCM``).
    PIECE = 2

    def __init__(self, table: Table, frequency: Frequency | None):
        self.table = table
        self._frequency = frequency

    def __call__(self, a: Abbreviation, fieldname: str) -> list[wq.Query]:
        short = [fold(t) for t in query_terms(a.short)]
        joined = "".join(short)
        found = [wq.Term(fieldname, joined)]
        splits = [short] if len(short) > 1 else []
        splits += [pieces for pieces in self._splits(joined) if pieces != short]
        found += [wq.Phrase(fieldname, pieces) for pieces in splits]
        found.append(wq.Phrase(fieldname, query_terms(a.long)))
        return found

    def _splits(self, joined: str) -> list[list[str]]:
        """``joined`` cut in two or three pieces the index has (``tmn`` ``csg``), none shorter than ``PIECE``."""
        if self._frequency is None:
            return []
        n, size = len(joined), self.PIECE
        cuts = [(i,) for i in range(size, n - size + 1)]
        cuts += [(i, j) for i in range(size, n - 2 * size + 1) for j in range(i + size, n - size + 1)]
        out = []
        for cut in cuts:
            bounds = [0, *cut, n]
            pieces = [joined[x:y] for x, y in zip(bounds, bounds[1:])]
            if all(self._frequency(piece) for piece in pieces):
                out.append(pieces)
        return out


def _group_words(q: wq.Query) -> tuple[str, ...] | None:
    """The words of one word or phrase as the parser gives it (the same in each field searched), or None."""
    leaves = [q] if isinstance(q, (wq.Term, wq.Phrase)) else list(q.subqueries) if type(q) is wq.Or else []
    found = set()
    for leaf in leaves:
        if type(leaf) not in (wq.Term, Readings, wq.Phrase) or leaf.fieldname not in SEARCH_FIELDS:
            return None
        found.add(tuple(leaf.words) if type(leaf) is wq.Phrase else (leaf.text,))
    if len(found) != 1:
        return None
    words = found.pop()
    return words if all(isinstance(w, str) for w in words) else None


def _by_word(leaves: list[wq.Query]) -> list[wq.Query]:
    """An OR's subqueries with each word's terms in its fields (``title:dân OR body:dân``) as one OR.

    The parser gives "any of the words" as one flat OR of every word in every field.
    """
    out: list[wq.Query] = []
    run: list[wq.Query] = []
    last = None
    for leaf in [*leaves, None]:
        words = None if leaf is None else _group_words(leaf)
        if run and (words is None or words != last):
            out.append(run[0] if len(run) == 1 else wq.Or(run))
            run = []
        if leaf is not None:
            run.append(leaf)
            last = words
    return out


def _group_fields(q: wq.Query) -> tuple[str, ...]:
    """The fields a word of the query is searched in."""
    return tuple(sorted(leaf.fieldname for leaf in q.leaves()))


def highlight_terms(q: wq.Query, reader) -> frozenset[str]:
    """The words to mark in snippets: the query's own, wildcards expanded."""
    q = without_boosts(q)
    terms = set()
    for fieldname, text in q.existing_terms(reader, expand=True):
        if fieldname in SEARCH_FIELDS:
            terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    for fieldname, text in q.iter_all_terms():
        if fieldname in SEARCH_FIELDS:
            terms.add(text)
    return frozenset(t for t in terms if "_" not in t)


def filter_query(
    since: dt.date | None, until: dt.date | None, site: str | None, category: str | None
) -> wq.Query | None:
    """The query that lets through articles of those dates, site and category."""
    filters = []
    if since or until:
        filters.append(wq.DateRange("date", _datetime(since), _datetime(until, end=True)))
    if site:
        filters.append(wq.Term("site", _site(site)))
    if category:
        filters.append(wq.Term("category", category.strip().strip("/")))
    return wq.And(filters) if filters else None


def _site(text: str) -> str:
    """A site as typed (``www.x.vn``, ``https://x.vn/a``) as stored (``x.vn``)."""
    text = text.strip()
    return site_of(text if "://" in text else "//" + text) or text.lower()


def _datetime(day: dt.date | None, *, end: bool = False) -> dt.datetime | None:
    """The first (or last) moment of a day, as the index stores dates."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.max if end else dt.time.min)


def parse_date(text: str, *, end: bool = False) -> dt.date:
    """A date typed by a user: ``2024-01-31``, ``2024-01``, ``2024`` or ``31/01/2024``.

    A month or a year stands for its first day, or its last with ``end=True``.
    """
    text = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            d, m, y = map(int, text.split("/"))
            return dt.date(y, m, d)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            y, m = map(int, text.split("-"))
            first = dt.date(y, m, 1)
            if not end:
                return first
            return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    except ValueError:
        pass
    raise QueryError(f"bad date '{text}': use YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY")


def to_date(value: dt.date | str | None, *, end: bool = False) -> dt.date | None:
    """A ``since``/``until`` option as a date: a date stays one, text is read by :func:`parse_date`."""
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value, end=end)
    raise TypeError(f"a date must be a datetime.date or text such as '2024-01-31', not {value!r}")
