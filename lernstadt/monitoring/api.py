"""The monitoring's part of the JSON API (``/api/v1/monitoring/``).

Goals, indicators and areas are public descriptions. Every value passes the
disclosure gate before it leaves: observations and summaries through
:mod:`lernstadt.monitoring.publishing`, tables through
:func:`lernstadt.monitoring.tables.publish_table`. A withheld value is ``null``
with the symbol ``.``; a value of exactly zero carries the symbol ``-``.
"""

from typing import Any, Literal

from django.db.models import Max, Min, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import model_validator

from lernstadt.monitoring import access, publishing
from lernstadt.monitoring.disclosure import default_minimum
from lernstadt.monitoring.models import Area, Goal, Indicator, Measure, Target
from lernstadt.monitoring.publishing import Selection, SelectionError
from lernstadt.monitoring.summary import indicator_summary
from lernstadt.monitoring.tables import PublishedTable, TableRequestError

router = Router(tags=["Bildungsmonitoring"])

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_POOL_YEARS = 10
MAX_OFFSET = 1_000_000_000

DirectionCode = Literal["up", "down", "towards_zero", "context"]
LevelCode = Literal["state", "county", "municipality", "borough", "district"]
SYMBOL = (
    "Zeichen: „.“ Zahlenwert unbekannt oder geheim zu halten (value ist dann null), "
    "„-“ genau null, leer: Wert veröffentlicht."
)


class Error(Schema):
    detail: str = Field(description="Was nicht stimmt.")


class Problem(Schema):
    loc: list[str | int] = Field(description='Wo: z. B. ["query", "year"].')
    msg: str = Field(description="Was nicht stimmt.")
    type: str = Field(description="Art des Fehlers (maschinenlesbar).")


class Invalid(Schema):
    detail: list[Problem]


def not_found(error: LookupError) -> HttpError:
    """A 404 carrying the German message of an unknown code."""
    return HttpError(404, str(error.args[0]) if error.args else str(error))


def invalid(parameter: str, message: str) -> ValidationError:
    """A 422 in the shape of the API's other parameter errors."""
    return ValidationError([{"type": "value_error", "loc": ["query", parameter], "msg": message}])


# --- goals and indicators ---------------------------------------------------------------


class IndicatorBrief(Schema):
    code: str = Field(description="Kennung des Indikators.")
    name_de: str
    name_en: str
    unit: str = Field(description="Einheit, z. B. percent, count, years, EUR.")
    direction: DirectionCode = Field(
        description="Gute Richtung: up höher ist besser, down niedriger ist besser, "
        "towards_zero näher an null ist besser, context keine Wertung."
    )
    level: LevelCode = Field(description="Ebene, auf der die Daten liegen.")


class MeasureOut(Schema):
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    responsible: str = Field(description="Verantwortliches Amt oder verantwortlicher Partner.")
    status: Literal["planned", "in_progress", "done", "paused"] = Field(
        description="Stand: planned geplant, in_progress in Umsetzung, done umgesetzt, paused ruht."
    )


class GoalOut(Schema):
    code: str = Field(description="Kennung des Ziels.")
    order: int = Field(description="Reihenfolge im Leitbild.")
    title_de: str
    title_en: str
    statement_de: str = Field(description="Wortlaut des Leitbilds.")
    statement_en: str
    indicators: list[IndicatorBrief] = Field(description="Indikatoren, die das Ziel messen.")
    measures: list[MeasureOut] = Field(description="Handlungsempfehlungen zum Ziel.")

    @staticmethod
    def resolve_indicators(obj: Goal) -> list[Indicator]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_measures(obj: Goal) -> list[Measure]:
        return list(obj.measures.all())


def goals() -> QuerySet[Goal]:
    return Goal.objects.prefetch_related(
        Prefetch("indicators", Indicator.objects.order_by("code")),
        Prefetch("measures", Measure.objects.order_by("title_de", "pk")),
    )


@router.get(
    "/goals",
    response=list[GoalOut],
    operation_id="listGoals",
    summary="Ziele des Leitbilds",
    description="Alle Ziele in der Reihenfolge des Leitbilds, mit Indikatoren und Maßnahmen.",
)
def goal_list(request: HttpRequest) -> list[Goal]:
    """Every goal with its indicators and measures."""
    return list(goals())


@router.get(
    "/goals/{code}",
    response={200: GoalOut, 404: Error},
    operation_id="getGoal",
    summary="Ein Ziel",
    description="Ein Ziel des Leitbilds mit seinen Indikatoren und Maßnahmen.",
)
def goal_detail(request: HttpRequest, code: str) -> Goal:
    """One goal with its indicators and measures."""
    goal = goals().filter(code=code).first()
    if goal is None:
        raise HttpError(404, f"Unbekanntes Ziel „{code}“.")
    return goal


class TargetOut(Schema):
    area: str = Field(description="Gebietsschlüssel, für den das Ziel gilt.")
    year: int = Field(description="Zieljahr.")
    value: float = Field(description="Zielwert in der Einheit des Indikators.")
    direction: Literal["at_least", "at_most"] = Field(description="mindestens oder höchstens.")
    goal: str | None = Field(description="Kennung des Ziels, zu dem der Zielwert gehört.")
    note: str

    @staticmethod
    def resolve_area(obj: Target) -> str:
        return obj.area.code

    @staticmethod
    def resolve_goal(obj: Target) -> str | None:
        return obj.goal.code if obj.goal else None


class Periods(Schema):
    first: int = Field(description="Erstes Jahr mit Daten.")
    last: int = Field(description="Letztes Jahr mit Daten.")


class Downloads(Schema):
    csv: str = Field(description="Pfad der CSV-Datei mit allen veröffentlichten Werten.")
    data_dictionary: str = Field(description="Pfad des Datenlexikons zur CSV-Datei.")


class IndicatorDetail(IndicatorBrief):
    definition_de: str
    definition_en: str
    numerator: str = Field(description="Zähler in Worten.")
    denominator: str = Field(description="Nenner in Worten.")
    source: str = Field(description="Quelle.")
    licence: str = Field(description="Lizenz der Quelle.")
    update_cycle: str = Field(description="Aktualisierung, z. B. yearly.")
    disaggregations: list[str] = Field(description="Aufgliederungen (Dimensionen).")
    open_sdg_id: str = Field(description="Kennung auf der Open-SDG-Seite, sonst leer.")
    decimals: int = Field(description="Nachkommastellen, mit denen Werte veröffentlicht werden.")
    min_count: int = Field(description="Mindestfallzahl der Geheimhaltung für diesen Indikator.")
    goals: list[str] = Field(description="Kennungen der Ziele, die der Indikator misst.")
    targets: list[TargetOut] = Field(description="Gesetzte Zielwerte.")
    periods: Periods | None = Field(description="Zeitraum mit Daten; null ohne Daten.")
    downloads: Downloads

    @staticmethod
    def resolve_min_count(obj: Indicator) -> int:
        return default_minimum() if obj.min_count is None else obj.min_count

    @staticmethod
    def resolve_goals(obj: Indicator) -> list[str]:
        return [goal.code for goal in obj.goals.all()]

    @staticmethod
    def resolve_targets(obj: Indicator) -> list[Target]:
        return list(obj.targets.select_related("area", "goal").order_by("year", "area__code"))

    @staticmethod
    def resolve_periods(obj: Indicator) -> dict[str, int] | None:
        found = obj.observations.aggregate(first=Min("period"), last=Max("period"))
        return None if found["first"] is None else found

    @staticmethod
    def resolve_downloads(obj: Indicator) -> dict[str, str]:
        return {
            "csv": reverse("monitoring:indicator_csv", args=[obj.code]),
            "data_dictionary": reverse("monitoring:indicator_dictionary", args=[obj.code]),
        }


class IndicatorFilters(Schema):
    goal: str | None = Field(None, max_length=50, description="Nur Indikatoren dieses Ziels.")
    level: LevelCode | None = Field(None, description="Nur Indikatoren mit Daten auf dieser Ebene.")


@router.get(
    "/indicators",
    response=list[IndicatorBrief],
    operation_id="listIndicators",
    summary="Indikatoren",
    description="Alle Indikatoren nach Kennung, wahlweise nur die eines Ziels oder einer Ebene.",
)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]) -> QuerySet[Indicator]:
    """Every indicator, optionally of one goal or one level."""
    indicators = Indicator.objects.order_by("code")
    if filters.goal:
        indicators = indicators.filter(goals__code=filters.goal)
    if filters.level:
        indicators = indicators.filter(level=filters.level)
    return indicators


@router.get(
    "/indicators/{code}",
    response={200: IndicatorDetail, 404: Error},
    operation_id="getIndicator",
    summary="Ein Indikator",
    description=(
        "Definition, Zähler und Nenner, Einheit, gute Richtung, Quelle und Lizenz, "
        "Aufgliederungen, Zielwerte, Zeitraum und die Pfade der Downloads."
    ),
)
def indicator_detail(request: HttpRequest, code: str) -> Indicator:
    """One indicator with its definition, source, targets and downloads."""
    try:
        return access.indicator(code)
    except access.UnknownIndicator as error:
        raise not_found(error) from error


# --- one indicator in one area ----------------------------------------------------------


class IndicatorRef(Schema):
    code: str
    name: str = Field(description="Name (deutsch).")
    unit: str
    direction: DirectionCode
    decimals: int


class AreaRef(Schema):
    code: str
    name: str
    level: LevelCode


class Point(Schema):
    period: int = Field(description="Jahr.")
    value: float | None = Field(description="Wert; null wenn geheim gehalten oder nicht da.")
    symbol: str = Field(description=SYMBOL)


class Latest(Schema):
    period: int
    value: float


class TrendOut(Schema):
    slope: float = Field(description="Veränderung je Jahr (Kleinste-Quadrate-Gerade).")
    label: Literal["rising", "falling", "stable"] = Field(
        description="steigend/fallend, wenn die Steigung mindestens zwei Standardfehler "
        "von null entfernt ist, sonst stabil."
    )
    standard_error: float = Field(description="Standardfehler der Steigung.")
    first: int = Field(description="Erstes Jahr der Trendgeraden.")
    last: int = Field(description="Letztes Jahr der Trendgeraden.")
    points: int = Field(description="Anzahl der Werte (3 bis 10).")


class TargetStatus(Schema):
    year: int
    value: float
    direction: Literal["at_least", "at_most"]
    status: Literal["achieved", "on_track", "off_track", "no_target"] = Field(
        description="erreicht, auf Kurs, nicht auf Kurs, kein Ziel."
    )


class PeerOut(Schema):
    code: str = Field(description="Kreisschlüssel.")
    name: str
    value: float | None = Field(description="Veröffentlichter Wert im Jahr des neuesten Werts.")
    distance: float = Field(description="Abstand der standardisierten Strukturdaten.")
    features: dict[str, float] = Field(description="Die Strukturdaten des Kreises.")


class SummaryOut(Schema):
    indicator: IndicatorRef
    area: AreaRef
    series: list[Point] = Field(description="Gesamtwerte, älteste zuerst, nach Geheimhaltung.")
    latest: Latest | None = Field(description="Neuester veröffentlichter Wert.")
    change: dict[str, float | None] = Field(
        description="Veränderung über 1, 5 und 10 Jahre bis zum neuesten Wert; null bei Lücken."
    )
    trend: TrendOut | None = Field(description="Trend; null bei weniger als drei Werten.")
    rank: int | None = Field(
        description="Rang unter den Gebieten gleicher Ebene im Land (1 = am besten)."
    )
    of: int | None = Field(description="Gebiete gleicher Ebene im Land mit Wert.")
    state_median: float | None = Field(description="Median dieser Gebiete.")
    target: TargetStatus | None = Field(description="Nächster Zielwert mit Stand.")
    peers: list[PeerOut] = Field(description="Die fünf strukturell ähnlichsten Kreise.")
    peer_year: int | None = Field(description="Jahr der Strukturdaten der Vergleichskreise.")


@router.get(
    "/indicators/{code}/areas/{area}",
    response={200: SummaryOut, 404: Error},
    operation_id="getIndicatorSummary",
    summary="Ein Indikator für ein Gebiet",
    description=(
        "Zeitreihe, neuester Wert, Veränderung, Trend, Rang und Median im Land, strukturell "
        "ähnliche Kreise und Stand zum Zielwert – dasselbe wie `lernstadt show_indicator "
        "--json`. Gebiet: amtlicher Schlüssel (05916 und 05916000 stehen beide für Herne) "
        "oder Gebietscode des Stadtpakets."
    ),
)
def indicator_area(request: HttpRequest, code: str, area: str) -> dict[str, Any]:
    """The summary of one indicator for one area."""
    try:
        indicator = access.indicator(code)
        place = access.area_for(area, indicator)
    except (access.UnknownIndicator, access.UnknownArea) as error:
        raise not_found(error) from error
    return indicator_summary(indicator, place).to_dict()


# --- observations -----------------------------------------------------------------------


class ObservationOut(Schema):
    area_code: str = Field(description="Gebietsschlüssel.")
    area_name: str
    period: int = Field(description="Jahr.")
    breakdown: dict[str, str] = Field(
        description="Aufgliederung: Dimension → Ausprägung; leer für den Gesamtwert."
    )
    value: float | None = Field(description="Wert; null wenn geheim gehalten oder nicht da.")
    symbol: str = Field(description=SYMBOL)
    provisional: bool = Field(description="vorläufig")
    estimated: bool = Field(description="geschätzt")
    break_in_series: bool = Field(description="Zeitreihenbruch")


class ObservationPage(Schema):
    indicator: str
    total: int = Field(description="Alle Werte der Auswahl, nicht nur die dieser Seite.")
    results: list[ObservationOut]


class ObservationFilters(Schema):
    area: str | None = Field(None, max_length=32, description="Nur dieses Gebiet.")
    period_from: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="Erstes Jahr (einschließlich)."
    )
    period_to: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="Letztes Jahr (einschließlich)."
    )
    by: str = Field(
        "",
        max_length=200,
        description="Aufgliederung, mit Komma getrennt, genau diese Dimensionen: z. B. `sex`; "
        "`total` nur Gesamtwerte; leer alle.",
    )
    limit: int = Field(1000, ge=1, le=10000, description="Werte je Seite (1 bis 10000).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Wie viele Werte zu überspringen.")

    @model_validator(mode="after")
    def period_in_order(self) -> "ObservationFilters":
        if (
            self.period_from is not None
            and self.period_to is not None
            and self.period_from > self.period_to
        ):
            raise ValueError("period_from liegt nach period_to")
        return self

    def dimensions(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.by.split(",") if name.strip())


@router.get(
    "/indicators/{code}/observations",
    response={200: ObservationPage, 404: Error, 422: Invalid},
    operation_id="listObservations",
    summary="Werte eines Indikators",
    description=(
        "Die veröffentlichten Werte nach Jahr, Gebiet und Aufgliederung, nach Geheimhaltung. "
        "Zähler und Nenner verlassen die API nicht; Fallzahlen gibt es als geschützte Tabellen."
    ),
)
def observation_list(
    request: HttpRequest, code: str, filters: Query[ObservationFilters]
) -> dict[str, Any]:
    """Published observations of one indicator, filtered and paged."""
    try:
        indicator = access.indicator(code)
        place = access.area_for(filters.area, indicator) if filters.area else None
    except (access.UnknownIndicator, access.UnknownArea) as error:
        raise not_found(error) from error
    selection = Selection(place, filters.period_from, filters.period_to, filters.dimensions())
    try:
        rows = publishing.selected(indicator, selection)
    except SelectionError as error:
        raise invalid("by", str(error)) from error
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {
        "indicator": indicator.code,
        "total": rows.count(),
        "results": publishing.published_observations(page),
    }


# --- areas ------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str = Field(description="Amtlicher Schlüssel oder Gebietscode des Stadtpakets.")
    name: str
    level: LevelCode = Field(
        description="state Land, county Kreis/kreisfreie Stadt, municipality Gemeinde, "
        "borough Stadtbezirk, district statistischer Bezirk."
    )
    parent: str | None = Field(description="Schlüssel des übergeordneten Gebiets.")

    @staticmethod
    def resolve_parent(obj: Area) -> str | None:
        return obj.parent.code if obj.parent else None


class AreaPage(Schema):
    total: int
    results: list[AreaOut]


class AreaFilters(Schema):
    level: LevelCode | None = Field(None, description="Nur Gebiete dieser Ebene.")
    parent: str | None = Field(None, max_length=32, description="Nur Gebiete unter diesem.")
    limit: int = Field(100, ge=1, le=1000, description="Gebiete je Seite (1 bis 1000).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Wie viele zu überspringen.")


@router.get(
    "/areas",
    response=AreaPage,
    operation_id="listAreas",
    summary="Gebiete",
    description="Land, Kreise, Gemeinden, Stadtbezirke und statistische Bezirke nach Schlüssel.",
)
def area_list(request: HttpRequest, filters: Query[AreaFilters]) -> dict[str, Any]:
    """Areas with their level and parent, filtered and paged."""
    areas = Area.objects.select_related("parent").order_by("code")
    if filters.level:
        areas = areas.filter(level=filters.level)
    if filters.parent:
        areas = areas.filter(parent__code=filters.parent)
    window = areas[filters.offset : filters.offset + filters.limit]
    return {"total": areas.count(), "results": list(window)}


# --- published tables -------------------------------------------------------------------


class TableRow(Schema):
    cells: dict[str, str] = Field(
        description="Je Gliederung die Ausprägung; `total` in Summenzeilen und -spalten."
    )
    value: int | None = Field(description="Anzahl; null wenn geheim gehalten.")
    symbol: str = Field(description=SYMBOL)


class TableOut(Schema):
    dataset: str
    first_year: int = Field(description="Erstes zusammengefasstes Jahr.")
    last_year: int = Field(description="Letztes Jahr (year).")
    by: list[str] = Field(description="Gliederungen in Spaltenfolge.")
    minimum: int = Field(description="Kleinste veröffentlichte Fallzahl.")
    labels: dict[str, str] = Field(description="Namen der Gebiete, deren Codes vorkommen.")
    rows: list[TableRow]


class TableQuery(Schema):
    year: int = Field(..., ge=FIRST_YEAR, le=LAST_YEAR, description="Abgangsjahr.")
    by: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="Gliederungen mit Komma getrennt: district, borough, sex, nationality, "
        "qualification, school_type.",
    )
    pool_years: int = Field(
        1,
        ge=1,
        le=MAX_POOL_YEARS,
        description="So viele Jahre bis einschließlich year zusammenfassen (1 bis 10).",
    )

    def dimensions(self) -> list[str]:
        return [name.strip() for name in self.by.split(",") if name.strip()]


def table_rows(published: PublishedTable) -> dict[str, Any]:
    """The published table as plain data, with the names of the areas it shows."""
    rows: list[dict[str, Any]] = [
        {"cells": dict(zip(published.by, cell, strict=True)), "value": count, "symbol": symbol}
        for cell, count, symbol in access.table_cells(published)
    ]
    codes = {value for row in rows for value in row["cells"].values()}
    labels = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        "dataset": published.dataset,
        "first_year": published.first_year,
        "last_year": published.last_year,
        "by": list(published.by),
        "minimum": published.table.minimum or default_minimum(),
        "labels": labels,
        "rows": rows,
    }


@router.get(
    "/tables/{dataset}",
    response={200: TableOut, 404: Error, 422: Invalid},
    operation_id="getPublishedTable",
    summary="Geschützte Tabelle",
    description=(
        "Fallzahlen mit allen Summen und Geheimhaltung (primär, sekundär, geprüft durch "
        "lineare Optimierung) – dieselbe Tabelle wie `lernstadt publish_table`. Datensatz: "
        "school_leavers (Schulabgänge aller Schulformen)."
    ),
)
def published_table(request: HttpRequest, dataset: str, query: Query[TableQuery]) -> dict[str, Any]:
    """A published table of counts with totals and suppression."""
    try:
        published = access.table(dataset, query.year, query.dimensions(), query.pool_years)
    except (access.UnknownDataset, access.NoData) as error:
        raise not_found(error) from error
    except TableRequestError as error:
        raise invalid("by", str(error)) from error
    return table_rows(published)
