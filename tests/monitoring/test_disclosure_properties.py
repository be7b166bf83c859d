"""Disclosure control on many random tables (hypothesis): whatever the counts, it holds."""

from dataclasses import dataclass
from itertools import product
from math import prod

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lernstadt.monitoring.disclosure import (
    Cell,
    Line,
    Reason,
    Table,
    audit,
    cross_table,
    protect_observations,
    suppress,
)

# Many small counts and zeros: that is where disclosure happens.
COUNT = st.one_of(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6]), st.integers(0, 60))
MINIMUM = st.integers(1, 6)


def fast(examples: int) -> settings:
    """Enough examples to find trouble, few enough for the file to run in seconds."""
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


@st.composite
def tables(draw: st.DrawFn, sizes: st.SearchStrategy[list[int]]) -> Table:
    shape = draw(sizes)
    dimensions = {f"d{i}": [f"c{j}" for j in range(size)] for i, size in enumerate(shape)}
    counts = draw(st.lists(COUNT, min_size=prod(shape), max_size=prod(shape)))
    return cross_table(dimensions, dict(zip(product(*dimensions.values()), counts, strict=True)))


def assert_safe(original: Table, minimum: int) -> None:
    table = suppress(original, minimum)
    assert audit(table).passed
    published = table.published()
    assert published.keys() == original.counts.keys()
    for cell, count in published.items():
        assert count is None or count == original.counts[cell]
        assert count is None or not 0 < count < minimum
        assert table.symbol(cell) in {".", "-"} or int(table.symbol(cell)) == count
    for line in table.lines:
        shown = [published[cell] for cell in line.parts]
        if published[line.total] is not None and None not in shown:
            assert published[line.total] == sum(shown)  # type: ignore[arg-type]
        assert original.counts[line.total] == sum(original.counts[cell] for cell in line.parts)


@fast(120)
@given(tables(st.lists(st.integers(1, 9), min_size=1, max_size=1)), MINIMUM)
def test_one_way_tables_publish_only_safe_counts(table: Table, minimum: int) -> None:
    assert_safe(table, minimum)


@fast(80)
@given(tables(st.lists(st.integers(1, 5), min_size=2, max_size=2)), MINIMUM)
def test_two_way_tables_publish_only_safe_counts(table: Table, minimum: int) -> None:
    assert_safe(table, minimum)


@fast(30)
@given(tables(st.lists(st.integers(1, 3), min_size=3, max_size=3)), MINIMUM)
def test_three_way_tables_publish_only_safe_counts(table: Table, minimum: int) -> None:
    assert_safe(table, minimum)


@fast(20)
@given(tables(st.lists(st.integers(1, 4), min_size=2, max_size=2)), MINIMUM)
def test_suppression_is_deterministic(table: Table, minimum: int) -> None:
    assert suppress(table, minimum).suppressed == suppress(table, minimum).suppressed


# --- rates of districts by sex, as the leaver indicators have them ---------------------------


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    parent_id: int | None = None


@dataclass(frozen=True)
class Obs:
    area: Place
    breakdown: str
    numerator: int
    denominator: int
    value: float | None = None
    confidential: bool = False
    indicator_id: int = 1
    period: int = 2024


SEXES = ("f", "m", "d")
CITY = Place(1, "city")


@st.composite
def leaver_shares(draw: st.DrawFn) -> list[Obs]:
    """A city with 2 to 4 districts: shares for the city, by sex, by district, and maybe
    by sex within each district."""
    districts = [Place(10 + i, f"d{i}", CITY.id) for i in range(draw(st.integers(2, 4)))]
    people = {
        (district.code, sex): draw(st.tuples(COUNT, COUNT))
        for district in districts
        for sex in SEXES
    }

    def obs(area: Place, breakdown: str, cells: list[tuple[int, int]]) -> Obs:
        numerator, rest = sum(n for n, _ in cells), sum(r for _, r in cells)
        share = 100 * numerator / (numerator + rest) if numerator + rest else None
        return Obs(area, breakdown, numerator, numerator + rest, share)

    observations = [obs(CITY, "", list(people.values()))]
    for sex in SEXES:
        observations.append(obs(CITY, f"sex={sex}", [people[(d.code, sex)] for d in districts]))
    for district in districts:
        observations.append(obs(district, "", [people[(district.code, s)] for s in SEXES]))
    if draw(st.booleans()):
        for (code, sex), cell in people.items():
            district = next(d for d in districts if d.code == code)
            observations.append(obs(district, f"sex={sex}", [cell]))
    return observations


def attackers_table(observations: list[Obs], verdicts: list[Reason], minimum: int) -> Table:
    """What anyone can write down: denominators known, shown shares give their counts."""
    counts: dict[Cell, int] = {}
    lines: list[Line] = []
    for o in observations:
        key = (o.area.code, o.breakdown)
        counts |= {("n", *key): o.numerator, ("c", *key): o.denominator - o.numerator}
        counts[("d", *key)] = o.denominator
        lines.append(Line(("d", *key), (("n", *key), ("c", *key))))
    present = {(o.area.code, o.breakdown) for o in observations}
    districts = [o.area.code for o in observations if o.area.parent_id and not o.breakdown]
    for part in ("n", "c"):
        for area in ("city", *districts):
            if (area, "sex=f") in present:
                sexes = tuple((part, area, f"sex={s}") for s in SEXES)
                lines.append(Line((part, area, ""), sexes))
        for breakdown in ("", *(f"sex={s}" for s in SEXES)):
            if all((d, breakdown) in present for d in districts):
                places = tuple((part, d, breakdown) for d in districts)
                lines.append(Line((part, "city", breakdown), places))
    withheld = [  # an empty group's share is withheld too, but its counts are known: zero
        o
        for o, reason in zip(observations, verdicts, strict=True)
        if reason != Reason.SHOWN and o.denominator > 0
    ]
    cells = {(part, o.area.code, o.breakdown) for o in withheld for part in ("n", "c")}
    small_denominator = {cell for cell in cells if 0 < counts[("d", *cell[1:])] < minimum}
    return Table(
        counts=counts,
        lines=tuple(lines),
        minimum=minimum,
        primary=frozenset(c for c in cells - small_denominator if 0 < counts[c] < minimum),
        secondary=frozenset(
            c for c in cells - small_denominator if counts[c] == 0 or counts[c] >= minimum
        ),
        withheld=dict.fromkeys((c for c in small_denominator), Reason.SMALL_DENOMINATOR),
        hidden=frozenset(cell for cell in counts if cell[0] == "d"),
    )


@fast(40)
@given(leaver_shares(), st.integers(2, 6))
def test_shown_shares_reveal_no_small_group(observations: list[Obs], minimum: int) -> None:
    verdicts = protect_observations(observations, minimum)
    for o, verdict in zip(observations, verdicts, strict=True):
        if verdict.reason == Reason.SHOWN:
            assert o.denominator >= minimum
            assert not 0 < o.numerator < minimum
            assert not 0 < o.denominator - o.numerator < minimum
            assert verdict.value == o.value
        else:
            assert verdict.value is None and verdict.symbol == "."
    reasons = [verdict.reason for verdict in verdicts]
    assert audit(attackers_table(observations, reasons, minimum)).passed
