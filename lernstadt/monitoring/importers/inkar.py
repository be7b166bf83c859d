"""INKAR county indicators (BBSR): one row per county and year, one column per indicator.

``county_code`` is the 5-digit county key, ``year`` the year; every other column is
an indicator named by its column. Names and units come from the codebook
``inkar_counties_codebook.csv`` when it lies beside the file (an indicator the city
pack defines keeps the pack's texts); county names come from the official boundaries
``vg5000_counties_2021.geojson`` when they lie beside it.
"""

from typing import Any

from lernstadt.monitoring.importers import checks, storing
from lernstadt.monitoring.importers.checks import Problems
from lernstadt.monitoring.importers.wide import KeyColumn, read_wide, store_wide
from lernstadt.monitoring.models import Area, ImportRun

CODEBOOK = "inkar_counties_codebook.csv"
SOURCE = "INKAR, Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR)"
LICENCE = "Datenlizenz Deutschland – Namensnennung – 2.0"
KEYS = [
    KeyColumn("county_code", lambda text: checks.official_key(text, 5)),
    KeyColumn("year", checks.year),
]


def import_inkar(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check the whole file, then replace the observations of its counties and years."""
    csv = checks.read_csv(path)
    problems = Problems()
    table = read_wide(csv, KEYS, lambda key: (key["county_code"], key["year"], ""), problems)
    problems.raise_if_any()
    codebook = checks.codebook_beside(path, CODEBOOK)
    defaults = {code: indicator_defaults(code, codebook.get(code, {})) for code in table.codes}
    run.rows = table.rows
    run.observations = store_wide(table, run, defaults, storing.county_names_beside(path))


def indicator_defaults(code: str, entry: dict[str, str]) -> dict[str, Any]:
    """A new INKAR indicator as the codebook describes it (its code when it does not)."""
    label = entry.get("label") or code
    notes = entry.get("notes", "")
    inkar_code = entry.get("inkar_code", "")
    source = f"{SOURCE}, {inkar_code}" if inkar_code else SOURCE
    return {
        "name_de": label[:300],
        "name_en": label[:300],
        "definition_en": notes,
        "unit": storing.codebook_unit(entry.get("unit", "")),
        "source": source[:300],
        "licence": LICENCE,
        "update_cycle": "yearly",
        "level": Area.Level.COUNTY,
    }
