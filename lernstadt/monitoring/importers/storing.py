"""Writing what an importer has checked: areas, indicators and observations, in bulk.

Everything here runs inside the import's transaction. Observations are replaced,
not added: an importer first deletes the cells its file covers, then inserts the
file's cells, so importing the same file twice gives the same rows.
"""

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import connection, models
from django.db.models import Q

from lernstadt.lib import reading
from lernstadt.monitoring.importers.checks import STATES
from lernstadt.monitoring.models import Area, Indicator, Observation

# Rows per INSERT (PostgreSQL); SQLite's own limit of 999 parameters is smaller.
BATCH = 2000
# Keys per IN (...) list when deleting, far below SQLite's parameter limit.
DELETE_CHUNK = 500
LEVEL_BY_LENGTH = {2: Area.Level.STATE, 5: Area.Level.COUNTY, 8: Area.Level.MUNICIPALITY}
UPDATE_FIELDS = [
    "value",
    "numerator",
    "denominator",
    "provisional",
    "estimated",
    "break_in_series",
    "confidential",
    "run",
]
# Units as the codebooks write them → units as the indicators store them.
UNITS = {
    "percent": "percent",
    "euros": "EUR",
    "euros/m2": "EUR/m2",
    "per 10k": "per 10000",
    "per 1k": "per 1000",
    "per 100": "per 100",
    "years": "years",
    "persons": "persons",
    "count": "count",
    "m2": "m2",
}
BOUNDARIES = "vg5000_counties_2021.geojson"


# --- areas ---------------------------------------------------------------------


def official_areas(keys: Iterable[str], names: dict[str, str]) -> dict[str, Area]:
    """The areas of official keys, created with their state and county where missing.

    A key of 2 digits is a state, 5 a county, 8 a municipality. New areas take their
    name from ``names`` (else the state's name, else the key); an area that so far
    carries only its key as name gets the name when one is known now.
    """
    codes: set[str] = set()
    for key in keys:
        codes |= {key[:2], key[:5], key} if len(key) == 8 else {key[:2], key}
    found = Area.objects.in_bulk(sorted(codes), field_name="code")
    for length in (2, 5, 8):
        wanted = sorted(c for c in codes if len(c) == length and c not in found)
        new = [
            Area(
                code=code,
                name=_area_name(code, names),
                level=LEVEL_BY_LENGTH[length],
                parent=found.get(code[:2] if length == 5 else code[:5]) if length > 2 else None,
            )
            for code in wanted
        ]
        Area.objects.bulk_create(new, batch_size=BATCH)
        found.update(Area.objects.in_bulk(wanted, field_name="code"))
    _name_placeholders(found.values(), names)
    return found


def _area_name(code: str, names: dict[str, str]) -> str:
    return names.get(code) or STATES.get(code) or code


def _name_placeholders(areas: Iterable[Area], names: dict[str, str]) -> None:
    renamed = []
    for area in areas:
        if area.name == area.code and _area_name(area.code, names) != area.code:
            area.name = _area_name(area.code, names)
            renamed.append(area)
    Area.objects.bulk_update(renamed, ["name"], batch_size=BATCH)


def county_names_beside(path: str) -> dict[str, str]:
    """County names from the official boundaries (VG5000) when they lie beside ``path``.

    Kreisfreie Städte keep their bare name ("Herne"); districts get their kind
    ("Kassel (Landkreis)"), because a city and a district may share a name.
    """
    if reading.is_url(path):
        return {}
    boundaries = Path(path).with_name(BOUNDARIES)
    if not boundaries.is_file():
        return {}
    try:
        features = json.loads(boundaries.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # names are a courtesy; a broken boundary file must not stop the import
    names = {}
    for feature in features:
        properties = feature.get("properties", {})
        code, name, kind = properties.get("ARS"), properties.get("GEN"), properties.get("BEZ")
        if code and name:
            city = kind in (None, "", "Kreisfreie Stadt", "Stadtkreis")
            names[code] = name if city else f"{name} ({kind})"
    return names


# --- indicators ----------------------------------------------------------------


def indicators(defaults: dict[str, dict[str, Any]]) -> dict[str, Indicator]:
    """The indicators of these codes; missing ones are created with their defaults.

    An indicator that exists (from the city pack or an earlier import) keeps its
    texts: the pack's German names and good directions are curated, a codebook
    only names what nobody has named yet.
    """
    found = Indicator.objects.in_bulk(list(defaults), field_name="code")
    for code, fields in defaults.items():
        if code not in found:
            found[code] = Indicator.objects.create(code=code, **fields)
    return found


def codebook_unit(unit: str) -> str:
    return UNITS.get(unit.strip().lower(), unit.strip()[:64] or "count")


def set_decimals(by_code: dict[str, Indicator], decimals: dict[str, int]) -> None:
    """Store the most decimals published per indicator, so exports write them alike."""
    changed = []
    for code, places in decimals.items():
        indicator = by_code[code]
        if indicator.decimals != places:
            indicator.decimals = places
            changed.append(indicator)
    Indicator.objects.bulk_update(changed, ["decimals"])


# --- observations --------------------------------------------------------------


def delete_observations(
    indicator_ids: Iterable[int],
    area_ids: Iterable[int],
    periods: Iterable[int] | None = None,
    breakdown: str | None = None,
) -> int:
    """Delete every observation of these indicators in these areas (and periods)."""
    scope = Q(indicator_id__in=sorted(set(indicator_ids)))
    if periods is not None:
        scope &= Q(period__in=sorted(set(periods)))
    if breakdown is not None:
        scope &= Q(breakdown=breakdown)
    deleted = 0
    for chunk in _chunks(sorted(set(area_ids)), DELETE_CHUNK):
        deleted += Observation.objects.filter(scope, area_id__in=chunk).delete()[0]
    return deleted


# The columns of a bulk row, in this order (see observation_row).
ROW_FIELDS = (
    "indicator",
    "area",
    "period",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "provisional",
    "estimated",
    "break_in_series",
    "confidential",
    "run",
)
ObservationRow = tuple[int, int, int, str, float | None, float | None, float | None,
                       bool, bool, bool, bool, int | None]  # fmt: skip


def observation_row(
    indicator_id: int,
    area_id: int,
    period: int,
    value: float | None,
    run_id: int | None,
    breakdown: str = "",
) -> ObservationRow:
    """One observation as a plain row for :func:`insert_rows` (no flags, no counts)."""
    return (indicator_id, area_id, period, breakdown, value, None, None,
            False, False, False, False, run_id)  # fmt: skip


def insert_rows(rows: Sequence[ObservationRow]) -> int:
    """Insert many new observations fast; their cells must be free (delete them first).

    Building 300,000 model instances and compiling their INSERTs costs the ORM
    tens of seconds; plain rows go to the database as they are: ``COPY`` on
    PostgreSQL, one prepared statement run for all rows (executemany) elsewhere.
    """
    meta = Observation._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_column(name)) for name in ROW_FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(ROW_FIELDS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def _column(name: str) -> str:
    field = Observation._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def insert_observations(observations: Sequence[Observation]) -> int:
    """Insert new observations (their cells must be free: delete them first)."""
    Observation.objects.bulk_create(observations, batch_size=BATCH)
    return len(observations)


def upsert_observations(observations: Sequence[Observation]) -> int:
    """Insert observations, overwriting the values of cells that already exist."""
    Observation.objects.bulk_create(
        observations,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["indicator", "area", "period", "breakdown"],
        update_fields=UPDATE_FIELDS,
    )
    return len(observations)


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
