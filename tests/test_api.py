"""The JSON API at /api/v1/: search, offers, institutions, OpenAPI and its docs page."""

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lernstadt.catalog import search
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider
from lernstadt.catalog.taxonomy import OfferStatus, ProviderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    """Two institutions, a closed school and offers in every status."""
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    Place.objects.create(
        provider=vhs,
        name="Kulturzentrum",
        street="Willi-Pohlmann-Platz 1",
        postcode="44623",
        city="Herne",
        borough="Herne-Mitte",
        latitude=51.5386,
        longitude=7.2194,
    )
    school = Provider.objects.create(
        name="Gymnasium Eickel",
        kind="school",
        school_number="123456",
        school_type="Gymnasium",
    )
    Place.objects.create(provider=school, borough="Herne-Eickel", city="Herne")
    closed = Provider.objects.create(
        name="Hauptschule am Bahnhof",
        kind="school",
        school_number="654321",
        status=ProviderStatus.CLOSED,
        closed_on=date(2019, 7, 31),
    )
    german = Offer.objects.create(
        provider=vhs,
        title="Deutschkurs für Anfängerinnen",
        summary="Deutsch lernen im Alltag",
        life_phases=["adults"],
        topics=["language"],
        target_groups=["newcomers", "women"],
        languages=["de", "ar"],
        accessibility=["wheelchair"],
        min_age=16,
        price=Decimal("40.00"),
        price_reduced=Decimal("20.00"),
        registration_required=True,
        registration_email="anmeldung@vhs.example.org",
        last_reviewed=date(2026, 1, 15),
    )
    OfferDate.objects.create(
        offer=german,
        starts_at=datetime(2027, 2, 3, 17, 0, tzinfo=UTC),
        ends_at=datetime(2027, 2, 3, 18, 30, tzinfo=UTC),
        recurrence="FREQ=WEEKLY;COUNT=10",
        capacity=15,
    )
    chess = Offer.objects.create(
        provider=school,
        title="Schach-AG",
        life_phases=["school"],
        topics=["sport"],
        status=OfferStatus.CANCELLED,
    )
    draft = Offer.objects.create(
        provider=vhs, title="Deutschkurs Entwurf", life_phases=["adults"], status=OfferStatus.DRAFT
    )
    archived = Offer.objects.create(
        provider=vhs, title="Deutschkurs von gestern", status=OfferStatus.ARCHIVED
    )
    return {
        "vhs": vhs,
        "school": school,
        "closed": closed,
        "german": german,
        "chess": chess,
        "draft": draft,
        "archived": archived,
    }


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


# --- search --------------------------------------------------------------------


def test_search_answers_exactly_total_and_results(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "search", q="Deutschkurs")
    assert set(data) == {"total", "total_estimated", "results"}
    assert data["total_estimated"] is False
    assert data["total"] == 1
    assert data["results"] == [
        {
            "kind": "offer",
            "id": catalogue["german"].pk,
            "title": "Deutschkurs für Anfängerinnen",
            "subtitle": "Volkshochschule Herne",
            "url": catalogue["german"].get_absolute_url(),
        }
    ]


def test_search_hit_of_a_school_carries_its_school_number(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "search", q="123456")
    assert data["results"][0]["kind"] == "institution"
    assert data["results"][0]["id"] == catalogue["school"].pk
    assert data["results"][0]["school_number"] == "123456"


def test_search_never_returns_drafts_archived_offers_or_closed_schools(
    client: Client, catalogue: dict[str, Any]
) -> None:
    titles = {hit["title"] for hit in get(client, "search", limit=100)["results"]}
    assert "Deutschkurs Entwurf" not in titles
    assert "Deutschkurs von gestern" not in titles
    assert "Hauptschule am Bahnhof" not in titles
    assert "Schach-AG" in titles  # cancelled offers stay visible, marked as such


def test_search_filters_by_facet_and_repeated_values_mean_or(
    client: Client, catalogue: dict[str, Any]
) -> None:
    adults = get(client, "search", kind="offer", life_phase="adults")
    assert [hit["title"] for hit in adults["results"]] == ["Deutschkurs für Anfängerinnen"]
    either = client.get("/api/v1/search?kind=offer&life_phase=adults&life_phase=school").json()
    assert either["total"] == 2


def test_search_filters_institutions_by_borough(client: Client, catalogue: dict[str, Any]) -> None:
    data = get(client, "search", kind="institution", borough="Herne-Eickel")
    assert [hit["title"] for hit in data["results"]] == ["Gymnasium Eickel"]


def test_search_includes_facet_counts_only_when_asked(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "search", facets="true")
    kinds = {facet["value"]: facet for facet in data["facets"]["kind"]}
    assert kinds["offer"]["count"] == 2
    assert kinds["institution"]["count"] == 2
    assert kinds["offer"]["label"] == "Angebote"
    assert kinds["offer"]["selected"] is False
    assert "facets" not in get(client, "search")


def test_search_pages_with_limit_offset_and_page(client: Client, catalogue: dict[str, Any]) -> None:
    everything = [hit["title"] for hit in get(client, "search", sort="title")["results"]]
    assert len(everything) == 4
    second = get(client, "search", sort="title", limit=2, offset=2)
    assert [hit["title"] for hit in second["results"]] == everything[2:4]
    assert second["total"] == 4
    by_page = get(client, "search", sort="title", limit=2, page=2)
    assert by_page["results"] == second["results"]
    odd = get(client, "search", sort="title", limit=2, offset=1)
    assert [hit["title"] for hit in odd["results"]] == everything[1:3]


def test_search_page_past_the_end_is_empty_not_the_last_page(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "search", limit=2, page=50)
    assert data == {"total": 4, "total_estimated": False, "results": []}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "viele"},
        {"offset": -1},
        {"page": 0},
        {"page": 2, "offset": 20},
        {"life_phase": "kindergarten"},
        {"kind": "person"},
        {"sort": "price"},
        {"facets": "vielleicht"},
    ],
)
def test_search_rejects_bad_parameters_with_422(
    client: Client, catalogue: dict[str, Any], params: dict[str, Any]
) -> None:
    response = client.get("/api/v1/search", params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_search_rejects_more_than_twenty_values_of_one_filter(
    client: Client, catalogue: dict[str, Any]
) -> None:
    boroughs = "&".join(f"borough=Bezirk{n}" for n in range(21))
    assert client.get(f"/api/v1/search?{boroughs}").status_code == 422


def test_search_limit_of_100_is_allowed(client: Client, catalogue: dict[str, Any]) -> None:
    assert get(client, "search", limit=100)["total"] == 4


# --- offers --------------------------------------------------------------------


def test_offer_list_holds_only_published_and_cancelled_offers(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "offers")
    assert data["total"] == 2
    assert [offer["title"] for offer in data["results"]] == [
        "Deutschkurs für Anfängerinnen",
        "Schach-AG",
    ]
    chess = data["results"][1]
    assert chess["status"] == {"code": "cancelled", "label": "Abgesagt"}
    assert chess["provider"]["name"] == "Gymnasium Eickel"
    assert chess["life_phases"] == [{"code": "school", "label": "Schule"}]


def test_offer_list_filters_by_provider(client: Client, catalogue: dict[str, Any]) -> None:
    data = get(client, "offers", provider=catalogue["school"].pk)
    assert [offer["title"] for offer in data["results"]] == ["Schach-AG"]
    assert get(client, "offers", provider=999_999)["total"] == 0


def test_offer_list_filters_by_life_phase_and_topic(
    client: Client, catalogue: dict[str, Any]
) -> None:
    assert [o["title"] for o in get(client, "offers", life_phase="adults")["results"]] == [
        "Deutschkurs für Anfängerinnen"
    ]
    assert [o["title"] for o in get(client, "offers", topic="sport")["results"]] == ["Schach-AG"]
    assert get(client, "offers", life_phase="adults", topic="sport")["total"] == 0


def test_offer_list_finds_offers_in_their_providers_borough(
    client: Client, catalogue: dict[str, Any]
) -> None:
    # The chess club has no place of its own: it meets at the school.
    data = get(client, "offers", borough="Herne-Eickel")
    assert [offer["title"] for offer in data["results"]] == ["Schach-AG"]


def test_offer_list_pages(client: Client, catalogue: dict[str, Any]) -> None:
    data = get(client, "offers", limit=1, page=2)
    assert data["total"] == 2
    assert [offer["title"] for offer in data["results"]] == ["Schach-AG"]


def test_offer_list_rejects_an_unknown_topic(client: Client, catalogue: dict[str, Any]) -> None:
    assert client.get("/api/v1/offers", {"topic": "astrology"}).status_code == 422


def test_offer_detail_has_every_public_field(client: Client, catalogue: dict[str, Any]) -> None:
    offer = catalogue["german"]
    data = get(client, f"offers/{offer.pk}")
    assert data["title"] == "Deutschkurs für Anfängerinnen"
    assert data["provider"] == {
        "id": catalogue["vhs"].pk,
        "name": "Volkshochschule Herne",
        "kind": {"code": "adult_education", "label": "Volkshochschule und Weiterbildung"},
        "url": catalogue["vhs"].get_absolute_url(),
    }
    assert [c["code"] for c in data["target_groups"]] == ["newcomers", "women"]
    assert data["languages"] == [
        {"code": "de", "label": "Deutsch"},
        {"code": "ar", "label": "Arabisch"},
    ]
    assert data["accessibility"][0]["code"] == "wheelchair"
    assert data["min_age"] == 16
    assert data["max_age"] is None
    assert data["cost"]["code"] == "reduced"
    assert data["price"] == 40.0
    assert data["price_reduced"] == 20.0
    assert data["registration"]["required"] is True
    assert data["registration"]["email"] == "anmeldung@vhs.example.org"
    assert data["last_reviewed"] == "2026-01-15"
    assert data["url"] == offer.get_absolute_url()


def test_offer_detail_gives_the_place_with_coordinates(
    client: Client, catalogue: dict[str, Any]
) -> None:
    place = get(client, f"offers/{catalogue['german'].pk}")["place"]
    assert place["borough"] == "Herne-Mitte"
    assert place["latitude"] == pytest.approx(51.5386)
    assert place["longitude"] == pytest.approx(7.2194)


def test_offer_detail_gives_dates_in_the_citys_local_time(
    client: Client, catalogue: dict[str, Any]
) -> None:
    dates = get(client, f"offers/{catalogue['german'].pk}")["dates"]
    assert len(dates) == 1
    assert dates[0]["starts_at"] == "2027-02-03T18:00:00+01:00"
    assert dates[0]["ends_at"] == "2027-02-03T19:30:00+01:00"
    assert dates[0]["recurrence"] == "FREQ=WEEKLY;COUNT=10"
    assert dates[0]["capacity"] == 15


@pytest.mark.parametrize("which", ["draft", "archived"])
def test_offer_detail_of_a_non_public_offer_is_404_with_json(
    client: Client, catalogue: dict[str, Any], which: str
) -> None:
    response = client.get(f"/api/v1/offers/{catalogue[which].pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"]
    assert "Entwurf" not in response.content.decode()


@pytest.mark.parametrize("offer_id", ["999999", "9223372036854775808"])
def test_offer_detail_of_a_missing_offer_is_404(
    client: Client, catalogue: dict[str, Any], offer_id: str
) -> None:
    response = client.get(f"/api/v1/offers/{offer_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Kein öffentliches Angebot mit dieser Nummer."}


def test_offer_detail_with_a_non_numeric_id_is_422(
    client: Client, catalogue: dict[str, Any]
) -> None:
    assert client.get("/api/v1/offers/abc").status_code == 422


# --- providers -----------------------------------------------------------------


def test_provider_list_includes_closed_institutions_with_their_status(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, "providers")
    assert data["total"] == 3
    by_name = {p["name"]: p for p in data["results"]}
    assert by_name["Hauptschule am Bahnhof"]["status"] == {"code": "closed", "label": "Geschlossen"}
    assert by_name["Gymnasium Eickel"]["status"]["code"] == "active"
    assert by_name["Gymnasium Eickel"]["school_type"] == "Gymnasium"


def test_provider_list_filters_by_kind_and_school_number(
    client: Client, catalogue: dict[str, Any]
) -> None:
    schools = get(client, "providers", kind="school")
    assert {p["name"] for p in schools["results"]} == {"Gymnasium Eickel", "Hauptschule am Bahnhof"}
    one = get(client, "providers", school_number="123456")
    assert [p["name"] for p in one["results"]] == ["Gymnasium Eickel"]
    active = get(client, "providers", kind="school", status="active")
    assert active["total"] == 1


def test_provider_list_pages_by_name(client: Client, catalogue: dict[str, Any]) -> None:
    data = get(client, "providers", limit=2, offset=1)
    assert data["total"] == 3
    assert [p["name"] for p in data["results"]] == [
        "Hauptschule am Bahnhof",
        "Volkshochschule Herne",
    ]


def test_provider_detail_lists_places_and_only_public_offers(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, f"providers/{catalogue['vhs'].pk}")
    assert data["kind"]["code"] == "adult_education"
    assert [place["name"] for place in data["places"]] == ["Kulturzentrum"]
    assert data["places"][0]["latitude"] == pytest.approx(51.5386)
    assert data["offers"] == [
        {"id": catalogue["german"].pk, "title": "Deutschkurs für Anfängerinnen"}
    ]


def test_provider_detail_of_a_closed_school_says_since_when(
    client: Client, catalogue: dict[str, Any]
) -> None:
    data = get(client, f"providers/{catalogue['closed'].pk}")
    assert data["status"]["code"] == "closed"
    assert data["closed_on"] == "2019-07-31"
    assert data["school_number"] == "654321"


def test_provider_detail_of_a_missing_provider_is_404_with_json(client: Client, db: None) -> None:
    response = client.get("/api/v1/providers/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "Keine Einrichtung mit dieser Nummer."}


@pytest.mark.parametrize("path", ["angebote", "offers/1/termine", "offers/"])
def test_unknown_api_path_is_404_with_json(client: Client, db: None, path: str) -> None:
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Diesen Pfad gibt es in der API nicht."}


# --- OpenAPI and docs ----------------------------------------------------------


def test_openapi_describes_every_endpoint(client: Client, db: None) -> None:
    schema = get(client, "openapi.json")
    # The monitoring's endpoints are checked in tests/monitoring/test_api.py.
    catalogue = {path for path in schema["paths"] if not path.startswith("/api/v1/monitoring/")}
    assert catalogue == {
        "/api/v1/search",
        "/api/v1/offers",
        "/api/v1/offers/{offer_id}",
        "/api/v1/providers",
        "/api/v1/providers/{provider_id}",
    }
    for path in schema["paths"].values():
        assert path["get"]["summary"]
        assert path["get"]["description"]


def test_openapi_lists_the_taxonomy_codes_a_filter_accepts(client: Client, db: None) -> None:
    schema = get(client, "openapi.json")
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert "early_childhood" in parameters["life_phase"]["schema"]["items"]["enum"]
    assert parameters["limit"]["schema"]["maximum"] == 100
    assert parameters["limit"]["description"]


def test_openapi_describes_the_fields_of_an_offer(client: Client, db: None) -> None:
    fields = get(client, "openapi.json")["components"]["schemas"]["OfferDetail"]["properties"]
    assert fields["price"]["description"] == "Preis in Euro."
    assert "place" in fields
    assert "dates" in fields


def test_docs_page_loads_swagger_from_our_own_static_files(client: Client, db: None) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert "/static/ninja/swagger-ui-init.js" in sources
    assert "/static/ninja/swagger-ui.css" in sources
    assert all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_docs_page_has_no_inline_script_the_csp_would_block(client: Client, db: None) -> None:
    html = client.get("/api/v1/docs").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        # A JSON data block is not executed, so script-src does not apply to it.
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert "<style" not in html


def test_docs_page_switches_off_the_online_validator(client: Client, db: None) -> None:
    html = client.get("/api/v1/docs").content.decode()
    block = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S
    )
    assert block is not None
    settings = json.loads(block.group(1))
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


def test_openapi_names_the_sample_sizes_the_search_uses(client: Client, db: None) -> None:
    schemas = get(client, "openapi.json")["components"]["schemas"]
    approximate = schemas["FacetValue"]["properties"]["approximate"]["description"]
    assert f"mehr als {search.FACET_SAMPLE} Treffern" in approximate
    answer = schemas["SearchAnswer"]["properties"]
    assert "Ab etwa 1.600 Treffern" in answer["total"]["description"]
    assert "jedes 16. Eintrags" in answer["total_estimated"]["description"]
