"""Wide statistics tables: one row per area (and year), one column per indicator.

INKAR and the census publish this shape. The key columns say where (and when) a
row belongs; every other column is an indicator whose code is the column name;
an empty cell means "not available" and is not stored.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lernstadt.monitoring.importers import checks, storing
from lernstadt.monitoring.importers.checks import CsvFile, InvalidCell, Problems
from lernstadt.monitoring.models import ImportRun

# Turns the key cells of a row (by column name) into (area key, period, area name).
RowKey = Callable[[dict[str, Any]], tuple[str, int, str]]


@dataclass
class KeyColumn:
    name: str
    check: Callable[[str], Any]


@dataclass
class WideTable:
    """The checked cells of a wide file."""

    codes: list[str]
    cells: list[tuple[str, int, int, float]] = field(default_factory=list)  # key, period, code#
    decimals: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    rows: int = 0


def read_wide(
    csv: CsvFile, keys: Sequence[KeyColumn], row_key: RowKey, problems: Problems
) -> WideTable:
    """Check header and every cell; problems are collected, nothing is raised here."""
    key_names = [key.name for key in keys]
    checks.require_columns(csv, key_names, problems)
    codes = _indicator_columns(csv, key_names, problems)
    table = WideTable(codes=[code for _index, code in codes])
    if problems:
        return table
    positions = {name: csv.header.index(name) for name in key_names}
    seen: dict[tuple[str, int], int] = {}
    for line, cells in csv.rows():
        table.rows += 1
        if not checks.require_width(csv, line, cells, problems):
            continue
        where = _row_key(csv, line, cells, keys, positions, row_key, problems)
        if where is None:
            continue
        area, period, name = where
        if (area, period) in seen:
            reason = f"{area} {period} steht schon in Zeile {seen[area, period]}"
            problems.add(csv.name, reason, line=line, column=keys[0].name)
            continue
        seen[area, period] = line
        if name:
            table.names[area] = name
        _read_values(csv, line, cells, codes, area, period, table, problems)
    if not table.rows:
        problems.add(csv.name, "keine Datenzeilen unter der Kopfzeile")
    return table


def _indicator_columns(
    csv: CsvFile, key_names: list[str], problems: Problems
) -> list[tuple[int, str]]:
    columns = []
    for index, name in enumerate(csv.header):
        if name in key_names:
            continue
        try:
            columns.append((index, checks.indicator_code(name)))
        except InvalidCell as error:
            problems.add(csv.name, str(error), line=csv.table.header_line, column=name)
    if not columns and not problems:
        problems.add(csv.name, "keine Indikatorspalten in der Kopfzeile", csv.table.header_line)
    return columns


def _row_key(
    csv: CsvFile,
    line: int,
    cells: list[str],
    keys: Sequence[KeyColumn],
    positions: dict[str, int],
    row_key: RowKey,
    problems: Problems,
) -> tuple[str, int, str] | None:
    values = {}
    for key in keys:
        text = cells[positions[key.name]]
        try:
            values[key.name] = key.check(text)
        except InvalidCell as error:
            problems.add(csv.name, str(error), line=line, column=key.name)
    if len(values) < len(keys):
        return None
    return row_key(values)


def _read_values(
    csv: CsvFile,
    line: int,
    cells: list[str],
    codes: list[tuple[int, str]],
    area: str,
    period: int,
    table: WideTable,
    problems: Problems,
) -> None:
    for position, (index, code) in enumerate(codes):
        text = cells[index]
        if not text or text.isspace():
            continue
        try:
            value, decimals = checks.number(text)
        except InvalidCell as error:
            problems.add(csv.name, str(error), line=line, column=code)
            continue
        table.cells.append((area, period, position, value))
        if decimals > table.decimals.get(code, 0):
            table.decimals[code] = decimals
        else:
            table.decimals.setdefault(code, decimals)


def store_wide(
    table: WideTable,
    run: ImportRun,
    defaults: dict[str, dict[str, Any]],
    area_names: dict[str, str],
) -> int:
    """Replace the observations the table covers; returns how many were written."""
    area_keys = {area for area, _period, _code, _value in table.cells} | set(table.names)
    areas = storing.official_areas(area_keys, area_names | table.names)
    by_code = storing.indicators(defaults)
    indicator_ids = [by_code[code].pk for code in table.codes]
    periods = {period for _area, period, _code, _value in table.cells}
    file_areas = [areas[key].pk for key in area_keys]
    storing.delete_observations(indicator_ids, file_areas, periods, breakdown="")
    area_ids = {key: area.pk for key, area in areas.items()}
    rows = sorted(  # in the order of the unique index: faster inserts
        storing.observation_row(indicator_ids[position], area_ids[area], period, value, run.pk)
        for area, period, position, value in table.cells
    )
    storing.set_decimals(by_code, table.decimals)
    return storing.insert_rows(rows)
