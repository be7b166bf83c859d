"""``lernstadt load_demo``: fill the catalogue with the city pack's example data."""

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lernstadt.catalog import search
from lernstadt.catalog.formats.school_register import SOURCE as SCHOOL_REGISTER
from lernstadt.catalog.models import Offer, Place, Provider
from lernstadt.catalog.taxonomy import OfferStatus, ProviderKind
from lernstadt.cities.pack import CityPack, current_city
from lernstadt.monitoring.demo import load_monitoring_demo
from lernstadt.monitoring.pack import load_monitoring_pack

DEMO_SOURCE = "demo"
PROVIDER_FIELDS = ("name", "kind", "description", "website", "email", "phone", "is_example")
SCHOOL_FIELDS = ("name", "official_name", "kind", "school_type_code", "school_type", "legal_form")
PLACE_FIELDS = ("name", "street", "postcode", "city", "borough", "latitude", "longitude")


class DemoError(ValueError):
    """A flaw in the demo files; the message names the file and the entry."""


class Command(BaseCommand):
    help = (
        "Load the example data of the city pack (cities/<city>/demo/): providers and "
        "their places from providers.json, the real schools listed there, then offers.csv "
        "through the offer importer (source 'demo'). Everything runs in one transaction; "
        "running it again updates the same records instead of adding new ones. Then the "
        "monitoring: the city pack, the real open data from LERNSTADT_OPEN_DATA_DIR (default "
        "../shared/data; skipped when absent) and invented example school leavers "
        "(lernstadt/monitoring/demo.py)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        city = current_city()
        folder = demo_folder(city)
        try:
            pack = read_providers(folder / "providers.json", city)
        except DemoError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            changed = sum(save_provider(entry) for entry in pack["providers"])
            added = add_schools(pack["schools"])
            call_command(
                "import_offers", str(folder / "offers.csv"), source=DEMO_SOURCE, stdout=self.stdout
            )
            load_monitoring_pack(city)
        load_monitoring_demo(self.stdout.write)
        self.stdout.write(f"Anbieter: {changed} neu oder geändert, {added} Schulen neu angelegt.")
        self.stdout.write(self.style.SUCCESS(demo_counts(pack)))


def demo_folder(city: CityPack) -> Path:
    """The folder with the example data of ``city``."""
    folder = city.folder / "demo"
    if not (folder / "providers.json").is_file() or not (folder / "offers.csv").is_file():
        raise CommandError(f"{folder}: keine Beispieldaten (providers.json, offers.csv)")
    return folder


# --- reading -------------------------------------------------------------------


def read_providers(path: Path, city: CityPack) -> dict[str, list[dict[str, Any]]]:
    """The providers and schools of providers.json, checked."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DemoError(f"{path.name}: nicht lesbar: {error}") from error
    if not isinstance(raw, dict):
        raise DemoError(f"{path.name}: erwartet ein JSON-Objekt")
    providers = _entries(raw, "providers", path.name)
    schools = _entries(raw, "schools", path.name)
    for number, entry in enumerate(providers, start=1):
        _check_entry(entry, f"{path.name}, providers Eintrag {number}", city, "external_id")
    for number, entry in enumerate(schools, start=1):
        where = f"{path.name}, schools Eintrag {number}"
        _check_entry(entry, where, city, "school_number")
        if not str(entry["school_number"]).isdigit() or len(entry["school_number"]) != 6:
            raise DemoError(f"{where}: „{entry['school_number']}“ ist keine Schulnummer")
    return {"providers": providers, "schools": schools}


def _entries(raw: dict[str, Any], key: str, file: str) -> list[dict[str, Any]]:
    entries = raw.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DemoError(f"{file}: „{key}“ muss eine Liste von Objekten sein")
    return entries


def _check_entry(entry: dict[str, Any], where: str, city: CityPack, key: str) -> None:
    for required in (key, "name", "kind"):
        if not entry.get(required):
            raise DemoError(f"{where}: Feld „{required}“ fehlt")
    if entry["kind"] not in ProviderKind.values:
        raise DemoError(f"{where}: unbekannte Art „{entry['kind']}“")
    place = entry.get("place") or {}
    borough = place.get("borough", "")
    if borough and city.borough(borough) is None:
        raise DemoError(f"{where}: „{borough}“ ist kein Stadtbezirk von {city.name}")
    if (place.get("latitude") is None) != (place.get("longitude") is None):
        raise DemoError(f"{where}: Breitengrad und Längengrad nur zusammen angeben")


# --- saving --------------------------------------------------------------------


def _apply(instance: Provider | Place, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``instance``; True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def save_provider(entry: dict[str, Any]) -> bool:
    """Create or update one example provider (by source "demo" and its id) and its place.

    Unchanged records are not saved again, so that a second run is quiet and the
    search index is not rebuilt for nothing.
    """
    provider = Provider.objects.filter(
        source=DEMO_SOURCE, external_id=entry["external_id"]
    ).first() or Provider(source=DEMO_SOURCE, external_id=entry["external_id"])
    values = {name: entry.get(name, "") for name in PROVIDER_FIELDS}
    values["is_example"] = bool(entry.get("is_example", True))
    changed = _apply(provider, values) or provider.pk is None
    if changed:
        provider.save()
    return save_place(provider, entry.get("place") or {}) or changed


def save_place(provider: Provider, data: dict[str, Any]) -> bool:
    """The provider's one place, created or brought up to date."""
    place = provider.main_place or Place(provider=provider)
    if _apply(place, place_values(data)) or place.pk is None:
        place.save()
        return True
    return False


def place_values(data: dict[str, Any]) -> dict[str, Any]:
    """The Place fields of a ``place`` object in providers.json (missing text is empty)."""
    values = {name: data.get(name, "") for name in PLACE_FIELDS}
    values["latitude"], values["longitude"] = data.get("latitude"), data.get("longitude")
    return values


def add_schools(entries: list[dict[str, Any]]) -> int:
    """Create the schools of the register whose numbers are not known yet.

    A school that exists keeps its data: the register import (``import_schools``)
    owns it and may be newer than the demo's copy of 2021. New schools are
    written in bulk and indexed once each (bulk writes send no signals).
    """
    numbers = [entry["school_number"] for entry in entries]
    known = set(
        Provider.objects.filter(school_number__in=numbers).values_list("school_number", flat=True)
    )
    new = [entry for entry in entries if entry["school_number"] not in known]
    providers = Provider.objects.bulk_create(
        Provider(
            school_number=entry["school_number"],
            source=SCHOOL_REGISTER,
            external_id=entry["school_number"],
            **{name: entry.get(name, "") for name in SCHOOL_FIELDS},
        )
        for entry in new
    )
    Place.objects.bulk_create(
        Place(provider=provider, **place_values(entry.get("place") or {}))
        for provider, entry in zip(providers, new, strict=True)
    )
    search.index_providers(providers)
    return len(providers)


def demo_counts(pack: dict[str, list[dict[str, Any]]]) -> str:
    """A one-line summary of what the demo holds now."""
    offers = Offer.objects.filter(source=DEMO_SOURCE)
    public = offers.filter(status__in=[OfferStatus.PUBLISHED, OfferStatus.CANCELLED])
    numbers = [entry["school_number"] for entry in pack["schools"]]
    return (
        f"Beispieldaten: {offers.count()} Angebote ({public.count()} öffentlich), "
        f"{Provider.objects.filter(source=DEMO_SOURCE).count()} Anbieter, "
        f"{Provider.objects.filter(school_number__in=numbers).count()} Schulen."
    )
