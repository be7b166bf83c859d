"""Area boundaries for maps: the vg5000 import (real and broken files) and the choropleth."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.utils import translation

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring import boundaries, charts
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Area, Boundary
from tests.monitoring.conftest import GERMANY

pytestmark = pytest.mark.django_db

COUNTIES = GERMANY / "vg5000_counties_2021.geojson"
STATES = GERMANY / "vg5000_states_2021.geojson"
SQUARE = [[[7.0, 51.0], [7.1, 51.0], [7.1, 51.1], [7.0, 51.1], [7.0, 51.0]]]


@pytest.fixture(autouse=True)
def german() -> Any:
    with translation.override("de"):
        yield


@pytest.fixture(scope="module")
def county_features() -> list[dict[str, Any]]:
    return json.loads(COUNTIES.read_text(encoding="utf-8"))["features"]


def feature(properties: dict[str, Any], geometry: Any = None) -> dict[str, Any]:
    shape = geometry if geometry is not None else {"type": "Polygon", "coordinates": SQUARE}
    return {"type": "Feature", "properties": properties, "geometry": shape}


def write(tmp_path: Path, content: Any, name: str = "grenzen.geojson") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def collection(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **members}


def refused(path: Path, row_counts: Callable[[], dict[str, int]]) -> str:
    before = row_counts(), Boundary.objects.count()
    with pytest.raises(ImportFailed) as failure:
        import_file("vg5000", str(path))
    assert (row_counts(), Boundary.objects.count()) == before
    return failure.value.report()


# --- the real files ----------------------------------------------------------------


def test_the_real_county_file_gives_401_areas_with_names_and_boundaries() -> None:
    run = import_file("vg5000", str(COUNTIES), by="Bildungsbüro")

    assert (run.format, run.rows, run.observations) == ("vg5000", 401, 0)
    assert Boundary.objects.count() == 401
    assert Area.objects.filter(level=Area.Level.COUNTY).count() == 401
    assert Area.objects.get(code="05916").name == "Herne"
    assert Area.objects.get(code="05562").name == "Recklinghausen (Kreis)"
    assert Area.objects.get(code="16056").name == "Eisenach"
    assert Area.objects.get(code="05").name == "Nordrhein-Westfalen"
    assert not Area.objects.filter(name=models_code()).exists()
    herne = Boundary.objects.get(area__code="05916")
    assert herne.attribution == "© GeoBasis-DE / BKG 2021 (Daten verändert)"
    assert (herne.vintage, herne.source, herne.run) == (2021, COUNTIES.name, run)
    assert herne.geometry["type"] in ("Polygon", "MultiPolygon")


def models_code() -> Any:
    from django.db.models import F

    return F("code")


def test_names_fill_areas_that_carry_only_their_key_and_keep_given_names() -> None:
    state = Area.objects.create(code="03", name="Land Niedersachsen", level=Area.Level.STATE)
    Area.objects.create(code="03101", name="03101", level=Area.Level.COUNTY, parent=state)
    Area.objects.create(
        code="03102", name="Salzgitter, Stadt", level=Area.Level.COUNTY, parent=state
    )

    import_file("vg5000", str(COUNTIES))

    assert Area.objects.get(code="03101").name == "Braunschweig"
    assert Area.objects.get(code="03102").name == "Salzgitter, Stadt"
    assert Area.objects.get(code="03").name == "Land Niedersachsen"


def test_the_state_file_merges_a_states_parts_into_one_boundary() -> None:
    run = import_file("vg5000", str(STATES))

    assert run.rows == 25
    assert Boundary.objects.count() == 16
    bavaria = Boundary.objects.get(area__code="09")
    assert bavaria.area.name == "Bayern"
    assert bavaria.geometry["type"] == "MultiPolygon"


def test_a_reimport_replaces_the_boundaries() -> None:
    import_file("vg5000", str(COUNTIES))
    second = import_file("vg5000", str(COUNTIES))

    assert Boundary.objects.count() == 401
    assert set(Boundary.objects.values_list("run", flat=True)) == {second.pk}


def test_boundaries_are_simplified_but_keep_their_shape(
    county_features: list[dict[str, Any]],
) -> None:
    import_file("vg5000", str(COUNTIES))

    def points(shape: dict[str, Any]) -> int:
        return sum(len(ring) for polygon in boundaries.polygons_of(shape) for ring in polygon)

    before = sum(points(f["geometry"]) for f in county_features)
    after = sum(points(b.geometry) for b in Boundary.objects.all())
    assert after < before  # VG5000 is drawn for 1:5,000,000 already: little to thin
    stored = Boundary.objects.get(area__code="05916").geometry
    assert points(stored) >= 8
    x, y = boundaries.label_point(stored)
    assert 7.1 < x < 7.3 and 51.5 < y < 51.6  # Herne lies there
    outer = boundaries.polygons_of(stored)[0][0]
    assert boundaries.signed_area(outer) > 0  # RFC 7946: outer rings counter-clockwise
    stored_chars = sum(len(json.dumps(b.geometry)) for b in Boundary.objects.all())
    assert stored_chars < 1_000_000


def test_douglas_peucker_drops_points_on_a_straight_line_only() -> None:
    line = [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]

    assert boundaries.douglas_peucker(line, 0.01) == [
        [0.0, 0.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [0.0, 0.0],
    ]


# --- a city's own boundaries -------------------------------------------------------


def test_a_city_file_with_pack_codes_loads_district_boundaries(tmp_path: Path) -> None:
    city = Area.objects.create(code="05916000", name="Herne", level=Area.Level.MUNICIPALITY)
    Area.objects.create(code="herne-d-01", name="Mitte", level=Area.Level.DISTRICT, parent=city)
    path = write(
        tmp_path,
        collection(
            feature({"code": "herne-d-01", "name": "Mitte"}),
            attribution="Stadt Herne, Vermessung und Kataster",
            vintage=2024,
        ),
    )

    import_file("vg5000", str(path))

    boundary = Boundary.objects.get(area__code="herne-d-01")
    assert (boundary.attribution, boundary.vintage) == (
        "Stadt Herne, Vermessung und Kataster",
        2024,
    )
    assert boundaries.map_areas(Area.Level.DISTRICT)[0].name == "Mitte"


def test_a_city_file_with_an_unknown_code_is_refused(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    path = write(tmp_path, collection(feature({"code": "herne-d-99"})))

    report = refused(path, row_counts)

    assert "unbekanntes Gebiet „herne-d-99“" in report


# --- broken files ------------------------------------------------------------------


def test_a_file_that_is_not_json_is_refused(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    report = refused(write(tmp_path, "ARS;GEN\n05916;Herne\n"), row_counts)

    assert "nichts wurde geändert" in report
    assert "keine gültige JSON-Datei" in report


def test_json_that_is_not_a_feature_collection_is_refused(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    report = refused(write(tmp_path, {"type": "Feature"}), row_counts)

    assert "keine GeoJSON-FeatureCollection" in report


def test_a_feature_without_ars_is_refused_with_its_position(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    path = write(
        tmp_path, collection(feature({"ARS": "05916", "GEN": "Herne"}), feature({"GEN": "Bochum"}))
    )

    report = refused(path, row_counts)

    assert "Eintrag 2, Eigenschaft „properties.ARS“: Schlüssel fehlt" in report


def test_a_key_that_is_not_official_is_refused(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    report = refused(write(tmp_path, collection(feature({"ARS": "5916"}))), row_counts)

    assert "„5916“ ist kein amtlicher Schlüssel" in report


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        ({"type": "Point", "coordinates": [7.2, 51.5]}, "nicht Point"),
        ({"type": "LineString", "coordinates": [[7, 51], [8, 52]]}, "nicht LineString"),
        ({"type": "Polygon", "coordinates": [[[7, 51], [8, 52], [7, 51]]]}, "Koordinaten ungültig"),
        ({"type": "Polygon", "coordinates": [[[370000, 5700000]] * 4]}, "Koordinaten ungültig"),
        ({"type": "Polygon", "coordinates": "51,7"}, "Koordinaten ungültig"),
    ],
)
def test_a_wrong_geometry_is_refused(
    tmp_path: Path,
    row_counts: Callable[[], dict[str, int]],
    geometry: dict[str, Any],
    reason: str,
) -> None:
    report = refused(write(tmp_path, collection(feature({"ARS": "05916"}, geometry))), row_counts)

    assert "Eintrag 1" in report
    assert reason in report


def test_a_projected_file_is_refused(
    tmp_path: Path, row_counts: Callable[[], dict[str, int]]
) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path = write(tmp_path, collection(feature({"ARS": "05916"}), crs=crs))

    report = refused(path, row_counts)

    assert "bitte WGS 84 (CRS84)" in report


def test_the_command_names_the_format(tmp_path: Path) -> None:
    from django.core.management import call_command

    call_command("import_statistics", "--format", "vg5000", str(COUNTIES))

    assert Boundary.objects.count() == 401


# --- the choropleth ----------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    """Every text line drawn (a multi-line text counts each line)."""
    found = []
    for text in parse(svg).iter("{http://www.w3.org/2000/svg}text"):
        spans = list(text.iter("{http://www.w3.org/2000/svg}tspan"))
        found += [span.text or "" for span in spans] if spans else ["".join(text.itertext())]
    return found


@pytest.fixture
def counties() -> None:
    import_file("vg5000", str(COUNTIES))


def nrw_values() -> dict[str, float | None]:
    codes = Area.objects.filter(level=Area.Level.COUNTY, code__startswith="05")
    values: dict[str, float | None] = {
        code: 20 + index * 0.5 for index, code in enumerate(codes.values_list("code", flat=True))
    }
    values["05916"] = 24.25
    values["05954"] = None  # withheld
    del values["05958"]  # no data
    return values


@pytest.mark.usefixtures("counties")
def test_the_nrw_map_draws_53_counties_highlights_herne_and_credits_the_bkg() -> None:
    svg = charts.choropleth(
        nrw_values(),
        Area.Level.COUNTY,
        title="Abiturquote in den Kreisen von Nordrhein-Westfalen, 2022",
        unit="percent",
        source="INKAR 2024, BBSR Bonn",
        highlight="05916",
    )

    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("Abiturquote")
    words = texts(svg)
    assert "Herne" in words
    assert "© GeoBasis-DE / BKG 2021 (Daten verändert)" in words
    assert "Quelle: INKAR 2024, BBSR Bonn" in words
    assert ". = geheim gehalten (kleine Zahl)" in words
    assert "keine Daten" in words
    assert "Karte mit 53 Gebieten" in root.get("aria-label")
    assert "hervorgehoben: Herne, 24,3\xa0%" in root.get("aria-label")
    assert "1 geheim gehalten" in root.get("aria-label")
    assert "1 ohne Daten" in root.get("aria-label")
    assert re.search(r'fill="url\(#c[0-9a-f]{8}-hatch\)"', svg)
    assert re.search(r'fill="url\(#c[0-9a-f]{8}-dots\)"', svg)
    assert 'stroke-width="2.5"' in svg  # the thick outline of the highlighted city
    assert "style=" not in svg and "<script" not in svg
    assert len(svg.encode()) < 300_000


@pytest.mark.usefixtures("counties")
def test_eisenach_has_no_inkar_data_and_shows_as_such_on_the_thuringia_map() -> None:
    values = {
        code: 10.0 + i
        for i, code in enumerate(
            Area.objects.filter(code__startswith="16", level=Area.Level.COUNTY)
            .exclude(code="16056")
            .values_list("code", flat=True)
        )
    }

    svg = charts.choropleth(
        values,
        Area.Level.COUNTY,
        title="Thüringen",
        unit="percent",
        source="INKAR",
        highlight="16056",
    )

    label = parse(svg).get("aria-label")
    assert "hervorgehoben: Eisenach, keine Daten" in label
    assert "1 ohne Daten" in label
    assert "0 geheim" not in label


@pytest.mark.usefixtures("counties")
def test_the_whole_country_map_stays_well_under_a_megabyte() -> None:
    values = dict.fromkeys(
        Area.objects.filter(level=Area.Level.COUNTY).values_list("code", flat=True), 1.0
    )

    svg = charts.choropleth(
        values, Area.Level.COUNTY, title="Deutschland", unit="percent", source="INKAR", within=""
    )

    assert "Karte mit 401 Gebieten" in parse(svg).get("aria-label")
    assert len(svg.encode()) < 1_000_000


def test_without_boundaries_there_is_no_map() -> None:
    assert charts.choropleth({"05916": 1.0}, Area.Level.COUNTY, title="t", unit="", source="") == ""


def test_with_the_real_inkar_figures_herne_is_highlighted_and_eisenach_has_no_data() -> None:
    from lernstadt.monitoring.models import Observation
    from tests.monitoring.conftest import INKAR

    import_file("inkar", str(INKAR))
    import_file("vg5000", str(COUNTIES))
    values = dict(
        Observation.objects.filter(indicator__code="share_abitur", period=2021, breakdown="")
        .exclude(value=None)
        .values_list("area__code", "value")
    )

    svg = charts.choropleth(
        values,
        Area.Level.COUNTY,
        title="Schulabgänge mit Abitur, 2021",
        unit="percent",
        source="INKAR",
        highlight="05916",
        within="",
    )

    assert "16056" not in values
    label = parse(svg).get("aria-label")
    assert "Karte mit 401 Gebieten" in label
    assert "hervorgehoben: Herne" in label
    assert "1 ohne Daten" in label
    assert "Herne" in texts(svg)
    nrw = charts.choropleth(
        values, Area.Level.COUNTY, title="NRW", unit="percent", source="INKAR", highlight="05916"
    )
    assert "Karte mit 53 Gebieten" in parse(nrw).get("aria-label")
    assert "ohne Daten" not in parse(nrw).get("aria-label")
