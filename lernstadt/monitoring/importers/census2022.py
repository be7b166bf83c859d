"""Census 2022 (Zensus 2022) figures per municipality: one row per municipality.

``ags`` is the 8-digit municipality key, ``municipality_name`` its name; every
other column is an indicator for the census year 2022. Municipalities are stored
with their county (the first 5 digits) and state (the first 2) as parents. Names
and units come from ``census2022_codebook.csv`` when it lies beside the file.
"""

from typing import Any

from lernstadt.monitoring.importers import checks, storing
from lernstadt.monitoring.importers.checks import InvalidCell, Problems
from lernstadt.monitoring.importers.wide import KeyColumn, read_wide, store_wide
from lernstadt.monitoring.models import Area, ImportRun

CENSUS_YEAR = 2022
CODEBOOK = "census2022_codebook.csv"
SOURCE = "Zensus 2022, Statistische Ämter des Bundes und der Länder"
LICENCE = "Datenlizenz Deutschland – Namensnennung – 2.0"
MAX_NAME = 200  # Area.name


def municipality_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise InvalidCell("Pflichtfeld ist leer")
    if len(name) > MAX_NAME:
        raise InvalidCell(f"zu lang: {len(name)} Zeichen, höchstens {MAX_NAME}")
    return name


KEYS = [
    KeyColumn("ags", lambda text: checks.official_key(text, 8)),
    KeyColumn("municipality_name", municipality_name),
]


def import_census(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check the whole file, then replace the 2022 observations of its municipalities."""
    csv = checks.read_csv(path)
    problems = Problems()
    table = read_wide(
        csv, KEYS, lambda key: (key["ags"], CENSUS_YEAR, key["municipality_name"]), problems
    )
    problems.raise_if_any()
    codebook = checks.codebook_beside(path, CODEBOOK)
    defaults = {code: indicator_defaults(code, codebook.get(code, {})) for code in table.codes}
    run.rows = table.rows
    run.observations = store_wide(table, run, defaults, storing.county_names_beside(path))


def indicator_defaults(code: str, entry: dict[str, str]) -> dict[str, Any]:
    """A new census indicator as the codebook describes it (its code when it does not)."""
    label = entry.get("label") or code
    return {
        "name_de": label[:300],
        "name_en": label[:300],
        "unit": storing.codebook_unit(entry.get("unit", "")),
        "source": SOURCE,
        "licence": LICENCE,
        "update_cycle": "census",
        "level": Area.Level.MUNICIPALITY,
    }
