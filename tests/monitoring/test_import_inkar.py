"""Importing INKAR county indicators: the real file, re-imports, and broken files."""

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Area, Direction, ImportRun, Indicator, Observation
from tests.monitoring.conftest import HERNE, INKAR

pytestmark = pytest.mark.django_db

HEADER = "county_code,year,share_abitur,share_no_degree\n"


def filled_cells(path: Path) -> int:
    with path.open(encoding="utf-8") as stream:
        rows = list(csv.reader(stream))[1:]
    return sum(1 for row in rows for cell in row[2:] if cell.strip())


def value(indicator: str, area: str, period: int) -> float | None:
    return Observation.objects.get(indicator__code=indicator, area__code=area, period=period).value


def refused(path: Path, row_counts: Callable[[], dict[str, int]]) -> str:
    """Import ``path``, expect a refusal, show that nothing changed; the report."""
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_file("inkar", str(path))
    assert row_counts() == before
    return failure.value.report()


def test_the_real_inkar_file_imports_every_filled_cell_of_400_counties() -> None:
    run = import_file("inkar", str(INKAR), by="Bildungsbüro")

    assert (run.format, run.source, run.rows, run.by) == (
        "inkar",
        "inkar_counties_1995_2022.csv",
        11200,
        "Bildungsbüro",
    )
    assert run.observations == filled_cells(INKAR) == Observation.objects.count()
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert Area.objects.filter(level=Area.Level.COUNTY).count() == 400
    assert Area.objects.filter(level=Area.Level.STATE).count() == 16
    assert Indicator.objects.filter(level=Area.Level.COUNTY).count() == 30


def test_herne_values_agree_with_the_independent_copy_of_inkar_rates() -> None:
    import_file("inkar", str(INKAR))

    with (HERNE / "inkar_rates_herne.csv").open(encoding="utf-8") as stream:
        rates = {
            (row["indicator_id"], int(row["year"])): float(row["value"])
            for row in csv.DictReader(stream)
        }
    assert value("share_abitur", "05916", 2008) == rates["a_schul_abi", 2008] == 27.20
    assert value("share_no_degree", "05916", 2012) == rates["a_schul_oA", 2012]
    assert value("childcare_under3", "05916", 2019) == rates["a_betr0003_bev0003", 2019]


def test_counties_get_names_from_the_boundaries_and_the_state_as_parent() -> None:
    import_file("inkar", str(INKAR))

    herne = Area.objects.get(code="05916")
    assert (herne.name, herne.level, herne.parent.code) == ("Herne", "county", "05")
    assert Area.objects.get(code="05158").name == "Mettmann (Kreis)"
    assert Area.objects.get(code="05").name == "Nordrhein-Westfalen"


def test_codebook_names_new_indicators_and_the_pack_keeps_its_own() -> None:
    import_file("inkar", str(INKAR))

    gdp = Indicator.objects.get(code="gdp_per_capita")
    assert (gdp.name_en, gdp.unit, gdp.direction) == ("GDP per capita", "EUR", "context")
    assert "q_bip_ew" in gdp.source
    abitur = Indicator.objects.get(code="share_abitur")
    assert abitur.name_de == "Schulabgänge mit allgemeiner Hochschulreife (INKAR)"
    assert abitur.direction == Direction.UP
    assert Indicator.objects.get(code="share_no_degree").direction == Direction.DOWN


def test_importing_the_same_file_again_replaces_its_observations() -> None:
    first = import_file("inkar", str(INKAR))
    second = import_file("inkar", str(INKAR))

    assert Observation.objects.count() == first.observations == second.observations
    assert not Observation.objects.filter(run=first).exists()
    assert ImportRun.objects.count() == 2


def test_a_value_emptied_in_a_new_version_of_the_file_is_removed(write_file) -> None:
    import_file("inkar", str(write_file("a.csv", HEADER + "05916,2020,30.5,7.1\n")))
    import_file("inkar", str(write_file("a.csv", HEADER + "05916,2020,31.0,\n")))

    assert value("share_abitur", "05916", 2020) == 31.0
    assert not Observation.objects.filter(indicator__code="share_no_degree").exists()


def test_other_counties_and_years_stay_when_a_small_file_is_imported(write_file) -> None:
    import_file("inkar", str(write_file("a.csv", HEADER + "05916,2020,30.5,7.1\n")))
    import_file("inkar", str(write_file("b.csv", HEADER + "05158,2020,40.0,5.0\n")))

    assert Observation.objects.count() == 4


def test_scientific_notation_and_decimals_are_read_as_published(write_file) -> None:
    path = write_file("a.csv", "county_code,year,purchasing_power,share_abitur\n"
                      "05916,2020,1.957e+04,30.50\n05916,2021,2.1e+04,31.2\n")  # fmt: skip
    import_file("inkar", str(path))

    assert value("purchasing_power", "05916", 2020) == 19570.0
    assert Indicator.objects.get(code="purchasing_power").decimals == 0
    assert Indicator.objects.get(code="share_abitur").decimals == 2


def test_without_a_codebook_beside_it_an_unknown_indicator_is_named_by_its_code(
    write_file,
) -> None:
    import_file("inkar", str(write_file("a.csv", "county_code,year,new_rate\n05916,2020,1.5\n")))

    assert Indicator.objects.get(code="new_rate").name_de == "new_rate"
    assert Area.objects.get(code="05916").name == "Herne"  # from the pack


# --- broken files -------------------------------------------------------------------


def test_refuses_a_file_without_county_code_column(write_file, row_counts) -> None:
    report = refused(write_file("a.csv", "kreis,year,share_abitur\n05916,2020,1\n"), row_counts)
    assert "a.csv, Zeile 1: Spalte „county_code“ fehlt in der Kopfzeile" in report


def test_refuses_a_value_that_is_no_number(write_file, row_counts) -> None:
    path = write_file("a.csv", HEADER + "05916,2020,30.5,7.1\n05916,2021,dreißig,7.1\n")
    report = refused(path, row_counts)
    assert "a.csv, Zeile 3, Spalte „share_abitur“: „dreißig“ ist keine Zahl" in report


def test_refuses_a_decimal_comma_in_a_comma_separated_file(write_file, row_counts) -> None:
    report = refused(write_file("a.csv", HEADER + '05916,2020,"30,5",7.1\n'), row_counts)
    assert "Zeile 2, Spalte „share_abitur“: „30,5“ ist keine Zahl" in report


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("5916", "„5916“ ist kein 5-stelliger Schlüssel"),
        ("0591A", "„0591A“ ist kein 5-stelliger Schlüssel"),
        ("17001", "„17001“: Länderschlüssel „17“ gibt es nicht"),
    ],
)
def test_refuses_a_county_key_that_is_not_one(write_file, row_counts, key, reason) -> None:
    report = refused(write_file("a.csv", HEADER + f"{key},2020,30.5,7.1\n"), row_counts)
    assert f"Zeile 2, Spalte „county_code“: {reason}" in report


@pytest.mark.parametrize("year", ["20", "2020.0", "1850", "zwanzig", ""])
def test_refuses_a_year_that_is_not_one(write_file, row_counts, year) -> None:
    report = refused(write_file("a.csv", HEADER + f"05916,{year},30.5,7.1\n"), row_counts)
    assert "Zeile 2, Spalte „year“:" in report and "ist kein Jahr" in report


def test_refuses_the_same_county_and_year_twice(write_file, row_counts) -> None:
    path = write_file("a.csv", HEADER + "05916,2020,30.5,7.1\n05916,2020,30.6,7.0\n")
    report = refused(path, row_counts)
    assert "Zeile 3, Spalte „county_code“: 05916 2020 steht schon in Zeile 2" in report


def test_refuses_a_row_with_missing_cells(write_file, row_counts) -> None:
    report = refused(write_file("a.csv", HEADER + "05916,2020,30.5\n"), row_counts)
    assert "Zeile 2: 3 Felder, die Kopfzeile hat 4" in report


def test_refuses_an_indicator_column_that_is_no_code(write_file, row_counts) -> None:
    report = refused(
        write_file("a.csv", "county_code,year,Anteil Abi %\n05916,2020,1\n"), row_counts
    )
    assert (
        "Zeile 1, Spalte „Anteil Abi %“: „Anteil Abi %“ ist keine gültige Indikatorkennung"
        in report
    )


def test_refuses_an_empty_file(write_file, row_counts) -> None:
    assert "a.csv: Die Datei ist leer" in refused(write_file("a.csv", ""), row_counts)


def test_refuses_a_file_in_no_known_encoding(write_file, row_counts) -> None:
    data = HEADER.encode() + b"05916,2020,30.5,7.1\x81\x8d\n"
    report = refused(write_file("a.csv", data=data), row_counts)
    assert "Zeichenkodierung nicht erkannt" in report


def test_lists_every_problem_at_once_but_not_thousands(write_file, row_counts) -> None:
    rows = "".join(f"05916,{1900 + n},x,y\n" for n in range(100))
    report = refused(write_file("a.csv", HEADER + rows), row_counts)
    assert report.startswith("Import abgebrochen, nichts wurde geändert: 101 Probleme.")
    assert report.endswith("a.csv: … und 100 weitere Probleme")


def test_refuses_an_unknown_format(row_counts) -> None:
    before = row_counts()
    with pytest.raises(ImportFailed, match="unbekanntes Format „excel“"):
        import_file("excel", str(INKAR))
    assert row_counts() == before
