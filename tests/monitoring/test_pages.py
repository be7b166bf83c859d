"""The public monitoring pages: dashboard, goal, indicator, map, comparison and methods.

The data is real: the INKAR county file, Herne's Open SDG files and the official
county boundaries from ../shared, imported through ``import_file`` once for the
module, plus a small hand-made set of school leavers with one tiny district.
"""

import csv
import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Area, Goal, Indicator, Measure, Observation, Target
from lernstadt.monitoring.publishing import publish
from tests.conftest import flush_database
from tests.monitoring.conftest import GERMANY, INKAR, OPENSDG

pytestmark = pytest.mark.django_db

# district -> (leavers a year, of them with Abitur, without Hauptschulabschluss).
# Shamrock is tiny: 2 of its 3 leavers (66.7 %) would give them away.
LEAVERS = {
    "herne-d-strünkede": (40, 12, 4),
    "herne-d-baukau-kern": (30, 9, 3),
    "herne-d-holsterhausen": (25, 5, 2),
    "herne-d-wanne-süd": (35, 7, 3),
    "herne-d-eickel-kern": (28, 8, 2),
    "herne-d-shamrock": (3, 2, 0),
}
YEARS = (2020, 2021, 2022)
SMALL = "Shamrock"
SMALL_SHARES = ("66,7", "66.7", "33,3", "33.3")  # its Abitur and "msa" shares, never shown


def write_leavers(path: Path) -> None:
    """One row per leaver: alternately girls and boys, every fourth of foreign nationality."""
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(
            ["year", "school_number", "school_type", "district", "sex", "nationality",
             "qualification"]
        )  # fmt: skip
        for year in YEARS:
            for district, (count, ahr, none) in LEAVERS.items():
                for index in range(count):
                    qualification = (
                        "ahr" if index < ahr else "none" if index < ahr + none else "msa"
                    )
                    rows.writerow(
                        [year, "100001", "20" if index % 2 else "15", district,
                         "f" if index % 2 else "m", "foreign" if index % 4 == 3 else "german",
                         qualification]
                    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def monitoring_data(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The real data, imported once for the module and flushed afterwards."""
    leavers = tmp_path_factory.mktemp("leavers") / "leavers.csv"
    write_leavers(leavers)
    with django_db_blocker.unblock():
        import_file("inkar", str(INKAR))
        import_file("opensdg", str(OPENSDG))
        import_file("vg5000", str(GERMANY / "vg5000_counties_2021.geojson"))
        import_file("leavers", str(leavers))
    yield
    with django_db_blocker.unblock():
        flush_database()


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def text_of(html: str) -> str:
    """The visible words of the main content, charts left out, spaces normalised."""
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).replace("\xa0", " ")


class Markup(HTMLParser):
    """What the CSP and the accessibility rules care about, and the rows of tables."""

    def __init__(self) -> None:
        super().__init__()
        self.html_attrs: dict[str, str | None] = {}
        self.inline_scripts = 0
        self.inline_styles = 0
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []
        self.ids: list[str] = []
        self.h1 = 0
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1
        self.inline_styles += tag == "style"
        self.h1 += tag == "h1"
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.event_handlers += [name for name in attributes if name.startswith("on")]
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\xa0", " "))


def markup(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    return parser


def row_of(html: str, label: str) -> list[str]:
    """The cells of the table row whose first cell starts with ``label``."""
    found = [row for row in markup(html).rows if row and row[0].startswith(label)]
    assert found, f"no row {label!r}"
    return found[0]


# --- every page ------------------------------------------------------------------------------

PAGES = [
    "/monitoring/",
    "/monitoring/ziele/hoehere-abschluesse/",
    "/monitoring/ziele/fruehe-bildung/",
    "/monitoring/indikatoren/share_abitur/",
    "/monitoring/indikatoren/share_abitur/?gebiet=05913",
    "/monitoring/indikatoren/leavers_ahr_share/",
    "/monitoring/indikatoren/leavers_ahr_share/?nach=sex",
    "/monitoring/indikatoren/leavers_ahr_share/?nach=nationality",
    "/monitoring/indikatoren/leavers_ahr_share/?nach=borough",
    "/monitoring/indikatoren/leavers_ahr_share/?nach=district",
    "/monitoring/indikatoren/leavers_ahr_gap_sex/",
    "/monitoring/indikatoren/sdg_1-2/?nach=Gruppierung",
    "/monitoring/indikatoren/transition_gymnasium_share/",
    "/monitoring/karten/share_abitur/",
    "/monitoring/karten/share_abitur/?sortierung=name&folge=ab",
    "/monitoring/karten/leavers_ahr_share/",
    "/monitoring/karten/sdg_4-1/",
    "/monitoring/vergleich/",
    "/monitoring/vergleich/?indikator=share_no_degree&gebiete=05916,05913",
    "/monitoring/methoden/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_answers_in_both_languages_without_inline_code(
    client: Client, url: str, language: str
) -> None:
    client.cookies["django_language"] = language
    html = page(client, url)
    found = markup(html)
    assert found.html_attrs == {"lang": language, "dir": "ltr"}
    assert found.h1 == 1
    assert found.inline_scripts == 0
    assert found.inline_styles == 0
    assert found.style_attributes == []
    assert found.event_handlers == []
    duplicates = {name for name in found.ids if found.ids.count(name) > 1}
    assert duplicates == set()
    assert "css/monitoring.css" in html


@pytest.mark.parametrize(
    "url",
    [
        "/monitoring/indikatoren/no_such_indicator/",
        "/monitoring/indikatoren/share_abitur/?gebiet=99999",
        "/monitoring/karten/no_such_indicator/",
        "/monitoring/ziele/no-such-goal/",
        "/monitoring/vergleich/?indikator=no_such_indicator",
    ],
)
def test_unknown_codes_are_not_found(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_header_links_to_the_monitoring_and_marks_it_current(client: Client) -> None:
    home = page(client, "/")
    assert '<a href="/monitoring/">Monitoring</a>' in home
    assert '<a href="/monitoring/" aria-current="page">Monitoring</a>' in page(
        client, "/monitoring/"
    )


# --- dashboard and goals ---------------------------------------------------------------------


def test_dashboard_shows_every_goal_with_a_path_to_its_measures(client: Client) -> None:
    html = page(client, "/monitoring/")
    for goal in Goal.objects.all():
        assert goal.title_de in html
        assert reverse("monitoring:goal", args=[goal.code]) in html


def test_dashboard_card_says_value_change_target_and_comparison_in_words(client: Client) -> None:
    text = text_of(page(client, "/monitoring/"))
    # Herne's Abitur share in INKAR 2022, one and five years before, among NRW's 53 counties
    assert "Schulabgänge mit allgemeiner Hochschulreife (INKAR) 34,66 % Herne, 2022" in text
    assert "gegenüber 2021 (Vorjahr) −2,03 Prozentpunkte schlechter" in text
    assert "gegenüber 2017 (vor 5 Jahren) −1,07 Prozentpunkte schlechter" in text
    assert "besser als 9 von 53 Kreisen und kreisfreien Städten in Nordrhein-Westfalen" in text
    assert "Median Nordrhein-Westfalen: 37,93 %" in text
    assert "besser als 2 von 5 strukturähnlichen Kreisen" in text
    assert "kein Ziel gesetzt" in text


def test_dashboard_draws_a_trend_line_per_indicator_with_data(client: Client) -> None:
    html = page(client, "/monitoring/")
    cards = html.count('class="indicator-card__spark"')
    assert cards >= 10
    assert html.count('role="img"') >= cards


def test_dashboard_speaks_english_with_english_numbers(english: Client) -> None:
    text = text_of(page(english, "/monitoring/"))
    assert "More higher school-leaving qualifications" in text
    assert "34.66%" in text
    assert "−2.03 percentage points" in text
    assert "better than 9 of 53 counties and county-level cities in Nordrhein-Westfalen" in text
    assert "no target set" in text


def test_target_status_and_target_show_on_dashboard_and_indicator(client: Client) -> None:
    indicator = Indicator.objects.get(code="share_abitur")
    Target.objects.create(
        indicator=indicator,
        area=Area.objects.get(code="05916"),
        year=2030,
        value=40,
        direction=Target.Kind.AT_LEAST,
    )
    dashboard = text_of(page(client, "/monitoring/"))
    assert "nicht auf Kurs mindestens 40,00 % bis 2030" in dashboard
    detail = text_of(page(client, "/monitoring/indikatoren/share_abitur/"))
    assert "mindestens 40,00 % bis 2030" in detail


def test_goal_page_lists_measures_with_responsible_office_and_status(client: Client) -> None:
    goal = Goal.objects.get(code="hoehere-abschluesse")
    Measure.objects.create(
        goal=goal,
        title_de="Lernförderung in der Oberstufe",
        title_en="Tutoring in upper secondary",
        responsible="Fachbereich Schule",
        status=Measure.Status.IN_PROGRESS,
    )
    text = text_of(page(client, reverse("monitoring:goal", args=[goal.code])))
    assert "Lernförderung in der Oberstufe" in text
    assert "Verantwortlich Fachbereich Schule" in text
    assert "Stand in Umsetzung" in text
    assert "Schulabgänge mit allgemeiner Hochschulreife (INKAR)" in text
    assert "Tutoring in upper secondary" in text_of(
        page(english_client(), reverse("monitoring:goal", args=[goal.code]))
    )


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_goal_without_measures_says_so(client: Client) -> None:
    text = text_of(page(client, "/monitoring/ziele/fruehe-bildung/"))
    assert "noch keine Maßnahmen erfasst" in text


# --- the indicator page --------------------------------------------------------------------


def test_indicator_page_has_chart_with_the_same_data_as_a_table(client: Client) -> None:
    html = page(client, "/monitoring/indikatoren/share_abitur/")
    assert "<svg" in html and 'role="img"' in html
    header = next(row for row in markup(html).rows if row and row[0] == "Jahr")
    assert header[:3] == ["Jahr", "Herne", "Median Nordrhein-Westfalen"]
    assert "Hagen" in header  # the structurally most similar county
    assert row_of(html, "2022")[1:3] == ["34,66", "37,93"]
    assert row_of(html, "1995")[1] == "22,97"


def test_indicator_page_gives_definition_source_vintage_method_and_downloads(
    client: Client,
) -> None:
    html = page(client, "/monitoring/indikatoren/share_abitur/")
    text = text_of(html)
    indicator = Indicator.objects.get(code="share_abitur")
    assert indicator.definition_de in text
    assert "INKAR, Bundesinstitut für Bau-, Stadt- und Raumforschung" in text
    assert "Datenlizenz Deutschland" in text
    assert "Werte 1995 bis 2022; eingelesen am" in text
    assert reverse("monitoring:methods") in html
    assert "2022 lag der Wert für Herne bei 34,66 %. Ein höherer Wert ist besser." in text
    for link in (
        reverse("monitoring:indicator_csv", args=["share_abitur"]),
        reverse("api:observation_list", args=["share_abitur"]),
        reverse("api:indicator_area", args=["share_abitur", "05916"]),
    ):
        assert f'href="{link}"' in html
        assert client.get(link).status_code == 200


def test_indicator_page_shows_another_area_by_official_key(client: Client) -> None:
    text = text_of(page(client, "/monitoring/indikatoren/share_abitur/?gebiet=05913"))
    assert "Gebiet: Dortmund (Kreis / kreisfreie Stadt)" in text
    same = text_of(page(client, "/monitoring/indikatoren/share_abitur/?gebiet=05916000"))
    assert "Gebiet: Herne (Kreis / kreisfreie Stadt)" in same


def test_disaggregation_switch_offers_only_what_has_data(client: Client) -> None:
    html = page(client, "/monitoring/indikatoren/leavers_ahr_share/")
    switch = html[html.index('class="switch"') : html.index("</nav>", html.index('class="switch"'))]
    labels = re.findall(r">([^<>]+)</a>", switch)
    assert labels == [
        "Gesamt",
        "Geschlecht",
        "Staatsangehörigkeit",
        "Stadtbezirk",
        "Statistischer Bezirk",
    ]
    assert 'aria-current="true">Gesamt' in switch
    inkar = page(client, "/monitoring/indikatoren/share_abitur/")
    assert 'class="switch"' not in inkar


def test_breakdown_by_sex_draws_a_line_per_group_and_the_gap(client: Client) -> None:
    html = page(client, "/monitoring/indikatoren/leavers_ahr_share/?nach=sex")
    headers = [row for row in markup(html).rows if row and row[0] == "Jahr"]
    assert ["Jahr", "Gesamt", "weiblich", "männlich"] in headers
    assert 'aria-current="true">Geschlecht' in html
    assert "Abstand zwischen den Gruppen" in html
    gap = page(client, "/monitoring/indikatoren/leavers_ahr_gap_sex/")
    assert "Abstand (Prozentpunkte)" in gap
    assert "weiblich" in gap and "männlich" in gap


def test_a_small_district_is_withheld_never_shown_as_a_number(client: Client) -> None:
    small = Area.objects.get(name=SMALL)
    withheld = publish(
        list(
            Observation.objects.filter(
                area=small, indicator__code__startswith="leavers_"
            ).select_related("area")
        )
    )
    assert withheld and all(verdict.value is None for verdict in withheld)
    urls = [
        "/monitoring/indikatoren/leavers_ahr_share/?nach=district",
        "/monitoring/indikatoren/leavers_no_hsa_share/?nach=district",
        "/monitoring/karten/leavers_ahr_share/",
        "/monitoring/karten/leavers_ahr_share/?ebene=district",
        "/monitoring/indikatoren/leavers_ahr_share/?gebiet=herne-d-shamrock",
    ]
    for url in urls:
        for language in ("de", "en"):
            reader = Client()
            reader.cookies["django_language"] = language
            html = page(reader, url)
            for share in SMALL_SHARES:
                assert share not in html, (url, share)
            if "gebiet=" not in url:
                cells = row_of(html, SMALL)[1:]
                assert cells and all(cell.startswith(".") for cell in cells), (url, cells)
                assert "(nicht veröffentlicht)" in html or "(not published)" in html


def test_withheld_values_are_explained(client: Client) -> None:
    text = text_of(page(client, "/monitoring/indikatoren/leavers_ahr_share/?nach=district"))
    assert "„.“ = Zahlenwert unbekannt oder geheim zu halten" in text


def test_indicator_without_data_says_so(client: Client) -> None:
    text = text_of(page(client, "/monitoring/indikatoren/transition_gymnasium_share/"))
    assert "Noch keine veröffentlichten Werte." in text


def test_indicator_page_speaks_english(english: Client) -> None:
    text = text_of(page(english, "/monitoring/indikatoren/share_abitur/"))
    assert "What this number means" in text
    assert "In 2022 the value for Herne was 34.66%. A higher value is better." in text
    assert "Download" in text


# --- maps ------------------------------------------------------------------------------------


def test_county_map_highlights_the_city_with_attribution_and_a_table(client: Client) -> None:
    html = page(client, "/monitoring/karten/share_abitur/")
    assert 'class="chart"' in html
    assert "© GeoBasis-DE / BKG 2021 (Daten verändert)" in text_of(html)
    rows = [row for row in markup(html).rows if len(row) == 3 and row[0] != "Rang"]
    assert len(rows) == 53
    assert rows[0] == ["1", "Bonn", "51,12"]
    herne = next(row for row in rows if "Herne" in row[1])
    assert herne[0] == "44" and herne[2] == "34,66"
    assert 'class="data-table__highlight"' in html


def test_map_table_sorts_by_link(client: Client) -> None:
    by_name = page(client, "/monitoring/karten/share_abitur/?sortierung=name")
    names = [row[1] for row in markup(by_name).rows if len(row) == 3 and row[0] != "Rang"]
    assert names == sorted(names, key=str.casefold)
    assert 'aria-sort="ascending"' in by_name
    assert "sortierung=name&amp;folge=ab#tabelle" in by_name
    by_value = page(client, "/monitoring/karten/share_abitur/?sortierung=wert&folge=ab")
    values = [row[2] for row in markup(by_value).rows if len(row) == 3 and row[0] != "Rang"]
    numbers = [float(value.replace(",", ".")) for value in values]
    assert numbers == sorted(numbers, reverse=True)


def test_map_shows_another_year(client: Client) -> None:
    html = page(client, "/monitoring/karten/share_abitur/?jahr=2010")
    assert '<option value="2010" selected>' in html
    assert "Nordrhein-Westfalen, 2010" in text_of(html)


def test_district_values_appear_as_ranked_bars_and_table_until_boundaries_exist(
    client: Client,
) -> None:
    html = page(client, "/monitoring/karten/leavers_ahr_share/")
    assert "bis die Stadt die Gebietsgrenzen als GeoJSON bereitstellt" in html
    assert row_of(html, "Strünkede")
    boroughs = page(client, "/monitoring/karten/leavers_ahr_share/?ebene=borough")
    assert row_of(boroughs, "Herne-Mitte")


def test_map_of_an_indicator_without_areas_says_so(client: Client) -> None:
    text = text_of(page(client, "/monitoring/karten/sdg_4-1/"))
    assert "keine Werte nach Gebieten" in text


# --- comparison ------------------------------------------------------------------------------


def test_comparison_preselects_the_city_and_its_peers(client: Client) -> None:
    html = page(client, "/monitoring/vergleich/?indikator=share_abitur")
    checked = re.findall(r'name="gebiete" value="(\d+)" checked', html)
    assert checked[:5] == ["05914", "03401", "05119", "05116", "04012"]  # the peers, nearest first
    assert "05916" in checked
    header = next(row for row in markup(html).rows if row and row[0] == "Jahr")
    assert header[1:] == ["Herne", "Hagen", "Delmenhorst", "Oberhausen", "Mönchengladbach",
                          "Bremerhaven"]  # fmt: skip


@pytest.mark.parametrize(
    "query", ["gebiete=05916,05913", "gebiete=05916&gebiete=05913", "gebiete=05916000,05913"]
)
def test_comparison_takes_areas_as_list_or_repeated(client: Client, query: str) -> None:
    html = page(client, f"/monitoring/vergleich/?indikator=share_no_degree&{query}")
    header = next(row for row in markup(html).rows if row and row[0] == "Jahr")
    assert header == ["Jahr", "Herne", "Dortmund"]
    assert row_of(html, "2022")[1] == "12,27"


def test_comparison_names_unknown_areas_and_caps_the_lines(client: Client) -> None:
    text = text_of(page(client, "/monitoring/vergleich/?indikator=share_abitur&gebiete=05916,77"))
    assert "Diese Gebiete kennen wir nicht: 77" in text
    many = ",".join(
        ["05911", "05913", "05914", "05915", "05916", "05954", "05958", "05962", "05966"]
    )
    capped = page(client, f"/monitoring/vergleich/?indikator=share_abitur&gebiete={many}")
    header = next(row for row in markup(capped).rows if row and row[0] == "Jahr")
    assert len(header) == 1 + 8
    assert "Es werden nur die ersten 8 Gebiete gezeigt" in text_of(capped)


def test_methods_page_explains_status_comparison_and_disclosure(client: Client) -> None:
    text = text_of(page(client, "/monitoring/methoden/"))
    for words in ("Auf Kurs:", "Median", "Strukturähnliche Kreise", "Fallzahlen unter 5"):
        assert words in text
