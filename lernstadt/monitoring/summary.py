"""What the monitoring says about one indicator in one area, computed in one place.

:func:`indicator_summary` gathers the published series, the latest value, the change
over 1, 5 and 10 years, the trend, the rank and median among the state's areas, the
structurally similar counties with their values, and the target with its status.
The ``show_indicator`` command, the JSON API, the pages and the yearly report all
call it, so they cannot disagree. Every value in it has passed the disclosure gate
(:func:`lernstadt.monitoring.publishing.publish`); a withheld value is ``None`` with
the symbol ``.``. The methods are explained in docs/monitoring.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lernstadt.monitoring import compute
from lernstadt.monitoring.comparison import (
    PeerGroup,
    peer_group,
    same_place,
    standing,
    with_value,
)
from lernstadt.monitoring.models import Area, Direction, Indicator, Observation, Target
from lernstadt.monitoring.publishing import publish


@dataclass(frozen=True)
class Point:
    """One period of the published series: the value, or ``None`` and why (``symbol``)."""

    period: int
    value: float | None
    symbol: str  # "." withheld or not available, "-" exactly zero, "" shown

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value, "symbol": self.symbol}


@dataclass(frozen=True)
class Latest:
    """The most recent published value."""

    period: int
    value: float

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value}


@dataclass(frozen=True)
class TargetStanding:
    """The target that counts now (the next one not yet past, else the last) and its status."""

    year: int
    value: float
    direction: str  # "at_least" or "at_most"
    status: compute.Status
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "value": self.value,
            "direction": self.direction,
            "status": str(self.status),
        }


@dataclass(frozen=True)
class PeerValue:
    """A structurally similar county with its published value in the latest period."""

    code: str
    name: str
    value: float | None  # None when it has no (published) value that period
    distance: float  # rounded to 4 decimals, as shown
    features: dict[str, float]  # the raw structural values the peer was chosen by

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "value": self.value,
            "distance": self.distance,
            "features": self.features,
        }


@dataclass(frozen=True)
class IndicatorSummary:
    """Everything the monitoring says about ``indicator`` in ``area``; see the module text."""

    indicator: Indicator
    area: Area
    series: list[Point]  # totals, oldest first
    latest: Latest | None
    changes: dict[int, float | None]  # years back -> change up to the latest value
    trend: compute.Trend | None
    rank: int | None  # among the state's areas of the same level; None for context
    of: int | None  # how many of them have a published value
    state_median: float | None
    target: TargetStanding | None
    peers: list[PeerValue]
    peer_year: int | None  # the year of the structural data the peers were chosen by

    def values(self) -> compute.Series:
        """The published series as the computations take it."""
        return {point.period: point.value for point in self.series}

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: the shape of ``show_indicator --json`` and of the API."""
        indicator, area = self.indicator, self.area
        return {
            "indicator": {
                "code": indicator.code,
                "name": indicator.name_de,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "decimals": indicator.decimals,
            },
            "area": {"code": area.code, "name": area.name, "level": area.level},
            "series": [point.to_dict() for point in self.series],
            "latest": self.latest.to_dict() if self.latest else None,
            # A difference of two published values, without the float's last-digit noise.
            "change": {
                str(years): None if value is None else round(value, 9)
                for years, value in self.changes.items()
            },
            "trend": trend_dict(self.trend),
            "rank": self.rank,
            "of": self.of,
            "state_median": self.state_median,
            "target": self.target.to_dict() if self.target else None,
            "peers": [peer.to_dict() for peer in self.peers],
            "peer_year": self.peer_year,
        }


def trend_dict(trend: compute.Trend | None) -> dict[str, Any] | None:
    """The trend as shown: slope per year, label, standard error and the years it spans."""
    if trend is None:
        return None
    return {
        "slope": trend.slope,
        "label": trend.label,
        "standard_error": trend.standard_error,
        "first": trend.first,
        "last": trend.last,
        "points": trend.points,
    }


def series(indicator: Indicator, area: Area) -> list[Point]:
    """The area's totals, oldest first, each through the disclosure gate."""
    observations = list(
        Observation.objects.filter(indicator=indicator, area=area, breakdown="")
        .select_related("area")
        .order_by("period")
    )
    return [Point(v.period, v.value, v.symbol) for v in publish(observations)]


class PeerLookup:
    """An area's peer group, found at most once however many indicators ask for it."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.found: tuple[PeerGroup | None] | None = None

    def group(self) -> PeerGroup | None:
        if self.found is None:
            county = self.area.level == Area.Level.COUNTY
            self.found = (peer_group(self.area) if county else None,)
        return self.found[0]


def peer_values(
    indicator: Indicator, area: Area, period: int | None, lookup: PeerLookup | None = None
) -> tuple[list[PeerValue], int | None]:
    """The peers of a county with their published values of ``indicator`` in ``period``.

    ``lookup`` carries the area's peer group over from an earlier call, if any.
    """
    lookup = lookup or PeerLookup(area)
    group = lookup.group() if period is not None else None
    if group is None or period is None:
        return [], None
    found = list(with_value(indicator, period, [peer.code for peer in group.peers]))
    values = {verdict.area_code: verdict.value for verdict in publish(found)}
    peers = [
        PeerValue(
            peer.code, peer.name, values.get(peer.code), round(peer.distance, 4), peer.features
        )
        for peer in group.peers
    ]
    return peers, group.year


def target_standing(
    indicator: Indicator, area: Area, values: compute.Series, latest: int | None
) -> TargetStanding | None:
    """The next target (the first not yet past, else the last) with its status."""
    # A target set for the city also holds for the county of the same name (and back).
    targets = list(
        Target.objects.filter(indicator=indicator, area__code__in=same_place(area.code)).order_by(
            "year"
        )
    )
    if not targets:
        return None
    ahead = [target for target in targets if latest is None or target.year >= latest]
    target = ahead[0] if ahead else targets[-1]
    status = compute.target_status(
        values,
        compute.Goalpost(target.year, target.value),
        "at_most" if target.direction == Target.Kind.AT_MOST else "at_least",
        absolute=indicator.direction == Direction.TOWARDS_ZERO,
    )
    return TargetStanding(target.year, target.value, target.direction, status, target.note)


def indicator_summary(
    indicator: Indicator, area: Area, *, until: int | None = None
) -> IndicatorSummary:
    """What the monitoring says about ``indicator`` in ``area``, every value published.

    ``area`` is where the indicator's data lives (see
    :func:`lernstadt.monitoring.comparison.resolve_area` for official keys). With
    ``until`` (a report year) later values are left out and everything is computed as
    it stood then.
    """
    return summarise(indicator, area, PeerLookup(area), until)


def indicator_summaries(
    indicators: Iterable[Indicator], area: Area, *, until: int | None = None
) -> list[IndicatorSummary]:
    """The summaries of several indicators for one area (a dashboard, a report chapter).

    The same as :func:`indicator_summary` for each, but the area's peer group, which
    does not depend on the indicator, is found once.
    """
    lookup = PeerLookup(area)
    return [summarise(indicator, area, lookup, until) for indicator in indicators]


def summarise(
    indicator: Indicator, area: Area, lookup: PeerLookup, until: int | None = None
) -> IndicatorSummary:
    points = series(indicator, area)
    if until is not None:
        points = [point for point in points if point.period <= until]
    values: compute.Series = {point.period: point.value for point in points}
    found = compute.latest(values)
    period = found[0] if found else None
    place = standing(indicator, period, area) if period is not None else None
    peers, peer_year = peer_values(indicator, area, period, lookup)
    return IndicatorSummary(
        indicator=indicator,
        area=area,
        series=points,
        latest=Latest(*found) if found else None,
        changes=compute.changes(values),
        trend=compute.trend(values),
        rank=place.rank if place else None,
        of=place.of if place else None,
        state_median=place.state_median if place else None,
        target=target_standing(indicator, area, values, period),
        peers=peers,
        peer_year=peer_year,
    )
