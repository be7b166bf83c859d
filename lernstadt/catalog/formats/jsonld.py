"""Offers as schema.org JSON-LD: Course with CourseInstances, both ways.

Export and import share one mapping (docs/data-formats.md), so what
:func:`offer_jsonld` writes, :func:`parse_offers_jsonld` reads back:

- life phases: ``educationalLevel``, topics: ``about`` (DefinedTerms with the code
  as ``termCode`` in the set ``urn:lernstadt:<vocabulary>``);
- target groups: ``audience`` (Audience, code as ``identifier``); ages:
  ``typicalAgeRange``; languages: ``inLanguage``; accessibility:
  ``accessibilityFeature`` (codes);
- prices: ``offers`` (Offer in EUR; the reduced price has ``category`` "reduced");
- registration: ``potentialAction`` (RegisterAction: web address, mailto:, tel:,
  note) and the flag "registration_required" in ``keywords``, beside "example";
- status: ``creativeWorkStatus``; last reviewed: ``dateModified``;
- dates: ``hasCourseInstance`` (startDate, endDate, eventSchedule for the
  recurrence, maximumAttendeeCapacity, location Place with PostalAddress, geo and
  the borough as ``containedInPlace``).

Imports also take a single Event or EducationalOccupationalProgram, a list, or
an ``@graph``.
"""

import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
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
)
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider
from lernstadt.catalog.taxonomy import (
    Accessibility,
    LifePhase,
    OfferStatus,
    ProviderKind,
    TargetGroup,
    Topic,
    label,
)
from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem

CONTEXT = "https://schema.org"
TERM_SET = "urn:lernstadt:{}"
FLAGS = "flags"
CANCELLED = "https://schema.org/EventCancelled"
SCHEDULED = "https://schema.org/EventScheduled"
SCHOOL_NUMBER = "Schulnummer"
REDUCED = "reduced"
ORGANIZATION_TYPES = {
    ProviderKind.SCHOOL: "School",
    ProviderKind.VOCATIONAL_COLLEGE: "School",
    ProviderKind.DAY_CARE: "Preschool",
    ProviderKind.ADULT_EDUCATION: "EducationalOrganization",
    ProviderKind.MUSIC_SCHOOL: "EducationalOrganization",
    ProviderKind.UNIVERSITY: "CollegeOrUniversity",
    ProviderKind.LIBRARY: "Library",
    ProviderKind.COMPANY: "Corporation",
    ProviderKind.ASSOCIATION: "NGO",
    ProviderKind.PUBLIC_AGENCY: "GovernmentOrganization",
}
# RRULE frequency <-> the unit of an ISO 8601 duration (Schedule.repeatFrequency).
FREQUENCY_UNITS = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
SCHEDULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH"}
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
OFFER_TYPES = {"Course", "EducationalOccupationalProgram", "CourseInstance"}
T = TypeVar("T")


# --- export ----------------------------------------------------------------------


def offer_jsonld(offer: Offer, base_url: str = "") -> dict[str, Any]:
    """One offer as a schema.org Course (with ``@context``), for its page and exports."""
    identifier = export_ids([offer])[offer.pk]
    return {"@context": CONTEXT, **course(offer, identifier, base_url)}


def catalog_jsonld(offers: Iterable[Offer], base_url: str = "") -> dict[str, Any]:
    """Many offers as one document: ``{"@context": ..., "@graph": [Course, ...]}``."""
    offers = list(offers)
    ids = export_ids(offers)
    return {"@context": CONTEXT, "@graph": [course(o, ids[o.pk], base_url) for o in offers]}


def _term(vocabulary: str, code: str, name: str) -> dict[str, str]:
    return {
        "@type": "DefinedTerm",
        "termCode": code,
        "name": name,
        "inDefinedTermSet": TERM_SET.format(vocabulary),
    }


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Without empty values: absent is how JSON-LD says "not known"."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def course(offer: Offer, identifier: str, base_url: str = "") -> dict[str, Any]:
    url = f"{base_url.rstrip('/')}{offer.get_absolute_url()}"
    flags = [("registration_required", "Anmeldung erforderlich")] * offer.registration_required
    flags += [("example", "Beispieldaten")] * offer.is_example
    place = offer.venue
    instances = [course_instance(offer, date, place) for date in offer.dates.all()]
    if not instances and place is not None:
        instances = [_compact({"@type": "CourseInstance", "location": place_jsonld(place)})]
    return _compact(
        {
            "@type": "Course",
            "@id": url,
            "url": url,
            "identifier": identifier,
            "name": offer.title,
            "abstract": offer.summary,
            "description": offer.description,
            "provider": organization(offer.provider, base_url),
            "educationalLevel": [
                _term("life_phases", c, label(LifePhase, c)) for c in offer.life_phases
            ],
            "about": [_term("topics", c, label(Topic, c)) for c in offer.topics],
            "audience": [
                {"@type": "Audience", "identifier": c, "audienceType": label(TargetGroup, c)}
                for c in offer.target_groups
            ],
            "typicalAgeRange": age_range(offer.min_age, offer.max_age),
            "inLanguage": list(offer.languages),
            "accessibilityFeature": list(offer.accessibility),
            "offers": prices(offer),
            "isAccessibleForFree": offer.price is None or offer.price == 0,
            "potentialAction": registration(offer),
            "keywords": [_term(FLAGS, code, name) for code, name in flags],
            "creativeWorkStatus": offer.status,
            "dateModified": offer.last_reviewed.isoformat() if offer.last_reviewed else None,
            "hasCourseInstance": instances,
        }
    )


def organization(provider: Provider, base_url: str = "") -> dict[str, Any]:
    school_number = (
        {"@type": "PropertyValue", "propertyID": SCHOOL_NUMBER, "value": provider.school_number}
        if provider.school_number
        else None
    )
    return _compact(
        {
            "@type": ORGANIZATION_TYPES.get(ProviderKind(provider.kind), "Organization"),
            "@id": f"{base_url.rstrip('/')}{provider.get_absolute_url()}",
            "name": provider.name,
            "url": provider.website,
            "email": provider.email,
            "telephone": provider.phone,
            "identifier": school_number,
            "keywords": [_term("provider_kinds", provider.kind, provider.kind_label)],
        }
    )


def place_jsonld(place: Place) -> dict[str, Any]:
    address = _compact(
        {
            "@type": "PostalAddress",
            "streetAddress": place.street,
            "postalCode": place.postcode,
            "addressLocality": place.city,
        }
    )
    geo = (
        {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
        if place.has_coordinates
        else None
    )
    area = {"@type": "AdministrativeArea", "name": place.borough} if place.borough else None
    return _compact(
        {
            "@type": "Place",
            "name": place.name,
            "address": address if len(address) > 1 else None,
            "geo": geo,
            "containedInPlace": area,
        }
    )


def age_range(low: int | None, high: int | None) -> str | None:
    if low is None and high is None:
        return None
    return f"{'' if low is None else low}-{'' if high is None else high}"


def prices(offer: Offer) -> list[dict[str, Any]]:
    regular = {"@type": "Offer", "price": _amount(offer.price), "priceCurrency": "EUR"}
    reduced = {
        "@type": "Offer",
        "price": _amount(offer.price_reduced),
        "priceCurrency": "EUR",
        "category": REDUCED,
    }
    found = []
    if offer.price is not None or offer.cost_note:
        found.append(_compact(regular | {"description": offer.cost_note}))
    if offer.price_reduced is not None:
        found.append(reduced)
    return found


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def registration(offer: Offer) -> dict[str, Any] | None:
    targets = [offer.registration_url]
    targets += [f"mailto:{offer.registration_email}"] * bool(offer.registration_email)
    targets += [f"tel:{offer.registration_phone}"] * bool(offer.registration_phone)
    action = _compact(
        {
            "@type": "RegisterAction",
            "target": [t for t in targets if t],
            "description": offer.registration_note,
        }
    )
    return action if len(action) > 1 else None


def moment_jsonld(moment: Any, all_day: bool) -> str:
    local = timezone.localtime(moment)
    return local.date().isoformat() if all_day else local.isoformat()


def course_instance(offer: Offer, date: OfferDate, place: Place | None) -> dict[str, Any]:
    all_day = is_all_day(date.starts_at, date.ends_at)
    cancelled = offer.status == OfferStatus.CANCELLED
    return _compact(
        {
            "@type": "CourseInstance",
            "startDate": moment_jsonld(date.starts_at, all_day),
            "endDate": moment_jsonld(date.ends_at, all_day) if date.ends_at else None,
            "eventSchedule": schedule(date.recurrence) if date.recurrence else None,
            "maximumAttendeeCapacity": date.capacity,
            "description": date.note,
            "eventStatus": CANCELLED if cancelled else SCHEDULED,
            "location": place_jsonld(place) if place is not None else None,
        }
    )


def schedule(rule: str) -> dict[str, Any] | None:
    """An RRULE as a schema.org Schedule; None for rules a Schedule cannot express.

    Schedule speaks FREQ, INTERVAL, COUNT, UNTIL, BYDAY (also "1MO"),
    BYMONTHDAY and BYMONTH; other parts (BYSETPOS, BYHOUR ...) stay in iCalendar.
    """
    parts = values.rrule_parts(rule)
    if set(parts) - SCHEDULE_PARTS or parts["FREQ"] not in FREQUENCY_UNITS:
        return None
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    return _compact(
        {
            "@type": "Schedule",
            "repeatFrequency": f"P{parts.get('INTERVAL', '1')}{FREQUENCY_UNITS[parts['FREQ']]}",
            "repeatCount": int(parts["COUNT"]) if "COUNT" in parts else None,
            "endDate": _until_jsonld(parts["UNTIL"]) if "UNTIL" in parts else None,
            "byDay": [f"https://schema.org/{DAY_NAMES[d]}" if d in DAY_NAMES else d for d in days],
            "byMonthDay": _numbers(parts.get("BYMONTHDAY")),
            "byMonth": _numbers(parts.get("BYMONTH")),
            "scheduleTimezone": timezone.get_default_timezone_name(),
        }
    )


def _numbers(value: str | None) -> list[int]:
    return [int(v) for v in value.split(",")] if value else []


def _until_jsonld(until: str) -> str:
    """20270630 -> 2027-06-30; 20270630T170000Z -> 2027-06-30T17:00:00Z."""
    match = re.fullmatch(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?", until)
    if not match:
        return until
    y, m, d, hh, mm, ss, utc = match.groups()
    return f"{y}-{m}-{d}" + (f"T{hh}:{mm}:{ss}{utc}" if hh else "")


# --- import ----------------------------------------------------------------------


def _type_names(node: dict[str, Any]) -> set[str]:
    """@type without a schema.org prefix ("schema:Course", "http://schema.org/Course")."""
    types = node.get("@type", [])
    types = types if isinstance(types, list) else [types]
    return {re.sub(r"^(https?://schema\.org/|schema:)", "", t) for t in types if isinstance(t, str)}


def _is_offer_type(types: set[str]) -> bool:
    return bool(types & OFFER_TYPES) or any(t.endswith("Event") for t in types)


class _Item:
    """One entry of the file being read: collects problems with their property path."""

    def __init__(self, file: str, index: int, path: str, nodes: dict[str, Any]) -> None:
        self.file, self.index, self.path, self.nodes = file, index, path, nodes
        self.problems: list[ImportProblem] = []
        self.locations: dict[str, str] = {}

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(ImportProblem(self.file, reason, column=path, item=self.index + 1))

    def locate(self, field: str, reason: str) -> ImportProblem:
        path = self.locations.get(field, field)
        return ImportProblem(self.file, reason, column=path, item=self.index + 1)

    def check(self, path: str, convert: Callable[[], T], default: Any) -> T:
        try:
            return convert()
        except values.InvalidValue as error:
            self.problem(path, str(error))
            return default

    def resolve(self, value: Any) -> Any:
        """A node that only names another ({"@id": ...}) becomes that node."""
        if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
            return self.nodes.get(value["@id"], value)
        return value

    def all(self, node: dict[str, Any], prop: str) -> list[Any]:
        value = node.get(prop)
        if value is None:
            return []
        return [self.resolve(v) for v in (value if isinstance(value, list) else [value])]

    def one(self, node: dict[str, Any], prop: str) -> Any:
        found = self.all(node, prop)
        return found[0] if found else None

    def text(self, node: dict[str, Any], prop: str, path: str, max_length: int) -> str:
        value = _literal(self.one(node, prop))
        if value is None:
            return ""
        where = f"{path}.{prop}".lstrip(".")
        return self.check(where, partial(_as_text, value, max_length), "")

    def node(self, node: dict[str, Any], prop: str, path: str) -> dict[str, Any] | None:
        value = self.one(node, prop)
        if value is not None and not isinstance(value, dict):
            self.problem(f"{path}.{prop}".lstrip("."), "erwartet ein Objekt")
            return None
        return value


def _as_text(value: Any, max_length: int, required: bool = False) -> str:
    return values.text(values.plain(value), max_length, required)


def _as_price(value: Any) -> Decimal | None:
    return values.price(values.plain(value))


def _literal(value: Any) -> Any:
    """A JSON-LD value object ({"@value": ...}) as its plain value."""
    return value.get("@value") if isinstance(value, dict) and "@value" in value else value


def parse_offers_jsonld(data: bytes, file: str) -> list[OfferRecord]:
    """Check every entry of a JSON-LD file; raise ImportFailed listing all problems."""
    document = _load_json(data, file)
    entries, path = _entries(document, file)
    nodes = {e["@id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("@id"), str)}
    in_graph = path == "@graph"
    records, problems = [], []
    for index, entry in enumerate(entries):
        item = _Item(file, index, f"{path}[{index}]" if path else "", nodes)
        if not isinstance(entry, dict):
            item.problem(item.path or "$", "erwartet ein Objekt")
        elif _is_offer_type(_type_names(entry)):
            record = _record(item, entry)
            problems += item.problems or check_record(record)
            records.append(record)
            continue
        elif not in_graph:
            found = ", ".join(sorted(_type_names(entry))) or "ohne @type"
            item.problem(f"{item.path}.@type".lstrip("."), f"Typ {found} wird nicht unterstützt")
        problems += item.problems
    if problems:
        raise ImportFailed(problems)
    if not records:
        raise ImportFailed([ImportProblem(file, "keine Angebote (Course, Event) gefunden")])
    return records


def _load_json(data: bytes, file: str) -> Any:
    text = reading.decode(data, file)
    if not text.strip():
        raise ImportFailed([ImportProblem(file, "Die Datei ist leer")])
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        reason = f"kein gültiges JSON: {error.msg} (Zeichen {error.colno})"
        raise ImportFailed([ImportProblem(file, reason, line=error.lineno)]) from error
    except RecursionError as error:
        raise ImportFailed([ImportProblem(file, "JSON ist zu tief verschachtelt")]) from error


def _entries(document: Any, file: str) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, "$"
    if isinstance(document, dict) and "@graph" in document:
        graph = document["@graph"]
        if not isinstance(graph, list):
            raise ImportFailed([ImportProblem(file, "@graph muss eine Liste sein")])
        return graph, "@graph"
    if isinstance(document, dict):
        return [document], ""
    raise ImportFailed([ImportProblem(file, "erwartet ein Objekt, eine Liste oder @graph")])


def _record(item: _Item, node: dict[str, Any]) -> OfferRecord:
    path = item.path
    sub = f"{path}." if path else ""
    types = _type_names(node)
    external_id = _identifier(item, node)
    item.locations = {"external_id": f"{sub}identifier"}
    fields: dict[str, Any] = {
        "title": item.check(
            f"{sub}name",
            lambda: values.text(values.plain(_literal(item.one(node, "name")) or ""), 300, True),
            "",
        ),
        "summary": item.text(node, "abstract", path, 500),
        "description": item.text(node, "description", path, 20000),
    }
    fields |= _classification(item, node, sub)
    fields |= _ages(item, node, sub)
    fields |= _prices(item, node, sub)
    fields |= _registration(item, node, sub)
    fields["last_reviewed"] = item.check(
        f"{sub}dateModified",
        lambda: values.day(values.plain(_literal(item.one(node, "dateModified")) or "")),
        None,
    )
    instances = _instances(item, node, types, sub)
    fields["status"] = _status(item, node, instances, sub)
    dates, place = _dates_and_place(item, node, instances, types, sub)
    return OfferRecord(
        external_id=external_id,
        origin=f"Eintrag {item.index + 1}",
        locate=item.locate,
        fields=fields,
        provider=_provider(item, node, sub),
        place=place,
        dates=dates,
    )


def _identifier(item: _Item, node: dict[str, Any]) -> str:
    sub = f"{item.path}." if item.path else ""
    for value in item.all(node, "identifier"):
        value = _literal(value)
        if isinstance(value, dict):
            value = _literal(value.get("value"))
        if isinstance(value, str | int) and str(value).strip():
            return item.check(f"{sub}identifier", partial(_as_text, value, 200), "")
    for prop in ("@id", "url"):
        value = node.get(prop)
        if isinstance(value, str) and value.strip():
            return item.check(f"{sub}{prop}", partial(_as_text, value, 200), "")
    item.problem(f"{sub}identifier", "Kennung fehlt (identifier oder @id)")
    return ""


def _term_codes(item: _Item, node: dict[str, Any], prop: str, path: str) -> list[str]:
    """Codes from DefinedTerms (termCode), Audiences (identifier) or plain strings."""
    codes = []
    for value in item.all(node, prop):
        value = _literal(value)
        if isinstance(value, dict):
            keys = ("termCode", "identifier", "audienceType", "name")
            value = _literal(next((value[k] for k in keys if value.get(k)), None))
        if isinstance(value, str):
            codes.append(value)
        else:
            item.problem(
                f"{path}.{prop}".lstrip("."), "erwartet Text oder DefinedTerm mit termCode"
            )
    return codes


def _classification(item: _Item, node: dict[str, Any], sub: str) -> dict[str, Any]:
    def codes(prop: str, vocabulary: Any) -> list[str]:
        found = _term_codes(item, node, prop, sub.rstrip("."))
        return item.check(f"{sub}{prop}", lambda: values.codes(found, vocabulary), [])

    keywords = _term_codes(item, node, "keywords", sub.rstrip("."))
    return {
        "life_phases": codes("educationalLevel", LifePhase),
        "topics": codes("about", Topic),
        "target_groups": codes("audience", TargetGroup),
        "languages": item.check(
            f"{sub}inLanguage",
            lambda: values.languages(_term_codes(item, node, "inLanguage", sub.rstrip("."))),
            [],
        ),
        "accessibility": codes("accessibilityFeature", Accessibility),
        "registration_required": "registration_required" in keywords,
        "is_example": "example" in keywords,
    }


def _ages(item: _Item, node: dict[str, Any], sub: str) -> dict[str, Any]:
    raw = _literal(item.one(node, "typicalAgeRange"))
    item.locations["max_age"] = f"{sub}typicalAgeRange"
    if raw is None:
        return {"min_age": None, "max_age": None}
    low, high = item.check(
        f"{sub}typicalAgeRange", lambda: values.age_range(values.plain(raw)), (None, None)
    )
    return {"min_age": low, "max_age": high}


def _prices(item: _Item, node: dict[str, Any], sub: str) -> dict[str, Any]:
    found: dict[str, Any] = {"price": None, "price_reduced": None, "cost_note": ""}
    offers = item.all(node, "offers")
    if not offers:
        for instance in item.all(node, "hasCourseInstance"):
            offers = item.all(instance, "offers") if isinstance(instance, dict) else []
            if offers:
                break
    for index, offer in enumerate(offers):
        path = f"{sub}offers[{index}]"
        if not isinstance(offer, dict):
            item.problem(path, "erwartet ein Offer-Objekt")
            continue
        currency = _literal(offer.get("priceCurrency", "EUR"))
        if currency != "EUR":
            item.problem(f"{path}.priceCurrency", f"„{currency}“: nur EUR wird unterstützt")
        raw = _literal(offer.get("price", ""))
        amount = item.check(f"{path}.price", partial(_as_price, raw), None)
        if _literal(offer.get("category")) == REDUCED:
            found["price_reduced"] = amount
        elif found["price"] is None:
            found["price"] = amount
            found["cost_note"] = item.text(offer, "description", path, 300)
    return found


def _registration(item: _Item, node: dict[str, Any], sub: str) -> dict[str, Any]:
    found = {
        "registration_url": "",
        "registration_email": "",
        "registration_phone": "",
        "registration_note": "",
    }
    for action in item.all(node, "potentialAction"):
        if not isinstance(action, dict) or "RegisterAction" not in _type_names(action):
            continue
        path = f"{sub}potentialAction"
        for target in item.all(action, "target"):
            target = _literal(target)
            if isinstance(target, dict):
                target = _literal(target.get("urlTemplate") or target.get("url"))
            if not isinstance(target, str):
                item.problem(f"{path}.target", "erwartet eine Adresse")
            elif target.startswith("mailto:"):
                found["registration_email"] = item.check(
                    f"{path}.target", partial(values.email, target), ""
                )
            elif target.startswith("tel:"):
                found["registration_phone"] = item.check(
                    f"{path}.target", partial(values.phone, target), ""
                )
            else:
                found["registration_url"] = item.check(
                    f"{path}.target", partial(values.url, target), ""
                )
        found["registration_note"] = item.text(action, "description", path, 500)
    return found


def _instances(
    item: _Item, node: dict[str, Any], types: set[str], sub: str
) -> list[tuple[str, dict[str, Any]]]:
    """The runs of an offer with their paths; an Event or program is its own run."""
    if "Course" not in types:
        return [(sub.rstrip("."), node)]
    found = []
    for index, instance in enumerate(item.all(node, "hasCourseInstance")):
        path = f"{sub}hasCourseInstance[{index}]"
        if isinstance(instance, dict):
            found.append((path, instance))
        else:
            item.problem(path, "erwartet ein CourseInstance-Objekt")
    return found


def _status(
    item: _Item, node: dict[str, Any], instances: list[tuple[str, dict[str, Any]]], sub: str
) -> str:
    status = _literal(node.get("creativeWorkStatus"))
    if status is not None:
        return item.check(
            f"{sub}creativeWorkStatus",
            lambda: values.offer_status(values.plain(status)),
            OfferStatus.PUBLISHED,
        )
    states = [_literal(i.get("eventStatus")) for _, i in instances]
    cancelled = [s for s in states if isinstance(s, str) and s.endswith("EventCancelled")]
    all_cancelled = states and len(cancelled) == len(states)
    return OfferStatus.CANCELLED if all_cancelled else OfferStatus.PUBLISHED


def _dates_and_place(
    item: _Item,
    node: dict[str, Any],
    instances: list[tuple[str, dict[str, Any]]],
    types: set[str],
    sub: str,
) -> tuple[list[DateRecord], PlaceRecord | None]:
    dates: list[DateRecord] = []
    place: PlaceRecord | None = None
    for path, instance in instances:
        date = _date(item, instance, path, types)
        if date is not None:
            dates.append(date)
        location = item.one(instance, "location")
        if location is not None and place is None:
            place = _place(item, location, f"{path}.location".lstrip("."))
    return dates, place


def _date(item: _Item, node: dict[str, Any], path: str, types: set[str]) -> DateRecord | None:
    sub = f"{path}." if path else ""

    def moment(prop: str) -> Any:
        raw = _literal(node.get(prop))
        if raw is None:
            return None
        return item.check(f"{sub}{prop}", lambda: values.moment(values.plain(raw)), None)

    starts_at, ends_at = moment("startDate"), moment("endDate")
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        item.problem(f"{sub}endDate", "Ende liegt vor dem Beginn")
    capacity_prop = (
        "maximumEnrollment"
        if "EducationalOccupationalProgram" in types
        else "maximumAttendeeCapacity"
    )
    raw_capacity = _literal(node.get(capacity_prop))
    capacity = item.check(
        f"{sub}{capacity_prop}",
        lambda: (
            values.integer(values.plain(raw_capacity), 0, 1_000_000)
            if raw_capacity is not None
            else None
        ),
        None,
    )
    schedule_node = item.node(node, "eventSchedule", path) if "eventSchedule" in node else None
    rule = _rule(item, schedule_node, f"{sub}eventSchedule", starts_at) if schedule_node else ""
    if starts_at is None:
        if ends_at is not None or rule or capacity is not None:
            item.problem(
                f"{sub}startDate", "Beginn fehlt (Ende, Wiederholung oder Plätze angegeben)"
            )
        return None
    # Within a Course the run's description is a note on that date.
    note = item.text(node, "description", path, 300) if "Course" in types else ""
    return DateRecord(starts_at, ends_at, rule, capacity, note)


def _rule(item: _Item, node: dict[str, Any], path: str, starts_at: Any) -> str:
    return item.check(path, lambda: values.recurrence(schedule_rule(item, node), starts_at), "")


def schedule_rule(item: _Item, node: dict[str, Any]) -> str:
    """A schema.org Schedule as an RRULE body (the inverse of :func:`schedule`)."""
    frequency = _literal(node.get("repeatFrequency"))
    match = re.fullmatch(r"P(\d{1,3})([DWMY])", frequency) if isinstance(frequency, str) else None
    if match is None:
        raise values.InvalidValue(
            f"repeatFrequency „{frequency}“: erwartet P1D, P1W, P2W, P1M oder P1Y"
        )
    units = {unit: freq for freq, unit in FREQUENCY_UNITS.items()}
    parts = [f"FREQ={units[match.group(2)]}", f"INTERVAL={match.group(1)}"]
    count = _literal(node.get("repeatCount"))
    if count is not None:
        parts.append(f"COUNT={values.plain(count)}")
    end = _literal(node.get("endDate"))
    if end is not None:
        parts.append(f"UNTIL={re.sub(r'[-:]', '', values.plain(end))}")
    by_name = {name: code for code, name in DAY_NAMES.items()}
    days = [values.plain(_literal(v)) for v in item.all(node, "byDay")]
    days = [by_name.get(re.sub(r"^(https?://schema\.org/|schema:)", "", d), d) for d in days]
    if days:
        parts.append(f"BYDAY={','.join(days)}")
    for prop, key in (("byMonthDay", "BYMONTHDAY"), ("byMonth", "BYMONTH")):
        numbers = [values.plain(_literal(v)) for v in item.all(node, prop)]
        if numbers:
            parts.append(f"{key}={','.join(numbers)}")
    return ";".join(parts)


def _place(item: _Item, location: Any, path: str) -> PlaceRecord | None:
    if isinstance(location, str):
        return PlaceRecord(name=item.check(path, lambda: values.text(location, 300), ""))
    if not isinstance(location, dict):
        item.problem(path, "erwartet einen Ort (Place)")
        return None
    if "VirtualLocation" in _type_names(location):
        return None
    address = item.one(location, "address")
    record = PlaceRecord(name=item.text(location, "name", path, 300))
    if isinstance(address, str):
        record.street = item.check(f"{path}.address", lambda: values.text(address, 200), "")
    elif isinstance(address, dict):
        a = f"{path}.address"
        record.street = item.text(address, "streetAddress", a, 200)
        record.postcode = item.text(address, "postalCode", a, 10)
        record.city = item.text(address, "addressLocality", a, 100)
    area = item.one(location, "containedInPlace")
    if isinstance(area, dict | str):
        name = _literal(area.get("name")) if isinstance(area, dict) else area
        record.borough = item.check(
            f"{path}.containedInPlace", lambda: values.borough(values.plain(name or "")), ""
        )
    geo = item.node(location, "geo", path)
    if geo is not None:
        lat, lon = (_literal(geo.get(k, "")) for k in ("latitude", "longitude"))
        record.latitude, record.longitude = item.check(
            f"{path}.geo",
            lambda: values.coordinates(values.plain(lat), values.plain(lon)),
            (None, None),
        )
    return record


def _provider(item: _Item, node: dict[str, Any], sub: str) -> ProviderRef:
    prop = "provider" if "provider" in node else "organizer"
    path = f"{sub}{prop}"
    item.locations |= {
        "provider": f"{path}.name",
        "provider_kind": f"{path}.keywords",
        "provider_school_number": f"{path}.identifier",
    }
    org = item.one(node, prop)
    if isinstance(org, str):
        org = {"name": org}
    if not isinstance(org, dict):
        item.problem(f"{path}.name", "Anbieter fehlt (provider oder organizer mit name)")
        return ProviderRef("")
    kinds = [c for c in _term_codes(item, org, "keywords", path) if c in ProviderKind.values]
    number = ""
    for value in item.all(org, "identifier"):
        if isinstance(value, dict) and _literal(value.get("propertyID")) == SCHOOL_NUMBER:
            raw = _literal(value.get("value", ""))
            number = item.check(f"{path}.identifier", partial(_as_text, raw, 12), "")
    return ProviderRef(
        name=item.check(
            f"{path}.name",
            lambda: values.text(values.plain(_literal(org.get("name", ""))), 300, True),
            "",
        ),
        kind=kinds[0] if kinds else "",
        school_number=number.strip(),
        website=item.check(
            f"{path}.url", lambda: values.url(values.plain(_literal(org.get("url", "")))), ""
        ),
        email=item.check(
            f"{path}.email", lambda: values.email(values.plain(_literal(org.get("email", "")))), ""
        ),
        phone=item.check(
            f"{path}.telephone",
            lambda: values.phone(values.plain(_literal(org.get("telephone", "")))),
            "",
        ),
    )
