"""Importing an offer file: pick the reader, check everything, then save."""

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lernstadt.catalog.formats.jsonld import parse_offers_jsonld
from lernstadt.catalog.formats.offer_records import (
    OfferRecord,
    OfferSummary,
    check_against_catalogue,
    save_offers,
)
from lernstadt.catalog.formats.offers_csv import parse_offers_csv
from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem

JSON_SUFFIXES = {".json", ".jsonld"}
MAX_SOURCE = 100  # Offer.source


def is_json(file: str, data: bytes) -> bool:
    """By the name's extension (.csv, .json, .jsonld), else by the first character."""
    suffix = PurePosixPath(urlsplit(file).path).suffix.lower()
    if suffix == ".csv":
        return False
    if suffix in JSON_SUFFIXES:
        return True
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start in (b"{", b"[")


def read_offer_file(data: bytes, file: str) -> list[OfferRecord]:
    """Checked records of a CSV or JSON-LD file, checked against the catalogue too."""
    parse = parse_offers_jsonld if is_json(file, data) else parse_offers_csv
    records = parse(data, file)
    problems = check_against_catalogue(records)
    if problems:
        raise ImportFailed(problems)
    return records


def default_source(file: str) -> str:
    """The file name's stem: "vhs-herne-2027.csv" -> "vhs-herne-2027"."""
    return Path(urlsplit(file).path).stem or "import"


def import_offers(path: str, source: str = "", dry_run: bool = False) -> OfferSummary:
    """Import an offer file (all or nothing); ``source`` defaults to the file's stem."""
    file, data = reading.load_source(path)
    source = source or default_source(file)
    if len(source) > MAX_SOURCE:
        raise ImportFailed([ImportProblem(file, f"Quelle länger als {MAX_SOURCE} Zeichen")])
    records = read_offer_file(data, file)
    return save_offers(records, source, dry_run)
