"""The comparison page: one indicator over time in the counties the reader chooses."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from lernstadt.cities.pack import current_city
from lernstadt.monitoring import presenting
from lernstadt.monitoring.comparison import UnknownArea, peer_group, resolve_area
from lernstadt.monitoring.models import Area, Indicator, Observation
from lernstadt.monitoring.views.blocks import (
    ChartBlock,
    indicator_or_404,
    lines_block,
    published,
    series_by_area,
)

# More lines than this cannot be told apart in black and white.
MAX_COMPARED = 8


def comparable_indicators() -> tuple[list[Indicator], list[Indicator]]:
    """Indicators with values for counties: those of the goals first, then the others, by name."""
    with_counties = Observation.objects.filter(area__level=Area.Level.COUNTY).values("indicator")
    found = Indicator.objects.filter(id__in=with_counties).prefetch_related("goals")
    by_name = sorted(found, key=lambda indicator: presenting.indicator_name(indicator).casefold())
    of_goals = [indicator for indicator in by_name if indicator.goals.all()]
    return of_goals, [indicator for indicator in by_name if not indicator.goals.all()]


def requested_codes(params: QueryDict) -> list[str]:
    """``gebiete=05916,05913`` and ``gebiete=05916&gebiete=05913`` alike, in order, once each."""
    codes: list[str] = []
    for raw in params.getlist("gebiete"):
        for part in raw.split(","):
            code = part.strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def chosen_areas(indicator: Indicator, codes: Sequence[str]) -> tuple[list[Area], list[str]]:
    """The areas ``codes`` name (each once), and the codes nobody knows."""
    areas: list[Area] = []
    unknown: list[str] = []
    for code in codes:
        try:
            found = resolve_area(code, indicator)
        except UnknownArea:
            unknown.append(code)
            continue
        if found not in areas:
            areas.append(found)
    return areas, unknown


@dataclass(frozen=True)
class AreaOption:
    code: str
    name: str
    checked: bool


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    of_goals, others = comparable_indicators()
    code = request.GET.get("indikator", "").strip()
    if code:
        indicator = indicator_or_404(code)
    elif of_goals or others:
        indicator = [*of_goals, *others][0]
    else:
        return render(request, "monitoring/compare.html", {"groups": []})
    home = current_city().ags[:5]
    county = Area.objects.filter(code=home, level=Area.Level.COUNTY).first()
    group = peer_group(county) if county is not None else None
    peers = group.peers if group else []
    codes = requested_codes(request.GET) or [home, *[peer.code for peer in peers]]
    areas, unknown = chosen_areas(indicator, codes)
    areas.sort(key=lambda area: area.code != home)  # the city first: it gets the solid line
    chosen = {area.code for area in areas[:MAX_COMPARED]}
    peer_codes = {peer.code for peer in peers}
    counties = Area.objects.filter(level=Area.Level.COUNTY, code__startswith=home[:2])
    context: dict[str, Any] = {
        "groups": [
            (label, [(found.code, presenting.indicator_name(found)) for found in group])
            for label, group in (
                (gettext("Kennzahlen der Ziele"), of_goals),
                (gettext("Weitere Kreisdaten"), others),
            )
            if group
        ],
        "indicator": indicator,
        "name": presenting.indicator_name(indicator),
        "peer_options": [AreaOption(peer.code, peer.name, peer.code in chosen) for peer in peers],
        "state_options": [
            AreaOption(found.code, found.name, found.code in chosen)
            for found in counties.order_by("name")
            if found.code not in peer_codes
        ],
        "state": presenting.state_name(Area(code=home)),
        "unknown": unknown,
        "too_many": len(areas) > MAX_COMPARED,
        "max_compared": MAX_COMPARED,
        "result": compare_block(indicator, areas[:MAX_COMPARED]) if areas else None,
        "indicator_url": reverse("monitoring:indicator", args=[indicator.code]),
    }
    return render(request, "monitoring/compare.html", context)


def compare_block(indicator: Indicator, areas: Sequence[Area]) -> ChartBlock:
    """One line per area over time (told apart by dash and marker, not colour alone)."""
    rows = Observation.objects.filter(
        indicator=indicator, breakdown="", area__in=list(areas)
    ).order_by("period")
    found = series_by_area(published(rows))
    columns: list[tuple[str, Mapping[int, float | None]]] = [
        (area.name, found.get(area.code, {})) for area in areas
    ]
    title = gettext("%(indicator)s im Vergleich") % {
        "indicator": presenting.indicator_name(indicator)
    }
    return lines_block("vergleich", title, columns, indicator)
