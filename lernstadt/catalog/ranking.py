"""One relevance score, computed alike by SQLite and PostgreSQL.

Each database has a ranking function of its own (FTS5's bm25, PostgreSQL's
ts_rank), and they put the same matches in different orders (90 of the 100
judged queries had a different first page). The score here is made of what both
databases answer alike: whether a clause of the query (one typed word and its
alternatives) matches an entry's title or anywhere in it, weighted by how rare the
clause is among the entries, as BM25 weighs its terms:

    score = sum over clauses: weight(clause) * (TITLE * [in title] + ANYWHERE * [anywhere])

A title without the clause still scores a share of its title points for each part
of a compound (or of a pair of words, or of a phrase of the thesaurus) that it
holds, shared by the parts' own weights: for "Gitarrenkurs", "Gitarre für
Erwachsene" ranks above "Kurt-Tucholsky-Schule", as "gitarr" is rare and "kur"
is not. A weight is BM25's inverse document frequency in hundredths, from counts
made by the search's own rule (exact when few, else from the sample), so a score
is a sum of whole numbers, the same on both databases. Equal scores put shorter
titles first (BM25 too prefers short fields), then go by title.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from lernstadt.catalog import query
from lernstadt.lib.timed_cache import TimedCache

# A clause in the title counts 50 times its weight, anywhere else (body, vocabulary
# labels) 5: the ratio of bm25's title and body weights the search had before.
TITLE, ANYWHERE = 45, 5
WEIGHT_SCALE = 100  # a weight is the inverse document frequency in hundredths
# Equal scores: fewer title words first, then the title.
TITLE_WORDS = "LENGTH(e.title) - LENGTH(REPLACE(e.title, ' ', ''))"
TIE_BREAK = f"{TITLE_WORDS}, e.sort_title, e.id"

# How many entries match each node (all entries for None), asked for all at once.
Count = Callable[[list[query.Node | None]], list[int]]
SqlPart = tuple[str, list[object]]
# SQL that entry ``e`` matches a node in its title (True) or anywhere (False).
Test = Callable[[query.Node, bool], SqlPart]

# How many entries match a clause, for a minute: counts move slowly and only shift
# weights; at most 10,000 clauses.
COUNTS: TimedCache[query.Node | None, int] = TimedCache(ttl=60.0, most=10_000)


@dataclass(frozen=True)
class Clause:
    """A clause of the query and the parts of its alternatives that need several
    words: a compound's parts, a pair of typed words that also forms a compound,
    a phrase of the thesaurus."""

    node: query.Node
    parts: tuple[query.Node, ...] = ()


def clauses_of(nodes: list[query.Node]) -> list[Clause]:
    return [Clause(node, _parts(node)) for node in nodes]


def _parts(clause: query.Node) -> tuple[query.Node, ...]:
    found = [
        part
        for alternative in _alternatives(clause)
        if isinstance(alternative, query.AllOf)
        for part in alternative.parts
    ]
    terms = {part: set(query.terms(part)) for part in dict.fromkeys(found)}
    # A part within another counts once ("lern" of a synonym, "lernen" as typed).
    return tuple(
        part for part, own in terms.items() if not any(own < other for other in terms.values())
    )


def _alternatives(node: query.Node) -> list[query.Node]:
    """The alternatives of a clause, those of alternatives included (a synonym's)."""
    if isinstance(node, query.AnyOf):
        return [found for part in node.parts for found in _alternatives(part)]
    return [node]


def weight(matches: int, entries: int) -> int:
    """BM25's inverse document frequency (the variant that is never negative), in
    hundredths: a word in one entry of 5,000 weighs 811, in half of them 69."""
    matches = min(matches, entries)
    idf = math.log(1 + (entries - matches + 0.5) / (matches + 0.5))
    return max(1, round(WEIGHT_SCALE * idf))


def score(clauses: list[Clause], count: Count, test: Test, anywhere: bool = True) -> SqlPart:
    """SQL of the score of entry ``e`` (higher is better) and its parameters;
    without the points for clauses anywhere, when every entry ranked holds them."""
    weights = _weights([node for clause in clauses for node in (clause.node, *clause.parts)], count)
    total = _Sum()
    for clause in clauses:
        clause_weight = weights[clause.node]
        partial = _partial_title(clause, clause_weight, weights, test)
        total.add(test(clause.node, True), clause_weight * TITLE, otherwise=partial)
        if anywhere:
            total.add(test(clause.node, False), clause_weight * ANYWHERE)
    return total.sql()


def in_title(clauses: list[Clause]) -> query.Node:
    """Any clause or part of one: in its title, what an entry needs for a score
    without the points anywhere to give it more than 0."""
    nodes = dict.fromkeys(node for clause in clauses for node in (clause.node, *clause.parts))
    return query.AnyOf(tuple(nodes))


def _partial_title(
    clause: Clause, clause_weight: int, weights: dict[query.Node, int], test: Test
) -> SqlPart:
    """Points for the parts of a clause in a title that lacks the clause: its title
    points, shared among the parts by their weights, and at least 1 (see in_title)."""
    if not clause.parts:
        return "0", []
    shares = sum(weights[part] for part in clause.parts)
    total = _Sum()
    for part in clause.parts:
        total.add(test(part, True), max(1, clause_weight * TITLE * weights[part] // shares))
    return total.sql()


def _weights(nodes: list[query.Node], count: Count) -> dict[query.Node, int]:
    counts = COUNTS.get_many([None, *nodes], count)
    return {node: weight(counts[node], counts[None]) for node in nodes}


def forget_counts() -> None:
    """Count again at the next search (called when the index is written)."""
    COUNTS.forget()


class _Sum:
    """A sum of CASE WHEN terms, with its parameters in order."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.params: list[object] = []

    def add(self, condition: SqlPart, points: int, otherwise: SqlPart = ("0", [])) -> None:
        self.terms.append(f"CASE WHEN {condition[0]} THEN {points:d} ELSE {otherwise[0]} END")
        self.params += [*condition[1], *otherwise[1]]

    def sql(self) -> SqlPart:
        return "(" + " + ".join(self.terms) + ")", self.params
