"""What keeps broad searches fast: a results window from the best candidates only,
and totals and facet counts estimated from a sample of a large result. Both must
give what the slow, exact way gives (the window) or say that they estimate (the
counts); the expected estimates are computed here from the sample rule itself."""

import hashlib
import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lernstadt.catalog import query, search
from lernstadt.catalog.models import Offer, Provider, SearchEntry
from lernstadt.catalog.taxonomy import OfferStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses() -> None:
    """Sixty courses with different word counts (so different scores), half of them
    free. Every fifth is cancelled and scores best, so the best candidates are
    mostly cancelled ones that must still come last."""
    club = Provider.objects.create(name="Sportverein Beispiel", kind="club")
    for n in range(60):
        Offer.objects.create(
            provider=club,
            title=f"Kurs {n:02d}" + " Kurs" * (n % 4 + (8 if n % 5 == 0 else 0)),
            summary="Bewegung" + " und Kurs" * (n % 3),
            topics=["sport" if n % 2 else "language"],
            price=0 if n % 2 else 30,
            status=OfferStatus.CANCELLED if n % 5 == 0 else OfferStatus.PUBLISHED,
        )


def window_ids(query: str, page: int, **selected: list[str]) -> list[int]:
    result = search.search_offers(query, selected, page=page, per_page=7, with_facets=False)
    return [entry.id for entry in result.page]


def full_order_windows(
    monkeypatch: pytest.MonkeyPatch, pages: int, **selected: list[str]
) -> list[list[int]]:
    """The first ``pages`` windows of "Kurs" taken from the full order, without
    candidates: what the windows from candidates must equal."""
    with monkeypatch.context() as patch:
        patch.setattr(search.RankedEntries, "_ranks_best_first", lambda self: False)
        return [window_ids("Kurs", page, **selected) for page in range(1, pages + 1)]


@pytest.mark.parametrize("selected", [{}, {"cost": ["free"]}, {"topic": ["language"]}])
def test_windows_from_few_candidates_equal_the_full_order(
    courses: None, monkeypatch: pytest.MonkeyPatch, selected: dict[str, list[str]]
) -> None:
    full = full_order_windows(monkeypatch, 9, **selected)
    monkeypatch.setattr(search, "CANDIDATES", 3)  # windows cross the candidate limit
    from_candidates = [window_ids("Kurs", page, **selected) for page in range(1, 10)]
    assert from_candidates == full
    assert sum(full, []), "the query found nothing: the comparison proves nothing"


def test_cancelled_courses_come_last_also_from_candidates(
    courses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 3)
    ranked = [entry.offer.status for page in range(1, 10) for entry in _page("Kurs", page)]
    cancelled = [status == OfferStatus.CANCELLED for status in ranked]
    assert cancelled == sorted(cancelled)
    assert any(cancelled)


def _page(query: str, page: int) -> list[search.SearchEntry]:
    return list(search.search_offers(query, page=page, per_page=7, with_facets=False).page)


def test_facet_counts_are_exact_for_a_small_result(courses: None) -> None:
    facets = search.search_offers("Kurs").facets
    assert {v.value: (v.count, v.approximate) for v in facets["cost"]} == {
        "free": (30, False),
        "paid": (30, False),
    }


def position(entry_id: int) -> int:
    """An entry's place on the sample circle, written out here apart from its SQL."""
    return (entry_id * 2654435761) % 2**32


def in_sample(entry_id: int, share: float) -> bool:
    return position(entry_id) < search.sample_below(share)


def course_entries(**tags: str) -> list[int]:
    entries = SearchEntry.objects.filter(kind="offer")
    for facet, value in tags.items():
        entries = entries.filter(tags__tag__facet=facet, tags__tag__value=value)
    return list(entries.values_list("id", flat=True))


def expected_counts(
    entries: list[int], values: dict[int, str], limit: int, share: float = 1.0
) -> dict[str, int]:
    """The sample rule of facet counts: the ``limit`` entries lowest on the circle
    (of those in its first ``share``), scaled by the part of the circle up to the last
    of them, or by the share itself when it holds fewer."""
    taken = sorted(entries, key=position)[:limit]
    last = position(taken[-1]) if len(taken) == limit else search.sample_below(share) - 1
    scale = 2**32 / (last + 1)
    counted: dict[str, int] = {}
    for entry in taken:
        counted[values[entry]] = counted.get(values[entry], 0) + 1
    return {value: round(n * scale) for value, n in counted.items()}


def cost_of(entries: list[int]) -> dict[int, str]:
    free = set(course_entries(cost="free"))
    return {entry: "free" if entry in free else "paid" for entry in entries}


def test_facet_counts_of_a_large_result_are_estimated_from_the_sample_and_say_so(
    courses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FACET_SAMPLE", 20)  # 60 matches: 20 of them are counted
    facets = search.search_offers("Kurs").facets
    cost = {v.value: v.count for v in facets["cost"]}
    assert all(v.approximate for v in facets["cost"])
    matches = [i for i in course_entries() if in_sample(i, 20 / 60)]
    assert cost == expected_counts(matches, cost_of(matches), 20, 20 / 60)


def test_a_chosen_facet_samples_its_own_larger_matches(
    courses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Free courses are 30 of the 60: their own facets are exact, while the cost
    facet, counted without its choice over all 60, takes a sample of its own."""
    monkeypatch.setattr(search, "FACET_SAMPLE", 40)
    facets = search.search_offers("Kurs", {"cost": ["free"]}).facets
    assert not any(v.approximate for v in facets["topic"])
    assert {v.value: v.count for v in facets["topic"]} == {"sport": 30}
    assert all(v.approximate for v in facets["cost"])
    everything = course_entries()
    expected = expected_counts(everything, cost_of(everything), 40)
    assert {v.value: v.count for v in facets["cost"]} == expected


def test_a_total_is_exact_while_the_sample_holds_few_matches(courses: None) -> None:
    result = search.search_offers("Kurs")
    assert (result.total, result.total_estimated) == (60, False)


@pytest.fixture
def small_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sample of one entry in four, estimating from three matches in it on."""
    monkeypatch.setattr(search, "SAMPLE_SHARE", 4)
    monkeypatch.setattr(search, "ESTIMATE_FROM", 3)
    monkeypatch.setattr(search, "BROWSABLE", 14)


def test_a_large_total_is_estimated_from_the_sample(courses: None, small_sample: None) -> None:
    sampled = [i for i in course_entries() if in_sample(i, 1 / 4)]
    assert len(sampled) >= 3
    result = search.search_offers("Kurs")
    assert result.total_estimated
    assert result.total == len(sampled) * 4


def test_pages_reach_only_so_far_into_an_estimated_total(courses: None, small_sample: None) -> None:
    result = search.search_offers("Kurs", per_page=7)
    assert result.page.paginator.num_pages == 2
    assert len(search.search_offers("Kurs", page=2, per_page=7).page) == 7


@pytest.mark.parametrize("sort", ["title", "date"])
def test_sorted_pages_are_the_same_whether_the_total_is_counted_or_estimated(
    courses: None, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    def titles() -> list[str]:
        return [e.title for e in search.search_offers("Kurs", sort=sort, per_page=7, page=2).page]

    counted = titles()
    monkeypatch.setattr(search, "SAMPLE_SHARE", 4)
    monkeypatch.setattr(search, "ESTIMATE_FROM", 3)
    assert search.search_offers("Kurs").total_estimated
    assert titles() == counted


def test_an_estimated_total_says_so_on_the_page_in_the_api_and_command(
    courses: None, small_sample: None, client: object
) -> None:
    page = client.get("/suche/", {"q": "Kurs"}).content.decode()  # type: ignore[attr-defined]
    assert "etwa " in page and "Die Seiten zeigen die ersten 14" in page
    answer = client.get("/api/v1/search", {"q": "Kurs"}).json()  # type: ignore[attr-defined]
    assert answer["total_estimated"] is True
    past = client.get("/api/v1/search", {"q": "Kurs", "offset": 14}).json()  # type: ignore[attr-defined]
    assert past["results"] == []
    out = StringIO()
    call_command("search", "Kurs", stdout=out)
    assert out.getvalue().startswith("etwa ")


@pytest.mark.parametrize(
    ("estimate", "shown"), [(66_048, 66_000), (2_048, 2_000), (2_176, 2_200), (99, 99)]
)
def test_an_estimate_keeps_two_significant_digits(estimate: int, shown: int) -> None:
    assert search._rounded(estimate) == shown


def test_estimated_counts_are_marked_on_the_results_page(
    courses: None, client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FACET_SAMPLE", 20)
    page = client.get("/suche/", {"q": "Kurs"})  # type: ignore[attr-defined]
    assert "ca.</abbr>" in page.content.decode()


def test_api_says_whether_a_count_is_estimated(courses: None, client: object) -> None:
    answer = client.get("/api/v1/search", {"q": "Kurs", "facets": "true"}).json()  # type: ignore[attr-defined]
    assert answer["facets"]["cost"][0]["approximate"] is False


def test_api_ranks_only_the_window_it_returns(
    courses: None, client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[tuple[int, int]] = []
    fetch = search.RankedEntries._fetch

    def recording(self: search.RankedEntries, start: int, stop: int) -> list[object]:
        fetched.append((start, stop))
        return fetch(self, start, stop)

    monkeypatch.setattr(search.RankedEntries, "_fetch", recording)
    answer = client.get("/api/v1/search", {"q": "Kurs", "limit": 7, "page": 3}).json()  # type: ignore[attr-defined]
    assert len(answer["results"]) == 7
    assert fetched == [(14, 21)]


# --- titles with every typed word first --------------------------------------------


@pytest.fixture
def mixed_courses() -> None:
    """Forty courses: every fourth has the word "Kurs" in its title, the others only a
    compound ending in -kurs (which the query expands to) or "Kurs" in the text."""
    school = Provider.objects.create(name="Bildungswerk Beispiel", kind="adult_education")
    compounds = ("Imkerkurs", "Schwimmkurs", "Töpferkurs")
    for n in range(40):
        title = f"Kurs am Abend {n:02d}" if n % 4 == 0 else f"{compounds[n % 3]} {n:02d}"
        Offer.objects.create(
            provider=school,
            title=title + " Kurs" * (n % 3 if n % 4 == 0 else 0),
            summary="Kurs" * (n % 2) or "Für Anfänger",
            status=OfferStatus.CANCELLED if n % 7 == 0 else OfferStatus.PUBLISHED,
        )


def test_titles_with_every_typed_word_lead_the_expanded_matches(mixed_courses: None) -> None:
    ranked = [e.title for page in range(1, 7) for e in _page("Kurs", page) if not _cancelled(e)]
    titled = ["Kurs am Abend" in title for title in ranked]
    assert titled == sorted(titled, reverse=True)
    assert any(not t for t in titled), "the compounds must be found too, after them"


def _cancelled(entry: search.SearchEntry) -> bool:
    return bool(entry.is_cancelled)


@pytest.mark.parametrize("candidates", [3, 100])
def test_windows_with_titled_entries_equal_the_full_order(
    mixed_courses: None, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    full = full_order_windows(monkeypatch, 6)
    monkeypatch.setattr(search, "CANDIDATES", candidates)
    assert [window_ids("Kurs", page) for page in range(1, 7)] == full
    assert len(sum(full, [])) == 40


# --- matches with no clause in their title ---------------------------------------------


@pytest.fixture
def body_courses() -> None:
    """Forty-two courses: two with the word "Kurs" in their title, four with a title
    word beginning with it ("Kursreihe": the clause, not the word as typed), and
    thirty-six with "Kurs" in their summary alone, with titles of one to four words.
    Every sixth is cancelled."""
    school = Provider.objects.create(name="Bildungswerk Beispiel", kind="adult_education")
    for n in range(42):
        if n < 2:
            title = f"Kurs am Abend {n:02d}"
        elif n < 6:
            title = f"Kursreihe {n:02d}" + " Abend" * (n % 2)
        else:
            title = " ".join(["Treffen", *["Abend"] * (n % 4), f"{n:02d}"])
        Offer.objects.create(
            provider=school,
            title=title,
            summary="Ein Kurs für alle",
            status=OfferStatus.CANCELLED if n % 6 == 5 else OfferStatus.PUBLISHED,
        )


def _window_and_statements(page: int) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as statements:
        ids = window_ids("Kurs", page)
    return ids, [s["sql"] for s in statements.captured_queries]


@pytest.mark.parametrize(
    ("walk_per_sort", "walk_bound", "walks"),
    [(10**6, 3, True), (10**6, 0, True), (0, 3, False)],
)
def test_windows_below_the_title_hits_equal_the_full_order(
    body_courses: None,
    monkeypatch: pytest.MonkeyPatch,
    walk_per_sort: int,
    walk_bound: int,
    walks: bool,
) -> None:
    """Below the entries with the clause in their title, the matches score 0 and go by
    the tie-break: walked along migration 0020's index, or fetched and sorted, also
    when PostgreSQL's walk ends before it found enough (a bound of 0). The windows are
    those of the full order, which only the windows beyond the open entries need."""
    full = full_order_windows(monkeypatch, 6)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setitem(search.WALK_PER_SORT, connection.vendor, walk_per_sort)
    monkeypatch.setattr(search, "WALK_BOUND", walk_bound)
    pages = [_window_and_statements(page) for page in range(1, 7)]
    assert [ids for ids, _ in pages] == full
    assert len(sum(full, [])) == 42
    walked = [sql for _, statements in pages for sql in statements if "NOT e.is_cancelled" in sql]
    assert bool(walked) is walks
    # The first five pages hold open entries alone: they need no full order.
    assert not any(" OFFSET " in sql for _, statements in pages[:5] for sql in statements)


@pytest.mark.parametrize("walk_per_sort", [10**6, 0])
def test_windows_of_many_titles_with_every_typed_word_equal_the_full_order(
    courses: None, monkeypatch: pytest.MonkeyPatch, walk_per_sort: int
) -> None:
    """Every course has "Kurs" in its title: walked in tie-break order (SQLite), or
    fetched and sorted, their windows are those of the full order."""
    full = full_order_windows(monkeypatch, 9)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setitem(search.WALK_PER_SORT, connection.vendor, walk_per_sort)
    with CaptureQueriesContext(connection) as statements:
        from_candidates = [window_ids("Kurs", page) for page in range(1, 10)]
    assert from_candidates == full
    walked = [s["sql"] for s in statements.captured_queries if "NOT e.is_cancelled" in s["sql"]]
    assert bool(walked) is (bool(walk_per_sort) and connection.vendor == "sqlite")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's titles' index")
@pytest.mark.parametrize(("typed", "titles"), [("Kurs", 60), ("Bewegung", 0)])
def test_sqlite_counts_the_titles_holding_the_typed_words(
    courses: None, typed: str, titles: int
) -> None:
    assert search._count_in_titles(query.parse(typed).typed_in_title()) == titles


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize(
    ("typed", "reads"), [("Kurs", search.FTS_TITLES), ("Treffen Kurs", search.FTS_TABLE)]
)
def test_sqlite_reads_the_shorter_list_for_the_matches_with_a_clause_in_the_title(
    body_courses: None, monkeypatch: pytest.MonkeyPatch, typed: str, reads: str
) -> None:
    """Six titles hold "Kurs", of its 42 matches: SQLite reads those titles and tests
    each against the matches. Of the 36 matches of "Treffen Kurs", each has one of the
    words in its title, as 42 titles do: SQLite reads the matches instead."""
    monkeypatch.setitem(search.WALK_PER_SORT, "sqlite", 10**6)  # the title hits apart
    with CaptureQueriesContext(connection) as statements:
        window_ids(typed, 1)
    (scored,) = [s["sql"] for s in statements.captured_queries if "CASE WHEN" in s["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {scored}")
        plan = [str(row[-1]) for row in cursor.fetchall()]
    assert plan[0] == "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert plan[2].startswith(f"SCAN {reads} VIRTUAL TABLE"), plan


def test_the_walk_in_tie_break_order_reads_the_index_of_open_entries(body_courses: None) -> None:
    """The walk's order is the index's (migration 0020): the database reads the
    entries in that order and sorts nothing."""
    entries = search.RankedEntries(query.parse("Kurs").every_clause(), {}, "relevance", [])
    where = entries._match(entries.node)
    sql, params = search._walk_in_tie_break_order(where, limit=7, matches=36)
    index = "catalog_searchentry_open_in_tie_break_order"
    if connection.vendor == "postgresql":
        plan = _postgres_plan(sql, params, avoided=("seqscan", "sort", "bitmapscan"))
        assert f"Index Scan using {index}" in plan and "Sort" not in plan, plan
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert plan.startswith("SCAN e USING") and index in plan.splitlines()[0], plan
        assert "TEMP B-TREE" not in plan, plan


def test_a_typed_word_in_the_title_is_a_whole_word_in_any_of_its_stems() -> None:
    from lernstadt.catalog import query

    titled = query.ParsedQuery(["kurse"]).typed_in_title()
    assert query.to_fts5(titled) == (
        '(stems_title : "kurse" OR stems_title : "kurs" OR stems_title : "kur")'
    )


def test_postgresql_indexes_the_words_of_the_very_sample_search_counts() -> None:
    fulltext = importlib.import_module("lernstadt.catalog.migrations._fulltext")
    in_sample = f"{search.sample_position('id')} < {search.sample_below(1 / search.SAMPLE_SHARE)}"
    assert in_sample == fulltext.POSTGRES_IN_SAMPLE
    small = search.sample_below(1 / search.SMALL_SAMPLE_SHARE)
    assert small == fulltext.SMALL_SAMPLE_BELOW


WORD_INDEXES = (
    "catalog_searchentry_vector",
    "catalog_searchentry_sample",
    "catalog_searchentry_sample_vector",
    "catalog_searchentry_quarter_vector",
    "catalog_searchentry_small_sample_vector",
)


def _postgres_plan(
    sql: str,
    params: list[object],
    dropped: list[str] | tuple[str, ...] = (),
    avoided: tuple[str, ...] = ("seqscan",),
    options: str = "",
) -> str:
    """PostgreSQL's plan of ``sql`` (``EXPLAIN {options}``) once the test's transaction
    has dropped the ``dropped`` indexes, with the ``avoided`` kinds of scan taken only
    when no other plan exists."""
    with connection.cursor() as cursor:
        if dropped:
            cursor.execute("DROP INDEX " + ", ".join(dropped))
        for scan in avoided:
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {options}{sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's arrays")
@pytest.mark.parametrize("ids", [[], [7], [3, 1, 2**40]])
def test_postgresql_gets_the_ids_of_few_matches_as_one_string(ids: list[int]) -> None:
    """psycopg adapts a list element by element in Python; the array's text form is
    one string that PostgreSQL reads as the same ids."""
    sql, params = search._listed(ids)
    assert [type(param) for param in params] == [str]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ARRAY(SELECT e.id FROM ({sql}) e)", params)
        assert cursor.fetchone()[0] == ids


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_reads_the_tags_of_the_counted_entries_in_one_index_scan(
    courses: None,
) -> None:
    """A facet group's tags come from one scan of the (entry, tag) index for the array
    of its entries, not from a nested loop of one look-up per entry (the tags'
    numbers are then looked up once per value counted)."""
    node = query.parse("Kurs").every_clause()
    sql, params = search._facet_sql(node, {}, "", list(search.FACETS), search.HASH_RANGE)
    plan = _postgres_plan(sql, params)
    scans = [line for line in plan.splitlines() if " on catalog_searchtag t" in line]
    assert len(scans) == 1 and "entry_id = ANY" in plan, plan
    assert "entry_id = s.id" not in plan, plan


def _plan_with_only(index: str, sql: str, params: list[object]) -> str:
    """PostgreSQL's plan when ``index`` is the only index of the words or the circle
    (the test's transaction drops the others): it avoids a scan only if the
    statement's condition implies the index's."""
    return _postgres_plan(sql, params, dropped=[i for i in WORD_INDEXES if i != index])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_can_count_the_sample_through_its_own_index(courses: None) -> None:
    node = query.parse("Kurs").every_clause()
    sql, params = search._count_sql(node, {}, search.sample_below(1 / search.SAMPLE_SHARE))
    index = "catalog_searchentry_sample_vector"
    assert index in _plan_with_only(index, sql, params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_counts_the_sample_of_all_entries_from_the_circle_index_alone(
    courses: None,
) -> None:
    """Without words (the home page), the sample is a range of the circle index, which
    holds the ids (migration 0016): no entry's row is read, and no scan of every id."""
    below = search.sample_below(1 / search.SAMPLE_SHARE)
    sql, params = search._count_sql(None, {}, below)
    plan = _postgres_plan(sql, params, avoided=("seqscan", "bitmapscan"))
    assert "Index Only Scan using catalog_searchentry_sample " in plan + " ", plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
@pytest.mark.parametrize(
    ("share", "index"),
    [
        (1 / 128, "catalog_searchentry_small_sample_vector"),
        (1 / 32, "catalog_searchentry_sample_vector"),
        (1 / 8, "catalog_searchentry_quarter_vector"),
    ],
)
def test_postgresql_can_take_a_facet_sample_through_the_smallest_samples_index(
    courses: None, share: float, index: str
) -> None:
    node = query.parse("Kurs").every_clause()
    sql, params = search._lowest_on_circle(node, {}, search.sample_below(share), None)
    assert index in _plan_with_only(index, sql, params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_finds_a_facet_filter_in_the_samples_index_with_the_words(
    courses: None,
) -> None:
    """The sample's count of a filtered search reads the filter's tokens from the
    sample's own index, in one scan with the words (migration 0015), instead of
    ANDing a bitmap of every entry with that value."""
    node = query.parse("Kurs").every_clause()
    below = search.sample_below(1 / search.SAMPLE_SHARE)
    sql, params = search._count_sql(node, {"cost": ["free"]}, below)
    index = "catalog_searchentry_sample_vector"
    others = [i for i in WORD_INDEXES if i != index]
    plan = _postgres_plan(sql, params, dropped=["catalog_searchentry_facet_vector", *others])
    scan = plan.split(f"on {index}")[1]
    assert "Index Cond:" in scan and "facet_vector @@" in scan.split("Index Cond:")[1], plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_samples_the_words_matches_by_place_beyond_the_sample_indexes(
    courses: None,
) -> None:
    """A bound above the quarter: beyond the quarter, even when the circle index is
    all PostgreSQL may use, the words' matches are tested for their place, not
    ANDed with the circle index's bitmap of half the entries, nor read in its order."""
    node = query.parse("Kurs").every_clause()
    sql, params = search._lowest_on_circle(node, {}, search.sample_below(1 / 2), None)
    samples = [i for i in WORD_INDEXES if i.endswith("_vector") and "sample" in i]
    plan = _postgres_plan(sql, params, dropped=["catalog_searchentry_quarter_vector", *samples])
    beyond = plan.split("One-Time Filter")[1]
    assert "catalog_searchentry_vector" in beyond, plan
    assert "on catalog_searchentry_sample " not in beyond + " ", plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_samples_the_quarter_first_through_its_own_index(courses: None) -> None:
    node = query.parse("Kurs").every_clause()
    sql, params = search._lowest_on_circle(node, {}, search.sample_below(1 / 2), None)
    index = "catalog_searchentry_quarter_vector"
    near = _plan_with_only(index, sql, params).split("One-Time Filter")[0]
    assert index in near


def _lowest_taken(taken: int) -> list[int]:
    """Ids of the ``taken`` matches of "Kurs" that facet counts take from the whole
    circle, lowest first."""
    node = query.parse("Kurs").every_clause()
    return [row[0] for row in search._rows(*search._lowest_on_circle(node, {}, None, None))]


def _courses_in_the_quarter() -> list[int]:
    quarter = [i for i in course_entries() if in_sample(i, 1 / search.SAMPLE_INDEX_SHARE)]
    return sorted(quarter, key=position)


@pytest.mark.parametrize("beyond", [0, 5])
def test_facet_counts_take_the_matches_lowest_on_the_circle_wherever_they_lie(
    courses: None, monkeypatch: pytest.MonkeyPatch, beyond: int
) -> None:
    """PostgreSQL looks in the quarter's index first and beyond it only when the
    quarter holds too few: the same entries as sorting every match."""
    taken = max(1, len(_courses_in_the_quarter())) + beyond
    monkeypatch.setattr(search, "FACET_SAMPLE", taken)
    assert _lowest_taken(taken) == sorted(course_entries(), key=position)[:taken]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_reads_no_match_beyond_the_quarter_when_the_quarter_holds_enough(
    courses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_quarter = _courses_in_the_quarter()
    monkeypatch.setattr(search, "FACET_SAMPLE", len(in_quarter))
    node = query.parse("Kurs").every_clause()
    sql, params = search._lowest_on_circle(node, {}, None, None)
    plan = _postgres_plan(sql, params, avoided=(), options="(ANALYZE, COSTS OFF) ")
    assert "One-Time Filter" in plan, plan
    gated = plan.split("One-Time Filter")[1].split("\n")[1]  # the scan beyond the quarter
    assert "never executed" in gated, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL has it since 0008")
def test_sqlite_takes_the_lowest_on_the_circle_from_the_sample_index(db: None) -> None:
    """Facet counts over every entry (home page, a filter without words) read the
    1,000 lowest places from the index instead of computing every entry's place."""
    below = search.sample_below(search.FACET_SAMPLE / 100_000)
    sql, params = search._facet_sql(None, {}, "", list(search.FACETS), below)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "catalog_searchentry_sample" in plan


def _index_words(table: str) -> set[tuple[str, int, str]]:
    """(term, rowid, column) of every word one of SQLite's FTS5 tables holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_of_{table} "
            f"USING fts5vocab(main, {table}, 'instance')"
        )
        cursor.execute(f"SELECT term, doc, col FROM temp.words_of_{table}")
        return set(cursor.fetchall())


def _rename_first_delete_rest(renamed: int) -> list[Offer]:
    """Rename the first ``renamed`` offers "Umbenannt Gitarre" and delete the others."""
    offers = list(Offer.objects.order_by("id"))
    for offer in offers[:renamed]:
        offer.title = "Umbenannt Gitarre"
        offer.save()
    Offer.objects.filter(id__in=[offer.id for offer in offers[renamed:]]).delete()
    return offers[:renamed]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's sample index")
def test_sqlite_triggers_keep_the_sample_index_as_a_fresh_fill_writes_it(courses: None) -> None:
    """The sample's index holds no text of its own (migration 0010): its triggers
    must remove exactly what they wrote, at the entry's place on the circle, and
    hold the entries of its part of the circle only."""
    fulltext = importlib.import_module("lernstadt.catalog.migrations._fulltext")
    below = search.sample_below(1 / search.SAMPLE_INDEX_SHARE)
    assert below == fulltext.SAMPLE_INDEX_BELOW
    offers = _rename_first_delete_rest(48)
    kept = _index_words(search.FTS_SAMPLE)
    with connection.cursor() as cursor:
        for statement in fulltext.sqlite_sample_fill(fulltext.FACET_COLUMNS):
            cursor.execute(statement, [])
    assert _index_words(search.FTS_SAMPLE) == kept
    places = {position(entry_id) for entry_id in SearchEntry.objects.values_list("id", flat=True)}
    assert {doc for _, doc, _ in kept} == {place for place in places if place < below}
    renamed = SearchEntry.objects.filter(offer__in=offers).values_list("id", flat=True)
    in_sample = {position(entry_id) for entry_id in renamed} & {doc for _, doc, _ in kept}
    assert in_sample and {doc for term, doc, col in kept if term == "gitarr"} == in_sample


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's index of titles")
def test_sqlite_triggers_keep_the_title_index_as_a_rebuild_writes_it(courses: None) -> None:
    """The titles' index (migration 0017) follows renamed, new and deleted entries
    exactly as reading every title anew would write it."""
    offers = _rename_first_delete_rest(20)
    kept = _index_words(search.FTS_TITLES)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {search.FTS_TITLES}({search.FTS_TITLES}) VALUES ('rebuild')")
    assert _index_words(search.FTS_TITLES) == kept
    renamed = set(SearchEntry.objects.filter(offer__in=offers).values_list("id", flat=True))
    assert {doc for term, doc, _ in kept if term == "gitarr"} == renamed
    assert {doc for _, doc, _ in kept} == set(SearchEntry.objects.values_list("id", flat=True))


def test_a_title_test_of_the_titles_index_names_no_column() -> None:
    """The titles' index has one column: a typed title word stays a whole word, a
    compound's part a prefix, and nothing names the body."""
    titled = query.ParsedQuery(["kurse"]).typed_in_title()
    assert query.to_fts5(titled, titles_alone=True) == '("kurse" OR "kurs" OR "kur")'
    parsed = query.parse("Deutschkurs")
    for clause in parsed.clauses:
        assert ":" not in query.to_fts5(clause, titles_alone=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's index of titles")
def test_sqlite_tests_titles_in_the_titles_index_alone(courses: None) -> None:
    """Title tests of the score and the entries with every typed word in their
    title ask the titles' index, not the title column of the main index, which
    reads every entry with the word anywhere ("deutsch"* in titles: 100,017
    entries read for 6,213 on the regional catalogue)."""
    with CaptureQueriesContext(connection) as captured:
        result = search.search_offers("Kurs Bewegung", with_facets=False)
    assert result.total
    statements = [q["sql"] for q in captured.captured_queries]
    assert any(search.FTS_TITLES in sql for sql in statements), statements
    assert not any("stems_title :" in sql for sql in statements), statements


def test_a_sample_row_names_its_entry_by_the_inverse_of_the_circle() -> None:
    assert (2654435761 * 244002641) % search.HASH_RANGE == 1
    assert "244002641" in search.FTS_SAMPLE_ENTRY


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's sample index")
def test_sqlite_reads_the_sample_and_the_lowest_matches_in_circle_order(courses: None) -> None:
    """From the sample's index, FTS5 takes the bound on the place (its rowid) and
    the order by it itself: it reads the sample's rows only, and stops after the
    lowest, with no sort."""
    node = query.parse("Kurs").every_clause()
    below = search.sample_below(1 / search.SAMPLE_SHARE)
    plans = []
    for sql, params in (
        search._count_sql(node, {}, below),
        search._lowest_on_circle(node, {"cost": ["free"]}, below, None),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    counted, lowest = plans
    assert f"SCAN {search.FTS_SAMPLE} VIRTUAL TABLE INDEX" in counted, counted
    assert "<" in counted.split(":M")[1], counted
    assert search.FTS_SAMPLE in lowest and "ORDER BY" not in lowest, lowest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize(("walk_per_sort", "walks"), [(4, True), (0, False)])
def test_sqlite_walks_the_title_index_for_many_matches_by_title(
    courses: None,
    small_sample: None,
    monkeypatch: pytest.MonkeyPatch,
    walk_per_sort: int,
    walks: bool,
) -> None:
    """An estimated total sorted by title: the index walk stops after the window,
    where fetching and sorting every match would not; with few steps to gain, sort."""
    monkeypatch.setitem(search.WALK_PER_SORT, "sqlite", walk_per_sort)
    entries = search.RankedEntries(query.parse("Kurs").every_clause(), {}, "title", [])
    assert entries.total()[1], "the total must be estimated for the walk"
    sql, params = entries._page_sql(stop=7)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql} LIMIT 7", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert ("searchentry_by_title" in plan) is walks, plan
    assert ("TEMP B-TREE FOR ORDER BY" in plan) is not walks, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's way to few matches")
def test_postgresql_fetches_few_matches_once_and_ranks_and_counts_them_by_id(
    courses: None,
) -> None:
    """A common word's GIN bitmap costs the same however few entries match: the
    sample's count and the fetch of every match ask the index, nothing after them
    (the ranking only tests the matches' own vectors, see ranking)."""
    search.search_offers("Bewegung")  # the words' weights are counted once a minute
    with CaptureQueriesContext(connection) as statements:
        result = search.search_offers("Bewegung")
    asked = [
        s["sql"] for s in statements.captured_queries if "WHERE e.search_vector @@" in s["sql"]
    ]
    assert len(asked) == 2
    ranked = [s["sql"] for s in statements.captured_queries if "CASE WHEN" in s["sql"]]
    where = [sql.split(" ORDER BY ")[0] for sql in ranked]
    assert where and all("e.id = ANY(" in condition for condition in where), ranked
    assert (result.total, result.total_estimated) == (60, False)
    cost = {v.value: (v.count, v.approximate) for v in result.facets["cost"]}
    assert cost == {"free": (30, False), "paid": (30, False)}


def test_a_widened_search_fetches_its_few_matches_once_and_ranks_and_counts_them_by_id(
    courses: None,
) -> None:
    """No entry holds every word ("Zumba" is in none), so the page shows entries with
    most of them: several combinations of the words, which the full-text index answers
    combination by combination each time. Their few matches are fetched once; the
    ranking and the facet counts ask for them by id."""
    search.search_offers("Kurs Bewegung Zumba")  # the words' weights are counted once a minute
    with CaptureQueriesContext(connection) as statements:
        result = search.search_offers("Kurs Bewegung Zumba")
    assert (result.relaxed, result.exact_total, result.total) == (True, 0, 60)
    sqlite = connection.vendor == "sqlite"
    asked = [s["sql"] for s in statements.captured_queries]
    ranked = [sql for sql in asked if "CASE WHEN" in sql]
    counted = [sql for sql in asked if "GROUP BY t.tag_id" in sql]
    assert ranked and all(("json_each(" if sqlite else "= ANY(") in sql for sql in ranked)
    # Counting needs the matches' ids alone: no entry is looked up to name its id.
    assert counted and all(("json_each(" if sqlite else "unnest(") in sql for sql in counted)
    assert not any("catalog_searchentry e" in sql for sql in counted), counted
    cost = {v.value: (v.count, v.approximate) for v in result.facets["cost"]}
    assert cost == {"free": (30, False), "paid": (30, False)}


def _toast_blocks_read(sql: str, params: list[object]) -> int:
    """Blocks of the entries' TOAST table that the statement read (this transaction's
    counts, which PostgreSQL keeps per relation)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid FROM pg_class WHERE relname = 'catalog_searchentry'")
        (toast,) = cursor.fetchone()
        fetched = "SELECT pg_stat_get_xact_blocks_fetched(%s)"
        cursor.execute(fetched, [toast])
        (before,) = cursor.fetchone()
        cursor.execute(sql, params)
        cursor.fetchall()
        cursor.execute(fetched, [toast])
        (after,) = cursor.fetchone()
    return after - before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TOAST table")
def test_postgresql_reads_a_long_entrys_vectors_from_its_row() -> None:
    """Ranking tests each match's vectors: they stay in the row (migration 0019),
    and the long texts they are made of, which no search reads, move out."""
    # 250 different made-up words: a vector of about 4 kB that compresses badly.
    words = [
        "".join(chr(97 + int(digit, 16)) for digit in hashlib.md5(str(n).encode()).hexdigest()[:9])
        for n in range(250)
    ]
    club = Provider.objects.create(name="Leseverein Beispiel", kind="club")
    Offer.objects.create(provider=club, title="Lesekreis", description=" ".join(words))
    (entry_id,) = SearchEntry.objects.filter(title="Lesekreis").values_list("id", flat=True)
    row = "FROM catalog_searchentry e WHERE e.id = %s"
    assert _toast_blocks_read(f"SELECT length(e.search_body) {row}", [entry_id]) > 0
    for vector in ("search_vector", "title_vector", "facet_vector"):
        tested = f"SELECT e.{vector} @@ to_tsquery('simple', %s) {row}"
        assert _toast_blocks_read(tested, [words[0], entry_id]) == 0, vector
