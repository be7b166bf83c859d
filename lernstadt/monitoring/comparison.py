"""How an area compares: rank and median among the state's counties, and its peers.

Rank and median compare an area with the other areas of the same level in its
state (the state is the first two digits of the official key). Peers are the
counties anywhere in Germany most like it in structure, found by nearest
neighbours on standardised structural indicators. Every function reads the
database with a fixed, small number of queries, whatever the number of counties.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.db.models import Count, F, OrderBy, Q, QuerySet, Window
from django.db.models.functions import Abs, Rank, Substr

from lernstadt.monitoring import derive, publishing
from lernstadt.monitoring.models import Area, Direction, Indicator, Observation

# Structural indicators that describe a county's starting position, not its results:
# population (foreign nationals, age), labour market and economic strength.
# Only those with observations are used; all carry equal weight after standardising.
PEER_FEATURES = (
    "share_foreign",
    "unemployment_rate",
    "median_age",
    "share_65plus",
    "gdp_per_capita",
    "purchasing_power",
)
PEER_COUNT = 5
OFFICIAL_LEVELS = (Area.Level.STATE, Area.Level.COUNTY, Area.Level.MUNICIPALITY)


class UnknownArea(LookupError):
    """No area has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Unbekanntes Gebiet „{code}“.")
        self.code = code


def same_place(code: str) -> list[str]:
    """The codes that name the place ``code`` names, ``code`` first.

    A kreisfreie Stadt is a county and a municipality at once: its 8-digit
    municipality key is the 5-digit county key followed by ``000``.
    """
    if len(code) == 8 and code.isdigit() and code.endswith("000"):
        return [code, code[:5]]
    if len(code) == 5 and code.isdigit():
        return [code, code + "000"]
    return [code]


def resolve_area(code: str, indicator: Indicator) -> Area:
    """The area ``code`` names, at the level where ``indicator``'s observations live.

    ``05916000`` and ``05916`` both give the county Herne for INKAR indicators
    and the municipality Herne for municipal ones. Raises :class:`UnknownArea`.
    """
    candidates = {area.code: area for area in Area.objects.filter(code__in=same_place(code))}
    if not candidates:
        raise UnknownArea(code)
    observed = set(
        Observation.objects.filter(indicator=indicator, area__code__in=candidates)
        .values_list("area__code", flat=True)
        .distinct()
    )

    def preference(area: Area) -> tuple[bool, bool, bool]:
        return (area.code in observed, area.level == indicator.level, area.code == code)

    return max(candidates.values(), key=preference)


def comparable(indicator: Indicator, period: int, level: str) -> QuerySet[Observation]:
    """The published totals of ``indicator`` in ``period`` for official areas of ``level``."""
    return Observation.objects.filter(
        indicator=indicator,
        period=period,
        breakdown="",
        area__level=level,
        value__isnull=False,
        confidential=False,
    )


def published_only(indicator: Indicator, rows: QuerySet[Observation]) -> QuerySet[Observation]:
    """``rows`` without the values the disclosure gate withholds.

    Values without counts (INKAR, census) are published as they are; only when
    counts (or gaps between counted shares) are involved must the gate judge
    them, or a rank or median could give a withheld value away.
    """
    if indicator.code not in derive.GAPS and not rows.filter(numerator__isnull=False).exists():
        return rows
    candidates = list(rows.select_related("area"))
    withheld = [
        observation.pk
        for observation, verdict in zip(candidates, publishing.publish(candidates), strict=True)
        if not verdict.is_shown
    ]
    return rows.exclude(pk__in=withheld)


def best_first(direction: str) -> OrderBy | None:
    """The ordering that puts the best value first; ``None`` for context indicators."""
    if direction == Direction.UP:
        return F("value").desc()
    if direction == Direction.DOWN:
        return F("value").asc()
    if direction == Direction.TOWARDS_ZERO:
        return Abs("value").asc()
    return None


@dataclass(frozen=True)
class Standing:
    """An area's place among the areas of its level in its state in one period."""

    code: str
    value: float
    rank: int | None  # None for context indicators
    of: int
    state_median: float


def standings(
    indicator: Indicator, period: int, *, level: str = Area.Level.COUNTY, state: str = ""
) -> dict[str, Standing]:
    """Rank, count and median within the state for every area of ``level`` (one query).

    Rank 1 is best in the indicator's good direction; equal values share a rank
    and the next rank is skipped ("1, 2, 2, 4"). ``of`` counts the areas of the
    state with a value. ``state`` limits the result to one state.
    """
    state_key = Substr("area__code", 1, 2)
    rows = comparable(indicator, period, level)
    if state:
        rows = rows.filter(area__code__startswith=state)
    rows = published_only(indicator, rows).annotate(
        state=state_key, of=Window(Count("id"), partition_by=[state_key])
    )
    order = best_first(indicator.direction)
    if order is not None:
        rows = rows.annotate(rank=Window(Rank(), partition_by=[state_key], order_by=order))
    fields = ["area__code", "state", "value", "of"] + (["rank"] if order is not None else [])
    found = list(rows.values(*fields))
    by_state: dict[str, list[float]] = defaultdict(list)
    for row in found:
        by_state[row["state"]].append(row["value"])
    medians = {key: statistics.median(values) for key, values in by_state.items()}
    return {
        row["area__code"]: Standing(
            row["area__code"], row["value"], row.get("rank"), row["of"], medians[row["state"]]
        )
        for row in found
    }


def standing(indicator: Indicator, period: int, area: Area) -> Standing | None:
    """``area``'s standing in its state, or ``None`` when it has no comparable value."""
    if area.level not in OFFICIAL_LEVELS:
        return None
    return standings(indicator, period, level=area.level, state=area.code[:2]).get(area.code)


def rank_among(indicator: Indicator, period: int, area: Area) -> tuple[int, int] | None:
    """``(rank, of)`` of ``area`` among its state's areas of the same level."""
    found = standing(indicator, period, area)
    if found is None or found.rank is None:
        return None
    return found.rank, found.of


def state_median(indicator: Indicator, period: int, area: Area) -> float | None:
    """The median of the values of the areas of ``area``'s level in its state."""
    found = standing(indicator, period, area)
    return found.state_median if found else None


@dataclass(frozen=True)
class Peer:
    """A structurally similar county, with what makes it similar."""

    code: str
    name: str
    distance: float  # Euclidean distance of the standardised features
    features: dict[str, float]  # the raw feature values


@dataclass(frozen=True)
class PeerGroup:
    """The peers of an area, with the year and features they were chosen by."""

    code: str
    year: int
    features: dict[str, float]  # the area's own raw feature values
    peers: list[Peer]


def peer_features() -> list[str]:
    """The structural indicators in :data:`PEER_FEATURES` that have observations."""
    present = set(
        Indicator.objects.filter(code__in=PEER_FEATURES, observations__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    return [code for code in PEER_FEATURES if code in present]


def feature_years(areas: Iterable[Area], features: list[str]) -> dict[str, int]:
    """For each area, the latest year in which it has a value for every feature."""
    rows = (
        Observation.objects.filter(
            area__in=list(areas),
            indicator__code__in=features,
            breakdown="",
            value__isnull=False,
        )
        .values("area__code", "period")
        .annotate(count=Count("indicator", distinct=True))
        .filter(count=len(features))
    )
    years: dict[str, int] = {}
    for row in rows:
        code = row["area__code"]
        years[code] = max(years.get(code, 0), row["period"])
    return years


@dataclass(frozen=True)
class FeatureTable:
    """The counties with every feature in one year: names, raw values, z-scores."""

    names: dict[str, str]
    raw: dict[str, dict[str, float]]
    scores: dict[str, list[float]]


def feature_table(year: int, features: list[str]) -> FeatureTable:
    """Every county's features in ``year``, z-standardised over the complete counties.

    A z-score is (value - mean) / standard deviation over all counties with every
    feature that year; a feature that does not vary is left out.
    """
    rows = Observation.objects.filter(
        indicator__code__in=features,
        period=year,
        breakdown="",
        area__level=Area.Level.COUNTY,
        value__isnull=False,
    ).values_list("area__code", "area__name", "indicator__code", "value")
    names: dict[str, str] = {}
    raw: dict[str, dict[str, float]] = defaultdict(dict)
    for code, name, feature, value in rows:
        names[code] = name
        raw[code][feature] = cast(float, value)  # the query excludes missing values
    complete = {
        code: {feature: found[feature] for feature in features}
        for code, found in raw.items()
        if len(found) == len(features)
    }
    columns = []
    for feature in features:
        column = [found[feature] for found in complete.values()]
        spread = statistics.pstdev(column) if column else 0.0
        if spread > 0:
            columns.append((feature, statistics.fmean(column), spread))
    scores = {
        code: [(found[feature] - mean) / spread for feature, mean, spread in columns]
        for code, found in complete.items()
    }
    return FeatureTable(names, dict(complete), scores)


def nearest(code: str, table: FeatureTable, k: int) -> list[Peer]:
    """The ``k`` counties closest to ``code`` in ``table`` (ties: lower code first)."""
    own = table.scores[code]
    distances = sorted(
        (math.dist(own, scores), other) for other, scores in table.scores.items() if other != code
    )
    return [
        Peer(other, table.names[other], distance, table.raw[other])
        for distance, other in distances[:k]
    ]


def peer_groups(areas: Iterable[Area], k: int = PEER_COUNT) -> dict[str, PeerGroup]:
    """The peer groups of several counties at once: one table per feature year.

    Peers are the ``k`` counties with the smallest Euclidean distance between
    their z-standardised structural indicators and the area's, taken in the
    latest year in which the area has all of them. Counties without a complete
    set of features that year cannot be peers; areas without one get no group.
    """
    features = peer_features()
    if not features:
        return {}
    years = feature_years(areas, features)
    tables = {year: feature_table(year, features) for year in set(years.values())}
    groups = {}
    for code, year in years.items():
        table = tables[year]
        if code in table.scores:
            groups[code] = PeerGroup(code, year, table.raw[code], nearest(code, table, k))
    return groups


def peer_group(area: Area, k: int = PEER_COUNT) -> PeerGroup | None:
    """The peer group of one county, or ``None`` when it lacks the structural indicators."""
    return peer_groups([area], k).get(area.code)


def peers(area: Area, k: int = PEER_COUNT) -> list[Peer]:
    """The ``k`` structurally most similar counties in Germany, nearest first."""
    group = peer_group(area, k)
    return group.peers if group else []


def with_value(indicator: Indicator, period: int, codes: Iterable[str]) -> QuerySet[Observation]:
    """The totals of ``indicator`` in ``period`` for the areas ``codes`` (peers' values)."""
    return Observation.objects.filter(
        Q(area__code__in=list(codes)), indicator=indicator, period=period, breakdown=""
    ).select_related("area", "indicator")
