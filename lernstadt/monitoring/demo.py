"""Demo data for the monitoring: the real open data beside the project, and invented leavers.

``lernstadt load_demo`` calls :func:`load_monitoring_demo` after the city pack, so that
``make run`` shows a dashboard with numbers in it:

- **Open data** (real): the INKAR county indicators, the census 2022 municipality figures,
  Herne's Open SDG files and, once that import format exists, the VG5000 county
  boundaries, read from ``LERNSTADT_OPEN_DATA_DIR`` (default: ``../shared/data`` beside
  the project). The files are imported where they lie, never copied into the project.
- **School leavers** (INVENTED): the city's leaver records are confidential, so the demo
  makes up records with :func:`example_leavers`, a seeded generator: the same seed gives
  the same records every time. The numbers only look plausible; they are not Herne's. The
  import history says so: source ``beispiel-schulabgaenge-erfunden.csv``, by
  ``load_demo (erfundene Beispieldaten)``.

Both steps are skipped when their data are already there, so loading the demo twice
neither duplicates the import history nor overwrites real leaver records.
"""

import csv
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring import importers
from lernstadt.monitoring.importers.leavers import COLUMNS
from lernstadt.monitoring.models import Area, ImportRun, LeaverRecord

Say = Callable[[str], None]

# (format, path inside the open-data folder); formats this installation lacks are skipped.
OPEN_DATA = (
    ("inkar", "germany/inkar_counties_1995_2022.csv"),
    ("census2022", "germany/census2022_municipalities.csv"),
    ("opensdg", "herne/raw/opensdg-herne-data"),
    ("vg5000", "germany/vg5000_counties_2021.geojson"),
)

EXAMPLE_SOURCE = "beispiel-schulabgaenge-erfunden.csv"
EXAMPLE_BY = "load_demo (erfundene Beispieldaten)"
EXAMPLE_SEED = 4711
EXAMPLE_YEARS = range(2014, 2025)


# --- the real open data --------------------------------------------------------------


def open_data_folder() -> Path | None:
    """The folder with the open data (``LERNSTADT_OPEN_DATA_DIR``), or None if it is absent."""
    configured = str(getattr(settings, "LERNSTADT_OPEN_DATA_DIR", "") or "")
    if not configured:
        return None
    folder = Path(configured)
    return folder if folder.is_dir() else None


def load_open_data(folder: Path, say: Say) -> list[ImportRun]:
    """Import each open-data file found in ``folder`` that is not loaded yet."""
    runs = []
    for format, relative in OPEN_DATA:
        path = folder / relative
        if format not in importers.FORMATS:
            say(f"{relative}: Format „{format}“ gibt es hier noch nicht, übersprungen.")
            continue
        if not path.exists():
            say(f"{relative}: nicht vorhanden, übersprungen.")
            continue
        source = importers.source_name(str(path))
        if ImportRun.objects.filter(format=format, source=source).exists():
            say(f"{relative}: bereits geladen.")
            continue
        run = importers.import_file(format, str(path), by="load_demo (offene Daten)")
        say(f"{relative}: {run.rows} Zeilen gelesen, {run.observations} Werte geladen.")
        runs.append(run)
    return runs


# --- invented school leavers -------------------------------------------------------------

# Shares in per cent of leavers of general schools, roughly as in a Ruhr city (invented).
QUALIFICATIONS = ("none", "hsa", "hsa10", "msa", "fhr", "ahr")
BASE_SHARES = (7.0, 6.0, 13.0, 41.0, 3.0, 30.0)
# School types of general schools with their share of leavers; Berufskolleg leavers (30)
# are generated too, since the indicators must leave them out.
SCHOOL_TYPES = (("20", 0.30), ("15", 0.28), ("10", 0.17), ("04", 0.08), ("14", 0.07))
SCHOOL_TYPES_REST = (("08", 0.05), ("30", 0.05))


@dataclass(frozen=True)
class Place:
    """An invented profile for a statistical district: size, foreign share, advantage."""

    code: str
    leavers: int  # per year
    foreign: float  # share of leavers with a foreign nationality
    advantage: float  # shifts the odds of higher qualifications (-1 … 1)


def district_profiles(codes: Sequence[str], rng: random.Random) -> list[Place]:
    """One invented profile per district; the last district is small (about ten leavers a
    year), so that the published tables show withheld cells."""
    profiles = [
        Place(code, rng.randint(60, 150), rng.uniform(0.10, 0.35), rng.uniform(-1.0, 1.0))
        for code in codes
    ]
    if profiles:
        last = profiles[-1]
        profiles[-1] = Place(last.code, 10, last.foreign, last.advantage)
    return profiles


def qualification_weights(place: Place, sex: str, foreign: bool, year: int) -> tuple[float, ...]:
    """Invented odds: girls, Germans, advantaged districts and later years do better."""
    lift = 0.25 * place.advantage + (0.12 if sex == "f" else -0.10) - (0.35 if foreign else 0.0)
    lift += 0.02 * (year - EXAMPLE_YEARS.start)
    none, hsa, hsa10, msa, fhr, ahr = BASE_SHARES
    return (
        none * (1 - lift),
        hsa * (1 - lift / 2),
        hsa10,
        msa,
        fhr,
        ahr * (1 + lift),
    )


def school_numbers(place_index: int) -> dict[str, str]:
    """Invented school numbers (9 and five digits): no real school gets invented results."""
    return {
        school_type: f"9{place_index:02d}{index:03d}"
        for index, (school_type, _) in enumerate(SCHOOL_TYPES + SCHOOL_TYPES_REST)
    }


def example_leavers(
    district_codes: Sequence[str],
    years: Sequence[int] = EXAMPLE_YEARS,
    seed: int = EXAMPLE_SEED,
) -> Iterator[dict[str, str]]:
    """INVENTED school-leaver records, one dict per leaver in the ``leavers`` format.

    Seeded: the same districts, years and seed give the same records in the same order.
    Nothing here is Herne's: the districts' sizes, foreign shares and qualification odds are
    drawn at random around plausible values, for demonstrations and tests only.
    """
    rng = random.Random(seed)
    profiles = district_profiles(list(district_codes), rng)
    types, type_weights = zip(*(SCHOOL_TYPES + SCHOOL_TYPES_REST), strict=True)
    for year in years:
        for index, place in enumerate(profiles):
            numbers = school_numbers(index)
            count = max(1, round(place.leavers * rng.uniform(0.9, 1.1)))
            for _ in range(count):
                # "d" is very rare in school statistics; any d leaver makes a sex table
                # withhold a second cell, so the demo shows that in some years only.
                sex = rng.choices("fmd", weights=(4900, 5098, 2))[0]
                foreign = rng.random() < place.foreign
                school_type = rng.choices(types, weights=type_weights)[0]
                weights = qualification_weights(place, sex, foreign, year)
                yield {
                    "year": str(year),
                    "school_number": numbers[school_type],
                    "school_type": school_type,
                    "district": place.code,
                    "sex": sex,
                    "nationality": "foreign" if foreign else "german",
                    "qualification": rng.choices(QUALIFICATIONS, weights=weights)[0],
                }


def write_example_leavers(path: Path, district_codes: Sequence[str], **options: int) -> int:
    """Write :func:`example_leavers` as a ``leavers`` CSV file; returns the number of rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in example_leavers(district_codes, **options):  # type: ignore[arg-type]
            writer.writerow(record)
            rows += 1
    return rows


def load_example_leavers(say: Say) -> ImportRun | None:
    """Import the invented leavers for the pack's districts, unless leavers are there."""
    if LeaverRecord.objects.exclude(run__source=EXAMPLE_SOURCE).exists():
        say("Schulabgänge: echte Daten vorhanden, keine Beispieldaten geladen.")
        return None
    if LeaverRecord.objects.filter(run__source=EXAMPLE_SOURCE).exists():
        say("Schulabgänge: erfundene Beispieldaten bereits geladen.")
        return None
    codes = list(
        Area.objects.filter(level=Area.Level.DISTRICT)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:
        say("Schulabgänge: das Stadtpaket hat keine statistischen Bezirke, übersprungen.")
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / EXAMPLE_SOURCE
        write_example_leavers(path, codes)
        run = importers.import_file("leavers", str(path), by=EXAMPLE_BY)
    say(
        f"Schulabgänge: {run.rows} ERFUNDENE Beispieldatensätze für {len(codes)} Bezirke "
        f"({EXAMPLE_YEARS.start}–{EXAMPLE_YEARS.stop - 1}) geladen."
    )
    return run


def load_monitoring_demo(say: Say) -> None:
    """The open data (if the folder is there) and the invented leavers; see the module text."""
    folder = open_data_folder()
    if folder is None:
        configured = getattr(settings, "LERNSTADT_OPEN_DATA_DIR", "")
        where = f"Ordner „{configured}“ nicht gefunden" if configured else "kein Ordner angegeben"
        say(f"Offene Daten: {where}, übersprungen (LERNSTADT_OPEN_DATA_DIR nennt ihn).")
    else:
        try:
            load_open_data(folder, say)
        except ImportFailed as failure:
            say(failure.report())
    load_example_leavers(say)


def example_leavers_loaded() -> bool:
    """Whether the invented example leaver records are in the database (pages say so)."""
    return LeaverRecord.objects.filter(run__source=EXAMPLE_SOURCE).exists()
