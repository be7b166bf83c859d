"""The official NRW school register (Schulgrunddaten NRW) as providers with places.

The Ministry for Schools of North Rhine-Westphalia publishes every school of the
state as one CSV file: semicolon separated, every field quoted, an Excel hint
``sep=;`` as the first line, coordinates in UTM zone 32N (EPSG:25832). Each school
becomes a :class:`Provider` with one :class:`Place`; a re-import updates schools by
their official number and marks schools that left the register as closed.
"""

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from lernstadt.catalog import search
from lernstadt.catalog.formats import values
from lernstadt.catalog.models import Offer, Place, Provider
from lernstadt.catalog.taxonomy import OfferStatus, ProviderKind, ProviderStatus
from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem

SOURCE = "nrw-schulgrunddaten"
PUBLIC_URL = "https://www.schulministerium.nrw.de/BiPo/OpenData/Schuldaten/schuldaten.csv"
DELIMITER = ";"
REQUIRED_COLUMNS = (
    "Schulnummer",
    "Schulform",
    "Schulbezeichnung_1",
    "Schulbezeichnung_2",
    "Schulbezeichnung_3",
    "PLZ",
    "Ort",
    "Strasse",
    "Telefonvorwahl",
    "Telefon",
    "E-Mail",
    "Homepage",
    "Rechtsform",
    "Schulbetriebsschluessel",
    "Schulbetriebsdatum",
    "EPSG",
    "UTMRechtswert",
    "UTMHochwert",
)

# The NRW key of school forms ("Schulform"), as used by the register.
SCHOOL_TYPES = {
    "02": "Grundschule",
    "04": "Hauptschule",
    "06": "Volksschule",
    "08": "Förderschule",
    "10": "Realschule",
    "13": "PRIMUS-Schule",
    "14": "Sekundarschule",
    "15": "Gesamtschule",
    "16": "Gemeinschaftsschule",
    "17": "Freie Waldorfschule",
    "18": "Hiberniaschule",
    "19": "Waldorf-Förderschule",
    "20": "Gymnasium",
    "25": "Weiterbildungskolleg",
    "30": "Berufskolleg",
    "81": "Schulischer Lernort",
    "83": "Schule für Kranke",
    "85": "Förderschule (Realschule)",
    "87": "Förderschule (Sek. I/II)",
    "88": "Förderberufskolleg",
}
# Form 0A lists school authorities (ministry, district governments, school
# offices): they are in the register, but they are not schools.
AUTHORITY_FORM = "0A"
KIND_BY_FORM = {
    "30": ProviderKind.VOCATIONAL_COLLEGE,
    "88": ProviderKind.VOCATIONAL_COLLEGE,
    # Evening schools and colleges for adults catching up on school-leaving
    # qualifications: the citizen looks for them under adult education.
    "25": ProviderKind.ADULT_EDUCATION,
}
LEGAL_FORMS = {"1": "öffentlich", "2": "privat"}
CLOSED = "9"  # Schulbetriebsschluessel: the school has closed on Schulbetriebsdatum
REGISTER_CRS = "EPSG:25832"
# Germany with a margin: a point outside is a wrong coordinate, not a school.
GERMANY = {"south": 47.0, "north": 55.2, "west": 5.5, "east": 15.5}
CONJUNCTIONS = {"und", "u.", "oder", "bzw.", "sowie"}
SCHOOL_NUMBER = re.compile(r"^\d{6}$")
POSTCODE = re.compile(r"^\d{5}$")
# A word broken at the line end: "Schu-", "Förder-"; not "Sek. I-" or "-Primarstufe-".
WRAPPED = re.compile(r"^[^-].*[a-zäöüß]-$")
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()
T = TypeVar("T")


@dataclass
class School:
    """One school of the register, checked and ready to save."""

    number: str
    type_code: str
    name: str
    official_name: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    website: str
    legal_form: str
    status: str
    closed_on: dt.date | None
    latitude: float | None
    longitude: float | None

    @property
    def kind(self) -> str:
        return KIND_BY_FORM.get(self.type_code, ProviderKind.SCHOOL)

    def provider_fields(self) -> dict[str, object]:
        return {
            "name": self.name,
            "official_name": self.official_name,
            "kind": self.kind,
            "website": self.website,
            "email": self.email,
            "phone": self.phone,
            "school_number": self.number,
            "school_type_code": self.type_code,
            "school_type": SCHOOL_TYPES[self.type_code],
            "legal_form": self.legal_form,
            "status": self.status,
            "closed_on": self.closed_on,
            "source": SOURCE,
            "external_id": self.number,
        }

    def place_fields(self) -> dict[str, object]:
        return {
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass
class Register:
    """The schools of one register file, the authorities skipped, and notes."""

    schools: list[School]
    skipped: int = 0
    warnings: list[ImportProblem] = field(default_factory=list)


@dataclass
class RegisterSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped: int = 0
    warnings: list[ImportProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"Schulen: {self.created} neu, {self.updated} aktualisiert, "
            f"{self.unchanged} unverändert, {self.closed} geschlossen, "
            f"{self.skipped} übersprungen (Schulaufsicht, keine Schulen)"
        )


# --- names ---------------------------------------------------------------------


def join_name_parts(parts: Iterable[str]) -> str:
    """Join the register's name lines, mending words it wrapped with a hyphen.

    "Schu-" + "le u. ..." gives "Schule u. ..."; "Montessori-" + "Gesamtschule"
    keeps the hyphen; "Grund-" + "und Hauptschule" keeps hyphen and space.
    """
    joined = ""
    for part in (" ".join(p.split()) for p in parts):
        if not part:
            continue
        if not joined:
            joined = part
        elif _wrapped(joined) and part.split()[0] not in CONJUNCTIONS:
            joined = joined[:-1] + part if part[0].islower() else joined + part
        else:
            joined = f"{joined} {part}"
    return joined


def _wrapped(text: str) -> bool:
    """Ends in a word broken with a hyphen ("Schu-"), not in a dash note ("-Sek. I-")."""
    words = text.split()
    return bool(words) and bool(WRAPPED.match(words[-1]))


def school_name(first: str, second: str) -> str:
    """The name (first line), with a word that the register broke off completed."""
    name = first.strip()
    words = second.split()
    if _wrapped(name) and words:
        take = 2 if words[0] in CONJUNCTIONS and len(words) > 1 else 1
        rest = " ".join(words[:take])
        name = join_name_parts([name, re.split(r"[,;]", rest)[0]])
    return re.sub(r"\s+-$", "", name)


# --- parsing -------------------------------------------------------------------


@cache
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _crs(value: str) -> str:
    """The register says "null" for some rows: it is EPSG:25832 throughout."""
    value = value.strip()
    if value.lower() in {"", "null", "none"}:
        return REGISTER_CRS
    try:
        CRS.from_user_input(value)
    except CRSError as error:
        raise values.InvalidValue(f"„{value}“ ist kein bekanntes Koordinatensystem") from error
    return value.upper()


def utm_to_wgs84(easting: str, northing: str, crs: str) -> tuple[float | None, float | None]:
    """WGS84 latitude and longitude of a point given as easting/northing (metres)."""
    easting, northing = easting.strip(), northing.strip()
    if not easting and not northing:
        return None, None
    try:
        x, y = float(easting.replace(",", ".")), float(northing.replace(",", "."))
    except ValueError as error:
        raise values.InvalidValue(f"„{easting}“/„{northing}“ sind keine Zahlen") from error
    longitude, latitude = _to_wgs84(crs).transform(x, y)
    inside = (
        GERMANY["south"] <= latitude <= GERMANY["north"]
        and GERMANY["west"] <= longitude <= GERMANY["east"]
    )
    if not (math.isfinite(latitude) and math.isfinite(longitude) and inside):
        raise values.InvalidValue(f"„{easting}“/„{northing}“ liegt nicht in Deutschland")
    return round(latitude, 7), round(longitude, 7)


def register_date(value: str) -> dt.date | None:
    """The register writes dates as DD.MM.YYYY."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError as error:
        raise values.InvalidValue(f"„{value}“ ist kein Datum (TT.MM.JJJJ)") from error


def website(value: str) -> str:
    """The address with https:// added when the scheme is missing; "" if invalid."""
    value = value.strip()
    if value and not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        value = f"https://{value}"
    try:
        _url(value)
    except ValidationError:
        return ""
    return value if len(value) <= 500 else ""


def email(value: str) -> str:
    value = value.strip()
    try:
        _email(value)
    except ValidationError:
        return ""
    return value


class _Row:
    """One register row being checked: collects its problems with their column."""

    def __init__(self, file: str, line: int, cells: dict[str, str]) -> None:
        self.file, self.line, self.cells = file, line, cells
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []

    def get(self, column: str, convert: Callable[[str], T], default: Any) -> T:
        try:
            return convert(self.cells[column])
        except values.InvalidValue as error:
            self.problems.append(ImportProblem(self.file, str(error), self.line, column))
            return default

    def text(self, column: str, max_length: int, required: bool = False) -> str:
        return self.get(column, lambda v: values.text(v, max_length, required), "")

    def lenient(self, column: str, clean: Callable[[str], str], what: str) -> str:
        """A value that is dropped (with a note), not fatal, when it is invalid."""
        raw = self.cells[column].strip()
        cleaned = clean(raw) if raw else ""
        if raw and not cleaned:
            self.warnings.append(
                ImportProblem(self.file, f"{what} „{raw}“ ungültig, weggelassen", self.line, column)
            )
        return cleaned


def _number(value: str) -> str:
    value = value.strip()
    if not SCHOOL_NUMBER.match(value):
        raise values.InvalidValue(f"„{value}“ ist keine sechsstellige Schulnummer")
    return value


def _school_type(value: str) -> str:
    value = value.strip()
    if value not in SCHOOL_TYPES:
        raise values.InvalidValue(f"„{value}“ ist keine bekannte Schulform")
    return value


def _postcode(value: str) -> str:
    value = value.strip()
    if not POSTCODE.match(value):
        raise values.InvalidValue(f"„{value}“ ist keine fünfstellige Postleitzahl")
    return value


def _legal_form(value: str) -> str:
    value = value.strip()
    if value and value not in LEGAL_FORMS:
        raise values.InvalidValue(f"„{value}“ ist keine Rechtsform (1 oder 2)")
    return LEGAL_FORMS.get(value, "")


def _operating_key(value: str) -> str:
    value = value.strip()
    if value and not value.isdigit():
        raise values.InvalidValue(f"„{value}“ ist kein Schulbetriebsschlüssel")
    return value


def _school(row: _Row) -> School:
    names = [row.text(f"Schulbezeichnung_{n}", 160, required=n == 1) for n in (1, 2, 3)]
    key = row.get("Schulbetriebsschluessel", _operating_key, "")
    since = row.get("Schulbetriebsdatum", register_date, None)
    crs = row.get("EPSG", _crs, REGISTER_CRS)
    no_point: tuple[float | None, float | None] = (None, None)
    latitude, longitude = row.get(
        "UTMRechtswert", lambda v: utm_to_wgs84(v, row.cells["UTMHochwert"], crs), no_point
    )
    phone = " ".join(filter(None, [row.text("Telefonvorwahl", 20), row.text("Telefon", 39)]))
    return School(
        number=row.get("Schulnummer", _number, ""),
        type_code=row.get("Schulform", _school_type, ""),
        name=school_name(names[0], names[1]),
        official_name=join_name_parts(names),
        street=row.text("Strasse", 200),
        postcode=row.get("PLZ", _postcode, ""),
        city=row.text("Ort", 100, required=True),
        phone=phone if row.cells["Telefon"].strip() else "",
        email=row.lenient("E-Mail", email, "E-Mail-Adresse"),
        website=row.lenient("Homepage", website, "Homepage"),
        legal_form=row.get("Rechtsform", _legal_form, ""),
        status=ProviderStatus.CLOSED if key == CLOSED else ProviderStatus.ACTIVE,
        closed_on=since if key == CLOSED else None,
        latitude=latitude,
        longitude=longitude,
    )


def _delimiter_problem(file: str, text: str, line: int) -> ImportProblem:
    used = reading.sniff_delimiter(reading.first_line(text))
    names = {",": "Komma (,)", "\t": "Tabulator", "|": "senkrechter Strich (|)"}
    reason = (
        f"falsches Trennzeichen: erwartet Semikolon (;), die Datei verwendet "
        f"{names.get(used, used)}; ist das wirklich das NRW-Schulregister?"
    )
    return ImportProblem(file, reason, line=line)


def _check_header(table: reading.Table, file: str, text: str) -> dict[str, int]:
    positions = {name: index for index, name in enumerate(table.header) if name}
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if not missing:
        return positions
    if len(positions) == 1:
        raise ImportFailed([_delimiter_problem(file, text, table.header_line)])
    reason = f"Spalten fehlen: {', '.join(missing)}"
    raise ImportFailed([ImportProblem(file, reason, line=table.header_line)])


def parse_register(data: bytes, file: str) -> Register:
    """Check every row of a register file; raise ImportFailed listing all problems."""
    text = reading.decode(data, file)
    hint, body, skipped_lines = reading.separator_hint(text)
    reading.require_content(body, file)
    if hint is None and reading.sniff_delimiter(reading.first_line(body)) not in {"", DELIMITER}:
        raise ImportFailed([_delimiter_problem(file, body, 1 + skipped_lines)])
    table = reading.read_table(body, file, hint or DELIMITER, 1 + skipped_lines)
    positions = _check_header(table, file, body)
    named = max(positions.values()) + 1
    register = Register([])
    problems: list[ImportProblem] = []
    first_line_of: dict[str, int] = {}
    for line, cells in table.rows:
        if len(cells) > named and any(c.strip() for c in cells[named:]):
            reason = f"{len(cells)} Felder statt {named} (Trennzeichen im Text?)"
            problems.append(ImportProblem(file, reason, line))
            continue
        padded = cells + [""] * (len(table.header) - len(cells))
        row = _Row(file, line, {name: padded[index] for name, index in positions.items()})
        if row.cells["Schulform"].strip() == AUTHORITY_FORM:
            register.skipped += 1
            continue
        school = _school(row)
        if school.number in first_line_of:
            first = first_line_of[school.number]
            reason = f"Schulnummer {school.number} doppelt (schon in Zeile {first})"
            row.problems.append(ImportProblem(file, reason, line, "Schulnummer"))
        elif school.number:
            first_line_of[school.number] = line
        problems += row.problems
        register.warnings += row.warnings
        register.schools.append(school)
    if problems:
        raise ImportFailed(problems)
    if not register.schools:
        raise ImportFailed([ImportProblem(file, "Die Datei enthält keine Schulen")])
    return register


# --- saving --------------------------------------------------------------------


PROVIDER_FIELDS = [
    "name",
    "official_name",
    "kind",
    "website",
    "email",
    "phone",
    "school_number",
    "school_type_code",
    "school_type",
    "legal_form",
    "status",
    "closed_on",
    "source",
    "external_id",
]
PLACE_FIELDS = ["street", "postcode", "city", "latitude", "longitude"]
BATCH = 500


def _apply(instance: Provider | Place, fields: dict[str, object]) -> bool:
    """Set ``fields`` on ``instance``; True if anything changed."""
    changed = False
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _register_places() -> dict[int, Place]:
    """The main (first) place of every provider with a school number."""
    places: dict[int, Place] = {}
    for place in Place.objects.filter(provider__school_number__isnull=False).order_by("pk"):
        places.setdefault(place.provider_id, place)  # type: ignore[arg-type]
    return places


@dataclass
class _Changes:
    new: list[tuple[Provider, School]] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    new_places: list[Place] = field(default_factory=list)


def _plan(register: Register, today: dt.date, summary: RegisterSummary) -> _Changes:
    """Compare the register with the catalogue: what to create, update, close."""
    existing = {p.school_number: p for p in Provider.objects.exclude(school_number=None)}
    places = _register_places()
    changes = _Changes()
    for school in register.schools:
        provider = existing.pop(school.number, None)
        if provider is None:
            changes.new.append((Provider(**school.provider_fields()), school))
            summary.created += 1
            summary.closed += school.status == ProviderStatus.CLOSED
            continue
        was_closed = provider.status == ProviderStatus.CLOSED
        provider_changed = _apply(provider, school.provider_fields())
        place = places.get(provider.pk)
        if place is None:
            changes.new_places.append(Place(provider=provider, **school.place_fields()))
            place_changed = True
        elif _apply(place, school.place_fields()):
            changes.places.append(place)
            place_changed = True
        else:
            place_changed = False
        if provider_changed or place_changed:
            changes.providers.append(provider)
            summary.updated += 1
            summary.closed += not was_closed and provider.status == ProviderStatus.CLOSED
        else:
            summary.unchanged += 1
    for provider in existing.values():
        if provider.source == SOURCE and provider.status != ProviderStatus.CLOSED:
            provider.status, provider.closed_on = ProviderStatus.CLOSED, today
            changes.providers.append(provider)
            summary.closed += 1
    return changes


def _write(changes: _Changes) -> None:
    providers = Provider.objects.bulk_create([p for p, _ in changes.new], batch_size=BATCH)
    new_places = [
        Place(provider=provider, **school.place_fields())
        for provider, (_, school) in zip(providers, changes.new, strict=True)
    ]
    Place.objects.bulk_create(new_places + changes.new_places, batch_size=BATCH)
    now = timezone.now()
    for provider in changes.providers:
        provider.updated_at = now
    Provider.objects.bulk_update(changes.providers, [*PROVIDER_FIELDS, "updated_at"], BATCH)
    Place.objects.bulk_update(changes.places, PLACE_FIELDS, BATCH)


def _reindex(providers: list[Provider]) -> None:
    """Bulk writes send no save signals: bring the search index up to date here."""
    search.index_providers(providers)
    ids = {provider.pk for provider in providers}
    public = Offer.objects.filter(
        status__in=[OfferStatus.PUBLISHED, OfferStatus.CANCELLED],
        provider__school_number__isnull=False,
    ).select_related("provider", "place")
    search.index_offers(offer for offer in public if offer.provider_id in ids)


def save_register(register: Register, today: dt.date | None = None) -> RegisterSummary:
    """Create, update and close schools in one transaction; index them for search."""
    summary = RegisterSummary(skipped=register.skipped, warnings=register.warnings)
    with transaction.atomic():
        changes = _plan(register, today or timezone.localdate(), summary)
        _write(changes)
        _reindex([p for p, _ in changes.new] + changes.providers)
    return summary


def import_register(path_or_url: str, today: dt.date | None = None) -> RegisterSummary:
    """Read, check and save a register file or address (all or nothing)."""
    file, data = reading.load_source(path_or_url)
    return save_register(parse_register(data, file), today)
