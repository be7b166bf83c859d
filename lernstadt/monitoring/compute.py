"""What the monitoring computes from numbers: pure functions, no database.

A *series* maps a period (year) to a value; ``None`` or a missing key both mean
"no value that year". Every function here can be checked by hand; the methods
are explained for the education office in docs/monitoring.md.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal, NamedTuple

Series = Mapping[int, float | None]

# The trend looks at the last values only: long enough to see a direction,
# short enough that a change of course a decade ago does not hide today's.
TREND_WINDOW = 10
TREND_MIN_POINTS = 3
# "Rising" or "falling" needs a slope at least this many standard errors from zero
# (about 95 % confidence); otherwise the ups and downs are too large to tell.
TREND_CLEAR = 2.0


def share(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``; ``None`` when either is missing or ``whole`` is 0."""
    if part is None or not whole:
        return None
    return 100.0 * part / whole


def gap_pp(first: float | None, second: float | None) -> float | None:
    """The gap in percentage points between two shares: ``first - second``.

    The order is the indicator's: female minus male, German minus foreign.
    """
    if first is None or second is None:
        return None
    return first - second


def parity_ratio(first: float | None, second: float | None) -> float | None:
    """``first / second`` (1 = parity); ``None`` when either is missing or ``second`` is 0."""
    if first is None or not second:
        return None
    return first / second


def values(series: Series) -> list[tuple[int, float]]:
    """The periods that have a value, oldest first."""
    return sorted((period, value) for period, value in series.items() if value is not None)


def latest(series: Series) -> tuple[int, float] | None:
    """The most recent period with a value and that value."""
    known = values(series)
    return known[-1] if known else None


def change(series: Series, years: int, *, at: int | None = None) -> float | None:
    """The change over ``years``: value at ``at`` minus value ``years`` earlier.

    ``at`` defaults to the latest period with a value. ``None`` when either
    year has no value: a change is never bridged over a gap.
    """
    if at is None:
        found = latest(series)
        if found is None:
            return None
        at = found[0]
    now, before = series.get(at), series.get(at - years)
    if now is None or before is None:
        return None
    return now - before


def changes(series: Series) -> dict[int, float | None]:
    """The change over 1, 5 and 10 years up to the latest value."""
    return {years: change(series, years) for years in (1, 5, 10)}


TrendLabel = Literal["rising", "falling", "stable"]


@dataclass(frozen=True)
class Trend:
    """The least-squares line through the last values of a series.

    ``slope`` is the change per year; ``label`` says whether it is clearly
    rising or falling or ``stable`` (not distinguishable from no change).
    """

    slope: float
    intercept: float
    standard_error: float
    points: int
    first: int
    last: int
    label: TrendLabel

    def at(self, period: float) -> float:
        """The line's value in ``period``."""
        return self.intercept + self.slope * period


def trend(series: Series, *, window: int = TREND_WINDOW) -> Trend | None:
    """The least-squares slope per year over the last up to ``window`` values.

    ``None`` with fewer than three values. The label is ``rising`` or
    ``falling`` when the slope is at least twice its standard error away from
    zero, else ``stable``.
    """
    points = values(series)[-window:]
    count = len(points)
    if count < TREND_MIN_POINTS:
        return None
    mean_x = sum(x for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residuals = sum((y - intercept - slope * x) ** 2 for x, y in points)
    standard_error = math.sqrt(residuals / (count - 2) / sxx)
    label: TrendLabel = "stable"
    if abs(slope) > 0 and abs(slope) >= TREND_CLEAR * standard_error:
        label = "rising" if slope > 0 else "falling"
    return Trend(slope, intercept, standard_error, count, points[0][0], points[-1][0], label)


class Status(StrEnum):
    """Where an indicator stands against its target."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_TARGET = "no_target"


TargetDirection = Literal["at_least", "at_most"]


@dataclass(frozen=True)
class Goalpost:
    """A target as plain numbers: reach ``value`` by ``year``."""

    year: int
    value: float


def meets(value: float, goalpost: Goalpost, direction: TargetDirection) -> bool:
    """Whether ``value`` satisfies the target (``at_least``: ≥, ``at_most``: ≤)."""
    return value >= goalpost.value if direction == "at_least" else value <= goalpost.value


def projection(series: Series, year: int) -> float | None:
    """The latest value carried forward to ``year`` along the trend's slope."""
    found, line = latest(series), trend(series)
    if found is None or line is None:
        return None
    period, value = found
    return value + line.slope * (year - period)


def target_status(
    series: Series,
    target: Goalpost | None,
    direction: TargetDirection,
    *,
    absolute: bool = False,
) -> Status:
    """Where the series stands against ``target``.

    - ``no_target``: there is no target.
    - ``achieved``: the latest value already meets it.
    - ``on_track``: the target year is still ahead and the latest value, carried
      forward along the trend's slope to the target year, meets it.
    - ``off_track``: everything else: the projection misses it, the target year
      has passed, or there are too few values for a trend (fewer than three).

    With ``absolute`` (indicators whose good direction is towards zero, such as
    gaps) the distance from zero is compared: ``at_most 2`` means within ±2.
    """
    if target is None:
        return Status.NO_TARGET
    if absolute:
        series = {period: abs(value) for period, value in values(series)}
    found = latest(series)
    if found is None:
        return Status.OFF_TRACK
    period, value = found
    if meets(value, target, direction):
        return Status.ACHIEVED
    if period >= target.year:
        return Status.OFF_TRACK
    projected = projection(series, target.year)
    if projected is not None and meets(projected, target, direction):
        return Status.ON_TRACK
    return Status.OFF_TRACK


class Counts(NamedTuple):
    """A rate's counts: how many have the feature (numerator) out of how many (denominator)."""

    numerator: float
    denominator: float


def pool(counts: Mapping[int, Counts | None], end: int, years: int) -> Counts | None:
    """The counts of ``years`` periods ending with ``end``, summed.

    Small areas pool several years so that a rate rests on enough people.
    ``None`` when any of the years has no counts: a pooled rate always covers
    the same number of years.
    """
    window = [counts.get(period) for period in range(end - years + 1, end + 1)]
    if any(cell is None for cell in window):
        return None
    present = [cell for cell in window if cell is not None]
    return Counts(
        sum(cell.numerator for cell in present), sum(cell.denominator for cell in present)
    )


def pooled_shares(counts: Mapping[int, Counts | None], years: int) -> dict[int, float | None]:
    """For every period with counts, the share pooled over it and the ``years - 1`` before."""
    pooled: dict[int, float | None] = {}
    for end in sorted(period for period, cell in counts.items() if cell is not None):
        cell = pool(counts, end, years)
        pooled[end] = share(cell.numerator, cell.denominator) if cell else None
    return pooled


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded to ``decimals`` places half up, as official statistics round
    (20.25 -> 20.3; Python's round() gives 20.2 for the float 20.25)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
