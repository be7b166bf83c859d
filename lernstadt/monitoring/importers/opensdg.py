"""Open SDG indicator files, as Herne's SDG data site publishes them.

One CSV per indicator, named ``indicator_<id>.csv`` (``indicator_4-1.csv``), with
the columns ``Year``, any disaggregation columns (``Gruppierung``, ``Series``,
``Units``, ``GeoCode`` …) and ``Value``. A path may name one file or a folder
of them. Every column other than ``Year`` and ``Value`` is stored, in file order,
as the indicator's disaggregations, and the cells of a row as the observation's
breakdown (empty cells: the headline series); with the most decimals seen, an
export writes the same file again. The data belong to one area: ``area_code`` or
the city of the pack.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from lernstadt.cities.pack import current_city
from lernstadt.lib.import_problems import ImportFailed, ImportProblem
from lernstadt.monitoring.importers import checks, storing
from lernstadt.monitoring.importers.checks import CsvFile, InvalidCell, Problems
from lernstadt.monitoring.models import (
    BREAKDOWN_SEPARATOR,
    Area,
    ImportRun,
    Indicator,
    Observation,
)

FILE_NAME = re.compile(r"^indicator_(\d+(?:-\d+){1,3})\.csv$", re.IGNORECASE)
YEAR, VALUE = "Year", "Value"
SOURCE = "Open SDG"


@dataclass
class SdgFile:
    """The checked rows of one indicator file."""

    name: str
    sdg_id: str
    dimensions: list[str]
    cells: list[tuple[int, str, float | None]] = field(default_factory=list)  # year, key, value
    decimals: int = 0


def import_opensdg(path: str, run: ImportRun, area_code: str | None) -> None:
    """Check every file first, then replace each indicator's series for the area."""
    area = _area(path, area_code)
    problems = Problems()
    files = [_read(file, problems) for file in _indicator_files(path)]
    problems.raise_if_any()
    run.rows = sum(len(sdg.cells) for sdg in files if sdg)
    run.observations = sum(_store(sdg, area, run) for sdg in files if sdg)


def _indicator_files(path: str) -> list[str]:
    folder = Path(path)
    if not folder.is_dir():
        return [path]
    files = sorted(
        (p for p in folder.iterdir() if FILE_NAME.match(p.name)),
        key=lambda p: [int(part) for part in FILE_NAME.match(p.name).group(1).split("-")],  # type: ignore[union-attr]
    )
    if not files:
        reason = "keine Open-SDG-Dateien (indicator_<Kennung>.csv) im Ordner"
        raise ImportFailed([ImportProblem(folder.name, reason)])
    return [str(p) for p in files]


def _area(path: str, area_code: str | None) -> Area:
    code = area_code or current_city().ags
    area = Area.objects.filter(code=code).first()
    if area is None:
        reason = f"Gebiet „{code}“ gibt es nicht (Gebiete: Stadtpaket oder Verwaltung)"
        raise ImportFailed([ImportProblem(Path(path).name, reason)])
    return area


def _read(path: str, problems: Problems) -> SdgFile | None:
    csv = checks.read_csv(path, delimiters=",")
    match = FILE_NAME.match(csv.name)
    if not match:
        reason = "Dateiname muss indicator_<Kennung>.csv lauten, z. B. indicator_4-1.csv"
        problems.add(csv.name, reason)
        return None
    checks.require_columns(csv, [YEAR, VALUE], problems)
    dimensions = [name for name in csv.header if name not in (YEAR, VALUE)]
    for name in dimensions:
        if "=" in name or BREAKDOWN_SEPARATOR in name:
            problems.add(csv.name, "Spaltenname darf weder = noch | enthalten", 1, name)
    if problems:
        return None
    sdg = SdgFile(csv.name, match.group(1), dimensions)
    _read_rows(csv, sdg, problems)
    return sdg


def _read_rows(csv: CsvFile, sdg: SdgFile, problems: Problems) -> None:
    year_at, value_at = csv.header.index(YEAR), csv.header.index(VALUE)
    positions = [(name, csv.header.index(name)) for name in sdg.dimensions]
    seen: dict[tuple[int, str], int] = {}
    for line, cells in csv.rows():
        if not checks.require_width(csv, line, cells, problems):
            continue
        try:
            year = checks.year(cells[year_at])
        except InvalidCell as error:
            problems.add(csv.name, str(error), line, YEAR)
            continue
        try:
            value, decimals = checks.optional_number(cells[value_at])
        except InvalidCell as error:
            problems.add(csv.name, str(error), line, VALUE)
            continue
        key = checks.breakdown(csv, line, cells, positions, problems)
        if key is None:
            continue
        if (year, key) in seen:
            reason = f"Jahr {year} mit dieser Aufgliederung steht schon in Zeile {seen[year, key]}"
            problems.add(csv.name, reason, line)
            continue
        seen[year, key] = line
        sdg.cells.append((year, key, value))
        sdg.decimals = max(sdg.decimals, decimals)


def _indicator(sdg: SdgFile, area: Area) -> Indicator:
    indicator = Indicator.objects.filter(open_sdg_id=sdg.sdg_id).order_by("pk").first()
    if indicator is None:
        indicator, _created = Indicator.objects.get_or_create(
            code=f"sdg_{sdg.sdg_id}",
            defaults={
                "name_de": f"SDG-Indikator {sdg.sdg_id}",
                "name_en": f"SDG indicator {sdg.sdg_id}",
                "unit": "",
                "source": SOURCE,
                "level": area.level,
                "open_sdg_id": sdg.sdg_id,
            },
        )
    return indicator


def _store(sdg: SdgFile, area: Area, run: ImportRun) -> int:
    indicator = _indicator(sdg, area)
    indicator.disaggregations = sdg.dimensions
    indicator.decimals = sdg.decimals
    indicator.open_sdg_id = sdg.sdg_id
    indicator.save(update_fields=["disaggregations", "decimals", "open_sdg_id"])
    storing.delete_observations([indicator.pk], [area.pk])
    return storing.insert_observations(
        [
            Observation(
                indicator=indicator,
                area=area,
                period=year,
                breakdown=key,
                value=value,
                run=run,
            )
            for year, key, value in sdg.cells
        ]
    )
