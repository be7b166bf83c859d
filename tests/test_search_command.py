"""The ``lernstadt search`` command: the portal's search from a terminal."""

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from lernstadt.catalog.models import Offer, Place, Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db: None) -> None:
    """Two schools (one whose number also appears in an offer's text) and offers."""
    school = Provider.objects.create(
        name="Gymnasium Eickel", kind="school", school_number="169687", school_type="Gymnasium"
    )
    Place.objects.create(provider=school, street="Gerichtsstr. 9", postcode="44649", city="Herne")
    other = Provider.objects.create(
        name="Pestalozzi-Gymnasium", kind="school", school_number="169614", school_type="Gymnasium"
    )
    Place.objects.create(provider=other, city="Herne")
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    Offer.objects.create(
        provider=vhs,
        title="Abitur nachholen",
        description="In Zusammenarbeit mit Schule 169687 und dem Gymnasium Eickel.",
    )
    Offer.objects.create(provider=vhs, title="Schwimmkurs für Erwachsene")
    Offer.objects.create(provider=vhs, title="Schwimmen für Senioren")


def search(*args: str) -> str:
    out = io.StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


def search_json(*args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(search(*args, "--json"))
    return result


def test_json_output_has_total_and_results(catalogue: None) -> None:
    data = search_json("Schwimmkurs")

    assert set(data) == {"total", "total_estimated", "results"}
    assert data["total"] == len(data["results"])
    hit = data["results"][0]
    offer = Offer.objects.get(title="Schwimmkurs für Erwachsene")
    assert hit == {
        "kind": "offer",
        "id": offer.pk,
        "title": "Schwimmkurs für Erwachsene",
        "subtitle": "Volkshochschule Herne",
        "url": offer.get_absolute_url(),
    }


def test_school_number_finds_that_school_first(catalogue: None) -> None:
    data = search_json("169687")

    first = data["results"][0]
    assert first["school_number"] == "169687"
    assert first["title"] == "Gymnasium Eickel"
    assert first["kind"] == "institution"
    assert first["url"].startswith("/einrichtungen/")


def test_limit_caps_the_results_but_not_the_total(catalogue: None) -> None:
    data = search_json("Gymnasium", "--limit", "1")

    assert len(data["results"]) == 1
    assert data["total"] >= 2


def test_readable_output_lists_titles_and_school_numbers(catalogue: None) -> None:
    text = search("Gymnasium Eickel")

    assert "Treffer" in text
    assert "Gymnasium Eickel [Schulnummer 169687]" in text
    assert "Einrichtung · Gymnasium · /einrichtungen/" in text


def test_query_without_hits_says_so(catalogue: None) -> None:
    assert search_json("Quantenchromodynamik") == {
        "total": 0,
        "total_estimated": False,
        "results": [],
    }
    assert search("Quantenchromodynamik").startswith("0 Treffer")
