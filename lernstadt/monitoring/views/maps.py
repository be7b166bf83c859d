"""The map page: the state's counties in one year with a sortable table, else the city's places."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from lernstadt.cities.pack import current_city
from lernstadt.lib.links import query_url
from lernstadt.monitoring import charts, presenting
from lernstadt.monitoring.models import Area, Boundary, Direction, Indicator, Observation
from lernstadt.monitoring.views.blocks import (
    Choice,
    indicator_or_404,
    place_block,
    place_levels,
    published,
    svg,
)

SORTS = ("rang", "name", "wert")


@dataclass(frozen=True)
class MapRow:
    rank: int | None  # None when withheld, or for context indicators
    name: str
    code: str
    value: float | None
    cell: presenting.Cell
    highlight: bool


def ranks(values: Mapping[str, float | None], direction: str) -> dict[str, int]:
    """Rank 1 = best in the good direction; equal values share a rank ("1, 2, 2, 4")."""
    if direction == Direction.CONTEXT:
        return {}
    known = [(code, value) for code, value in values.items() if value is not None]
    found: dict[str, int] = {}
    for code, value in known:
        better = sum(1 for _, other in known if presenting.is_better(direction, other, value))
        found[code] = better + 1
    return found


def sorted_rows(rows: Sequence[MapRow], sort: str, descending: bool) -> list[MapRow]:
    """The table in the order the reader chose; areas without a value always come last."""
    if sort == "name":
        return sorted(rows, key=lambda row: row.name.casefold(), reverse=descending)
    if sort == "rang":
        ranked = [row for row in rows if row.rank is not None]
        rest = [row for row in rows if row.rank is None]
        ranked.sort(key=lambda row: (row.rank or 0, row.name), reverse=descending)
        return ranked + sorted(rest, key=lambda row: row.name)
    known = [row for row in rows if row.value is not None]
    known.sort(key=lambda row: row.value or 0.0, reverse=descending)
    return known + sorted((row for row in rows if row.value is None), key=lambda row: row.name)


def sort_links(request: HttpRequest, sort: str, descending: bool) -> dict[str, Choice]:
    """A link per column that sorts by it; on the current column it reverses the order."""
    return {
        name: Choice(
            name,
            query_url(
                request.path,
                request.GET,
                sortierung=name,
                folge="ab" if name == sort and not descending else None,
            )
            + "#tabelle",
            name == sort,
        )
        for name in SORTS
    }


def chosen_year(request: HttpRequest, periods: Sequence[int]) -> int | None:
    raw = request.GET.get("jahr", "")
    if raw.isdigit() and int(raw) in periods:
        return int(raw)
    return periods[-1] if periods else None


def county_map(request: HttpRequest, indicator: Indicator, home: str) -> dict[str, Any]:
    """The choropleth of the state's counties in one year, and its sortable table."""
    rows = Observation.objects.filter(
        indicator=indicator,
        breakdown="",
        area__level=Area.Level.COUNTY,
        area__code__startswith=home[:2],
    )
    periods = sorted(set(rows.values_list("period", flat=True).distinct().order_by()))
    year = chosen_year(request, periods)
    found = published(rows.filter(period=year or 0))
    values = {item.area_code: item.value for item in found}
    state = presenting.state_name(Area(code=home))
    name = presenting.indicator_name(indicator)
    title = gettext("%(indicator)s in den Kreisen von %(state)s, %(year)s") % {
        "indicator": name,
        "state": state,
        "year": year,
    }
    chart = charts.choropleth(
        values,
        Area.Level.COUNTY,
        title=title,
        unit=indicator.unit,
        source=presenting.source_text(indicator),
        highlight=home,
        decimals=indicator.decimals,
    )
    ranking = ranks(values, indicator.direction)
    table = [
        MapRow(
            ranking.get(item.area_code),
            item.area_name,
            item.area_code,
            item.value,
            presenting.cell(item.value, indicator.decimals, item.symbol),
            item.area_code == home,
        )
        for item in found
    ]
    sort = request.GET.get("sortierung", "")
    sort = sort if sort in SORTS else ("rang" if ranking else "name")
    descending = request.GET.get("folge") == "ab"
    return {
        "chart": svg(chart, "karte"),
        "title": title,
        "year": year,
        "periods": periods,
        "rows": sorted_rows(table, sort, descending),
        "sorts": sort_links(request, sort, descending),
        "ranked": bool(ranking),
        "descending": descending,
        "unit": charts.unit_label(indicator.unit),
        "state": state,
        "attributions": map_attributions(home[:2]),
    }


def map_attributions(state: str) -> list[str]:
    """Whose boundaries the county map draws (the BKG's licence requires naming them)."""
    found = (
        Boundary.objects.filter(area__level=Area.Level.COUNTY, area__code__startswith=state)
        .exclude(attribution="")
        .values_list("attribution", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(found)


@require_safe
def map_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = indicator_or_404(code)
    city = current_city()
    context: dict[str, Any] = {
        "indicator": indicator,
        "name": presenting.indicator_name(indicator),
        "indicator_url": reverse("monitoring:indicator", args=[code]),
    }
    counties = Observation.objects.filter(
        indicator=indicator,
        breakdown="",
        area__level=Area.Level.COUNTY,
        area__code__startswith=city.ags[:2],
    )
    home = Area.objects.filter(code=city.ags).first()
    levels = place_levels(indicator, home) if home else []
    if counties.exists():
        context |= county_map(request, indicator, city.ags[:5])
    elif home is not None and levels:
        wanted = request.GET.get("ebene", "")
        level = wanted if wanted in levels else levels[-1]
        context["levels"] = [
            Choice(
                presenting.dimension_label(found),
                query_url(request.path, QueryDict(), ebene=found),
                found == level,
            )
            for found in levels
        ]
        context["places"] = place_block(indicator, home, level)
    return render(request, "monitoring/map.html", context)
