"""The public pages of the education monitoring: goals, indicators, maps and comparison.

Every value shown has passed the disclosure gate: summaries come from
:func:`lernstadt.monitoring.summary.indicator_summary`, everything else from
:func:`lernstadt.monitoring.publishing.publish`; :mod:`presenting` puts them into
words. Charts are SVG drawn on the server by :mod:`charts`, each with the same
data as a table beside it. Every page works without JavaScript and without a mouse:
switches are links, choices are plain forms.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from lernstadt.cities.pack import current_city
from lernstadt.monitoring import access, charts, presenting, publishing
from lernstadt.monitoring.comparison import UnknownArea, peer_group, resolve_area
from lernstadt.monitoring.derive import GAPS, Gap
from lernstadt.monitoring.disclosure import default_minimum
from lernstadt.monitoring.models import (
    Area,
    Boundary,
    Direction,
    Goal,
    ImportRun,
    Indicator,
    Observation,
    breakdown_dict,
    breakdown_key,
)
from lernstadt.monitoring.presenting import Card, Table
from lernstadt.monitoring.publishing import PublishedObservation
from lernstadt.monitoring.summary import IndicatorSummary, indicator_summaries, indicator_summary

PLACE_LEVELS = (Area.Level.BOROUGH, Area.Level.DISTRICT)
# More lines than this cannot be told apart in black and white.
MAX_COMPARED = 8
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


def latest_import(indicator: Indicator) -> ImportRun | None:
    """The most recent import that wrote values of ``indicator``."""
    return (
        ImportRun.objects.filter(observation__indicator=indicator, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


def query_url(path: str, params: QueryDict, **changes: str | None) -> str:
    """``path`` with ``params``, some replaced (or removed when None)."""
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


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


# --- dashboard and goals -------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    """An indicator card with its links and its trend line (see ``_indicator_block.html``)."""

    card: Card
    url: str
    map_url: str
    sparkline: SafeString
    anchor: str  # unique on the page, for ids


def card_view(summary: IndicatorSummary, anchor: str = "") -> CardView:
    """The card of ``summary`` as the dashboard, the goal pages and the report show it."""
    indicator = summary.indicator
    found = presenting.card(summary)
    spark = ""
    if found.has_data:
        spark = charts.sparkline(
            found.points, label=found.name, unit=indicator.unit, decimals=indicator.decimals
        )
    return CardView(
        card=found,
        url=reverse("monitoring:indicator", args=[indicator.code]),
        map_url=reverse("monitoring:indicator_map", args=[indicator.code])
        if has_map(indicator)
        else "",
        sparkline=svg(spark, f"spark-{anchor or indicator.code}"),
        anchor=anchor or indicator.code,
    )


def goal_cards(goal: Goal) -> list[CardView]:
    """The goal's indicators in the city (or its county), those with data first."""
    by_area: dict[Area, list[Indicator]] = {}
    for indicator in goal.indicators.order_by("id"):
        area = home_area(indicator)
        if area is not None:
            by_area.setdefault(area, []).append(indicator)
    # One call per area: the area's peers are found once for all its indicators.
    summaries = [s for area, found in by_area.items() for s in indicator_summaries(found, area)]
    summaries.sort(key=lambda summary: summary.indicator.id)
    views = [card_view(s, f"{goal.code}-{s.indicator.code}") for s in summaries]
    return sorted(views, key=lambda view: not view.card.has_data)


@dataclass(frozen=True)
class GoalSection:
    goal: Goal
    title: str
    statement: str
    url: str
    cards: list[CardView]
    measures: int


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    sections = [
        GoalSection(
            goal,
            presenting.goal_title(goal),
            presenting.goal_statement(goal),
            reverse("monitoring:goal", args=[goal.code]),
            goal_cards(goal),
            goal.measures.count(),
        )
        for goal in Goal.objects.order_by("order", "code")
    ]
    return render(request, "monitoring/dashboard.html", {"sections": sections})


@dataclass(frozen=True)
class MeasureView:
    title: str
    description: str
    responsible: str
    status: str
    status_label: str


@require_safe
def goal_detail(request: HttpRequest, code: str) -> HttpResponse:
    goal = get_object_or_404(Goal, code=code)
    measures = [
        MeasureView(
            presenting.measure_title(measure),
            presenting.measure_description(measure),
            measure.responsible,
            presenting.MEASURE_STATUS_CLASSES.get(measure.status, "planned"),
            measure.get_status_display(),
        )
        for measure in goal.measures.order_by("title_de")
    ]
    context = {
        "goal": goal,
        "title": presenting.goal_title(goal),
        "statement": presenting.goal_statement(goal),
        "cards": goal_cards(goal),
        "measures": measures,
    }
    return render(request, "monitoring/goal.html", context)


# --- the indicator page --------------------------------------------------------------------


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
        source=indicator.source,
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
        source=indicator.source,
        decimals=indicator.decimals,
    )
    return ChartBlock(slug, title, svg(chart, slug), data_table(title, columns, indicator))


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
        source=indicator.source,
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
        source=share.source,
        decimals=share.decimals,
    )
    columns = [
        (first_label, first),
        (second_label, second),
        (gettext("Abstand (Prozentpunkte)"), gaps),
    ]
    return ChartBlock("abstand", title, svg(chart, "abstand"), data_table(title, columns, share))


def data_table(
    title: str, columns: Sequence[tuple[str, Mapping[int, float | None]]], indicator: Indicator
) -> Table:
    """The data of a time-series chart: one row per year, one column per line."""
    caption = gettext("Daten zum Diagramm: %(title)s (%(unit)s)") % {
        "title": title,
        "unit": charts.unit_label(indicator.unit),
    }
    return presenting.series_table(caption, columns, indicator.decimals)


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
        source=indicator.source,
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


# --- maps ------------------------------------------------------------------------------------


def has_map(indicator: Indicator) -> bool:
    """Whether ``indicator`` has values for counties or for the city's boroughs or districts."""
    return Observation.objects.filter(
        indicator=indicator,
        breakdown="",
        area__level__in=[Area.Level.COUNTY, *PLACE_LEVELS],
    ).exists()


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
        source=indicator.source,
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


# --- comparison ----------------------------------------------------------------------------


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


# --- methods -------------------------------------------------------------------------------


@require_safe
def methods(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/methods.html", {"minimum": default_minimum()})
