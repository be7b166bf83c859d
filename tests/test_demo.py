"""The Herne demo: `lernstadt load_demo` fills the catalogue with example data."""

import csv
import dataclasses
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from lernstadt.catalog import search
from lernstadt.catalog.formats.school_register import school_name, utm_to_wgs84
from lernstadt.catalog.management.commands import load_demo
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider, SearchEntry
from lernstadt.catalog.taxonomy import LifePhase, OfferStatus, ProviderKind, Topic
from lernstadt.cities.pack import current_city
from tests.conftest import flush_database

PUBLIC = [OfferStatus.PUBLISHED, OfferStatus.CANCELLED]
DEMO_FOLDER = current_city().folder / "demo"


def run_load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo, loaded once for the read-only tests of this module (it takes seconds)."""
    # The real open data beside the project are the monitoring's tests' business.
    with django_db_blocker.unblock(), override_settings(LERNSTADT_OPEN_DATA_DIR=""):
        output = run_load_demo()
    yield output
    with django_db_blocker.unblock():
        flush_database()


@pytest.fixture
def demo(loaded_demo: str, db: None) -> str:
    """Each test runs in a transaction that is rolled back over the loaded demo."""
    return loaded_demo


def offer_facets() -> dict[str, set[str]]:
    """The facet values the portal shows for all public offers."""
    result = search.search_offers("", {"kind": ["offer"]}, per_page=1)
    return {facet: {v.value for v in values} for facet, values in result.facets.items()}


def found_offer_ids(query: str) -> set[int]:
    result = search.search_offers(query, {"kind": ["offer"]}, per_page=500, with_facets=False)
    return {entry.offer_id for entry in result.page.object_list if entry.offer_id}


def snapshot() -> dict[str, int]:
    return {
        "providers": Provider.objects.count(),
        "places": Place.objects.count(),
        "offers": Offer.objects.count(),
        "dates": OfferDate.objects.count(),
        "search_entries": SearchEntry.objects.count(),
    }


def test_demo_loads_at_least_150_public_offers(demo: str) -> None:
    public = Offer.objects.filter(source="demo", status__in=PUBLIC)
    assert public.count() >= 150
    assert search.search_offers("", {"kind": ["offer"]}).total == public.count()


def test_load_demo_prints_what_it_loaded(demo: str) -> None:
    total = Offer.objects.filter(source="demo").count()
    assert f"{total} Angebote" in demo


def test_every_life_phase_has_a_public_demo_offer(demo: str) -> None:
    assert set(LifePhase.values) <= offer_facets()["life_phase"]


def test_every_topic_has_a_public_demo_offer(demo: str) -> None:
    assert set(Topic.values) <= offer_facets()["topic"]


def test_every_borough_of_the_city_has_a_public_demo_offer(demo: str) -> None:
    assert set(current_city().borough_names) <= offer_facets()["borough"]


def test_every_demo_offer_is_marked_as_example(demo: str) -> None:
    offers = Offer.objects.filter(source="demo")
    assert offers.exists()
    assert not offers.filter(is_example=False).exists()
    assert Offer.objects.count() == offers.count()


def test_demo_has_drafts_and_cancelled_offers_but_mostly_published_ones(demo: str) -> None:
    offers = Offer.objects.filter(source="demo")
    assert offers.filter(status=OfferStatus.DRAFT).exists()
    assert offers.filter(status=OfferStatus.CANCELLED).exists()
    assert offers.filter(status=OfferStatus.PUBLISHED).count() > 0.9 * offers.count()


def test_demo_offers_have_dates_in_2027_and_weekly_recurrences(demo: str) -> None:
    dates = OfferDate.objects.filter(offer__source="demo")
    assert dates.count() >= Offer.objects.filter(source="demo").count()
    assert not dates.exclude(starts_at__year=2027).exists()
    assert dates.filter(
        recurrence__startswith="FREQ=WEEKLY", recurrence__contains="COUNT="
    ).exists()
    assert dates.filter(
        recurrence__startswith="FREQ=WEEKLY", recurrence__contains="UNTIL="
    ).exists()


def test_demo_offers_were_last_reviewed_in_2026(demo: str) -> None:
    assert not Offer.objects.filter(source="demo").exclude(last_reviewed__year=2026).exists()


def test_loading_the_demo_twice_changes_no_counts(demo: str) -> None:
    before = snapshot()
    run_load_demo()
    assert snapshot() == before


def test_drafts_are_not_found_by_search(demo: str) -> None:
    drafts = Offer.objects.filter(source="demo", status=OfferStatus.DRAFT)
    assert drafts.exists()
    for draft in drafts:
        assert draft.pk not in found_offer_ids(draft.title)
        assert draft.pk not in found_offer_ids("")


def test_search_for_schwimmkurs_finds_demo_offers(demo: str) -> None:
    found = Offer.objects.filter(pk__in=found_offer_ids("Schwimmkurs"), source="demo")
    assert found.filter(title__icontains="Seepferdchen").exists()


def test_search_for_deutschkurs_finds_demo_offers(demo: str) -> None:
    found = Offer.objects.filter(pk__in=found_offer_ids("Deutschkurs"), source="demo")
    assert found.filter(title__icontains="Deutschkurs").exists()


def test_invented_providers_are_flagged_as_examples(demo: str) -> None:
    demo_providers = Provider.objects.filter(source="demo")
    real = {"Volkshochschule Herne", "Stadtbibliothek Herne", "Musikschule Herne"}
    assert set(demo_providers.filter(is_example=False).values_list("name", flat=True)) == real
    assert demo_providers.filter(is_example=True).count() >= 20


def test_every_demo_place_lies_in_a_borough_of_the_city(demo: str) -> None:
    boroughs = set(current_city().borough_names)
    places = Place.objects.filter(provider__source="demo")
    assert places.count() >= Provider.objects.filter(source="demo").count()
    assert places.count() == places.values("provider", "name").distinct().count()
    for place in places:
        assert place.borough in boroughs, place.name
        assert 51.50 < place.latitude < 51.58, place.name
        assert 7.13 < place.longitude < 7.29, place.name


def test_a_demo_provider_keeps_its_own_place_as_main_place(demo: str) -> None:
    provider = Provider.objects.get(source="demo", external_id="ausbildung")
    assert provider.main_place is not None
    assert provider.main_place.name == "Büro Ausbildungsnetzwerk"
    assert provider.offers.filter(place__name="Veranstaltungshalle Herne-Mitte").exists()


def test_demo_providers_include_the_real_herne_schools(demo: str, shared_data: Path) -> None:
    with (shared_data / "herne" / "schools_herne_2021.csv").open(encoding="utf-8") as file:
        register = {row["school_number"]: row for row in csv.DictReader(file)}
    schools = {p.school_number: p for p in Provider.objects.exclude(school_number=None)}
    assert set(register) <= set(schools)
    for number, row in register.items():
        school = schools[number]
        assert not school.is_example
        assert school.school_type == row["school_type"]
        expected_kind = (
            ProviderKind.VOCATIONAL_COLLEGE
            if row["school_type_code"] == "30"
            else ProviderKind.SCHOOL
        )
        assert school.kind == expected_kind
        assert school.name == school_name(row["name_1"], row["name_2"])
        place = school.main_place
        assert place is not None
        assert (place.street, place.postcode, place.borough) == (row["street"], row["postcode"], "")
        expected = utm_to_wgs84(row["utm_east"], row["utm_north"], row["crs"])
        assert (place.latitude, place.longitude) == pytest.approx(expected, abs=1e-6)


def test_school_number_search_finds_a_demo_school(demo: str) -> None:
    result = search.search_offers("169602", per_page=5, with_facets=False)
    assert result.page.object_list[0].title == "Haranni-Gymnasium"


def test_demo_readme_names_the_sources() -> None:
    readme = (DEMO_FOLDER / "README.md").read_text(encoding="utf-8")
    assert "Schulgrunddaten NRW" in readme
    assert "Datenlizenz Deutschland" in readme
    assert "lernstadt import_schools" in readme


# --- broken demo files ------------------------------------------------------------


@pytest.fixture
def broken_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo folder that the command reads instead of the real one."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_FOLDER, folder)
    city = dataclasses.replace(current_city(), folder=tmp_path)
    monkeypatch.setattr(load_demo, "current_city", lambda: city)
    return folder


def test_load_demo_rejects_an_unknown_borough_and_writes_nothing(
    db: None, broken_demo: Path
) -> None:
    path = broken_demo / "providers.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["providers"][4]["place"]["borough"] = "Herne-Nord"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=r"providers.json, providers Eintrag 5: „Herne-Nord“"):
        run_load_demo()
    assert snapshot() == before


def test_load_demo_rejects_a_provider_file_that_is_not_json(db: None, broken_demo: Path) -> None:
    (broken_demo / "providers.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match="providers.json: nicht lesbar"):
        run_load_demo()


def test_load_demo_is_all_or_nothing_when_an_offer_is_broken(db: None, broken_demo: Path) -> None:
    providers = broken_demo / "providers.json"
    data = json.loads(providers.read_text(encoding="utf-8"))
    data["providers"][0]["description"] = "Geändert, aber nie gespeichert"
    providers.write_text(json.dumps(data), encoding="utf-8")
    path = broken_demo / "offers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",early_childhood|", ",frühchen|", 1), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=r"offers.csv, Zeile \d+, Spalte „life_phases“"):
        run_load_demo()
    assert snapshot() == before
    assert not Provider.objects.filter(description__startswith="Geändert").exists()
