"""Area outlines for maps: the ``vg5000`` import and what the maps read.

The format ``vg5000`` reads a GeoJSON FeatureCollection of Polygons and
MultiPolygons in WGS 84 longitude/latitude (CRS84):

- the official boundaries of the BKG (VG5000: states or counties), each feature
  with the official key in ``ARS``, the name in ``GEN`` and the kind in ``BEZ``;
  areas that do not exist yet are created, and an area that so far carries its
  key as its name (INKAR gives none) gets the name;
- a city's own boundaries of boroughs or statistical districts, each feature with
  the area's code from the city pack in ``code``; those areas must exist.

Several features with the same key (a state and its lakes) become one
MultiPolygon. Rings are thinned (Douglas–Peucker, about 200 m, well under a
pixel of a state map) and rounded to about 10 m: VG5000 is made for 1:5,000,000
already, so its counties stay as they are; a city's detailed file shrinks.
The project never invents geometry: an area without a loaded boundary is not drawn.
Documented in docs/data-formats.md.
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem
from lernstadt.monitoring.models import Area, Boundary, ImportRun

Ring = list[list[float]]
Polygon = list[Ring]

BKG_ATTRIBUTION = "© GeoBasis-DE / BKG {year} (Daten verändert)"
TOLERANCE = 0.002  # degrees: about 140 m east–west, 220 m north–south
DIGITS = 4  # about 10 m
OFFICIAL_KEY = re.compile(r"^(\d{2}|\d{5}|\d{8})$")
CRS84 = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326"}
MAX_PROBLEMS = 50


@dataclass
class Outline:
    """One area's outline as read from the file, before it is stored."""

    code: str
    name: str
    kind: str
    polygons: list[Polygon]


# --- import -----------------------------------------------------------------------


def import_vg5000(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check every feature, then store one simplified boundary per area (all or nothing)."""
    name, collection = read_collection(path)
    outlines = read_outlines(name, collection)
    areas = areas_for(name, outlines)
    attribution, vintage = credit(name, collection, outlines)
    codes = [outline.code for outline in outlines]
    Boundary.objects.filter(area__code__in=codes).delete()
    Boundary.objects.bulk_create(
        Boundary(
            area=areas[outline.code],
            geometry=geometry(simplify(outline.polygons)),
            source=name[-500:],
            attribution=attribution,
            vintage=vintage,
            run=run,
        )
        for outline in outlines
    )
    run.rows = len(collection["features"])
    run.observations = 0


def read_collection(path: str) -> tuple[str, dict[str, Any]]:
    """The file's name and its FeatureCollection; German problems when it is none."""
    name, data = reading.load_source(path)
    try:
        collection = json.loads(reading.decode(data, name))
    except ValueError as error:
        raise ImportFailed([ImportProblem(name, f"keine gültige JSON-Datei ({error})")]) from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ImportFailed([ImportProblem(name, "keine GeoJSON-FeatureCollection")])
    if not isinstance(collection.get("features"), list) or not collection["features"]:
        raise ImportFailed([ImportProblem(name, "die FeatureCollection enthält keine Gebiete")])
    crs = ((collection.get("crs") or {}).get("properties") or {}).get("name")
    if crs and crs not in CRS84:
        reason = f"Koordinatensystem „{crs}“ wird nicht gelesen: bitte WGS 84 (CRS84)"
        raise ImportFailed([ImportProblem(name, reason)])
    return name, collection


def read_outlines(name: str, collection: dict[str, Any]) -> list[Outline]:
    """One outline per key, features with the same key merged; every problem collected."""
    problems: list[ImportProblem] = []
    outlines: dict[str, Outline] = {}
    for item, feature in enumerate(collection["features"], start=1):
        found = read_feature(name, item, feature, problems)
        if found is None:
            continue
        if found.code in outlines:
            outlines[found.code].polygons += found.polygons
        else:
            outlines[found.code] = found
    if problems:
        raise ImportFailed(problems[:MAX_PROBLEMS])
    return list(outlines.values())


def read_feature(
    name: str, item: int, feature: Any, problems: list[ImportProblem]
) -> Outline | None:
    def problem(reason: str, column: str = "") -> None:
        problems.append(ImportProblem(name, reason, item=item, column=column))

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problem("kein GeoJSON-Feature")
        return None
    properties = feature.get("properties") or {}
    code = str(properties.get("ARS") or properties.get("code") or "").strip()
    if not code:
        problem("Schlüssel fehlt (ARS oder code)", "properties.ARS")
        return None
    if "ARS" in properties and not OFFICIAL_KEY.match(code):
        problem(f"„{code}“ ist kein amtlicher Schlüssel (2, 5 oder 8 Ziffern)", "properties.ARS")
        return None
    polygons = read_geometry(feature.get("geometry"), problem)
    if polygons is None:
        return None
    label = str(properties.get("GEN") or properties.get("name") or "").strip()
    return Outline(code, label, str(properties.get("BEZ") or "").strip(), polygons)


def read_geometry(geometry: Any, problem: Any) -> list[Polygon] | None:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        shown = kind or "keine"
        problem(f"Geometrie muss Polygon oder MultiPolygon sein, nicht {shown}", "geometry.type")
        return None
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons or not all(map(valid_polygon, polygons)):
        problem(
            "Koordinaten ungültig: jeder Ring braucht mindestens 4 Punkte "
            "[Länge, Breite] in Grad (WGS 84)",
            "geometry.coordinates",
        )
        return None
    return [[[[float(x), float(y)] for x, y, *_z in ring] for ring in p] for p in polygons]


def valid_polygon(polygon: Any) -> bool:
    return isinstance(polygon, list) and bool(polygon) and all(map(valid_ring, polygon))


def valid_ring(ring: Any) -> bool:
    return isinstance(ring, list) and len(ring) >= 4 and all(map(valid_position, ring))


def valid_position(position: Any) -> bool:
    if not isinstance(position, list) or len(position) < 2:
        return False
    x, y = position[0], position[1]
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
    return numbers and -180 <= x <= 180 and -90 <= y <= 90


def areas_for(name: str, outlines: Sequence[Outline]) -> dict[str, Area]:
    """The areas the outlines belong to: official ones created and named, city ones found."""
    # Imported here: the importers' package imports this module for its format list.
    from lernstadt.monitoring.importers import storing

    official = [o for o in outlines if OFFICIAL_KEY.match(o.code)]
    names = {o.code: area_name(o) for o in official if o.name}
    areas = storing.official_areas([o.code for o in official], names) if official else {}
    own = [o.code for o in outlines if not OFFICIAL_KEY.match(o.code)]
    found = Area.objects.in_bulk(own, field_name="code")
    unknown = [code for code in own if code not in found]
    if unknown:
        problems = [
            ImportProblem(name, f"unbekanntes Gebiet „{code}“: erst das Stadtpaket laden")
            for code in unknown[:MAX_PROBLEMS]
        ]
        raise ImportFailed(problems)
    return {**areas, **found}


def area_name(outline: Outline) -> str:
    """As the INKAR import names counties: cities bare, districts with their kind."""
    if len(outline.code) != 5 or outline.kind in ("", "Kreisfreie Stadt", "Stadtkreis"):
        return outline.name
    return f"{outline.name} ({outline.kind})"


def credit(
    name: str, collection: dict[str, Any], outlines: Sequence[Outline]
) -> tuple[str, int | None]:
    """Attribution and vintage: the file's own members, else the BKG's for VG5000."""
    year = re.search(r"(19|20)\d{2}", Path(name).name)
    vintage = collection.get("vintage") or (int(year.group()) if year else None)
    attribution = str(collection.get("attribution") or "")
    if not attribution and outlines and all(OFFICIAL_KEY.match(o.code) for o in outlines):
        attribution = BKG_ATTRIBUTION.format(year=vintage or "")
    return attribution[:300], int(vintage) if vintage else None


# --- simplification ---------------------------------------------------------------


def simplify(polygons: Iterable[Polygon]) -> list[Polygon]:
    """Rings thinned and rounded; rings that shrink to nothing dropped, but never all."""
    kept: list[Polygon] = []
    for polygon in polygons:
        rings = [thin(ring) for ring in polygon]
        if len(rings[0]) >= 4:
            kept.append([rings[0], *(ring for ring in rings[1:] if len(ring) >= 4)])
    if not kept:  # a tiny area: keep it as it was rather than lose it
        kept = [[[rounded(p) for p in ring] for ring in polygon] for polygon in polygons]
    return [wound(polygon) for polygon in kept]


def thin(ring: Ring) -> Ring:
    points = douglas_peucker([rounded(p) for p in ring], TOLERANCE)
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def rounded(point: list[float]) -> list[float]:
    return [round(point[0], DIGITS), round(point[1], DIGITS)]


def douglas_peucker(points: Ring, tolerance: float) -> Ring:
    """The points that stay within ``tolerance`` of the line (iterative, no recursion limit)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = 0, 0.0
        for index in range(first + 1, last):
            d = segment_distance(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def segment_distance(point: list[float], start: list[float], end: list[float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def wound(polygon: Polygon) -> Polygon:
    """RFC 7946 winding: the outer ring counter-clockwise, holes clockwise."""
    outer, *holes = polygon
    return [
        outer if signed_area(outer) >= 0 else outer[::-1],
        *(hole if signed_area(hole) <= 0 else hole[::-1] for hole in holes),
    ]


def geometry(polygons: list[Polygon]) -> dict[str, Any]:
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


# --- what the maps read -----------------------------------------------------------


@dataclass(frozen=True)
class MapArea:
    """An area to draw: code, name, geometry (RFC 7946), whom to credit, and a version
    (the boundary's id, new with every import) that tells a cached map is still current."""

    code: str
    name: str
    geometry: dict[str, Any]
    attribution: str
    version: int


def map_areas(level: str, within: str = "") -> list[MapArea]:
    """The loaded boundaries of ``level``; for official keys only those starting ``within``.

    ``within`` "05" gives North Rhine-Westphalia's counties, "" all that are loaded.
    """
    found = Boundary.objects.filter(area__level=level).select_related("area")
    if within:
        found = found.filter(area__code__startswith=within)
    return [
        MapArea(b.area.code, b.area.name, b.geometry, b.attribution, b.pk)
        for b in found.order_by("area__code")
    ]


def polygons_of(shape: dict[str, Any]) -> list[Polygon]:
    coordinates = shape["coordinates"]
    return [coordinates] if shape["type"] == "Polygon" else list(coordinates)


def label_point(shape: dict[str, Any]) -> tuple[float, float]:
    """Where a label goes: the centroid of the largest outer ring (lon, lat)."""
    outer = max((polygon[0] for polygon in polygons_of(shape)), key=lambda r: abs(signed_area(r)))
    area = signed_area(outer)
    if area == 0:
        return outer[0][0], outer[0][1]
    pairs = list(zip(outer, outer[1:], strict=False))
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    return cx, cy


def for_drawing(shape: dict[str, Any]) -> dict[str, Any]:
    """The geometry wound as Vega's d3-geo wants it (outer rings clockwise)."""
    polygons = [[ring[::-1] for ring in polygon] for polygon in polygons_of(shape)]
    return geometry(polygons)
