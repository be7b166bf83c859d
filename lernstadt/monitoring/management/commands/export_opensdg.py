"""``lernstadt export_opensdg --output DIR``: the city's indicators as Open SDG data files."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min

from lernstadt.cities.pack import current_city
from lernstadt.monitoring.comparison import UnknownArea, resolve_area, same_place
from lernstadt.monitoring.models import Area, Indicator, Observation, breakdown_dict
from lernstadt.monitoring.publishing import publish

YEAR, VALUE = "Year", "Value"


def file_name(indicator: Indicator) -> str:
    """``indicator_4-1.csv`` for an Open SDG indicator, else ``indicator_<code>.csv``."""
    return f"indicator_{indicator.open_sdg_id or indicator.code}.csv"


def formatted(value: float | None, decimals: int) -> str:
    """The value with the indicator's decimals; empty when there is none to publish."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.00"


def columns(indicator: Indicator, breakdowns: list[str]) -> list[str]:
    """The disaggregation columns: the indicator's order, then any others found, sorted."""
    found = {name for key in breakdowns for name in breakdown_dict(key)}
    listed = [str(name) for name in indicator.disaggregations]
    return listed + sorted(found - set(listed))


def rows(indicator: Indicator, area: Area) -> list[list[str]]:
    """Header and rows of the indicator's file: by year, breakdowns in first-stored order.

    Each value passes the disclosure gate; a withheld or missing value leaves the
    ``Value`` cell empty (Open SDG has no symbol for it).
    """
    observations = list(
        Observation.objects.filter(indicator=indicator, area=area).select_related("area")
    )
    # Imported files keep their own row order within a year: breakdowns are ordered
    # by when they were first stored.
    first_stored = {
        row["breakdown"]: row["first"]
        for row in Observation.objects.filter(indicator=indicator, area=area)
        .values("breakdown")
        .annotate(first=Min("id"))
        .order_by()
    }
    verdicts = publish(observations)
    dimensions = columns(indicator, list(first_stored))
    lines = sorted(
        zip(observations, verdicts, strict=True),
        key=lambda pair: (pair[0].period, first_stored[pair[0].breakdown]),
    )
    table = [[YEAR, *dimensions, VALUE]]
    for observation, verdict in lines:
        cells = breakdown_dict(observation.breakdown)
        table.append(
            [
                str(observation.period),
                *(cells.get(name, "") for name in dimensions),
                formatted(verdict.value, indicator.decimals),
            ]
        )
    return table


def export(folder: Path, area_code: str) -> list[Path]:
    """Write one file per indicator with observations for the area; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for indicator in Indicator.objects.filter(observations__isnull=False).distinct():
        try:
            area = resolve_area(area_code, indicator)
        except UnknownArea:
            continue
        table = rows(indicator, area)
        if len(table) == 1:
            continue
        path = folder / file_name(indicator)
        with path.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, lineterminator="\r\n").writerows(table)
        written.append(path)
    return written


class Command(BaseCommand):
    help = (
        "Schreibt für jeden Indikator mit Werten der Stadt eine Open-SDG-Datei "
        "(indicator_4-1.csv bzw. indicator_<Kennung>.csv) mit den Spalten Year, "
        "Aufgliederungen und Value; Werte mit den Nachkommastellen des Indikators, "
        "geschützt nach der Geheimhaltung (zurückgehaltene Werte bleiben leer). "
        "/ Writes Open SDG data files, one per indicator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="DIR", required=True, help="Zielordner")
        parser.add_argument(
            "--area",
            metavar="CODE",
            help="Gebietsschlüssel (Standard: die Stadt des Stadtpakets)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["area"] or current_city().ags
        if not Area.objects.filter(code__in=same_place(code)).exists():
            raise CommandError(f"Unbekanntes Gebiet „{code}“.")
        written = export(Path(options["output"]), code)
        self.stdout.write(f"{len(written)} Open-SDG-Dateien in {options['output']} geschrieben.")
