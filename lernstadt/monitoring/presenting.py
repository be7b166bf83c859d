"""How the monitoring speaks to people: numbers in the reader's language, comparisons in words.

The public pages and the yearly report show values only through these helpers,
so that "34,7 %" and "besser als 9 von 53 Kreisen" read the same everywhere.
Every value here has passed the disclosure gate (it comes from
:func:`lernstadt.monitoring.summary.indicator_summary` or
:func:`lernstadt.monitoring.publishing.publish`); a withheld value is ``None``
and is shown as ``.`` with an explanation, never as zero.
"""

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from lernstadt.catalog.formats.school_register import SCHOOL_TYPES
from lernstadt.catalog.taxonomy import LifePhase
from lernstadt.monitoring import compute
from lernstadt.monitoring.comparison import standings
from lernstadt.monitoring.derive import LEAVER_INDICATORS
from lernstadt.monitoring.disclosure import CONFIDENTIAL, ZERO
from lernstadt.monitoring.models import Area, Direction, Goal, Indicator, Measure
from lernstadt.monitoring.summary import IndicatorSummary
from lernstadt.monitoring.tables import UNKNOWN as UNKNOWN_BOROUGH

MINUS = "\u2212"
NBSP = "\u00a0"
# A rank or median among fewer areas says nothing (one city alone is always "first").
MIN_COMPARABLE = 3

VALUE_FORMATS: dict[str, Promise] = {
    "percent": _("%(number)s %%"),
    "percentage points": _("%(number)s Prozentpunkte"),
    "per 100": _("%(number)s je 100"),
    "per 1000": _("%(number)s je 1.000"),
    "per 10000": _("%(number)s je 10.000"),
    "persons": _("%(number)s Personen"),
    "years": _("%(number)s Jahre"),
    "EUR": _("%(number)s Euro"),
    "EUR/m2": _("%(number)s Euro/m²"),
    "m2": _("%(number)s m²"),
}
UPDATE_CYCLES: dict[str, Promise] = {
    "yearly": _("jährlich"),
    "monthly": _("monatlich"),
    "quarterly": _("vierteljährlich"),
    "irregular": _("unregelmäßig"),
}
DIRECTION_SENTENCES: dict[str, Promise] = {
    Direction.UP: _("Ein höherer Wert ist besser."),
    Direction.DOWN: _("Ein niedrigerer Wert ist besser."),
    Direction.TOWARDS_ZERO: _(
        "Ein Wert nahe null ist besser: dann gibt es zwischen den Gruppen keinen Abstand."
    ),
    Direction.CONTEXT: _(
        "Der Wert beschreibt die Lage; ein höherer oder niedrigerer Wert ist nicht an sich besser."
    ),
}
STATUS_LABELS: dict[str, Promise] = {
    compute.Status.ACHIEVED: _("erreicht"),
    compute.Status.ON_TRACK: _("auf Kurs"),
    compute.Status.OFF_TRACK: _("nicht auf Kurs"),
    compute.Status.NO_TARGET: _("kein Ziel gesetzt"),
}
TREND_LABELS: dict[str, Promise] = {
    "rising": _("steigend"),
    "falling": _("fallend"),
    "stable": _("ohne klare Richtung"),
}
JUDGEMENT_LABELS: dict[str, Promise] = {
    "better": _("besser"),
    "worse": _("schlechter"),
    "same": _("unverändert"),
}
DIMENSION_LABELS: dict[str, Promise] = {
    "sex": _("Geschlecht"),
    "nationality": _("Staatsangehörigkeit"),
    "school_type": _("Schulform"),
    "borough": _("Stadtbezirk"),
    "district": _("Statistischer Bezirk"),
    "life_phase": _("Lebensphase"),
    "age_group": _("Altersgruppe"),
    "qualification": _("Abschluss"),
    # Column names of Open SDG data files, kept as the city's site names them.
    "Gruppierung": _("Gruppierung"),
    "Series": _("Reihe"),
    "Units": _("Einheit"),
    "Geschlecht": _("Geschlecht"),
    "Altersgruppe": _("Altersgruppe"),
}
CATEGORY_LABELS: dict[str, dict[str, Promise]] = {
    "sex": {"f": _("weiblich"), "m": _("männlich"), "d": _("divers")},
    "Geschlecht": {"weiblich": _("weiblich"), "männlich": _("männlich"), "divers": _("divers")},
    "nationality": {"german": _("deutsch"), "foreign": _("nichtdeutsch")},
    "borough": {UNKNOWN_BOROUGH: _("ohne Stadtbezirk")},
    "life_phase": dict(LifePhase.choices),
    "Gruppierung": {
        "Kinderarmut": _("Kinderarmut"),
        "Jugendarmut": _("Jugendarmut"),
        "Altersarmut": _("Altersarmut"),
    },
    "qualification": {
        "none": _("ohne Hauptschulabschluss"),
        "hsa": _("Hauptschulabschluss nach Klasse 9"),
        "hsa10": _("Hauptschulabschluss nach Klasse 10"),
        "msa": _("Fachoberschulreife"),
        "fhr": _("Fachhochschulreife"),
        "ahr": _("Allgemeine Hochschulreife"),
    },
}
# The school forms a monitoring breakdown shows, in the reader's language; other codes
# fall back to the register's German name.
SCHOOL_TYPE_LABELS: dict[str, Promise] = {
    "02": _("Grundschule"),
    "04": _("Hauptschule"),
    "08": _("Förderschule"),
    "10": _("Realschule"),
    "13": _("PRIMUS-Schule"),
    "14": _("Sekundarschule"),
    "15": _("Gesamtschule"),
    "16": _("Gemeinschaftsschule"),
    "17": _("Freie Waldorfschule"),
    "18": _("Hiberniaschule"),
    "20": _("Gymnasium"),
    "25": _("Weiterbildungskolleg"),
    "30": _("Berufskolleg"),
}
AGE_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
AGE_FROM = re.compile(r"(\d+)\s*\+")
MEASURE_STATUS_CLASSES: dict[str, str] = {
    Measure.Status.PLANNED: "planned",
    Measure.Status.IN_PROGRESS: "in-progress",
    Measure.Status.DONE: "done",
    Measure.Status.PAUSED: "paused",
}


# --- the language of the page -------------------------------------------------------------


def in_english() -> bool:
    return (get_language() or "de").startswith("en")


def goal_title(goal: Goal) -> str:
    return goal.title_en if in_english() and goal.title_en else goal.title_de


def goal_statement(goal: Goal) -> str:
    return goal.statement_en if in_english() and goal.statement_en else goal.statement_de


def indicator_name(indicator: Indicator) -> str:
    return indicator.name_en if in_english() and indicator.name_en else indicator.name_de


def source_text(indicator: Indicator) -> str:
    """The source line under a chart: the indicator's own source, except that leaver
    figures say they are invented while the demo's example records are loaded, so a
    chart copied on its own cannot pass for the city's real numbers."""
    from lernstadt.monitoring import demo  # the demo loads the importers

    if indicator.code in LEAVER_INDICATORS and demo.example_leavers_loaded():
        return gettext("erfundene Beispieldaten der Demo, keine echten Zahlen der Stadt")
    return indicator.source


def indicator_definition(indicator: Indicator) -> str:
    if in_english() and indicator.definition_en:
        return indicator.definition_en
    return indicator.definition_de or indicator.definition_en


def measure_title(measure: Measure) -> str:
    return measure.title_en if in_english() and measure.title_en else measure.title_de


def measure_description(measure: Measure) -> str:
    if in_english() and measure.description_en:
        return measure.description_en
    return measure.description_de


def localized_field(indicator: Indicator, stem: str) -> str:
    """An optional text field of the indicator (``<stem>_de`` / ``<stem>_en``), '' when absent.

    The pages show plain-language texts as soon as the model has them; until then
    they fall back to what exists (see the report of the public pages).
    """
    german = str(getattr(indicator, f"{stem}_de", "") or "")
    english = str(getattr(indicator, f"{stem}_en", "") or "")
    return english if in_english() and english else german


# --- numbers ---------------------------------------------------------------------------------


def number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places in the reader's notation: 1.234,5 or 1,234.5."""
    rounded = compute.half_up(value, decimals)  # the charts round alike
    text = number_format(rounded, decimal_pos=decimals, force_grouping=True)
    return text.replace("-", MINUS)


def with_unit(text: str, unit: str) -> str:
    """A formatted number with its unit; the number never parts from the unit's first word."""
    template = VALUE_FORMATS.get(unit)
    if template is not None:
        shown = str(template) % {"number": text}
    elif unit in ("count", "index", ""):
        shown = text
    else:
        shown = f"{text} {unit}"
    return shown.replace(f"{text} ", f"{text}{NBSP}", 1)


def value_text(value: float | None, indicator: Indicator) -> str:
    """A published value with its unit; ``.`` when withheld or not available."""
    if value is None:
        return CONFIDENTIAL
    return with_unit(number(value, indicator.decimals), indicator.unit)


def plain_value(value: float | None, decimals: int) -> str:
    """A value for a table cell whose column names the unit; ``.`` when withheld."""
    return CONFIDENTIAL if value is None else number(value, decimals)


def change_unit(unit: str) -> str:
    """The unit of a difference: the difference of two percentages is in percentage points."""
    return "percentage points" if unit == "percent" else unit


def signed(value: float, decimals: int) -> str:
    text = number(value, decimals)
    if compute.half_up(value, decimals) > 0:
        return "+" + text
    return text if text.startswith(MINUS) else text.lstrip("+")


def change_text(value: float, indicator: Indicator) -> str:
    """A change with its sign and unit: "+1,2 Prozentpunkte"."""
    return with_unit(signed(value, indicator.decimals), change_unit(indicator.unit))


def update_cycle(cycle: str) -> str:
    """How often the data is updated, in words ("jährlich")."""
    name = UPDATE_CYCLES.get(cycle)
    return str(name) if name is not None else cycle


# --- judgements in words ------------------------------------------------------------------


def judgement(direction: str, before: float, after: float) -> str:
    """Whether going from ``before`` to ``after`` is ``better``, ``worse`` or the ``same``.

    '' for context indicators: they describe, they do not judge.
    """
    if direction == Direction.CONTEXT:
        return ""
    if direction == Direction.TOWARDS_ZERO:
        before, after = -abs(before), -abs(after)
    elif direction == Direction.DOWN:
        before, after = -before, -after
    if after > before:
        return "better"
    if after < before:
        return "worse"
    return "same"


def is_better(direction: str, value: float, other: float) -> bool:
    """Whether ``value`` is strictly better than ``other`` in the good direction."""
    return judgement(direction, other, value) == "better"


@dataclass(frozen=True)
class Change:
    """The change of the latest value over some years, in words."""

    years: int
    since: int  # the year compared with
    text: str  # "+1,2 Prozentpunkte"
    judgement: str  # "better", "worse", "same" or ""

    @property
    def judgement_label(self) -> str:
        label = JUDGEMENT_LABELS.get(self.judgement)
        return str(label) if label is not None else ""


def changes(summary: IndicatorSummary, years: Sequence[int] = (1, 5)) -> list[Change]:
    """The changes over ``years`` up to the latest value, where both years have a value."""
    if summary.latest is None:
        return []
    series = summary.values()
    found = []
    for span in years:
        difference = summary.changes.get(span)
        before = series.get(summary.latest.period - span)
        if difference is None or before is None:
            continue
        found.append(
            Change(
                span,
                summary.latest.period - span,
                change_text(difference, summary.indicator),
                judgement(summary.indicator.direction, before, summary.latest.value),
            )
        )
    return found


@dataclass(frozen=True)
class TargetView:
    """The target that counts now and where the indicator stands against it."""

    status: str  # achieved, on_track, off_track, no_target
    label: str  # "auf Kurs"
    text: str  # "mindestens 42 % bis 2018" ('' without a target)
    note: str = ""


def target_view(summary: IndicatorSummary) -> TargetView:
    target = summary.target
    if target is None:
        status = compute.Status.NO_TARGET
        return TargetView(str(status), str(STATUS_LABELS[status]), "")
    value = value_text(target.value, summary.indicator)
    if target.direction == "at_most":
        text = gettext("höchstens %(value)s bis %(year)s")
    else:
        text = gettext("mindestens %(value)s bis %(year)s")
    return TargetView(
        str(target.status),
        str(STATUS_LABELS[target.status]),
        text % {"value": value, "year": target.year},
        target.note,
    )


def trend_text(summary: IndicatorSummary) -> str:
    """The trend of the last years in words: "steigend (+0,3 Prozentpunkte pro Jahr, 2013–2022)"."""
    trend = summary.trend
    if trend is None:
        return ""
    slope = change_text(trend.slope, summary.indicator)
    return gettext("%(label)s (%(slope)s pro Jahr, %(first)s–%(last)s)") % {
        "label": TREND_LABELS[trend.label],
        "slope": slope,
        "first": trend.first,
        "last": trend.last,
    }


def state_name(area: Area) -> str:
    """The name of the state an official key belongs to ("Nordrhein-Westfalen")."""
    state = Area.objects.filter(code=area.code[:2], level=Area.Level.STATE).first()
    return state.name if state else area.code[:2]


def worse_count(summary: IndicatorSummary) -> int | None:
    """How many areas of the state are strictly worse than ``summary.area`` (ties are not)."""
    if summary.latest is None or summary.rank is None:
        return None
    area, indicator = summary.area, summary.indicator
    found = standings(indicator, summary.latest.period, level=area.level, state=area.code[:2])
    own = summary.latest.value
    return sum(
        1 for standing in found.values() if is_better(indicator.direction, own, standing.value)
    )


def state_comparison(summary: IndicatorSummary, state: str) -> list[str]:
    """The state comparison as sentences: better than how many, and the median."""
    if summary.latest is None or summary.of is None or summary.of < MIN_COMPARABLE:
        return []
    sentences = []
    worse = worse_count(summary)
    if worse is not None:
        if summary.area.level == Area.Level.COUNTY:
            template = ngettext(
                "besser als %(worse)s von %(of)s Kreis und kreisfreien Städten in %(state)s",
                "besser als %(worse)s von %(of)s Kreisen und kreisfreien Städten in %(state)s",
                summary.of,
            )
        else:
            template = ngettext(
                "besser als %(worse)s von %(of)s Gemeinde in %(state)s",
                "besser als %(worse)s von %(of)s Gemeinden in %(state)s",
                summary.of,
            )
        sentences.append(template % {"worse": worse, "of": summary.of, "state": state})
    if summary.state_median is not None:
        sentences.append(
            gettext("Median %(state)s: %(value)s")
            % {"state": state, "value": value_text(summary.state_median, summary.indicator)}
        )
    return sentences


def peer_comparison(summary: IndicatorSummary) -> str:
    """How the area fares among its structurally similar counties, in words."""
    if summary.latest is None or summary.indicator.direction == Direction.CONTEXT:
        return ""
    values = [peer.value for peer in summary.peers if peer.value is not None]
    if not values:
        return ""
    own = summary.latest.value
    worse = sum(1 for value in values if is_better(summary.indicator.direction, own, value))
    return ngettext(
        "besser als %(worse)s von %(of)s strukturähnlichen Kreis",
        "besser als %(worse)s von %(of)s strukturähnlichen Kreisen",
        len(values),
    ) % {"worse": worse, "of": len(values)}


# --- an indicator at a glance ----------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """What the dashboard (and the report) says about one indicator in one area."""

    indicator: Indicator
    area: Area
    name: str
    latest: str  # "34,66 %"; '' without any published value
    latest_period: int | None
    changes: list[Change]
    trend: str
    target: TargetView
    comparisons: list[str]  # sentences: state, median, peers
    direction: str  # the direction sentence
    points: list[tuple[int, float | None]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.latest_period is not None

    @property
    def first_period(self) -> int | None:
        return self.points[0][0] if self.points else None


def card(summary: IndicatorSummary) -> Card:
    """The card of an indicator summary: every value formatted, every comparison in words."""
    indicator = summary.indicator
    comparisons = []
    if summary.area.level in (Area.Level.COUNTY, Area.Level.MUNICIPALITY):
        comparisons = state_comparison(summary, state_name(summary.area))
    peers = peer_comparison(summary)
    if peers:
        comparisons.append(peers)
    return Card(
        indicator=indicator,
        area=summary.area,
        name=indicator_name(indicator),
        latest=value_text(summary.latest.value, indicator) if summary.latest else "",
        latest_period=summary.latest.period if summary.latest else None,
        changes=changes(summary),
        trend=trend_text(summary),
        target=target_view(summary),
        comparisons=comparisons,
        direction=str(DIRECTION_SENTENCES.get(indicator.direction, "")),
        points=[(point.period, point.value) for point in summary.series],
    )


# --- breakdowns ----------------------------------------------------------------------------------


def dimension_label(dimension: str) -> str:
    """A breakdown dimension in words: "Geschlecht"; an unknown one as readable as its name."""
    label = DIMENSION_LABELS.get(dimension)
    if label is not None:
        return str(label)
    text = readable(dimension)
    return text[:1].upper() + text[1:]


def category_label(dimension: str, category: str) -> str:
    """A category of a breakdown in words: "weiblich", "Gymnasium", "0 bis 17 Jahre".

    A category nobody has named yet is shown as the source wrote it, without underscores.
    """
    label = CATEGORY_LABELS.get(dimension, {}).get(category)
    if label is not None:
        return str(label)
    if dimension == "school_type":
        return school_type_label(category)
    if dimension in ("age_group", "Altersgruppe"):
        return age_group_label(category)
    return readable(category)


def readable(code: str) -> str:
    """A code as words: ``life_phase`` -> ``life phase``; an empty code stays empty."""
    return " ".join(code.replace("_", " ").split()) or code


def school_type_label(code: str) -> str:
    """An NRW school form key in words ("20" -> "Gymnasium")."""
    label = SCHOOL_TYPE_LABELS.get(code)
    if label is not None:
        return str(label)
    if code in SCHOOL_TYPES:
        return SCHOOL_TYPES[code]
    return gettext("Schulform %(code)s") % {"code": code}


def age_group_label(code: str) -> str:
    """An age group code in words: "0-17" -> "0 bis 17 Jahre", "65+" -> "65 Jahre und älter"."""
    found = AGE_RANGE.fullmatch(code.strip())
    if found:
        return gettext("%(low)s bis %(high)s Jahre") % {"low": found[1], "high": found[2]}
    found = AGE_FROM.fullmatch(code.strip())
    if found:
        return gettext("%(low)s Jahre und älter") % {"low": found[1]}
    return readable(code)


def total_label() -> str:
    return pgettext("all groups together", "Gesamt")


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A table cell: the text, and whether it stands for a withheld or missing value."""

    text: str
    withheld: bool = False
    zero: bool = False
    highlight: bool = False


def cell(value: float | None, decimals: int, symbol: str = "", *, highlight: bool = False) -> Cell:
    if value is None:
        return Cell(CONFIDENTIAL, withheld=True, highlight=highlight)
    return Cell(number(value, decimals), zero=symbol == ZERO, highlight=highlight)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    highlight: bool = False


@dataclass(frozen=True)
class Table:
    """The data of a chart as an HTML table: a caption, column headers and labelled rows."""

    caption: str
    corner: str  # the header of the row labels ("Jahr")
    columns: list[str]
    rows: list[Row]

    @property
    def has_withheld(self) -> bool:
        return any(item.withheld for row in self.rows for item in row.cells)


def series_table(
    caption: str,
    lines: Sequence[tuple[str, Mapping[int, float | None]]],
    decimals: int,
    *,
    corner: str = "",
) -> Table:
    """One row per period, one column per line; a period a line lacks shows ``.``."""
    periods = sorted({period for _, values in lines for period in values})
    rows = [
        Row(str(period), [cell(values.get(period), decimals) for _, values in lines])
        for period in periods
    ]
    return Table(caption, corner or gettext("Jahr"), [label for label, _ in lines], rows)


def median_by_period(values: Sequence[tuple[int, float | None]]) -> dict[int, float]:
    """The median of the published values per period (periods with too few values left out)."""
    by_period: dict[int, list[float]] = {}
    for period, value in values:
        if value is not None:
            by_period.setdefault(period, []).append(value)
    return {
        period: statistics.median(found)
        for period, found in sorted(by_period.items())
        if len(found) >= MIN_COMPARABLE
    }
