"""Disclosure control on hand-computed tables: suppression, the audit, and the gate for rates."""

from dataclasses import dataclass

import pytest

from lernstadt.monitoring.disclosure import (
    TOTAL,
    Interval,
    Reason,
    Table,
    audit,
    complete_lines,
    cross_table,
    protect_observations,
    suppress,
)

T = TOTAL


def leavers_by_school() -> Table:
    """Three schools: 2, 7 and 10 leavers (19 in all)."""
    return cross_table({"school": ["a", "b", "c"]}, {("a",): 2, ("b",): 7, ("c",): 10})


def test_a_small_count_is_withheld_with_the_smallest_partner_that_hides_it() -> None:
    table = suppress(leavers_by_school(), 5)
    assert table.primary == {("a",)}
    # a + b = 19 - 10 = 9: the partner must lift a's range to 5, so b (7) is enough
    assert table.secondary == {("b",)}
    assert [table.symbol(cell) for cell in [("a",), ("b",), ("c",), (T,)]] == [".", ".", "10", "19"]
    assert table.reason(("a",)) == Reason.SMALL_COUNT
    assert table.reason(("b",)) == Reason.COMPLEMENTARY


def test_the_audit_gives_the_range_an_attacker_can_work_out() -> None:
    result = audit(suppress(leavers_by_school(), 5))
    assert result.passed
    assert result.intervals == {("a",): Interval(0, 9), ("b",): Interval(0, 9)}


def test_zero_is_published_as_dash_and_is_not_withheld() -> None:
    table = suppress(cross_table({"sex": ["f", "m", "d"]}, {("f",): 12, ("m",): 9}), 5)
    assert table.suppressed == frozenset()
    assert table.symbol(("d",)) == "-"
    assert table.published() == {("f",): 12, ("m",): 9, ("d",): 0, (T,): 21}


def test_small_counts_together_below_the_minimum_take_a_large_partner() -> None:
    table = suppress(
        cross_table({"school": ["a", "b", "c"]}, {("a",): 1, ("b",): 3, ("c",): 40}), 5
    )
    assert table.primary == {("a",), ("b",)}
    assert table.secondary == {("c",)}  # a + b = 4 would tell both are small
    assert audit(table).intervals[("a",)] == Interval(0, 44)


def test_a_two_way_table_by_hand() -> None:
    # qualification by sex:   a    b    c  | total
    #                   f     2   10    8  |  20
    #                   m     6   12    9  |  27
    counts = {("f", "a"): 2, ("f", "b"): 10, ("f", "c"): 8}
    counts |= {("m", "a"): 6, ("m", "b"): 12, ("m", "c"): 9}
    table = suppress(cross_table({"sex": ["f", "m"], "q": ["a", "b", "c"]}, counts), 5)
    assert table.primary == {("f", "a")}
    # row f: c (8) covers the deficit 3; column a: m (6); column c then needs a partner: m (9)
    assert table.secondary == {("f", "c"), ("m", "a"), ("m", "c")}
    # f,a = t; f,c = 10 - t; m,a = 8 - t; m,c = 7 + t with every cell >= 0: t in [0, 8]
    assert audit(table).intervals == {
        ("f", "a"): Interval(0, 8),
        ("f", "c"): Interval(2, 10),
        ("m", "a"): Interval(0, 8),
        ("m", "c"): Interval(7, 15),
    }
    assert table.published()[(T, T)] == 47


def bridge_table() -> Table:
    """Two blocks of small counts joined by one more small count in row r2, column c3.

    Every row and column holds two or more small counts, so the line rule is content, but
    r2/c3 lies on no cycle of withheld cells: rows r1, r2 and columns c1, c2 pin it down.
    """
    small = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    small |= {("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4"), ("r2", "c3")}
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    counts = {(r, c): 3 if (r, c) in small else 20 for r in rows for c in columns}
    return cross_table({"row": rows, "column": columns}, counts)


def test_two_per_line_leaves_a_cell_determined_and_the_audit_catches_it() -> None:
    by_lines = complete_lines(bridge_table(), 5)
    assert by_lines.secondary == frozenset()  # the line rule adds nothing
    result = audit(by_lines)
    assert result.unprotected == (("r2", "c3"),)
    assert result.intervals[("r2", "c3")] == Interval(3, 3)
    assert result.intervals[("r1", "c1")] == Interval(0, 6)


def test_suppression_withholds_more_until_the_audit_passes() -> None:
    table = suppress(bridge_table(), 5)
    assert audit(table).passed
    assert table.secondary == {("r1", "c3")}  # closes a cycle through r2/c3
    assert audit(table).intervals[("r2", "c3")].high >= 5


def test_the_audit_reports_a_lone_withheld_cell_as_determined() -> None:
    table = cross_table({"school": ["a", "b"]}, {("a",): 3, ("b",): 30})
    result = audit(
        Table(table.counts, table.lines, table.dimensions, 5, primary=frozenset({("a",)}))
    )
    assert not result.passed
    assert result.intervals[("a",)] == Interval(3, 3)


def test_the_audit_reports_a_published_small_count_as_exposed() -> None:
    result = audit(Table(leavers_by_school().counts, leavers_by_school().lines, minimum=5))
    assert result.exposed == (("a",),)
    assert not result.passed


def test_a_withheld_total_leaves_its_parts_unbounded() -> None:
    table = cross_table({"school": ["a", "b"]}, {("a",): 3, ("b",): 30})
    marked = Table(
        table.counts,
        table.lines,
        minimum=5,
        primary=frozenset({("a",)}),
        secondary=frozenset({(T,)}),
    )
    assert audit(marked).intervals[("a",)] == Interval(0, float("inf"))


def test_the_minimum_comes_from_the_settings(settings: object) -> None:
    settings.LERNSTADT_DISCLOSURE_MIN_COUNT = 3  # type: ignore[attr-defined]
    table = suppress(cross_table({"school": ["a", "b", "c"]}, {("a",): 2, ("b",): 3, ("c",): 9}))
    assert table.minimum == 3
    assert table.primary == {("a",)}


def test_minimum_one_withholds_nothing() -> None:
    assert suppress(leavers_by_school(), 1).suppressed == frozenset()


def test_suppression_is_the_same_every_time() -> None:
    first, second = suppress(bridge_table(), 5), suppress(bridge_table(), 5)
    assert first.suppressed == second.suppressed


def test_a_category_called_total_is_refused() -> None:
    with pytest.raises(ValueError, match="total"):
        cross_table({"school": ["a", "total"]}, {})


# --- the gate for observations --------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    parent_id: int | None = None


@dataclass(frozen=True)
class Obs:
    area: Place
    breakdown: str = ""
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    confidential: bool = False
    indicator_id: int = 1
    period: int = 2024


CITY = Place(1, "05916000")


def share(area: Place, breakdown: str, numerator: int, denominator: int) -> Obs:
    return Obs(area, breakdown, 100 * numerator / denominator, numerator, denominator)


def test_a_rate_over_too_few_people_is_withheld_and_cannot_be_recomputed() -> None:
    observations = [
        share(CITY, "", 30, 100),
        share(CITY, "sex=f", 18, 50),
        share(CITY, "sex=m", 11, 48),
        share(CITY, "sex=d", 1, 2),
    ]
    verdicts = protect_observations(observations, 5)
    assert [v.reason for v in verdicts] == [
        Reason.SHOWN,
        Reason.SHOWN,
        Reason.COMPLEMENTARY,  # else d's numerator would be 30 - 18 - 11
        Reason.SMALL_DENOMINATOR,
    ]
    assert [v.symbol for v in verdicts] == ["", "", ".", "."]
    assert verdicts[0].value == 30.0 and verdicts[3].value is None
    assert (verdicts[1].area_code, verdicts[1].breakdown, verdicts[1].period) == (
        "05916000",
        "sex=f",
        2024,
    )


def test_a_share_is_withheld_when_few_people_lack_it() -> None:
    # 38 of 40 leavers of district d1 have the qualification: 2 have not
    d1, d2, d3 = Place(11, "d1", 1), Place(12, "d2", 1), Place(13, "d3", 1)
    observations = [
        share(CITY, "", 100, 150),
        share(d1, "", 38, 40),
        share(d2, "", 30, 50),
        share(d3, "", 32, 60),
    ]
    reasons = [v.reason for v in protect_observations(observations, 5)]
    assert reasons == [Reason.SHOWN, Reason.SMALL_COUNT, Reason.COMPLEMENTARY, Reason.SHOWN]


def test_districts_are_linked_to_the_city_through_their_ancestors() -> None:
    borough = 5  # no observation for the borough itself
    d1, d2, d3 = Place(11, "d1", borough), Place(12, "d2", borough), Place(13, "d3", borough)
    observations = [
        share(CITY, "", 53, 150),
        share(d1, "", 3, 40),
        share(d2, "", 20, 50),
        share(d3, "", 30, 60),
    ]
    alone = [v.reason for v in protect_observations(observations, 5)]
    assert alone == [Reason.SHOWN, Reason.SMALL_COUNT, Reason.SHOWN, Reason.SHOWN]
    linked = protect_observations(observations, 5, ancestors={11: 5, 12: 5, 13: 5, 5: 1})
    assert [v.reason for v in linked][1:3] == [Reason.SMALL_COUNT, Reason.COMPLEMENTARY]


def test_a_category_left_out_still_counts_as_a_small_group() -> None:
    # f and m given, 3 leavers of sex d are missing: their share follows from total, f and m
    observations = [
        share(CITY, "", 30, 100),
        share(CITY, "sex=f", 18, 50),
        share(CITY, "sex=m", 11, 47),
    ]
    reasons = [v.reason for v in protect_observations(observations, 5)]
    assert reasons[0] == Reason.SHOWN
    assert Reason.COMPLEMENTARY in reasons[1:]


def test_observations_without_counts_pass_unless_confidential() -> None:
    observations = [
        Obs(CITY, value=12.5),
        Obs(CITY, "sex=f", value=0.0),
        Obs(CITY, "sex=m", value=3.0, confidential=True),
        Obs(CITY, "sex=d"),
    ]
    verdicts = protect_observations(observations, 5)
    assert [(v.value, v.symbol, v.reason) for v in verdicts] == [
        (12.5, "", Reason.SHOWN),
        (0.0, "-", Reason.SHOWN),
        (None, ".", Reason.CONFIDENTIAL),
        (None, ".", Reason.NOT_AVAILABLE),
    ]


def test_parts_adding_up_to_more_than_their_total_are_all_withheld() -> None:
    observations = [
        share(CITY, "", 10, 100),
        share(CITY, "sex=f", 8, 50),
        share(CITY, "sex=m", 9, 50),
    ]
    assert {v.reason for v in protect_observations(observations, 5)} == {Reason.INCONSISTENT}


def test_counts_without_denominator_are_protected_as_counts() -> None:
    observations = [
        Obs(CITY, "", 40.0, 40),
        Obs(CITY, "sex=f", 2.0, 2),
        Obs(CITY, "sex=m", 30.0, 30),
        Obs(CITY, "sex=d", 8.0, 8),
    ]
    verdicts = protect_observations(observations, 5)
    # f (2) needs a partner of at least 3 in its line: d (8), the smallest that covers it
    assert [v.symbol for v in verdicts] == ["", ".", "", "."]
    assert verdicts[3].reason == Reason.COMPLEMENTARY


def test_verdicts_are_remembered_but_a_changed_count_is_judged_anew() -> None:
    table = [share(CITY, "", 30, 100), share(CITY, "sex=f", 18, 50), share(CITY, "sex=m", 12, 50)]
    first = protect_observations(table, 5)
    assert protect_observations(table, 5) == first
    assert all(v.is_shown for v in first)
    table[2] = share(CITY, "sex=m", 2, 50)  # now a small group: the same cells, other numbers
    table[0] = share(CITY, "", 20, 100)
    changed = protect_observations(table, 5)
    assert [v.symbol for v in changed] == ["", ".", "."]
