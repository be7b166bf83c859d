"""Search over offers and institutions: German words, umlauts, numbers, facets, ranking."""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps.registry import Apps
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from lernstadt.catalog import indexing, search, text
from lernstadt.catalog.management.commands import rebuild_search_index as rebuild_command
from lernstadt.catalog.models import (
    Offer,
    OfferDate,
    Place,
    Provider,
    SearchEntry,
    SearchTag,
    Tag,
)
from lernstadt.catalog.taxonomy import OfferStatus, ProviderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> dict[str, object]:
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    Place.objects.create(
        provider=vhs,
        street="Beispielstraße 1",
        postcode="44649",
        city="Herne",
        borough="Herne-Wanne",
        latitude=51.53,
        longitude=7.16,
    )
    swim = Offer.objects.create(
        provider=vhs,
        title="Schwimmkurs für Kinder",
        summary="Seepferdchen im Südbad",
        life_phases=["school"],
        topics=["sport"],
        languages=["de", "tr"],
        price=40,
        price_reduced=20,
    )
    german = Offer.objects.create(
        provider=vhs,
        title="Deutschkurs B1",
        summary="Integrationskurs für Erwachsene",
        life_phases=["adults"],
        topics=["language"],
        languages=["de"],
    )
    mentions = Offer.objects.create(
        provider=vhs,
        title="Elterncafé",
        description="Hier sprechen wir auch über den Schwimmkurs.",
        life_phases=["families"],
        topics=["parenting"],
    )
    school = Provider.objects.create(
        name="Otto-Hahn-Gymnasium", kind="school", school_number="123456", school_type="Gymnasium"
    )
    Place.objects.create(provider=school, postcode="44623", city="Herne", borough="Herne-Mitte")
    return {"vhs": vhs, "swim": swim, "german": german, "mentions": mentions, "school": school}


def titles(query: str, **selected: list[str]) -> list[str]:
    return [entry.title for entry in search.search_offers(query, selected).page]


def test_plural_finds_singular_title(catalogue: dict[str, object]) -> None:
    assert titles("Schwimmkurse")[0] == "Schwimmkurs für Kinder"


def test_inflected_plural_finds_gymnasium(catalogue: dict[str, object]) -> None:
    assert titles("Gymnasien in Herne")[0] == "Otto-Hahn-Gymnasium"


@pytest.mark.parametrize("spelling", ["Südbad", "Suedbad", "Sudbad", "SÜDBAD"])
def test_umlauts_match_in_every_spelling(catalogue: dict[str, object], spelling: str) -> None:
    assert titles(spelling) == ["Schwimmkurs für Kinder"]


def test_title_ranks_above_description(catalogue: dict[str, object]) -> None:
    assert titles("Schwimmkurs") == ["Schwimmkurs für Kinder", "Elterncafé"]


def test_school_number_finds_its_school_first(catalogue: dict[str, object]) -> None:
    result = search.search_offers("123456")
    assert [search.hit(e) for e in result.page][0]["school_number"] == "123456"


def test_no_word_in_common_finds_nothing(catalogue: dict[str, object]) -> None:
    assert titles("Quantenphysik") == []


def test_entries_with_every_word_lead_and_a_few_others_fill_the_page(
    catalogue: dict[str, object],
) -> None:
    result = search.search_offers("Deutschkurs Erwachsene")
    assert [e.title for e in result.page][0] == "Deutschkurs B1"
    assert (result.exact_total, result.relaxed) == (1, True)
    assert 1 < result.total <= search.RELAX_BELOW


def test_enough_entries_with_every_word_are_not_padded(catalogue: dict[str, object]) -> None:
    vhs = catalogue["vhs"]
    assert isinstance(vhs, Provider)
    for level in range(search.RELAX_BELOW):
        Offer.objects.create(provider=vhs, title=f"Yoga für Erwachsene {level}")
    result = search.search_offers("Yoga Erwachsene")
    assert (result.total, result.relaxed) == (search.RELAX_BELOW, False)


def test_any_word_when_no_entry_has_all(catalogue: dict[str, object]) -> None:
    result = search.search_offers("Deutschkurs Quantenphysik")
    assert [e.title for e in result.page][0] == "Deutschkurs B1"
    assert (result.exact_total, result.relaxed) == (0, True)


def test_entries_with_most_of_the_words_fill_the_page(catalogue: dict[str, object]) -> None:
    club = Provider.objects.create(name="Sportverein Eintracht", kind="club")
    for number in range(search.RELAX_BELOW):
        Offer.objects.create(provider=club, title=f"Yoga am Abend {number}", summary="In Sodingen")
    Offer.objects.create(provider=club, title="Yoga für Anfänger")  # two of the four words
    result = search.search_offers("Yoga Abend Sodingen Anfänger")
    assert (result.exact_total, result.relaxed) == (0, True)
    assert result.total == search.RELAX_BELOW  # every entry with three of the four words
    assert "Yoga für Anfänger" not in [e.title for e in result.page]


def test_facet_filter_and_counts(catalogue: dict[str, object]) -> None:
    result = search.search_offers("", {"topic": ["sport"]})
    assert [e.title for e in result.page] == ["Schwimmkurs für Kinder"]
    topics = {f.value: f.count for f in result.facets["topic"]}
    # A facet is counted without its own selection, so other topics stay choosable.
    assert topics["language"] == 1 and topics["sport"] == 1
    kinds = {f.value: f.count for f in result.facets["kind"]}
    assert kinds == {"offer": 1}


def test_facet_labels_follow_the_active_language(catalogue: dict[str, object]) -> None:
    def labels() -> set[str]:
        facets = search.search_offers("").facets
        return {value.label for value in facets["life_phase"] + facets["kind"]}

    german = labels()
    with translation.override("en"):
        english = labels()
    assert {"Schule", "Angebote"} <= german and {"School", "Offers"} <= english
    assert labels() == german  # each language keeps its own


def test_a_filter_wants_one_chosen_value_of_every_chosen_facet(
    catalogue: dict[str, object],
) -> None:
    both = ["Deutschkurs B1", "Schwimmkurs für Kinder"]
    assert sorted(titles("kurs", topic=["sport", "language"])) == both
    assert titles("kurs", topic=["sport", "language"], cost=["reduced"]) == [both[1]]
    assert titles("kurs", topic=["language"], cost=["reduced"]) == []


def test_the_index_writes_tags_of_the_facets_search_shows_only(
    catalogue: dict[str, object],
) -> None:
    written = set(SearchTag.objects.values_list("tag__facet", flat=True))
    assert written <= set(search.FACETS) and "kind" in written


def test_typed_words_never_reach_the_index_tokens_of_facet_values(
    catalogue: dict[str, object],
) -> None:
    token = indexing.facet_token("topic", "sport")
    assert token.startswith("_") and SearchEntry.objects.filter(search_facets__contains=token)
    assert text.query_words(token) == [token[1:]]
    assert search.search_offers(token).total == 0
    assert search.search_offers(token[1:3]).total == 0  # a prefix of the letters


BEFORE_NUMBERED_TAGS = "0017_sqlite_indexes_the_titles_alone"


@contextmanager
def migrated_back_to(name: str) -> Iterator[Apps]:
    """The catalogue's tables as its migration ``name`` left them, with the models of
    that time; migrated forward again afterwards."""
    call_command("migrate", "catalog", name, verbosity=0)
    try:
        yield MigrationExecutor(connection).loader.project_state(("catalog", name)).apps
    finally:
        call_command("migrate", "catalog", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_entries_indexed_before_facet_tokens_get_them_from_their_tags(
    catalogue: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0009 gives existing entries their tokens; nothing else rebuilds them."""
    migration = importlib.import_module(
        "lernstadt.catalog.migrations.0009_facets_in_the_fulltext_index"
    )
    monkeypatch.setattr(migration, "BATCH", 2)  # entries written two at a time
    SearchEntry.objects.update(search_facets="")
    assert titles("", topic=["sport"]) == []
    with migrated_back_to(BEFORE_NUMBERED_TAGS) as apps:
        migration.write_facet_tokens(apps, None)
    assert titles("", topic=["sport"]) == ["Schwimmkurs für Kinder"]
    assert titles("", borough=["Herne-Wanne"], kind=["institution"]) == ["Volkshochschule Herne"]


@pytest.mark.django_db(transaction=True)
def test_entries_indexed_before_they_held_their_hits_get_it_as_indexing_writes_it(
    catalogue: dict[str, object],
) -> None:
    """Migration 0013 fills what a hit shows for existing entries, as indexing does."""
    migration = importlib.import_module(
        "lernstadt.catalog.migrations.0013_search_entries_hold_what_a_hit_shows"
    )
    for invented in (catalogue["school"], catalogue["german"]):
        assert isinstance(invented, Provider | Offer)
        invented.is_example = True
        invented.save()
    shown = ("title", "summary", "borough", "is_free", "is_example")
    written = list(SearchEntry.objects.order_by("pk").values_list(*shown))
    assert {
        field: {row[i] for row in written} for i, field in enumerate(shown) if field != "title"
    } == {
        "summary": {"", "Seepferdchen im Südbad", "Integrationskurs für Erwachsene"},
        "borough": {"Herne-Wanne", "Herne-Mitte"},
        "is_free": {True, False},
        "is_example": {True, False},
    }
    SearchEntry.objects.update(summary="", borough="", is_free=False, is_example=False)
    with migrated_back_to(BEFORE_NUMBERED_TAGS) as apps:
        migration.fill(apps, None)
    assert list(SearchEntry.objects.order_by("pk").values_list(*shown)) == written


@pytest.mark.django_db(transaction=True)
def test_tags_indexed_before_they_were_numbered_keep_their_facet_counts(
    catalogue: dict[str, object],
) -> None:
    """Migration 0018 numbers the values the entries' tags hold; undone, it spells
    them out again."""
    counted = search.search_offers("", {}).facets
    carried = sorted(SearchTag.objects.values_list("entry_id", "tag__facet", "tag__value"))
    with migrated_back_to(BEFORE_NUMBERED_TAGS) as apps:
        spelled = apps.get_model("catalog", "SearchTag").objects.values_list(
            "entry_id", "facet", "value"
        )
        assert sorted(spelled) == carried
    assert search.search_offers("", {}).facets == counted
    assert sorted(SearchTag.objects.values_list("entry_id", "tag__facet", "tag__value")) == carried
    assert Tag.objects.count() == len({(facet, value) for _, facet, value in carried})


def _vector_storage() -> set[str]:
    """How PostgreSQL stores the entries' vectors ("m": in the row, "x": default)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'catalog_searchentry'::regclass "
            "AND attname IN ('search_vector', 'title_vector', 'facet_vector')"
        )
        return {storage for (storage,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage of columns")
@pytest.mark.django_db(transaction=True)
def test_vectors_kept_in_their_rows_go_back_to_the_default_when_0019_is_undone(
    catalogue: dict[str, object],
) -> None:
    found = titles("Schwimmkurs")
    with migrated_back_to("0018_tags_numbered_once"):
        assert _vector_storage() == {"x"}
    assert _vector_storage() == {"m"}
    assert titles("Schwimmkurs") == found


def test_reduced_price_is_its_own_cost_value(catalogue: dict[str, object]) -> None:
    assert titles("", cost=["reduced"]) == ["Schwimmkurs für Kinder"]
    assert "Deutschkurs B1" in titles("", cost=["free"])


def test_borough_facet_comes_from_the_place(catalogue: dict[str, object]) -> None:
    assert titles("", borough=["Herne-Mitte"]) == ["Otto-Hahn-Gymnasium"]


def test_institutions_appear_beside_offers(catalogue: dict[str, object]) -> None:
    kinds = {e.kind for e in search.search_offers("Herne").page}
    assert kinds == {"offer", "institution"}


def test_draft_offers_are_not_found(catalogue: dict[str, object]) -> None:
    swim = catalogue["swim"]
    assert isinstance(swim, Offer)
    swim.status = OfferStatus.DRAFT
    swim.save()
    assert "Schwimmkurs für Kinder" not in titles("Schwimmkurs")


def test_closed_institutions_are_not_found(catalogue: dict[str, object]) -> None:
    school = catalogue["school"]
    assert isinstance(school, Provider)
    school.status = ProviderStatus.CLOSED
    school.save()
    assert titles("Gymnasium") == []


def test_renamed_provider_is_found_under_new_name(catalogue: dict[str, object]) -> None:
    vhs = catalogue["vhs"]
    assert isinstance(vhs, Provider)
    vhs.name = "Bildungszentrum Herne"
    vhs.save()
    assert "Deutschkurs B1" in titles("Bildungszentrum")


def test_sort_by_date_puts_next_date_first(catalogue: dict[str, object]) -> None:
    german = catalogue["german"]
    assert isinstance(german, Offer)
    OfferDate.objects.create(offer=german, starts_at="2099-01-01T10:00:00+01:00")
    result = search.search_offers("", {"kind": ["offer"]}, sort="date")
    assert result.page[0].title == "Deutschkurs B1"


def test_query_with_only_punctuation_lists_everything(catalogue: dict[str, object]) -> None:
    assert search.search_offers("?!* \"'").total == 5


def test_rebuild_index_restores_every_entry(catalogue: dict[str, object]) -> None:
    assert search.rebuild_index() == 5
    assert titles("Schwimmkurse")[0] == "Schwimmkurs für Kinder"


def test_rebuild_command_reports_entries(catalogue: dict[str, object]) -> None:
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "5 Einträge" in out.getvalue()


def _untidy_pages() -> int:
    """SQLite: free pages in the file; PostgreSQL: pages of tags not yet marked
    visible to all (facet counts then read the table, not its index alone)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA freelist_count")
        else:
            cursor.execute(
                "SELECT relpages - relallvisible FROM pg_class WHERE relname = 'catalog_searchtag'"
            )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_the_rebuild_command_tidies_up_after_the_old_entries(
    catalogue: dict[str, object],
) -> None:
    search.rebuild_index()
    assert _untidy_pages() > 0
    call_command("rebuild_search_index", stdout=StringIO())
    assert _untidy_pages() == 0
    assert titles("Schwimmkurse")[0] == "Schwimmkurs für Kinder"


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_that_cannot_tidy_up_says_so_and_keeps_the_index(
    catalogue: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked() -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(rebuild_command, "vacuum_index", locked)
    out, err = StringIO(), StringIO()
    call_command("rebuild_search_index", stdout=out, stderr=err)
    assert "5 Einträge" in out.getvalue()
    assert "nicht aufgeräumt (database is locked)" in err.getvalue()
    assert titles("Schwimmkurse")[0] == "Schwimmkurs für Kinder"


def test_deleted_date_no_longer_sorts_the_offer(catalogue: dict[str, object]) -> None:
    german = catalogue["german"]
    assert isinstance(german, Offer)
    date = OfferDate.objects.create(offer=german, starts_at="2099-01-01T10:00:00+01:00")
    date.delete()
    entry = search.search_offers("Deutschkurs").page[0]
    assert entry.next_date is None


def test_deleted_place_takes_its_borough_from_the_offers(catalogue: dict[str, object]) -> None:
    vhs = catalogue["vhs"]
    assert isinstance(vhs, Provider)
    vhs.places.all().delete()
    assert titles("", borough=["Herne-Wanne"]) == []


def test_deleting_an_institution_removes_it_from_search(catalogue: dict[str, object]) -> None:
    school = catalogue["school"]
    assert isinstance(school, Provider)
    school.delete()
    assert titles("Gymnasium") == []


def test_deleting_an_offer_with_dates_leaves_no_index_rows(catalogue: dict[str, object]) -> None:
    from lernstadt.catalog.models import SearchEntry, SearchTag

    german = catalogue["german"]
    assert isinstance(german, Offer)
    OfferDate.objects.create(offer=german, starts_at="2099-01-01T10:00:00+01:00")
    entry_ids = list(SearchEntry.objects.filter(offer=german).values_list("id", flat=True))
    german.delete()
    assert entry_ids and not SearchEntry.objects.filter(id__in=entry_ids).exists()
    assert SearchTag.objects.filter(entry__offer__isnull=False).count() > 0
    assert not SearchTag.objects.exclude(entry__in=SearchEntry.objects.all()).exists()
    assert "Deutschkurs B1" not in titles("Deutschkurs")


def test_deleting_a_provider_with_places_leaves_no_index_rows(catalogue: dict[str, object]) -> None:
    from lernstadt.catalog.models import SearchEntry

    school = catalogue["school"]
    assert isinstance(school, Provider)
    school.delete()
    assert SearchEntry.objects.filter(kind="institution").count() == 1
