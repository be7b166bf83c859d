"""Importing the tidy CSV (one observation per row) for anything the office collects."""

from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Indicator, Observation

pytestmark = pytest.mark.django_db

HEADER = "indicator,area,period,value,numerator,denominator,flags,sex\n"


def refused(path: Path, row_counts: Callable[[], dict[str, int]]) -> str:
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_file("tidy", str(path))
    assert row_counts() == before
    return failure.value.report()


def test_rows_become_observations_with_counts_flags_and_breakdowns(write_file) -> None:
    path = write_file(
        "vhs.csv",
        HEADER + "vhs_participants,05916000,2023,12500,,,p,\n"
        "leavers_unplaced_share,herne-mitte,2023,4.2,21,500,pe,f\n"
        "leavers_unplaced_share,herne-mitte,2022,,,,c,f\n",
    )
    run = import_file("tidy", str(path))

    assert (run.rows, run.observations) == (3, 3)
    total = Observation.objects.get(indicator__code="vhs_participants")
    assert (total.value, total.breakdown, total.provisional, total.estimated) == (
        12500,
        "",
        True,
        False,
    )
    share = Observation.objects.get(indicator__code="leavers_unplaced_share", period=2023)
    assert (share.area.code, share.breakdown) == ("herne-mitte", "sex=f")
    assert (share.value, share.numerator, share.denominator) == (4.2, 21, 500)
    assert share.provisional and share.estimated and not share.confidential
    withheld = Observation.objects.get(indicator__code="leavers_unplaced_share", period=2022)
    assert withheld.value is None and withheld.confidential


def test_dimensions_are_sorted_in_the_key_and_added_to_the_indicator(write_file) -> None:
    path = write_file(
        "t.csv",
        "indicator,area,period,value,sex,age_group\nfamily_net_migration,05916000,2023,12,m,0-17\n",
    )
    import_file("tidy", str(path))

    assert Observation.objects.get().breakdown == "age_group=0-17|sex=m"
    assert Indicator.objects.get(code="family_net_migration").disaggregations == [
        "age_group",
        "sex",
    ]


def test_semicolons_allow_a_decimal_comma(write_file) -> None:
    path = write_file(
        "t.csv", "indicator;area;period;value\nu3_provision_rate;05916000;2015;33,4\n"
    )
    import_file("tidy", str(path))

    assert Observation.objects.get().value == 33.4


def test_reimport_overwrites_the_same_cells_and_keeps_others(write_file) -> None:
    first = "indicator,area,period,value\nvhs_participants,05916000,2022,1\nvhs_participants,05916000,2023,2\n"
    import_file("tidy", str(write_file("a.csv", first)))
    import_file(
        "tidy",
        str(write_file("b.csv", "indicator,area,period,value\nvhs_participants,05916000,2023,3\n")),
    )

    values = dict(Observation.objects.values_list("period", "value"))
    assert values == {2022: 1, 2023: 3}


# --- broken files -------------------------------------------------------------------


def test_refuses_an_unknown_indicator_and_area(write_file, row_counts) -> None:
    path = write_file("t.csv", "indicator,area,period,value\nabi_quote,Herne,2023,1\n")
    report = refused(path, row_counts)
    assert "Zeile 2, Spalte „indicator“: Indikator „abi_quote“ gibt es nicht" in report
    assert "Zeile 2, Spalte „area“: Gebiet „Herne“ gibt es nicht" in report


def test_refuses_unknown_flags(write_file, row_counts) -> None:
    path = write_file("t.csv", HEADER + "vhs_participants,05916000,2023,1,,,px,\n")
    assert "Zeile 2, Spalte „flags“: unbekannte Kennzeichen „x“" in refused(path, row_counts)


def test_refuses_bad_numbers_and_periods(write_file, row_counts) -> None:
    path = write_file("t.csv", HEADER + "vhs_participants,05916000,2023/24,viele,1.5.,,,\n")
    report = refused(path, row_counts)
    assert "Spalte „period“: „2023/24“ ist kein Jahr" in report
    assert "Spalte „value“: „viele“ ist keine Zahl" in report
    assert "Spalte „numerator“: „1.5.“ ist keine Zahl" in report


def test_refuses_the_same_cell_twice(write_file, row_counts) -> None:
    rows = "vhs_participants,05916000,2023,1,,,,f\nvhs_participants,05916000,2023,2,,,,f\n"
    assert "Zeile 3: dieselbe Zelle steht schon in Zeile 2" in refused(
        write_file("t.csv", HEADER + rows), row_counts
    )


def test_refuses_a_header_without_value(write_file, row_counts) -> None:
    path = write_file("t.csv", "indicator,area,period\nvhs_participants,05916000,2023\n")
    assert "Zeile 1: Spalte „value“ fehlt in der Kopfzeile" in refused(path, row_counts)


def test_refuses_a_dimension_name_with_the_key_characters(write_file, row_counts) -> None:
    path = write_file(
        "t.csv", "indicator,area,period,value,a=b\nvhs_participants,05916000,2023,1,x\n"
    )
    assert "Spalte „a=b“: Spaltenname darf weder = noch | enthalten" in refused(path, row_counts)


def test_refuses_an_empty_file_and_a_header_alone(write_file, row_counts) -> None:
    assert "Die Datei ist leer" in refused(write_file("t.csv", ""), row_counts)
    assert "keine Datenzeilen" in refused(write_file("h.csv", HEADER), row_counts)


def test_refuses_a_file_in_no_known_encoding(write_file, row_counts) -> None:
    data = HEADER.encode() + b"vhs_participants,05916000,2023,1,,,,\x81\n"
    assert "Zeichenkodierung nicht erkannt" in refused(write_file("t.csv", data=data), row_counts)
