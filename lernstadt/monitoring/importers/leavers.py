"""The city's pseudonymous school-leaver records: one row per leaver, no person key.

Header ``year,school_number,school_type,district,sex,nationality,qualification``;
no other column is accepted, so that no name or birth date slips in. Importing
a file replaces all records of the years it contains; then the leaver indicators
of those years are computed again (``derive.refresh_leaver_indicators``).
"""

import re
from collections.abc import Callable

from lernstadt.catalog.formats.school_register import SCHOOL_TYPES
from lernstadt.monitoring.importers import checks
from lernstadt.monitoring.importers.checks import CsvFile, InvalidCell, Problems
from lernstadt.monitoring.models import Area, ImportRun, LeaverRecord

COLUMNS = (
    "year",
    "school_number",
    "school_type",
    "district",
    "sex",
    "nationality",
    "qualification",
)
SEXES = {"f", "m", "d"}
NATIONALITIES = {"german", "foreign"}
QUALIFICATIONS = {"none", "hsa", "hsa10", "msa", "fhr", "ahr"}
SCHOOL_NUMBER = re.compile(r"^\d{6}$")
BATCH = 2000


def import_leavers(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check every record, replace the records of the file's years, refresh the indicators."""
    csv = checks.read_csv(path)
    problems = Problems()
    _check_header(csv, problems)
    problems.raise_if_any()
    records = _read_records(csv, _district_lookup(), run, problems)
    problems.raise_if_any()
    years = {record.year for record in records}
    LeaverRecord.objects.filter(year__in=years).delete()
    LeaverRecord.objects.bulk_create(records, batch_size=BATCH)
    run.rows = len(records)
    run.observations = _refresh(years)


def _refresh(years: set[int]) -> int:
    from lernstadt.monitoring import derive  # computed by the monitoring, after storing

    written = derive.refresh_leaver_indicators(years)
    return written if isinstance(written, int) else 0


def _check_header(csv: CsvFile, problems: Problems) -> None:
    checks.require_columns(csv, COLUMNS, problems)
    for name in csv.header:
        if name and name not in COLUMNS:
            reason = f"unbekannte Spalte „{name}“ (erlaubt: {', '.join(COLUMNS)})"
            problems.add(csv.name, reason, csv.table.header_line)


def _district_lookup() -> dict[str, Area]:
    """Statistical districts by code and by name, both case-insensitive."""
    lookup: dict[str, Area] = {}
    for area in Area.objects.filter(level=Area.Level.DISTRICT):
        lookup[area.name.casefold()] = area
        lookup[area.code.casefold()] = area
    return lookup


def _read_records(
    csv: CsvFile, districts: dict[str, Area], run: ImportRun, problems: Problems
) -> list[LeaverRecord]:
    def district(text: str) -> Area:
        found = districts.get(text.strip().casefold())
        if found is None:
            raise InvalidCell(f"„{text}“ ist kein statistischer Bezirk des Stadtpakets")
        return found

    fields: dict[str, Callable[[str], object]] = {
        "year": checks.year,
        "school_number": _school_number,
        "school_type": _school_type,
        "district": district,
        "sex": _one_of(SEXES, "Geschlecht"),
        "nationality": _one_of(NATIONALITIES, "Staatsangehörigkeit"),
        "qualification": _one_of(QUALIFICATIONS, "Abschluss"),
    }
    positions = {name: csv.header.index(name) for name in COLUMNS}
    records = []
    for line, cells in csv.rows():
        if not checks.require_width(csv, line, cells, problems):
            continue
        values = {}
        for name, check in fields.items():
            try:
                values[name] = check(cells[positions[name]])
            except InvalidCell as error:
                problems.add(csv.name, str(error), line, name)
        if len(values) == len(fields):
            records.append(LeaverRecord(run=run, **values))
    if not records and not problems:
        problems.add(csv.name, "keine Datensätze unter der Kopfzeile")
    return records


def _school_number(text: str) -> str:
    value = text.strip()
    if not SCHOOL_NUMBER.match(value):
        raise InvalidCell(f"„{text}“ ist keine Schulnummer (sechs Ziffern, z. B. 123456)")
    return value


def _school_type(text: str) -> str:
    value = text.strip().upper()
    if value not in SCHOOL_TYPES:
        known = ", ".join(sorted(SCHOOL_TYPES))
        raise InvalidCell(f"„{text}“ ist kein Schulformschlüssel NRW (erlaubt: {known})")
    return value


def _one_of(allowed: set[str], what: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise InvalidCell(f"„{text}“: {what} unbekannt (erlaubt: {', '.join(sorted(allowed))})")
        return value

    return check
