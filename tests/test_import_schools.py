"""Importing the official NRW school register (``lernstadt import_schools``)."""

import datetime as dt
import http.server
import io
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lernstadt.catalog import search
from lernstadt.catalog.formats.school_register import join_name_parts, school_name
from lernstadt.catalog.models import Offer, Place, Provider, SearchEntry
from lernstadt.catalog.taxonomy import ProviderKind, ProviderStatus

pytestmark = pytest.mark.django_db

HERNE = "herne/raw/nrw-schulgrunddaten/schuldaten_2021_herne_05916000.csv"
KOLIBRI = "100014"  # Kolibri-Schule, a primary school in Herne (first row of the excerpt)
HEADER = (
    "Schulnummer;Schulform;Schulbezeichnung_1;Schulbezeichnung_2;Schulbezeichnung_3;"
    "Kurzbezeichnung;PLZ;Ort;Strasse;Telefonvorwahl;Telefon;Faxvorwahl;Fax;E-Mail;Homepage;"
    "Rechtsform;Traegernummer;Gemeindeschluessel;Schulbetriebsschluessel;Schulbetriebsdatum;"
    "EPSG;UTMRechtswert;UTMHochwert;"
)


def school_row(**changes: str) -> str:
    """One register row (a real Herne school) with some fields changed."""
    fields = {
        "Schulnummer": "100014",
        "Schulform": "02",
        "Schulbezeichnung_1": "Kolibri-Schule",
        "Schulbezeichnung_2": "Städt. Gemeinschaftsgrundschule",
        "Schulbezeichnung_3": "",
        "Kurzbezeichnung": "Herne, GG Kolibri-Schule",
        "PLZ": "44625",
        "Ort": "Herne",
        "Strasse": "Jean-Vogel-Str. 36",
        "Telefonvorwahl": "02323",
        "Telefon": "163970",
        "Faxvorwahl": "02323",
        "Fax": "163981",
        "E-Mail": "100014@schule.nrw.de",
        "Homepage": "https://www.kolibri-schule-herne.de/",
        "Rechtsform": "1",
        "Traegernummer": "10327",
        "Gemeindeschluessel": "05916000",
        "Schulbetriebsschluessel": "1",
        "Schulbetriebsdatum": "01.08.2017",
        "EPSG": "EPSG:25832",
        "UTMRechtswert": "376821",
        "UTMHochwert": "5710073",
    } | changes
    return ";".join('"' + value.replace('"', '""') + '"' for value in fields.values())


def register(*rows: str, sep_line: bool = True) -> str:
    lines = (["sep=;"] if sep_line else []) + [HEADER, *rows]
    return "\r\n".join(lines) + "\r\n"


def write(tmp_path: Path, text: str, name: str = "schuldaten.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(source: Path | str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", str(source), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failed_import(source: Path | str) -> str:
    with pytest.raises(CommandError) as failure:
        run_import(source)
    return str(failure.value)


@pytest.fixture
def herne_register(shared_data: Path) -> Path:
    return shared_data / HERNE


@pytest.fixture
def herne_text(herne_register: Path) -> str:
    return herne_register.read_text(encoding="utf-8")


# --- real files ------------------------------------------------------------------


def test_full_register_imports_every_school_and_skips_the_authorities(shared_data: Path) -> None:
    out, _ = run_import(shared_data / "nrw" / "schuldaten_2021.csv")

    assert Provider.objects.count() == 5507 - 59
    assert "5448 neu" in out and "59 übersprungen" in out and "35 geschlossen" in out
    assert not Provider.objects.filter(name__startswith="Bezirksregierung").exists()
    assert not Provider.objects.filter(school_type_code="0A").exists()
    assert Place.objects.filter(latitude__isnull=False).count() == 5448
    kolibri = Provider.objects.get(school_number=KOLIBRI)
    assert kolibri.name == "Kolibri-Schule"
    assert kolibri.school_type == "Grundschule"
    place = kolibri.main_place
    assert place is not None and place.city == "Herne" and place.borough == ""
    assert place.latitude == pytest.approx(51.5, abs=0.1)
    assert place.longitude == pytest.approx(7.2, abs=0.1)
    closed = Provider.objects.filter(status=ProviderStatus.CLOSED)
    assert closed.count() == 35
    assert closed.get(school_number="104723").closed_on == dt.date(2021, 7, 31)
    assert Provider.objects.filter(kind=ProviderKind.VOCATIONAL_COLLEGE).count() == 369 + 18
    assert Provider.objects.filter(kind=ProviderKind.ADULT_EDUCATION).count() == 48
    # The register says "null" as EPSG for this one school (Bochum): still converted.
    bochum = Provider.objects.get(school_number="100000").main_place
    assert bochum is not None and bochum.latitude == pytest.approx(51.45, abs=0.05)
    assert SearchEntry.objects.filter(kind="institution").count() == 5448 - 35


def test_herne_excerpt_gives_42_schools_in_herne(herne_register: Path) -> None:
    out, _ = run_import(herne_register)

    assert "42 neu" in out and "1 übersprungen" in out
    places = Place.objects.all()
    assert places.count() == 42
    assert {p.city for p in places} == {"Herne"}
    for place in places:
        assert place.latitude == pytest.approx(51.53, abs=0.05)
        assert place.longitude == pytest.approx(7.2, abs=0.1)
    assert not Provider.objects.filter(name="Schulamt").exists()


def test_school_fields_come_from_the_register(herne_register: Path) -> None:
    run_import(herne_register)

    kolibri = Provider.objects.get(school_number=KOLIBRI)
    assert kolibri.kind == ProviderKind.SCHOOL
    assert kolibri.official_name == "Kolibri-Schule Städt. Gemeinschaftsgrundschule"
    assert kolibri.school_type_code == "02"
    assert kolibri.phone == "02323 163970"
    assert kolibri.email == "100014@schule.nrw.de"
    assert kolibri.website == "https://www.kolibri-schule-herne.de/"
    assert kolibri.legal_form == "öffentlich"
    assert kolibri.status == ProviderStatus.ACTIVE
    assert (kolibri.source, kolibri.external_id) == ("nrw-schulgrunddaten", KOLIBRI)
    place = kolibri.main_place
    assert place is not None
    assert (place.street, place.postcode) == ("Jean-Vogel-Str. 36", "44625")
    assert Provider.objects.get(school_number="164264").legal_form == "privat"
    vocational = Provider.objects.filter(kind=ProviderKind.VOCATIONAL_COLLEGE)
    assert set(vocational.values_list("school_number", flat=True)) == {"180658", "180804"}


def test_imported_schools_are_found_by_their_number(herne_register: Path) -> None:
    run_import(herne_register)

    result = search.search_offers(KOLIBRI, with_facets=False)

    first = search.hit(result.page[0])
    assert first["school_number"] == KOLIBRI
    assert first["title"] == "Kolibri-Schule"


# --- updates and closures ----------------------------------------------------------------


def test_reimport_updates_schools_instead_of_duplicating(tmp_path: Path, herne_text: str) -> None:
    run_import(write(tmp_path, herne_text))
    renamed = herne_text.replace('"Kolibri-Schule";', '"Kolibri-Grundschule";', 1)

    out, _ = run_import(write(tmp_path, renamed))

    assert "0 neu, 1 aktualisiert, 41 unverändert, 0 geschlossen" in out
    assert Provider.objects.count() == 42
    assert Place.objects.count() == 42
    assert Provider.objects.get(school_number=KOLIBRI).name == "Kolibri-Grundschule"
    entry = SearchEntry.objects.get(school_number=KOLIBRI)
    assert entry.title == "Kolibri-Grundschule"


def test_school_missing_from_a_newer_register_is_closed_not_deleted(
    tmp_path: Path, herne_text: str
) -> None:
    run_import(write(tmp_path, herne_text))
    without_kolibri = "".join(
        line for line in herne_text.splitlines(keepends=True) if not line.startswith('"100014"')
    )

    out, _ = run_import(write(tmp_path, without_kolibri))

    assert "1 geschlossen" in out
    kolibri = Provider.objects.get(school_number=KOLIBRI)
    assert kolibri.status == ProviderStatus.CLOSED
    assert kolibri.closed_on == timezone.localdate()
    assert Provider.objects.count() == 42
    assert not SearchEntry.objects.filter(school_number=KOLIBRI).exists()


def test_closed_school_that_is_back_in_the_register_is_reopened(
    tmp_path: Path, herne_text: str
) -> None:
    run_import(write(tmp_path, herne_text))
    Provider.objects.filter(school_number=KOLIBRI).update(
        status=ProviderStatus.CLOSED, closed_on=dt.date(2020, 1, 1)
    )

    run_import(write(tmp_path, herne_text))

    kolibri = Provider.objects.get(school_number=KOLIBRI)
    assert (kolibri.status, kolibri.closed_on) == (ProviderStatus.ACTIVE, None)
    assert SearchEntry.objects.filter(school_number=KOLIBRI).exists()


def test_operating_key_9_marks_the_school_closed_on_its_date(tmp_path: Path) -> None:
    row = school_row(Schulbetriebsschluessel="9", Schulbetriebsdatum="31.07.2021")

    run_import(write(tmp_path, register(row)))

    kolibri = Provider.objects.get(school_number=KOLIBRI)
    assert kolibri.status == ProviderStatus.CLOSED
    assert kolibri.closed_on == dt.date(2021, 7, 31)


def test_schools_not_from_the_register_are_never_closed(tmp_path: Path) -> None:
    Provider.objects.create(name="Volkshochschule", kind="adult_education")

    run_import(write(tmp_path, register(school_row())))

    assert Provider.objects.get(name="Volkshochschule").status == ProviderStatus.ACTIVE


def test_offers_of_a_renamed_school_are_reindexed(tmp_path: Path) -> None:
    run_import(write(tmp_path, register(school_row())))
    school = Provider.objects.get(school_number=KOLIBRI)
    Offer.objects.create(provider=school, title="Offene Ganztagsschule")

    run_import(write(tmp_path, register(school_row(Schulbezeichnung_1="Kolibri-Grundschule"))))

    assert SearchEntry.objects.get(kind="offer").subtitle == "Kolibri-Grundschule"


# --- real-world encodings ----------------------------------------------------------


def test_windows_1252_register_imports_like_utf8(tmp_path: Path, herne_text: str) -> None:
    run_import(write(tmp_path, herne_text, encoding="cp1252"))

    assert Provider.objects.count() == 42
    school = Provider.objects.get(school_number="130576")
    assert school.name == "Städt. Katholische Grundschule"
    place = school.main_place
    assert place is not None and place.street == "Bergstr. 13"
    assert Provider.objects.filter(name="Erich Kästner-Schule").exists()


def test_utf8_with_byte_order_mark_is_accepted(tmp_path: Path, herne_text: str) -> None:
    run_import(write(tmp_path, herne_text, encoding="utf-8-sig"))

    assert Provider.objects.filter(name="Erich Kästner-Schule").exists()


def test_register_without_the_sep_line_is_accepted(tmp_path: Path) -> None:
    run_import(write(tmp_path, register(school_row(), sep_line=False)))

    assert Provider.objects.filter(school_number=KOLIBRI).exists()


def test_names_wrapped_across_the_three_name_fields_are_mended() -> None:
    parts = [
        "Freie Waldorfschule Rudolf Steiner Schu-",
        "le u. Parzivalsch. m. Heliandzw.,Förder-",
        "schule,Staatl. genehm.priv. Ersatzschule",
    ]

    assert school_name(parts[0], parts[1]) == "Freie Waldorfschule Rudolf Steiner Schule"
    assert join_name_parts(parts) == (
        "Freie Waldorfschule Rudolf Steiner Schule u. Parzivalsch. m. Heliandzw.,"
        "Förderschule,Staatl. genehm.priv. Ersatzschule"
    )
    assert (
        join_name_parts(["Private Ökumenische Montessori-", "Gesamtschule"])
        == "Private Ökumenische Montessori-Gesamtschule"
    )
    assert (
        join_name_parts(["Erzbischöfliche Grund-", "und Hauptschule"])
        == "Erzbischöfliche Grund- und Hauptschule"
    )
    assert join_name_parts(["Gesamtschule  -Sek. I-", "Stadt Herne"]) == (
        "Gesamtschule -Sek. I- Stadt Herne"
    )
    assert school_name("Regenbogenschule -", "Gemeinschaftsgrundschule") == "Regenbogenschule"


def test_homepage_without_scheme_gets_https(tmp_path: Path) -> None:
    run_import(write(tmp_path, register(school_row(Homepage="www.kolibri-schule-herne.de"))))

    assert Provider.objects.get().website == "https://www.kolibri-schule-herne.de"


def test_invalid_homepage_and_email_are_dropped_with_a_note(tmp_path: Path) -> None:
    row = school_row(Homepage="http://exa mple", **{"E-Mail": "keine-adresse"})

    out, err = run_import(write(tmp_path, register(row)))

    school = Provider.objects.get()
    assert (school.website, school.email) == ("", "")
    assert "Homepage" in err and "E-Mail" in err and "Zeile 3" in err
    assert "1 neu" in out


# --- broken and hostile files ----------------------------------------------------------------


def test_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    text = register(school_row()).replace(";UTMHochwert;", ";Hochwert;")

    message = failed_import(write(tmp_path, text))

    assert "Spalten fehlen: UTMHochwert" in message
    assert message.count("\n- ") == 1
    assert not Provider.objects.exists()


def test_wrong_delimiter_is_one_clear_error(tmp_path: Path) -> None:
    text = register(school_row(), sep_line=False).replace(";", ",")

    message = failed_import(write(tmp_path, text))

    assert "Trennzeichen" in message and "Komma" in message
    assert message.count("\n- ") == 1


def test_bad_school_number_is_reported_with_line_and_column(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, register(school_row(Schulnummer="10001X"))))

    assert "Zeile 3" in message and "Schulnummer" in message and "10001X" in message
    assert not Provider.objects.exists()


@pytest.mark.parametrize(
    ("easting", "northing"),
    [("abc", "5710073"), ("376821", ""), ("376821", "1"), ("9e999", "5710073")],
)
def test_bad_coordinates_are_reported(tmp_path: Path, easting: str, northing: str) -> None:
    row = school_row(UTMRechtswert=easting, UTMHochwert=northing)

    message = failed_import(write(tmp_path, register(row)))

    assert "Zeile 3" in message and "UTMRechtswert" in message
    assert not Provider.objects.exists()


def test_unknown_coordinate_system_is_reported(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, register(school_row(EPSG="EPSG:999999"))))

    assert "EPSG" in message and "Koordinatensystem" in message


def test_duplicate_school_number_is_reported_with_both_lines(tmp_path: Path) -> None:
    text = register(school_row(), school_row(Schulbezeichnung_1="Doppelgänger"))

    message = failed_import(write(tmp_path, text))

    assert "Zeile 4" in message and "schon in Zeile 3" in message
    assert not Provider.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Schulform", "99"),
        ("PLZ", "4462"),
        ("Ort", ""),
        ("Schulbezeichnung_1", ""),
        ("Rechtsform", "7"),
        ("Schulbetriebsdatum", "2017-08-01"),
    ],
)
def test_invalid_values_are_reported_by_column(tmp_path: Path, column: str, value: str) -> None:
    message = failed_import(write(tmp_path, register(school_row(**{column: value}))))

    assert f"Zeile 3, Spalte „{column}“" in message


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    text = register(
        school_row(Schulnummer="1"),
        school_row(Schulnummer="100015", PLZ="x"),
        school_row(Schulnummer="100016", UTMRechtswert="?"),
    )

    message = failed_import(write(tmp_path, text))

    assert "3 Probleme" in message
    assert all(f"Zeile {n}" in message for n in (3, 4, 5))


def test_one_bad_row_changes_nothing(tmp_path: Path, herne_text: str) -> None:
    run_import(write(tmp_path, herne_text))
    renamed = herne_text.replace('"Kolibri-Schule";', '"Umbenannt";', 1)
    broken = renamed.replace('"Sonnenschule";', '"Sonnenschule";', 1).replace(
        '"130990";"02"', '"130990";"XX"', 1
    )

    failed_import(write(tmp_path, broken))

    assert Provider.objects.get(school_number=KOLIBRI).name == "Kolibri-Schule"
    assert Provider.objects.get(school_number="130990").school_type_code == "02"
    assert not Provider.objects.filter(status=ProviderStatus.CLOSED).exists()


def test_first_import_with_a_bad_row_writes_nothing(tmp_path: Path, herne_text: str) -> None:
    broken = herne_text.replace('"5710073"', '"north"', 1)

    failed_import(write(tmp_path, broken))

    assert not Provider.objects.exists()
    assert not SearchEntry.objects.exists()


@pytest.mark.parametrize("text", ["", "sep=;\r\n", "\r\n\r\n"])
def test_empty_file_is_rejected(tmp_path: Path, text: str) -> None:
    assert "leer" in failed_import(write(tmp_path, text))


def test_register_with_only_a_header_is_rejected(tmp_path: Path) -> None:
    assert "keine Schulen" in failed_import(write(tmp_path, register()))


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "schuldaten.csv"
    path.write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)

    assert "Nullzeichen" in failed_import(path)


def test_unclosed_quote_is_reported_with_its_line(tmp_path: Path) -> None:
    text = register(school_row()) + '"100015";"02";"Offenes Anführungszeichen\r\n'

    message = failed_import(write(tmp_path, text))

    assert "CSV nicht lesbar" in message and "Zeile" in message


def test_unquoted_semicolon_in_a_name_is_reported(tmp_path: Path) -> None:
    row = school_row().replace('"Kolibri-Schule"', '"Kolibri";"Schule"')

    message = failed_import(write(tmp_path, register(row)))

    assert "Zeile 3" in message and "24 Felder" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    assert "nicht gelesen" in failed_import(tmp_path / "fehlt.csv")


def test_html_in_names_is_stored_verbatim(tmp_path: Path) -> None:
    name = '<script>alert("x")</script><b>Schule</b>'

    run_import(write(tmp_path, register(school_row(Schulbezeichnung_1=name))))

    assert Provider.objects.get().name == name


def test_formula_cells_are_stored_as_plain_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://example.org","Klick")'

    run_import(write(tmp_path, register(school_row(Schulbezeichnung_1=formula, Strasse="@SUM(1)"))))

    school = Provider.objects.get()
    assert school.name == formula
    place = school.main_place
    assert place is not None and place.street == "@SUM(1)"


def test_control_characters_in_names_are_rejected(tmp_path: Path) -> None:
    message = failed_import(write(tmp_path, register(school_row(Schulbezeichnung_1="A\x1bB"))))

    assert "Steuerzeichen" in message


# --- from an address ------------------------------------------------------------------------


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A local web server on 127.0.0.1 serving ``tmp_path`` (never the real ministry)."""
    handler = partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_register_is_fetched_from_an_http_address(web_root: tuple[Path, str]) -> None:
    folder, base = web_root
    write(folder, register(school_row()), name="schuldaten.csv")

    out, _ = run_import(f"{base}/schuldaten.csv")

    assert "1 neu" in out
    assert Provider.objects.get().school_number == KOLIBRI


def test_address_that_answers_404_is_a_clear_error(web_root: tuple[Path, str]) -> None:
    _, base = web_root

    message = failed_import(f"{base}/fehlt.csv")

    assert "HTTP 404" in message
    assert not Provider.objects.exists()
