"""Shared fixtures of the monitoring tests (M1 owns the top; others add fixtures at the end)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User

from lernstadt.cities.pack import current_city
from lernstadt.monitoring.models import (
    Area,
    Direction,
    Goal,
    ImportRun,
    Indicator,
    LeaverRecord,
    Measure,
    Observation,
    Target,
)
from lernstadt.monitoring.pack import load_monitoring_pack
from tests.conftest import flush_database

# The real public data beside the project; the monitoring tests need it and do not skip.
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
GERMANY = SHARED / "data" / "germany"
HERNE = SHARED / "data" / "herne"
INKAR = GERMANY / "inkar_counties_1995_2022.csv"
CENSUS = GERMANY / "census2022_municipalities.csv"
OPENSDG = HERNE / "raw" / "opensdg-herne-data"
MISSION_STATEMENT = SHARED / "seed" / "000_7b424eaaa669c020.txt"


@pytest.fixture
def monitoring_pack(db: None) -> None:
    """The Herne pack's areas, goals, indicators, targets and measures."""
    load_monitoring_pack(current_city())


@pytest.fixture
def row_counts(db: None) -> Callable[[], dict[str, int]]:
    """Rows per monitoring table, to show that a refused import wrote nothing."""
    models = [Area, Goal, Indicator, Observation, Target, Measure, ImportRun, LeaverRecord]

    def counts() -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in models}

    return counts


@pytest.fixture
def monitoring_analyst(db: None) -> User:
    """Staff of the education office who may look at (not change) everything monitored."""
    user = User.objects.create_user("statistik", "statistik@example.org", "a-long-analyst-pass")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="monitoring", codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def herne_areas(db: None) -> dict[str, Area]:
    """NRW, the county 05916 and the municipality 05916000, as the pack names them."""
    state = Area.objects.create(code="05", name="Nordrhein-Westfalen", level=Area.Level.STATE)
    county = Area.objects.create(code="05916", name="Herne", level=Area.Level.COUNTY, parent=state)
    city = Area.objects.create(
        code="05916000", name="Herne", level=Area.Level.MUNICIPALITY, parent=county
    )
    return {"state": state, "county": county, "city": city}


@pytest.fixture
def make_indicator(db: None) -> Callable[..., Indicator]:
    """Create an indicator with sensible defaults; keyword arguments override them."""

    def make(code: str = "share_abitur", **fields: Any) -> Indicator:
        defaults: dict[str, Any] = {
            "name_de": code,
            "name_en": code,
            "unit": "percent",
            "direction": Direction.UP,
            "level": Area.Level.COUNTY,
        }
        return Indicator.objects.create(code=code, **(defaults | fields))

    return make


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` (or raw ``data``) to a file in a temporary folder and return its path."""

    def write(name: str, text: str = "", data: bytes | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if data is not None else text.encode("utf-8"))
        return path

    return write


# --- M3: the real INKAR file, imported once per test class -------------------------------


@pytest.fixture(scope="class")
def inkar_file(django_db_setup: None, django_db_blocker: Any) -> Iterator[Path]:
    """The real INKAR county file, imported (with the city pack) once for a test class.

    Importing 400 counties × 28 years for every test would be slow; the rows stay
    for the class and are flushed afterwards. Tests still run in their own transaction.
    """

    from lernstadt.monitoring.importers import import_file
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "germany" / "inkar_counties_1995_2022.csv"
    if not path.exists():
        pytest.skip(f"real data not found at {path}")
    with django_db_blocker.unblock():
        import_file("inkar", str(path))
    yield path
    with django_db_blocker.unblock():
        flush_database()


# --- M4: a small leaver set with one small district, for the no-leak tests ----------------

# district -> (borough, leavers per year): "klein" has only 3 leavers a year.
SMALL_SET_DISTRICTS = {
    "gross-a": ("mitte", 40),
    "gross-b": ("mitte", 35),
    "klein": ("wanne", 3),
    "wanne-b": ("wanne", 30),
}


@pytest.fixture
def small_district_leavers(herne_areas: dict[str, Area]) -> dict[str, Area]:
    """Herne with two boroughs, four districts (one with 3 leavers), 2021 and 2022.

    Defines the leaver indicators, stores the records and derives the observations.
    """
    from django.utils import timezone

    from lernstadt.monitoring.derive import GAPS, SHARES, refresh_leaver_indicators

    for code in SHARES:
        Indicator.objects.create(
            code=code,
            name_de=code,
            name_en=code,
            unit="percent",
            direction=Direction.UP if "ahr" in code else Direction.DOWN,
            level=Area.Level.MUNICIPALITY,
            disaggregations=["sex", "nationality"],
            decimals=1,
        )
    for code in GAPS:
        Indicator.objects.create(
            code=code,
            name_de=code,
            name_en=code,
            unit="percentage points",
            direction=Direction.TOWARDS_ZERO,
            level=Area.Level.MUNICIPALITY,
            decimals=1,
        )
    city = herne_areas["city"]
    areas = dict(herne_areas)
    for borough in ("mitte", "wanne"):
        areas[borough] = Area.objects.create(
            code=borough, name=borough.title(), level=Area.Level.BOROUGH, parent=city
        )
    run = ImportRun.objects.create(format="leavers", source="test", started_at=timezone.now())
    records = []
    for code, (borough, count) in SMALL_SET_DISTRICTS.items():
        areas[code] = Area.objects.create(
            code=code, name=code.title(), level=Area.Level.DISTRICT, parent=areas[borough]
        )
        for year in (2021, 2022):
            records += [
                LeaverRecord(
                    year=year,
                    school_number="100001",
                    school_type="20" if index % 2 else "15",
                    district=areas[code],
                    sex="f" if index % 2 else "m",
                    nationality="foreign" if index % 4 == 0 else "german",
                    qualification="ahr"
                    if index % 3 == 0
                    else ("none" if index % 7 == 0 else "msa"),
                    run=run,
                )
                for index in range(count)
            ]
    LeaverRecord.objects.bulk_create(records)
    refresh_leaver_indicators({2021, 2022})
    return areas
