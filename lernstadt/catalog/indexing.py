"""Writing the search index: one document per public offer and operating institution.

A document is the entry's normalised text (for the full-text index), its facet
values and the words it adds to the vocabulary. Single saves go through
:func:`index_offer` / :func:`index_provider` (called by signals); imports of
thousands of rows call :func:`index_providers` / :func:`index_offers`, which
write in batches.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from lernstadt.catalog import query, ranking, text, vocabulary
from lernstadt.catalog.models import (
    Offer,
    OfferDate,
    Place,
    Provider,
    SearchEntry,
    SearchTag,
    SearchWord,
    Tag,
)
from lernstadt.catalog.taxonomy import (
    QUALIFICATIONS_BY_SCHOOL_FORM,
    Cost,
    LifePhase,
    OfferStatus,
    ProviderKind,
    ProviderStatus,
    Topic,
)

BATCH = 1000
T = TypeVar("T")

# What life phase and topic an institution stands for, by its kind.
INSTITUTION_PHASES = {
    ProviderKind.SCHOOL: [LifePhase.SCHOOL],
    ProviderKind.DAY_CARE: [LifePhase.EARLY_CHILDHOOD, LifePhase.FAMILIES],
    ProviderKind.VOCATIONAL_COLLEGE: [LifePhase.TRANSITION],
    ProviderKind.ADULT_EDUCATION: [LifePhase.ADULTS, LifePhase.SENIORS],
    ProviderKind.UNIVERSITY: [LifePhase.ADULTS],
    ProviderKind.FAMILY_CENTRE: [LifePhase.FAMILIES, LifePhase.EARLY_CHILDHOOD],
    ProviderKind.YOUTH_CENTRE: [LifePhase.SCHOOL, LifePhase.TRANSITION],
}
INSTITUTION_TOPICS = {
    ProviderKind.SCHOOL: [Topic.GENERAL_EDUCATION],
    ProviderKind.DAY_CARE: [Topic.EARLY_LEARNING],
    ProviderKind.VOCATIONAL_COLLEGE: [Topic.CAREER],
    ProviderKind.MUSIC_SCHOOL: [Topic.MUSIC],
    ProviderKind.LIBRARY: [Topic.CULTURE],
}
OFFER_LABELS = ("topics", "life_phases", "target_groups", "languages", "accessibility")


@dataclass
class Document:
    owner: str  # "offer" or "provider": the entry's link to what it describes
    owner_id: int
    fields: dict[str, Any]
    tags: dict[str, list[str]]
    words: list[str]


def _texts(
    title: str, body_parts: Iterable[str | None], labels: Iterable[str] = ()
) -> tuple[dict[str, str], list[str]]:
    title_words = text.index_words(title)
    body_words = text.index_words(" ".join(p for p in body_parts if p))
    label_words = text.index_words(" ".join(labels))
    fields = {
        "search_title": " ".join(title_words),
        "search_body": " ".join(body_words),
        "search_labels": " ".join(label_words),
        "stems_title": text.stems(title_words),
        "stems_body": text.stems(body_words),
        "stems_labels": text.stems(label_words),
        "sort_title": title.casefold()[:300],
    }
    return fields, title_words + body_words + label_words


def _place_words(place: Place | None) -> list[str]:
    if place is None:
        return []
    return [place.name, place.street, place.postcode, place.city, place.borough]


def _where(place: Place | None) -> dict[str, Any]:
    if place is None:
        return {"latitude": None, "longitude": None, "borough": ""}
    return {"latitude": place.latitude, "longitude": place.longitude, "borough": place.borough}


def offer_document(offer: Offer, place: Place | None, next_date: Any) -> Document:
    body = [offer.summary, offer.description, offer.provider.name, *_place_words(place)]
    labels = [label for name in OFFER_LABELS for label in offer.labelled(name)]
    texts, words = _texts(offer.title, body, labels)
    fields = texts | {
        "kind": "offer",
        "title": offer.title,
        "subtitle": offer.provider.name,
        "url": offer.get_absolute_url(),
        "school_number": "",
        "next_date": next_date,
        "is_cancelled": offer.status == OfferStatus.CANCELLED,
        "summary": offer.summary,
        "is_free": offer.cost == Cost.FREE,
        "is_example": offer.is_example or offer.provider.is_example,
        **_where(place),
    }
    tags = {
        "kind": ["offer"],
        "life_phase": offer.life_phases,
        "topic": offer.topics,
        "borough": [fields["borough"]],
        "cost": [offer.cost],
        "language": offer.languages,
        "accessibility": offer.accessibility,
        "provider_kind": [offer.provider.kind],
    }
    return Document("offer", offer.pk, fields, tags, words)


def provider_document(provider: Provider, place: Place | None) -> Document:
    body = [
        provider.official_name,
        provider.school_type,
        provider.description,
        provider.school_number,
        *_place_words(place),
    ]
    qualifications = QUALIFICATIONS_BY_SCHOOL_FORM.get(provider.school_type_code, ())
    texts, words = _texts(provider.name, body, [provider.kind_label, *qualifications])
    fields = texts | {
        "kind": "institution",
        "title": provider.name,
        "subtitle": provider.school_type or provider.kind_label,
        "url": provider.get_absolute_url(),
        "school_number": provider.school_number or "",
        "next_date": None,
        "is_cancelled": False,
        "is_example": provider.is_example,
        **_where(place),
    }
    kind = ProviderKind(provider.kind)
    tags: dict[str, list[str]] = {
        "kind": ["institution"],
        "life_phase": list(INSTITUTION_PHASES.get(kind, [])),
        "topic": list(INSTITUTION_TOPICS.get(kind, [])),
        "borough": [fields["borough"]],
        "provider_kind": [provider.kind],
    }
    return Document("provider", provider.pk, fields, tags, words)


def facet_token(facet: str, value: str) -> str:
    """The full-text token of a facet value: "_" and 16 letters from its hash.

    Facet filters are answered by the full-text index together with the words
    (see ``search``). Typed words never hold "_" (:data:`text.WORD`), so no query
    term, not even a one-letter prefix, can match a facet token.
    """
    digest = hashlib.blake2b(f"{facet}={value}".encode(), digest_size=8).digest()
    return "_" + "".join(chr(ord("a") + part) for byte in digest for part in divmod(byte, 16))


def _tag_pairs(tags: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(facet, value) of a document's tags, each once, empty values left out."""
    return [
        (facet, value) for facet, values in tags.items() for value in dict.fromkeys(values) if value
    ]


def _tag_numbers(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The number of each (facet, value), numbering the new ones (once, even when
    two processes index at the same time). Most batches hold known values only:
    then one look-up, no write."""
    numbers = _numbered(pairs)
    new = pairs - numbers.keys()
    if new:
        Tag.objects.bulk_create([Tag(facet=f, value=v) for f, v in new], ignore_conflicts=True)
        numbers = _numbered(pairs)
    return numbers


def _numbered(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    known = Tag.objects.filter(value__in={value for _, value in pairs})
    return {(t.facet, t.value): t.pk for t in known if (t.facet, t.value) in pairs}


def store(documents: list[Document]) -> None:
    """Replace the entries of these owners by the documents, in a few statements."""
    for owner in ("offer", "provider"):
        ids = [d.owner_id for d in documents if d.owner == owner]
        SearchEntry.objects.filter(**{f"{owner}_id__in": ids}).delete()
    tags = [_tag_pairs(d.tags) for d in documents]
    entries = SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                **{f"{d.owner}_id": d.owner_id},
                **d.fields,
                search_facets=" ".join(facet_token(*pair) for pair in pairs),
            )
            for d, pairs in zip(documents, tags, strict=True)
        ]
    )
    numbers = _tag_numbers({pair for pairs in tags for pair in pairs})
    SearchTag.objects.bulk_create(
        [
            SearchTag(entry=entry, tag_id=numbers[pair])
            for entry, pairs in zip(entries, tags, strict=True)
            for pair in pairs
        ],
        batch_size=BATCH * 5,
    )
    vocabulary.remember(word for document in documents for word in document.words)
    # This process follows at once: the words' weights, how queries parse.
    ranking.forget_counts()
    query.forget_parsed()


# --- offers --------------------------------------------------------------------


def _next_dates(offer_ids: list[int]) -> dict[int, Any]:
    upcoming = OfferDate.objects.filter(offer_id__in=offer_ids, starts_at__gte=timezone.now())
    firsts: dict[int, Any] = {}
    for offer_id, starts_at in upcoming.order_by("starts_at").values_list("offer_id", "starts_at"):
        firsts.setdefault(offer_id, starts_at)
    return firsts


def _main_places(provider_ids: Iterable[int]) -> dict[int, Place]:
    """Each provider's first place (its address)."""
    firsts: dict[int, Place] = {}
    for place in Place.objects.filter(provider_id__in=set(provider_ids)).order_by("pk"):
        if place.provider_id is not None:
            firsts.setdefault(place.provider_id, place)
    return firsts


def _site_language() -> translation.override:
    """Entries are written in the site's language, whatever language the editor who
    saves an offer uses: labels and subtitles are the same for every visitor."""
    return translation.override(settings.LANGUAGE_CODE)


def _in_batches(items: Iterable[T], index_batch: Callable[[list[T]], None]) -> None:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            index_batch(batch)
            batch = []
    if batch:
        index_batch(batch)


def index_offers(offers: Iterable[Offer]) -> None:
    """Add, refresh or remove the entries of many offers in batches."""
    with _site_language():
        _in_batches(offers, _index_offer_batch)


def _index_offer_batch(offers: list[Offer]) -> None:
    public = [offer for offer in offers if offer.is_public]
    SearchEntry.objects.filter(offer_id__in=[o.pk for o in offers if not o.is_public]).delete()
    dates = _next_dates([o.pk for o in public])
    places = _main_places(o.provider_id for o in public if o.place is None)
    store(
        [
            offer_document(offer, offer.place or places.get(offer.provider_id), dates.get(offer.pk))
            for offer in public
        ]
    )


def index_offer(offer: Offer) -> None:
    """Add, refresh or remove the search entry of one offer."""
    index_offers([offer])


# --- institutions --------------------------------------------------------------


def index_providers(providers: Iterable[Provider]) -> None:
    """Add, refresh or remove the entries of many institutions in batches."""
    with _site_language():
        _in_batches(providers, _index_provider_batch)


def _index_provider_batch(providers: list[Provider]) -> None:
    operating = [p for p in providers if p.status != ProviderStatus.CLOSED]
    closed = [p.pk for p in providers if p.status == ProviderStatus.CLOSED]
    SearchEntry.objects.filter(provider_id__in=closed).delete()
    places = _main_places(p.pk for p in operating)
    store([provider_document(provider, places.get(provider.pk)) for provider in operating])


def index_provider(provider: Provider) -> None:
    """Add, refresh or remove the search entry of one institution."""
    index_providers([provider])


# The FTS5 tables of every entry, of the sample (migration 0010) and of the titles
# (0017), merged.
OPTIMIZE_FULLTEXT = [
    "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('optimize')",
    "INSERT INTO catalog_searchentry_fts_sample(catalog_searchentry_fts_sample) "
    "VALUES ('optimize')",
    "INSERT INTO catalog_searchentry_fts_title(catalog_searchentry_fts_title) VALUES ('optimize')",
]


SEARCH_TABLES = "catalog_searchentry, catalog_searchtag, catalog_searchword"


def rebuild_index() -> int:
    """Index every offer and institution anew; returns the number of entries."""
    SearchEntry.objects.all().delete()
    SearchWord.objects.all().delete()
    index_providers(Provider.objects.iterator(chunk_size=BATCH))
    offers = Offer.objects.select_related("provider", "place")
    index_offers(offers.filter(status__in=[OfferStatus.PUBLISHED, OfferStatus.CANCELLED]))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Written row by row beside the old entries' dead ones, the GIN indexes
            # grew to 2.5 times their size and their scans slowed down 15-fold
            # ("Deutschkurs A1" 35 -> 2.4 ms): build them anew (3 s for 110,000).
            cursor.execute("REINDEX TABLE catalog_searchentry")
            # Fresh statistics, or the planner guesses a handful of rows and scans badly.
            cursor.execute(f"ANALYZE {SEARCH_TABLES}")
        else:
            # Written in batches, the FTS5 index is many segments that each search
            # merges; one segment made counting eight typical searches on 100,000
            # offers 63 -> 42 ms. The same for the sample's index (migration 0010).
            for merge in OPTIMIZE_FULLTEXT:
                cursor.execute(merge)
    return SearchEntry.objects.count()


def vacuum_index() -> None:
    """Tidy up after a rebuild, outside its transaction (VACUUM cannot run in one).

    SQLite keeps the pages of the old entries as free pages: a rebuild over 109,449
    entries left 324 of the file's 873 MiB free, which VACUUM gave back in 4.5 s.
    PostgreSQL marks the new rows visible to all, so facet counts read the tags'
    covering index alone (see docs/operations.md)."""
    sql = "VACUUM" if connection.vendor == "sqlite" else f"VACUUM ANALYZE {SEARCH_TABLES}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
