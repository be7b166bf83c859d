"""Charts as SVG: accessible, inert, German numbers, and withheld values never drawn as zero."""

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
from django.utils import translation

from lernstadt.monitoring import charts
from lernstadt.monitoring.charts import Line

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the SVG is well-formed XML


def texts(svg: str) -> list[str]:
    """Every text line drawn (a multi-line text counts each line)."""
    found = []
    for text in parse(svg).iter(f"{SVG}text"):
        spans = list(text.iter(f"{SVG}tspan"))
        found += [span.text or "" for span in spans] if spans else ["".join(text.itertext())]
    return found


def group_texts(svg: str, role: str) -> list[str]:
    """The texts inside groups of one Vega role, e.g. "role-axis-label"."""
    return [
        "".join(text.itertext())
        for group in parse(svg).iter(f"{SVG}g")
        if role in (group.get("class") or "")
        for text in group.iter(f"{SVG}text")
    ]


def line_paths(svg: str) -> list[str]:
    return [
        path.get("d") or ""
        for group in parse(svg).iter(f"{SVG}g")
        if "mark-line" in (group.get("class") or "")
        for path in group.iter(f"{SVG}path")
    ]


def assert_accessible_and_inert(svg: str, title: str) -> None:
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label", "").startswith(title)
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").text
    assert "style=" not in svg
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        assert name not in ("script", "foreignObject", "a", "image", "style")
        assert not any(attribute.startswith("on") for attribute in element.attrib)
        for value in element.attrib.values():
            assert "http" not in value or value.startswith("http://www.w3.org/")


SERIES = [Line("Herne", [(2015, 1.0), (2016, None), (2017, 3.0)], "area")]


def abitur(lines: list[Line] = SERIES, **options: object) -> str:
    return charts.time_series(
        lines, title="Abiturquote", unit="percent", source="IT.NRW", **options
    )


# --- time series -------------------------------------------------------------------


def test_a_time_series_has_title_unit_source_and_an_accessible_name() -> None:
    svg = abitur()

    assert_accessible_and_inert(svg, "Abiturquote")
    words = texts(svg)
    assert "Abiturquote" in words
    assert "Prozent" in words  # the unit on the value axis
    assert "Quelle: IT.NRW" in words
    assert "Herne" in words  # the legend
    assert "Herne: 2015 1,0\xa0%, 2017 3,0\xa0% (1 Jahr ohne veröffentlichten Wert)" in parse(
        svg
    ).get("aria-label")


def test_a_withheld_year_breaks_the_line_and_is_never_drawn_as_zero() -> None:
    svg = abitur()

    (path,) = line_paths(svg)
    assert path.count("M") == 2  # two pieces: 2015 and 2017, nothing at 2016
    labels = group_texts(svg, "role-axis-label")
    values = [label for label in labels if not re.fullmatch(r"\d{4}", label)]
    assert values and "0,0" not in values and "0" not in values
    assert min(float(v.replace(",", ".")) for v in values) >= 1.0
    assert "." in texts(svg)  # marked on the year axis
    assert any("Lücke in der Linie" in text for text in texts(svg))


def test_numbers_have_a_decimal_comma_and_years_stay_plain() -> None:
    svg = abitur([Line("Herne", [(2015, 1234.5), (2016, 1500.25), (2022, 1620.0)])])

    labels = group_texts(svg, "role-axis-label")
    assert {"2015", "2016", "2022"} <= set(labels)
    assert not any(re.fullmatch(r"2\.0\d\d", label) for label in labels)
    assert "1.300" in labels or "1.400" in labels  # thousands with a point in German
    assert "2022 1.620,0\xa0%" in parse(svg).get("aria-label")
    assert labels.count("2016") == 1


def test_in_english_numbers_have_a_decimal_point() -> None:
    with translation.override("en"):
        svg = abitur([Line("Herne", [(2015, 1.0), (2017, 2.5)])])

    labels = group_texts(svg, "role-axis-label")
    assert "1.4" in labels and not any("," in label for label in labels)


def test_each_role_has_its_own_dash_and_shape() -> None:
    lines = [
        Line("Herne", [(2015, 30.0), (2016, 31.0)], "area"),
        Line("Median NRW", [(2015, 33.0), (2016, 34.0)], "state"),
        Line("Bochum", [(2015, 29.0), (2016, 29.5)], "peers"),
        Line("Gelsenkirchen", [(2015, 28.0), (2016, 28.5)], "peers"),
    ]

    svg = abitur(lines)

    dashes = {path.get("stroke-dasharray") for path in parse(svg).iter(f"{SVG}path")}
    assert {"7,4", "2,3"} <= dashes
    assert {"Herne", "Median NRW", "Bochum", "Gelsenkirchen"} <= set(texts(svg))
    colours = {path.get("stroke") for path in parse(svg).iter(f"{SVG}path")}
    assert {"#0072B2", "#D55E00", "#009E73"} <= colours  # Okabe–Ito


def test_lines_to_compare_each_get_a_different_style() -> None:
    lines = [Line("Herne", [(2015, 30.0), (2016, 31.0)], "area")] + [
        Line(name, [(2015, 30.0 + i), (2016, 31.0 + i)], "compare")
        for i, name in enumerate(["Bochum", "Essen", "Dortmund"])
    ]

    svg = abitur(lines)

    dashes = {path.get("stroke-dasharray") for path in parse(svg).iter(f"{SVG}path")}
    assert {"7,4", "2,3", "10,3,2,3"} <= dashes


def test_a_target_is_a_labelled_rule() -> None:
    target = SimpleNamespace(year=2030, value=42.0, direction="at_least")

    svg = abitur(target=target)

    assert "Ziel 2030: mindestens 42,0\N{NO-BREAK SPACE}%" in texts(svg)
    assert "Ziel 2030: mindestens 42,0" in parse(svg).get("aria-label")


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    first = abitur()
    second = abitur([Line("Herne", [(2015, 2.0), (2017, 4.0)])])

    ids = [e.get("id") for svg in (first, second) for e in parse(svg).iter() if e.get("id")]
    assert ids and len(ids) == len(set(ids))


def test_the_same_chart_twice_is_the_same_svg() -> None:
    assert abitur() == abitur()


def test_a_chart_stays_plain_svg_after_a_report_was_built() -> None:
    # Building a report loads WeasyPrint, which maps ElementTree's empty prefix to no
    # namespace for the whole process; charts drawn after it must still be ``<svg>``.
    import weasyprint.pdf.metadata  # noqa: F401

    svg = charts.time_series(SERIES, title="Nach dem Bericht", unit="percent", source="")

    assert svg.startswith("<svg ") and "ns0:" not in svg
    assert_accessible_and_inert(svg, "Nach dem Bericht")


def test_unit_words_from_a_page_work_as_well_as_codes() -> None:
    assert charts.unit_code("Prozent") == "percent"
    assert charts.format_value(12.345, "Prozent", 1) == "12,3\N{NO-BREAK SPACE}%"
    assert charts.format_value(None, "percent") == "."
    assert charts.format_number(20.25, 1) == "20,3"  # half up, as official statistics round
    assert charts.format_number(12345.0, 0) == "12.345"


# --- gaps ----------------------------------------------------------------------------


def test_a_gap_chart_labels_the_gap_and_marks_withheld_years() -> None:
    girls = Line("Mädchen", [(2020, 40.0), (2021, 42.0), (2022, None)])
    boys = Line("Jungen", [(2020, 35.5), (2021, 37.0), (2022, 36.0)])

    svg = charts.gap_chart(
        girls, boys, title="Abitur nach Geschlecht", unit="percent", source="Stadt Herne"
    )

    assert_accessible_and_inert(svg, "Abitur nach Geschlecht")
    words = texts(svg)
    assert {"+4,5", "+5,0", "."} <= set(words)
    assert ". = geheim gehalten (kleine Zahl)" in words
    assert "Quelle: Stadt Herne" in words


def test_a_gap_chart_shows_the_published_gap_and_withholds_it_when_it_is_withheld() -> None:
    girls = Line("Mädchen", [(2020, 40.0), (2021, 42.0)])
    boys = Line("Jungen", [(2020, 35.5), (2021, 37.0)])

    svg = charts.gap_chart(
        girls, boys, title="Abstand", unit="percent", source="", gap=[(2020, 4.6), (2021, None)]
    )

    words = texts(svg)
    assert "+4,6" in words and "+5,0" not in words
    assert "." in words


# --- ranked bars ---------------------------------------------------------------------


def test_ranked_bars_put_the_largest_first_and_withheld_last_as_a_dot() -> None:
    items = [("Mitte", 12.5), ("Sodingen", -3.2), ("Wanne", None), ("Eickel", 20.25)]

    svg = charts.ranked_bars(
        items, title="Ohne Abschluss", unit="percent", source="Stadt Herne", highlight="Mitte"
    )

    assert_accessible_and_inert(svg, "Ohne Abschluss")
    labels = group_texts(svg, "role-axis-label")
    places = [label for label in labels if label in {"Mitte", "Sodingen", "Wanne", "Eickel"}]
    assert places == ["Eickel", "Mitte", "Sodingen", "Wanne"]
    words = texts(svg)
    assert {"20,3", "12,5", "-3,2", "."} <= set(words)
    assert "0,0" not in words
    assert ". = geheim gehalten (kleine Zahl)" in words
    assert "Prozent" in words
    bold = [
        "".join(t.itertext())
        for t in parse(svg).iter(f"{SVG}text")
        if t.get("font-weight") == "bold"
    ]
    assert "Mitte" in bold and "Eickel" not in bold
    assert "1 geheim gehalten" in parse(svg).get("aria-label")


# --- sparkline -----------------------------------------------------------------------


def test_a_sparkline_is_a_small_named_image_with_gaps() -> None:
    svg = charts.sparkline(
        [(2019, 30.0), (2020, None), (2021, 31.0), (2022, 32.5)], label="Abitur", unit="percent"
    )

    root = parse(svg)
    assert root.get("role") == "img"
    assert int(root.get("width")) < 200
    assert "Abitur: 2019 30,0\xa0%, 2022 32,5\xa0%" in root.get("aria-label")
    (path,) = line_paths(svg)
    assert path.count("M") == 2


def test_a_sparkline_without_any_value_says_so() -> None:
    svg = charts.sparkline([(2021, None), (2022, None)])

    assert "kein veröffentlichter Wert" in parse(svg).get("aria-label")


# --- nothing from outside --------------------------------------------------------------


def test_the_renderer_fetches_nothing_from_anywhere() -> None:
    spec = {
        "data": {"url": "https://example.org/data.json"},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }

    with pytest.raises(Exception, match=r"(?i)not allowed|permission|denied|access"):
        charts.render_spec(json.dumps(spec), "de-DE")


# --- odd input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.time_series([], title="Leer", unit="percent", source=""),
        lambda: charts.time_series(
            [Line("Herne", [(2015, None), (2016, None)])], title="Leer", unit="percent", source=""
        ),
        lambda: charts.time_series(
            [Line("Herne", [(2022, 5.0)])], title="Leer", unit="percent", source=""
        ),
        lambda: charts.ranked_bars([], title="Leer", unit="percent", source=""),
        lambda: charts.ranked_bars([("Mitte", None)], title="Leer", unit="percent", source=""),
        lambda: charts.gap_chart(
            Line("a", []), Line("b", []), title="Leer", unit="percent", source=""
        ),
        lambda: charts.sparkline([]),
    ],
)
def test_charts_without_values_still_draw_and_show_no_zero(draw: object) -> None:
    svg = draw()  # type: ignore[operator]

    assert parse(svg).get("role") == "img"
    assert "0,0" not in texts(svg)


def test_labels_are_escaped_and_cannot_inject_markup() -> None:
    name = 'Wanne & Eickel <script>alert("x")</script>'

    svg = charts.ranked_bars([(name, 1.0)], title=f"Titel {name}", unit="percent", source=name)

    assert "<script" not in svg
    assert f"Quelle: {name}" in texts(svg)
    assert parse(svg).find(f"{SVG}title").text == f"Titel {name}"
