"""Importing offers from CSV and schema.org JSON-LD (``lernstadt import_offers``)."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lernstadt.catalog.models import Offer, OfferDate, Place, Provider, SearchEntry
from lernstadt.catalog.taxonomy import OfferStatus

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
HEADER = [
    "external_id",
    "title",
    "summary",
    "provider",
    "provider_kind",
    "place_name",
    "street",
    "postcode",
    "city",
    "borough",
    "latitude",
    "longitude",
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
    "start",
    "end",
    "recurrence",
    "capacity",
    "example",
]


def offer_row(**changes: str) -> dict[str, str]:
    return {
        "external_id": "k1",
        "title": "Deutsch für den Alltag",
        "summary": "Sprechen, lesen, schreiben",
        "provider": "Volkshochschule Herne",
        "provider_kind": "adult_education",
        "place_name": "Kulturzentrum",
        "street": "Willi-Pohlmann-Platz 1",
        "postcode": "44623",
        "city": "Herne",
        "borough": "Herne-Mitte",
        "latitude": "51.5386",
        "longitude": "7.2165",
        "life_phases": "adults|families",
        "topics": "language",
        "target_groups": "newcomers|women",
        "languages": "de|ar",
        "accessibility": "wheelchair|childcare",
        "min_age": "16",
        "max_age": "",
        "price": "45,50",
        "price_reduced": "20",
        "cost_note": "Material inklusive",
        "registration_required": "ja",
        "registration_url": "https://vhs.example.org/k1",
        "registration_email": "kurse@vhs.example.org",
        "registration_phone": "02323 161111",
        "registration_note": "bis 1. März",
        "status": "published",
        "last_reviewed": "2026-10-01",
        "start": "2027-03-03T18:00",
        "end": "2027-03-03T19:30",
        "recurrence": "FREQ=WEEKLY;BYDAY=WE;COUNT=10",
        "capacity": "16",
        "example": "nein",
    } | changes


def offers_csv(*rows: dict[str, str], delimiter: str = ",") -> str:
    out = io.StringIO()
    columns = list(rows[0]) if rows else HEADER
    writer = csv.DictWriter(out, columns, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "vhs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_json(tmp_path: Path, document: Any, name: str = "angebote.jsonld") -> Path:
    return write(tmp_path, json.dumps(document, ensure_ascii=False), name)


def run_import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_offers", str(path), *args, stdout=out)
    return out.getvalue()


def failed_import(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as failure:
        run_import(path, *args)
    return str(failure.value)


# --- CSV -----------------------------------------------------------------------------


def test_csv_offer_is_stored_with_every_field(tmp_path: Path) -> None:
    out = run_import(write(tmp_path, offers_csv(offer_row())))

    assert "1 neu" in out and "1 neue Anbieter" in out
    offer = Offer.objects.get()
    assert (offer.source, offer.external_id) == ("vhs", "k1")
    assert offer.title == "Deutsch für den Alltag"
    assert offer.life_phases == ["adults", "families"]
    assert offer.target_groups == ["newcomers", "women"]
    assert offer.languages == ["de", "ar"]
    assert offer.accessibility == ["wheelchair", "childcare"]
    assert (offer.min_age, offer.max_age) == (16, None)
    assert (offer.price, offer.price_reduced) == (Decimal("45.50"), Decimal("20.00"))
    assert offer.registration_required is True
    assert offer.registration_email == "kurse@vhs.example.org"
    assert offer.last_reviewed == dt.date(2026, 10, 1)
    assert offer.is_example is False
    assert offer.provider.name == "Volkshochschule Herne"
    assert offer.provider.kind == "adult_education"
    place = offer.place
    assert place is not None and place.provider == offer.provider
    assert (place.borough, place.latitude, place.longitude) == ("Herne-Mitte", 51.5386, 7.2165)
    date = offer.dates.get()
    assert date.starts_at == dt.datetime(2027, 3, 3, 18, 0, tzinfo=BERLIN)
    assert date.ends_at == dt.datetime(2027, 3, 3, 19, 30, tzinfo=BERLIN)
    assert date.recurrence == "FREQ=WEEKLY;COUNT=10;BYDAY=WE"
    assert date.capacity == 16
    assert SearchEntry.objects.get(kind="offer").next_date == date.starts_at


def test_reimport_updates_the_offer_and_replaces_its_dates(tmp_path: Path) -> None:
    run_import(write(tmp_path, offers_csv(offer_row())))
    changed = offer_row(title="Deutsch im Alltag", start="2027-04-07T17:00", end="")

    out = run_import(write(tmp_path, offers_csv(changed)))

    assert "0 neu, 1 aktualisiert" in out and "0 neue Anbieter" in out
    offer = Offer.objects.get()
    assert offer.title == "Deutsch im Alltag"
    assert list(offer.dates.values_list("starts_at", flat=True)) == [
        dt.datetime(2027, 4, 7, 17, 0, tzinfo=BERLIN)
    ]
    assert Provider.objects.count() == Place.objects.count() == 1


def test_source_defaults_to_the_file_name_and_can_be_given(tmp_path: Path) -> None:
    path = write(tmp_path, offers_csv(offer_row()))

    run_import(path)
    run_import(path, "--source", "volkshochschule")

    assert sorted(Offer.objects.values_list("source", flat=True)) == ["vhs", "volkshochschule"]


def test_dry_run_checks_and_counts_but_writes_nothing(tmp_path: Path) -> None:
    out = run_import(write(tmp_path, offers_csv(offer_row())), "--dry-run")

    assert "Probelauf" in out and "1 neu" in out
    assert not Offer.objects.exists()
    assert not Provider.objects.exists()
    assert not SearchEntry.objects.exists()


def test_dry_run_still_reports_problems(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(topics="kochen"))), "--dry-run")

    assert "kochen" in message


def test_offer_is_linked_to_a_school_by_its_number(tmp_path: Path) -> None:
    school = Provider.objects.create(name="Kolibri-Schule", kind="school", school_number="100014")
    row = offer_row(provider="Kolibri-Schule", provider_kind="")
    row["provider_school_number"] = "100014"

    run_import(write(tmp_path, offers_csv(row)))

    assert Offer.objects.get().provider == school
    assert Provider.objects.count() == 1


def test_unknown_school_number_is_rejected(tmp_path: Path) -> None:
    row = offer_row() | {"provider_school_number": "999999"}

    message = failed_import(write(tmp_path, offers_csv(row)))

    assert "Zeile 2, Spalte „provider_school_number“" in message and "999999" in message


def test_existing_provider_is_found_by_name_without_a_kind(tmp_path: Path) -> None:
    vhs = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")

    run_import(
        write(tmp_path, offers_csv(offer_row(provider="volkshochschule herne", provider_kind="")))
    )

    assert Offer.objects.get().provider == vhs


def test_new_provider_without_a_kind_is_rejected(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(provider_kind=""))))

    assert "Spalte „provider_kind“" in message and "neu" in message


def test_new_provider_needs_its_kind_only_once_per_file(tmp_path: Path) -> None:
    rows = [offer_row(), offer_row(external_id="k2", provider_kind="")]

    run_import(write(tmp_path, offers_csv(*rows)))

    assert Provider.objects.count() == 1
    assert Offer.objects.count() == 2


def test_ambiguous_provider_name_is_rejected(tmp_path: Path) -> None:
    Provider.objects.create(name="Städt. Gesamtschule", kind="school", school_number="111111")
    Provider.objects.create(name="Städt. Gesamtschule", kind="school", school_number="222222")

    message = failed_import(
        write(tmp_path, offers_csv(offer_row(provider="Städt. Gesamtschule", provider_kind="")))
    )

    assert "mehrdeutig" in message


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("title", "", "Pflichtfeld"),
        ("title", "x" * 301, "zu lang"),
        ("life_phases", "adults|pensioners", "pensioners"),
        ("topics", "kochen", "kochen"),
        ("target_groups", "aliens", "aliens"),
        ("languages", "klingonisch", "klingonisch"),
        ("accessibility", "elevator", "elevator"),
        ("provider_kind", "castle", "castle"),
        ("borough", "Bochum-Mitte", "kein Stadtbezirk von Herne"),
        ("min_age", "zehn", "keine ganze Zahl"),
        ("max_age", "200", "zwischen"),
        ("price", "-5", "kein Betrag"),
        ("price", "12.345", "kein Betrag"),
        ("price_reduced", "billig", "kein Betrag"),
        ("registration_required", "vielleicht", "weder ja noch nein"),
        ("registration_url", "javascript:alert(1)", "http(s)-Adresse"),
        ("registration_url", "ftp://example.org/", "http(s)-Adresse"),
        ("registration_email", "kurse(at)vhs", "E-Mail"),
        ("registration_phone", "ruf an!", "Telefonnummer"),
        ("status", "deleted", "deleted"),
        ("last_reviewed", "01.10.2026", "kein Datum"),
        ("start", "morgen", "kein Zeitpunkt"),
        ("start", "2027-02-30T18:00", "kein Zeitpunkt"),
        ("end", "2027-03-03T17:00", "vor dem Beginn"),
        ("recurrence", "FREQ=SOMETIMES", "Wiederholung"),
        ("recurrence", "COUNT=3", "ohne FREQ"),
        ("recurrence", "FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT und UNTIL"),
        ("capacity", "-1", "zwischen"),
        ("latitude", "north", "keine Koordinaten"),
        ("latitude", "123", "außerhalb"),
        ("longitude", "", "nur zusammen"),
        ("example", "manchmal", "weder ja noch nein"),
    ],
)
def test_each_kind_of_bad_value_is_reported_by_line_and_column(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(**{column: value}))))

    assert reason in message
    expected_column = "latitude" if column == "longitude" else column
    assert f"Zeile 2, Spalte „{expected_column}“" in message
    assert not Offer.objects.exists()


def test_minimum_age_above_maximum_is_reported(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(min_age="18", max_age="10"))))

    assert "Spalte „max_age“" in message


def test_end_without_start_is_reported(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(start=""))))

    assert "Spalte „start“" in message and "Beginn fehlt" in message


def test_offer_without_dates_is_fine(tmp_path: Path) -> None:
    row = offer_row(start="", end="", recurrence="", capacity="")

    run_import(write(tmp_path, offers_csv(row)))

    assert not OfferDate.objects.exists()


def test_date_without_time_is_midnight_local(tmp_path: Path) -> None:
    run_import(write(tmp_path, offers_csv(offer_row(start="2027-07-01", end="", recurrence=""))))

    assert OfferDate.objects.get().starts_at == dt.datetime(2027, 7, 1, tzinfo=BERLIN)


def test_empty_price_is_free_and_comma_decimal_is_accepted(tmp_path: Path) -> None:
    rows = [offer_row(price="", price_reduced=""), offer_row(external_id="k2", price="3,5")]

    run_import(write(tmp_path, offers_csv(*rows)))

    assert Offer.objects.get(external_id="k1").cost == "free"
    assert Offer.objects.get(external_id="k2").price == Decimal("3.50")


def test_labels_are_accepted_for_codes(tmp_path: Path) -> None:
    run_import(write(tmp_path, offers_csv(offer_row(topics="Sport und Bewegung", borough="wanne"))))

    offer = Offer.objects.get()
    assert offer.topics == ["sport"]
    assert offer.place is not None and offer.place.borough == "Herne-Wanne"


def test_unknown_column_is_an_error(tmp_path: Path) -> None:
    row = offer_row() | {"colour": "blue"}

    message = failed_import(write(tmp_path, offers_csv(row)))

    assert "unbekannte Spalten: colour" in message and "Zeile 1" in message


def test_missing_required_column_is_an_error(tmp_path: Path) -> None:
    row = offer_row()
    del row["provider"]

    assert "Pflichtspalten fehlen: provider" in failed_import(write(tmp_path, offers_csv(row)))


def test_missing_optional_columns_are_fine(tmp_path: Path) -> None:
    row = {
        "external_id": "x1",
        "title": "Lesecafé",
        "provider": "Stadtbibliothek",
        "provider_kind": "library",
    }

    run_import(write(tmp_path, offers_csv(row)))

    offer = Offer.objects.get()
    assert (offer.status, offer.place, offer.price) == (OfferStatus.PUBLISHED, None, None)


def test_duplicate_external_id_is_reported_with_both_lines(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(), offer_row(title="Zwei"))))

    assert "Zeile 3, Spalte „external_id“" in message and "schon Zeile 2" in message


def test_wrong_delimiter_is_a_clear_error(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(), delimiter="|")))

    assert "Trennzeichen" in message
    assert message.count("\n- ") == 1


def test_empty_columns_that_spreadsheets_leave_are_ignored(tmp_path: Path) -> None:
    text = "external_id,title,provider,provider_kind,,\r\nk1,Kurs,VHS,club,,\r\n"

    run_import(write(tmp_path, text))

    assert Offer.objects.get().title == "Kurs"


def test_row_with_more_fields_than_columns_is_reported(tmp_path: Path) -> None:
    text = "external_id,title,provider,provider_kind\r\nk1,Kurs,VHS,club,zu viel\r\n"

    assert "Zeile 2" in failed_import(write(tmp_path, text))


def test_every_problem_is_listed_and_nothing_is_written(tmp_path: Path) -> None:
    rows = [
        offer_row(external_id="ok"),
        offer_row(external_id="bad1", topics="kochen"),
        offer_row(external_id="bad2", price="gratis", borough="Mars"),
    ]

    message = failed_import(write(tmp_path, offers_csv(*rows)))

    assert "3 Probleme" in message
    assert "Zeile 3" in message and "Zeile 4" in message
    assert not Offer.objects.exists()
    assert not Provider.objects.exists()


def test_one_bad_row_changes_nothing_in_an_existing_catalogue(tmp_path: Path) -> None:
    run_import(write(tmp_path, offers_csv(offer_row())))
    rows = [offer_row(title="Neuer Titel"), offer_row(external_id="k2", start="gestern")]

    failed_import(write(tmp_path, offers_csv(*rows)))

    assert Offer.objects.get().title == "Deutsch für den Alltag"


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("'=SUM(A1:A3)", "=SUM(A1:A3)"),
        ("'+49 2323 16", "+49 2323 16"),
        ("'-10 % Rabatt", "-10 % Rabatt"),
        ("'@Kursleitung", "@Kursleitung"),
        ("''=literal", "'=literal"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
    ],
)
def test_cells_protected_against_formulas_are_restored(
    tmp_path: Path, cell: str, stored: str
) -> None:
    run_import(write(tmp_path, offers_csv(offer_row(cost_note=cell))))

    assert Offer.objects.get().cost_note == stored


def test_html_and_script_in_titles_are_stored_verbatim(tmp_path: Path) -> None:
    title = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    run_import(write(tmp_path, offers_csv(offer_row(title=title))))

    assert Offer.objects.get().title == title


def test_control_characters_are_rejected(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, offers_csv(offer_row(summary="Klingel\x07"))))

    assert "Steuerzeichen" in message and "Spalte „summary“" in message


def test_windows_1252_csv_from_excel_with_semicolons_is_accepted(tmp_path: Path) -> None:
    text = offers_csv(offer_row(title="Schwimmkurs für Anfänger", price="12,50"), delimiter=";")

    run_import(write(tmp_path, text, encoding="cp1252"))

    offer = Offer.objects.get()
    assert offer.title == "Schwimmkurs für Anfänger"
    assert offer.price == Decimal("12.50")


def test_utf8_bom_and_excel_sep_line_are_accepted(tmp_path: Path) -> None:
    text = "sep=,\r\n" + offers_csv(offer_row(title="Bücherei-Café"))

    run_import(write(tmp_path, text, encoding="utf-8-sig"))

    assert Offer.objects.get().title == "Bücherei-Café"


@pytest.mark.parametrize("text", ["", "\r\n", "external_id,title,provider\r\n"])
def test_empty_file_is_rejected(tmp_path: Path, text: str) -> None:
    message = failed_import(write(tmp_path, text))

    assert "leer" in message or "keine Angebote" in message


def test_file_that_is_not_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "angebote.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")

    assert "Nullzeichen" in failed_import(path)


# --- JSON-LD -------------------------------------------------------------------------


def course(**changes: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "Course",
        "identifier": "c1",
        "name": "Schwimmen für Kinder",
        "abstract": "Seepferdchen in zehn Wochen",
        "description": "Wassergewöhnung und erste Schwimmzüge.",
        "provider": {"@type": "SportsClub", "name": "SV Herne 1900", "keywords": ["club"]},
        "educationalLevel": ["school"],
        "about": [{"@type": "DefinedTerm", "termCode": "sport"}],
        "audience": [{"@type": "Audience", "identifier": "children"}],
        "typicalAgeRange": "5-8",
        "inLanguage": "de",
        "offers": {"@type": "Offer", "price": 60, "priceCurrency": "EUR"},
        "hasCourseInstance": [
            {
                "@type": "CourseInstance",
                "startDate": "2027-05-04T16:00:00+02:00",
                "endDate": "2027-05-04T16:45:00+02:00",
                "eventSchedule": {"@type": "Schedule", "repeatFrequency": "P1W", "repeatCount": 10},
                "maximumAttendeeCapacity": 12,
                "location": {
                    "@type": "Place",
                    "name": "Südpool",
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": "Bergstraße 60",
                        "postalCode": "44625",
                        "addressLocality": "Herne",
                    },
                    "geo": {"@type": "GeoCoordinates", "latitude": 51.52, "longitude": 7.22},
                    "containedInPlace": {"@type": "AdministrativeArea", "name": "Herne-Mitte"},
                },
            },
            {"@type": "CourseInstance", "startDate": "2027-09-07T16:00:00+02:00"},
        ],
    } | changes


def test_jsonld_course_is_stored_with_its_instances(tmp_path: Path) -> None:
    out = run_import(write_json(tmp_path, course()))

    assert "1 neu" in out and "2 Termine" in out
    offer = Offer.objects.get()
    assert (offer.source, offer.external_id) == ("angebote", "c1")
    assert offer.title == "Schwimmen für Kinder"
    assert offer.summary == "Seepferdchen in zehn Wochen"
    assert (offer.life_phases, offer.topics, offer.target_groups) == (
        ["school"],
        ["sport"],
        ["children"],
    )
    assert (offer.min_age, offer.max_age, offer.languages) == (5, 8, ["de"])
    assert offer.price == Decimal("60.00")
    assert offer.provider.kind == "club"
    first, second = offer.dates.all()
    assert first.starts_at == dt.datetime(2027, 5, 4, 16, 0, tzinfo=BERLIN)
    assert (first.recurrence, first.capacity) == ("FREQ=WEEKLY;COUNT=10", 12)
    assert second.starts_at == dt.datetime(2027, 9, 7, 16, 0, tzinfo=BERLIN)
    place = offer.place
    assert place is not None
    assert (place.name, place.street, place.borough, place.latitude) == (
        "Südpool",
        "Bergstraße 60",
        "Herne-Mitte",
        51.52,
    )


def test_jsonld_event_list_and_graph_shapes_are_read(tmp_path: Path) -> None:
    event = {
        "@type": "Event",
        "@id": "https://example.org/events/lesung",
        "name": "Lesung",
        "startDate": "2027-06-01T19:00",
        "organizer": {"@id": "#bib"},
        "location": "Stadtbibliothek, Willi-Pohlmann-Platz 1",
    }
    program = {
        "@type": "EducationalOccupationalProgram",
        "identifier": {"@type": "PropertyValue", "value": "p1"},
        "name": "Ausbildung Pflege",
        "provider": {"@id": "#bib"},
        "startDate": "2027-08-01",
        "maximumEnrollment": 20,
    }
    library = {
        "@type": "Library",
        "@id": "#bib",
        "name": "Stadtbibliothek Herne",
        "keywords": ["library"],
    }
    run_import(
        write_json(
            tmp_path, {"@context": "https://schema.org", "@graph": [event, program, library]}
        )
    )
    run_import(write_json(tmp_path, [course()], name="liste.json"))

    lesung = Offer.objects.get(title="Lesung")
    assert lesung.external_id == "https://example.org/events/lesung"
    assert lesung.provider.name == "Stadtbibliothek Herne"
    assert (
        lesung.place is not None and lesung.place.name == "Stadtbibliothek, Willi-Pohlmann-Platz 1"
    )
    pflege = Offer.objects.get(external_id="p1")
    assert pflege.dates.get().capacity == 20
    assert pflege.provider == lesung.provider
    assert Offer.objects.filter(source="liste").count() == 1


def test_json_is_recognised_by_content_without_an_extension(tmp_path: Path) -> None:
    run_import(write_json(tmp_path, course(), name="angebote.txt"))

    assert Offer.objects.filter(title="Schwimmen für Kinder").exists()


def test_jsonld_reimport_updates_by_identifier(tmp_path: Path) -> None:
    run_import(write_json(tmp_path, course()))

    run_import(write_json(tmp_path, course(name="Schwimmen lernen", hasCourseInstance=[])))

    offer = Offer.objects.get()
    assert offer.title == "Schwimmen lernen"
    assert not offer.dates.exists()


def bad_course_message(tmp_path: Path, **changes: Any) -> str:
    return failed_import(
        write_json(tmp_path, {"@graph": [course(identifier="ok"), course(**changes)]})
    )


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"name": ""}, "@graph[1].name", "Pflichtfeld"),
        ({"about": ["kochen"]}, "@graph[1].about", "kochen"),
        ({"educationalLevel": [{"termCode": "retired"}]}, "@graph[1].educationalLevel", "retired"),
        ({"typicalAgeRange": "jung"}, "@graph[1].typicalAgeRange", "Altersspanne"),
        ({"typicalAgeRange": "12-6"}, "@graph[1].typicalAgeRange", "kleiner"),
        ({"offers": {"price": "gratis"}}, "@graph[1].offers[0].price", "kein Betrag"),
        (
            {"offers": {"price": 5, "priceCurrency": "USD"}},
            "@graph[1].offers[0].priceCurrency",
            "EUR",
        ),
        ({"creativeWorkStatus": "deleted"}, "@graph[1].creativeWorkStatus", "deleted"),
        ({"dateModified": "gestern"}, "@graph[1].dateModified", "kein Datum"),
        ({"provider": {"name": "Neu e.V."}}, "@graph[1].provider.keywords", "provider_kind"),
        ({"provider": 42}, "@graph[1].provider.name", "Anbieter fehlt"),
        (
            {"potentialAction": {"@type": "RegisterAction", "target": "javascript:alert(1)"}},
            "@graph[1].potentialAction.target",
            "http(s)-Adresse",
        ),
        (
            {"hasCourseInstance": [{"startDate": "bald"}]},
            "@graph[1].hasCourseInstance[0].startDate",
            "kein Zeitpunkt",
        ),
        (
            {"hasCourseInstance": [{"startDate": "2027-01-02", "endDate": "2027-01-01"}]},
            "@graph[1].hasCourseInstance[0].endDate",
            "vor dem Beginn",
        ),
        (
            {"hasCourseInstance": [{"endDate": "2027-01-01"}]},
            "@graph[1].hasCourseInstance[0].startDate",
            "Beginn fehlt",
        ),
        (
            {
                "hasCourseInstance": [
                    {"startDate": "2027-01-02", "eventSchedule": {"repeatFrequency": "often"}}
                ]
            },
            "@graph[1].hasCourseInstance[0].eventSchedule",
            "repeatFrequency",
        ),
        (
            {
                "hasCourseInstance": [
                    {"startDate": "2027-01-02", "maximumAttendeeCapacity": "viele"}
                ]
            },
            "@graph[1].hasCourseInstance[0].maximumAttendeeCapacity",
            "keine ganze Zahl",
        ),
        ({"hasCourseInstance": ["morgen"]}, "@graph[1].hasCourseInstance[0]", "CourseInstance"),
        (
            {
                "hasCourseInstance": [
                    {
                        "startDate": "2027-01-02",
                        "location": {"geo": {"latitude": "x", "longitude": 7}},
                    }
                ]
            },
            "@graph[1].hasCourseInstance[0].location.geo",
            "keine Koordinaten",
        ),
        (
            {
                "hasCourseInstance": [
                    {
                        "startDate": "2027-01-02",
                        "location": {"containedInPlace": {"name": "Gotham"}},
                    }
                ]
            },
            "@graph[1].hasCourseInstance[0].location.containedInPlace",
            "Stadtbezirk",
        ),
    ],
)
def test_each_kind_of_bad_jsonld_value_is_reported_by_entry_and_property(
    tmp_path: Path, changes: dict[str, Any], path: str, reason: str
) -> None:
    message = bad_course_message(tmp_path, identifier="bad", **changes)

    assert f"Eintrag 2, Eigenschaft „{path}“" in message
    assert reason in message
    assert not Offer.objects.exists()


def test_jsonld_entry_without_identifier_is_reported(tmp_path: Path) -> None:
    document = course()
    del document["identifier"]

    assert "Kennung fehlt" in failed_import(write_json(tmp_path, document))


def test_unsupported_jsonld_type_is_reported(tmp_path: Path) -> None:
    message = failed_import(write_json(tmp_path, [course(), {"@type": "Recipe", "name": "Kuchen"}]))

    assert "Eintrag 2" in message and "Recipe" in message


def test_invalid_json_is_reported_with_its_line(tmp_path: Path) -> None:
    message = failed_import(
        write(tmp_path, '{\n  "@type": "Course",\n  "name": \n}', "kaputt.jsonld")
    )

    assert "kein gültiges JSON" in message and "Zeile 4" in message


@pytest.mark.parametrize(
    "document", ["42", '"Course"', "null", '{"@graph": {"@type": "Course"}}', "[]"]
)
def test_json_that_holds_no_offers_is_rejected(tmp_path: Path, document: str) -> None:
    message = failed_import(write(tmp_path, document, "leer.json"))

    assert "nichts wurde geändert" in message


def test_deeply_nested_json_is_rejected_cleanly(tmp_path: Path) -> None:
    assert "verschachtelt" in failed_import(
        write(tmp_path, "[" * 100_000 + "]" * 100_000, "tief.json")
    )


def test_jsonld_with_hostile_values_never_crashes(tmp_path: Path) -> None:
    hostile = course(
        name=["<b>Titel</b>"],
        identifier={"@id": {"nested": True}},
        about={"termCode": ["sport"]},
        provider={"name": {"@value": "SV"}, "keywords": "club", "identifier": [1, None]},
        hasCourseInstance={"startDate": 20270101, "location": {"address": 7, "geo": "here"}},
    )

    message = failed_import(write_json(tmp_path, hostile))

    assert "nichts wurde geändert" in message


# --- the documentation ----------------------------------------------------------------


def test_examples_in_the_format_documentation_import(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "data-formats.md").read_text()
    (csv_example,) = re.findall(r"```csv\n(.*?)```", docs, re.DOTALL)
    (json_example,) = re.findall(r"```json\n(.*?)```", docs, re.DOTALL)

    run_import(write(tmp_path, csv_example, "beispiel.csv"))
    run_import(write(tmp_path, json_example, "beispiel.jsonld"))

    assert Offer.objects.count() == 3
    assert OfferDate.objects.count() == 3
