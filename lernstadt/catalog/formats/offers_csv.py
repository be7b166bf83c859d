"""Offers as CSV: the documented header (docs/data-formats.md), both ways.

One offer per row with at most one date; list fields hold codes separated by
``|``. The export protects spreadsheets against formula injection (a cell that
starts with = + - @ TAB or CR gets a leading apostrophe) and the import takes
that apostrophe off again, so an export round-trips through the import.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone

from lernstadt.catalog.formats import values
from lernstadt.catalog.formats.offer_records import (
    DateRecord,
    OfferRecord,
    PlaceRecord,
    ProviderRef,
    check_record,
    export_ids,
    is_all_day,
    representative_date,
)
from lernstadt.catalog.models import Offer
from lernstadt.catalog.taxonomy import Accessibility, LifePhase, OfferStatus, TargetGroup, Topic
from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem

COLUMNS = (
    "external_id",
    "title",
    "summary",
    "description",
    "provider",
    "provider_kind",
    "provider_school_number",
    "place_name",
    "street",
    "postcode",
    "city",
    "borough",
    "latitude",
    "longitude",
    "life_phases",
    "topics",
    "target_groups",
    "languages",
    "accessibility",
    "min_age",
    "max_age",
    "price",
    "price_reduced",
    "cost_note",
    "registration_required",
    "registration_url",
    "registration_email",
    "registration_phone",
    "registration_note",
    "status",
    "last_reviewed",
    "start",
    "end",
    "recurrence",
    "capacity",
    "example",
)
REQUIRED = ("external_id", "title", "provider")
DELIMITERS = ",;\t"
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA = re.compile(r"^'*[=+\-@\t\r]")
GUARDED = re.compile(r"^'('*[=+\-@\t\r])", re.DOTALL)
T = TypeVar("T")


def guard(cell: str) -> str:
    """A cell made safe for spreadsheets (apostrophes before it are kept reversible)."""
    return f"'{cell}" if FORMULA.match(cell) else cell


def unguard(cell: str) -> str:
    """The cell as it was before :func:`guard`."""
    return GUARDED.sub(r"\1", cell, count=1)


# --- import ----------------------------------------------------------------------


class _Row:
    """One CSV row being read: collects its problems with line and column."""

    def __init__(self, file: str, line: int, cells: dict[str, str]) -> None:
        self.file, self.line, self.cells = file, line, cells
        self.problems: list[ImportProblem] = []

    def locate(self, column: str, reason: str) -> ImportProblem:
        return ImportProblem(self.file, reason, self.line, column)

    def get(self, column: str, convert: Callable[[str], T], default: Any) -> T:
        try:
            return convert(self.cells.get(column, ""))
        except values.InvalidValue as error:
            self.problems.append(self.locate(column, str(error)))
            return default

    def text(self, column: str, max_length: int, required: bool = False) -> str:
        return self.get(column, lambda v: values.text(v, max_length, required), "")

    def codes(self, column: str, vocabulary: Any) -> list[str]:
        return self.get(column, lambda v: values.codes(values.split_codes(v), vocabulary), [])


def _fields(row: _Row) -> dict[str, Any]:
    return {
        "title": row.text("title", 300, required=True),
        "summary": row.text("summary", 500),
        "description": row.text("description", 20000),
        "life_phases": row.codes("life_phases", LifePhase),
        "topics": row.codes("topics", Topic),
        "target_groups": row.codes("target_groups", TargetGroup),
        "languages": row.get("languages", lambda v: values.languages(values.split_codes(v)), []),
        "accessibility": row.codes("accessibility", Accessibility),
        "min_age": row.get("min_age", lambda v: values.integer(v, 0, 150), None),
        "max_age": row.get("max_age", lambda v: values.integer(v, 0, 150), None),
        "price": row.get("price", values.price, None),
        "price_reduced": row.get("price_reduced", values.price, None),
        "cost_note": row.text("cost_note", 300),
        "registration_required": row.get("registration_required", values.boolean, False),
        "registration_url": row.get("registration_url", values.url, ""),
        "registration_email": row.get("registration_email", values.email, ""),
        "registration_phone": row.get("registration_phone", values.phone, ""),
        "registration_note": row.text("registration_note", 500),
        "status": row.get("status", values.offer_status, OfferStatus.PUBLISHED),
        "last_reviewed": row.get("last_reviewed", values.day, None),
        "is_example": row.get("example", values.boolean, False),
    }


def _place(row: _Row) -> PlaceRecord:
    latitude, longitude = row.get(
        "latitude",
        lambda v: values.coordinates(v, row.cells.get("longitude", "")),
        (None, None),
    )
    return PlaceRecord(
        name=row.text("place_name", 300),
        street=row.text("street", 200),
        postcode=row.text("postcode", 10),
        city=row.text("city", 100),
        borough=row.get("borough", values.borough, ""),
        latitude=latitude,
        longitude=longitude,
    )


def _dates(row: _Row) -> list[DateRecord]:
    starts_at = row.get("start", values.moment, None)
    ends_at = row.get("end", values.moment, None)
    rule = row.get("recurrence", lambda v: values.recurrence(v, starts_at), "")
    capacity = row.get("capacity", lambda v: values.integer(v, 0, 1_000_000), None)
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        row.problems.append(row.locate("end", "Ende liegt vor dem Beginn"))
    if starts_at is None:
        if ends_at or rule or capacity is not None:
            reason = "Beginn fehlt (Ende, Wiederholung oder Plätze angegeben)"
            row.problems.append(row.locate("start", reason))
        return []
    return [DateRecord(starts_at, ends_at, rule, capacity)]


def _record(row: _Row) -> OfferRecord:
    return OfferRecord(
        external_id=row.text("external_id", 200, required=True),
        origin=f"Zeile {row.line}",
        locate=row.locate,
        fields=_fields(row),
        provider=ProviderRef(
            name=row.text("provider", 300, required=True),
            kind=row.get("provider_kind", values.provider_kind, ""),
            school_number=row.text("provider_school_number", 12),
        ),
        place=_place(row),
        dates=_dates(row),
    )


def _header(table: reading.Table, file: str) -> list[str]:
    names = [name.lower() for name in table.header]
    problems = []
    # Spreadsheets often leave empty columns at the end: columns without a name are
    # ignored as long as they hold nothing.
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown and len(names) == 1:
        reason = f"nur eine Spalte erkannt: erwartet Komma als Trennzeichen ({', '.join(REQUIRED)})"
        problems.append(ImportProblem(file, reason, table.header_line))
    elif unknown:
        reason = f"unbekannte Spalten: {', '.join(unknown)} (erlaubt: {', '.join(COLUMNS)})"
        problems.append(ImportProblem(file, reason, table.header_line))
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        reason = f"Spalten doppelt: {', '.join(doubled)}"
        problems.append(ImportProblem(file, reason, table.header_line))
    missing = [n for n in REQUIRED if n not in names]
    if missing and len(names) > 1:
        reason = f"Pflichtspalten fehlen: {', '.join(missing)}"
        problems.append(ImportProblem(file, reason, table.header_line))
    if problems:
        raise ImportFailed(problems)
    return names


def parse_offers_csv(data: bytes, file: str) -> list[OfferRecord]:
    """Check every row of an offer CSV; raise ImportFailed listing all problems."""
    text = reading.decode(data, file)
    hint, body, skipped = reading.separator_hint(text)
    reading.require_content(body, file)
    delimiter = hint or reading.sniff_delimiter(reading.first_line(body), DELIMITERS) or ","
    table = reading.read_table(body, file, delimiter, 1 + skipped)
    names = _header(table, file)
    records, problems = [], []
    for line, cells in table.rows:
        stray = [i for i, c in enumerate(cells) if c.strip() and (i >= len(names) or not names[i])]
        if stray:
            reason = f"Wert ohne Spaltenüberschrift in Feld {stray[0] + 1} ({len(names)} Spalten)"
            problems.append(ImportProblem(file, reason, line))
            continue
        named = zip(names, cells, strict=False)
        row = _Row(file, line, {n: unguard(c) for n, c in named if n})
        record = _record(row)
        problems += row.problems or check_record(record)
        records.append(record)
    if problems:
        raise ImportFailed(problems)
    if not records:
        raise ImportFailed([ImportProblem(file, "Die Datei enthält keine Angebote")])
    return records


# --- export ----------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "ja" if value else "nein"


def _number(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def _local(moment: Any, all_day: bool) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return local.date().isoformat() if all_day else local.strftime("%Y-%m-%dT%H:%M")


def offer_row(offer: Offer, identifier: str) -> dict[str, str]:
    """One offer as a row of the import format (its next date, else its last)."""
    place, date, provider = offer.place, representative_date(offer), offer.provider
    all_day = date is not None and is_all_day(date.starts_at, date.ends_at)
    row = {
        "external_id": identifier,
        "provider": provider.name,
        "provider_kind": provider.kind,
        "provider_school_number": provider.school_number or "",
        "place_name": place.name if place else "",
        "street": place.street if place else "",
        "postcode": place.postcode if place else "",
        "city": place.city if place else "",
        "borough": place.borough if place else "",
        "latitude": _number(place.latitude) if place else "",
        "longitude": _number(place.longitude) if place else "",
        "registration_required": _yes_no(offer.registration_required),
        "last_reviewed": offer.last_reviewed.isoformat() if offer.last_reviewed else "",
        "start": _local(date.starts_at, all_day) if date else "",
        "end": _local(date.ends_at, all_day) if date else "",
        "recurrence": date.recurrence if date else "",
        "capacity": _number(date.capacity) if date else "",
        "example": _yes_no(offer.is_example),
    }
    for name in ("title", "summary", "description", "cost_note", "status"):
        row[name] = getattr(offer, name)
    for name in ("registration_url", "registration_email", "registration_phone"):
        row[name] = getattr(offer, name)
    row["registration_note"] = offer.registration_note
    for name in ("life_phases", "topics", "target_groups", "languages", "accessibility"):
        row[name] = "|".join(getattr(offer, name))
    for name in ("min_age", "max_age", "price", "price_reduced"):
        row[name] = _number(getattr(offer, name))
    return {column: row[column] for column in COLUMNS}


def offers_csv(offers: Iterable[Offer]) -> str:
    """Offers as CSV text (RFC 4180, comma, header row), safe to open in a spreadsheet."""
    offers = list(offers)
    ids = export_ids(offers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for offer in offers:
        writer.writerow(guard(cell) for cell in offer_row(offer, ids[offer.pk]).values())
    return out.getvalue()
