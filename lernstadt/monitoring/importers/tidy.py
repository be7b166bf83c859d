"""The tidy CSV: one observation per row, for anything the office collects itself.

Required columns ``indicator,area,period,value``; optional ``numerator``,
``denominator`` and ``flags`` (letters: p provisional, e estimated, b break in
series, c confidential); every other column is a disaggregation dimension
(its cells the category; an empty cell: not broken down by it). Indicators and
areas must exist (city pack or admin). Comma, semicolon or tab separated; with
semicolons, a decimal comma is accepted too. Cells of the file replace the same
cells in the database; other cells stay. Documented in docs/data-formats.md.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from lernstadt.monitoring.importers import checks, storing
from lernstadt.monitoring.importers.checks import CsvFile, InvalidCell, Problems
from lernstadt.monitoring.models import (
    BREAKDOWN_SEPARATOR,
    Area,
    ImportRun,
    Indicator,
    Observation,
)

REQUIRED = ("indicator", "area", "period", "value")
OPTIONAL = ("numerator", "denominator", "flags")
FLAGS = {
    "p": "provisional",
    "e": "estimated",
    "b": "break_in_series",
    "c": "confidential",
}
T = TypeVar("T")


@dataclass
class Columns:
    """Where each known column stands, and the dimension columns in file order."""

    at: dict[str, int]
    dimensions: list[tuple[str, int]]


def import_tidy(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check every row, then write its cells over the same cells in the database."""
    csv = checks.read_csv(path)
    problems = Problems()
    columns = _columns(csv, problems)
    problems.raise_if_any()
    indicators = Indicator.objects.in_bulk(field_name="code")
    areas = Area.objects.in_bulk(field_name="code")
    observations = _read_rows(csv, columns, indicators, areas, run, problems)
    problems.raise_if_any()
    _add_dimensions(observations, indicators)
    run.rows = len(observations)
    run.observations = storing.upsert_observations(observations)


def _columns(csv: CsvFile, problems: Problems) -> Columns:
    checks.require_columns(csv, REQUIRED, problems)
    known = set(REQUIRED) | set(OPTIONAL)
    at = {name: index for index, name in enumerate(csv.header) if name in known}
    dimensions = []
    for index, name in enumerate(csv.header):
        if name in known or not name:
            continue
        if "=" in name or BREAKDOWN_SEPARATOR in name:
            reason = "Spaltenname darf weder = noch | enthalten"
            problems.add(csv.name, reason, csv.table.header_line, name)
        dimensions.append((name, index))
    return Columns(at, dimensions)


def _read_rows(
    csv: CsvFile,
    columns: Columns,
    indicators: dict[str, Indicator],
    areas: dict[str, Area],
    run: ImportRun,
    problems: Problems,
) -> list[Observation]:
    comma = csv.table.delimiter == ";"
    observations: list[Observation] = []
    seen: dict[tuple[int, int, int, str], int] = {}
    for line, cells in csv.rows():
        if not checks.require_width(csv, line, cells, problems):
            continue
        before = len(problems.found) + problems.dropped
        observation = _row(csv, line, cells, columns, indicators, areas, comma, problems)
        if observation is None or len(problems.found) + problems.dropped > before:
            continue
        cell = (
            observation.indicator_id,
            observation.area_id,
            observation.period,
            observation.breakdown,
        )
        if cell in seen:
            problems.add(csv.name, f"dieselbe Zelle steht schon in Zeile {seen[cell]}", line)
            continue
        seen[cell] = line
        observation.run = run
        observations.append(observation)
    if not observations and not problems:
        problems.add(csv.name, "keine Datenzeilen unter der Kopfzeile")
    return observations


def _row(
    csv: CsvFile,
    line: int,
    cells: list[str],
    columns: Columns,
    indicators: dict[str, Indicator],
    areas: dict[str, Area],
    comma: bool,
    problems: Problems,
) -> Observation | None:
    def cell(name: str) -> str:
        return cells[columns.at[name]].strip() if name in columns.at else ""

    def checked(name: str, check: Callable[[str], T]) -> T | None:
        try:
            return check(cell(name))
        except InvalidCell as error:
            problems.add(csv.name, str(error), line, name)
            return None

    indicator = checked("indicator", lambda text: _known(indicators, text, "Indikator"))
    area = checked("area", lambda text: _known(areas, text, "Gebiet"))
    period = checked("period", checks.year)
    value = checked("value", lambda text: checks.optional_number(text, comma)[0])
    numerator = checked("numerator", lambda text: checks.optional_number(text, comma)[0])
    denominator = checked("denominator", lambda text: checks.optional_number(text, comma)[0])
    flags = checked("flags", _flags)
    breakdown = checks.breakdown(csv, line, cells, columns.dimensions, problems)
    if indicator is None or area is None or period is None or flags is None or breakdown is None:
        return None
    return Observation(
        indicator=indicator,
        area=area,
        period=period,
        breakdown=breakdown,
        value=value,
        numerator=numerator,
        denominator=denominator,
        **flags,
    )


def _known(known: Mapping[str, T], text: str, what: str) -> T:
    if not text:
        raise InvalidCell("Pflichtfeld ist leer")
    if text not in known:
        raise InvalidCell(f"{what} „{text}“ gibt es nicht (Stadtpaket oder Verwaltung)")
    return known[text]


def _flags(text: str) -> dict[str, bool]:
    letters = [c for c in text.lower() if c not in " ,;"]
    unknown = sorted(set(letters) - FLAGS.keys())
    if unknown:
        raise InvalidCell(
            f"unbekannte Kennzeichen „{''.join(unknown)}“ (p vorläufig, e geschätzt, "
            "b Zeitreihenbruch, c geheim gehalten)"
        )
    return {field: letter in letters for letter, field in FLAGS.items()}


def _add_dimensions(observations: list[Observation], indicators: dict[str, Indicator]) -> None:
    """Dimensions the file breaks an indicator down by join its list, in file order."""
    used: dict[int, list[str]] = {}
    for observation in observations:
        names = used.setdefault(observation.indicator_id, [])
        for pair in filter(None, observation.breakdown.split(BREAKDOWN_SEPARATOR)):
            name = pair.split("=", 1)[0]
            if name not in names:
                names.append(name)
    by_id = {indicator.pk: indicator for indicator in indicators.values()}
    for indicator_id, names in used.items():
        indicator = by_id[indicator_id]
        missing = [name for name in names if name not in indicator.disaggregations]
        if missing:
            indicator.disaggregations = [*indicator.disaggregations, *missing]
            indicator.save(update_fields=["disaggregations"])
