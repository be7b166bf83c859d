"""The yearly Datenreport, built from the real data in ../shared and checked page by page.

One build (with the command) and a second one (with the function) from the same data
are shared by the whole module: INKAR, census 2022, Herne's Open SDG files, the VG5000
boundaries, and a small invented leaver set in which one district has ten leavers a
year, so that the report has to withhold values.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lernstadt.monitoring import demo, importers, presenting, report
from lernstadt.monitoring.derive import SHARES
from lernstadt.monitoring.models import Area, Goal, Indicator, Observation
from lernstadt.monitoring.publishing import publish
from lernstadt.monitoring.tables import publish_table
from tests.conftest import flush_database
from tests.monitoring.conftest import CENSUS, GERMANY, INKAR, OPENSDG

# Every test is a database test, even those that only read the built files: pytest-django
# runs database tests before the others, which would split the module in two and build
# the report (a minute) twice.
pytestmark = pytest.mark.django_db

YEAR = 2022
LEAVER_YEARS = (2020, 2021, 2022)


@dataclass(frozen=True)
class Built:
    first: report.ReportFiles
    second: report.ReportFiles
    pages: list[str]  # the text of each PDF page
    html: str


@pytest.fixture(scope="module")
def built(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    """The real data imported and the report for 2022 built twice (command, then function)."""
    folder = tmp_path_factory.mktemp("report")
    with django_db_blocker.unblock():
        for format, path in [
            ("inkar", INKAR),
            ("census2022", CENSUS),
            ("opensdg", OPENSDG),
            ("vg5000", GERMANY / "vg5000_counties_2021.geojson"),
        ]:
            if format in importers.FORMATS:
                importers.import_file(format, str(path), by="test")
        codes = list(
            Area.objects.filter(level=Area.Level.DISTRICT)
            .order_by("code")
            .values_list("code", flat=True)
        )
        leavers = folder / demo.EXAMPLE_SOURCE
        demo.write_example_leavers(leavers, codes, years=LEAVER_YEARS)  # type: ignore[arg-type]
        importers.import_file("leavers", str(leavers), by="test")
        call_command("build_report", year=YEAR, output=str(folder / "first"), stdout=io.StringIO())
        first = report.ReportFiles(
            folder / "first" / "report.html", folder / "first" / "report.pdf", 0
        )
        second = report.build_report(YEAR, folder / "second")
    pages = [page.extract_text() for page in pypdf.PdfReader(second.pdf).pages]
    yield Built(first, second, pages, second.html.read_text(encoding="utf-8"))
    with django_db_blocker.unblock():
        flush_database()


@pytest.fixture
def report_db(built: Built, db: None) -> Built:
    """The built report, with the database it was built from (in a rolled-back transaction)."""
    return built


def page_with(pages: list[str], text: str) -> int:
    """The number (1 = first) of the first page containing ``text``."""
    for number, page in enumerate(pages, start=1):
        if text in page:
            return number
    raise AssertionError(f"no page contains {text!r}")


def contents(pages: list[str]) -> dict[str, int]:
    """The table of contents: entry -> page number, read from the contents pages."""
    entries: dict[str, int] = {}
    for page in pages[1:4]:
        for line in page.splitlines():
            found = re.match(r"^(.*?)\s*\.{3,}\s*(\d+)$", line.strip())
            if found:
                entries[found.group(1).strip()] = int(found.group(2))
    return entries


# --- before the real data: the report of an empty monitoring ------------------------------
# (These run first, in file order, while the module's real data is not loaded yet.)


def test_an_indicator_of_two_goals_is_shown_once_and_referred_to_then(
    db: None, monitoring_pack: None
) -> None:
    if Observation.objects.exists():
        pytest.skip("needs the monitoring without data")
    indicator = Indicator.objects.get(code="leavers_ahr_share")
    indicator.goals.add(Goal.objects.get(code="ausgewogen-geschlecht"))
    html = report.render_report(YEAR)
    assert html.count('id="hoehere-abschluesse--leavers_ahr_share"') == 1
    assert html.count('id="ausgewogen-geschlecht--leavers_ahr_share"') == 1
    assert (
        'ist dort vollständig dargestellt: <a href="#hoehere-abschluesse--leavers_ahr_share">'
        in html
    )
    assert "Für diesen Indikator liegen bis 2022 noch keine Daten vor." in html
    assert "Es sind noch keine Daten importiert." in html


# --- files and sameness -------------------------------------------------------------------


def test_the_report_is_written_as_html_and_pdf(built: Built) -> None:
    assert built.second.html.name == "report.html" and built.second.pdf.name == "report.pdf"
    assert built.second.pdf.read_bytes().startswith(b"%PDF-")
    assert built.second.pages == len(built.pages) > 20


def test_same_data_give_the_same_report_byte_for_byte(built: Built) -> None:
    assert built.first.html.read_bytes() == built.second.html.read_bytes()
    assert built.first.pdf.read_bytes() == built.second.pdf.read_bytes()


def test_the_pdf_is_tagged_in_german_and_carries_no_date(built: Built) -> None:
    reader = pypdf.PdfReader(built.second.pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "de"
    metadata = reader.metadata or {}
    assert metadata.get("/Title") == f"Datenreport {YEAR} – Bildungsmonitoring Herne"
    assert "/CreationDate" not in metadata and "/ModDate" not in metadata
    assert len(bookmarks(built.second.pdf)) > 20  # bookmarks from the headings


def structure(path: Path) -> tuple[dict[str, int], list[str]]:
    """The PDF's tags by kind, and the alternative texts of its figures."""
    kinds: dict[str, int] = {}
    alternatives: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            kind = str(node.get("/S", ""))
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == "/Figure":
                alternatives.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(pypdf.PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return kinds, alternatives


def test_headings_tables_and_figures_are_tagged_and_figures_have_a_text(built: Built) -> None:
    kinds, alternatives = structure(built.second.pdf)
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Caption", "/Figure", "/L"):
        assert kinds.get(kind, 0) > 0, kind
    assert alternatives and all(alternatives)


def test_the_html_is_self_contained(built: Built) -> None:
    assert 'lang="de"' in built.html
    for reference in ("<script", "<link", "@import", "src=", "url(http", "@font-face"):
        assert reference not in built.html, reference


# --- page by page -------------------------------------------------------------------------


def test_the_first_page_is_the_title_page(built: Built) -> None:
    title = built.pages[0]
    assert f"Datenreport {YEAR}" in title
    assert "Bildungsmonitoring Herne" in title and "Stadt Herne, Bildungsbüro" in title
    assert "Inhalt" not in title


def flat(text: str) -> str:
    return " ".join(text.split())


def bookmarks(path: Path) -> dict[str, int]:
    """The PDF's bookmarks (from the headings): title -> page number (1 = first)."""
    reader = pypdf.PdfReader(path)
    found: dict[str, int] = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.setdefault(flat(item.title), reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    return found


def test_the_contents_follow_with_the_page_of_every_chapter(report_db: Built) -> None:
    pages = report_db.pages
    assert pages[1].startswith("Inhalt")
    entries = contents(pages)
    marks = bookmarks(report_db.second.pdf)
    chapters = ["So lesen Sie diesen Bericht"]
    chapters += [f"{n}. {goal.title_de}" for n, goal in enumerate(Goal.objects.all(), start=1)]
    chapters += ["Methoden und Quellen", "Anhang: alle Tabellen"]
    for chapter in chapters:
        page = entries[chapter]
        assert marks[chapter] == page, chapter
        assert chapter in flat(pages[page - 1]), chapter
        assert chapter not in flat(pages[page - 2]) or page - 2 < 2, chapter
    numbers = [entries[chapter] for chapter in chapters]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_every_goal_has_a_chapter_with_its_indicators(report_db: Built) -> None:
    pages = report_db.pages
    entries = contents(pages)
    for number, goal in enumerate(Goal.objects.all(), start=1):
        start = entries[f"{number}. {goal.title_de}"]
        for indicator in goal.indicators.all():
            assert page_with(pages[start - 1 :], indicator.name_de) >= 1, indicator.code


def section_text(html: str, anchor: str) -> str:
    """The words of one indicator section of the HTML report, without tags."""
    start = html.index(f'id="{anchor}"')
    section = html[start : html.index("</section>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_an_indicator_with_data_shows_value_change_trend_target_and_comparison(
    built: Built,
) -> None:
    text = section_text(built.html, "hoehere-abschluesse--share_abitur")
    for label in ("Letzter Wert", "Veränderung", "Trend", "Ziel", "Vergleich"):
        assert label in text
    assert "(2022)" in text and "seit 2021" in text and "kein Ziel gesetzt" in text
    assert re.search(r"besser als \d+ von 53 Kreisen und kreisfreien Städten", text)
    assert "Median Nordrhein-Westfalen" in text and "strukturähnlichen Kreisen" in text
    assert "Abbildung" in text and "Tabelle" in text
    assert "<svg" in built.html and 'role="img"' in built.html


def test_a_leaver_indicator_has_its_breakdowns_and_a_chart_of_districts(built: Built) -> None:
    text = section_text(built.html, "hoehere-abschluesse--leavers_ahr_share")
    assert "Geschlecht: weiblich" in text and "Staatsangehörigkeit: nichtdeutsch" in text
    assert "Statistischer Bezirk:" in text and "nach statistischen Bezirken" in text


def test_an_indicator_without_data_says_so(built: Built) -> None:
    assert "Für diesen Indikator liegen bis 2022 noch keine Daten vor." in built.html


def test_the_methods_chapter_explains_protection_and_names_sources_and_licences(
    built: Built,
) -> None:
    start = page_with(built.pages, "Indikatoren und Definitionen")
    methods = " ".join(built.pages[start - 1 :]).replace("\n", " ")
    assert "Schutz kleiner Zahlen" in methods
    assert "Eine Anzahl unter 5 Personen" in methods
    assert "sekundäre Geheimhaltung" in methods
    assert "INKAR" in methods and "Bundesinstitut für Bau-, Stadt- und Raumforschung" in methods
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in methods
    assert "Zensus 2022" in methods
    assert "Open SDG Herne" in methods
    if "vg5000" in importers.FORMATS:
        assert "© GeoBasis-DE / BKG 2021 (Daten verändert)" in methods


def test_invented_leavers_are_labelled_on_the_title_page_and_in_the_methods(built: Built) -> None:
    assert "Beispieldaten" in built.pages[0]
    assert built.html.count("erfunden") >= 2


def test_the_annex_holds_every_table(built: Built) -> None:
    start = page_with(built.pages, "Anhang: alle Tabellen\nAlle Tabellen")
    annex = "\n".join(built.pages[start - 1 :])
    assert "Tabelle A1:" in annex
    for dimension in ("Statistischer Bezirk", "Stadtbezirk", "Geschlecht", "Staatsangehörigkeit"):
        assert f"Schulabgänge {YEAR} nach {dimension} und Abschluss" in annex.replace("\n", " ")
    chapter_tables = set(re.findall(r"Tabelle (\d+):", built.html))
    assert chapter_tables, "the chapters have tables"


# --- no withheld value leaks ----------------------------------------------------------------


class Tables(HTMLParser):
    """Every table of a page: caption -> rows of cell texts (first cell: the row label)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption: str | None = None
        self.rows: list[list[str]] = []
        self.text: list[str] | None = None
        self.where = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.rows, self.caption = [], ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td", "caption"):
            self.text, self.where = [], tag

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td", "caption") and self.text is not None:
            text = " ".join("".join(self.text).split())
            if tag == "caption":
                self.caption = re.sub(r"^Tabelle A?\d+: ", "", text)
            else:
                self.rows[-1].append(text)
            self.text = None
        elif tag == "table" and self.caption is not None:
            self.tables.setdefault(self.caption, self.rows)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_withheld_district_values_print_as_dots_in_html_and_pdf(report_db: Built) -> None:
    tables = tables_of(report_db.html)
    pdf_lines = [line.strip() for page in report_db.pages for line in page.splitlines()]
    withheld = 0
    for indicator in Indicator.objects.filter(code__in=SHARES):
        rows = list(
            Observation.objects.filter(
                indicator=indicator, period=YEAR, area__level=Area.Level.DISTRICT, breakdown=""
            ).select_related("area")
        )
        table = tables[f"{indicator.name_de} {YEAR} nach Gruppen und Orten"]
        shown = {row[0]: row[1] for row in table[1:]}
        for row, verdict in zip(rows, publish(rows), strict=True):
            label = f"Statistischer Bezirk: {row.area.name}"
            if verdict.value is None:
                withheld += 1
                assert shown[label] == ".", (indicator.code, label)
                assert f"{label} ." in pdf_lines
            else:
                assert shown[label] != "."
    assert withheld > 0, "the small district must have made the report withhold values"


def test_the_count_tables_print_exactly_what_the_gate_publishes(report_db: Built) -> None:
    tables = tables_of(report_db.html)
    names = dict(Area.objects.values_list("code", "name"))
    withheld = 0
    for dimension, title in [("district", "Statistischer Bezirk"), ("sex", "Geschlecht")]:
        published = publish_table("school_leavers", YEAR, [dimension, "qualification"])
        printed = tables[f"Schulabgänge {YEAR} nach {title} und Abschluss"]
        columns = ["none", "hsa", "hsa10", "msa", "fhr", "ahr", "total"]
        by_label = {row[0]: row[1:] for row in printed[1:]}
        for (row, column), text in published.rows():
            label = report.category_text(dimension, row, names)
            expected = text if text in (".", "-") else presenting.number(float(text), 0)
            withheld += text == "."
            assert by_label[label][columns.index(column)] == expected, (row, column)
    assert withheld > 0


def test_no_gap_is_printed_where_the_gate_withholds_it(report_db: Built) -> None:
    tables = tables_of(report_db.html)
    for indicator in Indicator.objects.filter(code__contains="_gap_"):
        rows = list(
            Observation.objects.filter(indicator=indicator, breakdown="").select_related("area")
        )
        printed = {
            row[0]: row[1]
            for caption, table in tables.items()
            if caption.startswith(indicator.name_de)
            for row in table[1:]
        }
        for row, verdict in zip(rows, publish(rows), strict=True):
            if verdict.value is None and str(row.period) in printed:
                assert printed[str(row.period)] == ".", (indicator.code, row.period)


# --- refusing to fetch ----------------------------------------------------------------------


def test_the_pdf_fetches_nothing_from_anywhere() -> None:
    from weasyprint.urls import FatalURLFetchingError

    html = '<html lang="de"><title>t</title><img src="https://example.org/x.png" alt="x"></html>'
    with pytest.raises(FatalURLFetchingError):
        report.pdf_from_html(html)
    with pytest.raises(FatalURLFetchingError):
        report.local_only_fetcher().fetch("file:///etc/passwd")


def test_the_command_refuses_an_impossible_year(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="kein Berichtsjahr"):
        call_command("build_report", year=20224, output=str(tmp_path), stdout=io.StringIO())


def test_a_report_year_before_the_latest_data_leaves_later_years_out(
    db: None, make_indicator: Any
) -> None:
    # Its own town: the module's real data may be loaded in the same database.
    town = Area.objects.create(code="99999000", name="Teststadt", level=Area.Level.MUNICIPALITY)
    indicator = make_indicator("test_rate", level=Area.Level.MUNICIPALITY, decimals=1)
    for period, value in [(2019, 28.0), (2020, 30.0), (2021, 32.0), (2022, 34.0), (2023, 20.0)]:
        Observation.objects.create(indicator=indicator, area=town, period=period, value=value)
    found = report.summary_until(indicator, town, 2022)
    assert [point.period for point in found.series] == [2019, 2020, 2021, 2022]
    assert found.latest is not None and (found.latest.period, found.latest.value) == (2022, 34.0)
    assert found.changes[1] == 2.0
    assert found.trend is not None and found.trend.label == "rising"
    whole = report.summary_until(indicator, town, 2023)
    assert whole.latest is not None and whole.latest.period == 2023
