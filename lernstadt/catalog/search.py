"""Search over offers and institutions: the door of the search room.

Pages, the API, autocomplete and the ``search`` command call :func:`search_offers`
and :func:`suggest`; importers and signals call the indexing functions named below.
:mod:`~lernstadt.catalog.query` turns what was typed into a boolean query of stems,
and this module runs it as plain SQL on the database's own full-text index:
SQLite FTS5, or PostgreSQL's tsvector of the same stems (``simple``
configuration). Both rank by one score, :mod:`~lernstadt.catalog.ranking`, so
both give the same results in the same order. By relevance, entries whose title
holds every typed word lead; the others are scored only when they do not fill
the window, and those that score nothing come in an index's order. Facet filters
are tokens in the same full-text index (:func:`indexing.facet_token`); facet
counts are SQL ``GROUP BY``s; nothing is done per row in Python. Large totals and
their facet counts are estimated from a content-blind sample of the entries (see
:func:`sample_below`), the same way on both databases.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeGuard

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext

from lernstadt.catalog import indexing, query, ranking, text, vocabulary
from lernstadt.catalog.models import SearchEntry, UnmetQuery
from lernstadt.catalog.taxonomy import (
    Accessibility,
    Cost,
    Language,
    LifePhase,
    ProviderKind,
    Topic,
    label,
)

FACETS: dict[str, Any] = {
    "kind": None,
    "life_phase": LifePhase,
    "topic": Topic,
    "borough": None,
    "cost": Cost,
    "language": Language,
    "accessibility": Accessibility,
    "provider_kind": ProviderKind,
}
SORTS = ("relevance", "title", "date")
RELAX_BELOW = 10  # fewer entries with every word than this: add entries with some
CANDIDATES = 100  # best-scored matches a results window is taken from (see _best_ids)
# Facet counts are exact up to this many matches, estimated from this many beyond: a
# value a third of the matches hold is off by about 6 % (sqrt((1 - 1/3) / (600 / 3)));
# 1,000 entries gave 4.5 % and cost a PostgreSQL page 1.4 ms more (p95 4 ms).
FACET_SAMPLE = 600
# The sample: every entry has a content-blind position on a circle of HASH_RANGE
# points (Knuth's multiplicative hash of its id, in SQL on both databases and
# behind an expression index on both); entries below a threshold form a sample of
# that share. Counting the matches in the 1/16 sample costs a few milliseconds where
# counting all 60,000 matches of "Kurs" cost half a second.
HASH_RANGE = 2**32
SAMPLE_SHARE = 16  # the sample holds one entry in 16
# Matches in the sample from which the total is estimated: from about 1,600 matches,
# with a standard error of at most 10 % (1 / sqrt(100)).
ESTIMATE_FROM = 100
# Both databases keep a full-text index of a sample alone: PostgreSQL GIN indexes of
# the 1/16 sample and of this larger one, SQLite an FTS5 table of it, in circle order.
SAMPLE_INDEX_SHARE = 4  # one entry in 4 (migrations 0010, 0011)
# PostgreSQL keeps GIN indexes of the words and facet tokens of these samples (0009,
# 0011, 0012, 0015): a bound names the smallest that holds it (see _below). SQLite's
# sample table serves any part of its quarter.
SMALL_SAMPLE_SHARE = 64
POSTGRES_SAMPLE_SHARES = (SMALL_SAMPLE_SHARE, SAMPLE_SHARE, SAMPLE_INDEX_SHARE)
BROWSABLE = 1_000  # pages reach this far into an estimated total
# Many matches are put in order by walking an index in that order, testing each
# entry met, when the walk is short: a step of it costs about a quarter of fetching
# and sorting one match on SQLite, which reads the index alone, and about as much
# on PostgreSQL, which reads the entry's row (see _walk_pays).
WALK_PER_SORT = {"sqlite": 4, "postgresql": 1}
# PostgreSQL's walk stops after this many steps per match of the group: a step
# costs 0.45-1.1 us there, fetching and sorting a match 1.1-1.9 us (see
# _walk_in_tie_break_order).
WALK_BOUND = 2
# A walk meets the titles holding the typed words this many times later than evenly
# spread entries, for its decision (see RankedEntries._titled).
TITLED_LATE = 4
SCHOOL_NUMBER = re.compile(r"^\d{6}$")
# An entry's texts for the index, which no page shows.
INDEX_TEXTS = (
    *("search_title", "search_body", "search_labels", "search_facets"),
    *("stems_title", "stems_body", "stems_labels"),
)

# Indexing lives in its own module; these names are part of the search room's door.
index_offer = indexing.index_offer
index_offers = indexing.index_offers
index_provider = indexing.index_provider
index_providers = indexing.index_providers
rebuild_index = indexing.rebuild_index
vacuum_index = indexing.vacuum_index


# --- querying ------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    approximate: bool = False  # estimated from a sample of a large result


@dataclass
class SearchResult:
    query: str
    total: int  # exact, or estimated from the sample when large (``total_estimated``)
    page: Page[SearchEntry]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    sort: str = "relevance"
    corrections: dict[str, list[str]] = field(default_factory=dict)
    relaxed: bool = False  # few entries had every word: those first, then some of them
    exact_total: int = 0  # entries with every word (facets count these)
    suggestion: str = ""  # "did you mean", when nothing was found
    total_estimated: bool = False  # ``total`` is rounded and estimated from the sample


Selection = dict[str, list[str]]
SqlPart = tuple[str, list[Any]]
# A group's first entries in order, (id, cancelled), and whether they are all of it.
Candidates = tuple[list[tuple[int, bool]], bool]
# A group of matches in order: (limit, entries before it) -> its candidates.
Group = Callable[[int, int], Candidates]

FTS_TABLE = "catalog_searchentry_fts"
# The sample's FTS5 table (migration 0010): a row's rowid is its entry's place on the
# circle, so FTS5 hands out matches in circle order. Its entry's id: Knuth's
# multiplier is odd and 244002641 its inverse modulo 2**32 (%% is one % to the driver).
FTS_SAMPLE = "catalog_searchentry_fts_sample"
FTS_SAMPLE_ENTRY = f"((rowid * 244002641) %% {HASH_RANGE})"
# The titles' FTS5 table (migration 0017), SQLite's counterpart of PostgreSQL's
# title vector: a title test reads the entries with the word in their title only.
FTS_TITLES = "catalog_searchentry_fts_title"


def _vector(node: query.Node) -> str:
    """The tsvector a PostgreSQL expression asks: the title's own for title words
    (migration 0008), whose index answers without rechecking weights."""
    return "e.title_vector" if query.in_title_only(node) else "e.search_vector"


def sample_position(column: str) -> str:
    """SQL for an entry's place on the sample circle, 0 to HASH_RANGE - 1. The
    expression is also the PostgreSQL index's (migration 0008): keep them equal."""
    return f"(({column} * 2654435761) %% {HASH_RANGE})"  # %% is one % to the driver


def sample_below(share: float) -> int:
    """The threshold of positions that makes a sample of about ``share`` of the entries."""
    return max(1, min(HASH_RANGE, round(share * HASH_RANGE)))


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _match(node: query.Node | None, selected: Selection | None = None) -> SqlPart:
    """The condition that an entry matches the expression and the chosen facet
    values (TRUE without either), answered by the full-text index alone."""
    if node is None and not selected:
        return "1 = 1", []
    if connection.vendor != "postgresql":
        if node is not None and query.in_title_only(node) and not selected:
            return _field_match(node, in_title=True)
        return f"e.id IN ({_fts_ids()})", [_fts_query(node, selected or {})]
    sql: list[str] = []
    params: list[Any] = []
    if node is not None:
        words, params = _words_match(node)
        sql.append(words)
    if selected:
        sql.append("e.facet_vector @@ to_tsquery('simple', %s)")
        params.append(" & ".join(f"({' | '.join(tokens)})" for tokens in _facet_tokens(selected)))
    return " AND ".join(sql), params


def _words_match(node: query.Node) -> SqlPart:
    """PostgreSQL: entries whose vector matches ``node``, asked clause by clause (a
    clause: one typed word and its alternatives), which PostgreSQL combines as GIN
    bitmaps. As one tsquery, every AND nested in an OR (a compound's parts, a phrase
    of the thesaurus) made GIN test each entry holding any of the words instead of
    skipping through the rarest: "Deutschkurs für Frauen mit Kinderbetreuung Herne"
    18 -> 2.5 ms, and entries with three of its four words 52 -> 9 ms."""
    if isinstance(node, query.SomeClauses):
        return _joined(" OR ", [_words_match(part) for part in node.parts])
    if isinstance(node, query.EveryClause):
        return _joined(" AND ", [_words_match(part) for part in node.parts])
    sql = f"{_vector(node)} @@ to_tsquery('simple', %s)"
    return sql, [query.to_tsquery(node, vocabulary.lexemes(query.prefixes(node)))]


def _field_match(node: query.Node, in_title: bool) -> SqlPart:
    """The entry ``e`` matches ``node`` in its title, or anywhere: a test of the
    relevance score (see :mod:`ranking`), on the entry's own vector or FTS row;
    on SQLite also every test of titles alone (the titles' FTS5 table).
    PostgreSQL tests prefixes as such: a vector finds a prefix as fast as a stem,
    while the stems a prefix stands for are there for GIN (see _words_match)."""
    if connection.vendor == "postgresql":
        vector = "e.title_vector" if in_title else "e.search_vector"
        return f"{vector} @@ to_tsquery('simple', %s)", [query.to_tsquery(node)]
    table = FTS_TITLES if in_title else FTS_TABLE
    return f"e.id IN ({_fts_ids(table)})", [query.to_fts5(node, titles_alone=in_title)]


def _joined(joiner: str, parts: list[SqlPart]) -> SqlPart:
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def _facet_tokens(selected: Selection) -> list[list[str]]:
    """Each chosen facet as the index tokens of its chosen values: an entry must
    have one value of every chosen facet (migration 0009)."""
    return [[indexing.facet_token(f, value) for value in values] for f, values in selected.items()]


def _fts_query(node: query.Node | None, selected: Selection) -> str:
    """One FTS5 expression for the words and the chosen facet values."""
    parts = [query.to_fts5(node)] if node is not None else []
    parts += [
        "(" + " OR ".join(f'"{t}"' for t in tokens) + ")" for tokens in _facet_tokens(selected)
    ]
    return " AND ".join(parts)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class RankedEntries:
    """The matching entries in order, fetched a page at a time (for Paginator)."""

    def __init__(
        self,
        node: query.Node | None,
        selected: Selection,
        sort: str,
        numbers: list[str],
        first: query.Node | None = None,
        cap: int | None = None,
        titled: query.Node | None = None,
        clauses: list[query.Node] | None = None,
    ) -> None:
        self.node, self.selected, self.sort, self.numbers = node, selected, sort, numbers
        self.clauses = clauses or []  # what the relevance score weighs (see ranking)
        self.first = first  # entries matching this come before the rest
        # By relevance, entries with every typed word in their title lead.
        self.titled = titled if sort == "relevance" and node is not None else None
        self.cap = cap  # at most this many entries, the best first
        self._total: tuple[int, bool] | None = None
        self._ids: list[int] | None = None
        self._windows: dict[tuple[int, int], list[SearchEntry]] = {}
        self._score: SqlPart | None = None

    def total(self) -> tuple[int, bool]:
        """(number of matches, whether it is estimated): exact while the sample
        holds fewer than ESTIMATE_FROM of them, else the sample's count scaled up."""
        if self._total is None:
            tally = _tally(self.node, self.selected)
            matches, estimated, self._ids = tally.matches, tally.estimated, tally.ids
            if self.cap is not None:
                matches, estimated = min(matches, self.cap), False
            self._total = matches, estimated
        return self._total

    def matching_ids(self) -> list[int] | None:
        """Every match, when they were fetched to count few (see :func:`_tally`)."""
        self.total()
        return self._ids

    def _match(self, node: query.Node | None) -> SqlPart:
        """The entries matching ``node`` (this search's words, or the subset with them
        in the title) and the chosen facets: by id when the matches are known."""
        ids = self.matching_ids()
        if ids is None:
            return _match(node, self.selected)
        among, among_params = _among(ids)
        if node == self.node:
            return among, among_params
        words, params = _match(node)
        return f"{among} AND {words}", [*among_params, *params]

    def count(self) -> int:
        """The entries one can page through (Paginator's count)."""
        matches, estimated = self.total()
        return min(matches, BROWSABLE) if estimated else matches

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[SearchEntry]:
        start = window.start or 0
        stop = self.count() if window.stop is None else min(window.stop, self.count())
        if stop <= start:
            return []
        if (start, stop) not in self._windows:
            # Paginator and the API may ask for the same window: rank once.
            self._windows[start, stop] = self._fetch(start, stop)
        return self._windows[start, stop]

    def _fetch(self, start: int, stop: int) -> list[SearchEntry]:
        ids = self._best_ids(start, stop) if self._ranks_best_first() else None
        if ids is None:
            sql, params = self._page_sql(stop)
            rows = _rows(f"{sql} LIMIT %s OFFSET %s", [*params, stop - start, start])
            ids = [row[0] for row in rows]
        entries = SearchEntry.objects.defer(*INDEX_TEXTS).in_bulk(ids)
        return [entries[i] for i in ids if i in entries]

    def _ranks_best_first(self) -> bool:
        return (
            self.node is not None
            and self.sort == "relevance"
            and not self.numbers
            and self.first is None
        )

    def _best_ids(self, start: int, stop: int) -> list[int] | None:
        """The window taken from the best-scored matches alone, when they decide it.

        Scoring every match of a broad search (66,000 for "Kurs") to show 20 is what
        made it slow. The matches fall into groups that follow each other in the
        order (see :meth:`_groups_best_first`); each group gives its best ``limit``
        candidates, the first group's first, until they hold the window. Cancelled
        entries go last: when the candidates so far hold ``stop`` entries that still
        take place, no match outside them can come earlier, so the window is exact;
        when a group has more than its candidates and they do not hold the window,
        None (full order).
        """
        limit = max(2 * stop, CANDIDATES)
        rows: list[tuple[int, bool]] = []
        for group in self._groups_best_first(limit):
            found, complete = group(limit, len(rows))
            rows = sorted(rows + found, key=lambda row: row[1])  # stable: groups keep order
            if not complete or _taking_place(rows) >= stop:
                return _window(rows, start, stop, complete)
        return _window(rows, start, stop, complete=True)

    def _groups_best_first(self, limit: int) -> Iterator[Group]:
        """The groups of matches in the order of the score: entries with every typed
        word in their title (they score alike) lead, the others follow, scored. When
        the score counts titles alone (the search was not widened) and the others are
        many, those with a clause or a part of one in their title come first, scored,
        and the rest last: they all score 0, so their order is the tie-break's, which
        an index holds (:meth:`_untitled`)."""
        if self.titled is not None:
            yield self._titled
        if self._scores_titles_alone() and _walk_pays(limit, self.total()[0]):
            yield from (self._title_hits, self._untitled)
        else:
            yield self._scored

    def _titled(self, limit: int, before: int) -> Candidates:
        """Entries with every typed word in their title ("Kinder": 18,663 titles).

        A title holding a given word is longer than most, and the walk in tie-break
        order starts at the shortest titles, so it meets them later than evenly
        spread ones: after 0.1 to 17 times the steps ("Schule", "Kinder"; 5 for
        "Senioren", 13 for "Vater"). SQLite, which counts them in 0.1 ms, walks when
        the walk pays even TITLED_LATE times as long: "Kinder" 20 -> 6 ms, while
        "Vater", which a walk whenever it paid took from 5 to 8 ms, is sorted.
        PostgreSQL sorts: a count costs it a read of every title found, and a step
        of its walk a row."""
        titled, matches = 0, self.total()[0]
        sqlite = connection.vendor != "postgresql"
        if sqlite and self.titled is not None and _walk_pays(TITLED_LATE * limit, matches):
            titled = min(matches, _count_in_titles(self.titled))
        return self._in_tie_break_order(self._match(self.titled), limit, titled, TITLED_LATE)

    def _scored(self, limit: int, before: int) -> Candidates:
        return self._candidates(self._without_titled(), self._by_score(), limit)

    def _title_hits(self, limit: int, before: int) -> Candidates:
        """Matches with a clause or a part of one in their title, scored. PostgreSQL
        ANDs the two indexes' bitmaps; SQLite reads one list and tests each entry of
        it against the other, so it is told to read the shorter: a broad word's few
        titles ("barrierefrei": 39,000 matches, 22 -> 1 ms), or the matches of
        several words, which many titles hold one of."""
        matches, in_title = self._without_titled(), self._title_hit()
        if connection.vendor != "postgresql":
            if _count_in_titles(ranking.in_title(self._clauses())) < self.total()[0]:
                matches = _unindexed(matches)
            else:
                in_title = _unindexed(in_title)
        return self._candidates(_joined(" AND ", [matches, in_title]), self._by_score(), limit)

    def _untitled(self, limit: int, before: int) -> Candidates:
        """Matches with no clause in their title: they all score 0."""
        hit, params = self._title_hit()
        where = _joined(" AND ", [self._match(self.node), (f"NOT {hit}", params)])
        return self._in_tie_break_order(where, limit, self.total()[0] - before)

    def _in_tie_break_order(
        self, where: SqlPart, limit: int, matches: int, late: int = 1
    ) -> Candidates:
        """The first ``limit`` entries of a group of about ``matches`` in tie-break
        order. Many (for a walk ``late`` times as long as evenly spread matches make
        it): walk the index of the open entries in that order, which stops after
        ``limit`` of them; only open entries are found, so the group is not complete.
        Few, or when the walk found fewer (PostgreSQL's walk is bounded): fetch them
        and sort."""
        if _walk_pays(late * limit, matches):
            sql, params = _walk_in_tie_break_order(where, limit, matches)
            rows = [(row[0], False) for row in _rows(sql, params)]
            if len(rows) == limit:
                return rows, False
        return self._candidates(where, (ranking.TIE_BREAK, []), limit)

    def _without_titled(self) -> SqlPart:
        if self.titled is None:
            return self._match(self.node)
        excluded, params = _match(self.titled)
        return _joined(" AND ", [self._match(self.node), (f"NOT {excluded}", params)])

    def _title_hit(self) -> SqlPart:
        return _field_match(ranking.in_title(self._clauses()), in_title=True)

    def _clauses(self) -> list[ranking.Clause]:
        return ranking.clauses_of(self.clauses)

    def _scores_titles_alone(self) -> bool:
        """When every match holds every clause, points for a clause anywhere add the
        same to each: the score counts titles alone."""
        return self.node == query.every_clause(self.clauses)

    def _candidates(self, where: SqlPart, order: SqlPart, limit: int) -> Candidates:
        """(id, cancelled) of the first ``limit`` entries of ``where`` in ``order``,
        those that take place first, and whether they are all of them."""
        sql = (
            f"SELECT e.id, e.is_cancelled FROM catalog_searchentry e WHERE {where[0]} "
            f"ORDER BY e.is_cancelled, {order[0]} LIMIT %s"
        )
        rows = [(i, bool(c)) for i, c in _rows(sql, [*where[1], *order[1], limit])]
        return rows, len(rows) < limit

    def _by_score(self) -> SqlPart:
        """ORDER BY the relevance score of entry ``e`` (see :mod:`ranking`)."""
        if self._score is None:
            anywhere = not self._scores_titles_alone()
            score, params = ranking.score(self._clauses(), _counts, _field_match, anywhere)
            self._score = f"{score} DESC, {ranking.TIE_BREAK}", params
        return self._score

    def _order(self) -> SqlPart:
        order, params = self._groups()
        if self.sort == "title":
            return f"{order}, e.sort_title, e.id", params
        if self.sort == "date":
            return f"{order}, e.next_date ASC NULLS LAST, e.sort_title, e.id", params
        if self.node is None:
            return f"{order}, e.id", params
        if self.titled is not None:
            # Entries with every typed word in their title first.
            titled, titled_params = _match(self.titled)
            order += f", CASE WHEN {titled} THEN 0 ELSE 1 END"
            params += titled_params
        score, score_params = self._by_score()
        return f"{order}, {score}", [*params, *score_params]

    def _groups(self) -> SqlPart:
        """Whole groups in front of others, whatever the sort."""
        order, params = [], []
        if self.numbers:
            # An official school number finds its school first.
            numbers = _placeholders(self.numbers)
            order.append(f"CASE WHEN e.school_number IN ({numbers}) THEN 0 ELSE 1 END")
            params += self.numbers
        if self.first is not None:
            match, match_params = _match(self.first)
            order.append(f"CASE WHEN {match} THEN 0 ELSE 1 END")
            params += match_params
        # Cancelled offers stay findable, after everything that still takes place.
        order.append("e.is_cancelled")
        return ", ".join(order), params

    def _page_sql(self, stop: int) -> SqlPart:
        order, order_params = self._order()
        where, params = self._match(self.node)
        if self.node is not None and self.sort != "relevance" and not self.total()[1]:
            # Few matches (counted exactly): those first, then their order. Left to
            # itself, PostgreSQL walks the title or date index and tests entry after
            # entry against the words, which pays only when most entries match.
            matches = f"SELECT e.id FROM catalog_searchentry e WHERE {where}"
            sql = (
                f"WITH m AS MATERIALIZED ({matches}) "
                f"SELECT e.id FROM m JOIN catalog_searchentry e ON e.id = m.id ORDER BY {order}"
            )
            return sql, [*params, *order_params]
        if self._walks_titles(stop):
            # The matches only test each entry of the title index as it walks, which
            # stops after the window, instead of each match being fetched and sorted.
            where, params = _unindexed((where, params))
        sql = f"SELECT e.id FROM catalog_searchentry e WHERE {where} ORDER BY {order}"
        return sql, [*params, *order_params]

    def _walks_titles(self, stop: int) -> bool:
        """Whether SQLite should walk the title index to a window ending at ``stop``.
        PostgreSQL decides this from its statistics; SQLite knows nothing of how many
        entries the full-text index will give."""
        if connection.vendor == "postgresql" or self.sort != "title" or self.numbers:
            return False
        if self.first is not None or (self.node is None and not self.selected):
            return False
        return _walk_pays(stop, self.total()[0])


def _walk_pays(wanted: int, matches: int) -> bool:
    """Whether walking an index in the order wanted, testing each entry met, costs
    less than fetching and sorting ``matches`` entries: the walk meets a match every
    ``entries / matches`` steps (all entries counted as the weights are, once a
    minute)."""
    entries = ranking.COUNTS.get_many([None], _counts)[None]
    steps = wanted * entries / max(matches, 1)
    return steps <= WALK_PER_SORT[connection.vendor] * matches


def _walk_in_tie_break_order(where: SqlPart, limit: int, matches: int) -> SqlPart:
    """At most the first ``limit`` open entries of ``where`` (of about ``matches``
    entries) in tie-break order, found by walking migration 0020's index and testing
    each entry met. SQLite walks it when ``+`` keeps the full-text index out of the
    plan; a walk through all 106,000 open entries of bench/scale took 5.7 ms.
    PostgreSQL reads each entry's row to test it, so its walk stops after
    WALK_BOUND steps per match: matches crowded at the end of the order then cost
    about what fetching and sorting them costs, before they are."""
    if connection.vendor != "postgresql":
        condition, params = _unindexed(where)
        sql = (
            "SELECT e.id FROM catalog_searchentry e WHERE NOT e.is_cancelled AND "
            f"{condition} ORDER BY {ranking.TIE_BREAK} LIMIT %s"
        )
        return sql, [*params, limit]
    condition, params = where
    steps = WALK_BOUND * max(matches, limit)
    walked = (
        f"SELECT e.*, {ranking.TITLE_WORDS} AS title_words FROM catalog_searchentry e "
        f"WHERE NOT e.is_cancelled ORDER BY {ranking.TIE_BREAK} LIMIT %s"
    )
    sql = (
        f"SELECT e.id FROM ({walked}) e WHERE {condition} "
        "ORDER BY e.title_words, e.sort_title, e.id LIMIT %s"
    )
    return sql, [steps, *params, limit]


def _unindexed(condition: SqlPart) -> SqlPart:
    """SQLite: the condition, tested on each entry met but never the index that
    finds the entries (SQLite's unary "+")."""
    return f"+{condition[0]}", condition[1]


def _count_in_titles(node: query.Node) -> int:
    """SQLite: how many entries hold ``node`` in their title (the titles' own FTS5
    table counts them in 0.01-2 ms)."""
    sql = f"SELECT COUNT(*) FROM {_fts_matches(FTS_TITLES)}"
    return int(_rows(sql, [query.to_fts5(node, titles_alone=True)])[0][0])


def _fts_matches(table: str = FTS_TABLE) -> str:
    return f"{table} WHERE {table} MATCH %s"


def _fts_ids(table: str = FTS_TABLE) -> str:
    return f"SELECT rowid FROM {_fts_matches(table)}"


def _taking_place(rows: list[tuple[int, bool]]) -> int:
    return sum(1 for _, cancelled in rows if not cancelled)


def _window(
    rows: list[tuple[int, bool]], start: int, stop: int, complete: bool
) -> list[int] | None:
    """Ids of ``rows[start:stop]`` when no entry outside the candidates can come
    earlier: they are all matches (``complete``), or ``stop`` of them take place."""
    if complete or _taking_place(rows) >= stop:
        return [entry_id for entry_id, _ in rows[start:stop]]
    return None


@dataclass
class Tally:
    matches: int
    estimated: bool
    ids: list[int] | None = None  # every match, when fetched (see _fetches_few_matches)


def _tally(node: query.Node | None, selected: Selection) -> Tally:
    """The number of matches, the same on both databases: the sample's count,
    scaled up when it holds many, else every match counted. Both count the
    sample through a full-text index of a sample alone (see SAMPLE_INDEX_SHARE).
    Few matches are fetched, where asking the index again costs more than asking
    by id (see :func:`_fetches_few_matches`): the page's ranking and facet counts
    then ask for them by id."""
    (estimate,) = _estimates([node], selected)
    if estimate is not None:
        return Tally(_rounded(estimate), True)
    if _fetches_few_matches(node):
        ids = [row[0] for row in _rows(*_matching_ids(node, selected))]
        return Tally(len(ids), False, ids)
    return Tally(_rows(*_count_sql(node, selected))[0][0], False)


def _fetches_few_matches(node: query.Node | None) -> bool:
    """Whether few matches are fetched once rather than asked of the index again.

    PostgreSQL: always; a common word's GIN bitmap costs 15-20 ms a statement
    however few entries match in the end. SQLite: for entries with most of the
    words (several combinations of them), which FTS5 answers combination by
    combination each time: "Schwimmkurs Kinder Wochenende Wanne Anfänger" 73 ->
    55 ms. For other searches FTS5's lists were faster than the ids (all 71
    searches of bench/scale: mean 8.3 -> 9.5 ms)."""
    return connection.vendor == "postgresql" or isinstance(node, query.SomeClauses)


def _among(ids: list[int]) -> SqlPart:
    """The entry ``e`` is one of ``ids`` (one parameter)."""
    if connection.vendor == "postgresql":
        return "e.id = ANY(%s::bigint[])", [_array_text(ids)]
    return "e.id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def _listed(ids: list[int]) -> SqlPart:
    """``SELECT e.id`` of each of ``ids`` (one parameter), without the entries' table."""
    if connection.vendor == "postgresql":
        return "SELECT e.id FROM unnest(%s::bigint[]) AS e(id)", [_array_text(ids)]
    return "SELECT e.id FROM (SELECT value AS id FROM json_each(%s)) e", [json.dumps(ids)]


def _array_text(ids: list[int]) -> str:
    """PostgreSQL's text form of an array of ids. Given a list, psycopg's client-side
    binding adapts it element by element in Python: 1.7 ms for 1,500 ids, where
    this string takes 0.2 ms (SQLite's JSON is made the same way)."""
    return "{" + ",".join(map(str, ids)) + "}"


def _estimates(nodes: list[query.Node | None], selected: Selection) -> list[int | None]:
    """For each node, the sample's count of its matches scaled up, when the sample
    holds enough of them (else None): one statement."""
    below = sample_below(1 / SAMPLE_SHARE)
    sampled = _scalars([_count_sql(node, selected, below) for node in nodes])
    return [count * SAMPLE_SHARE if count >= ESTIMATE_FROM else None for count in sampled]


def _counts(nodes: list[query.Node | None]) -> list[int]:
    """How many entries match each node (all entries for None), by the rule of the
    search's total, unrounded (the weights of the ranking): in two statements, the
    sample's counts of them all, then exact counts of those it holds few of."""
    estimates = _estimates(nodes, {})
    few = [node for node, estimate in zip(nodes, estimates, strict=True) if estimate is None]
    exact = dict(zip(few, _scalars([_count_sql(node, {}) for node in few]), strict=True))
    return [
        exact[node] if estimate is None else estimate
        for node, estimate in zip(nodes, estimates, strict=True)
    ]


def _scalars(statements: list[SqlPart]) -> list[Any]:
    """The one value of each statement, asked in one round trip."""
    if not statements:
        return []
    sql = "SELECT " + ", ".join(f"({statement})" for statement, _ in statements)
    return list(_rows(sql, [param for _, params in statements for param in params])[0])


def _count_sql(node: query.Node | None, selected: Selection, below: int | None = None) -> SqlPart:
    ids, params = _matching_ids(node, selected, below)
    return f"SELECT COUNT(*) FROM ({ids}) c", params


def _rounded(estimate: int) -> int:
    """Two significant digits: an estimate should not look exact."""
    digits = len(str(estimate)) - 2
    return round(estimate, -digits) if digits > 0 else estimate


def facet_counts(
    node: query.Node | None, selected: Selection, matches: int, ids: list[int] | None = None
) -> dict[str, list[FacetValue]]:
    """Counts per facet value in SQL. Each chosen facet is counted without its own
    choice, so a citizen sees what picking another value of it would give.

    Each group of facets counts its own matches (a chosen facet's are more than the
    result's): up to FACET_SAMPLE of them exactly; beyond, the FACET_SAMPLE lowest
    on the sample circle (which says nothing about content), scaled up and marked
    approximate. Counting every tag of 60,000 matches costs half a second, a sample
    of 1,000 a few milliseconds. Every group has at least the result's ``matches``,
    so only their first ``FACET_SAMPLE / matches`` of the circle need looking at.
    ``ids``, when given, are the result's matches (the group of unchosen facets).
    """
    below = sample_below(FACET_SAMPLE / matches) if matches > FACET_SAMPLE else HASH_RANGE
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    approximate: dict[str, bool] = {}
    unchosen = [facet for facet in FACETS if facet not in selected]
    groups = [(unchosen, "")] + [([facet], facet) for facet in selected]
    for facets, skip in groups:
        if facets:
            known = ids if not skip else None
            rows = _rows(*_facet_sql(node, selected, skip, facets, below, known))
            scale = HASH_RANGE / _sampled_below(rows, below)
            for facet, value, count, *_ in rows:
                counts[facet][value] = round(count * scale)
            approximate |= dict.fromkeys(facets, scale > 1)
    return {
        facet: _facet_values(facet, values, selected.get(facet, []), approximate[facet])
        for facet, values in counts.items()
    }


def _sampled_below(rows: list[tuple[Any, ...]], below: int) -> int:
    """The part of the circle a group's counts cover: up to its last counted entry
    when FACET_SAMPLE of them were taken, else all of ``below``."""
    if rows and rows[0][3] >= FACET_SAMPLE:
        return int(rows[0][4]) + 1
    return below


def _facet_sql(
    node: query.Node | None,
    selected: Selection,
    skip: str,
    facets: list[str],
    below: int,
    ids: list[int] | None = None,
) -> SqlPart:
    """Tags of at most FACET_SAMPLE matching entries (the lowest on the sample circle,
    all below ``below``), grouped, with how many entries were taken and the place of
    the last. Driven from those entries through the (entry, tag) index."""
    others = {k: v for k, v in selected.items() if k != skip}
    taken, params = _lowest_on_circle(node, others, below if below < HASH_RANGE else None, ids)
    # All tags of an entry in one index range, grouped by their numbers; a chosen
    # facet's group keeps its own facet's values after grouping (the index writes
    # tags of FACETS only, tests/test_search.py checks).
    some = [] if set(facets) == set(FACETS) else facets
    sql = (
        f"WITH s AS ({taken}) "
        "SELECT g.facet, g.value, c.n, (SELECT COUNT(*) FROM s), (SELECT MAX(position) FROM s) "
        f"FROM (SELECT t.tag_id, COUNT(*) AS n FROM {_tags_of_taken()} GROUP BY t.tag_id) c "
        "JOIN catalog_tag g ON g.id = c.tag_id"
        + (f" WHERE g.facet IN ({_placeholders(some)})" if some else "")
    )
    return sql, [*params, *some]


def _tags_of_taken() -> str:
    """The tags ``t`` of the entries taken (``s``): SQLite keeps the entries as the
    outer loop (CROSS JOIN); PostgreSQL reads the tags of all of them in one scan
    of the index for their array, instead of a nested loop of 600 index look-ups:
    the 81 facet statements of bench/scale 585 -> 542 ms (best of five each)."""
    if connection.vendor == "postgresql":
        return "catalog_searchtag t WHERE t.entry_id = ANY(ARRAY(SELECT id FROM s))"
    return "s CROSS JOIN catalog_searchtag t WHERE t.entry_id = s.id"


def _lowest_on_circle(
    node: query.Node | None, selected: Selection, below: int | None, ids: list[int] | None
) -> SqlPart:
    """``SELECT id, position`` of the FACET_SAMPLE matches lowest on the sample circle
    (all below ``below``, when given). From SQLite's sample index, FTS5 stops after
    them."""
    lowest = f"ORDER BY position LIMIT {FACET_SAMPLE:d}"
    if _from_fts(node, selected, ids) and _in_sample_index(below):
        sql = f"SELECT {FTS_SAMPLE_ENTRY} AS id, rowid AS position FROM {_sampled(below)} {lowest}"
        return sql, [_fts_query(node, selected)]
    quarter = sample_below(1 / SAMPLE_INDEX_SHARE)
    words_on_postgresql = node is not None and ids is None and connection.vendor == "postgresql"
    if words_on_postgresql and (below is None or below > quarter):
        return _lowest_from_the_quarter_first(node, selected, below, quarter)
    matching, params = _matching_ids(node, selected, below, ids)
    position = sample_position("m.id")
    if words_on_postgresql:
        # Sorted, not read in the circle index's order: that walk tests the words
        # of entry after entry (see _below).
        position += " + 0"
    return f"SELECT m.id, {position} AS position FROM ({matching}) m {lowest}", params


def _lowest_from_the_quarter_first(
    node: query.Node | None, selected: Selection, below: int | None, quarter: int
) -> SqlPart:
    """PostgreSQL: the FACET_SAMPLE matches lowest on the circle, looked for in the
    quarter's GIN index first; the rest of the circle up to ``below`` is read only
    when the quarter holds fewer (a one-time filter). The same entries as reading
    every match below ``below``, without reading the rows of all of them: a chosen
    facet's group counts the matches of the words without it, many more than the
    result's ("Yoga" in a borough: 3,700 rows read, 61 shown)."""
    position = f"{sample_position('m.id')} + 0"  # sorted, not read in the circle's order
    lowest = f"ORDER BY position LIMIT {FACET_SAMPLE:d}"
    near, near_params = _matching_ids(node, selected, quarter)
    rest, rest_params = _matching_ids(node, selected, below)
    sql = (
        f"WITH near AS MATERIALIZED (SELECT m.id, {position} AS position FROM ({near}) m {lowest}) "
        "SELECT id, position FROM ("
        "SELECT id, position FROM near UNION ALL "
        f"(SELECT m.id, {position} AS position FROM ({rest}) m WHERE {position} >= {quarter:d} "
        f"AND (SELECT COUNT(*) FROM near) < {FACET_SAMPLE:d} {lowest})"
        f") u {lowest}"
    )
    return sql, [*near_params, *rest_params]


def _matching_ids(
    node: query.Node | None,
    selected: Selection,
    below: int | None = None,
    ids: list[int] | None = None,
) -> SqlPart:
    """``SELECT id`` of the entries matching the expression and the facet filters
    (only those in the sample ``below``, when given): ``ids`` themselves when they
    hold the matches already; on SQLite straight from an FTS table, without visiting
    the entries: a sample from the sample's own table, its rows below the bound only."""
    if ids is not None:
        # The matches themselves: no entry is looked up again to name its id.
        listed, params = _listed(ids)
        bound = f" WHERE {_below(below, words=False)}" if below is not None else ""
        return f"{listed}{bound}", params
    if not _from_fts(node, selected, ids):
        where, params = _match(node, selected)
        if below is not None:
            where += " AND " + _below(below, words=node is not None)
        return f"SELECT e.id FROM catalog_searchentry e WHERE {where}", params
    fts = [_fts_query(node, selected)]
    if _in_sample_index(below):
        return f"SELECT {FTS_SAMPLE_ENTRY} AS id FROM {_sampled(below)}", fts
    bound = f" AND {sample_position('rowid')} < {below:d}" if below is not None else ""
    return f"SELECT rowid AS id FROM {_fts_matches()}{bound}", fts


def _below(below: int, words: bool) -> str:
    """SQL: the entry ``e`` lies below ``below`` on the circle.

    PostgreSQL keeps GIN indexes of the words of samples (POSTGRES_SAMPLE_SHARES).
    With words to match, a bound inside one of them names the smallest, so that
    PostgreSQL uses its index, and tests the bound itself outside the circle's
    index ("+ 0"); else PostgreSQL walked that index testing the words of entry
    after entry, or took every match from the whole GIN index (a facet group of
    "Kurs": 30 -> 10 ms). A bound outside them all is tested on the rows the words
    give: PostgreSQL ANDed their bitmap with one of the circle index, 60,000
    entries for "Schwimmkurs" (a facet group 8 -> 5 ms)."""
    position = sample_position("e.id")
    if not words or connection.vendor != "postgresql":
        return f"{position} < {below:d}"
    samples = [sample_below(1 / share) for share in POSTGRES_SAMPLE_SHARES]
    indexed = [bound for bound in samples if below <= bound]
    if indexed and indexed[0] == below:
        return f"{position} < {below:d}"  # the predicate of a sample's index
    named = f"{position} < {indexed[0]:d} AND " if indexed else ""
    return f"{named}{position} + 0 < {below:d}"


def _from_fts(node: query.Node | None, selected: Selection, ids: list[int] | None) -> bool:
    """Whether the matches come from SQLite's FTS tables (words or facet filters)."""
    has_terms = node is not None or bool(selected)
    return ids is None and connection.vendor != "postgresql" and has_terms


def _in_sample_index(below: int | None) -> TypeGuard[int]:
    """Whether the part of the circle below ``below`` lies in SQLite's sample index."""
    return below is not None and below <= sample_below(1 / SAMPLE_INDEX_SHARE)


def _sampled(below: int) -> str:
    """The matching rows of SQLite's sample index below ``below`` (its rowids are the
    places): FTS5 reads those rows only (one parameter, the FTS5 query)."""
    return f"{_fts_matches(FTS_SAMPLE)} AND rowid < {below:d}"


def _facet_values(
    facet: str, counts: dict[str, int], chosen: list[str], approximate: bool
) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    language = translation.get_language()
    return [
        FacetValue(value, _facet_label(facet, value, language), n, value in chosen, approximate)
        for value, n in ordered
    ]


@lru_cache(maxsize=4096)
def _facet_label(facet: str, value: str, language: str | None) -> str:
    """The label of a facet value in the active ``language``: once per language, not
    for each of the 40 to 70 values of every results page (0.3 ms a page)."""
    vocabulary_ = FACETS[facet]
    if vocabulary_ is not None:
        return label(vocabulary_, value)
    if facet == "kind":
        return gettext("Angebote") if value == "offer" else gettext("Einrichtungen")
    return value


def _suggestion(parsed: query.ParsedQuery) -> str:
    """A query of the nearest indexed words, when it differs from what was typed."""
    nearest = [(vocabulary.closest(word) or [word])[0] for word in parsed.words]
    return " ".join(nearest) if nearest != parsed.words else ""


def search_offers(
    query_text: str = "",
    selected: Selection | None = None,
    sort: str = "relevance",
    page: int | str = 1,
    per_page: int = 20,
    with_facets: bool = True,
) -> SearchResult:
    """Search offers and institutions: the one entry point for pages, API and commands."""
    selected = {k: list(v) for k, v in (selected or {}).items() if k in FACETS and v}
    sort = sort if sort in SORTS else "relevance"
    parsed = query.parse(query_text)
    numbers = [w for w in parsed.words if SCHOOL_NUMBER.match(w)]
    node = parsed.every_clause() if parsed.clauses else None
    titled = parsed.typed_in_title() if parsed.clauses else None
    strict = entries = RankedEntries(
        node, selected, sort, numbers, titled=titled, clauses=parsed.clauses
    )
    exact = entries.total()[0]
    relaxed = False
    if node is not None and exact < RELAX_BELOW:
        # Few entries have every word: they lead, and the best entries with most of the
        # words fill the first page: every word but one, but two, ..., any word (all of
        # them when none has every word).
        cap, first = (RELAX_BELOW, node) if exact else (None, None)
        for wider in parsed.fewer_clauses():
            widened = RankedEntries(
                wider, selected, sort, numbers, first, cap, titled, parsed.clauses
            )
            if widened.total()[0] >= RELAX_BELOW:
                break
        if widened.total()[0] > exact:
            entries, relaxed = widened, True
            node = node if exact else wider
    # RankedEntries is the sequence Paginator needs: count() and slicing.
    paginator: Paginator[SearchEntry] = Paginator(entries, per_page)  # type: ignore[arg-type]
    result_page = paginator.get_page(page)
    total, estimated = entries.total()
    result = SearchResult(
        query_text,
        total,
        result_page,
        sort=sort,
        corrections=parsed.corrections,
        relaxed=relaxed,
        exact_total=exact,
        total_estimated=estimated,
    )
    if with_facets:
        counted = exact if relaxed and exact else result.total  # the entries ``node`` matches
        faceted = strict if strict.node == node else entries  # ``node`` is the wider one
        result.facets = facet_counts(node, selected, counted, faceted.matching_ids())
    if result.total == 0 and parsed.words:
        result.suggestion = _suggestion(parsed)
    return result


def hit(entry: SearchEntry) -> dict[str, Any]:
    """One search hit as plain data: the shape of the API and the ``search`` command."""
    data: dict[str, Any] = {
        "kind": entry.kind,
        "id": entry.offer_id if entry.kind == "offer" else entry.provider_id,
        "title": entry.title,
        "subtitle": entry.subtitle,
        "url": entry.url,
    }
    if entry.school_number:
        data["school_number"] = entry.school_number
    return data


# --- as the citizen types and when nothing is found ---------------------------

SUGGEST_MIN_LENGTH = 2
HIGHEST_CODE_POINT = "\U0010ffff"


def suggest(typed: str, limit: int = 8) -> list[str]:
    """Titles that complete what has been typed so far (for autocomplete), each once.

    Every word counts as the prefix of its stem, as in a search, so a finished word,
    a plural or an umlaut typed either way completes too ("Schwimmkurse", "Toep").
    Only titles are searched, so suggestions read like entries. Titles that begin
    with what was typed come first, then the others; each group with fewer title
    words first, then alphabetically by code point (:data:`ranking.TITLE_WORDS`):
    the same suggestions in the same order on both databases.
    """
    words = text.query_words(typed)
    if not words or len(typed.strip()) < SUGGEST_MIN_LENGTH:
        return []
    begun = typed.strip().casefold()
    titles = _titles_beginning(begun, limit)
    # Then titles with the last word as a whole word ("Kurs" finds "Smartphone-Kurs"
    # first), then as the beginning of one ("Kurt-Tucholsky-Schule").
    finished = [query.term(word) for word in words[:-1]]
    for last in (query.title_word(words[-1]), query.term(words[-1])):
        if len(titles) == limit:
            break
        more = _titles_holding(query.AllOf((*finished, last)), begun, limit)
        titles += [title for title in more if title not in titles][: limit - len(titles)]
    return titles


def _titles_beginning(begun: str, limit: int) -> list[str]:
    """Up to ``limit`` titles whose casefolded form begins with ``begun``: for each
    number of title words, a range of the title-words index (migration 0014), read
    until the titles are enough. Sorting every title beginning with "sc" took 7 ms
    on SQLite; these ranges take 0.05 ms, and 0.5 ms when no title begins so."""
    title, sort_title = _by_code_point("e.title"), _by_code_point("e.sort_title")
    beginning, bounds = _beginning(sort_title, begun)
    sql = (
        f"SELECT MIN({title}) FROM catalog_searchentry e "
        f"WHERE {ranking.TITLE_WORDS} = %s AND {beginning} "
        f"GROUP BY {sort_title} ORDER BY {sort_title} LIMIT %s"
    )
    (most,) = _rows(f"SELECT MAX({ranking.TITLE_WORDS}) FROM catalog_searchentry e", [])[0]
    titles: list[str] = []
    for words in range((most or 0) + 1):
        titles += [row[0] for row in _rows(sql, [words, *bounds, limit - len(titles)])]
        if len(titles) == limit:
            break
    return titles


def _titles_holding(node: query.Node, begun: str, limit: int) -> list[str]:
    """Up to ``limit`` titles matching ``node`` that do not begin with ``begun``
    (those came first): the matches first, then their order. Left to itself,
    PostgreSQL walked the title-words index testing entry after entry (1.7 s)."""
    if connection.vendor == "postgresql":
        match = "e.title_vector @@ to_tsquery('simple', %s)"
        terms = [query.to_tsquery(node, vocabulary.lexemes(query.prefixes(node)))]
    else:
        match, terms = _field_match(node, in_title=True)
    title, sort_title = _by_code_point("e.title"), _by_code_point("e.sort_title")
    beginning, bounds = _beginning(sort_title, begun)
    matches = (
        f"SELECT {ranking.TITLE_WORDS} AS words, {sort_title} AS sort_title, {title} AS title "
        f"FROM catalog_searchentry e WHERE {match} AND NOT {beginning}"
    )
    sql = (
        f"WITH m AS MATERIALIZED ({matches}) SELECT MIN(title) FROM m "
        "GROUP BY words, sort_title ORDER BY words, sort_title LIMIT %s"
    )
    return [row[0] for row in _rows(sql, [*terms, *bounds, limit])]


def _by_code_point(column: str) -> str:
    """``column`` compared by code point, as SQLite compares text; PostgreSQL's own
    collation may order "Otto-Hahn" and "Ottobrunn" otherwise."""
    return f'{column} COLLATE "C"' if connection.vendor == "postgresql" else column


def _beginning(column: str, begun: str) -> SqlPart:
    """``column`` begins with ``begun``: it lies from ``begun`` to ``begun`` followed
    by the highest code point. No LIKE pattern, so "%" and "_" are typed text like
    any other."""
    return f"({column} >= %s AND {column} < %s)", [begun, begun + HIGHEST_CODE_POINT]


def record_unmet(query_text: str) -> None:
    """Count a query that found nothing, keeping only its normalised words."""
    words = " ".join(text.words(query_text))[:200]
    if not words:
        return
    unmet, _ = UnmetQuery.objects.get_or_create(query=words)
    UnmetQuery.objects.filter(pk=unmet.pk).update(count=F("count") + 1)
