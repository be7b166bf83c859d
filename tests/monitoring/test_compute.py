"""The monitoring's computations, each checked against values worked out by hand."""

from decimal import Decimal

import pytest
from django.utils import translation

from lernstadt.monitoring import charts, presenting
from lernstadt.monitoring.compute import (
    Counts,
    Goalpost,
    Status,
    change,
    changes,
    gap_pp,
    half_up,
    latest,
    parity_ratio,
    pool,
    pooled_shares,
    projection,
    share,
    target_status,
    trend,
)


def test_share_is_the_part_in_percent_of_the_whole() -> None:
    assert share(3, 12) == 25.0
    assert share(0, 7) == 0.0


def test_share_of_nothing_or_of_a_missing_count_is_none() -> None:
    assert share(1, 0) is None
    assert share(None, 10) is None
    assert share(1, None) is None


def test_gap_is_the_first_share_minus_the_second_in_points() -> None:
    assert gap_pp(30.5, 28.0) == 2.5
    assert gap_pp(28.0, 30.5) == -2.5
    assert gap_pp(None, 30.5) is None


def test_parity_ratio_divides_the_first_by_the_second() -> None:
    assert parity_ratio(30, 24) == 1.25
    assert parity_ratio(30, 0) is None
    assert parity_ratio(None, 3) is None


SERIES = {year: float(year - 2000) for year in range(2012, 2023)}  # 12.0 … 22.0


def test_change_over_one_five_and_ten_years_ends_at_the_latest_value() -> None:
    assert changes(SERIES) == {1: 1.0, 5: 5.0, 10: 10.0}


def test_change_is_none_when_the_earlier_year_is_missing() -> None:
    gappy = {**SERIES, 2017: None}
    assert change(gappy, 5) is None
    assert change({2020: 4.0, 2022: 7.0}, 1) is None
    assert change({}, 1) is None


def test_change_can_end_at_a_chosen_year() -> None:
    assert change(SERIES, 5, at=2020) == 5.0


def test_latest_skips_missing_values() -> None:
    assert latest({2020: 1.0, 2021: 2.0, 2022: None}) == (2021, 2.0)
    assert latest({2022: None}) is None


def test_trend_is_the_least_squares_slope_per_year() -> None:
    # x 2018..2021, y 10 13 12 15: mean x 2019.5, mean y 12.5, Sxy 7, Sxx 5 → slope 1.4;
    # residuals -0.4 1.2 -1.2 0.4 → SS 3.2, standard error sqrt(3.2 / 2 / 5) = 0.566.
    found = trend({2018: 10, 2019: 13, 2020: 12, 2021: 15})
    assert found is not None
    assert found.slope == pytest.approx(1.4)
    assert found.standard_error == pytest.approx(0.32**0.5)
    assert found.at(2019.5) == pytest.approx(12.5)
    assert (found.points, found.first, found.last) == (4, 2018, 2021)
    assert found.label == "rising"


def test_a_straight_line_down_is_falling() -> None:
    found = trend({2020: 8.0, 2021: 7.5, 2022: 7.0})
    assert found is not None
    assert found.slope == pytest.approx(-0.5)
    assert found.label == "falling"


def test_trend_is_stable_when_the_ups_and_downs_hide_the_slope() -> None:
    # y 10 14 10 13: slope 0.5; residuals -1 2.5 -2 0.5 → SS 11.5,
    # standard error sqrt(11.5 / 2 / 5) = 1.07, twice that exceeds 0.5.
    found = trend({2018: 10, 2019: 14, 2020: 10, 2021: 13})
    assert found is not None
    assert found.slope == pytest.approx(0.5)
    assert found.label == "stable"


def test_a_flat_series_is_stable() -> None:
    found = trend({2020: 5.0, 2021: 5.0, 2022: 5.0})
    assert found is not None
    assert (found.slope, found.label) == (0.0, "stable")


def test_trend_uses_only_the_last_ten_values() -> None:
    # Two wild early values are outside the window; the last ten lie on a line of slope 1.
    series = {2011: 500.0, 2012: -500.0, **{year: float(year) for year in range(2013, 2023)}}
    found = trend(series)
    assert found is not None
    assert (found.points, found.first, found.last) == (10, 2013, 2022)
    assert found.slope == pytest.approx(1.0)


def test_trend_needs_three_values() -> None:
    assert trend({2021: 1.0, 2022: 2.0, 2020: None}) is None


def test_without_a_target_the_status_is_no_target() -> None:
    assert target_status({2022: 30.0}, None, "at_least") == Status.NO_TARGET


def test_a_target_met_by_the_latest_value_is_achieved() -> None:
    assert target_status({2021: 30.0, 2022: 40.0}, Goalpost(2030, 35), "at_least") == "achieved"
    assert target_status({2022: 5.0}, Goalpost(2030, 5), "at_most") == Status.ACHIEVED


def test_the_latest_value_carried_along_the_trend_decides_on_or_off_track() -> None:
    # 30, 32, 34 rise by 2 a year: in 2025 the projection is 34 + 2 * 3 = 40.
    series = {2020: 30.0, 2021: 32.0, 2022: 34.0}
    assert projection(series, 2025) == pytest.approx(40.0)
    assert target_status(series, Goalpost(2025, 39), "at_least") == Status.ON_TRACK
    assert target_status(series, Goalpost(2025, 41), "at_least") == Status.OFF_TRACK


def test_a_falling_share_can_be_on_track_for_an_at_most_target() -> None:
    # 8, 7.5, 7 fall by 0.5 a year: in 2026 the projection is 7 - 0.5 * 4 = 5.
    series = {2020: 8.0, 2021: 7.5, 2022: 7.0}
    assert target_status(series, Goalpost(2026, 5), "at_most") == Status.ON_TRACK
    assert target_status(series, Goalpost(2026, 4.9), "at_most") == Status.OFF_TRACK


def test_a_target_year_that_has_passed_unmet_is_off_track() -> None:
    series = {2020: 30.0, 2021: 32.0, 2022: 34.0}
    assert target_status(series, Goalpost(2022, 35), "at_least") == Status.OFF_TRACK


def test_too_few_values_for_a_trend_are_off_track_unless_achieved() -> None:
    assert target_status({2021: 30.0, 2022: 34.0}, Goalpost(2030, 35), "at_least") == "off_track"
    assert target_status({}, Goalpost(2030, 35), "at_least") == Status.OFF_TRACK


def test_a_gap_target_compares_the_distance_from_zero() -> None:
    # Gaps -3, -2, -1: the distance 3, 2, 1 falls by 1 a year, projected to -1 in 2024.
    gaps = {2020: -3.0, 2021: -2.0, 2022: -1.0}
    assert target_status(gaps, Goalpost(2024, 0.5), "at_most", absolute=True) == "on_track"
    assert target_status(gaps, Goalpost(2024, 0.5), "at_most") == Status.ACHIEVED
    assert target_status({2022: -0.4}, Goalpost(2024, 0.5), "at_most", absolute=True) == (
        Status.ACHIEVED
    )


COUNTS = {2019: Counts(2, 10), 2020: Counts(3, 12), 2021: Counts(1, 8)}


def test_pooling_sums_numerators_and_denominators_over_the_years() -> None:
    assert pool(COUNTS, 2021, 3) == Counts(6, 30)
    assert pool(COUNTS, 2021, 1) == Counts(1, 8)


def test_pooling_over_a_missing_year_gives_nothing() -> None:
    assert pool(COUNTS, 2020, 3) is None
    assert pool({**COUNTS, 2020: None}, 2021, 2) is None


def test_pooled_shares_cover_every_year_with_enough_history() -> None:
    assert pooled_shares(COUNTS, 2) == {
        2019: None,
        2020: pytest.approx(100 * 5 / 22),
        2021: pytest.approx(20.0),
    }


def test_published_numbers_round_half_up_on_pages_as_in_charts() -> None:
    assert half_up(20.25, 1) == Decimal("20.3")  # round(20.25, 1) gives 20.2
    with translation.override("de"):
        assert presenting.number(20.25, 1) == charts.format_number(20.25, 1) == "20,3"
