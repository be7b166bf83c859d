"""Checking and converting single values of imported offers.

Each function takes what a file holds and returns what the catalogue stores, or
raises :class:`InvalidValue` with a German reason. CSV and JSON-LD import share
them, so both accept exactly the same values.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.utils import timezone

from lernstadt.catalog.taxonomy import Language, OfferStatus, ProviderKind
from lernstadt.cities.pack import current_city


class InvalidValue(ValueError):
    """A value that cannot be imported; the message says why, in German."""


TRUE_WORDS = {"ja", "j", "true", "wahr", "yes", "y", "1", "x"}
FALSE_WORDS = {"nein", "n", "false", "falsch", "no", "0", ""}
PHONE = re.compile(r"^[0-9+()/\-. ]{3,60}$")
PRICE = re.compile(r"^\d{1,6}([.,]\d{1,2})?$")
MAX_PRICE = Decimal("999999.99")
RRULE_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
    "BYSETPOS",
    "WKST",
)
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


def text(value: str, max_length: int, required: bool = False) -> str:
    """Text without surrounding space; no control characters (they break databases)."""
    value = value.strip()
    if required and not value:
        raise InvalidValue("Pflichtfeld ist leer")
    if len(value) > max_length:
        raise InvalidValue(f"zu lang: {len(value)} Zeichen, höchstens {max_length}")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise InvalidValue("enthält Steuerzeichen")
    return value


def codes(values: list[str], vocabulary: type[models.TextChoices]) -> list[str]:
    """Codes of a vocabulary, in file order without repeats; labels are accepted too."""
    by_label = {str(choice.label).casefold(): str(choice.value) for choice in vocabulary}
    known, unknown = [], []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        code = value if value in vocabulary.values else by_label.get(value.casefold())
        if code is None:
            unknown.append(value)
        elif code not in known:
            known.append(code)
    if unknown:
        raise InvalidValue(
            f"unbekannt: {', '.join(unknown)} (erlaubt: {', '.join(vocabulary.values)})"
        )
    return known


def split_codes(value: str) -> list[str]:
    """A CSV list cell: codes separated by ``|``."""
    return [part for part in value.split("|") if part.strip()]


def languages(values: list[str]) -> list[str]:
    """Language codes; a regional tag such as ``de-DE`` counts as its language."""
    plain = []
    for value in values:
        tag = value.strip()
        if tag and tag not in Language.values and tag.split("-")[0].lower() in Language.values:
            tag = tag.split("-")[0].lower()
        plain.append(tag)
    return codes(plain, Language)


def borough(value: str) -> str:
    """A borough of the city pack, by name or code; stored by its name."""
    value = value.strip()
    if not value:
        return ""
    city = current_city()
    found = city.borough(value)
    if found is None:
        raise InvalidValue(
            f"„{value}“ ist kein Stadtbezirk von {city.name} "
            f"(erlaubt: {', '.join(city.borough_names)})"
        )
    return found.name


def integer(value: str | int, minimum: int = 0, maximum: int = 32767) -> int | None:
    """A whole number in a range, or None for an empty value."""
    if isinstance(value, bool):
        raise InvalidValue("keine ganze Zahl")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not re.fullmatch(r"[+-]?\d{1,12}", value):
            raise InvalidValue(f"„{value}“ ist keine ganze Zahl")
        value = int(value)
    if not minimum <= value <= maximum:
        raise InvalidValue(f"{value} liegt nicht zwischen {minimum} und {maximum}")
    return value


def price(value: str | int | float) -> Decimal | None:
    """An amount in euros with a decimal point or comma (``12,50``), or None."""
    if isinstance(value, bool):
        raise InvalidValue("kein Betrag")
    raw = str(value).strip().removesuffix("€").removesuffix("EUR").strip()
    if not raw:
        return None
    if not PRICE.match(raw):
        raise InvalidValue(f"„{value}“ ist kein Betrag in Euro (z. B. 12,50)")
    try:
        amount = Decimal(raw.replace(",", "."))
    except InvalidOperation as error:
        raise InvalidValue(f"„{value}“ ist kein Betrag") from error
    if amount > MAX_PRICE:
        raise InvalidValue(f"{amount} ist zu hoch")
    return amount.quantize(Decimal("0.01"))


def boolean(value: str | bool) -> bool:
    """ja/nein, true/false, yes/no, 1/0 (empty is no)."""
    if isinstance(value, bool):
        return value
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue(f"„{value}“ ist weder ja noch nein")


def url(value: str) -> str:
    """An http(s) address."""
    value = text(value, 500)
    if value:
        try:
            _url(value)
        except ValidationError as error:
            raise InvalidValue(f"„{value}“ ist keine gültige http(s)-Adresse") from error
    return value


def email(value: str) -> str:
    value = text(value, 254).removeprefix("mailto:")
    if value:
        try:
            _email(value)
        except ValidationError as error:
            raise InvalidValue(f"„{value}“ ist keine gültige E-Mail-Adresse") from error
    return value


def phone(value: str) -> str:
    value = text(value, 60).removeprefix("tel:")
    if value and not PHONE.match(value):
        raise InvalidValue(f"„{value}“ ist keine Telefonnummer")
    return value


def day(value: str) -> dt.date | None:
    """A date as YYYY-MM-DD (a time part, as in JSON-LD dateModified, is ignored)."""
    value = value.strip()
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value[:10])
    except ValueError as error:
        raise InvalidValue(f"„{value}“ ist kein Datum (JJJJ-MM-TT)") from error


def moment(value: str) -> dt.datetime | None:
    """ISO 8601 date-time; without offset it is local time, a date alone is midnight."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidValue(
            f"„{value}“ ist kein Zeitpunkt (z. B. 2027-02-03T18:00 oder 2027-02-03)"
        ) from error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def coordinates(latitude: str, longitude: str) -> tuple[float | None, float | None]:
    """WGS84 decimal degrees, both or neither."""
    latitude, longitude = latitude.strip(), longitude.strip()
    if not latitude and not longitude:
        return None, None
    if not latitude or not longitude:
        raise InvalidValue("Breitengrad und Längengrad nur zusammen angeben")
    try:
        lat, lon = float(latitude.replace(",", ".")), float(longitude.replace(",", "."))
    except ValueError as error:
        raise InvalidValue(f"„{latitude}, {longitude}“ sind keine Koordinaten") from error
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidValue(f"{lat}, {lon} liegen außerhalb der Erde (WGS84, Grad)")
    return lat, lon


def recurrence(value: str, starts_at: dt.datetime | None) -> str:
    """An RFC 5545 RRULE body in a fixed part order (FREQ first), so files compare."""
    value = value.strip().removeprefix("RRULE:")
    if not value:
        return ""
    parts = rrule_parts(value)
    if "FREQ" not in parts:
        raise InvalidValue("Wiederholung ohne FREQ (z. B. FREQ=WEEKLY;COUNT=10)")
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidValue("Wiederholung darf nicht COUNT und UNTIL zugleich haben")
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    rule = ";".join(f"{key}={parts[key]}" for key in RRULE_PARTS if key in parts)
    try:
        rrulestr(rule, dtstart=(starts_at or timezone.now()).replace(tzinfo=None))
    except (ValueError, TypeError) as error:
        raise InvalidValue(f"„{value}“ ist keine gültige Wiederholung (RRULE): {error}") from error
    if len(rule) > 300:
        raise InvalidValue("Wiederholung ist zu lang")
    return rule


def rrule_parts(value: str) -> dict[str, str]:
    """``FREQ=WEEKLY;COUNT=3`` as ``{"FREQ": "WEEKLY", "COUNT": "3"}`` (upper-case)."""
    parts: dict[str, str] = {}
    for piece in value.split(";"):
        key, equals, part = piece.partition("=")
        key = key.strip().upper()
        if not equals or key not in RRULE_PARTS or not part.strip():
            raise InvalidValue(f"„{piece}“ ist kein Teil einer Wiederholung (RRULE)")
        if key in parts:
            raise InvalidValue(f"{key} kommt in der Wiederholung doppelt vor")
        parts[key] = part.strip().upper()
    return parts


def choice(value: str, vocabulary: type[models.TextChoices], default: str = "") -> str:
    value = value.strip()
    if not value:
        if default:
            return default
        raise InvalidValue(f"Pflichtfeld ist leer (erlaubt: {', '.join(vocabulary.values)})")
    return codes([value], vocabulary)[0]


def offer_status(value: str) -> str:
    return choice(value, OfferStatus, default=OfferStatus.PUBLISHED)


def provider_kind(value: str) -> str:
    return choice(value, ProviderKind) if value.strip() else ""


def age_range(value: str) -> tuple[int | None, int | None]:
    """schema.org typicalAgeRange: ``6-10``, ``6-``, ``-10``, ``18+``."""
    value = value.strip()
    match = re.fullmatch(r"(\d{1,3})?\s*(?:-|–|\+)\s*(\d{1,3})?|(\d{1,3})", value)
    if not match:
        raise InvalidValue(f"„{value}“ ist keine Altersspanne (z. B. 6-10)")
    low, high, exact = match.groups()
    if exact:
        low = high = exact
    ages = (int(low) if low else None), (int(high) if high else None)
    if any(age is not None and age > 150 for age in ages):
        raise InvalidValue(f"„{value}“: Alter über 150")
    return ages


def plain(value: Any) -> str:
    """A JSON scalar as text (numbers keep their JSON spelling)."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    raise InvalidValue("erwartet Text oder Zahl")
