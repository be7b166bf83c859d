"""CSV downloads with data dictionaries: Excel-ready files, German errors, nothing leaks."""

import csv
import io
from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client

from lernstadt.monitoring.models import Area, Indicator, Observation
from lernstadt.monitoring.publishing import publish
from lernstadt.monitoring.tables import LEAVER_DIMENSIONS, publish_table

pytestmark = pytest.mark.django_db
MakeIndicator = Callable[..., Indicator]


def download(client: Client, path: str, status: int = 200, **params: object) -> HttpResponse:
    response = client.get(f"/monitoring/{path}", params)
    assert response.status_code == status, response.content.decode()
    return response


def rows(response: HttpResponse) -> list[dict[str, str]]:
    """The file as Excel with German settings reads it: BOM, semicolons."""
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def u3(herne_areas: dict[str, Area], make_indicator: MakeIndicator) -> Indicator:
    """A municipal indicator with totals and values by sex, one of them provisional."""
    indicator = make_indicator(
        "u3_provision_rate",
        level=Area.Level.MUNICIPALITY,
        decimals=1,
        disaggregations=["sex"],
        source="Stadt Herne, Jugendamt",
        licence="dl-de/by-2-0",
    )
    city = herne_areas["city"]
    Observation.objects.create(indicator=indicator, area=city, period=2021, value=32.25)
    Observation.objects.create(indicator=indicator, area=city, period=2022, value=-0.01)
    Observation.objects.create(
        indicator=indicator, area=city, period=2022, breakdown="sex=f", value=35.0, provisional=True
    )
    Observation.objects.create(
        indicator=indicator, area=city, period=2022, breakdown="sex=m", value=None
    )
    return indicator


# --- an indicator's values ----------------------------------------------------------------


def test_the_indicator_file_is_tidy_and_excel_ready(client: Client, u3: Indicator) -> None:
    response = download(client, "daten/u3_provision_rate.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="u3_provision_rate.csv"'
    assert response.content.decode().splitlines()[0] == (
        "\ufeffindicator;area_code;area_name;period;sex;value;symbol;flags"
    )
    assert b"\r\n" in response.content
    assert rows(response) == [
        {
            "indicator": "u3_provision_rate",
            "area_code": "05916000",
            "area_name": "Herne",
            "period": "2021",
            "sex": "",
            "value": "32,2",
            "symbol": "",
            "flags": "",
        },
        row("2022", "", "0,0", ""),
        row("2022", "f", "35,0", "", "p"),
        row("2022", "m", "", "."),
    ]


def row(period: str, sex: str, value: str, symbol: str, flags: str = "") -> dict[str, str]:
    return {
        "indicator": "u3_provision_rate",
        "area_code": "05916000",
        "area_name": "Herne",
        "period": period,
        "sex": sex,
        "value": value,
        "symbol": symbol,
        "flags": flags,
    }


def test_the_indicator_file_takes_the_api_filters(client: Client, u3: Indicator) -> None:
    found = rows(
        download(client, "daten/u3_provision_rate.csv", area="05916", period_from=2022, by="sex")
    )
    assert [(r["period"], r["sex"]) for r in found] == [("2022", "f"), ("2022", "m")]
    totals = rows(download(client, "daten/u3_provision_rate.csv", by="total", period_to=2021))
    assert [r["value"] for r in totals] == ["32,2"]


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("daten/nope.csv", {}, 404, "Unbekannter Indikator „nope“."),
        ("daten/nope/datenlexikon.csv", {}, 404, "Unbekannter Indikator „nope“."),
        ("daten/u3_provision_rate.csv", {"area": "99999"}, 404, "Unbekanntes Gebiet „99999“."),
        ("daten/u3_provision_rate.csv", {"by": "age"}, 400, "Unbekannte Aufgliederung „age“"),
        ("daten/u3_provision_rate.csv", {"period_from": "bald"}, 400, "period_from muss ein Jahr"),
        (
            "daten/u3_provision_rate.csv",
            {"period_from": 2022, "period_to": 2021},
            400,
            "Der Zeitraum ist leer",
        ),
    ],
)
def test_bad_indicator_downloads_are_answered_in_german(
    client: Client, u3: Indicator, path: str, params: dict[str, object], status: int, message: str
) -> None:
    response = download(client, path, status, **params)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(message)


def test_downloads_only_answer_get_and_head(client: Client, u3: Indicator) -> None:
    assert client.post("/monitoring/daten/u3_provision_rate.csv").status_code == 405
    assert client.head("/monitoring/daten/u3_provision_rate.csv").status_code == 200


def test_the_data_dictionary_explains_every_column_and_the_indicator(
    client: Client, u3: Indicator
) -> None:
    response = download(client, "daten/u3_provision_rate/datenlexikon.csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="u3_provision_rate_datenlexikon.csv"'
    )
    entries = {entry["name"]: entry for entry in rows(response)}
    header = rows(download(client, "daten/u3_provision_rate.csv"))[0].keys()
    assert {name for name, e in entries.items() if e["kind"] == "Spalte"} == set(header)
    assert entries["sex"]["description"].startswith("Geschlecht: f weiblich, m männlich")
    assert "Prozent, mit 1 Nachkommastellen" in entries["value"]["description"]
    assert "„.“" in entries["symbol"]["description"] and "„-“" in entries["symbol"]["description"]
    assert entries["source"]["description"] == "Stadt Herne, Jugendamt"
    assert entries["licence"]["description"] == "dl-de/by-2-0"
    assert entries["direction"]["description"] == "höher ist besser"
    assert entries["min_count"]["description"].startswith("5 ")
    assert "Semikolon" in entries["encoding"]["description"]


# --- published tables ---------------------------------------------------------------------


def test_a_published_table_downloads_with_value_and_symbol(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    response = download(client, "tabellen/school_leavers.csv", year=2022, by="district,sex")
    assert response["Content-Disposition"] == (
        'attachment; filename="school_leavers_2022_district_sex.csv"'
    )
    found = {(r["district"], r["sex"]): (r["value"], r["symbol"]) for r in rows(response)}
    assert found[("total", "total")] == ("108", "")
    assert found[("gross-a", "d")] == ("0", "-")
    assert found[("klein", "total")] == ("", ".")


def test_a_pooled_table_is_named_by_its_years(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    response = download(
        client, "tabellen/school_leavers.csv", year=2022, by="borough", pool_years=2
    )
    assert 'filename="school_leavers_2021-2022_borough.csv"' in response["Content-Disposition"]
    assert {r["borough"]: r["value"] for r in rows(response)}["total"] == "216"


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("tabellen/teachers.csv", {"year": 2022, "by": "sex"}, 404, "Unbekannter Datensatz"),
        ("tabellen/school_leavers.csv", {"year": 2030, "by": "sex"}, 404, "Für 2030 liegen"),
        ("tabellen/school_leavers.csv", {"by": "sex"}, 400, "Bitte year angeben"),
        ("tabellen/school_leavers.csv", {"year": 2022}, 400, "Bitte mindestens eine Gliederung"),
        ("tabellen/school_leavers.csv", {"year": 2022, "by": "age"}, 400, "Unbekannte Gliederung"),
        (
            "tabellen/school_leavers.csv",
            {"year": 2022, "by": "sex", "pool_years": "x"},
            400,
            "pool_years muss eine Zahl",
        ),
        ("tabellen/teachers/datenlexikon.csv", {}, 404, "Unbekannter Datensatz „teachers“"),
    ],
)
def test_bad_table_downloads_are_answered_in_german(
    client: Client,
    small_district_leavers: dict[str, Area],
    path: str,
    params: dict[str, object],
    status: int,
    message: str,
) -> None:
    assert download(client, path, status, **params).content.decode().startswith(message)


def test_the_table_dictionary_explains_every_dimension(client: Client, db: None) -> None:
    response = download(client, "tabellen/school_leavers/datenlexikon.csv")
    entries = {entry["name"]: entry["description"] for entry in rows(response)}
    assert set(LEAVER_DIMENSIONS) | {"value", "symbol"} <= set(entries)
    assert "total: Summe" in entries["district"]
    assert "Berufskolleg" in entries["dataset"]


# --- nothing withheld leaks ---------------------------------------------------------------


def test_every_value_in_the_indicator_files_is_the_gates_verdict(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    for indicator in Indicator.objects.all():
        stored = list(Observation.objects.filter(indicator=indicator).select_related("area"))
        verdicts = {
            (o.area.code, str(o.period), o.breakdown): v
            for o, v in zip(stored, publish(stored), strict=True)
        }
        found = rows(download(client, f"daten/{indicator.code}.csv"))
        assert len(found) == len(verdicts)
        for line in found:
            breakdown = "|".join(
                f"{name}={line[name]}" for name in ("nationality", "sex") if line.get(name)
            )
            verdict = verdicts[(line["area_code"], line["period"], breakdown)]
            assert line["symbol"] == verdict.symbol
            assert (line["value"] == "") == (verdict.value is None)
    klein = rows(download(client, "daten/leavers_ahr_share.csv", area="klein"))
    assert [(r["value"], r["symbol"]) for r in klein] == [("", "."), ("", ".")]


def test_every_cell_of_a_table_file_is_the_published_tables(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    for by in (["district"], ["district", "sex"], ["borough", "nationality", "qualification"]):
        published = publish_table("school_leavers", 2022, by).table.published()
        response = download(client, "tabellen/school_leavers.csv", year=2022, by=",".join(by))
        found = {
            tuple(line[name] for name in by): None if line["value"] == "" else int(line["value"])
            for line in rows(response)
        }
        assert found == published
        assert None in found.values()
