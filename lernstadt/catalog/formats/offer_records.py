"""A checked offer, whatever file it came from, and how it is saved.

The CSV and JSON-LD readers turn a file into :class:`OfferRecord`s (every value
already checked by :mod:`values`). This module checks what needs the catalogue
(does the provider exist? is the school number known?) and writes all records
in one transaction: ``(source, external_id)`` identifies an offer, so a second
import of the same file updates instead of duplicating, and replaces the dates.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from lernstadt.catalog import search
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider
from lernstadt.lib.import_problems import ImportProblem

# The offer fields an import sets (the model's names).
OFFER_FIELDS = (
    "title",
    "summary",
    "description",
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
    "is_example",
)

# Where in the file a problem is: (field of the record, German reason) -> problem.
Locate = Callable[[str, str], ImportProblem]


@dataclass
class ProviderRef:
    """Who offers it: an existing provider (by school number or name) or a new one."""

    name: str
    kind: str = ""
    school_number: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class PlaceRecord:
    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    borough: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_empty(self) -> bool:
        return not any([self.name, self.street, self.postcode, self.city, self.borough]) and (
            self.latitude is None
        )


@dataclass
class DateRecord:
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    recurrence: str = ""
    capacity: int | None = None
    note: str = ""


@dataclass
class OfferRecord:
    """One offer of a file, checked; ``locate`` turns a field into a file position."""

    external_id: str
    origin: str  # "Zeile 4" or "Eintrag 2": for messages that point at another record
    locate: Locate
    fields: dict[str, Any]
    provider: ProviderRef
    place: PlaceRecord | None = None
    dates: list[DateRecord] = field(default_factory=list)
    existing_provider: Provider | None = None


@dataclass
class OfferSummary:
    created: int = 0
    updated: int = 0
    providers_created: int = 0
    dates: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        text = (
            f"Angebote: {self.created} neu, {self.updated} aktualisiert, "
            f"{self.dates} Termine, {self.providers_created} neue Anbieter"
        )
        return f"Probelauf, nichts gespeichert. {text}" if self.dry_run else text


def check_record(record: OfferRecord) -> list[ImportProblem]:
    """Rules across fields of one offer (the readers check each date themselves)."""
    low, high = record.fields.get("min_age"), record.fields.get("max_age")
    if low is not None and high is not None and low > high:
        return [record.locate("max_age", f"Höchstalter {high} ist kleiner als {low}")]
    return []


def check_against_catalogue(records: list[OfferRecord]) -> list[ImportProblem]:
    """Duplicate identifiers in the file; providers and school numbers in the catalogue."""
    problems: list[ImportProblem] = []
    first: dict[str, OfferRecord] = {}
    introduced: set[str] = set()  # new providers named (with their kind) earlier in the file
    for record in records:
        if record.external_id in first:
            earlier = first[record.external_id].origin
            reason = f"Kennung „{record.external_id}“ doppelt (schon {earlier})"
            problems.append(record.locate("external_id", reason))
        else:
            first[record.external_id] = record
        problems += _find_provider(record, introduced)
    return problems


def _find_provider(record: OfferRecord, introduced: set[str]) -> list[ImportProblem]:
    ref = record.provider
    if ref.school_number:
        record.existing_provider = Provider.objects.filter(school_number=ref.school_number).first()
        if record.existing_provider is None:
            reason = f"keine Einrichtung mit Schulnummer {ref.school_number} im Katalog"
            return [record.locate("provider_school_number", reason)]
        return []
    matches = list(Provider.objects.filter(name__iexact=ref.name).order_by("pk")[:10])
    if len(matches) > 1 and ref.kind:
        matches = [p for p in matches if p.kind == ref.kind] or matches
    if len(matches) > 1:
        reason = (
            f"„{ref.name}“ ist mehrdeutig ({len(matches)} Einrichtungen heißen so); "
            "bitte provider_school_number oder provider_kind angeben"
        )
        return [record.locate("provider", reason)]
    record.existing_provider = matches[0] if matches else None
    if record.existing_provider is None:
        if ref.kind:
            introduced.add(ref.name.casefold())
        elif ref.name.casefold() not in introduced:
            reason = f"Anbieter „{ref.name}“ ist neu: provider_kind angeben"
            return [record.locate("provider_kind", reason)]
    return []


# --- saving --------------------------------------------------------------------


class _Writer:
    """Saves records; remembers providers created in this import by name."""

    def __init__(self, source: str, summary: OfferSummary) -> None:
        self.source, self.summary = source, summary
        self.new_providers: dict[str, Provider] = {}

    def provider(self, record: OfferRecord) -> Provider:
        if record.existing_provider is not None:
            return record.existing_provider
        ref, key = record.provider, record.provider.name.casefold()
        if key not in self.new_providers:
            self.new_providers[key] = Provider.objects.create(
                name=ref.name,
                kind=ref.kind,
                website=ref.website,
                email=ref.email,
                phone=ref.phone,
                source=self.source,
            )
            self.summary.providers_created += 1
        return self.new_providers[key]

    def place(self, provider: Provider, record: PlaceRecord | None) -> Place | None:
        if record is None or record.is_empty:
            return None
        address = {
            "name": record.name,
            "street": record.street,
            "postcode": record.postcode,
            "city": record.city,
        }
        place = Place.objects.filter(provider=provider, **address).order_by("pk").first()
        place = place or Place(provider=provider, **address)
        located: dict[str, object] = {"borough": record.borough}
        if record.latitude is not None:
            located |= {"latitude": record.latitude, "longitude": record.longitude}
        if place.pk is None or any(getattr(place, k) != v for k, v in located.items()):
            for name, value in located.items():
                setattr(place, name, value)
            place.save()
        return place

    def offer(self, record: OfferRecord) -> None:
        provider = self.provider(record)
        offer = Offer.objects.filter(source=self.source, external_id=record.external_id).first()
        if offer is None:
            offer = Offer(source=self.source, external_id=record.external_id)
            self.summary.created += 1
        else:
            self.summary.updated += 1
        for name, value in record.fields.items():
            setattr(offer, name, value)
        offer.provider, offer.place = provider, self.place(provider, record.place)
        offer.save()
        offer.dates.all().delete()
        OfferDate.objects.bulk_create(
            OfferDate(
                offer=offer,
                starts_at=date.starts_at,
                ends_at=date.ends_at,
                recurrence=date.recurrence,
                capacity=date.capacity,
                note=date.note,
            )
            for date in record.dates
        )
        self.summary.dates += len(record.dates)
        # bulk_create sends no signals: the next date must reach the index.
        search.index_offer(offer)


def save_offers(records: list[OfferRecord], source: str, dry_run: bool = False) -> OfferSummary:
    """Write every record in one transaction (rolled back again on a dry run)."""
    summary = OfferSummary(dry_run=dry_run)
    with transaction.atomic():
        writer = _Writer(source, summary)
        for record in records:
            writer.offer(record)
        if dry_run:
            transaction.set_rollback(True)
    return summary


# --- export helpers --------------------------------------------------------------


def export_ids(offers: Iterable[Offer]) -> dict[int, str]:
    """The identifier of each offer in an export, unique within the file.

    The offer's own ``external_id`` when it has one (so a provider's ids survive a
    round trip), ``lernstadt-<pk>`` otherwise; ids that two sources share get the
    primary key appended.
    """
    offers = list(offers)
    counts = Counter(o.external_id for o in offers if o.external_id)
    ids = {}
    for offer in offers:
        own = offer.external_id
        if not own:
            ids[offer.pk] = f"lernstadt-{offer.pk}"
        else:
            ids[offer.pk] = own if counts[own] == 1 else f"{own}-{offer.pk}"
    return ids


def representative_date(offer: Offer) -> OfferDate | None:
    """The one date a one-date format (CSV) carries: the next one, else the last."""
    dates = list(offer.dates.all())
    now = timezone.now()
    upcoming = [d for d in dates if d.starts_at >= now]
    if upcoming:
        return min(upcoming, key=lambda d: d.starts_at)
    return max(dates, key=lambda d: d.starts_at) if dates else None


def is_all_day(moment: dt.datetime, end: dt.datetime | None = None) -> bool:
    """A date without time of day is stored as local midnight."""
    local = [timezone.localtime(m) for m in (moment, end) if m is not None]
    return all(m.hour == m.minute == m.second == 0 for m in local)
