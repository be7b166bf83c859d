"""Generate the regional-scale catalogue: 100,000 offers plus the NRW school register.

Run: ``.venv/bin/python bench/scale/generate.py [--sqlite|--postgres] [--fresh]``.

The institutions come through the project's own importer (``import_schools``).
The offers are built from the building blocks in :mod:`blocks` (course
families, audiences, providers in the towns of the register) and written in
bulk (providers, places, offers, dates: bulk writes send no signals); then the
project's own ``search.rebuild_index()`` indexes everything once, timed.

The result is cached (SQLite file under var/bench-scale/, or the PostgreSQL
database lernstadt_scale) and reused while the catalogue's migrations, the
generator and the row counts are unchanged; when the indexing code changes
(search.py, indexing.py, text.py, query.py, vocabulary.py, models.py) only the
index is rebuilt. ``--fresh`` builds everything anew.
"""

import datetime as dt
import hashlib
import io
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from database import (
    HERE,
    PG_DATABASE,
    ROOT,
    SOURCE,
    backend_from_argv,
    read_marker,
    setup_django,
    sqlite_file,
    write_marker,
)

OFFERS = 100_000
PROVIDERS = 4_000
SEED = 20_270
GENERATOR_VERSION = 3
CATALOG = ROOT / "lernstadt" / "catalog"
# The modules whose change may change what the index holds (re-index when they do).
INDEX_CODE = ("search.py", "indexing.py", "text.py", "query.py", "vocabulary.py", "models.py")
BATCH = 2_000
REGISTER_SOURCE = "nrw-schulgrunddaten"
REGISTER = ROOT.parent / "shared" / "data" / "nrw" / "schuldaten_2021.csv"
NEIGHBOURS = ("Bochum", "Gelsenkirchen", "Castrop-Rauxel", "Recklinghausen", "Herten")
LANGUAGE_CODES = {
    "Englisch": "en",
    "Business English": "en",
    "Spanisch": "es",
    "Französisch": "fr",
    "Italienisch": "it",
    "Türkisch": "tr",
    "Arabisch": "ar",
    "Polnisch": "pl",
    "Russisch": "ru",
    "Ukrainisch": "uk",
    "Griechisch": "el",
    "Deutsche Gebärdensprache": "gsg",
}
ACCESSIBILITY_ODDS = {
    "wheelchair": 0.3,
    "step_free": 0.35,
    "accessible_toilet": 0.25,
    "hearing_loop": 0.05,
    "sign_language": 0.03,
    "easy_language": 0.05,
    "childcare": 0.05,
    "online": 0.08,
}


def fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256(str(GENERATOR_VERSION).encode())
    for path in paths:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def schema_fingerprint() -> str:
    """Changes with the catalogue's migrations or the generator: the data is built anew."""
    migrations = sorted((CATALOG / "migrations").glob("0*.py"))
    return fingerprint(migrations + [HERE / "generate.py", HERE / "blocks.py"])


def index_fingerprint() -> str:
    """Changes with the code that writes the index: the index is rebuilt."""
    return fingerprint([CATALOG / name for name in INDEX_CODE])


# --- addresses and providers ------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None


@dataclass
class Town:
    """A town of the register with the addresses of its schools and its weight."""

    name: str
    addresses: list[Address] = field(default_factory=list)

    @property
    def weight(self) -> float:
        boost = 30.0 if self.name == "Herne" else 3.0 if self.name in NEIGHBOURS else 1.0
        return len(self.addresses) * boost


def register_towns() -> list[Town]:
    """Towns with at least three schools in the register, with their school addresses."""
    from lernstadt.catalog.models import Place

    towns: dict[str, Town] = {}
    rows = Place.objects.filter(provider__source=REGISTER_SOURCE).exclude(city="")
    for street, postcode, city, lat, lon in rows.values_list(
        "street", "postcode", "city", "latitude", "longitude"
    ):
        towns.setdefault(city, Town(city)).addresses.append(
            Address(street, postcode, city, lat, lon)
        )
    return sorted((t for t in towns.values() if len(t.addresses) >= 3), key=lambda t: t.name)


def districts(town: str) -> tuple[str, ...]:
    from blocks import COMPASS, DISTRICTS

    return DISTRICTS.get(town, tuple(f"{town}-{part}" for part in COMPASS[:3]) + (town,))


def new_address(rng: random.Random, town: Town) -> Address:
    """An address in ``town``: a school's street with another number, nearby."""
    base = rng.choice(town.addresses)
    street = base.street.rstrip("0123456789abc ").rstrip() or base.street
    lat = None if base.latitude is None else round(base.latitude + rng.uniform(-0.004, 0.004), 6)
    lon = None if base.longitude is None else round(base.longitude + rng.uniform(-0.006, 0.006), 6)
    return Address(f"{street} {rng.randint(1, 140)}", base.postcode, town.name, lat, lon)


def borough_of(address: Address) -> str:
    from blocks import HERNE_BOROUGHS

    return HERNE_BOROUGHS.get(address.postcode, "") if address.city == "Herne" else ""


KIND_SHARES = {
    "club": 30,
    "company": 15,
    "association": 12,
    "family_centre": 8,
    "adult_education": 5,
    "day_care": 6,
    "youth_centre": 6,
    "music_school": 4,
    "public_agency": 4,
    "culture": 4,
    "library": 3,
    "vocational_college": 3,
}


def provider_specs(rng: random.Random, towns: list[Town]) -> Iterator[tuple[str, str, Town]]:
    """(name, kind, town) of the generated providers, about PROVIDERS in all."""
    from blocks import PROVIDER_NAMES, UNIVERSITIES

    total = sum(t.weight for t in towns)
    kinds, shares = list(KIND_SHARES), list(KIND_SHARES.values())
    by_name = {t.name: t for t in towns}
    for name, city in UNIVERSITIES:
        if city in by_name:
            yield name, "university", by_name[city]
    for town in towns:
        seen: set[str] = set()
        for kind in ("adult_education", "library", "public_agency"):  # every town has one
            seen.add(PROVIDER_NAMES[kind][0].format(town=town.name))
            yield PROVIDER_NAMES[kind][0].format(town=town.name), kind, town
        for _ in range(max(2, round(PROVIDERS * town.weight / total))):
            kind = rng.choices(kinds, shares)[0]
            name = rng.choice(PROVIDER_NAMES[kind]).format(
                town=town.name,
                district=rng.choice(districts(town.name)),
                n=rng.choice(["1880", "1896", "1908", "1920", "1949", "1965", "04", "09", "72"]),
            )
            if name not in seen:
                seen.add(name)
                yield name, kind, town


# --- offers --------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Generated providers with their places, by kind, ready to be offered from."""

    providers_by_kind: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    places: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    towns: dict[int, str] = field(default_factory=dict)


def write_providers(rng: random.Random, towns: list[Town]) -> Catalogue:
    """Bulk-write the generated providers and their places; add the register's schools."""
    from blocks import PLACE_NAMES

    from lernstadt.catalog.models import Place, Provider

    specs = list(provider_specs(rng, towns))
    providers = Provider.objects.bulk_create(
        (
            Provider(
                name=name,
                kind=kind,
                description=f"{name}: Bildung und Freizeit in {town.name}.",
                email=f"info@anbieter-{number:05d}.example",
                source=SOURCE,
                external_id=f"provider-{number:05d}",
                is_example=True,
            )
            for number, (name, kind, town) in enumerate(specs)
        ),
        batch_size=BATCH,
    )
    places: list[Place] = []
    for provider, (name, kind, town) in zip(providers, specs, strict=True):
        extra = rng.randint(1, 3) if kind in {"adult_education", "association", "club"} else 0
        for number in range(1 + extra):
            address = new_address(rng, town)
            pattern = "{provider}" if number == 0 else rng.choice(PLACE_NAMES[1:])
            place_name = pattern.format(provider=name, district=rng.choice(districts(town.name)))
            places.append(
                Place(
                    provider=provider, name=place_name, borough=borough_of(address), **vars(address)
                )
            )
    Place.objects.bulk_create(places, batch_size=BATCH)
    catalogue = Catalogue()
    for provider, (_, _, town) in zip(providers, specs, strict=True):
        catalogue.providers_by_kind[provider.kind].append(provider)
        catalogue.towns[provider.pk] = town.name
    for place in places:
        catalogue.places[place.provider_id].append(place)
    add_schools(catalogue)
    return catalogue


def add_schools(catalogue: Catalogue) -> None:
    """The register's open schools may run offers too (AGs, open days, tutoring)."""
    from lernstadt.catalog.models import Place, Provider

    schools = Provider.objects.filter(source=REGISTER_SOURCE, status="active")
    for school in schools:
        catalogue.providers_by_kind[school.kind].append(school)
    for place in Place.objects.filter(provider__in=schools).order_by("pk"):
        catalogue.places[place.provider_id].append(place)


def description(rng: random.Random, family: Any, facts: dict[str, Any]) -> str:
    from blocks import GENERAL_SENTENCES

    own = rng.sample(family.sentences, k=min(len(family.sentences), rng.randint(2, 3)))
    general = rng.sample(GENERAL_SENTENCES, k=rng.randint(2, 3))
    sentences = own + general
    rng.shuffle(sentences)
    return " ".join(s.format(**facts) for s in sentences)


def title_of(rng: random.Random, course: str, phrase: str, district: str) -> str:
    title = f"{course} {phrase}".strip()
    roll = rng.random()
    if roll < 0.2:
        title += f" in {district}"
    elif roll < 0.25:
        title += " – Schnupperkurs"
    return title


def taxonomy(rng: random.Random, family: Any, course: str, audience: Any) -> dict[str, Any]:
    topics = [family.topics[0]] + [t for t in family.topics[1:] if rng.random() < 0.5]
    groups = list(audience.target_groups) + (["everyone"] if rng.random() < 0.1 else [])
    languages = ["de"]
    if course in LANGUAGE_CODES:
        languages.append(LANGUAGE_CODES[course])
    if family.key == "german" or rng.random() < 0.08:
        languages += rng.sample(["ar", "tr", "uk", "fa", "ru", "pl", "ro", "bg", "en"], 2)
    odds = dict(ACCESSIBILITY_ODDS)
    if "parents" in audience.target_groups:
        odds["childcare"] = 0.4
    return {
        "topics": topics,
        "life_phases": list(audience.life_phases),
        "target_groups": list(dict.fromkeys(groups)),
        "languages": list(dict.fromkeys(languages)),
        "accessibility": [code for code, chance in odds.items() if rng.random() < chance],
        "min_age": audience.ages[0],
        "max_age": audience.ages[1],
    }


def prices(rng: random.Random, family: Any) -> dict[str, Any]:
    low, high = family.price
    roll = rng.random()
    if high == 0 or roll < 0.35:
        return {"price": None, "price_reduced": None}
    price = Decimal(rng.randrange(max(low, 5), high + 1, 5))
    reduced = (price / 2).quantize(Decimal("1")) if roll < 0.6 else None
    return {"price": price, "price_reduced": reduced, "cost_note": "Ermäßigung auf Anfrage"}


def one_offer(rng: random.Random, number: int, catalogue: Catalogue, now: dt.datetime) -> Any:
    """One generated offer (unsaved), with its provider and place chosen."""
    from blocks import AUDIENCES, FAMILIES, SEASONS, WEEKDAYS

    from lernstadt.catalog.models import Offer

    family = rng.choices(FAMILIES, [f.weight for f in FAMILIES])[0]
    course = rng.choice(family.courses)
    audience = AUDIENCES[rng.choice(family.audiences)]
    provider = rng.choice(catalogue.providers_by_kind[rng.choice(family.provider_kinds)])
    places = catalogue.places.get(provider.pk, [])
    roll = rng.random()
    place = None if roll < 0.4 or not places else places[0] if roll < 0.85 else rng.choice(places)
    town = (place.city if place else None) or catalogue.towns.get(provider.pk, "Herne")
    start = rng.choice([8, 9, 10, 14, 15, 16, 17, 18, 19])
    facts = {
        "course": course,
        "weekday": rng.choice(WEEKDAYS),
        "start": start,
        "end": start + 2,
        "weeks": rng.choice([4, 6, 8, 10, 12, 15]),
        "place": place.name if place and place.name else f"der Eingang von {provider.name}",
        "town": town,
        "provider": provider.name,
        "season": rng.choice(SEASONS),
        "year": now.year + 1,
    }
    offer = Offer(
        provider=provider,
        place=place,
        title=title_of(rng, course, rng.choice(audience.phrases), rng.choice(districts(town))),
        summary=rng.choice(family.summaries).format(course=course),
        description=description(rng, family, facts),
        status="cancelled" if rng.random() < 0.03 else "published",
        registration_required=rng.random() < 0.6,
        registration_email=f"anmeldung{number % 97}@example.org" if rng.random() < 0.5 else "",
        last_reviewed=(now - dt.timedelta(days=rng.randint(0, 700))).date(),
        source=SOURCE,
        external_id=f"offer-{number:06d}",
        is_example=True,
        **taxonomy(rng, family, course, audience),
        **prices(rng, family),
    )
    return offer


def dates_of(rng: random.Random, offer: Any, now: dt.datetime) -> Iterator[Any]:
    from lernstadt.catalog.models import OfferDate

    count = rng.choices([0, 1, 2, 3], [10, 70, 12, 8])[0]
    for _ in range(count):
        day = now + dt.timedelta(days=rng.randint(-60, 300))
        starts = day.replace(
            hour=rng.choice([9, 10, 15, 17, 18, 19]), minute=0, second=0, microsecond=0
        )
        yield OfferDate(
            offer=offer,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=rng.choice([60, 90, 120, 180])),
            recurrence=f"FREQ=WEEKLY;COUNT={rng.randint(4, 15)}" if rng.random() < 0.5 else "",
            capacity=rng.choice([None, 8, 12, 15, 20, 25]),
        )


def write_offers(rng: random.Random, catalogue: Catalogue) -> int:
    from django.utils import timezone

    from lernstadt.catalog.models import Offer, OfferDate

    now = timezone.localtime()
    written = 0
    while written < OFFERS:
        chunk = [
            one_offer(rng, written + i, catalogue, now)
            for i in range(min(BATCH * 5, OFFERS - written))
        ]
        Offer.objects.bulk_create(chunk, batch_size=BATCH)
        OfferDate.objects.bulk_create(
            (d for offer in chunk for d in dates_of(rng, offer, now)), batch_size=BATCH
        )
        written += len(chunk)
    return written


# --- the whole --------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, flush=True)


def expected_counts() -> dict[str, int]:
    from lernstadt.catalog.models import Offer, SearchEntry

    return {
        "offers": Offer.objects.filter(source=SOURCE).count(),
        "entries": SearchEntry.objects.count(),
        "offer_entries": SearchEntry.objects.filter(kind="offer").count(),
    }


def cached(marker: dict[str, Any]) -> bool:
    """True when the database holds what the last generation wrote, in today's schema."""
    if marker.get("schema") != schema_fingerprint():
        return False
    try:
        return expected_counts() == marker.get("counts")
    except Exception:  # a missing table: the database is new
        return False


def rebuild_index(facts: dict[str, Any]) -> None:
    """Index everything with the project's own search.rebuild_index(), timed."""
    from lernstadt.catalog import search

    started = time.perf_counter()
    entries = search.rebuild_index()
    facts["rebuild_index_s"] = round(time.perf_counter() - started, 1)
    facts["index_fingerprint"] = index_fingerprint()
    say(f"  search.rebuild_index(): {facts['rebuild_index_s']} s for {entries:,} entries")
    analyze(facts)


def analyze(facts: dict[str, Any]) -> None:
    """Vacuum and analyse the new rows on PostgreSQL, as autovacuum would.

    Without statistics (autovacuum off, or right after a rebuild) the planner
    estimates a few rows per facet value, picks nested loops, and a facet count
    takes minutes; without a vacuum no page is marked all-visible, so facet
    filters read the tag table's rows instead of its covering index alone.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # Django's autocommit: outside a transaction
    facts["analyze_s"] = round(time.perf_counter() - started, 1)
    say(f"  VACUUM ANALYZE: {facts['analyze_s']} s")


def build(backend: str) -> dict[str, Any]:
    """Generate everything anew; returns the facts for the marker."""
    from django.core.management import call_command
    from django.db import transaction

    facts: dict[str, Any] = {"schema": schema_fingerprint(), "offers": OFFERS, "seed": SEED}
    empty_database(backend)
    started = time.perf_counter()
    call_command("import_schools", str(REGISTER), stdout=io.StringIO())
    facts["import_schools_s"] = round(time.perf_counter() - started, 1)
    say(f"  import_schools: {facts['import_schools_s']} s")
    rng = random.Random(SEED)
    started = time.perf_counter()
    with transaction.atomic():
        catalogue = write_providers(rng, register_towns())
        write_offers(rng, catalogue)
    facts["generate_s"] = round(time.perf_counter() - started, 1)
    say(f"  providers, places, {OFFERS:,} offers and their dates (bulk): {facts['generate_s']} s")
    rebuild_index(facts)  # bulk writes send no signals: index everything once
    return facts


def empty_database(backend: str) -> None:
    """A new, empty database: a new SQLite file, or lernstadt_scale dropped and created.

    Dropping (not flushing) keeps up with migrations edited in place.
    """
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            sqlite_file().with_name(sqlite_file().name + suffix).unlink(missing_ok=True)
    else:
        recreate_postgres_database()
    call_command("migrate", verbosity=0)


def recreate_postgres_database() -> None:
    import psycopg
    from common import PG_URL

    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def ensure_catalogue(backend: str, fresh: bool) -> dict[str, Any]:
    """The generated catalogue in the backend's database: reused, reindexed or built."""
    from django.core.management import call_command

    marker = {} if fresh else read_marker(backend)
    if not fresh and marker.get("schema") == schema_fingerprint():
        call_command("migrate", verbosity=0)
    if fresh or not cached(marker):
        marker = build(backend)
    elif marker.get("index_fingerprint") != index_fingerprint():
        say("  the indexing code changed: rebuilding the index")
        rebuild_index(marker)
    else:
        say(f"  reusing the generated catalogue ({marker['counts']['entries']:,} entries)")
        if "analyze_s" not in marker:
            analyze(marker)
            write_marker(backend, marker)
        return marker
    marker["counts"] = expected_counts()
    write_marker(backend, marker)
    say(
        f"  catalogue: {marker['counts']['offers']:,} offers, "
        f"{marker['counts']['entries']:,} search entries"
    )
    return marker


def main() -> None:
    backend = backend_from_argv()
    setup_django(backend)
    say(f"== generate the regional catalogue, {backend}")
    facts = ensure_catalogue(backend, "--fresh" in sys.argv)
    if "--time-rebuild" in sys.argv and "rebuild_index_s" not in facts:
        rebuild_index(facts)
        write_marker(backend, facts)
    if backend == "sqlite":
        say(f"  database file: {sqlite_file()} ({sqlite_file().stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
