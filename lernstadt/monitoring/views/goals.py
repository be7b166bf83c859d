"""The dashboard and the goal pages: each goal with its indicators' cards and its measures."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from lernstadt.monitoring import charts, presenting
from lernstadt.monitoring.models import Area, Goal, Indicator
from lernstadt.monitoring.presenting import Card
from lernstadt.monitoring.summary import IndicatorSummary, indicator_summaries
from lernstadt.monitoring.views.blocks import has_map, home_area, svg


@dataclass(frozen=True)
class CardView:
    """An indicator card with its links and its trend line (see ``_indicator_block.html``)."""

    card: Card
    url: str
    map_url: str
    sparkline: SafeString
    anchor: str  # unique on the page, for ids


def card_view(summary: IndicatorSummary, anchor: str = "") -> CardView:
    """The card of ``summary`` as the dashboard and the goal pages show it."""
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
