"""Search rules that understand people: typos, compounds, thesaurus, suggestions, unmet needs."""

import importlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lernstadt.catalog import query, search, vocabulary
from lernstadt.catalog.models import (
    Offer,
    Place,
    Provider,
    SearchEntry,
    SearchWord,
    Synonym,
    UnmetQuery,
)

pytestmark = pytest.mark.django_db


def offer(provider: Provider, title: str, summary: str = "") -> Offer:
    return Offer.objects.create(provider=provider, title=title, summary=summary)


@pytest.fixture
def catalogue() -> None:
    for terms in (
        "Kita, Kindertagesstätte, Kindergarten",
        "VHS, Volkshochschule",
        "Deutsch lernen, Sprachkurs, Integrationskurs",
        "BK, Berufskolleg",
    ):
        Synonym.objects.get_or_create(terms=terms)
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    Place.objects.create(provider=vhs, city="Herne", borough="Herne-Wanne")
    offer(vhs, "Deutschkurs A1", "Für Neuzugewanderte")
    offer(vhs, "Deutsch-Kurs für Frauen", "Mit Kinderbetreuung")
    offer(vhs, "Integrationskurs am Abend", "Orientierung und Sprache")
    offer(vhs, "Schwimmen für Anfänger", "Im Hallenbad")
    offer(vhs, "Bewerbungstraining", "Unterlagen und Gespräche üben")
    offer(vhs, "Training für die Bewerbung", "Im Jobcenter")
    Provider.objects.create(name="Otto-Hahn-Gymnasium", kind="school", school_number="165487")
    Provider.objects.create(name="Mulvany-Berufskolleg", kind="vocational_college")
    Provider.objects.create(name="Kindertagesstätte Sonnenschein", kind="day_care")
    Provider.objects.create(name="Realschule Crange", kind="school")


def titles(text: str) -> list[str]:
    return [entry.title for entry in search.search_offers(text).page]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gymnasuim", "Otto-Hahn-Gymnasium"),
        ("berufskoleg", "Mulvany-Berufskolleg"),
        ("Realshule", "Realschule Crange"),
        ("Schwimen", "Schwimmen für Anfänger"),
    ],
)
def test_one_typo_in_a_long_word_still_finds(catalogue: None, typed: str, expected: str) -> None:
    assert expected in titles(typed)


def test_short_words_are_not_guessed(catalogue: None) -> None:
    assert titles("Kurz") == []


def test_a_typo_is_reported_with_its_correction(catalogue: None) -> None:
    assert search.search_offers("gymnasuim").corrections == {"gymnasuim": ["gymnasium"]}


def test_known_words_are_not_corrected(catalogue: None) -> None:
    assert search.search_offers("Gymnasium").corrections == {}


def test_separate_words_find_the_compound(catalogue: None) -> None:
    assert "Deutschkurs A1" in titles("Deutsch Kurs")


def test_compound_finds_the_separate_words(catalogue: None) -> None:
    assert "Deutsch-Kurs für Frauen" in titles("Deutschkurs")


def test_compound_with_linking_s_finds_its_parts(catalogue: None) -> None:
    assert set(titles("Bewerbungstraining")) == {"Bewerbungstraining", "Training für die Bewerbung"}


def test_verb_finds_the_compound_noun(catalogue: None) -> None:
    assert titles("Schwimmen") == ["Schwimmen für Anfänger"]


def test_hyphen_and_space_are_the_same(catalogue: None) -> None:
    assert titles("Otto Hahn Gymnasium") == titles("Otto-Hahn-Gymnasium") == ["Otto-Hahn-Gymnasium"]


@pytest.mark.parametrize(
    ("everyday", "official"),
    [
        ("Kita", "Kindertagesstätte Sonnenschein"),
        ("VHS", "Volkshochschule Herne"),
        ("BK", "Mulvany-Berufskolleg"),
        ("Deutsch lernen", "Integrationskurs am Abend"),
    ],
)
def test_thesaurus_finds_the_official_word(catalogue: None, everyday: str, official: str) -> None:
    assert official in titles(everyday)


def test_thesaurus_edits_by_staff_take_effect(catalogue: None) -> None:
    assert titles("Schwimmbad") == []
    Synonym.objects.create(terms="Schwimmbad, Hallenbad")
    assert "Schwimmen für Anfänger" in titles("Schwimmbad")


def test_a_query_is_parsed_once_in_a_while(catalogue: None) -> None:
    """A results page, its next page and a facet clicked parse the same words:
    the second parse asks the database nothing and hands out its own copy."""
    first = query.parse("Deutschkurs Abend")
    with CaptureQueriesContext(connection) as asked:
        second = query.parse("Deutschkurs Abend")
    assert len(asked) == 0
    assert second == first and second is not first
    second.clauses.clear()
    assert query.parse("Deutschkurs Abend").clauses == first.clauses


def test_a_new_word_in_the_index_is_parsed_at_once(catalogue: None) -> None:
    """ "Ukulelekurs" splits into its parts once the index knows "Ukulele"."""
    parts = query.AllOf((query.Term("ukulel", text_only=True), query.Term("kur", text_only=True)))
    (before,) = query.parse("Ukulelekurs").clauses
    assert parts not in getattr(before, "parts", ())
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Ukulele für Einsteiger", "In kleiner Gruppe")
    (after,) = query.parse("Ukulelekurs").clauses
    assert parts in getattr(after, "parts", ())


def test_nothing_found_suggests_the_nearest_words(catalogue: None) -> None:
    result = search.search_offers("Gymnazzium")
    assert result.total == 0
    assert result.suggestion == "gymnasium"


def test_results_page_offers_the_suggestion(catalogue: None, client: Client) -> None:
    page = client.get(reverse("catalog:search"), {"q": "Gymnazzium"}).content.decode()
    assert "Meinten Sie" in page and "?q=gymnasium" in page


def test_nothing_found_shows_the_hits_of_the_nearest_words(catalogue: None, client: Client) -> None:
    response = client.get(reverse("catalog:search"), {"q": "Gymnazzium"})
    alternatives = response.context["alternatives"]
    assert [hit.title for hit in alternatives.hits] == ["Otto-Hahn-Gymnasium"]
    html = response.content.decode()
    assert "Treffer für „gymnasium“" in html and "Otto-Hahn-Gymnasium" in html
    assert 'href="/suche/?q=gymnasium">Den Treffer ansehen</a>' in html


def test_nothing_found_with_filters_shows_the_hits_without_them(
    catalogue: None, client: Client
) -> None:
    response = client.get(reverse("catalog:search"), {"q": "Deutschkurs", "borough": "Sodingen"})
    assert response.context["result"].total == 0
    alternatives = response.context["alternatives"]
    assert {hit.title for hit in alternatives.hits} >= {"Deutschkurs A1", "Deutsch-Kurs für Frauen"}
    html = response.content.decode()
    assert "Treffer ohne die gewählten Filter" in html
    assert f'href="/suche/?q=Deutschkurs">Alle {alternatives.total} Treffer ansehen</a>' in html


def test_nothing_near_what_was_typed_shows_no_alternatives(catalogue: None, client: Client) -> None:
    response = client.get(reverse("catalog:search"), {"q": "Quantenchromodynamik"})
    assert response.context["alternatives"] is None
    assert "Leider nichts gefunden." in response.content.decode()


def test_the_alternatives_speak_english(catalogue: None, client: Client) -> None:
    with translation.override("en"):
        html = client.get(
            reverse("catalog:search"), {"q": "Gymnazzium"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "Results for “gymnasium”" in html and "See the result" in html


def test_results_page_names_the_corrected_words(catalogue: None, client: Client) -> None:
    page = client.get(reverse("catalog:search"), {"q": "gymnasuim"}).content.decode()
    assert "„gymnasuim“ → gymnasium" in page


def test_unmet_query_is_counted_without_personal_data(catalogue: None, client: Client) -> None:
    for _ in range(2):
        client.get(
            reverse("catalog:search"), {"q": "  Quanten-Physik für Hunde "}, REMOTE_ADDR="192.0.2.7"
        )
    unmet = UnmetQuery.objects.get()
    assert (unmet.query, unmet.count) == ("quanten physik hunde", 2)
    assert "192.0.2.7" not in str(vars(unmet))


def test_query_with_hits_is_not_counted_as_unmet(catalogue: None, client: Client) -> None:
    client.get(reverse("catalog:search"), {"q": "Gymnasium"})
    client.get(reverse("catalog:search"), {"q": "Quantenphysik", "kind": "offer"})
    assert not UnmetQuery.objects.exists()


def test_suggestions_complete_the_word_being_typed(catalogue: None, client: Client) -> None:
    response = client.get(reverse("catalog:suggestions"), {"q": "Otto Ha"})
    assert response.status_code == 200
    assert '<option value="Otto-Hahn-Gymnasium">' in response.content.decode()


def test_suggestions_begin_with_what_was_typed_then_go_by_title_length(catalogue: None) -> None:
    """One order on both databases: titles beginning with the typed text, then fewer
    title words first, then alphabetically."""
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    for title in ("Kinderturnen in Wanne", "Lesen für Kindergruppen", "Kindertanz", "Kinderchor"):
        offer(vhs, title)
    assert search.suggest("Kinder") == [
        "Kinderchor",
        "Kindertanz",
        "Kindertagesstätte Sonnenschein",
        "Kinderturnen in Wanne",
        "Lesen für Kindergruppen",
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Schwimmkurs", "Schwimmkurs für Kinder"),  # a finished word
        ("Schwimmkurse", "Schwimmkurs für Kinder"),  # its plural
        ("Töp", "Töpferkurs"),
        ("Toep", "Töpferkurs"),  # the umlaut spelled out
        ("Schwimmkurse Ki", "Schwimmkurs für Kinder"),  # words before the last are stems
    ],
)
def test_suggestions_complete_words_as_the_search_finds_them(
    catalogue: None, typed: str, expected: str
) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Schwimmkurs für Kinder")
    offer(vhs, "Töpferkurs")
    assert expected in search.suggest(typed)


def test_suggestions_take_a_whole_word_before_the_beginning_of_one(catalogue: None) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Smartphone-Kurs")
    Provider.objects.create(name="Kurt-Schumacher-Schule", kind="school")
    assert search.suggest("Kurs") == [
        "Smartphone-Kurs",
        "Deutsch-Kurs für Frauen",
        "Kurt-Schumacher-Schule",
    ]


def test_suggestions_name_each_title_once(catalogue: None) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    for _ in range(40):
        offer(vhs, "Schwimmkurs")
    offer(vhs, "Schwimmkurs für Kinder")
    assert search.suggest("Schwimm") == [
        "Schwimmkurs",
        "Schwimmen für Anfänger",
        "Schwimmkurs für Kinder",
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_titles_beginning_with_the_typed_text_are_a_range_of_an_index(catalogue: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        search.suggest("Deutsch")
    beginning = next(q["sql"] for q in captured if "GROUP BY e.sort_title" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {beginning}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX catalog_searchentry_title_words" in plan, plan
    assert "sort_title>? AND sort_title<?" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_reads_titles_beginning_with_the_typed_text_from_the_index(
    catalogue: None,
) -> None:
    """The index's expression (migration 0014) is the query's: PostgreSQL can use it."""
    with CaptureQueriesContext(connection) as captured:
        search.suggest("Deutsch")
    beginning = next(q["sql"] for q in captured if "GROUP BY e.sort_title" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {beginning}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    condition = plan.split("Index Cond:")[1].splitlines()[0]
    assert "catalog_searchentry_title_words" in plan and "length(" in condition, plan


def test_suggestions_take_typed_wildcards_literally(catalogue: None) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Mathe 100% sicher")
    offer(vhs, "Mathe 100 Aufgaben")
    assert search.suggest("Mathe 100%")[0] == "Mathe 100% sicher"


def test_suggestions_need_two_letters(catalogue: None) -> None:
    assert search.suggest("O") == []


def test_suggestions_are_escaped(catalogue: None, client: Client) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, 'Ottos "<b>Kurs</b>"')
    body = client.get(reverse("catalog:suggestions"), {"q": "Ottos"}).content.decode()
    assert "<b>" not in body and "&lt;b&gt;" in body


def test_search_box_asks_for_suggestions_as_the_citizen_types(client: Client) -> None:
    page = client.get(reverse("catalog:home")).content.decode()
    assert 'hx-get="/suche/vorschlaege/"' in page and 'list="home-q-suggestions"' in page


def test_office_sees_unmet_queries_but_cannot_edit_them(
    catalogue: None, client: Client, office_admin: object
) -> None:
    UnmetQuery.objects.create(query="quantenphysik", count=3)
    client.force_login(office_admin)  # type: ignore[arg-type]
    listing = client.get(reverse("admin:catalog_unmetquery_changelist"))
    assert listing.status_code == 200 and "quantenphysik" in listing.content.decode()
    assert client.get(reverse("admin:catalog_unmetquery_add")).status_code == 403


def test_analyst_without_permission_cannot_see_unmet_queries(
    client: Client, analyst: object
) -> None:
    client.force_login(analyst)  # type: ignore[arg-type]
    assert client.get(reverse("admin:catalog_unmetquery_changelist")).status_code == 403
    assert client.get(reverse("admin:catalog_synonym_changelist")).status_code == 403


def test_anonymous_cannot_edit_the_thesaurus(client: Client) -> None:
    response = client.get(reverse("admin:catalog_synonym_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_number_is_not_split_like_a_compound(catalogue: None) -> None:
    """ "165487" is a school number, not "165" and "487" (nor a word ending in "487")."""
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Raum 165", "Im Haus 487")
    offer(vhs, "Kurs 1487")
    assert titles("165487") == ["Otto-Hahn-Gymnasium"]


def test_compound_parts_must_stand_in_the_text_not_only_in_labels(catalogue: None) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    Offer.objects.create(
        provider=vhs, title="Yoga am Morgen", summary="Ein Kurs für den Rücken", languages=["de"]
    )
    # "Deutsch" is only this offer's language label; "Kurs" is in its text.
    assert (
        "Yoga am Morgen"
        not in titles("Deutschkurs")[: search.search_offers("Deutschkurs").exact_total]
    )


def test_an_offer_is_found_by_a_word_of_its_labels_alone(catalogue: None) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    Offer.objects.create(
        provider=vhs, title="Konversation am Abend", summary="Gespräche in kleiner Runde",
        languages=["tr"], accessibility=["wheelchair"],
    )  # fmt: skip
    assert "Konversation am Abend" in titles("Türkisch")
    assert "Konversation am Abend" in titles("Tuerkisch Rollstuhl")


def test_entries_are_written_in_the_site_language_whatever_the_editor_uses(
    catalogue: None,
) -> None:
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    with translation.override("en"):  # an editor working in English saves an offer
        Offer.objects.create(provider=vhs, title="Konversation am Abend", languages=["tr"])
        Provider.objects.create(name="Familienzentrum Sonnenschein", kind="family_centre")
    assert "Konversation am Abend" in titles("Türkisch")
    centre = SearchEntry.objects.get(title="Familienzentrum Sonnenschein")
    assert centre.subtitle == "Familienzentrum und Familienbildung"


def test_a_school_is_found_by_the_qualification_it_awards(catalogue: None) -> None:
    Synonym.objects.get_or_create(terms="Abi, Abitur, Allgemeine Hochschulreife")
    Provider.objects.create(name="Westfalen-Kolleg", kind="adult_education", school_type_code="25")
    Provider.objects.create(name="Haranni-Gymnasium", kind="school", school_type_code="20")
    Provider.objects.create(name="Grundschule Kunterbunt", kind="school", school_type_code="02")
    search.rebuild_index()
    assert set(titles("Abi")) == {"Westfalen-Kolleg", "Haranni-Gymnasium"}
    second_chance = search.search_offers("Abitur nachholen")
    assert second_chance.exact_total == 1
    assert second_chance.page[0].title == "Westfalen-Kolleg"


def test_names_written_with_ae_oe_ue_are_found_on_both_databases(catalogue: None) -> None:
    """lernstadt's Snowball stemmer reads "oe" in "Goethe" as "ö" ("goth"); PostgreSQL's
    own German stemmer did not, so PostgreSQL found no Goethe. Both now search the
    stems lernstadt wrote."""
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Lesekreis", "Gedichte von Goethe")
    Provider.objects.create(name="Goethe-Gymnasium", kind="school")
    Provider.objects.create(name="Grundschule St. Michael", kind="school")
    assert titles("Goethe") == ["Goethe-Gymnasium", "Lesekreis"]
    assert titles("Michael") == ["Grundschule St. Michael"]


def test_a_prefix_stands_for_the_indexed_stems_that_start_with_it(catalogue: None) -> None:
    offer(Provider.objects.get(name="Volkshochschule Herne"), "Kurse am Abend")
    assert {"kur", "kurs"} <= set(vocabulary.lexemes(["kur"])["kur"])  # Kurs, Kurse
    assert all(stem.startswith("kur") for stem in vocabulary.lexemes(["kur"])["kur"])
    assert vocabulary.lexemes(["zzz"]) == {"zzz": ()}


def test_a_prefix_of_very_many_stems_stays_a_prefix(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "LEXEMES_PER_PREFIX", 2)
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Kursbuch", "Kurze Kurse zum Kurswechsel")
    assert "kur" not in vocabulary.lexemes(["kur"])
    assert "Kursbuch" in titles("Kurs")


def test_a_stem_new_in_another_process_is_searched_within_seconds(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vocabulary.lexemes(["zumb"]) == {"zumb": ()}
    SearchWord.objects.create(word="zumba", stem="zumba", stem_reversed="abmuz")
    assert vocabulary.lexemes(["zumb"]) == {"zumb": ()}  # asked for a moment ago
    monkeypatch.setattr(vocabulary.LEXEMES, "ttl", -1.0)  # the seconds have passed
    assert vocabulary.lexemes(["zumb"]) == {"zumb": ("zumba",)}


def test_a_full_cache_of_stems_starts_anew(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary.LEXEMES, "most", 1)
    vocabulary.lexemes(["kur", "deutsch"])
    assert set(vocabulary.lexemes(["kur", "deutsch"])) == {"kur", "deutsch"}


def test_a_new_word_is_found_at_once(catalogue: None) -> None:
    assert titles("Zumba") == []
    vhs = Provider.objects.get(name="Volkshochschule Herne")
    offer(vhs, "Zumbafitness am Morgen")
    assert titles("Zumba") == ["Zumbafitness am Morgen"]


def test_postgresql_asks_its_index_for_whole_stems_without_weights() -> None:
    """Labels' stems are marked in PostgreSQL's vector: a term of the entry's own text
    is the plain stem, any other term the plain or the marked one."""
    node = query.AllOf((query.Term("deutschkur"), query.Term("kur", text_only=True)))
    lexemes = {"deutschkur": ("deutschkur",), "kur": ("kur", "kurs")}
    assert query.to_tsquery(node, lexemes) == "((deutschkur | 0deutschkur) & (kur | kurs))"
    assert query.to_tsquery(node, {"kur": ()}) == "((deutschkur:* | 0deutschkur:*) & kur:*)"
    fulltext = importlib.import_module("lernstadt.catalog.migrations._fulltext")
    assert fulltext.POSTGRES_LABEL_MARK == query.LABEL_MARK


def test_compounds_of_a_head_are_the_same_whatever_order_the_rows_were_written() -> None:
    """More compounds than are looked at: the first in index order, on both databases
    (an unordered slice let PostgreSQL pick others than SQLite)."""
    words = [f"{a}{b}{a}chor" for a in "bcdfghklmnprstvwz" for b in "aeiou"]  # 85 compounds
    for word in reversed(words):
        SearchWord.objects.create(word=word, stem=word, stem_reversed=word[::-1])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a plan that reads rows as they were written
            cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
    found = vocabulary.compounds_ending_in("chor", limit=5)
    first = sorted(SearchWord.objects.values_list("stem_reversed", flat=True))
    looked_at = [r[::-1] for r in first if r.startswith("rohc")][: 5 * 4]
    assert found == sorted(looked_at, key=lambda s: (len(s), s))[:5]
