"""Importing the city's pseudonymous school-leaver records: checks, years, privacy."""

from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring import derive
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import LeaverRecord, Observation

pytestmark = pytest.mark.django_db

HEADER = "year,school_number,school_type,district,sex,nationality,qualification\n"
ROWS = (
    "2022,123456,20,herne-d-strünkede,f,german,ahr\n"
    "2022,123456,20,Strünkede,m,foreign,fhr\n"
    "2022,234567,15,PLUTO,d,german,none\n"
    "2022,345678,30,herne-d-pluto,f,foreign,msa\n"
)


def refused(path: Path, row_counts: Callable[[], dict[str, int]]) -> str:
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_file("leavers", str(path))
    assert row_counts() == before
    return failure.value.report()


def test_records_are_stored_with_their_district_by_code_or_name(write_file) -> None:
    run = import_file("leavers", str(write_file("abg.csv", HEADER + ROWS)))

    assert run.rows == LeaverRecord.objects.count() == 4
    districts = list(LeaverRecord.objects.order_by("pk").values_list("district__code", flat=True))
    assert districts == ["herne-d-strünkede", "herne-d-strünkede", "herne-d-pluto", "herne-d-pluto"]
    assert set(LeaverRecord.objects.values_list("run", flat=True)) == {run.pk}


def test_the_leaver_indicators_are_computed_for_the_imported_years(write_file, monkeypatch) -> None:
    asked: list[set[int]] = []
    monkeypatch.setattr(derive, "refresh_leaver_indicators", lambda years: asked.append(years) or 7)

    run = import_file("leavers", str(write_file("abg.csv", HEADER + ROWS)))

    assert asked == [{2022}]
    assert run.observations == 7


def test_after_import_the_city_has_leaver_shares(write_file) -> None:
    run = import_file("leavers", str(write_file("abg.csv", HEADER + ROWS)))

    assert run.observations > 0
    ahr = Observation.objects.get(
        indicator__code="leavers_ahr_share", area__code="05916000", period=2022, breakdown=""
    )
    assert (ahr.numerator, ahr.denominator) == (1, 3)  # the Berufskolleg leaver is not counted


def test_reimporting_a_year_replaces_that_year_and_keeps_the_others(write_file) -> None:
    import_file("leavers", str(write_file("a.csv", HEADER + ROWS + ROWS.replace("2022", "2021"))))
    import_file("leavers", str(write_file("b.csv", HEADER + "2022,123456,20,Pluto,f,german,msa\n")))

    assert LeaverRecord.objects.filter(year=2021).count() == 4
    assert list(LeaverRecord.objects.filter(year=2022).values_list("qualification", flat=True)) == [
        "msa"
    ]


def test_a_windows_1252_file_from_excel_is_read(write_file) -> None:
    data = (HEADER + "2022,123456,20,Strünkede,f,german,ahr\n").encode("cp1252")
    import_file("leavers", str(write_file("abg.csv", data=data)))

    assert LeaverRecord.objects.get().district.name == "Strünkede"


# --- broken files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("year", "22", "„22“ ist kein Jahr"),
        ("school_number", "12345", "„12345“ ist keine Schulnummer"),
        ("school_type", "99", "„99“ ist kein Schulformschlüssel NRW"),
        ("district", "Wanne", "„Wanne“ ist kein statistischer Bezirk des Stadtpakets"),
        ("sex", "w", "„w“: Geschlecht unbekannt (erlaubt: d, f, m)"),
        ("nationality", "türkisch", "„türkisch“: Staatsangehörigkeit unbekannt"),
        ("qualification", "abitur", "„abitur“: Abschluss unbekannt"),
    ],
)
def test_refuses_a_bad_field_naming_line_and_column(
    write_file, row_counts, column: str, cell: str, reason: str
) -> None:
    good = "2022,123456,20,Pluto,f,german,ahr".split(",")
    bad = list(good)
    bad[HEADER.strip().split(",").index(column)] = cell
    path = write_file("abg.csv", HEADER + ",".join(good) + "\n" + ",".join(bad) + "\n")
    assert f"abg.csv, Zeile 3, Spalte „{column}“: {reason}" in refused(path, row_counts)


def test_refuses_a_column_that_could_carry_personal_data(write_file, row_counts) -> None:
    path = write_file("abg.csv", HEADER.strip() + ",name\n2022,123456,20,Pluto,f,german,ahr,Eva\n")
    assert "Zeile 1: unbekannte Spalte „name“" in refused(path, row_counts)


def test_refuses_a_header_without_qualification(write_file, row_counts) -> None:
    path = write_file("abg.csv", "year,school_number,school_type,district,sex,nationality\n")
    assert "Spalte „qualification“ fehlt in der Kopfzeile" in refused(path, row_counts)


def test_refuses_a_file_without_records(write_file, row_counts) -> None:
    assert "keine Datensätze unter der Kopfzeile" in refused(
        write_file("abg.csv", HEADER), row_counts
    )


def test_refuses_an_empty_file(write_file, row_counts) -> None:
    assert "abg.csv: Die Datei ist leer" in refused(write_file("abg.csv", ""), row_counts)


def test_refuses_a_file_in_no_known_encoding(write_file, row_counts) -> None:
    data = HEADER.encode() + b"2022,123456,20,Pl\x81to,f,german,ahr\n"
    assert "Zeichenkodierung nicht erkannt" in refused(write_file("abg.csv", data=data), row_counts)


def test_a_refused_reimport_keeps_the_records_of_before(write_file, row_counts) -> None:
    import_file("leavers", str(write_file("a.csv", HEADER + ROWS)))
    refused(write_file("b.csv", HEADER + "2022,123456,20,Pluto,f,german,xyz\n"), row_counts)

    assert LeaverRecord.objects.count() == 4
