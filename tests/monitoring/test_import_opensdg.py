"""Importing Open SDG files as Herne's SDG site publishes them: real files, shapes, errors."""

from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Direction, Indicator, Observation
from tests.monitoring.conftest import OPENSDG

pytestmark = pytest.mark.django_db


def refused(path: Path, row_counts: Callable[[], dict[str, int]], **options: str) -> str:
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_file("opensdg", str(path), **options)  # type: ignore[arg-type]
    assert row_counts() == before
    return failure.value.report()


def series(code: str, breakdown: str = "") -> dict[int, float | None]:
    return dict(
        Observation.objects.filter(indicator__code=code, breakdown=breakdown)
        .order_by("period")
        .values_list("period", "value")
    )


def test_the_folder_of_herne_files_imports_all_six_indicators_for_the_city() -> None:
    run = import_file("opensdg", str(OPENSDG))

    assert (run.source, run.rows, run.observations) == ("opensdg-herne-data", 52, 52)
    assert series("sdg_4-1") == {2019: 5.74, 2020: 4.56, 2021: 5.84, 2022: 7.36}
    assert set(Observation.objects.values_list("area__code", flat=True)) == {"05916000"}
    ids = set(
        Indicator.objects.filter(observations__isnull=False).values_list("open_sdg_id", flat=True)
    )
    assert ids == {"1-1", "1-2", "4-1", "4-2", "4-3", "10-2"}


def test_pack_definitions_are_used_for_the_sdg_indicators() -> None:
    import_file("opensdg", str(OPENSDG / "indicator_4-1.csv"))

    indicator = Indicator.objects.get(open_sdg_id="4-1")
    assert (indicator.code, indicator.direction) == ("sdg_4-1", Direction.DOWN)
    assert indicator.goals.filter(code="wenige-ohne-abschluss").exists()


def test_disaggregation_columns_are_kept_in_file_order_with_the_decimals() -> None:
    import_file("opensdg", str(OPENSDG / "indicator_1-2.csv"))

    indicator = Indicator.objects.get(code="sdg_1-2")
    assert (indicator.disaggregations, indicator.decimals) == (["Gruppierung"], 2)
    assert series("sdg_1-2", "Gruppierung=Kinderarmut")[2014] == 28.80
    assert not Observation.objects.filter(indicator=indicator, breakdown="").exists()


def test_series_units_and_headline_rows_round_trip_into_breakdowns(write_file) -> None:
    path = write_file(
        "indicator_9-1-1.csv",
        "Year,Units,Series,Geschlecht,Value\n"
        "2020,Prozent,Quote,,5.5\n2020,Prozent,Quote,weiblich,5.25\n2021,Prozent,Quote,,\n",
    )
    import_file("opensdg", str(path))

    indicator = Indicator.objects.get(open_sdg_id="9-1-1")
    assert indicator.code == "sdg_9-1-1"
    assert (indicator.disaggregations, indicator.decimals) == (["Units", "Series", "Geschlecht"], 2)
    assert series("sdg_9-1-1", "Series=Quote|Units=Prozent") == {2020: 5.5, 2021: None}
    assert series("sdg_9-1-1", "Geschlecht=weiblich|Series=Quote|Units=Prozent") == {2020: 5.25}


def test_a_new_version_of_a_file_replaces_the_whole_series(write_file) -> None:
    path = write_file("indicator_4-1.csv", "Year,Value\n2019,5.74\n2020,4.56\n")
    import_file("opensdg", str(path))
    import_file("opensdg", str(write_file("indicator_4-1.csv", "Year,Value\n2020,4.6\n")))

    assert series("sdg_4-1") == {2020: 4.6}
    assert Indicator.objects.get(code="sdg_4-1").decimals == 1


def test_another_area_can_be_named(write_file, monitoring_pack) -> None:
    import_file("opensdg", str(OPENSDG / "indicator_4-2.csv"), area_code="05916")

    assert set(Observation.objects.values_list("area__code", flat=True)) == {"05916"}


def test_importing_the_folder_twice_keeps_one_observation_per_cell() -> None:
    import_file("opensdg", str(OPENSDG))
    import_file("opensdg", str(OPENSDG))

    assert Observation.objects.count() == 52


# --- broken files -------------------------------------------------------------------


def test_refuses_a_file_not_named_like_an_open_sdg_file(write_file, row_counts) -> None:
    report = refused(write_file("sdg.csv", "Year,Value\n2020,1\n"), row_counts)
    assert "sdg.csv: Dateiname muss indicator_<Kennung>.csv lauten" in report


def test_refuses_a_file_without_value_column(write_file, row_counts) -> None:
    report = refused(write_file("indicator_4-1.csv", "Year,Wert\n2020,1\n"), row_counts)
    assert "indicator_4-1.csv, Zeile 1: Spalte „Value“ fehlt in der Kopfzeile" in report


def test_refuses_a_bad_year_and_a_bad_value(write_file, row_counts) -> None:
    path = write_file("indicator_4-1.csv", "Year,Value\n2020/21,1\n2021,k.A.\n")
    report = refused(path, row_counts)
    assert "Zeile 2, Spalte „Year“: „2020/21“ ist kein Jahr" in report
    assert "Zeile 3, Spalte „Value“: „k.A.“ ist keine Zahl" in report


def test_refuses_the_same_year_and_group_twice(write_file, row_counts) -> None:
    path = write_file("indicator_1-2.csv", "Year,Gruppierung,Value\n2020,a,1\n2020,a,2\n")
    report = refused(path, row_counts)
    assert "Zeile 3: Jahr 2020 mit dieser Aufgliederung steht schon in Zeile 2" in report


def test_refuses_a_value_with_the_breakdown_separator(write_file, row_counts) -> None:
    path = write_file("indicator_1-2.csv", "Year,Gruppierung,Value\n2020,a|b,1\n")
    assert "Zeile 2, Spalte „Gruppierung“: Wert darf kein | enthalten" in refused(path, row_counts)


def test_refuses_an_area_that_does_not_exist(row_counts) -> None:
    report = refused(OPENSDG / "indicator_4-1.csv", row_counts, area_code="99999")
    assert "Gebiet „99999“ gibt es nicht" in report


def test_refuses_a_folder_without_open_sdg_files(tmp_path, row_counts) -> None:
    (tmp_path / "notes.txt").write_text("nothing", encoding="utf-8")
    assert "keine Open-SDG-Dateien" in refused(tmp_path, row_counts)


def test_one_broken_file_in_a_folder_stops_all_of_it(tmp_path, row_counts) -> None:
    (tmp_path / "indicator_4-1.csv").write_text("Year,Value\n2020,1\n", encoding="utf-8")
    (tmp_path / "indicator_4-2.csv").write_bytes(b"Year,Value\n2020,\xff\xfe\x81\n")
    assert "indicator_4-2.csv: Zeichenkodierung nicht erkannt" in refused(tmp_path, row_counts)


def test_refuses_an_empty_file(write_file, row_counts) -> None:
    assert "Die Datei ist leer" in refused(write_file("indicator_4-1.csv", ""), row_counts)
