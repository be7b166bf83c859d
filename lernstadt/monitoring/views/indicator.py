"""The indicator page: its chart, area and breakdown switches, gap chart, facts, downloads."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from lernstadt.cities.pack import current_city
from lernstadt.lib.links import query_url
from lernstadt.monitoring import charts, presenting, publishing
from lernstadt.monitoring.derive import GAPS, Gap
from lernstadt.monitoring.models import (
    Area,
    ImportRun,
    Indicator,
    Observation,
    breakdown_dict,
    breakdown_key,
)
from lernstadt.monitoring.presenting import Card
from lernstadt.monitoring.summary import IndicatorSummary, indicator_summary
from lernstadt.monitoring.views.blocks import (
    PLACE_LEVELS,
    ChartBlock,
    Choice,
    area_or_404,
    data_table,
    has_map,
    indicator_or_404,
    lines_block,
    place_block,
    place_levels,
    published,
    series_by_area,
    svg,
)


def state_medians(indicator: Indicator, area: Area) -> dict[int, float]:
    """The median of the state's areas of ``area``'s level, per period (published values)."""
    if area.level not in (Area.Level.COUNTY, Area.Level.MUNICIPALITY):
        return {}
    rows = Observation.objects.filter(
        indicator=indicator,
        breakdown="",
        area__level=area.level,
        area__code__startswith=area.code[:2],
    )
    return presenting.median_by_period([(item.period, item.value) for item in published(rows)])


def main_chart(summary: IndicatorSummary, state: str) -> ChartBlock:
    """The area's series with the state median, the peers and the target."""
    indicator, area = summary.indicator, summary.area
    own = {point.period: point.value for point in summary.series}
    columns: list[tuple[str, Mapping[int, float | None]]] = [(area.name, own)]
    lines = [charts.Line(area.name, sorted(own.items()), "area")]
    medians = state_medians(indicator, area)
    if medians:
        label = gettext("Median %(state)s") % {"state": state}
        columns.append((label, medians))
        lines.append(charts.Line(label, sorted(medians.items()), "state"))
    peer_codes = [peer.code for peer in summary.peers]
    if peer_codes:
        rows = Observation.objects.filter(
            indicator=indicator, breakdown="", area__code__in=peer_codes
        ).order_by("period")
        found = series_by_area(published(rows))
        # One legend entry for all peers; the table names each of them.
        label = gettext("Strukturähnliche Kreise")
        for peer in summary.peers:
            values = found.get(peer.code, {})
            columns.append((peer.name, values))
            lines.append(charts.Line(label, sorted(values.items()), "peers"))
    name = presenting.indicator_name(indicator)
    title = gettext("%(indicator)s in %(area)s") % {"indicator": name, "area": area.name}
    chart = charts.time_series(
        lines,
        title=title,
        unit=indicator.unit,
        source=presenting.source_text(indicator),
        target=summary.target,
        decimals=indicator.decimals,
    )
    return ChartBlock(
        "verlauf", title, svg(chart, "verlauf"), data_table(title, columns, indicator)
    )


def dimensions_at(indicator: Indicator, area: Area) -> list[str]:
    """The single dimensions ``indicator`` is broken down by in ``area``."""
    keys = (
        Observation.objects.filter(indicator=indicator, area=area)
        .exclude(breakdown="")
        .values_list("breakdown", flat=True)
        .distinct()
        .order_by()
    )
    single = [breakdown_dict(key) for key in keys]
    found = {name for dimensions in single if len(dimensions) == 1 for name in dimensions}
    known = publishing.dimensions(indicator)
    return [name for name in known if name in found]


def breakdown_block(indicator: Indicator, area: Area, dimension: str) -> ChartBlock:
    """One line per category of ``dimension`` (and the total), with its table."""
    keys = publishing.breakdowns_by(indicator, [dimension])
    rows = Observation.objects.filter(
        indicator=indicator, area=area, breakdown__in=["", *keys]
    ).order_by("period", "breakdown")
    by_key: dict[str, dict[int, float | None]] = defaultdict(dict)
    for item in published(rows):
        by_key[breakdown_key(item.breakdown)][item.period] = item.value
    columns: list[tuple[str, Mapping[int, float | None]]] = [
        (presenting.total_label(), by_key.get("", {}))
    ]
    columns += [
        (presenting.category_label(dimension, category), by_key[key])
        for key in sorted(keys)
        for category in breakdown_dict(key).values()
        if key in by_key
    ]
    name = presenting.indicator_name(indicator)
    title = gettext("%(indicator)s nach %(dimension)s") % {
        "indicator": name,
        "dimension": presenting.dimension_label(dimension),
    }
    return lines_block("aufgliederung", title, columns, indicator)


def gap_of(indicator: Indicator, dimension: str = "") -> tuple[str, Gap] | None:
    """The fairness gap ``indicator`` is (a gap indicator) or has along ``dimension``."""
    if indicator.code in GAPS:
        return indicator.code, GAPS[indicator.code]
    for code, gap in GAPS.items():
        if gap.share == indicator.code and gap.dimension == dimension:
            return code, gap
    return None


def gap_block(indicator: Indicator, area: Area, dimension: str = "") -> ChartBlock | None:
    """The two groups' shares and the published gap between them, over time."""
    found = gap_of(indicator, dimension)
    if found is None:
        return None
    gap_code, gap = found
    by_code = Indicator.objects.in_bulk([gap.share, gap_code], field_name="code")
    share, gap_indicator = by_code.get(gap.share), by_code.get(gap_code)
    if share is None or gap_indicator is None:
        return None
    first_key, second_key = gap.breakdowns()
    rows = Observation.objects.filter(
        Q(indicator=share, breakdown__in=[first_key, second_key])
        | Q(indicator=gap_indicator, breakdown=""),
        area=area,
    ).order_by("period")
    observations = list(rows.select_related("area"))
    series: dict[tuple[str, str], dict[int, float | None]] = defaultdict(dict)
    for observation, verdict in zip(observations, publishing.publish(observations), strict=True):
        kind = "gap" if observation.indicator_id == gap_indicator.pk else "share"
        series[kind, observation.breakdown][observation.period] = verdict.value
    first, second = series["share", first_key], series["share", second_key]
    gaps = series["gap", ""]
    if not (first or second or gaps):
        return None
    first_label = presenting.category_label(gap.dimension, gap.first)
    second_label = presenting.category_label(gap.dimension, gap.second)
    title = presenting.indicator_name(gap_indicator)
    chart = charts.gap_chart(
        charts.Line(first_label, sorted(first.items())),
        charts.Line(second_label, sorted(second.items())),
        gap=sorted(gaps.items()),
        title=title,
        unit=share.unit,
        source=presenting.source_text(share),
        decimals=share.decimals,
    )
    columns = [
        (first_label, first),
        (second_label, second),
        (gettext("Abstand (Prozentpunkte)"), gaps),
    ]
    return ChartBlock("abstand", title, svg(chart, "abstand"), data_table(title, columns, share))


def area_choices(indicator: Indicator, area: Area) -> list[tuple[str, list[Area]]]:
    """Areas with values of ``indicator`` to switch to, by level: the state's and the city's."""
    state = area.code[:2] if area.code[:2].isdigit() else current_city().ags[:2]
    ids = (
        Observation.objects.filter(indicator=indicator, breakdown="")
        .filter(Q(area__code__startswith=state) | Q(area__level__in=PLACE_LEVELS))
        .values_list("area_id", flat=True)
        .distinct()
        .order_by()
    )
    grouped: dict[str, list[Area]] = defaultdict(list)
    for found in Area.objects.filter(id__in=list(ids)).order_by("name", "code"):
        grouped[found.level].append(found)
    return [
        (str(Area.Level(level).label), grouped[level])
        for level in Area.Level.values
        if grouped.get(level)
    ]


def disaggregation_choices(
    request: HttpRequest, dimensions: Sequence[str], levels: Sequence[str], current: str
) -> list[Choice]:
    path = request.path
    choices = [
        Choice(presenting.total_label(), query_url(path, request.GET, nach=None), not current)
    ]
    for name in [*dimensions, *levels]:
        choices.append(
            Choice(
                presenting.dimension_label(name),
                query_url(path, request.GET, nach=name) + "#aufgliederung",
                name == current,
            )
        )
    return choices


def latest_import(indicator: Indicator) -> ImportRun | None:
    """The most recent import that wrote values of ``indicator``."""
    return (
        ImportRun.objects.filter(observation__indicator=indicator, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


@dataclass(frozen=True)
class Facts:
    """Definition, source, vintage and method of an indicator, as the page lists them."""

    definition: str
    numerator: str
    denominator: str
    unit: str
    direction: str
    source: str
    licence: str
    update_cycle: str
    level: str
    latest_period: int | None
    first_period: int | None
    imported: ImportRun | None
    open_sdg_id: str


def facts(indicator: Indicator, card: Card) -> Facts:
    return Facts(
        definition=presenting.indicator_definition(indicator),
        numerator=indicator.numerator,
        denominator=indicator.denominator,
        unit=charts.unit_label(indicator.unit),
        direction=card.direction,
        source=presenting.source_text(indicator),
        licence=indicator.licence,
        update_cycle=presenting.update_cycle(indicator.update_cycle),
        level=str(Area.Level(indicator.level).label) if indicator.level else "",
        latest_period=card.latest_period,
        first_period=card.first_period,
        imported=latest_import(indicator),
        open_sdg_id=indicator.open_sdg_id,
    )


def downloads(indicator: Indicator, area: Area) -> dict[str, str]:
    code = indicator.code
    return {
        "csv": reverse("monitoring:indicator_csv", args=[code]),
        "dictionary": reverse("monitoring:indicator_dictionary", args=[code]),
        "json": reverse("api:observation_list", args=[code]),
        "summary": reverse("api:indicator_area", args=[code, area.code]),
    }


@require_safe
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = indicator_or_404(code)
    area = area_or_404(indicator, request.GET.get("gebiet", "").strip())
    summary = indicator_summary(indicator, area)
    found = presenting.card(summary)
    state = presenting.state_name(area) if area.code[:2].isdigit() else ""
    dimensions = dimensions_at(indicator, area)
    levels = place_levels(indicator, area)
    wanted = request.GET.get("nach", "")
    current = wanted if wanted in (*dimensions, *levels) else ""
    detail: ChartBlock | None = None
    if current in dimensions:
        detail = breakdown_block(indicator, area, current)
    elif current in levels:
        detail = place_block(indicator, area, current)
    goal = indicator.goals.order_by("order").first()
    context = {
        "indicator": indicator,
        "area": area,
        "card": found,
        "name": found.name,
        "goal": goal,
        "goal_title": presenting.goal_title(goal) if goal else "",
        "main": main_chart(summary, state) if found.has_data else None,
        "gap": gap_block(indicator, area, current),
        "detail": detail,
        "choices": disaggregation_choices(request, dimensions, levels, current)
        if dimensions or levels
        else [],
        "current": current,
        "area_choices": area_choices(indicator, area),
        "peers": [
            (peer.name, presenting.value_text(peer.value, indicator)) for peer in summary.peers
        ],
        "peer_year": summary.peer_year,
        "meaning": presenting.localized_field(indicator, "meaning"),
        "easy": str(getattr(indicator, "easy_de", "") or ""),
        "facts": facts(indicator, found),
        "downloads": downloads(indicator, area),
        "map_url": reverse("monitoring:indicator_map", args=[code]) if has_map(indicator) else "",
        "compare_url": compare_url(indicator, area),
    }
    return render(request, "monitoring/indicator.html", context)


def compare_url(indicator: Indicator, area: Area) -> str:
    if area.level != Area.Level.COUNTY:
        return ""
    return f"{reverse('monitoring:compare')}?indikator={indicator.code}"
