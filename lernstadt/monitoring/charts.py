"""Charts and maps of the monitoring as SVG, drawn on the server (Vega-Lite via Altair).

Each function returns one ``<svg>`` element as a string, ready to be put into a page
or the report as it is (``{{ svg|safe }}`` in a template):

- ``role="img"`` with an ``aria-label`` and a ``<title>`` and ``<desc>`` that say
  what the chart shows; the same data always stands next to it as an HTML table.
- No script, no event handler, no link, no ``style`` attribute, no font or file
  from anywhere: vl-convert renders offline (``allowed_base_urls=[]``) with the
  generic ``sans-serif`` font the reader's machine has.
- Readable in black and white and by colour-blind readers: the Okabe–Ito palette
  plus a line dash and a point shape per role, a light-to-dark sequence in maps.
- Numbers and labels in the active language (German: decimal comma); periods as
  plain years.
- A withheld value (``None``) is never drawn as zero: a gap in the line, a "."
  in bars and maps, with a legend entry saying so.

Embedding (decided here, used by the pages and the report): the SVG is put
**inline** into the HTML. vl-convert writes presentation attributes only
(``fill="…"``), never ``style="…"``; :func:`finish` still turns any stray
``style`` into attributes and removes anything active, so the site's strict
Content-Security-Policy (no inline styles, no inline scripts; lernstadt/lib/csp.py)
holds. Ids inside each SVG carry a prefix made from its content, so several
charts on one page do not clash. WeasyPrint draws the same inline SVG in the PDF.
"""

import functools
import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar
from xml.etree import ElementTree as ET

import altair as alt
import vl_convert as vlc
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lernstadt.monitoring import compute

SVG = "http://www.w3.org/2000/svg"

Role = Literal["area", "state", "peers", "target", "compare"]
Value = float | None
Points = Sequence[tuple[int, Value]]

FONT = "sans-serif"
INK = "#000000"
GRID = "#d9d9d9"
# A fill no chart uses; finish() replaces it with the hatch pattern (Vega has no patterns).
HATCH_SENTINEL = "#010203"
DOTS_SENTINEL = "#010204"
WITHHELD = "."
WIDTH, HEIGHT = 560, 260


@dataclass(frozen=True)
class Style:
    colour: str
    dash: list[int]
    shape: str
    width: float


# Okabe–Ito colours; dash and shape tell the roles apart without colour.
STYLES: dict[str, Style] = {
    "area": Style("#0072B2", [], "circle", 3),
    "state": Style("#D55E00", [7, 4], "square", 2),
    "peers": Style("#009E73", [2, 3], "triangle-up", 1.5),
    "target": Style(INK, [10, 3, 2, 3], "diamond", 1.5),
}
# Lines of role "compare" (several areas side by side) take these in turn.
COMPARE_STYLES = [
    Style("#D55E00", [7, 4], "square", 2),
    Style("#009E73", [2, 3], "triangle-up", 2),
    Style("#CC79A7", [10, 3, 2, 3], "diamond", 2),
    Style("#E69F00", [4, 2], "triangle-down", 2),
    Style("#56B4E9", [12, 4], "cross", 2),
    Style(INK, [1, 3], "triangle-right", 2),
    Style("#0072B2", [6, 2, 1, 2], "triangle-left", 2),
]


@dataclass(frozen=True)
class Line:
    """One line of a time series: its label, its points and the role that styles it.

    Lines with the same label share one legend entry (give all peer lines one
    label, e.g. "ähnliche Kreise").
    """

    label: str
    points: Points
    role: Role = "area"


class TargetLike(Protocol):
    """A target as the charts need it (a ``Target`` or a summary's ``TargetStanding``)."""

    @property
    def year(self) -> int: ...

    @property
    def value(self) -> float: ...

    @property
    def direction(self) -> str: ...


# --- words and numbers -----------------------------------------------------------


UNITS = (
    "percent",
    "percentage points",
    "per 100",
    "per 1000",
    "per 10000",
    "count",
    "persons",
    "years",
    "EUR",
    "EUR/m2",
    "m2",
    "index",
)


def unit_code(unit: str) -> str:
    """The unit's code, also when given as the word a page shows ("Prozent" -> "percent")."""
    if unit in UNITS:
        return unit
    words = {unit_label(code).lower(): code for code in UNITS}
    words.update({"%": "percent", "euro/m²": "EUR/m2"})
    return words.get(unit.lower(), unit)


def unit_label(unit: str) -> str:
    """The unit as an axis title in the active language ("percent" -> "Prozent")."""
    labels = {
        "percent": _("Prozent"),
        "percentage points": _("Prozentpunkte"),
        "per 100": _("je 100"),
        "per 1000": _("je 1.000"),
        "per 10000": _("je 10.000"),
        "count": _("Anzahl"),
        "persons": _("Personen"),
        "years": _("Jahre"),
        "EUR": _("Euro"),
        "EUR/m2": _("Euro je m²"),
        "m2": _("m²"),
        "index": _("Index"),
    }
    return labels.get(unit, unit)


def unit_symbol(unit: str) -> str:
    """The unit written after a number ("percent" -> "%"); "" when the axis says it."""
    symbols = {
        "percent": "%",
        "percentage points": _("Prozentpunkte"),
        "per 100": _("je 100"),
        "per 1000": _("je 1.000"),
        "per 10000": _("je 10.000"),
        "years": _("Jahre"),
        "EUR": "€",
        "EUR/m2": "€/m²",
        "m2": "m²",
    }
    return symbols.get(unit_code(unit), "")


def format_number(value: float, decimals: int = 1, *, plain: bool = False) -> str:
    """The value as the active language writes it: ``1.234,5`` in German.

    Rounded half up, as official statistics round (20,25 -> 20,3); ``plain`` gives
    the rounded number as Python writes it.
    """
    rounded = compute.half_up(value, decimals)
    if plain:
        return str(rounded)
    return number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def format_value(value: Value, unit: str, decimals: int = 1) -> str:
    """The value with its unit, or the symbol "." when it is withheld."""
    if value is None:
        return WITHHELD
    symbol = unit_symbol(unit)
    number = format_number(value, decimals)
    return f"{number}\N{NO-BREAK SPACE}{symbol}" if symbol else number


def source_line(source: str) -> str:
    return _("Quelle: %(source)s") % {"source": source} if source else ""


def withheld_note() -> str:
    return _(". = geheim gehalten (kleine Zahl)")


def gap_note() -> str:
    return _("Lücke in der Linie = kein veröffentlichter Wert (geheim gehalten oder fehlend)")


def d3_locale() -> Literal["de-DE", "en-GB"]:
    """The number format of the active language for Vega (decimal comma in German)."""
    return "de-DE" if (translation.get_language() or "de").startswith("de") else "en-GB"


# --- rendering -------------------------------------------------------------------


def base_config() -> dict[str, Any]:
    """Fonts, sizes and colours every chart shares; no per-mark ARIA (the SVG is one image)."""
    text = {"labelFont": FONT, "titleFont": FONT, "labelColor": INK, "titleColor": INK}
    return {
        "aria": False,
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "axis": {
            **text,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "gridColor": GRID,
            "domainColor": "#737373",
            "tickColor": "#737373",
        },
        "legend": {**text, "labelFontSize": 11, "titleFontSize": 11, "labelLimit": 260},
        "title": {"font": FONT, "fontSize": 14, "color": INK, "anchor": "start", "offset": 10},
        "text": {"font": FONT, "color": INK},
    }


# The rows of the chart being built. Altair deep-copies inline data, which for a
# map's boundaries costs more than drawing them: rows go into the spec's top-level
# "datasets" instead, by name. One registry per thread (context).
PENDING: ContextVar[dict[str, list[Any]] | None] = ContextVar("chart_rows", default=None)


def dataset(rows: list[Any]) -> alt.Data:
    """A named reference to ``rows``; :func:`render` puts the rows into the spec."""
    pending = PENDING.get()
    if pending is None:
        pending = {}
        PENDING.set(pending)
    name = f"rows{len(pending)}"
    pending[name] = rows
    return alt.Data(name=name)


def chart_svg(chart: alt.TopLevelMixin, *, title: str, summary: str) -> str:
    """Render ``chart`` and make it a safe, accessible image (see :func:`finish`)."""
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    spec["datasets"] = PENDING.get() or {}
    spec["config"] = base_config()
    PENDING.set(None)
    text = json.dumps(spec, separators=(",", ":"))
    return finish(render_spec(text, d3_locale()), title=title, summary=summary)


# Pages show the same charts again and again, and building a spec with Altair costs
# about as much as drawing it: finished SVGs are kept by their inputs and language.
CACHE: OrderedDict[str, str] = OrderedDict()
CACHE_LOCK = threading.Lock()
CACHE_SIZE = 256
Draw = TypeVar("Draw", bound=Callable[..., str])


def remembered(draw: Draw) -> Draw:
    """Keep the last :data:`CACHE_SIZE` charts drawn, keyed by the call and the language."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        call = [draw.__name__, translation.get_language(), plain(args), plain(kwargs)]
        key = hashlib.sha256(json.dumps(call, sort_keys=True, default=repr).encode()).hexdigest()
        with CACHE_LOCK:
            if key in CACHE:
                CACHE.move_to_end(key)
                return CACHE[key]
        svg = draw(*args, **kwargs)
        with CACHE_LOCK:
            CACHE[key] = svg
            while len(CACHE) > CACHE_SIZE:
                CACHE.popitem(last=False)
        return svg

    return wrapper  # type: ignore[return-value]


def plain(value: Any) -> Any:
    """The inputs of a chart as plain JSON data, for the cache key."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Line):
        return [value.label, plain(value.points), value.role]
    if isinstance(value, Mapping):
        return [[str(key), plain(item)] for key, item in value.items()]
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if all(hasattr(value, name) for name in ("year", "value", "direction")):
        return [value.year, value.value, value.direction]
    if all(hasattr(value, name) for name in ("code", "version")):  # a map's area
        return [value.code, value.name, value.version, value.attribution]
    return repr(value)


def render_spec(spec: str, locale: Literal["de-DE", "en-GB"]) -> str:
    """The raw SVG from vl-convert, fetching nothing from anywhere."""
    return str(vlc.vegalite_to_svg(spec, format_locale=locale, allowed_base_urls=[]))


ACTIVE = {"script", "foreignObject", "a", "iframe", "image", "use", "style"}
DROPPED_ATTRIBUTES = ("role", "aria-roledescription", "aria-label", "aria-hidden", "tabindex")
URL_REFERENCE = re.compile(r"url\(#([^)]+)\)")


def finish(svg: str, *, title: str, summary: str) -> str:
    """Make vl-convert's SVG one accessible, inert image with ids unique to it.

    Adds ``role="img"``, ``aria-label``, ``<title>`` and ``<desc>``; removes
    scripts, links and event handlers; turns ``style`` into attributes; prefixes
    ids; fills the hatch sentinel with a hatch pattern.
    """
    # vl-convert's own output, not a file from outside: no entities, no DTD.
    root = ET.fromstring(svg)  # noqa: S314
    prefix = "c" + hashlib.sha1(svg.encode(), usedforsecurity=False).hexdigest()[:8]
    for parent in root.iter():
        for child in list(parent):
            if local_name(child.tag) in ACTIVE:
                parent.remove(child)
    for element in root.iter():
        clean_attributes(element, prefix)
    root.set("role", "img")
    root.set("aria-label", f"{title}. {summary}".strip(" ."))
    root.set("class", "chart")
    defs = ET.Element(f"{{{SVG}}}defs")
    defs.append(hatch_pattern(f"{prefix}-hatch"))
    defs.append(dots_pattern(f"{prefix}-dots"))
    heading = ET.Element(f"{{{SVG}}}title")
    heading.text = title
    description = ET.Element(f"{{{SVG}}}desc")
    description.text = summary
    for position, element in enumerate((heading, description, defs)):
        root.insert(position, element)
    return serialise(root)


def serialise(root: ET.Element) -> str:
    """The SVG as text with SVG as its default namespace: ``<svg>``, never ``<ns0:svg>``.

    ElementTree's registry of prefixes is global (WeasyPrint maps the empty prefix
    to no namespace when a report is built), so the tags are written plain and the
    namespace is declared here.
    """
    qualified = f"{{{SVG}}}"
    for element in root.iter():
        if element.tag.startswith(qualified):
            element.tag = element.tag[len(qualified) :]
    root.set("xmlns", SVG)
    return ET.tostring(root, encoding="unicode")


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def clean_attributes(element: ET.Element, prefix: str) -> None:
    for name in list(element.attrib):
        if name.startswith("on") or name in DROPPED_ATTRIBUTES:
            del element.attrib[name]
    style = element.attrib.pop("style", "")
    for declaration in style.split(";"):
        prop, _colon, value = declaration.partition(":")
        if prop.strip() and value.strip() and "url(" not in value:
            element.set(prop.strip(), value.strip())
    if "id" in element.attrib:
        element.set("id", f"{prefix}-{element.attrib['id']}")
    for name, value in list(element.attrib.items()):
        if value.lower() == HATCH_SENTINEL:
            element.set(name, f"url(#{prefix}-hatch)")
        elif value.lower() == DOTS_SENTINEL:
            element.set(name, f"url(#{prefix}-dots)")
        elif "url(#" in value:
            element.set(name, URL_REFERENCE.sub(rf"url(#{prefix}-\1)", value))


def hatch_pattern(pattern_id: str) -> ET.Element:
    """Diagonal black hatching on white: "withheld" in colour and in black and white."""
    pattern = ET.Element(
        f"{{{SVG}}}pattern",
        {
            "id": pattern_id,
            "width": "6",
            "height": "6",
            "patternUnits": "userSpaceOnUse",
            "patternTransform": "rotate(45)",
        },
    )
    ET.SubElement(pattern, f"{{{SVG}}}rect", {"width": "6", "height": "6", "fill": "white"})
    ET.SubElement(
        pattern,
        f"{{{SVG}}}line",
        {"x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": "#404040", "stroke-width": "2"},
    )
    return pattern


def dots_pattern(pattern_id: str) -> ET.Element:
    """Sparse grey dots on white: "no data", unlike any class and unlike "withheld"."""
    pattern = ET.Element(
        f"{{{SVG}}}pattern",
        {"id": pattern_id, "width": "5", "height": "5", "patternUnits": "userSpaceOnUse"},
    )
    ET.SubElement(pattern, f"{{{SVG}}}rect", {"width": "5", "height": "5", "fill": "white"})
    ET.SubElement(
        pattern, f"{{{SVG}}}circle", {"cx": "2.5", "cy": "2.5", "r": "0.9", "fill": "#737373"}
    )
    return pattern


# --- shared pieces ---------------------------------------------------------------


def footnote(lines: Sequence[str], y: float) -> alt.Chart:
    """Source and notes below the plot, left-aligned, one text line each."""
    shown = [line for line in lines if line]
    return (
        alt.Chart(dataset([{}]))
        .mark_text(align="left", baseline="top", fontSize=10, lineHeight=14, color="#333333")
        .encode(x=alt.XValue(0), y=alt.YValue(y), text=alt.TextValue(shown or [""]))
    )


MAX_YEAR_LABELS = 12


def year_axis(periods: Iterable[int]) -> alt.Axis:
    """Years as plain numbers (2015, never "2.015"), only whole years, at most 12 labels."""
    years = sorted(set(periods))
    step = max(1, math.ceil(len(years) / MAX_YEAR_LABELS))
    shown = years[::-1][::step][::-1]  # always label the latest year
    return alt.Axis(title=None, format="d", values=shown, labelOverlap=True, grid=False)


def describe_series(label: str, points: Points, unit: str, decimals: int) -> str:
    shown = [(period, value) for period, value in points if value is not None]
    if not shown:
        return _("%(label)s: kein veröffentlichter Wert") % {"label": label}
    (first, start), (last, end) = shown[0], shown[-1]
    withheld = sum(1 for _period, value in points if value is None)
    text = _("%(label)s: %(first)s %(start)s, %(last)s %(end)s") % {
        "label": label,
        "first": first,
        "start": format_value(start, unit, decimals),
        "last": last,
        "end": format_value(end, unit, decimals),
    }
    if withheld:
        text += " " + ngettext(
            "(%(count)s Jahr ohne veröffentlichten Wert)",
            "(%(count)s Jahre ohne veröffentlichten Wert)",
            withheld,
        ) % {"count": withheld}
    return text


# --- time series -----------------------------------------------------------------


@remembered
def time_series(
    lines: Sequence[Line],
    *,
    title: str,
    unit: str,
    source: str,
    target: TargetLike | None = None,
    decimals: int = 1,
) -> str:
    """Lines over the years: the area solid with filled circles, the state dashed,
    peers dotted, a target as a labelled horizontal rule. Withheld years break the line."""
    labels = list(dict.fromkeys(line.label for line in lines))
    roles = {line.label: line.role for line in lines}
    rows = [
        {"period": period, "value": value, "label": line.label, "series": index}
        for index, line in enumerate(lines)
        for period, value in line.points
    ]
    scales = legend_scales(labels, roles)
    base = alt.Chart(dataset(rows)).encode(
        x=alt.X(
            "period:Q",
            axis=year_axis(period for line in lines for period, _value in line.points),
            scale=alt.Scale(zero=False, nice=False),
        ),
        y=alt.Y("value:Q", title=unit_label(unit), scale=alt.Scale(zero=False)),
    )
    lines_layer = base.mark_line().encode(
        color=alt.Color("label:N", scale=scales["colour"], legend=None),
        strokeDash=alt.StrokeDash("label:N", scale=scales["dash"], legend=None),
        strokeWidth=alt.StrokeWidth("label:N", scale=scales["width"], legend=None),
        detail=alt.Detail("series:N"),
    )
    points_layer = (
        base.mark_point(filled=True, size=45, opacity=1)
        .transform_filter("isValid(datum.value)")
        .encode(
            color=alt.Color("label:N", scale=scales["colour"], legend=None),
            shape=alt.Shape("label:N", scale=scales["shape"], legend=None),
        )
    )
    layers: list[alt.Chart] = [lines_layer, points_layer, *legend_layers(labels, scales)]
    if target is not None:
        layers += target_layers(target, unit, decimals)
    withheld = [
        {"period": period}
        for line in lines
        if line.role == "area"
        for period, value in line.points
        if value is None
    ]
    if withheld:
        layers.append(withheld_marks(withheld))
    gaps = any(row["value"] is None for row in rows)
    notes = [source_line(source), gap_note() if gaps else ""]
    layers.append(footnote(notes, HEIGHT + 28))
    chart = alt.layer(*layers).properties(title=title, width=WIDTH, height=HEIGHT)
    summary = "; ".join(describe_series(line.label, line.points, unit, decimals) for line in lines)
    if target is not None:
        summary += ". " + target_text(target, unit, decimals)
    return chart_svg(chart, title=title, summary=summary)


def line_styles(labels: list[str], roles: Mapping[str, str]) -> list[Style]:
    """One style per legend label: by role, and in turn for lines to compare."""
    styles = []
    compared = 0
    for label in labels:
        role = roles[label]
        if role == "compare":
            styles.append(COMPARE_STYLES[compared % len(COMPARE_STYLES)])
            compared += 1
        else:
            styles.append(STYLES.get(role, STYLES["area"]))
    return styles


def legend_scales(labels: list[str], roles: Mapping[str, str]) -> dict[str, alt.Scale]:
    styles = line_styles(labels, roles)
    return {
        "colour": alt.Scale(domain=labels, range=[style.colour for style in styles]),
        "dash": alt.Scale(domain=labels, range=[style.dash or [1, 0] for style in styles]),
        "shape": alt.Scale(domain=labels, range=[style.shape for style in styles]),
        "width": alt.Scale(domain=labels, range=[style.width for style in styles]),
    }


LEGEND_ROW = 18


def legend_layers(
    labels: list[str], scales: dict[str, alt.Scale], lift: int = 2, lines: bool = True
) -> list[alt.Chart]:
    """A legend above the plot, two columns, each entry a line sample with dash and marker.

    Drawn by hand: Vega's own legend shows either the dash or the shape, not both.
    """
    columns = 2 if len(labels) > 1 else 1
    rows_needed = -(-len(labels) // columns)
    entries = [
        {
            "label": label,
            "x": (index % columns) * (WIDTH // 2),
            "y": -LEGEND_ROW * (rows_needed - index // columns) - lift,
        }
        for index, label in enumerate(labels)
    ]
    data = dataset(entries)
    x = alt.X("x:Q", scale=None)
    y = alt.Y("y:Q", scale=None)
    colour = alt.Color("label:N", scale=scales["colour"], legend=None)
    sample = (
        alt.Chart(data)
        .mark_rule()
        .transform_calculate(x2="datum.x + 32")
        .encode(
            x=x,
            x2=alt.X2("x2:Q"),
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash("label:N", scale=scales["dash"], legend=None),
            strokeWidth=alt.StrokeWidth("label:N", scale=scales["width"], legend=None),
        )
    )
    marker = (
        alt.Chart(data)
        .mark_point(filled=True, size=45, opacity=1)
        .transform_calculate(middle="datum.x + 16")
        .encode(
            x=alt.X("middle:Q", scale=None),
            y=y,
            color=colour,
            shape=alt.Shape("label:N", scale=scales["shape"], legend=None),
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle", dx=40 if lines else 26, fontSize=11)
        .encode(x=x, y=y, text=alt.Text("label:N"))
    )
    return [sample, marker, text] if lines else [marker, text]


def target_text(target: TargetLike, unit: str, decimals: int) -> str:
    words = _("höchstens") if target.direction == "at_most" else _("mindestens")
    return _("Ziel %(year)s: %(words)s %(value)s") % {
        "year": target.year,
        "words": words,
        "value": format_value(target.value, unit, decimals),
    }


def target_layers(target: TargetLike, unit: str, decimals: int) -> list[alt.Chart]:
    data = dataset([{"value": target.value, "text": target_text(target, unit, decimals)}])
    rule = (
        alt.Chart(data)
        .mark_rule(color=INK, strokeDash=[8, 4], strokeWidth=1.5)
        .encode(y=alt.Y("value:Q"))
    )
    label = (
        alt.Chart(data)
        .mark_text(align="right", baseline="bottom", dy=-4, fontSize=11, fontWeight="bold")
        .encode(y=alt.Y("value:Q"), x=alt.XValue(WIDTH), text=alt.Text("text:N"))
    )
    return [rule, label]


def withheld_marks(rows: list[dict[str, Any]]) -> alt.Chart:
    """A "." just above the year axis where the area's value is withheld."""
    return (
        alt.Chart(dataset(rows))
        .mark_text(baseline="bottom", fontSize=24, fontWeight="bold")
        .encode(x=alt.X("period:Q"), y=alt.YValue(HEIGHT - 2), text=alt.TextValue(WITHHELD))
    )


# --- gaps between two groups -----------------------------------------------------


@remembered
def gap_chart(
    first: Line,
    second: Line,
    *,
    title: str,
    unit: str,
    source: str,
    gap: Points | None = None,
    decimals: int = 1,
) -> str:
    """Two groups per year (e.g. girls and boys) joined by a bar: the gap, labelled in
    percentage points (first minus second).

    ``gap`` is the published gap per year; without it the gap is computed from the
    two shares. A year whose gap is withheld (or either share) shows ".".
    """
    labels = [first.label, second.label]
    roles = {first.label: "area", second.label: "state"}
    firsts, seconds = dict(first.points), dict(second.points)
    published = dict(gap) if gap is not None else None
    rows = [
        {"period": period, "value": value, "label": line.label}
        for line in (first, second)
        for period, value in line.points
    ]
    periods = sorted(set(firsts) | set(seconds) | set(published or {}))
    pairs = [
        pair_row(
            period,
            firsts.get(period),
            seconds.get(period),
            published.get(period) if published is not None else None,
            computed=published is None,
            decimals=decimals,
        )
        for period in periods
    ]
    scales = legend_scales(labels, roles)
    x = alt.X(
        "period:Q",
        axis=year_axis(periods),
        scale=alt.Scale(zero=False, nice=False, padding=16),
    )
    y = alt.Y("value:Q", title=unit_label(unit), scale=alt.Scale(zero=False))
    whole = [pair for pair in pairs if pair["gap"] is not None]
    links = (
        alt.Chart(dataset(whole))
        .mark_rule(color="#737373", strokeWidth=3)
        .encode(x=x, y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    )
    gap_labels = (
        alt.Chart(dataset(whole))
        .mark_text(baseline="bottom", dy=-8, fontSize=10)
        .encode(x=x, y=alt.Y("high:Q"), text=alt.Text("text:N"))
    )
    points = (
        alt.Chart(dataset(rows))
        .mark_point(filled=True, size=70, opacity=1)
        .transform_filter("isValid(datum.value)")
        .encode(
            x=x,
            y=y,
            color=alt.Color("label:N", scale=scales["colour"], legend=None),
            shape=alt.Shape("label:N", scale=scales["shape"], legend=None),
        )
    )
    layers = [links, gap_labels, points, *legend_layers(labels, scales, lift=22, lines=False)]
    withheld = [pair for pair in pairs if pair["gap"] is None]
    if withheld:
        layers.append(withheld_marks(withheld))
    notes = [
        source_line(source),
        _("Zahl über dem Balken: Abstand %(first)s minus %(second)s in Prozentpunkten")
        % {"first": first.label, "second": second.label},
        withheld_note() if withheld else "",
    ]
    layers.append(footnote(notes, HEIGHT + 28))
    chart = alt.layer(*layers).properties(title=title, width=WIDTH, height=HEIGHT)
    summary = "; ".join(
        describe_series(line.label, line.points, unit, decimals) for line in (first, second)
    )
    return chart_svg(chart, title=title, summary=summary)


def pair_row(
    period: int, first: Value, second: Value, gap: Value, *, computed: bool, decimals: int
) -> dict[str, Any]:
    if computed and first is not None and second is not None:
        gap = first - second
    if first is None or second is None or gap is None:
        return {"period": period, "gap": None}
    gap = float(format_number(gap, decimals, plain=True))
    sign = "+" if gap > 0 else ("−" if gap < 0 else "±")
    return {
        "period": period,
        "low": min(first, second),
        "high": max(first, second),
        "gap": gap,
        "text": sign + format_number(abs(gap), decimals),
    }


# --- ranked bars -----------------------------------------------------------------

BAR = "#9ecae1"
BAR_HIGHLIGHT = "#08519c"
BAR_HEIGHT = 20


@remembered
def ranked_bars(
    items: Sequence[tuple[str, Value]],
    *,
    title: str,
    unit: str,
    source: str,
    highlight: str | None = None,
    decimals: int = 1,
) -> str:
    """Areas (e.g. districts) as horizontal bars, largest first, each with its value.

    ``items`` are ``(label, value)``; ``highlight`` is the label drawn dark and bold.
    A withheld value gets no bar but a "." and sits at the end.
    """
    ordered = sorted(items, key=lambda item: (item[1] is None, -(item[1] or 0.0)))
    rows = [
        {
            "label": label,
            "value": value,
            "text": format_number(value, decimals) if value is not None else WITHHELD,
            "shade": "highlight" if label == highlight else "other",
        }
        for label, value in ordered
    ]
    order = [label for label, _value in ordered]
    bold = f"datum.value === {json.dumps(highlight)} ? 'bold' : 'normal'"
    y = alt.Y(
        "label:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelFontWeight=alt.ExprRef(bold), ticks=False, domain=False),
    )
    x = alt.X(
        "value:Q",
        title=unit_label(unit),
        axis=alt.Axis(grid=True, orient="top"),
        # Labels right of the bars may stand outside the plot; left of negative bars
        # they need room before the place names.
        scale=alt.Scale(padding=36) if any((v or 0) < 0 for _label, v in items) else alt.Scale(),
    )
    base = alt.Chart(dataset(rows)).encode(y=y)
    bars = (
        base.mark_bar(height=BAR_HEIGHT - 6)
        .transform_filter("isValid(datum.value)")
        .encode(
            x=x,
            color=alt.Color(
                "shade:N",
                scale=alt.Scale(domain=["highlight", "other"], range=[BAR_HIGHLIGHT, BAR]),
                legend=None,
            ),
        )
    )
    zero = alt.Chart(dataset([{"value": 0}])).mark_rule(color=INK).encode(x=alt.X("value:Q"))
    positive = base.mark_text(align="left", dx=4, fontSize=10).transform_filter(
        "isValid(datum.value) && datum.value >= 0"
    )
    secret = base.mark_text(align="left", dx=4, fontSize=16, fontWeight="bold").transform_filter(
        "!isValid(datum.value)"
    )
    negative = base.mark_text(align="right", dx=-4, fontSize=10).transform_filter(
        "isValid(datum.value) && datum.value < 0"
    )
    text_x = alt.X("position:Q")
    value_labels = [
        layer.transform_calculate(position="isValid(datum.value) ? datum.value : 0").encode(
            x=text_x, text=alt.Text("text:N")
        )
        for layer in (positive, negative, secret)
    ]
    withheld = any(value is None for _label, value in items)
    height = BAR_HEIGHT * max(len(rows), 1)
    notes = [source_line(source), withheld_note() if withheld else ""]
    layers = [bars, zero, *value_labels, footnote(notes, height + 8)]
    chart = alt.layer(*layers).properties(title=title, width=WIDTH - 120, height=height)
    return chart_svg(chart, title=title, summary=describe_bars(rows, unit, decimals))


def describe_bars(rows: list[dict[str, Any]], unit: str, decimals: int) -> str:
    shown = [row for row in rows if row["value"] is not None]
    if not shown:
        return _("kein veröffentlichter Wert")
    top, bottom = shown[0], shown[-1]
    text = _(
        "%(count)s Gebiete; höchster Wert %(top)s (%(top_value)s), "
        "niedrigster %(bottom)s (%(bottom_value)s)"
    ) % {
        "count": len(rows),
        "top": top["label"],
        "top_value": format_value(top["value"], unit, decimals),
        "bottom": bottom["label"],
        "bottom_value": format_value(bottom["value"], unit, decimals),
    }
    withheld = len(rows) - len(shown)
    if withheld:
        text += "; " + _("%(count)s geheim gehalten") % {"count": withheld}
    return text


# --- sparkline -------------------------------------------------------------------


@remembered
def sparkline(points: Points, *, label: str = "", unit: str = "", decimals: int = 1) -> str:
    """A small trend line without axes for the dashboard; the last value is marked.

    Withheld years break the line; the words (``aria-label``) give first and last value.
    """
    rows = [{"period": period, "value": value} for period, value in points]
    x = alt.X("period:Q", axis=None, scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
    base = alt.Chart(dataset(rows)).encode(x=x, y=y)
    line = base.mark_line(color=STYLES["area"].colour, strokeWidth=2)
    shown = [row for row in rows if row["value"] is not None]
    layers = [line]
    if shown:
        last = alt.Chart(dataset([shown[-1]])).encode(x=x, y=y)
        layers.append(last.mark_point(filled=True, size=30, color=STYLES["area"].colour, opacity=1))
    chart = alt.layer(*layers).properties(width=120, height=32)
    summary = describe_series(label or _("Verlauf"), points, unit, decimals)
    title = _("Verlauf %(label)s") % {"label": label} if label else _("Verlauf")
    return chart_svg(chart, title=title, summary=summary)


# --- maps ------------------------------------------------------------------------

# ColorBrewer "Blues", five classes: lightness falls step by step, so the order
# holds in black and white and for every kind of colour blindness.
CLASS_COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
MAP_SIZE = 440
SWATCH = 14


def choropleth(
    values: Mapping[str, Value],
    level: str,
    *,
    title: str,
    unit: str,
    source: str,
    highlight: str = "",
    within: str | None = None,
    decimals: int = 1,
) -> str:
    """The areas of ``level`` shaded by value in five quantile classes, light to dark.

    ``values`` maps area codes to published values: ``None`` is withheld (hatched,
    "."), a loaded area missing from ``values`` has no data (dotted). ``highlight``
    (an area code) gets a thick outline and its name. ``within`` limits official
    areas to a key prefix ("05": North Rhine-Westphalia); by default the state of
    ``highlight``, "" for all loaded. Returns "" when no boundaries are loaded.
    """
    from lernstadt.monitoring import boundaries

    if within is None:
        within = highlight[:2] if highlight[:2].isdigit() else ""
    areas = boundaries.map_areas(level, within)
    if not areas:
        return ""
    return draw_map(
        values, areas, title=title, unit=unit, source=source, highlight=highlight, decimals=decimals
    )


@remembered
def draw_map(
    values: Mapping[str, Value],
    areas: Sequence[Any],
    *,
    title: str,
    unit: str,
    source: str,
    highlight: str,
    decimals: int,
) -> str:
    breaks = quantile_breaks([v for a in areas if (v := values.get(a.code)) is not None])
    keys = class_labels(breaks, unit, decimals)
    legend_labels = [*keys, withheld_note(), _("keine Daten")]
    colours = [*CLASS_COLOURS[: len(keys)], HATCH_SENTINEL, DOTS_SENTINEL]
    features = [map_feature(area, values, breaks, keys, decimals) for area in areas]
    fill = alt.Scale(domain=legend_labels, range=colours)
    shapes = (
        alt.Chart(dataset(features))
        .mark_geoshape(stroke="#525252", strokeWidth=0.6)
        .encode(fill=alt.Fill("properties.key:N", scale=fill, legend=None))
    )
    layers: list[alt.Chart] = [shapes]
    chosen = [feature for feature in features if feature["properties"]["code"] == highlight]
    if chosen:
        layers += highlight_layers(chosen[0])
    layers += map_legend(legend_labels, fill)
    attributions = sorted({area.attribution for area in areas if area.attribution})
    notes = [source_line(source), *attributions]
    layers.append(footnote(notes, MAP_SIZE + 12))
    chart = (
        alt.layer(*layers)
        .properties(title=title, width=MAP_SIZE, height=MAP_SIZE)
        .project(type="mercator")
    )
    summary = describe_map(features, highlight, unit, decimals)
    return chart_svg(chart, title=title, summary=summary)


def quantile_breaks(shown: Sequence[float]) -> list[float]:
    """The upper bounds of up to five classes with about as many areas each."""
    ordered = sorted(shown)
    if not ordered:
        return []
    count = len(ordered)
    bounds = [ordered[min(count - 1, math.ceil(count * k / 5) - 1)] for k in range(1, 6)]
    return sorted(set(bounds))


def class_of(value: float, breaks: Sequence[float]) -> int:
    return next(index for index, bound in enumerate(breaks) if value <= bound)


def class_labels(breaks: Sequence[float], unit: str, decimals: int) -> list[str]:
    labels = []
    for index, bound in enumerate(breaks):
        upper = format_value(bound, unit, decimals)
        if index == 0:
            labels.append(_("bis %(upper)s") % {"upper": upper})
        else:
            lower = format_number(breaks[index - 1], decimals)
            labels.append(_("über %(lower)s bis %(upper)s") % {"lower": lower, "upper": upper})
    return labels


def map_feature(
    area: Any, values: Mapping[str, Value], breaks: Sequence[float], keys: list[str], decimals: int
) -> dict[str, Any]:
    from lernstadt.monitoring import boundaries

    if area.code not in values:
        key, shown = _("keine Daten"), _("keine Daten")
    elif (value := values[area.code]) is None:
        key, shown = withheld_note(), WITHHELD
    else:
        key, shown = keys[class_of(value, breaks)], format_number(value, decimals)
    longitude, latitude = boundaries.label_point(area.geometry)
    return {
        "type": "Feature",
        "geometry": boundaries.for_drawing(area.geometry),
        "properties": {
            "code": area.code,
            "name": area.name,
            "key": key,
            "shown": shown,
            "value": values.get(area.code),
            "longitude": longitude,
            "latitude": latitude,
        },
    }


def highlight_layers(feature: dict[str, Any]) -> list[alt.Chart]:
    """A white-and-black double outline and the name: found in colour and in grey."""
    data = dataset([feature])
    outlines = [
        alt.Chart(data).mark_geoshape(fill=None, stroke=colour, strokeWidth=width)
        for colour, width in (("white", 5), (INK, 2.5))
    ]
    place = {
        "longitude": alt.Longitude("properties.longitude:Q"),
        "latitude": alt.Latitude("properties.latitude:Q"),
        "text": alt.Text("properties.name:N"),
    }
    halo = (
        alt.Chart(data)
        .mark_text(fontSize=12, fontWeight="bold", dy=-16, stroke="white", strokeWidth=4)
        .encode(**place)
    )
    name = alt.Chart(data).mark_text(fontSize=12, fontWeight="bold", dy=-16).encode(**place)
    return [*outlines, halo, name]


def map_legend(labels: list[str], fill: alt.Scale) -> list[alt.Chart]:
    """Swatches right of the map, one row per class, then withheld and no data."""
    left = MAP_SIZE + 16
    rows = [
        {"key": label, "x": left, "y": 24 + index * (SWATCH + 8)}
        for index, label in enumerate(labels)
    ]
    data = dataset(rows)
    swatches = (
        alt.Chart(data)
        .mark_rect(stroke="#525252", strokeWidth=0.6)
        .transform_calculate(x2=f"datum.x + {SWATCH}", y2=f"datum.y + {SWATCH}")
        .encode(
            x=alt.X("x:Q", scale=None),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=None),
            y2=alt.Y2("y2:Q"),
            fill=alt.Fill("key:N", scale=fill, legend=None),
        )
    )
    texts = (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle", dx=SWATCH + 6, dy=SWATCH / 2, fontSize=11)
        .encode(x=alt.X("x:Q", scale=None), y=alt.Y("y:Q", scale=None), text=alt.Text("key:N"))
    )
    return [swatches, texts]


def describe_map(features: list[dict[str, Any]], highlight: str, unit: str, decimals: int) -> str:
    found = [f["properties"] for f in features]
    shown = sorted((p for p in found if p["value"] is not None), key=lambda p: -p["value"])
    parts = [_("Karte mit %(count)s Gebieten") % {"count": len(found)}]
    home = [p for p in found if p["code"] == highlight]
    if home:
        value = home[0]["value"]
        text = format_value(value, unit, decimals) if value is not None else home[0]["shown"]
        parts.append(
            _("hervorgehoben: %(name)s, %(value)s") % {"name": home[0]["name"], "value": text}
        )
    if shown:
        parts.append(
            _("höchster Wert %(top)s (%(top_value)s), niedrigster %(bottom)s (%(bottom_value)s)")
            % {
                "top": shown[0]["name"],
                "top_value": format_value(shown[0]["value"], unit, decimals),
                "bottom": shown[-1]["name"],
                "bottom_value": format_value(shown[-1]["value"], unit, decimals),
            }
        )
    withheld = sum(1 for p in found if p["shown"] == WITHHELD)
    missing = len(found) - len(shown) - withheld
    if withheld:
        parts.append(_("%(count)s geheim gehalten") % {"count": withheld})
    if missing:
        parts.append(_("%(count)s ohne Daten") % {"count": missing})
    return "; ".join(parts)
