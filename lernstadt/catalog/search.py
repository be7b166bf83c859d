"""Search over offers and institutions: the door of the search room.

Pages, the API, autocomplete and the ``search`` command call :func:`search_offers`
and :func:`suggest`; importers and signals call the indexing functions named below.
:mod:`~lernstadt.catalog.query` turns what was typed into a boolean query of stems,
and this module runs it as plain SQL on the database's own full-text index:
SQLite FTS5 ranked with bm25, or PostgreSQL's tsvector (``german`` configuration)
ranked with ts_rank, with the same weights (title 1, body 0.1, vocabulary labels
0.02). Facet counts are SQL ``GROUP BY``s; nothing is done per row in Python.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext

from lernstadt.catalog import indexing, query, text, vocabulary
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
SCHOOL_NUMBER = re.compile(r"^\d{6}$")

# Indexing lives in its own module; these names are part of the search room's door.
index_offer = indexing.index_offer
index_offers = indexing.index_offers
index_provider = indexing.index_provider
index_providers = indexing.index_providers
rebuild_index = indexing.rebuild_index


# --- querying ------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: str
    total: int
    page: Page[SearchEntry]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    sort: str = "relevance"
    corrections: dict[str, list[str]] = field(default_factory=dict)
    relaxed: bool = False  # few entries had every word: those first, then some of them
    exact_total: int = 0  # entries with every word (facets count these)
    suggestion: str = ""  # "did you mean", when nothing was found


Selection = dict[str, list[str]]
SqlPart = tuple[str, list[Any]]

FTS_TABLE = "catalog_searchentry_fts"


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _match(node: query.Node | None) -> SqlPart:
    """The condition that an entry matches the expression (TRUE without one)."""
    if node is None:
        return "1 = 1", []
    if connection.vendor == "postgresql":
        return "e.search_vector @@ to_tsquery('german', %s)", [query.to_tsquery(node)]
    return (
        f"e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
        [query.to_fts5(node)],
    )


def _facet_filters(selected: Selection, skip: str = "") -> SqlPart:
    sql, params = [], []
    for facet, values in selected.items():
        if facet != skip:
            sql.append(
                "e.id IN (SELECT entry_id FROM catalog_searchtag "
                f"WHERE facet = %s AND value IN ({_placeholders(values)}))"
            )
            params += [facet, *values]
    return " AND ".join(sql) or "1 = 1", params


def _where(node: query.Node | None, selected: Selection, skip: str = "") -> SqlPart:
    match_sql, match_params = _match(node)
    facet_sql, facet_params = _facet_filters(selected, skip)
    return f"{match_sql} AND {facet_sql}", match_params + facet_params


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
    ) -> None:
        self.node, self.selected, self.sort, self.numbers = node, selected, sort, numbers
        self.first = first  # entries matching this come before the rest
        self.cap = cap  # at most this many entries, the best first
        self._count: int | None = None
        self._windows: dict[tuple[int, int], list[SearchEntry]] = {}

    def count(self) -> int:
        if self._count is None:
            self._count = _rows(*self._count_sql())[0][0]
            if self.cap is not None:
                self._count = min(self._count, self.cap)
        return self._count

    def _count_sql(self) -> SqlPart:
        if self.node is not None and not self.selected and connection.vendor == "sqlite":
            # Without filters the FTS table alone knows the number, without a join.
            fts = f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            return fts, [query.to_fts5(self.node)]
        where, params = _where(self.node, self.selected)
        return f"SELECT COUNT(*) FROM catalog_searchentry e WHERE {where}", params

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
        sql, params = self._page_sql()
        ids = [row[0] for row in _rows(f"{sql} LIMIT %s OFFSET %s", [*params, stop - start, start])]
        entries = SearchEntry.objects.in_bulk(ids)
        return [entries[i] for i in ids if i in entries]

    def _order(self) -> SqlPart:
        order, params = self._groups()
        if self.sort == "title":
            return f"{order}, e.sort_title, e.id", params
        if self.sort == "date":
            return f"{order}, e.next_date ASC NULLS LAST, e.sort_title, e.id", params
        return f"{order}, {self._score()}, e.sort_title, e.id", params

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

    def _score(self) -> str:
        if self.node is None:
            return "e.id"
        if connection.vendor == "postgresql":
            # Weights D, C, B, A: a title word (A) counts ten times a body word (B), as in FTS5;
            # normalisation 1 divides by the log of the length, as bm25 discounts long texts.
            return (
                "ts_rank('{0.01, 0.02, 0.1, 1.0}', e.search_vector, "
                "to_tsquery('german', %s), 1) DESC"
            )
        return "m.score ASC"

    def _page_sql(self) -> SqlPart:
        where, params = _where(None if self._ranks_in_join() else self.node, self.selected)
        order, order_params = self._order()
        if self._ranks_in_join():
            # bm25 comes from one pass over the FTS matches, joined to the entries.
            ranked = (
                f"SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 1.0, 0.2) AS score "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            )
            sql = (
                f"SELECT e.id FROM catalog_searchentry e JOIN ({ranked}) m ON m.id = e.id "
                f"WHERE {where} ORDER BY {order}"
            )
            return sql, [query.to_fts5(self.node), *params, *order_params]  # type: ignore[arg-type]
        if self.node is not None and self.sort == "relevance":
            order_params.append(query.to_tsquery(self.node))
        return f"SELECT e.id FROM catalog_searchentry e WHERE {where} ORDER BY {order}", [
            *params,
            *order_params,
        ]

    def _ranks_in_join(self) -> bool:
        return self.node is not None and connection.vendor != "postgresql"


def facet_counts(node: query.Node | None, selected: Selection) -> dict[str, list[FacetValue]]:
    """Counts per facet value in SQL. Each chosen facet is counted without its own
    choice, so a citizen sees what picking another value of it would give."""
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    unchosen = [facet for facet in FACETS if facet not in selected]
    groups = [(unchosen, "")] + [([facet], facet) for facet in selected]
    for facets, skip in groups:
        if not facets:
            continue
        where, params = _where(node, selected, skip)
        sql = (
            "SELECT t.facet, t.value, COUNT(*) FROM catalog_searchtag t "
            f"WHERE t.facet IN ({_placeholders(facets)}) AND t.entry_id IN "
            f"(SELECT e.id FROM catalog_searchentry e WHERE {where}) GROUP BY t.facet, t.value"
        )
        for facet, value, count in _rows(sql, [*facets, *params]):
            counts[facet][value] = count
    return {
        facet: _facet_values(facet, values, selected.get(facet, []))
        for facet, values in counts.items()
    }


def _facet_values(facet: str, counts: dict[str, int], chosen: list[str]) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    vocabulary_ = FACETS[facet]
    return [
        FacetValue(value, _facet_label(facet, vocabulary_, value), n, value in chosen)
        for value, n in ordered
    ]


def _facet_label(facet: str, vocabulary_: Any, value: str) -> str:
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
    entries = RankedEntries(node, selected, sort, numbers)
    exact = entries.count()
    relaxed = False
    if node is not None and exact < RELAX_BELOW:
        # Few entries have every word: they lead, and the best entries with some of
        # the words fill the first page (all of them when none has every word).
        cap = RELAX_BELOW if exact else None
        wider = parsed.any_term()
        widened = RankedEntries(wider, selected, sort, numbers, node, cap)
        if widened.count() > exact:
            entries, relaxed = widened, True
            node = node if exact else wider
    # RankedEntries is the sequence Paginator needs: count() and slicing.
    paginator: Paginator[SearchEntry] = Paginator(entries, per_page)  # type: ignore[arg-type]
    result_page = paginator.get_page(page)
    result = SearchResult(
        query_text,
        entries.count(),
        result_page,
        sort=sort,
        corrections=parsed.corrections,
        relaxed=relaxed,
        exact_total=exact,
    )
    if with_facets:
        result.facets = facet_counts(node, selected)
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


def suggest(typed: str, limit: int = 8) -> list[str]:
    """Titles that complete what has been typed so far (for autocomplete).

    Finished words count as stems; the word being typed counts as a prefix of
    a title word. Only titles are searched, so suggestions read like entries.
    """
    words = text.query_words(typed)
    if not words or len(typed.strip()) < SUGGEST_MIN_LENGTH:
        return []
    stems = [text.query_stem(w) for w in words[:-1]] + [words[-1]]
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{stem}:*A" for stem in stems)
        sql = (
            "SELECT e.title FROM catalog_searchentry e "
            "WHERE e.search_vector @@ to_tsquery('german', %s) "
            "ORDER BY ts_rank(e.search_vector, to_tsquery('german', %s)) DESC, e.sort_title "
            "LIMIT %s"
        )
        params: list[Any] = [tsquery, tsquery, limit * 4]
    else:
        fts = "stems_title : (" + " AND ".join(f'"{stem}"*' for stem in stems) + ")"
        sql = (
            f"SELECT e.title FROM {FTS_TABLE} "
            f"JOIN catalog_searchentry e ON e.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s "
            f"ORDER BY bm25({FTS_TABLE}, 10.0, 1.0, 0.2), e.sort_title LIMIT %s"
        )
        params = [fts, limit * 4]
    titles = dict.fromkeys(row[0] for row in _rows(sql, params))
    return list(titles)[:limit]


def record_unmet(query_text: str) -> None:
    """Count a query that found nothing, keeping only its normalised words."""
    words = " ".join(text.words(query_text))[:200]
    if not words:
        return
    unmet, _ = UnmetQuery.objects.get_or_create(query=words)
    UnmetQuery.objects.filter(pk=unmet.pk).update(count=F("count") + 1)
