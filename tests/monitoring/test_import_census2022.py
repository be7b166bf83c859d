"""Importing Census 2022 municipality figures: the real file and broken files."""

from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Area, Indicator, Observation
from tests.monitoring.conftest import CENSUS

pytestmark = pytest.mark.django_db

HEADER = "ags,municipality_name,population_census22,share_foreign_census22\n"


def refused(path: Path, row_counts: Callable[[], dict[str, int]]) -> str:
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_file("census2022", str(path))
    assert row_counts() == before
    return failure.value.report()


def test_the_real_census_file_gives_every_municipality_with_county_and_state() -> None:
    run = import_file("census2022", str(CENSUS))

    assert run.rows == 10786
    assert Area.objects.filter(level=Area.Level.MUNICIPALITY).count() == 10786
    assert run.observations == Observation.objects.count() > 140_000
    assert set(Observation.objects.values_list("period", flat=True).distinct()) == {2022}
    herne = Area.objects.get(code="05916000")
    assert (herne.parent.code, herne.parent.parent.code) == ("05916", "05")
    flensburg = Area.objects.get(code="01001000")
    assert (flensburg.name, flensburg.parent.name) == ("Flensburg, Stadt", "Flensburg")
    population = Observation.objects.get(
        indicator__code="population_census22", area=herne, period=2022
    )
    assert population.value == 155446


def test_census_indicators_are_named_from_the_codebook_at_municipality_level() -> None:
    import_file("census2022", str(CENSUS))

    rent = Indicator.objects.get(code="avg_rent_per_m2_census22")
    assert (rent.name_en, rent.unit, rent.level) == (
        "Average rent per square meter",
        "EUR/m2",
        "municipality",
    )
    assert Indicator.objects.get(code="population_census22").unit == "count"


def test_reimporting_the_census_file_keeps_one_observation_per_cell() -> None:
    first = import_file("census2022", str(CENSUS))
    second = import_file("census2022", str(CENSUS))

    assert Observation.objects.count() == first.observations == second.observations


def test_the_pack_name_of_the_city_is_kept(write_file, monitoring_pack) -> None:
    import_file(
        "census2022", str(write_file("c.csv", HEADER + '05916000,"Herne, Stadt",155446,19.1\n'))
    )

    assert Area.objects.get(code="05916000").name == "Herne"


def test_refuses_a_seven_digit_municipality_key(write_file, row_counts) -> None:
    report = refused(write_file("c.csv", HEADER + "5916000,Herne,155446,19.1\n"), row_counts)
    assert "c.csv, Zeile 2, Spalte „ags“: „5916000“ ist kein 8-stelliger Schlüssel" in report


def test_refuses_a_row_without_a_name(write_file, row_counts) -> None:
    report = refused(write_file("c.csv", HEADER + "05916000,,155446,19.1\n"), row_counts)
    assert "Zeile 2, Spalte „municipality_name“: Pflichtfeld ist leer" in report


def test_refuses_a_number_with_thousands_separator(write_file, row_counts) -> None:
    report = refused(write_file("c.csv", HEADER + '05916000,Herne,"155,446",19.1\n'), row_counts)
    assert "Zeile 2, Spalte „population_census22“: „155,446“ ist keine Zahl" in report


def test_refuses_a_header_without_ags(write_file, row_counts) -> None:
    report = refused(write_file("c.csv", "gemeinde,municipality_name,x\n1,a,1\n"), row_counts)
    assert "Zeile 1: Spalte „ags“ fehlt in der Kopfzeile" in report


def test_refuses_a_header_without_any_indicator(write_file, row_counts) -> None:
    report = refused(write_file("c.csv", "ags,municipality_name\n05916000,Herne\n"), row_counts)
    assert "keine Indikatorspalten in der Kopfzeile" in report


def test_refuses_a_municipality_listed_twice(write_file, row_counts) -> None:
    rows = "05916000,Herne,1,2\n05916000,Herne,1,2\n"
    report = refused(write_file("c.csv", HEADER + rows), row_counts)
    assert "Zeile 3, Spalte „ags“: 05916000 2022 steht schon in Zeile 2" in report


def test_refuses_an_empty_file_and_one_with_only_a_header(write_file, row_counts) -> None:
    assert "c.csv: Die Datei ist leer" in refused(write_file("c.csv", "\n\n"), row_counts)
    report = refused(write_file("h.csv", HEADER), row_counts)
    assert "h.csv: keine Datenzeilen unter der Kopfzeile" in report
