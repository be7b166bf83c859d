"""Page blocks more than one page uses: look-ups, published values, charts with their tables.

Every value here has passed the disclosure gate (:func:`published`). Charts are SVG drawn
by :mod:`lernstadt.monitoring.charts`, each with the same data as a table beside it.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from lernstadt.cities.pack import current_city
from lernstadt.monitoring import access, charts, presenting, publishing
from lernstadt.monitoring.comparison import UnknownArea, resolve_area
from lernstadt.monitoring.models import Area, Indicator, Observation
from lernstadt.monitoring.presenting import Table
from lernstadt.monitoring.publishing import PublishedObservation

PLACE_LEVELS = (Area.Level.BOROUGH, Area.Level.DISTRICT)
# Tables of places show this many recent years; the downloads hold all of them.
PLACE_TABLE_YEARS = 10


# --- look-ups ------------------------------------------------------------------------------


def indicator_or_404(code: str) -> Indicator:
    try:
        return access.indicator(code)
    except access.UnknownIndicator as error:
        raise Http404(str(error)) from error


def home_area(indicator: Indicator) -> Area | None:
    """The city, or its county, wherever ``indicator``'s data lives; None without the pack."""
    try:
        return resolve_area(current_city().ags, indicator)
    except UnknownArea:
        return None


def area_or_404(indicator: Indicator, code: str) -> Area:
    """The area ``?gebiet=`` names (``05916000`` = ``05916``), else the city; Http404 if unknown."""
    if code:
        try:
            return resolve_area(code, indicator)
        except UnknownArea as error:
            raise Http404(str(error)) from error
    area = home_area(indicator)
    if area is None:
        raise Http404(gettext("Die Gebiete der Stadt sind noch nicht geladen."))
    return area


def published(rows: QuerySet[Observation]) -> list[PublishedObservation]:
    """Stored observations through the disclosure gate, in order."""
    return publishing.published_observations(list(rows.select_related("area")))


def series_by_area(found: Iterable[PublishedObservation]) -> dict[str, dict[int, float | None]]:
    by_area: dict[str, dict[int, float | None]] = defaultdict(dict)
    for item in found:
        by_area[item.area_code][item.period] = item.value
    return by_area


# --- charts, tables and switches -----------------------------------------------------------


SVG_ID = re.compile(r'\bid="([^"]+)"')


def svg(markup: str, scope: str) -> SafeString:
    """A chart's SVG for the page, its ids prefixed with ``scope`` (unique on the page).

    Two charts with the same content carry the same ids; a page must not.
    """
    for found in set(SVG_ID.findall(markup)):
        scoped = f"{scope}-{found}"
        markup = markup.replace(f'id="{found}"', f'id="{scoped}"')
        markup = markup.replace(f"#{found})", f"#{scoped})").replace(f'"#{found}"', f'"#{scoped}"')
    # Safe: charts.py draws the SVG itself from numbers and escaped labels, without scripts.
    return mark_safe(markup)  # noqa: S308


@dataclass(frozen=True)
class ChartBlock:
    """A chart and the same data as a table."""

    slug: str  # unique on the page, for ids
    title: str
    chart: SafeString
    table: Table


@dataclass(frozen=True)
class Choice:
    """A link in a switch (disaggregation, level, sort order)."""

    label: str
    url: str
    current: bool


def data_table(
    title: str, columns: Sequence[tuple[str, Mapping[int, float | None]]], indicator: Indicator
) -> Table:
    """The data of a time-series chart: one row per year, one column per line."""
    caption = gettext("Daten zum Diagramm: %(title)s (%(unit)s)") % {
        "title": title,
        "unit": charts.unit_label(indicator.unit),
    }
    return presenting.series_table(caption, columns, indicator.decimals)


def lines_block(
    slug: str,
    title: str,
    columns: Sequence[tuple[str, Mapping[int, float | None]]],
    indicator: Indicator,
) -> ChartBlock:
    """One line per column (the first as the area, the others to compare) and its table."""
    chart = charts.time_series(
        [
            charts.Line(label, sorted(values.items()), "area" if index == 0 else "compare")
            for index, (label, values) in enumerate(columns)
        ],
        title=title,
        unit=indicator.unit,
        source=presenting.source_text(indicator),
        decimals=indicator.decimals,
    )
    return ChartBlock(slug, title, svg(chart, slug), data_table(title, columns, indicator))


# --- places in the city, and maps ----------------------------------------------------------


def places_below(area: Area) -> Q:
    """Boroughs and districts of the city ``area`` (districts directly or via a borough)."""
    return Q(area__parent=area) | Q(area__parent__parent=area)


def place_levels(indicator: Indicator, area: Area) -> list[str]:
    """The levels below ``area`` (boroughs, districts) that have values of ``indicator``."""
    if area.level != Area.Level.MUNICIPALITY:
        return []
    found = set(
        Observation.objects.filter(places_below(area), indicator=indicator, breakdown="")
        .filter(area__level__in=PLACE_LEVELS)
        .values_list("area__level", flat=True)
        .distinct()
        .order_by()
    )
    return [level for level in PLACE_LEVELS if level in found]


def place_values(indicator: Indicator, area: Area, level: str) -> list[PublishedObservation]:
    rows = Observation.objects.filter(
        places_below(area), indicator=indicator, breakdown="", area__level=level
    ).order_by("period", "area__name")
    return published(rows)


def place_block(indicator: Indicator, area: Area, level: str) -> ChartBlock | None:
    """The boroughs' or districts' latest values as ranked bars; recent years as a table."""
    found = place_values(indicator, area, level)
    if not found:
        return None
    periods = sorted({item.period for item in found})
    shown = [item.period for item in found if item.value is not None]
    latest = max(shown) if shown else periods[-1]
    name = presenting.indicator_name(indicator)
    level_name = presenting.dimension_label(level)
    title = gettext("%(indicator)s nach %(level)s, %(year)s") % {
        "indicator": name,
        "level": level_name,
        "year": latest,
    }
    chart = charts.ranked_bars(
        [(item.area_name, item.value) for item in found if item.period == latest],
        title=title,
        unit=indicator.unit,
        source=presenting.source_text(indicator),
        decimals=indicator.decimals,
    )
    recent = periods[-PLACE_TABLE_YEARS:]
    values = {(item.area_name, item.period): item.value for item in found}
    rows = [
        presenting.Row(
            place,
            [presenting.cell(values.get((place, year)), indicator.decimals) for year in recent],
        )
        for place in sorted({item.area_name for item in found})
    ]
    caption = gettext("Daten zum Diagramm: %(title)s (%(unit)s)") % {
        "title": gettext("%(indicator)s nach %(level)s") % {"indicator": name, "level": level_name},
        "unit": charts.unit_label(indicator.unit),
    }
    table = Table(caption, level_name, [str(year) for year in recent], rows)
    return ChartBlock(f"orte-{level}", title, svg(chart, f"orte-{level}"), table)


def has_map(indicator: Indicator) -> bool:
    """Whether ``indicator`` has values for counties or for the city's boroughs or districts."""
    return Observation.objects.filter(
        indicator=indicator,
        breakdown="",
        area__level__in=[Area.Level.COUNTY, *PLACE_LEVELS],
    ).exists()
