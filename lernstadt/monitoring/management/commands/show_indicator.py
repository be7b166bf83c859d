"""``lernstadt show_indicator ID --area CODE [--json]``: one indicator for one area."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.monitoring import compute
from lernstadt.monitoring.comparison import UnknownArea, resolve_area
from lernstadt.monitoring.models import Area, Direction, Indicator
from lernstadt.monitoring.summary import indicator_summary

DIRECTIONS_DE = {
    Direction.UP: "höher ist besser",
    Direction.DOWN: "niedriger ist besser",
    Direction.TOWARDS_ZERO: "näher an null ist besser",
    Direction.CONTEXT: "Kontext, keine Wertung",
}
LABELS_DE = {"rising": "steigend", "falling": "fallend", "stable": "stabil"}
STATUS_DE = {
    compute.Status.ACHIEVED: "erreicht",
    compute.Status.ON_TRACK: "auf Kurs",
    compute.Status.OFF_TRACK: "nicht auf Kurs",
    compute.Status.NO_TARGET: "kein Ziel",
}
LEVELS_DE = {Area.Level.COUNTY: "Kreisen", Area.Level.MUNICIPALITY: "Gemeinden"}


UNITS_DE = {"percent": "Prozent", "years": "Jahre", "count": "Anzahl", "EUR": "Euro"}


def number(value: float | None, decimals: int, *, signed: bool = False) -> str:
    """A value the German way (decimal comma, ``+`` for changes); ``.`` when there is none."""
    if value is None:
        return "."
    sign = "+" if signed else ""
    return f"{value:{sign}.{decimals}f}".replace(".", ",").replace("-", "−")


def cell(point: dict[str, Any], decimals: int) -> str:
    """A series value as printed: the number, or its symbol (``.`` withheld, ``-`` zero)."""
    return point["symbol"] or number(point["value"], decimals)


def text(found: dict[str, Any], state: str) -> list[str]:
    """The report as German lines for people."""
    indicator, area = found["indicator"], found["area"]
    places = int(indicator["decimals"])
    lines = [
        f"{indicator['name']} ({indicator['code']}) – {area['name']} ({area['code']})",
        f"Einheit: {UNITS_DE.get(indicator['unit'], indicator['unit'])} · "
        f"gute Richtung: {DIRECTIONS_DE[indicator['direction']]}",
        "",
    ]
    lines += [f"  {point['period']}  {cell(point, places)}" for point in found["series"]]
    latest = found["latest"]
    if latest is None:
        return [*lines, "Kein veröffentlichter Wert."]
    lines += ["", f"Neuester Wert {latest['period']}: {number(latest['value'], places)}"]
    return lines + development(found, places) + comparison(found, places, state) + goal(found)


def development(found: dict[str, Any], places: int) -> list[str]:
    """Change over 1, 5 and 10 years, and the trend."""
    changes = [
        f"{years} {'Jahr' if years == '1' else 'Jahren'}: {number(value, places, signed=True)}"
        for years, value in found["change"].items()
    ]
    lines = ["Veränderung in " + " · in ".join(changes)]
    trend = found["trend"]
    if trend:
        slope = number(trend["slope"], places + 1, signed=True)
        label = LABELS_DE[trend["label"]]
        lines.append(f"Trend {trend['first']}–{trend['last']}: {slope} je Jahr, {label}")
    return lines


def comparison(found: dict[str, Any], places: int, state: str) -> list[str]:
    """Rank and median in the state, and the structurally similar counties."""
    lines = []
    if found["of"]:
        rank = f"Rang {found['rank']} von " if found["rank"] else "Werte von "
        level = LEVELS_DE.get(found["area"]["level"], "Gebieten")
        median = number(found["state_median"], places)
        lines.append(f"{rank}{found['of']} {level} in {state} (Median {median})")
    if found["peers"]:
        lines.append(f"Strukturell ähnliche Kreise (Strukturdaten {found['peer_year']}):")
        lines += [
            f"  {peer['name']} ({peer['code']}): {number(peer['value'], places)}"
            f" (Abstand {number(peer['distance'], 2)})"
            for peer in found["peers"]
        ]
    return lines


def goal(found: dict[str, Any]) -> list[str]:
    """The target and where the indicator stands against it."""
    target = found["target"]
    if not target:
        return ["Ziel: keines gesetzt"]
    kind = "mindestens" if target["direction"] == "at_least" else "höchstens"
    places = int(found["indicator"]["decimals"])
    wanted = f"{kind} {number(target['value'], places)} bis {target['year']}"
    return [f"Ziel: {wanted} – {STATUS_DE[target['status']]}"]


class Command(BaseCommand):
    help = (
        "Zeigt einen Indikator für ein Gebiet: Zeitreihe (geschützt nach der "
        "Geheimhaltung), Veränderung, Trend, Rang und Median unter den Kreisen des Landes, "
        "strukturell ähnliche Kreise und den Stand zum Zielwert. CODE ist der amtliche "
        "Schlüssel (05916 oder 05916000 für Herne) oder ein Gebietscode des Stadtpakets. "
        "/ Shows one indicator for one area (--json: machine-readable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("indicator", metavar="ID", help="Kennung des Indikators")
        parser.add_argument("--area", metavar="CODE", required=True, help="Gebietsschlüssel")
        parser.add_argument("--json", action="store_true", help="Ausgabe als JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        indicator = Indicator.objects.filter(code=options["indicator"]).first()
        if indicator is None:
            raise CommandError(f"Unbekannter Indikator „{options['indicator']}“.")
        try:
            area = resolve_area(options["area"], indicator)
        except UnknownArea as unknown:
            raise CommandError(str(unknown)) from unknown
        found = indicator_summary(indicator, area).to_dict()
        if options["json"]:
            self.stdout.write(json.dumps(found, ensure_ascii=False))
            return
        state = Area.objects.filter(code=area.code[:2]).values_list("name", flat=True).first()
        self.stdout.write("\n".join(text(found, state or "")))
