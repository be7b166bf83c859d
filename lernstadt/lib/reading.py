"""Reading files as they come from real offices: odd encodings, Excel hints, URLs."""

import codecs
import csv
import io
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lernstadt.lib.import_problems import ImportFailed, ImportProblem

# The full NRW register is about 1.5 MB; anything near this limit is not a register.
MAX_BYTES = 100 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 60


def is_url(path_or_url: str) -> bool:
    return urllib.parse.urlsplit(path_or_url).scheme in {"http", "https"}


def load_source(path_or_url: str) -> tuple[str, bytes]:
    """The name and the bytes of a local file or of an http(s) address."""
    if is_url(path_or_url):
        return path_or_url, _fetch(path_or_url)
    path = Path(path_or_url)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise ImportFailed(
            [ImportProblem(path.name, f"Datei kann nicht gelesen werden ({error.strerror})")]
        ) from error
    _check_size(path.name, data)
    return path.name, data


def _fetch(url: str) -> bytes:
    # Only http(s) reaches here (is_url), so no file:// or other scheme is opened.
    request = urllib.request.Request(url, headers={"User-Agent": "lernstadt-import/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ImportFailed(
            [ImportProblem(url, f"Abruf fehlgeschlagen: HTTP {error.code} {error.reason}")]
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ImportFailed([ImportProblem(url, f"Abruf fehlgeschlagen: {reason}")]) from error
    _check_size(url, data)
    return data


def _check_size(name: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise ImportFailed(
            [ImportProblem(name, f"Datei ist größer als {MAX_BYTES // (1024 * 1024)} MB")]
        )


def decode(data: bytes, file: str) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

    Files saved by Excel on German Windows are often Windows-1252; a file that is
    not valid UTF-8 is read as that before giving up.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            reason = "Datei enthält Nullzeichen (keine Textdatei?)"
            raise ImportFailed([ImportProblem(file, reason)])
        return text
    raise ImportFailed(
        [ImportProblem(file, "Zeichenkodierung nicht erkannt: erwartet UTF-8 oder Windows-1252")]
    )


@dataclass
class Table:
    """The cells of a CSV file with the line number where each row starts."""

    delimiter: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


def separator_hint(text: str) -> tuple[str | None, str, int]:
    """Excel's optional first line ``sep=;``: the delimiter it names, the rest, lines skipped."""
    first, newline, rest = text.partition("\n")
    first = first.rstrip("\r")
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4], rest, 1
    return None, text, 0


def sniff_delimiter(header_line: str, candidates: str = ",;\t|") -> str:
    """The candidate that splits the header line into the most cells ("" if none does)."""
    counts = {c: header_line.count(c) for c in candidates}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ""


def require_content(text: str, file: str) -> None:
    if not text.strip():
        raise ImportFailed([ImportProblem(file, "Die Datei ist leer")])


def first_line(text: str) -> str:
    return text.lstrip("\r\n").partition("\n")[0].rstrip("\r")


def read_table(text: str, file: str, delimiter: str, first_line_number: int = 1) -> Table:
    """Split ``text`` into header and rows (RFC 4180 quoting), skipping empty lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start + first_line_number - 1, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        line = reader.line_num + first_line_number - 1
        problem = ImportProblem(file, f"CSV nicht lesbar: {error}", line=line)
        raise ImportFailed([problem]) from error
    if not records:
        raise ImportFailed([ImportProblem(file, "Die Datei ist leer")])
    (header_line, header), *rows = records
    return Table(delimiter, [name.strip() for name in header], header_line, rows)
