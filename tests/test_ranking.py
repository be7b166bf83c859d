"""One relevance score on both databases (lernstadt.catalog.ranking).

Every test here runs on SQLite and on PostgreSQL (``make test`` runs the suite on
both), and asserts a whole order: the same order on both is what they check.
"""

import pytest
from django.db import connection

from lernstadt.catalog import query, ranking, search
from lernstadt.catalog.models import Offer, Provider, SearchEntry
from lernstadt.lib import timed_cache

pytestmark = pytest.mark.django_db


def titles(query_text: str) -> list[str]:
    return [entry.title for entry in search.search_offers(query_text, per_page=50).page]


@pytest.fixture
def provider() -> Provider:
    return Provider.objects.create(name="Familienzentrum Beispiel", kind="association")


def offer(provider: Provider, title: str, summary: str = "", **fields: object) -> Offer:
    return Offer.objects.create(provider=provider, title=title, summary=summary, **fields)


def test_a_rare_word_weighs_more_than_a_common_one() -> None:
    assert ranking.weight(1, 5_000) > ranking.weight(100, 5_000) > ranking.weight(2_500, 5_000)
    assert ranking.weight(5_000, 5_000) == 1  # in every entry: the least weight, never 0
    assert ranking.weight(1, 5_000) == 811  # BM25's idf in hundredths: ln(1 + 4999.5 / 1.5)


def test_equal_scores_put_shorter_titles_first_then_the_alphabet(provider: Provider) -> None:
    for title in ["Töpfern für Kinder und Eltern", "Töpfern", "Töpfern am Abend", "Töpfern Abend"]:
        offer(provider, title)
    assert titles("Töpfern") == [
        "Töpfern",
        "Töpfern Abend",
        "Töpfern am Abend",
        "Töpfern für Kinder und Eltern",
    ]


def test_a_rare_word_in_the_title_outweighs_a_common_one(provider: Provider) -> None:
    for number in range(8):
        offer(provider, f"Tanzen Gruppe {number}", "Tanzen im Stadtteil")
    offer(provider, "Tanzen im Park", "Mit Zumba")
    offer(provider, "Zumba am Morgen", "Tanzen zu Musik")
    # Both hold both words; Zumba (2 entries) is rarer than Tanzen (10).
    assert titles("Zumba Tanzen")[:2] == ["Zumba am Morgen", "Tanzen im Park"]


def test_a_title_match_outranks_the_body_and_labels(provider: Provider) -> None:
    offer(provider, "Elterncafé", "Jeden Montag mit Schach für Kinder")
    offer(provider, "Schach für Kinder", "Im Jugendzentrum")
    assert titles("Schach")[0] == "Schach für Kinder"


def test_parts_of_a_compound_in_the_title_score_by_their_rarity(provider: Provider) -> None:
    """ "Gitarrenkurs": no entry holds it; a title with "Gitarre" (rare) leads those
    with "Kurs" (common), the way a person reads the compound."""
    for number in range(12):
        offer(provider, f"Kurs Nummer {number}", "Ein Kurs am Abend")
    offer(provider, "Gitarre für Erwachsene", "Unterricht in der Gruppe, kein Kurs")
    offer(provider, "Kurt spielt vor", "Lesung")
    found = titles("Gitarrenkurs")
    assert found[0] == "Gitarre für Erwachsene"
    assert found.index("Gitarre für Erwachsene") < found.index("Kurs Nummer 0")


def test_a_whole_clause_in_the_title_outranks_some_of_its_parts(provider: Provider) -> None:
    offer(provider, "Deutsch am Abend", "Ein Kurs für Erwachsene")
    offer(provider, "Deutschkurs am Abend", "Für Erwachsene")
    assert titles("Deutschkurs")[:2] == ["Deutschkurs am Abend", "Deutsch am Abend"]


def test_the_entries_with_a_clause_or_part_in_their_title_are_those_that_score(
    provider: Provider,
) -> None:
    """Scored by titles alone, an entry scores more than 0 exactly when it holds a
    clause or a part of one in its title (search ranks the others by the tie-break
    alone), even when a part's share of a common clause's points rounds down to 0."""
    for number in range(12):
        offer(provider, f"Kurs Nummer {number}", "Ein Kurs am Abend")
    offer(provider, "Gitarre für Erwachsene", "Unterricht in der Gruppe, kein Kurs")
    offer(provider, "Gitarrenkurs am Abend", "In der Musikschule")
    offer(provider, "Musikschule", "Gitarre und Kurs am Abend")
    clauses = ranking.clauses_of(query.parse("Gitarrenkurs").clauses)
    (clause,) = clauses
    rare, _common = clause.parts  # "gitarr" and "kurs", in some order

    def lopsided(nodes: list[query.Node | None]) -> list[int]:
        """Counts by which the common part's share of the clause's points is 0."""
        return [1 if node == rare else 1_000_000 for node in nodes]

    for counts in (search._counts, lopsided):
        ranking.forget_counts()
        score, score_params = ranking.score(clauses, counts, search._field_match, anywhere=False)
        hit, hit_params = search._field_match(ranking.in_title(clauses), True)
        sql = f"SELECT e.title, {score} > 0, {hit} FROM catalog_searchentry e"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*score_params, *hit_params])
            rows = cursor.fetchall()
        assert all(bool(scores) is bool(in_title) for _, scores, in_title in rows), rows
        assert {title for title, scores, _ in rows if not scores} == {
            "Musikschule",
            "Familienzentrum Beispiel",
        }


def test_parts_within_other_parts_count_once() -> None:
    clause = query.AnyOf(
        (
            query.AllOf((query.Term("deutsch"), query.Term("lern"))),
            query.AllOf(
                (query.Term("deutsch"), query.AnyOf((query.Term("lern"), query.Term("x"))))
            ),
        )
    )
    (scored,) = ranking.clauses_of([clause])
    assert scored.parts == (
        query.Term("deutsch"),
        query.AnyOf((query.Term("lern"), query.Term("x"))),
    )


def test_weights_are_counted_together_and_once_a_minute(
    provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    for title in ["Schach für Kinder", "Gitarre für Erwachsene", "Kurs am Abend"]:
        offer(provider, title)
    calls: list[list[object]] = []

    def count(nodes: list[query.Node | None]) -> list[int]:
        calls.append(list(nodes))
        return [1] * len(nodes)

    clauses = ranking.clauses_of(query.parse("Gitarrenkurs Schach").clauses)
    ranking.score(clauses, count, search._field_match)
    assert len(calls) == 1  # all entries, each clause and each part, in one call
    assert len(clauses[0].parts) == 2  # "gitarr", "kur"
    assert None in calls[0] and len(calls[0]) == 1 + 2 + 2
    ranking.score(clauses, count, search._field_match)
    assert len(calls) == 1  # counted in the last minute: nothing asked
    monkeypatch.setattr(timed_cache, "monotonic", lambda: 10**9)
    ranking.score(clauses, count, search._field_match)
    assert len(calls) == 2


def test_counts_follow_the_rule_of_the_total(provider: Provider) -> None:
    """Exact while the sample holds few matches, the sample's count scaled up beyond."""
    for number in range(5):
        offer(provider, f"Schach {number}")
    schach = query.parse("Schach").clauses[0]
    assert search._counts([None, schach]) == [SearchEntry.objects.count(), 5]
