"""The yearly Datenreport: every goal with its indicators, as HTML and as a tagged PDF.

``build_report(2024, folder)`` writes ``report.html`` and ``report.pdf`` (WeasyPrint,
PDF/UA-1: tagged, with language, title and bookmarks): a title page, the contents with
page numbers, a short guide to reading it, one chapter per goal (its measures, then
each indicator with the latest value, change, trend, target status, the comparison
with the state and the structurally similar counties in words, a chart and a table),
a methods chapter (definitions, computations, protection of small numbers, sources
with licences) and an annex with every table in full.

Numbers come only from :func:`summary.indicator_summary`, :func:`publishing.publish`
and :func:`tables.publish_table`, the disclosure gate; a withheld value prints as
``.``. Charts come from :mod:`lernstadt.monitoring.charts`, words and number formats
from :mod:`lernstadt.monitoring.presenting`, so the report says what the pages say.

Same data in, same report out: the HTML holds no date, no random id and iterates in
a fixed order; the PDF has no creation date and its identifier is a hash of its
content. WeasyPrint fetches nothing: charts are inline SVG, the style sheet is in the
page, fonts are the machine's (fontconfig), and any URL it would fetch aborts the build.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from lernstadt.cities.pack import current_city
from lernstadt.monitoring import charts, compute, demo, derive, presenting, summary
from lernstadt.monitoring.comparison import (
    PEER_FEATURES,
    PeerGroup,
    peer_group,
    resolve_area,
    same_place,
    standing,
)
from lernstadt.monitoring.disclosure import CONFIDENTIAL, ZERO
from lernstadt.monitoring.models import (
    Area,
    Direction,
    Goal,
    ImportRun,
    Indicator,
    LeaverRecord,
    Measure,
    Observation,
    breakdown_dict,
    breakdown_key,
)
from lernstadt.monitoring.presenting import Row, Table
from lernstadt.monitoring.publishing import dimensions, publish
from lernstadt.monitoring.summary import IndicatorSummary
from lernstadt.monitoring.tables import LEAVER_DIMENSIONS, PublishedTable, publish_table

FILE_NAMES = ("report.html", "report.pdf")
TEMPLATE = "monitoring/report/report.html"
RECENT_YEARS = 10  # years in a chapter's table; the annex has the whole series
LEAVER_TABLES = ("district", "borough", "sex", "nationality", "school_type")
TOTAL_LABEL = "Insgesamt"
FIRST_YEAR, LAST_YEAR = 1900, 2100


class ReportError(ValueError):
    """The report cannot be built (message in German)."""


@dataclass(frozen=True)
class ReportFiles:
    """The files :func:`build_report` wrote, and how many pages the PDF has."""

    html: Path
    pdf: Path
    pages: int


# --- numbered figures and tables ----------------------------------------------------


@dataclass(frozen=True)
class NumberedTable:
    """A table of the report with its number ("4", or "A4" in the annex) and anchor."""

    number: str
    anchor: str
    table: Table
    note: str = ""


@dataclass
class Numbering:
    """Running numbers for figures and tables, in the order they appear."""

    figures: int = 0
    tables: int = 0
    annex: list[NumberedTable] = field(default_factory=list)

    def figure(self) -> int:
        self.figures += 1
        return self.figures

    def table(self, table: Table, note: str = "") -> NumberedTable:
        self.tables += 1
        return NumberedTable(str(self.tables), f"tab-{self.tables}", table, note)

    def annex_table(self, table: Table, note: str = "") -> NumberedTable:
        number = f"A{len(self.annex) + 1}"
        numbered = NumberedTable(number, f"tab-{number}", table, note)
        self.annex.append(numbered)
        return numbered


@dataclass(frozen=True)
class Figure:
    number: int
    svg: str
    caption: str


# --- one indicator ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSection:
    """What a goal chapter shows about one indicator."""

    anchor: str
    indicator: Indicator
    card: presenting.Card
    definition: str
    meaning: str
    comparison_note: str
    figures: list[Figure]
    tables: list[NumberedTable]
    annex: list[NumberedTable]
    shown_at: str = ""  # the anchor of the full section when it serves an earlier goal too


def summary_until(indicator: Indicator, area: Area, year: int) -> IndicatorSummary:
    """:func:`summary.indicator_summary` as it stood with the data up to ``year``.

    Values after the report year are left out, and the latest value, changes, trend,
    standing, peers and target status are computed again for the shortened series
    with the same functions the summary uses.
    """
    full = summary.indicator_summary(indicator, area)
    if all(point.period <= year for point in full.series):
        return full
    points = [point for point in full.series if point.period <= year]
    values: compute.Series = {point.period: point.value for point in points}
    found = compute.latest(values)
    period = found[0] if found else None
    place = standing(indicator, period, area) if period is not None else None
    peers, peer_year = summary.peer_values(indicator, area, period)
    return IndicatorSummary(
        indicator=indicator,
        area=area,
        series=points,
        latest=summary.Latest(*found) if found else None,
        changes=compute.changes(values),
        trend=compute.trend(values),
        rank=place.rank if place else None,
        of=place.of if place else None,
        state_median=place.state_median if place else None,
        target=summary.target_standing(indicator, area, values, period),
        peers=peers,
        peer_year=peer_year,
    )


@dataclass
class Gate:
    """The report's one trip through the disclosure gate per indicator.

    For each indicator it publishes, in one call to :func:`publishing.publish`, every
    observation the report may show up to the report year: the area's totals and
    breakdowns, the totals of the state's areas of the same level, of the peers and of
    the boroughs and districts. Each value is then looked up, not published again.
    """

    year: int
    peers: list[str]
    found: dict[int, dict[tuple[int, int, str], float | None]] = field(default_factory=dict)
    areas: dict[int, Area] = field(default_factory=dict)

    def values(self, indicator: Indicator, area: Area) -> dict[tuple[int, int, str], float | None]:
        """``(area id, period, breakdown) -> published value`` for ``indicator``."""
        if indicator.id not in self.found:
            around = Q(area__level=area.level, area__code__startswith=area.code[:2])
            around |= Q(area__code__in=self.peers)
            around |= Q(area__level__in=[Area.Level.BOROUGH, Area.Level.DISTRICT])
            rows = list(
                Observation.objects.filter(indicator=indicator, period__lte=self.year)
                .filter(Q(area=area) | (Q(breakdown="") & around))
                .select_related("area")
                .order_by("period", "area__code", "breakdown")
            )
            self.areas.update((row.area_id, row.area) for row in rows)
            self.found[indicator.id] = {
                (row.area_id, row.period, row.breakdown): verdict.value
                for row, verdict in zip(rows, publish(rows), strict=True)
            }
        return self.found[indicator.id]

    def series(
        self, indicator: Indicator, area: Area, breakdown: str = ""
    ) -> list[tuple[int, float | None]]:
        """One area's published values per year (of one breakdown), oldest first."""
        values = self.values(indicator, area)
        return sorted(
            (period, value)
            for (area_id, period, key), value in values.items()
            if area_id == area.id and key == breakdown
        )

    def medians(self, indicator: Indicator, area: Area, codes: Sequence[str]) -> dict[int, float]:
        """The median per year over the areas with ``codes`` (totals; three at least)."""
        wanted = set(codes)
        values = self.values(indicator, area)
        return presenting.median_by_period(
            [
                (period, value)
                for (area_id, period, key), value in values.items()
                if key == "" and self.areas[area_id].code in wanted
            ]
        )

    def state_medians(self, indicator: Indicator, area: Area) -> dict[int, float]:
        """The median over the state's areas of ``area``'s level, per year."""
        if area.level not in (Area.Level.COUNTY, Area.Level.MUNICIPALITY):
            return {}
        self.values(indicator, area)
        state = [
            place.code
            for place in self.areas.values()
            if place.level == area.level and place.code.startswith(area.code[:2])
        ]
        return self.medians(indicator, area, state)

    def state_values(
        self, indicator: Indicator, area: Area, period: int
    ) -> dict[str, tuple[str, float | None]]:
        """Code -> (name, published value) of the state's areas of ``area``'s level."""
        values = self.values(indicator, area)
        found = {}
        for (area_id, when, key), value in values.items():
            place = self.areas[area_id]
            same = place.level == area.level and place.code.startswith(area.code[:2])
            if when == period and key == "" and same:
                found[place.code] = (place.name, value)
        return found

    def by_dimension(
        self, indicator: Indicator, area: Area, dimension: str
    ) -> list[tuple[str, float | None]]:
        """The area's published values in the report year by one dimension."""
        values = self.values(indicator, area)
        found = []
        for (area_id, period, key), value in sorted(values.items()):
            parts = breakdown_dict(key)
            if area_id == area.id and period == self.year and set(parts) == {dimension}:
                found.append((parts[dimension], value))
        return found

    def places(self, indicator: Indicator, area: Area) -> list[tuple[Area, float | None]]:
        """The boroughs' and districts' published totals in the report year."""
        values = self.values(indicator, area)
        found = [
            (self.areas[area_id], value)
            for (area_id, period, key), value in values.items()
            if period == self.year
            and key == ""
            and self.areas[area_id].level in (Area.Level.BOROUGH, Area.Level.DISTRICT)
        ]
        return sorted(found, key=lambda item: (item[0].level, item[0].name))


def series_lines(
    found: IndicatorSummary, gate: Gate, state: str
) -> list[tuple[str, charts.Role, dict[int, float | None]]]:
    """The lines of an indicator's chart and table: the area, the state's and peers' medians."""
    indicator, area = found.indicator, found.area
    own: dict[int, float | None] = {point.period: point.value for point in found.series}
    lines: list[tuple[str, charts.Role, dict[int, float | None]]] = [(area.name, "area", own)]
    medians = gate.state_medians(indicator, area)
    if medians:
        lines.append((f"{state} (Median)", "state", dict(medians)))
    peers = gate.medians(indicator, area, [peer.code for peer in found.peers])
    if found.peers and peers:
        lines.append(("strukturähnliche Kreise (Median)", "peers", dict(peers)))
    return lines


def indicator_section(
    goal: Goal, indicator: Indicator, city: str, gate: Gate, numbering: Numbering
) -> IndicatorSection:
    """The section of ``indicator`` in the chapter of ``goal``."""
    year = gate.year
    area = resolve_area(city, indicator)
    found = summary_until(indicator, area, year)
    card = presenting.card(found)
    section = IndicatorSection(
        anchor=f"{goal.code}--{indicator.code}",
        indicator=indicator,
        card=card,
        definition=presenting.indicator_definition(indicator),
        meaning=presenting.localized_field(indicator, "meaning"),
        comparison_note=comparison_note(found, card),
        figures=[],
        tables=[],
        annex=[],
    )
    if not card.has_data:
        return section
    lines = series_lines(found, gate, presenting.state_name(area))
    source = source_text(indicator)
    name = presenting.indicator_name(indicator)
    chart = charts.time_series(
        [charts.Line(label, sorted(values.items()), role) for label, role, values in lines],
        title=name,
        unit=indicator.unit,
        source=source,
        target=found.target,
        decimals=indicator.decimals,
    )
    span = f"{card.first_period}–{card.latest_period}"
    section.figures.append(Figure(numbering.figure(), chart, f"{name}, {area.name}, {span}"))
    caption = f"{name} ({charts.unit_label(indicator.unit)})"
    columns = [(label, values) for label, _role, values in lines]
    recent = [
        (label, {p: v for p, v in values.items() if p > year - RECENT_YEARS})
        for label, values in columns
    ]
    note = f"Quelle: {source}"
    section.tables.append(
        numbering.table(presenting.series_table(caption, recent, indicator.decimals), note)
    )
    section.annex.append(
        numbering.annex_table(presenting.series_table(caption, columns, indicator.decimals), note)
    )
    add_map(section, found, gate, numbering)
    add_gap_figure(section, found, gate, numbering)
    add_breakdowns(section, indicator, area, gate, numbering)
    return section


def add_map(
    section: IndicatorSection, found: IndicatorSummary, gate: Gate, numbering: Numbering
) -> None:
    """For a county indicator: the state's counties in the latest year as a map (when the
    boundaries are loaded), and as a table in the annex, best first."""
    indicator, area, latest = found.indicator, found.area, found.latest
    if area.level != Area.Level.COUNTY or latest is None:
        return
    values = gate.state_values(indicator, area, latest.period)
    if len(values) < presenting.MIN_COMPARABLE:
        return
    name = presenting.indicator_name(indicator)
    svg = charts.choropleth(
        {code: value for code, (_name, value) in values.items()},
        area.level,
        title=f"{name}, {latest.period}",
        unit=indicator.unit,
        source=source_text(indicator),
        highlight=area.code,
        decimals=indicator.decimals,
    )
    state = presenting.state_name(area)
    caption = f"{name} {latest.period} in den Kreisen und kreisfreien Städten von {state}"
    table = Table(caption, "Kreis", [charts.unit_label(indicator.unit)], ranked_rows(found, values))
    annexed = numbering.annex_table(table, f"Quelle: {source_text(indicator)}")
    section.annex.append(annexed)
    if svg:
        section.figures.append(
            Figure(numbering.figure(), svg, f"{caption} (Tabelle {annexed.number} im Anhang)")
        )


def ranked_rows(found: IndicatorSummary, values: dict[str, tuple[str, float | None]]) -> list[Row]:
    """The areas best first in the indicator's good direction (by name for context)."""
    direction = found.indicator.direction

    def order(item: tuple[str, tuple[str, float | None]]) -> tuple[bool, float, str]:
        _code, (name, value) = item
        if value is None or direction == Direction.CONTEXT:
            return (value is None, 0.0, name)
        if direction == Direction.UP:
            return (False, -value, name)
        return (False, value if direction == Direction.DOWN else abs(value), name)

    return [
        Row(
            name,
            [presenting.cell(value, found.indicator.decimals, highlight=code == found.area.code)],
            highlight=code == found.area.code,
        )
        for code, (name, value) in sorted(values.items(), key=order)
    ]


def comparison_note(found: IndicatorSummary, card: presenting.Card) -> str:
    """Why a section has no comparison in words, if it has none."""
    if not card.has_data or card.comparisons:
        return ""
    if found.indicator.direction == Direction.CONTEXT:
        return "Kontextindikator: er beschreibt die Lage und wird nicht gewertet."
    return (
        "Ein Vergleich mit dem Land und ähnlichen Kreisen ist nicht möglich: "
        "andere Gebiete liefern diese Daten nicht."
    )


def source_text(indicator: Indicator) -> str:
    return presenting.source_text(indicator) or "Stadt"


# --- breakdowns ---------------------------------------------------------------------------


def add_breakdowns(
    section: IndicatorSection, indicator: Indicator, area: Area, gate: Gate, numbering: Numbering
) -> None:
    """A table of the report year by each dimension and by place, and a bar chart of places."""
    name = presenting.indicator_name(indicator)
    year = gate.year
    decimals = indicator.decimals
    rows: list[Row] = []
    for dimension in dimensions(indicator):
        label = presenting.dimension_label(dimension)
        for category, value in gate.by_dimension(indicator, area, dimension):
            text = presenting.category_label(dimension, category)
            rows.append(Row(f"{label}: {text}", [presenting.cell(value, decimals)]))
    places = gate.places(indicator, area)
    for place, value in places:
        level = "borough" if place.level == Area.Level.BOROUGH else "district"
        label = presenting.dimension_label(level)
        rows.append(Row(f"{label}: {place.name}", [presenting.cell(value, decimals)]))
    if not rows:
        return
    unit = [charts.unit_label(indicator.unit)]
    table = Table(f"{name} {year} nach Gruppen und Orten", "Gruppe", unit, rows)
    note = f"Quelle: {source_text(indicator)}"
    section.tables.append(numbering.table(table, note))
    section.annex.append(numbering.annex_table(table, note))
    districts = [(p.name, v) for p, v in places if p.level == Area.Level.DISTRICT]
    if districts:
        svg = charts.ranked_bars(
            districts,
            title=f"{name}, {year}",
            unit=indicator.unit,
            source=source_text(indicator),
            decimals=decimals,
        )
        caption = f"{name} {year} nach statistischen Bezirken"
        section.figures.append(Figure(numbering.figure(), svg, caption))


def add_gap_figure(
    section: IndicatorSection, found: IndicatorSummary, gate: Gate, numbering: Numbering
) -> None:
    """For a gap indicator: the two groups' shares per year, joined by the published gap."""
    gap = derive.GAPS.get(found.indicator.code)
    share = Indicator.objects.filter(code=gap.share).first() if gap else None
    if gap is None or share is None:
        return
    area = found.area
    first, second = (
        gate.series(share, area, breakdown_key({gap.dimension: category}))
        for category in (gap.first, gap.second)
    )
    name = presenting.indicator_name(found.indicator)
    svg = charts.gap_chart(
        charts.Line(presenting.category_label(gap.dimension, gap.first), first, "area"),
        charts.Line(presenting.category_label(gap.dimension, gap.second), second, "state"),
        title=presenting.indicator_name(share),
        unit=share.unit,
        source=source_text(share),
        gap=[(point.period, point.value) for point in found.series],
        decimals=share.decimals,
    )
    periods = [point.period for point in found.series]
    caption = f"{name}, {area.name}, {min(periods)}–{max(periods)}"
    section.figures.append(Figure(numbering.figure(), svg, caption))


# --- goals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalChapter:
    number: int
    anchor: str
    goal: Goal
    measures: list[Measure]
    sections: list[IndicatorSection]


def goal_chapters(city: str, gate: Gate, numbering: Numbering) -> list[GoalChapter]:
    goals = Goal.objects.prefetch_related("measures").order_by("order", "code")
    chapters = []
    shown: dict[str, IndicatorSection] = {}
    for number, goal in enumerate(goals, start=1):
        sections = []
        for indicator in goal.indicators.order_by("code"):
            if indicator.code in shown:  # serves two goals: shown in full once, then referred to
                sections.append(
                    replace(
                        shown[indicator.code],
                        figures=[],
                        tables=[],
                        annex=[],
                        anchor=f"{goal.code}--{indicator.code}",
                        shown_at=shown[indicator.code].anchor,
                    )
                )
                continue
            section = indicator_section(goal, indicator, city, gate, numbering)
            shown[indicator.code] = section
            sections.append(section)
        measures = sorted(goal.measures.all(), key=lambda measure: measure.title_de)
        chapters.append(GoalChapter(number, f"ziel-{goal.code}", goal, measures, sections))
    return chapters


# --- the annex: published count tables -------------------------------------------------


def leaver_tables(year: int, numbering: Numbering) -> list[NumberedTable]:
    """School leavers of ``year`` by place, sex, nationality and school type × qualification."""
    if not LeaverRecord.objects.filter(year=year).exists():
        return []
    names = dict(Area.objects.filter(level__in=["borough", "district"]).values_list("code", "name"))
    found = []
    for dimension in LEAVER_TABLES:
        published = publish_table("school_leavers", year, [dimension, "qualification"])
        table = count_table(published, dimension, names)
        note = "Anzahl der Schulabgänge (alle Schulformen, auch Berufskolleg); Quelle: Stadt"
        found.append(numbering.annex_table(table, note))
    return found


def count_table(published: PublishedTable, dimension: str, names: dict[str, str]) -> Table:
    """A published two-way table (``dimension`` × qualification) as rows and columns."""
    grid: dict[str, dict[str, str]] = {}
    for cell, text in published.rows():
        row, column = cell
        grid.setdefault(row, {})[column] = text
    qualifications = [*LEAVER_DIMENSIONS["qualification"].categories(), "total"]
    columns = [category_text("qualification", q, names) for q in qualifications]
    rows = [
        Row(
            category_text(dimension, row, names),
            [count_cell(grid[row].get(q, "")) for q in qualifications],
            highlight=row == "total",
        )
        for row in grid
    ]
    title = presenting.dimension_label(dimension)
    caption = f"Schulabgänge {published.last_year} nach {title} und Abschluss"
    return Table(caption, title, columns, rows)


def category_text(dimension: str, category: str, names: dict[str, str]) -> str:
    if category == "total":
        return TOTAL_LABEL
    if dimension in ("district", "borough"):
        return names.get(category, category)
    return presenting.category_label(dimension, category)


def count_cell(text: str) -> presenting.Cell:
    """A printed count: digits, ``.`` withheld or ``-`` exactly zero."""
    if text in (CONFIDENTIAL, ""):
        return presenting.Cell(CONFIDENTIAL, withheld=True)
    if text == ZERO:
        return presenting.Cell(text, zero=True)
    return presenting.Cell(presenting.number(float(text), 0))


# --- methods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    text: str
    licence: str
    attribution: str = ""


SOURCES = {
    "inkar": Source(
        "INKAR",
        "Indikatoren und Karten zur Raum- und Stadtentwicklung (INKAR), Bundesinstitut für "
        "Bau-, Stadt- und Raumforschung (BBSR) im Bundesamt für Bauwesen und Raumordnung; "
        "Kreisindikatoren 1995–2022.",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0, "
        "www.govdata.de/dl-de/by-2-0)",
        "Datenquelle: INKAR, BBSR Bonn",
    ),
    "census2022": Source(
        "Zensus 2022",
        "Zensus 2022, Statistische Ämter des Bundes und der Länder; Ergebnisse je Gemeinde.",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "Datenquelle: Statistische Ämter des Bundes und der Länder, Zensus 2022",
    ),
    "opensdg": Source(
        "Open SDG Herne",
        "SDG-Indikatoren der Stadt Herne von ihrer Open-SDG-Datenplattform "
        "(Datenquelle: SDG-Portal für Kommunen).",
        "Das Datenrepositorium steht unter der MIT-Lizenz; eine eigene Datenlizenz ist "
        "nicht angegeben",
        "Datenquelle: Stadt Herne, Open-SDG-Datenplattform",
    ),
    "vg5000": Source(
        "VG5000",
        "Verwaltungsgebiete 1:5 000 000 (VG5000), Stand 1. Januar 2021, Bundesamt für "
        "Kartographie und Geodäsie (BKG).",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "© GeoBasis-DE / BKG 2021 (Daten verändert)",
    ),
    "leavers": Source(
        "Schulabgangsdaten",
        "Pseudonymisierte Einzeldaten der Schulabgängerinnen und Schulabgänger "
        "(ohne Namen, Geburtsdaten oder Personenkennung), ausgewertet nur in Summen.",
        "nicht öffentlich; veröffentlicht werden nur geschützte Summen und Anteile",
    ),
    "tidy": Source(
        "Eigene Daten der Stadt",
        "Weitere Zahlen der Stadt und ihrer Partner, eingelesen im Tidy-Format.",
        "wie bei der jeweiligen Quelle angegeben",
    ),
}
SOURCE_ORDER = ("inkar", "census2022", "opensdg", "vg5000", "leavers", "tidy")


def sources_used() -> list[Source]:
    """The sources the loaded data came from (formats in the import history), in fixed order."""
    formats = set(ImportRun.objects.values_list("format", flat=True))
    return [SOURCES[name] for name in SOURCE_ORDER if name in formats]


def peer_table(
    county: Area | None, group: PeerGroup | None, numbering: Numbering
) -> NumberedTable | None:
    """The city's structurally similar counties with their distance, as the report uses them."""
    if county is None or group is None or not group.peers:
        return None
    rows = [
        Row(f"{peer.name} ({peer.code})", [presenting.cell(peer.distance, 2)])
        for peer in group.peers
    ]
    table = Table(
        f"Strukturähnliche Kreise von {county.name} (Strukturdaten {group.year})",
        "Kreis",
        ["Abstand"],
        rows,
    )
    return numbering.table(table, "Kleiner Abstand = ähnlicher; die Merkmale nennt der Text.")


# --- the whole report ----------------------------------------------------------------------


def report_context(year: int) -> dict[str, Any]:
    """Everything the report template shows, numbers already through the gate."""
    city = current_city()
    if not Goal.objects.exists():
        raise ReportError("Es sind keine Ziele geladen (lernstadt load_monitoring).")
    numbering = Numbering()
    county = Area.objects.filter(code__in=same_place(city.ags), level=Area.Level.COUNTY).first()
    group = peer_group(county) if county is not None else None
    gate = Gate(year, [peer.code for peer in group.peers] if group else [])
    chapters = goal_chapters(city.ags, gate, numbering)
    peers = peer_table(county, group, numbering)
    annex_indicators = list(numbering.annex)
    annex_leavers = leaver_tables(year, numbering)
    indicators = unique_indicators(chapters)
    return {
        "year": year,
        "city": city.name,
        "operator": city.text("operator"),
        "portal": city.text("portal_name"),
        "chapters": chapters,
        "indicators": indicators,
        "peer_table": peers,
        "peer_features": [
            feature_name(code) for code in (group.features if group else PEER_FEATURES)
        ],
        "annex_indicators": annex_indicators,
        "annex_leavers": annex_leavers,
        "sources": sources_used(),
        "invented_leavers": demo.example_leavers_loaded(),
        "minimum": int(settings.LERNSTADT_DISCLOSURE_MIN_COUNT),
        "vocational_school": derive.VOCATIONAL_SCHOOL,
        "css": render_to_string("monitoring/report/report.css"),
    }


def unique_indicators(chapters: Sequence[GoalChapter]) -> list[IndicatorSection]:
    """Each indicator once, in the order it first appears (for the definitions)."""
    seen: dict[str, IndicatorSection] = {}
    for chapter in chapters:
        for section in chapter.sections:
            seen.setdefault(section.indicator.code, section)
    return list(seen.values())


def feature_name(code: str) -> str:
    found = Indicator.objects.filter(code=code).first()
    return f"{found.name_de} ({code})" if found else code


def render_report(year: int) -> str:
    """The report as one self-contained HTML page (German)."""
    with translation.override("de"):
        return render_to_string(TEMPLATE, report_context(year))


# --- the PDF -------------------------------------------------------------------------------


def pdf_from_html(html: str) -> tuple[bytes, int]:
    """The PDF/UA-1 (tagged) rendering of ``html`` and its number of pages."""
    import weasyprint  # heavy (Pango, fonts): loaded only when a report is built

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, url_fetcher=local_only_fetcher()).render()
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True)
    return pdf, len(document.pages)


def local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing but ``data:`` URLs.

    The report holds everything it shows; a URL to fetch would be a mistake (or a
    leak to a third party), so it stops the build instead of being skipped.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise FatalURLFetchingError(f"Der Bericht lädt nichts nach: {url[:200]}")

    return LocalOnly()


def build_report(year: int, output_dir: Path | str) -> ReportFiles:
    """Write ``report.html`` and ``report.pdf`` for ``year`` into ``output_dir``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReportError(f"{year} ist kein Berichtsjahr ({FIRST_YEAR}–{LAST_YEAR}).")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    html = render_report(year)
    pdf, pages = pdf_from_html(html)
    html_path, pdf_path = folder / FILE_NAMES[0], folder / FILE_NAMES[1]
    write_replacing(html_path, html.encode("utf-8"))
    write_replacing(pdf_path, pdf)
    return ReportFiles(html_path, pdf_path, pages)


def write_replacing(path: Path, data: bytes) -> None:
    """Write ``data`` next to ``path`` and move it into place: never a half-written report."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
