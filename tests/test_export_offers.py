"""Exporting public offers as CSV, JSON-LD and iCalendar (``lernstadt export_offers``)."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from icalendar import Calendar

from lernstadt.catalog.formats.ical import catalog_calendar, offer_calendar
from lernstadt.catalog.formats.jsonld import offer_jsonld
from lernstadt.catalog.formats.offers_csv import guard
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider
from lernstadt.catalog.taxonomy import OfferStatus

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
COMPARED = [
    "title",
    "summary",
    "description",
    "life_phases",
    "topics",
    "target_groups",
    "languages",
    "accessibility",
    "min_age",
    "max_age",
    "price",
    "price_reduced",
    "cost_note",
    "registration_required",
    "registration_url",
    "registration_email",
    "registration_phone",
    "registration_note",
    "status",
    "last_reviewed",
    "is_example",
]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.fixture
def catalogue(db: None) -> dict[str, Offer]:
    """A rich offer, a free one at a school, a cancelled one, and offers not to export."""
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    centre = Place.objects.create(
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
        name="Kolibri-Schule", kind="school", school_number="100014", school_type="Grundschule"
    )
    Place.objects.create(
        provider=school, street="Jean-Vogel-Str. 36", postcode="44625", city="Herne"
    )
    german = Offer.objects.create(
        provider=vhs,
        place=centre,
        title="Deutsch für den Alltag",
        summary="Sprechen, lesen, schreiben",
        description='Zeile eins\nZeile zwei, mit Komma und "Anführung"',
        life_phases=["adults", "families"],
        topics=["language"],
        target_groups=["newcomers", "women"],
        languages=["de", "ar"],
        accessibility=["wheelchair"],
        min_age=16,
        price=Decimal("45.50"),
        price_reduced=Decimal("20.00"),
        cost_note="-10 % für Mitglieder",
        registration_required=True,
        registration_url="https://vhs.example.org/k1",
        registration_email="kurse@vhs.example.org",
        registration_phone="+49 2323 161111",
        registration_note="bis 1. März",
        last_reviewed=dt.date(2026, 10, 1),
        is_example=True,
        source="vhs",
        external_id="k1",
    )
    OfferDate.objects.create(
        offer=german,
        starts_at=at(2027, 3, 3, 18, 0),
        ends_at=at(2027, 3, 3, 19, 30),
        recurrence="FREQ=WEEKLY;COUNT=10;BYDAY=WE",
        capacity=16,
    )
    homework = Offer.objects.create(
        provider=school,
        title='=HYPERLINK("http://evil.example")',
        topics=["school_support"],
        price=Decimal("0"),
    )
    OfferDate.objects.create(offer=homework, starts_at=at(2027, 9, 1), ends_at=at(2027, 9, 3))
    cancelled = Offer.objects.create(
        provider=vhs, title="Yoga am Morgen", status=OfferStatus.CANCELLED
    )
    Offer.objects.create(provider=vhs, title="Entwurf", status=OfferStatus.DRAFT)
    Offer.objects.create(provider=vhs, title="Archiviert", status=OfferStatus.ARCHIVED)
    return {"german": german, "homework": homework, "cancelled": cancelled}


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_offers", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, dict[str, Any]]:
    """Every offer's fields, provider and place, by title."""
    found = {}
    for offer in Offer.objects.select_related("provider", "place"):
        place = offer.place or offer.provider.main_place
        found[offer.title] = {name: getattr(offer, name) for name in COMPARED} | {
            "provider": offer.provider.name,
            "provider_kind": offer.provider.kind,
            "place": str(place) if place else "",
            "borough": place.borough if place else "",
            "coordinates": (place.latitude, place.longitude) if place else None,
            "dates": [
                (d.starts_at, d.ends_at, d.recurrence, d.capacity) for d in offer.dates.all()
            ],
        }
    return found


def forget_offers() -> None:
    """The catalogue without offers (and without the providers made for them)."""
    Offer.objects.all().delete()
    Place.objects.filter(provider__school_number__isnull=True).delete()
    Provider.objects.filter(school_number__isnull=True).delete()


def import_file(path: Path) -> None:
    call_command("import_offers", str(path), stdout=io.StringIO())


# --- CSV ------------------------------------------------------------------------------


def test_csv_holds_public_offers_only(catalogue: dict[str, Offer]) -> None:
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"))))

    assert {row["external_id"] for row in rows} == {
        "k1",
        f"lernstadt-{catalogue['homework'].pk}",
        f"lernstadt-{catalogue['cancelled'].pk}",
    }
    german = next(row for row in rows if row["external_id"] == "k1")
    assert german["life_phases"] == "adults|families"
    assert german["price"] == "45.50"
    assert german["start"] == "2027-03-03T18:00"
    assert german["recurrence"] == "FREQ=WEEKLY;COUNT=10;BYDAY=WE"
    assert german["registration_required"] == german["example"] == "ja"
    assert german["borough"] == "Herne-Mitte"


def test_csv_cells_that_could_be_formulas_get_an_apostrophe(catalogue: dict[str, Offer]) -> None:
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"))))

    german = next(row for row in rows if row["external_id"] == "k1")
    homework = next(row for row in rows if row["title"].startswith("'"))
    assert homework["title"] == '\'=HYPERLINK("http://evil.example")'
    assert german["cost_note"] == "'-10 % für Mitglieder"
    assert german["registration_phone"] == "'+49 2323 161111"
    for cell in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "'=x"):
        assert guard(cell) == f"'{cell}"
    assert guard("Kurs = Spaß") == "Kurs = Spaß"


def test_csv_export_round_trips_through_the_import(
    catalogue: dict[str, Offer], tmp_path: Path
) -> None:
    before = snapshot()
    path = tmp_path / "angebote.csv"
    export("--format", "csv", "--output", str(path))
    forget_offers()

    import_file(path)

    after = snapshot()
    del before["Entwurf"], before["Archiviert"]
    assert after == before


def test_csv_is_written_with_crlf_line_ends_and_a_header(catalogue: dict[str, Offer]) -> None:
    text = export("--format", "csv")

    assert text.startswith("external_id,title,summary,description,provider,")
    assert text.count("\r\n") >= 4


# --- JSON-LD ---------------------------------------------------------------------------


def test_jsonld_is_a_schema_org_graph_of_courses(catalogue: dict[str, Offer]) -> None:
    document = json.loads(export("--format", "jsonld", "--base-url", "https://lernen.herne.de"))

    assert set(document) == {"@context", "@graph"}
    assert document["@context"] == "https://schema.org"
    assert {c["@type"] for c in document["@graph"]} == {"Course"}
    assert len(document["@graph"]) == 3
    german = next(c for c in document["@graph"] if c["identifier"] == "k1")
    assert german["url"].startswith("https://lernen.herne.de/angebote/")
    assert german["provider"]["@type"] == "EducationalOrganization"
    assert german["provider"]["name"] == "Volkshochschule Herne"
    instance = german["hasCourseInstance"][0]
    assert instance["@type"] == "CourseInstance"
    assert instance["startDate"] == "2027-03-03T18:00:00+01:00"
    assert instance["eventSchedule"]["repeatFrequency"] == "P1W"
    assert instance["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 51.5386,
        "longitude": 7.2194,
    }
    assert instance["location"]["address"]["postalCode"] == "44623"
    assert german["offers"][0]["price"] == "45.50"


def test_offer_jsonld_describes_one_offer_with_its_context(catalogue: dict[str, Offer]) -> None:
    data = offer_jsonld(catalogue["homework"])

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["provider"]["identifier"]["value"] == "100014"
    assert data["isAccessibleForFree"] is True
    # Whole days are written as dates.
    assert data["hasCourseInstance"][0]["startDate"] == "2027-09-01"
    assert data["hasCourseInstance"][0]["endDate"] == "2027-09-03"
    json.dumps(data)  # plain JSON types only


def test_cancelled_offer_is_marked_in_jsonld(catalogue: dict[str, Offer]) -> None:
    data = offer_jsonld(catalogue["cancelled"])

    assert data["creativeWorkStatus"] == "cancelled"


def test_jsonld_export_round_trips_through_the_import(
    catalogue: dict[str, Offer], tmp_path: Path
) -> None:
    german = catalogue["german"]
    OfferDate.objects.create(
        offer=german,
        starts_at=at(2027, 9, 1, 18, 0),
        recurrence="FREQ=MONTHLY;UNTIL=20271231;BYDAY=1MO",
        note="Herbstkurs",
    )
    before = snapshot()
    path = tmp_path / "angebote.jsonld"
    export("--format", "jsonld", "--output", str(path))
    forget_offers()

    import_file(path)

    after = snapshot()
    del before["Entwurf"], before["Archiviert"]
    assert after == before
    assert Offer.objects.get(external_id="k1").dates.get(note="Herbstkurs")


def test_recurrence_that_a_schedule_cannot_express_is_left_out_of_jsonld(
    catalogue: dict[str, Offer],
) -> None:
    OfferDate.objects.filter(offer=catalogue["german"]).update(
        recurrence="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1"
    )

    instance = offer_jsonld(catalogue["german"])["hasCourseInstance"][0]

    assert "eventSchedule" not in instance


# --- iCalendar -------------------------------------------------------------------------


def events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_ics_has_one_event_per_date_and_parses_back(catalogue: dict[str, Offer]) -> None:
    data = export("--format", "ics", "--base-url", "https://lernen.herne.de").encode()

    found = {str(e["SUMMARY"]): e for e in events(data)}
    assert set(found) == {
        "Deutsch für den Alltag",
        '=HYPERLINK("http://evil.example")',
    }
    german = found["Deutsch für den Alltag"]
    assert german.decoded("DTSTART") == at(2027, 3, 3, 18, 0)
    assert german.decoded("DTEND") == at(2027, 3, 3, 19, 30)
    assert german["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=10;BYDAY=WE"
    assert "Willi-Pohlmann-Platz 1" in str(german["LOCATION"])
    assert str(german["URL"]).startswith("https://lernen.herne.de/angebote/")
    assert german["STATUS"] == "CONFIRMED"
    assert Calendar.from_ical(data).walk("VTIMEZONE")


def test_ics_whole_days_are_dates_with_exclusive_end(catalogue: dict[str, Offer]) -> None:
    (event,) = events(offer_calendar(catalogue["homework"]))

    assert event.decoded("DTSTART") == dt.date(2027, 9, 1)
    assert event.decoded("DTEND") == dt.date(2027, 9, 4)


def test_ics_uid_is_stable_per_date(catalogue: dict[str, Offer]) -> None:
    first = [str(e["UID"]) for e in events(catalog_calendar(Offer.objects.order_by("pk")))]
    again = [str(e["UID"]) for e in events(catalog_calendar(Offer.objects.order_by("pk")))]

    assert first == again
    assert len(set(first)) == len(first) == 2


def test_ics_until_is_utc_beside_a_local_start(catalogue: dict[str, Offer]) -> None:
    OfferDate.objects.filter(offer=catalogue["german"]).update(
        recurrence="FREQ=WEEKLY;UNTIL=20270630"
    )

    (event,) = events(offer_calendar(catalogue["german"]))

    assert event["RRULE"]["UNTIL"][0] == dt.datetime(2027, 6, 30, 21, 59, 59, tzinfo=dt.UTC)


def test_ics_marks_a_cancelled_offer(catalogue: dict[str, Offer]) -> None:
    OfferDate.objects.create(offer=catalogue["cancelled"], starts_at=at(2027, 1, 5, 8, 0))

    (event,) = events(offer_calendar(catalogue["cancelled"]))

    assert event["STATUS"] == "CANCELLED"


def test_export_writes_to_a_file_when_asked(catalogue: dict[str, Offer], tmp_path: Path) -> None:
    path = tmp_path / "angebote.ics"

    assert export("--format", "ics", "--output", str(path)) == ""

    assert path.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
