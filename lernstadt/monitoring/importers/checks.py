"""Reading a statistics CSV and checking its cells, collecting every problem.

All importers share these checks, so a number, a year or an official key is
accepted or refused the same way in every format. Reasons are German.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem
from lernstadt.monitoring.models import BREAKDOWN_SEPARATOR, breakdown_key

# A broken file of 300,000 cells would otherwise list 300,000 problems.
MAX_PROBLEMS = 100
# Plain or scientific ("1.957e+04": INKAR writes large values so).
NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$")
YEAR = re.compile(r"^\d{4}$")
FIRST_YEAR, LAST_YEAR = 1900, 2100
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
STATES = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}


class InvalidCell(ValueError):
    """A cell that cannot be imported; the message says why, in German."""


class Problems:
    """The problems of one import, collected so that all of them are reported at once."""

    def __init__(self) -> None:
        self.found: list[ImportProblem] = []
        self.dropped = 0

    def add(self, file: str, reason: str, line: int | None = None, column: str = "") -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(ImportProblem(file, reason, line=line, column=column))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        """Stop the import with every problem found (nothing has been written yet)."""
        if not self.found:
            return
        problems = list(self.found)
        if self.dropped:
            file = problems[0].file
            problems.append(ImportProblem(file, f"… und {self.dropped} weitere Probleme"))
        raise ImportFailed(problems)


@dataclass
class CsvFile:
    """A CSV file read as text: its name, its table, and the delimiter it uses."""

    name: str
    table: reading.Table

    @property
    def header(self) -> list[str]:
        return self.table.header

    def rows(self) -> Iterable[tuple[int, list[str]]]:
        return self.table.rows


def read_csv(path: str, delimiters: str = ",;\t") -> CsvFile:
    """Read a local file or http(s) address as a CSV table (encoding and delimiter detected)."""
    name, data = reading.load_source(path)
    return parse_csv(name, data, delimiters)


def parse_csv(name: str, data: bytes, delimiters: str = ",;\t") -> CsvFile:
    text = reading.decode(data, name)
    reading.require_content(text, name)
    hinted, text, skipped = reading.separator_hint(text)
    delimiter = hinted or reading.sniff_delimiter(reading.first_line(text), delimiters) or ","
    return CsvFile(name, reading.read_table(text, name, delimiter, skipped + 1))


def require_columns(csv: CsvFile, required: Iterable[str], problems: Problems) -> None:
    """Every required column is in the header, and no column name appears twice."""
    header, line = csv.header, csv.table.header_line
    for name in required:
        if name not in header:
            problems.add(csv.name, f"Spalte „{name}“ fehlt in der Kopfzeile", line)
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.add(csv.name, "Kopfzeile enthält eine Spalte ohne Namen", line)
        elif name in seen:
            problems.add(csv.name, f"Spalte „{name}“ steht doppelt in der Kopfzeile", line)
        seen.add(name)


def require_width(csv: CsvFile, line: int, cells: list[str], problems: Problems) -> bool:
    """The row has as many cells as the header; reports it when not."""
    if len(cells) == len(csv.header):
        return True
    reason = f"{len(cells)} Felder, die Kopfzeile hat {len(csv.header)}"
    problems.add(csv.name, reason, line=line)
    return False


def number(text: str, decimal_comma: bool = False) -> tuple[float, int]:
    """A number as published and the count of its decimals ("18.30" → 18.3, 2).

    Scientific notation counts what is left after the point: "1.957e+04" has none.
    """
    value = text.strip()
    if decimal_comma and "," in value and "." not in value:
        value = value.replace(",", ".")
    match = NUMBER.match(value)
    if not match:
        raise InvalidCell(f"„{text}“ ist keine Zahl (erwartet z. B. 12.5)")
    fraction, exponent = match.group(1) or "", int(match.group(2) or 0)
    return float(value), max(0, len(fraction) - exponent)


def optional_number(text: str, decimal_comma: bool = False) -> tuple[float | None, int]:
    """Like :func:`number`; an empty cell means "not available" (None)."""
    if not text.strip():
        return None, 0
    return number(text, decimal_comma)


def year(text: str) -> int:
    value = text.strip()
    if not YEAR.match(value) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise InvalidCell(f"„{text}“ ist kein Jahr (vierstellig, z. B. 2022)")
    return int(value)


def official_key(text: str, digits: int) -> str:
    """A county key (5 digits) or municipality key (8 digits) of a German state."""
    value = text.strip()
    if len(value) != digits or not value.isascii() or not value.isdigit():
        example = "05916" if digits == 5 else "05916000"
        raise InvalidCell(f"„{text}“ ist kein {digits}-stelliger Schlüssel (z. B. {example})")
    if value[:2] not in STATES:
        raise InvalidCell(f"„{text}“: Länderschlüssel „{value[:2]}“ gibt es nicht (01 bis 16)")
    return value


def indicator_code(text: str) -> str:
    """An indicator code as a column name or cell: letters, digits, _ . -; at most 64."""
    if not CODE.match(text):
        raise InvalidCell(
            f"„{text}“ ist keine gültige Indikatorkennung "
            "(Buchstabe, dann Buchstaben, Ziffern, _ . -; höchstens 64 Zeichen)"
        )
    return text


def codebook_beside(path: str, name: str) -> dict[str, dict[str, str]]:
    """The rows of a codebook CSV lying beside ``path``, by ``variable`` (empty if none)."""
    if reading.is_url(path):
        return {}
    codebook = Path(path).with_name(name)
    if not codebook.is_file():
        return {}
    csv = read_csv(str(codebook))
    rows: dict[str, dict[str, str]] = {}
    for _line, cells in csv.rows():
        row = dict(zip(csv.header, (c.strip() for c in cells), strict=False))
        if row.get("variable"):
            rows[row["variable"]] = row
    return rows


MAX_BREAKDOWN = 300  # Observation.breakdown


def breakdown(
    csv: CsvFile,
    line: int,
    cells: list[str],
    dimensions: Iterable[tuple[str, int]],
    problems: Problems,
) -> str | None:
    """The breakdown key of a row from its dimension columns (name, position), or None."""
    values = {name: cells[index].strip() for name, index in dimensions}
    for name, value in values.items():
        if BREAKDOWN_SEPARATOR in value:
            problems.add(csv.name, "Wert darf kein | enthalten", line, name)
            return None
    key = breakdown_key(values)
    if len(key) > MAX_BREAKDOWN:
        problems.add(csv.name, f"Aufgliederung länger als {MAX_BREAKDOWN} Zeichen", line)
        return None
    return key
