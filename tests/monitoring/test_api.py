"""The monitoring's JSON API at /api/v1/monitoring/: every endpoint, its errors, no leaks."""

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from lernstadt.monitoring.models import (
    Area,
    Goal,
    Indicator,
    Measure,
    Observation,
    Target,
    breakdown_key,
)
from lernstadt.monitoring.publishing import publish
from lernstadt.monitoring.tables import publish_table

pytestmark = pytest.mark.django_db
MakeIndicator = Callable[..., Indicator]
API = "/api/v1/monitoring"


def get(client: Client, path: str, status: int = 200, **params: Any) -> Any:
    response = client.get(f"{API}/{path}", params)
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def u3(herne_areas: dict[str, Area], make_indicator: MakeIndicator) -> Indicator:
    """A municipal indicator with a goal, a target, a measure and values by sex."""
    indicator = make_indicator(
        "u3_provision_rate",
        level=Area.Level.MUNICIPALITY,
        decimals=1,
        definition_de="Plätze je 100 Kinder unter 3 Jahren.",
        source="Stadt Herne",
        disaggregations=["sex"],
    )
    goal = Goal.objects.create(code="fruehe-bildung", order=5, title_de="Früh", title_en="Early")
    indicator.goals.add(goal)
    Measure.objects.create(goal=goal, title_de="Mehr Plätze", responsible="Jugendamt")
    Target.objects.create(
        indicator=indicator,
        area=herne_areas["city"],
        goal=goal,
        year=2025,
        value=39,
        direction="at_least",
    )
    city = herne_areas["city"]
    for period, value in [(2020, 30.0), (2021, 32.0), (2022, 34.0)]:
        Observation.objects.create(indicator=indicator, area=city, period=period, value=value)
        for sex, delta in [("f", 1.0), ("m", -1.0)]:
            Observation.objects.create(
                indicator=indicator,
                area=city,
                period=period,
                breakdown=f"sex={sex}",
                value=value + delta,
                provisional=period == 2022,
            )
    return indicator


# --- goals and indicators -----------------------------------------------------------------


def test_goals_list_their_indicators_and_measures(client: Client, u3: Indicator) -> None:
    [goal] = get(client, "goals")
    assert goal["code"] == "fruehe-bildung"
    assert [i["code"] for i in goal["indicators"]] == ["u3_provision_rate"]
    assert goal["indicators"][0]["direction"] == "up"
    assert goal["measures"] == [
        {
            "title_de": "Mehr Plätze",
            "title_en": "",
            "description_de": "",
            "description_en": "",
            "responsible": "Jugendamt",
            "status": "planned",
        }
    ]
    assert get(client, "goals/fruehe-bildung")["title_de"] == "Früh"


def test_an_unknown_goal_is_404_in_german(client: Client, db: None) -> None:
    assert get(client, "goals/nope", 404) == {"detail": "Unbekanntes Ziel „nope“."}


def test_the_pack_goals_come_in_the_order_of_the_mission_statement(
    client: Client, monitoring_pack: None
) -> None:
    goals = get(client, "goals")
    assert [goal["order"] for goal in goals] == sorted(goal["order"] for goal in goals)
    assert any(goal["indicators"] for goal in goals)


def test_indicators_are_listed_and_filtered_by_goal_and_level(
    client: Client, u3: Indicator, make_indicator: MakeIndicator
) -> None:
    make_indicator("share_abitur")
    assert [i["code"] for i in get(client, "indicators")] == ["share_abitur", "u3_provision_rate"]
    assert [i["code"] for i in get(client, "indicators", goal="fruehe-bildung")] == [
        "u3_provision_rate"
    ]
    assert [i["code"] for i in get(client, "indicators", level="county")] == ["share_abitur"]


def test_a_bad_level_is_422_with_a_german_message(client: Client, db: None) -> None:
    [problem] = get(client, "indicators", 422, level="planet")["detail"]
    assert problem["loc"] == ["query", "level"]
    assert problem["msg"].startswith("Erlaubt: 'state', 'county'")


def test_an_indicator_has_its_definition_source_unit_targets_and_downloads(
    client: Client, u3: Indicator
) -> None:
    found = get(client, "indicators/u3_provision_rate")
    assert found["definition_de"] == "Plätze je 100 Kinder unter 3 Jahren."
    assert (found["unit"], found["direction"], found["source"]) == ("percent", "up", "Stadt Herne")
    assert found["min_count"] == 5
    assert found["goals"] == ["fruehe-bildung"]
    assert found["targets"] == [
        {
            "area": "05916000",
            "year": 2025,
            "value": 39.0,
            "direction": "at_least",
            "goal": "fruehe-bildung",
            "note": "",
        }
    ]
    assert found["periods"] == {"first": 2020, "last": 2022}
    assert found["downloads"] == {
        "csv": "/monitoring/daten/u3_provision_rate.csv",
        "data_dictionary": "/monitoring/daten/u3_provision_rate/datenlexikon.csv",
    }


def test_an_unknown_indicator_is_404_in_german(client: Client, db: None) -> None:
    expected = {"detail": "Unbekannter Indikator „nope“."}
    assert get(client, "indicators/nope", 404) == expected
    assert get(client, "indicators/nope/observations", 404) == expected
    assert get(client, "indicators/nope/areas/05916", 404) == expected


# --- one indicator in one area ------------------------------------------------------------


def test_the_summary_is_what_show_indicator_prints(client: Client, u3: Indicator) -> None:
    out = StringIO()
    call_command("show_indicator", "u3_provision_rate", "--area", "05916000", "--json", stdout=out)
    expected = json.loads(out.getvalue())
    assert get(client, "indicators/u3_provision_rate/areas/05916000") == expected
    # The county key names the same city.
    assert get(client, "indicators/u3_provision_rate/areas/05916") == expected
    assert expected["target"]["status"] == "on_track"


def test_an_unknown_area_is_404_in_german(client: Client, u3: Indicator) -> None:
    found = get(client, "indicators/u3_provision_rate/areas/99999", 404)
    assert found == {"detail": "Unbekanntes Gebiet „99999“."}


# --- observations -------------------------------------------------------------------------


def test_observations_are_filtered_by_area_period_and_breakdown(
    client: Client, u3: Indicator
) -> None:
    everything = get(client, "indicators/u3_provision_rate/observations")
    assert everything["total"] == 9
    first = everything["results"][0]
    assert first == {
        "area_code": "05916000",
        "area_name": "Herne",
        "period": 2020,
        "breakdown": {},
        "value": 30.0,
        "symbol": "",
        "provisional": False,
        "estimated": False,
        "break_in_series": False,
    }
    by_sex = get(
        client,
        "indicators/u3_provision_rate/observations",
        area="05916",
        period_from=2021,
        period_to=2022,
        by="sex",
    )
    assert [(r["period"], r["breakdown"], r["value"]) for r in by_sex["results"]] == [
        (2021, {"sex": "f"}, 33.0),
        (2021, {"sex": "m"}, 31.0),
        (2022, {"sex": "f"}, 35.0),
        (2022, {"sex": "m"}, 33.0),
    ]
    assert by_sex["results"][-1]["provisional"] is True
    totals = get(client, "indicators/u3_provision_rate/observations", by="total")
    assert [r["value"] for r in totals["results"]] == [30.0, 32.0, 34.0]


def test_observations_are_paged(client: Client, u3: Indicator) -> None:
    page = get(client, "indicators/u3_provision_rate/observations", limit=2, offset=8)
    assert page["total"] == 9
    assert len(page["results"]) == 1


@pytest.mark.parametrize(
    ("params", "where", "message"),
    [
        ({"by": "age"}, "by", "Unbekannte Aufgliederung „age“ für u3_provision_rate"),
        ({"period_from": 2022, "period_to": 2020}, "filters", "period_from liegt nach period_to"),
        ({"period_from": "bald"}, "period_from", "Ganze Zahl erwartet."),
        ({"period_to": 3000}, "period_to", "Höchstens 2100."),
        ({"limit": 0}, "limit", "Mindestens 1."),
    ],
)
def test_bad_observation_filters_are_422_in_german(
    client: Client, u3: Indicator, params: dict[str, Any], where: str, message: str
) -> None:
    [problem] = get(client, "indicators/u3_provision_rate/observations", 422, **params)["detail"]
    assert problem["loc"][-1] == where
    assert problem["msg"].startswith(message)


def test_observations_of_an_unknown_area_are_404(client: Client, u3: Indicator) -> None:
    found = get(client, "indicators/u3_provision_rate/observations", 404, area="nirgendwo")
    assert found == {"detail": "Unbekanntes Gebiet „nirgendwo“."}


# --- areas --------------------------------------------------------------------------------


def test_areas_are_listed_with_level_and_parent(
    client: Client, herne_areas: dict[str, Area]
) -> None:
    found = get(client, "areas")
    assert found["total"] == 3
    assert found["results"] == [
        {"code": "05", "name": "Nordrhein-Westfalen", "level": "state", "parent": None},
        {"code": "05916", "name": "Herne", "level": "county", "parent": "05"},
        {"code": "05916000", "name": "Herne", "level": "municipality", "parent": "05916"},
    ]
    assert [a["code"] for a in get(client, "areas", level="county")["results"]] == ["05916"]
    assert [a["code"] for a in get(client, "areas", parent="05916")["results"]] == ["05916000"]
    assert get(client, "areas", limit=1, offset=1)["results"][0]["code"] == "05916"


def test_the_pack_lists_boroughs_under_the_city(client: Client, monitoring_pack: None) -> None:
    boroughs = get(client, "areas", level="borough")["results"]
    assert {b["name"] for b in boroughs} >= {"Herne-Mitte", "Herne-Wanne"}
    assert {b["parent"] for b in boroughs} == {"05916000"}


# --- published tables ---------------------------------------------------------------------


def test_a_published_table_has_totals_symbols_and_names(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    found = get(client, "tables/school_leavers", year=2022, by="district,sex")
    assert (found["first_year"], found["last_year"], found["by"]) == (
        2022,
        2022,
        ["district", "sex"],
    )
    assert found["minimum"] == 5
    assert found["labels"]["klein"] == "Klein"
    rows = {(r["cells"]["district"], r["cells"]["sex"]): r for r in found["rows"]}
    assert rows[("total", "total")] == {
        "cells": {"district": "total", "sex": "total"},
        "value": 108,
        "symbol": "",
    }
    assert rows[("gross-a", "d")] == {
        "cells": {"district": "gross-a", "sex": "d"},
        "value": 0,
        "symbol": "-",
    }


def test_pooled_years_are_summed(client: Client, small_district_leavers: dict[str, Area]) -> None:
    found = get(client, "tables/school_leavers", year=2022, by="borough", pool_years=2)
    assert found["first_year"] == 2021
    rows = {r["cells"]["borough"]: r["value"] for r in found["rows"]}
    assert rows == {"mitte": 150, "wanne": 66, "total": 216}


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("tables/teachers", {"year": 2022, "by": "sex"}, 404, "Unbekannter Datensatz „teachers“"),
        ("tables/school_leavers", {"year": 2030, "by": "sex"}, 404, "Für 2030 liegen keine"),
        ("tables/school_leavers", {"year": 2022, "by": "age"}, 422, "Unbekannte Gliederung „age“"),
        ("tables/school_leavers", {"by": "sex"}, 422, "Angabe fehlt."),
        ("tables/school_leavers", {"year": 2022, "by": "sex,sex"}, 422, "Jede Gliederung"),
        (
            "tables/school_leavers",
            {"year": 2022, "by": "sex", "pool_years": 0},
            422,
            "Mindestens 1",
        ),
    ],
)
def test_bad_table_requests_are_answered_in_german(
    client: Client,
    small_district_leavers: dict[str, Area],
    path: str,
    params: dict[str, Any],
    status: int,
    message: str,
) -> None:
    detail = get(client, path, status, **params)["detail"]
    text = detail if isinstance(detail, str) else detail[0]["msg"]
    assert text.startswith(message)


# --- nothing withheld leaks ---------------------------------------------------------------


def test_the_small_district_is_withheld_everywhere_in_the_api(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    for code in ("leavers_ahr_share", "leavers_no_hsa_share", "leavers_fhr_share"):
        found = get(client, f"indicators/{code}/observations", area="klein")["results"]
        assert [(r["value"], r["symbol"]) for r in found] == [(None, "."), (None, ".")]
        summary = get(client, f"indicators/{code}/areas/klein")
        assert [(p["value"], p["symbol"]) for p in summary["series"]] == [(None, ".")] * 2
        assert summary["latest"] is None
    table = get(client, "tables/school_leavers", year=2022, by="district")
    klein = next(r for r in table["rows"] if r["cells"]["district"] == "klein")
    assert (klein["value"], klein["symbol"]) == (None, ".")


def test_every_observation_in_the_api_is_the_gates_verdict(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    for indicator in Indicator.objects.all():
        stored = list(Observation.objects.filter(indicator=indicator).select_related("area"))
        verdicts = {
            (o.area.code, o.period, o.breakdown): (v.value, v.symbol)
            for o, v in zip(stored, publish(stored), strict=True)
        }
        found = get(client, f"indicators/{indicator.code}/observations")["results"]
        assert len(found) == len(verdicts)
        for row in found:
            key = (row["area_code"], row["period"], breakdown_key(row["breakdown"]))
            assert (row["value"], row["symbol"]) == verdicts[key]
            assert "numerator" not in row and "denominator" not in row
        if indicator.code.endswith("_share"):
            assert (None, ".") in verdicts.values(), f"{indicator.code} withholds nothing"


def test_every_table_cell_in_the_api_is_the_published_tables(
    client: Client, small_district_leavers: dict[str, Area]
) -> None:
    for by in (["district"], ["district", "sex"], ["borough", "nationality", "qualification"]):
        published = publish_table("school_leavers", 2022, by).table.published()
        found = get(client, "tables/school_leavers", year=2022, by=",".join(by))["rows"]
        assert {tuple(r["cells"].values()): r["value"] for r in found} == published
        assert None in published.values()


# --- OpenAPI ------------------------------------------------------------------------------


def test_openapi_describes_every_monitoring_endpoint_in_german(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = {path for path in schema["paths"] if path.startswith(API)}
    assert paths == {
        f"{API}/goals",
        f"{API}/goals/{{code}}",
        f"{API}/indicators",
        f"{API}/indicators/{{code}}",
        f"{API}/indicators/{{code}}/areas/{{area}}",
        f"{API}/indicators/{{code}}/observations",
        f"{API}/areas",
        f"{API}/tables/{{dataset}}",
    }
    for path in paths:
        operation = schema["paths"][path]["get"]
        assert operation["summary"] and operation["description"]
        assert operation["tags"] == ["Bildungsmonitoring"]
    fields = schema["components"]["schemas"]["ObservationOut"]["properties"]
    assert fields["value"]["description"] == "Wert; null wenn geheim gehalten oder nicht da."
