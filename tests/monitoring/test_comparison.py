"""Rank and median among the state's counties, peers, and which area a code names."""

import csv
import math
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from lernstadt.monitoring.comparison import (
    PEER_FEATURES,
    UnknownArea,
    feature_table,
    peer_group,
    peers,
    rank_among,
    resolve_area,
    standings,
    state_median,
)
from lernstadt.monitoring.models import Area, Direction, Indicator, Observation

MakeIndicator = Callable[..., Indicator]


def county(code: str, name: str = "") -> Area:
    return Area.objects.get_or_create(
        code=code, defaults={"name": name or f"Kreis {code}", "level": Area.Level.COUNTY}
    )[0]


def observe(indicator: Indicator, code: str, period: int, value: float | None, **fields) -> None:
    Observation.objects.create(
        indicator=indicator, area=county(code), period=period, value=value, **fields
    )


@pytest.fixture
def four_counties(make_indicator: MakeIndicator) -> Indicator:
    """Four NRW counties with 30, 40, 40 and 20, and one Hessian county with 99."""
    indicator = make_indicator("share_abitur")
    for code, value in [("05111", 30), ("05112", 40), ("05113", 40), ("05114", 20)]:
        observe(indicator, code, 2022, value)
    observe(indicator, "06411", 2022, 99)
    return indicator


def test_rank_one_is_the_highest_value_when_up_is_good(four_counties: Indicator) -> None:
    found = standings(four_counties, 2022)
    assert {code: found[code].rank for code in found} == {
        "05111": 3,
        "05112": 1,
        "05113": 1,
        "05114": 4,
        "06411": 1,
    }
    assert rank_among(four_counties, 2022, county("05111")) == (3, 4)


def test_rank_one_is_the_lowest_value_when_down_is_good(four_counties: Indicator) -> None:
    four_counties.direction = Direction.DOWN
    assert rank_among(four_counties, 2022, county("05114")) == (1, 4)
    assert rank_among(four_counties, 2022, county("05111")) == (2, 4)
    assert rank_among(four_counties, 2022, county("05113")) == (3, 4)


def test_rank_one_is_closest_to_zero_for_gaps(make_indicator: MakeIndicator) -> None:
    gap = make_indicator("gap", direction=Direction.TOWARDS_ZERO)
    for code, value in [("05111", -5), ("05112", 3), ("05113", -3), ("05114", 10)]:
        observe(gap, code, 2022, value)
    assert {code: s.rank for code, s in standings(gap, 2022).items()} == {
        "05111": 3,
        "05112": 1,
        "05113": 1,
        "05114": 4,
    }


def test_context_indicators_have_a_median_but_no_rank(four_counties: Indicator) -> None:
    four_counties.direction = Direction.CONTEXT
    assert rank_among(four_counties, 2022, county("05111")) is None
    assert state_median(four_counties, 2022, county("05111")) == 35.0


def test_the_state_median_is_over_the_states_counties_only(four_counties: Indicator) -> None:
    # 20, 30, 40, 40 → (30 + 40) / 2; the Hessian 99 does not count.
    assert state_median(four_counties, 2022, county("05114")) == 35.0
    assert state_median(four_counties, 2022, county("06411")) == 99.0


def test_missing_confidential_and_broken_down_values_are_not_compared(
    four_counties: Indicator,
) -> None:
    observe(four_counties, "05115", 2022, None)
    observe(four_counties, "05116", 2022, 90, confidential=True)
    observe(four_counties, "05111", 2022, 95, breakdown="sex=f")
    assert rank_among(four_counties, 2022, county("05111")) == (3, 4)
    assert rank_among(four_counties, 2022, county("05116")) is None
    assert state_median(four_counties, 2022, county("05111")) == 35.0


def test_a_year_without_a_value_has_no_rank(four_counties: Indicator) -> None:
    assert rank_among(four_counties, 2021, county("05111")) is None
    assert state_median(four_counties, 2021, county("05111")) is None


def test_a_district_is_not_ranked_among_counties(four_counties: Indicator) -> None:
    district = Area.objects.create(code="herne-d-1", name="Bezirk", level=Area.Level.DISTRICT)
    assert rank_among(four_counties, 2022, district) is None


def test_the_municipality_key_of_a_kreisfreie_stadt_names_the_county(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    inkar = make_indicator("share_abitur", level=Area.Level.COUNTY)
    Observation.objects.create(indicator=inkar, area=herne_areas["county"], period=2022, value=1)
    assert resolve_area("05916000", inkar) == herne_areas["county"]
    assert resolve_area("05916", inkar) == herne_areas["county"]


def test_the_county_key_names_the_municipality_for_municipal_data(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    sdg = make_indicator("sdg_4-1", level=Area.Level.MUNICIPALITY)
    Observation.objects.create(indicator=sdg, area=herne_areas["city"], period=2022, value=1)
    assert resolve_area("05916", sdg) == herne_areas["city"]
    assert resolve_area("05916000", sdg) == herne_areas["city"]


def test_without_observations_the_indicators_level_decides(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    inkar = make_indicator("share_abitur", level=Area.Level.COUNTY)
    assert resolve_area("05916000", inkar) == herne_areas["county"]


def test_an_unknown_code_is_refused_in_german(make_indicator: MakeIndicator) -> None:
    with pytest.raises(UnknownArea, match="Unbekanntes Gebiet „99999“"):
        resolve_area("99999", make_indicator())


def make_structure(make_indicator: MakeIndicator) -> None:
    """Four counties with two structural features in 2021 (and one incomplete county).

    share_foreign 0, 2, 4, 6: mean 3, standard deviation sqrt(5);
    median_age 10, 10, 20, 20: mean 15, standard deviation 5.
    """
    foreign = make_indicator("share_foreign", direction=Direction.CONTEXT)
    age = make_indicator("median_age", direction=Direction.CONTEXT)
    for code, share, years in [
        ("05111", 0, 10),
        ("05112", 2, 10),
        ("09161", 4, 20),
        ("01001", 6, 20),
    ]:
        observe(foreign, code, 2021, share)
        observe(age, code, 2021, years)
    observe(foreign, "05113", 2021, 2.1)  # no median age: cannot be a peer
    observe(foreign, "05111", 2022, 0)  # 2022 lacks median_age: 2021 is used


def test_peers_are_the_nearest_counties_on_standardised_features(
    make_indicator: MakeIndicator,
) -> None:
    make_structure(make_indicator)
    group = peer_group(county("05111"), k=2)
    assert group is not None
    assert group.year == 2021
    assert group.features == {"share_foreign": 0, "median_age": 10}
    # z-scores of 05111: (-3/√5, -1). 05112: (-1/√5, -1) → distance 2/√5.
    # 09161: (1/√5, 1) → sqrt(16/5 + 4). 01001 is farther still.
    assert [(p.code, p.name) for p in group.peers] == [
        ("05112", "Kreis 05112"),
        ("09161", "Kreis 09161"),
    ]
    assert group.peers[0].distance == pytest.approx(2 / math.sqrt(5))
    assert group.peers[1].distance == pytest.approx(math.sqrt(7.2))
    assert group.peers[1].features == {"share_foreign": 4, "median_age": 20}


def test_peers_default_to_five_and_never_include_the_area_itself(
    make_indicator: MakeIndicator,
) -> None:
    make_structure(make_indicator)
    found = peers(county("01001"))
    assert [p.code for p in found] == ["09161", "05112", "05111"]
    assert found[-1].distance == pytest.approx(math.sqrt(36 / 5 + 4))


def test_a_feature_that_does_not_vary_is_left_out(make_indicator: MakeIndicator) -> None:
    make_structure(make_indicator)
    flat = make_indicator("share_65plus", direction=Direction.CONTEXT)
    for code in ["05111", "05112", "09161", "01001"]:
        observe(flat, code, 2021, 20)
    table = feature_table(2021, ["share_foreign", "median_age", "share_65plus"])
    assert len(table.scores["05111"]) == 2
    assert set(table.scores) == {"05111", "05112", "09161", "01001"}


def test_an_area_without_structural_indicators_has_no_peers(
    make_indicator: MakeIndicator,
) -> None:
    make_structure(make_indicator)
    assert peers(county("05113")) == []
    assert peer_group(county("07111")) is None


def test_values_the_disclosure_gate_withholds_are_neither_ranked_nor_in_the_median(
    make_indicator: MakeIndicator,
) -> None:
    leavers = make_indicator("leavers_ahr_share", level=Area.Level.MUNICIPALITY)
    for code, numerator, denominator in [
        ("05111000", 3, 4),  # 4 leavers: fewer than 5, withheld
        ("05112000", 10, 40),
        ("05113000", 20, 40),
    ]:
        Observation.objects.create(
            indicator=leavers,
            area=Area.objects.create(code=code, name=code, level=Area.Level.MUNICIPALITY),
            period=2022,
            value=100 * numerator / denominator,
            numerator=numerator,
            denominator=denominator,
        )
    city = Area.objects.get(code="05112000")
    assert rank_among(leavers, 2022, city) == (2, 2)
    assert state_median(leavers, 2022, city) == 37.5
    assert rank_among(leavers, 2022, Area.objects.get(code="05111000")) is None


def test_a_withheld_gap_is_not_compared(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator
) -> None:
    # The boys' share rests on 4 leavers: withheld, and with it the gap.
    share = make_indicator("leavers_ahr_share", level=Area.Level.MUNICIPALITY)
    gap = make_indicator(
        "leavers_ahr_gap_sex", level=Area.Level.MUNICIPALITY, direction="towards_zero"
    )
    city = herne_areas["city"]
    for breakdown, numerator, denominator in [("", 9, 24), ("sex=f", 6, 20), ("sex=m", 3, 4)]:
        Observation.objects.create(
            indicator=share,
            area=city,
            period=2022,
            breakdown=breakdown,
            value=100 * numerator / denominator,
            numerator=numerator,
            denominator=denominator,
        )
    Observation.objects.create(indicator=gap, area=city, period=2022, value=30.0 - 75.0)
    assert rank_among(gap, 2022, city) is None
    assert state_median(gap, 2022, city) is None


# --- the real INKAR file, checked against values computed here from the CSV --------------


def inkar_column(path: Path, column: str, year: int) -> dict[str, float]:
    """County code -> value of one INKAR column in one year, read with the csv module."""
    with path.open(encoding="utf-8", newline="") as file:
        return {
            row["county_code"]: float(row[column])
            for row in csv.DictReader(file)
            if row["year"] == str(year) and row[column] != ""
        }


def expected_standing(values: dict[str, float], code: str, better: str) -> tuple[int, int, float]:
    state = {c: v for c, v in values.items() if c[:2] == code[:2]}
    own = state[code]
    ahead = sum(v > own if better == "up" else v < own for v in state.values())
    return 1 + ahead, len(state), statistics.median(state.values())


def expected_peers(path: Path, code: str, year: int, k: int) -> list[tuple[str, float]]:
    """Nearest neighbours on z-scores of the peer features, computed from the CSV."""
    columns = {f: inkar_column(path, f, year) for f in PEER_FEATURES}
    complete = [c for c in columns[PEER_FEATURES[0]] if all(c in col for col in columns.values())]
    scores: dict[str, list[float]] = {c: [] for c in complete}
    for column in columns.values():
        mean = statistics.fmean(column[c] for c in complete)
        spread = statistics.pstdev([column[c] for c in complete])
        for c in complete:
            scores[c].append((column[c] - mean) / spread)
    distances = sorted(
        (math.dist(scores[code], scores[other]), other) for other in complete if other != code
    )
    return [(other, distance) for distance, other in distances[:k]]


class TestOnTheRealInkarFile:
    """Ranks, medians and peers on the real file, against values computed here from the CSV."""

    @pytest.mark.parametrize(
        ("code", "better"), [("share_abitur", "up"), ("share_no_degree", "down")]
    )
    def test_hernes_rank_and_median_match_the_inkar_file(
        self, inkar_file: Path, db: None, code: str, better: str
    ) -> None:
        indicator = Indicator.objects.get(code=code)
        herne = resolve_area("05916000", indicator)
        assert (herne.code, herne.level) == ("05916", Area.Level.COUNTY)
        rank, of, median = expected_standing(inkar_column(inkar_file, code, 2022), "05916", better)
        assert rank_among(indicator, 2022, herne) == (rank, of)
        assert state_median(indicator, 2022, herne) == pytest.approx(median)

    def test_every_countys_rank_and_median_match_the_inkar_file(
        self, inkar_file: Path, db: None
    ) -> None:
        values = inkar_column(inkar_file, "share_abitur", 2015)
        found = standings(Indicator.objects.get(code="share_abitur"), 2015)
        assert set(found) == set(values)
        for code, standing in found.items():
            rank, of, median = expected_standing(values, code, "up")
            assert (standing.rank, standing.of) == (rank, of), code
            assert standing.state_median == pytest.approx(median), code

    def test_hernes_peers_match_nearest_neighbours_computed_from_the_inkar_file(
        self, inkar_file: Path, db: None
    ) -> None:
        # 2021 is the latest year with every feature (2022 lacks unemployment, GDP, purchasing power).
        group = peer_group(Area.objects.get(code="05916"))
        assert group is not None
        assert group.year == 2021
        assert list(group.features) == list(PEER_FEATURES)
        expected = expected_peers(inkar_file, "05916", 2021, 5)
        assert [(p.code, p.distance) for p in group.peers] == [
            (code, pytest.approx(distance)) for code, distance in expected
        ]
        assert group.peers[0].name == "Hagen"
        assert group.peers[0].features["share_foreign"] == 21.08
