"""``lernstadt show_indicator``: one indicator for one area, as JSON or German text."""

import csv
import json
import statistics
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line

from lernstadt.monitoring.models import Area, Direction, Indicator, Observation, Target

MakeIndicator = Callable[..., Indicator]


def show(*args: str) -> str:
    out = StringIO()
    call_command("show_indicator", *args, stdout=out)
    return out.getvalue()


def show_json(indicator: str, area: str) -> dict[str, Any]:
    return json.loads(show(indicator, "--area", area, "--json"))


def nrw_abitur_2022(path: Path) -> dict[str, float]:
    with path.open(encoding="utf-8", newline="") as file:
        return {
            row["county_code"]: float(row["share_abitur"])
            for row in csv.DictReader(file)
            if row["year"] == "2022" and row["county_code"].startswith("05")
        }


@pytest.fixture
def city_indicator(herne_areas: dict[str, Area], make_indicator: MakeIndicator) -> Indicator:
    """A municipal indicator of Herne: 30, 32 and 34 in 2020–2022."""
    indicator = make_indicator("u3_provision_rate", level=Area.Level.MUNICIPALITY, decimals=1)
    for period, value in [(2020, 30.0), (2021, 32.0), (2022, 34.0)]:
        Observation.objects.create(
            indicator=indicator, area=herne_areas["city"], period=period, value=value
        )
    return indicator


def test_change_and_trend_are_computed_on_the_series(city_indicator: Indicator) -> None:
    found = show_json("u3_provision_rate", "05916000")
    assert found["latest"] == {"period": 2022, "value": 34.0}
    assert found["change"] == {"1": 2.0, "5": None, "10": None}
    assert found["trend"]["slope"] == pytest.approx(2.0)
    assert found["trend"]["label"] == "rising"
    # Herne is the only municipality of NRW with a value: rank 1 of 1, no peers.
    assert (found["rank"], found["of"], found["state_median"]) == (1, 1, 34.0)
    assert found["peers"] == []


def test_a_target_is_shown_with_its_status(
    city_indicator: Indicator, herne_areas: dict[str, Area]
) -> None:
    # 34 + 2 a year reaches 40 in 2025: on track for at least 39.
    Target.objects.create(
        indicator=city_indicator,
        area=herne_areas["city"],
        year=2025,
        value=39,
        direction="at_least",
    )
    Target.objects.create(
        indicator=city_indicator,
        area=herne_areas["city"],
        year=2030,
        value=60,
        direction="at_least",
    )
    found = show_json("u3_provision_rate", "05916")
    assert found["target"] == {
        "year": 2025,
        "value": 39.0,
        "direction": "at_least",
        "status": "on_track",
    }
    assert "Ziel: mindestens 39,0 bis 2025 – auf Kurs" in show(
        "u3_provision_rate", "--area", "05916000"
    )


def test_a_target_set_for_the_city_holds_for_the_county(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    indicator = make_indicator("share_no_degree", direction=Direction.DOWN)
    Observation.objects.create(
        indicator=indicator, area=herne_areas["county"], period=2022, value=6.0
    )
    Target.objects.create(
        indicator=indicator, area=herne_areas["city"], year=2030, value=7, direction="at_most"
    )
    assert show_json("share_no_degree", "05916000")["target"]["status"] == "achieved"


def test_a_withheld_value_is_null_with_its_symbol(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    indicator = make_indicator("leavers_ahr_share", level=Area.Level.MUNICIPALITY)
    for period, numerator, denominator in [(2021, 30, 100), (2022, 3, 4)]:
        Observation.objects.create(
            indicator=indicator,
            area=herne_areas["city"],
            period=period,
            value=100 * numerator / denominator,
            numerator=numerator,
            denominator=denominator,
        )
    found = show_json("leavers_ahr_share", "05916000")
    assert found["series"] == [
        {"period": 2021, "value": 30.0, "symbol": ""},
        {"period": 2022, "value": None, "symbol": "."},
    ]
    # The latest published value is 2021; the withheld 75 % gives no rank and no median.
    assert found["latest"] == {"period": 2021, "value": 30.0}
    assert "  2022  ." in show("leavers_ahr_share", "--area", "05916000")


def run_command_line(*args: str) -> int:
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["lernstadt", *args])
    return int(exit.value.code or 0)


def test_an_unknown_indicator_is_a_german_error_with_exit_code_1(
    herne_areas: dict[str, Area], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command_line("show_indicator", "nope", "--area", "05916") == 1
    assert "Unbekannter Indikator „nope“" in capsys.readouterr().err


def test_an_unknown_area_is_a_german_error_with_exit_code_1(
    city_indicator: Indicator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command_line("show_indicator", "u3_provision_rate", "--area", "99999") == 1
    assert "Unbekanntes Gebiet „99999“" in capsys.readouterr().err


class TestOnTheRealInkarFile:
    """show_indicator after importing the real INKAR file."""

    def test_herne_shows_its_inkar_series_rank_median_and_peers(
        self, inkar_file: Path, db: None
    ) -> None:
        found = show_json("share_abitur", "05916")
        assert found["indicator"] | {"decimals": 0} == {
            "code": "share_abitur",
            "name": Indicator.objects.get(code="share_abitur").name_de,
            "unit": "percent",
            "direction": "up",
            "decimals": 0,
        }
        assert found["area"] == {"code": "05916", "name": "Herne", "level": "county"}
        assert len(found["series"]) == 28
        assert found["series"][0] == {"period": 1995, "value": 22.97, "symbol": ""}
        assert found["series"][-1] == {"period": 2022, "value": 34.66, "symbol": ""}
        nrw = nrw_abitur_2022(inkar_file)
        assert found["rank"] == 1 + sum(value > 34.66 for value in nrw.values())
        assert found["of"] == len(nrw) == 53
        assert found["state_median"] == pytest.approx(statistics.median(nrw.values()))
        assert [set(peer) for peer in found["peers"]] == [
            {"code", "name", "value", "distance", "features"}
        ] * 5
        assert found["peers"][0]["code"] == "05914"
        assert found["peers"][0]["value"] == nrw["05914"]
        assert found["peer_year"] == 2021
        assert found["target"] is None

    def test_the_municipality_key_shows_the_same_as_the_county_key(
        self, inkar_file: Path, db: None
    ) -> None:
        assert show_json("share_abitur", "05916000") == show_json("share_abitur", "05916")

    def test_the_text_is_german(self, inkar_file: Path, db: None) -> None:
        text = show("share_abitur", "--area", "05916000")
        assert "– Herne (05916)" in text
        assert "  2022  34,66" in text
        assert "Veränderung in 1 Jahr: −2,03" in text
        assert "von 53 Kreisen in Nordrhein-Westfalen" in text
        assert "Hagen (05914)" in text
        assert "Ziel: keines gesetzt" in text
