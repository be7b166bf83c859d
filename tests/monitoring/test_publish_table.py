"""Published tables of school leavers: totals, pooling, suppression, and the command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lernstadt.monitoring.disclosure import TOTAL, Table, audit, cross_table
from lernstadt.monitoring.models import Area, ImportRun, LeaverRecord
from lernstadt.monitoring.tables import (
    TableRequestError,
    publish_table,
    to_csv,
)

# Leavers per district and sex, by year (nobody of sex d):
#          2024 f  m  |  2023 f  m
LEAVERS = {
    "d1": ((7, 5), (3, 3)),
    "d2": ((2, 1), (3, 2)),
    "d3": ((10, 10), (0, 0)),
    "d4": ((5, 4), (1, 1)),
}
BOROUGH = {"d1": "b1", "d2": "b1", "d3": "b2", "d4": "b2"}


@pytest.fixture
def leavers(herne_areas: dict[str, Area]) -> dict[str, Area]:
    """Two boroughs with two districts each, and the leavers of 2023 and 2024 above."""
    city = herne_areas["city"]
    boroughs = {
        code: Area.objects.create(code=code, name=code, level=Area.Level.BOROUGH, parent=city)
        for code in ("b1", "b2")
    }
    districts = {
        code: Area.objects.create(
            code=code, name=code, level=Area.Level.DISTRICT, parent=boroughs[BOROUGH[code]]
        )
        for code in LEAVERS
    }
    run = ImportRun.objects.create(format="leavers", source="test", started_at=timezone.now())
    records = []
    for code, years in LEAVERS.items():
        for year, (women, men) in zip((2024, 2023), years, strict=True):
            for sex, count in (("f", women), ("m", men)):
                records += [
                    LeaverRecord(
                        year=year,
                        school_number="100001" if index % 2 else "100002",
                        school_type="02" if index % 2 else "20",
                        district=districts[code],
                        sex=sex,
                        nationality="german",
                        qualification="ahr" if index % 3 == 0 else "msa",
                        run=run,
                    )
                    for index in range(count)
                ]
    LeaverRecord.objects.bulk_create(records)
    return districts


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_leavers_by_district_with_total_and_a_hidden_pair(leavers: dict[str, Area]) -> None:
    text = to_csv(publish_table("school_leavers", 2024, ["district"], minimum=5))
    # d2 (3) is small; d4 (9) is the smallest partner that hides it: d2 + d4 = 12
    assert text == "district,value\nd1,12\nd2,.\nd3,20\nd4,.\ntotal,44\n"


def test_pooling_two_years_adds_them_up(leavers: dict[str, Area]) -> None:
    text = to_csv(publish_table("school_leavers", 2024, ["district"], pool_years=2, minimum=5))
    assert text == "district,value\nd1,18\nd2,8\nd3,20\nd4,11\ntotal,57\n"


def test_an_empty_group_is_printed_as_dash(leavers: dict[str, Area]) -> None:
    rows = parse(to_csv(publish_table("school_leavers", 2023, ["district"], minimum=5)))
    # d4 (2) is small and takes d2 (5) with it; d3 had no leavers at all
    assert rows == [
        ["district", "value"],
        ["d1", "6"],
        ["d2", "."],
        ["d3", "-"],
        ["d4", "."],
        ["total", "13"],
    ]


def test_boroughs_are_the_districts_parents(leavers: dict[str, Area]) -> None:
    text = to_csv(publish_table("school_leavers", 2024, ["borough"], minimum=5))
    assert text == "borough,value\nb1,15\nb2,29\ntotal,44\n"


def test_two_dimensions_have_every_total_and_categories_nobody_is_in(
    leavers: dict[str, Area],
) -> None:
    rows = parse(to_csv(publish_table("school_leavers", 2024, ["district", "sex"], minimum=5)))
    assert rows[0] == ["district", "sex", "value"]
    assert len(rows) == 1 + 5 * 4  # districts and total, times f, m, d and total
    values = {(district, sex): value for district, sex, value in rows[1:]}
    assert values[("d1", "f")] == "7" and values[("d1", "total")] == "12"
    assert values[("total", "f")] == "24" and values[("total", "m")] == "20"
    assert values[("total", "d")] == "-" and values[("total", "total")] == "44"
    # d2 (2, 1, 3) and d4's 4 men are small; d4's women and d4's total hide them
    withheld = {cell for cell, value in values.items() if value == "."}
    assert withheld == {
        ("d2", "f"),
        ("d2", "m"),
        ("d2", "total"),
        ("d4", "f"),
        ("d4", "m"),
        ("d4", "total"),
    }


def table_from_csv(text: str, minimum: int) -> Table:
    """The table a reader rebuilds from the printed CSV: every ``.`` may hide a small count."""
    rows = parse(text)
    names = rows[0][:-1]
    categories: dict[str, list[str]] = {name: [] for name in names}
    for row in rows[1:]:
        for name, label in zip(names, row, strict=False):
            if label != TOTAL and label not in categories[name]:
                categories[name].append(label)
    shape = cross_table(categories, {})
    printed = {tuple(row[:-1]): row[-1] for row in rows[1:]}
    counts = {cell: 0 if printed[cell] in ".-" else int(printed[cell]) for cell in shape.counts}
    withheld = frozenset(cell for cell, value in printed.items() if value == ".")
    return Table(counts, shape.lines, shape.dimensions, minimum, primary=withheld)


@pytest.mark.parametrize("by", [["district"], ["district", "sex"], ["school_type", "district"]])
def test_no_withheld_district_can_be_recomputed_from_the_printed_csv(
    leavers: dict[str, Area], by: list[str]
) -> None:
    text = to_csv(publish_table("school_leavers", 2024, by, minimum=5))
    result = audit(table_from_csv(text, 5))
    assert result.intervals, "something must be withheld in this data"
    assert result.passed, result.unprotected


def test_by_qualification_and_school_type(leavers: dict[str, Area]) -> None:
    published = publish_table("school_leavers", 2024, ["qualification", "school_type"], minimum=1)
    rows = parse(to_csv(published))
    assert rows[0] == ["qualification", "school_type", "value"]
    labels = {row[1] for row in rows[1:]}
    assert labels == {"02", "20", "total"}  # school types as found in the data
    values = {(row[0], row[1]): row[2] for row in rows[1:]}
    assert values[("none", "total")] == "-"
    assert int(values[("ahr", "total")]) + int(values[("msa", "total")]) == 44


def test_the_minimum_comes_from_the_settings(leavers: dict[str, Area], settings: object) -> None:
    settings.LERNSTADT_DISCLOSURE_MIN_COUNT = 3  # type: ignore[attr-defined]
    text = to_csv(publish_table("school_leavers", 2024, ["district"]))
    assert text == "district,value\nd1,12\nd2,3\nd3,20\nd4,9\ntotal,44\n"


@pytest.mark.parametrize(
    ("dataset", "by", "message"),
    [
        ("pupils", ["district"], "Unbekannter Datensatz „pupils“"),
        ("school_leavers", ["district", "religion"], "Unbekannte Gliederung „religion“"),
        ("school_leavers", [], "mindestens eine Gliederung"),
        ("school_leavers", ["sex", "sex"], "nur einmal"),
    ],
)
def test_unknown_datasets_and_dimensions_are_refused_in_german(
    db: None, dataset: str, by: list[str], message: str
) -> None:
    with pytest.raises(TableRequestError, match=message):
        publish_table(dataset, 2024, by)


def test_the_command_prints_the_csv(
    leavers: dict[str, Area], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "publish_table", "school_leavers", "--year", "2024", "--by", "district,sex",
        "--pool-years", "2", "--min-count", "5", "--format", "csv",
    )  # fmt: skip
    rows = parse(capsys.readouterr().out)
    assert rows[0] == ["district", "sex", "value"]
    assert ["total", "total", "57"] in rows


def test_the_command_refuses_an_unknown_dimension(leavers: dict[str, Area]) -> None:
    with pytest.raises(CommandError, match="Möglich sind: district, borough, sex"):
        call_command("publish_table", "school_leavers", "--year", "2024", "--by", "age")


def test_the_command_refuses_pool_years_below_one(leavers: dict[str, Area]) -> None:
    with pytest.raises(CommandError, match="mindestens ein Jahr"):
        call_command(
            "publish_table", "school_leavers", "--year", "2024", "--by", "sex", "--pool-years", "0"
        )
