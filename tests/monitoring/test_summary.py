"""``summary.indicator_summary``: one indicator in one area, for the command, API and pages."""

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lernstadt.monitoring import compute
from lernstadt.monitoring.models import Area, Indicator, Observation, Target
from lernstadt.monitoring.summary import (
    IndicatorSummary,
    Latest,
    PeerValue,
    Point,
    TargetStanding,
    indicator_summaries,
    indicator_summary,
)

MakeIndicator = Callable[..., Indicator]


@pytest.fixture
def u3(herne_areas: dict[str, Area], make_indicator: MakeIndicator) -> Indicator:
    """A municipal indicator of Herne: 30, 32 and 34 in 2020–2022, nothing in 2019."""
    indicator = make_indicator("u3_provision_rate", level=Area.Level.MUNICIPALITY, decimals=1)
    for period, value in [(2019, None), (2020, 30.0), (2021, 32.0), (2022, 34.0)]:
        Observation.objects.create(
            indicator=indicator, area=herne_areas["city"], period=period, value=value
        )
    return indicator


def summary_of(indicator: Indicator, areas: dict[str, Area]) -> IndicatorSummary:
    return indicator_summary(indicator, areas["city"])


def test_the_summary_holds_the_published_series_oldest_first(
    u3: Indicator, herne_areas: dict[str, Area]
) -> None:
    found = summary_of(u3, herne_areas)
    assert found.series == [
        Point(2019, None, "."),
        Point(2020, 30.0, ""),
        Point(2021, 32.0, ""),
        Point(2022, 34.0, ""),
    ]
    assert found.values() == {2019: None, 2020: 30.0, 2021: 32.0, 2022: 34.0}
    assert found.latest == Latest(2022, 34.0)


def test_change_trend_and_standing_come_from_the_computations(
    u3: Indicator, herne_areas: dict[str, Area]
) -> None:
    found = summary_of(u3, herne_areas)
    assert found.changes == {1: 2.0, 5: None, 10: None}
    assert found.trend == compute.trend(found.values())
    assert found.trend is not None and found.trend.label == "rising"
    # The only municipality of NRW with a value: rank 1 of 1; no peers below county level.
    assert (found.rank, found.of, found.state_median) == (1, 1, 34.0)
    assert (found.peers, found.peer_year) == ([], None)
    assert found.target is None


def test_the_next_target_is_given_with_its_status_and_note(
    u3: Indicator, herne_areas: dict[str, Area]
) -> None:
    for year, value in [(2018, 20), (2025, 39), (2030, 60)]:
        Target.objects.create(
            indicator=u3,
            area=herne_areas["city"],
            year=year,
            value=value,
            direction="at_least",
            note=f"Ziel {year}",
        )
    found = summary_of(u3, herne_areas)
    # 34 + 2 a year reaches 40 in 2025: on track for at least 39.
    assert found.target == TargetStanding(
        2025, 39.0, "at_least", compute.Status.ON_TRACK, "Ziel 2025"
    )


def test_to_dict_is_exactly_what_show_indicator_prints(
    u3: Indicator, herne_areas: dict[str, Area]
) -> None:
    Target.objects.create(
        indicator=u3, area=herne_areas["city"], year=2030, value=60, direction="at_least"
    )
    out = StringIO()
    call_command("show_indicator", "u3_provision_rate", "--area", "05916000", "--json", stdout=out)
    found = summary_of(u3, herne_areas).to_dict()
    assert json.loads(json.dumps(found)) == json.loads(out.getvalue())
    assert list(found) == [
        "indicator",
        "area",
        "series",
        "latest",
        "change",
        "trend",
        "rank",
        "of",
        "state_median",
        "target",
        "peers",
        "peer_year",
    ]
    assert found["change"] == {"1": 2.0, "5": None, "10": None}
    assert found["target"] == {
        "year": 2030,
        "value": 60.0,
        "direction": "at_least",
        "status": "off_track",
    }


def test_until_computes_everything_as_it_stood_in_a_report_year(
    u3: Indicator, herne_areas: dict[str, Area]
) -> None:
    found = indicator_summary(u3, herne_areas["city"], until=2021)
    assert [point.period for point in found.series] == [2019, 2020, 2021]
    assert found.latest == Latest(2021, 32.0)
    assert found.changes == {1: 2.0, 5: None, 10: None}
    assert found.trend is None  # two values are too few
    assert found.state_median == 32.0


def test_several_summaries_are_the_same_as_one_by_one(
    u3: Indicator, herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    other = make_indicator("vhs_participants", level=Area.Level.MUNICIPALITY, unit="count")
    Observation.objects.create(indicator=other, area=herne_areas["city"], period=2022, value=9)
    city = herne_areas["city"]
    assert indicator_summaries([u3, other], city) == [
        indicator_summary(u3, city),
        indicator_summary(other, city),
    ]


def test_a_small_district_has_no_published_value_and_so_no_latest(
    small_district_leavers: dict[str, Area],
) -> None:
    share = Indicator.objects.get(code="leavers_ahr_share")
    found = indicator_summary(share, small_district_leavers["klein"])
    assert found.series == [Point(2021, None, "."), Point(2022, None, ".")]
    assert found.latest is None
    assert found.trend is None
    assert found.changes == {1: None, 5: None, 10: None}
    assert (found.rank, found.of, found.state_median) == (None, None, None)


def test_a_large_district_shows_its_share(small_district_leavers: dict[str, Area]) -> None:
    share = Indicator.objects.get(code="leavers_ahr_share")
    found = indicator_summary(share, small_district_leavers["gross-a"])
    stored = Observation.objects.get(indicator=share, area__code="gross-a", period=2022)
    assert found.latest == Latest(2022, stored.value)


class TestOnTheRealInkarFile:
    """The summary of Herne after importing the real INKAR file."""

    def test_herne_has_its_five_structural_peers_with_values(
        self, inkar_file: Path, db: None
    ) -> None:
        herne = Area.objects.get(code="05916")
        found = indicator_summary(Indicator.objects.get(code="share_abitur"), herne)
        assert [peer.name for peer in found.peers] == [
            "Hagen",
            "Delmenhorst",
            "Oberhausen",
            "Mönchengladbach",
            "Bremerhaven",
        ]
        assert found.peer_year == 2021
        assert all(isinstance(peer, PeerValue) and peer.value is not None for peer in found.peers)
        assert set(found.peers[0].features) >= {"share_foreign", "unemployment_rate"}
        assert found.latest == Latest(2022, 34.66)
        assert found.of == 53

    def test_the_peer_group_found_once_is_the_same_for_every_indicator(
        self, inkar_file: Path, db: None
    ) -> None:
        herne = Area.objects.get(code="05916")
        indicators = list(Indicator.objects.filter(code__in=["share_abitur", "median_age"]))
        together = indicator_summaries(indicators, herne)
        assert together == [indicator_summary(indicator, herne) for indicator in indicators]
