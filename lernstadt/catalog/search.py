"""Search over offers and institutions: the one room that knows how.

Other code calls :func:`search_offers` (and the indexing functions). The full-text
index is the database's own: SQLite FTS5 (ranked with bm25, titles weighted ten
times above the body) or PostgreSQL full-text search with the ``german``
configuration (ranked with ts_rank, titles weight A). Both read columns that
:mod:`lernstadt.catalog.text` has normalised, so both find the same entries.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from lernstadt.catalog import text
from lernstadt.catalog.models import Offer, Provider, SearchEntry, SearchTag
from lernstadt.catalog.taxonomy import (
    Accessibility,
    Cost,
    Language,
    LifePhase,
    OfferStatus,
    ProviderKind,
    ProviderStatus,
    Topic,
    label,
)

FACETS: dict[str, Any] = {
    "kind": None,
    "life_phase": LifePhase,
    "topic": Topic,
    "borough": None,
    "cost": Cost,
    "language": Language,
    "accessibility": Accessibility,
    "provider_kind": ProviderKind,
}
SORTS = ("relevance", "title", "date")
SCHOOL_NUMBER = re.compile(r"^\d{6}$")

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


# --- indexing ------------------------------------------------------------------


def _entry_texts(title: str, body_parts: Iterable[str]) -> dict[str, str]:
    title_words = text.index_words(title)
    body_words = text.index_words(" ".join(p for p in body_parts if p))
    return {
        "search_title": " ".join(title_words),
        "search_body": " ".join(body_words),
        "stems_title": text.stems(title_words),
        "stems_body": text.stems(body_words),
        "sort_title": title.casefold()[:300],
    }


def _save_entry(lookup: dict[str, Any], fields: dict[str, Any], tags: dict[str, list[str]]) -> None:
    entry, _ = SearchEntry.objects.update_or_create(**lookup, defaults=fields)
    entry.tags.all().delete()
    SearchTag.objects.bulk_create(
        SearchTag(entry=entry, facet=facet, value=value)
        for facet, values in tags.items()
        for value in dict.fromkeys(values)
        if value
    )


def index_offer(offer: Offer) -> None:
    """Add, refresh or remove the search entry of one offer."""
    if not offer.is_public:
        SearchEntry.objects.filter(offer=offer).delete()
        return
    place = offer.place or offer.provider.main_place
    body = [offer.summary, offer.description, offer.provider.name]
    body += _place_words(place)
    for field_name in ("topics", "life_phases", "target_groups", "languages", "accessibility"):
        body += offer.labelled(field_name)
    next_date = (
        offer.dates.filter(starts_at__gte=timezone.now())
        .values_list("starts_at", flat=True)
        .first()
    )
    fields = _entry_texts(offer.title, body) | {
        "kind": "offer",
        "title": offer.title,
        "subtitle": offer.provider.name,
        "url": offer.get_absolute_url(),
        "school_number": "",
        "next_date": next_date,
        **_coordinates(place),
    }
    tags = {
        "kind": ["offer"],
        "life_phase": offer.life_phases,
        "topic": offer.topics,
        "borough": [place.borough if place else ""],
        "cost": [offer.cost],
        "language": offer.languages,
        "accessibility": offer.accessibility,
        "provider_kind": [offer.provider.kind],
    }
    _save_entry({"offer": offer}, fields, tags)


def index_provider(provider: Provider) -> None:
    """Add, refresh or remove the search entry of one institution."""
    if provider.status == ProviderStatus.CLOSED:
        SearchEntry.objects.filter(provider=provider).delete()
        return
    place = provider.main_place
    body = [
        provider.official_name,
        provider.school_type,
        provider.kind_label,
        provider.description,
        provider.school_number or "",
    ] + _place_words(place)
    fields = _entry_texts(provider.name, body) | {
        "kind": "institution",
        "title": provider.name,
        "subtitle": provider.school_type or provider.kind_label,
        "url": provider.get_absolute_url(),
        "school_number": provider.school_number or "",
        "next_date": None,
        **_coordinates(place),
    }
    kind = ProviderKind(provider.kind)
    tags: dict[str, list[str]] = {
        "kind": ["institution"],
        "life_phase": list(INSTITUTION_PHASES.get(kind, [])),
        "topic": list(INSTITUTION_TOPICS.get(kind, [])),
        "borough": [place.borough if place else ""],
        "provider_kind": [provider.kind],
    }
    _save_entry({"provider": provider}, fields, tags)


def _place_words(place: Any) -> list[str]:
    if place is None:
        return []
    return [place.name, place.street, place.postcode, place.city, place.borough]


def _coordinates(place: Any) -> dict[str, float | None]:
    if place is None:
        return {"latitude": None, "longitude": None}
    return {"latitude": place.latitude, "longitude": place.longitude}


def rebuild_index() -> int:
    """Index every offer and institution anew; returns the number of entries."""
    SearchEntry.objects.all().delete()
    for provider in Provider.objects.prefetch_related("places"):
        index_provider(provider)
    offers = Offer.objects.select_related("provider", "place").prefetch_related("dates")
    for offer in offers.filter(status__in=[OfferStatus.PUBLISHED, OfferStatus.CANCELLED]):
        index_offer(offer)
    return SearchEntry.objects.count()


# --- querying ------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: str
    total: int
    page: Page[SearchEntry]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    sort: str = "relevance"


def _fts_filter(words: list[str], any_word: bool) -> tuple[Q, RawSQL]:
    """A match condition and a rank expression (higher is better).

    The SQL names columns without their table, because Django aliases the
    table when this query becomes a subquery (facet counts).
    """
    if connection.vendor == "postgresql":
        query = (" | " if any_word else " & ").join(f"{text.query_stem(w)}:*" for w in words)
        match = RawSQL(
            "search_vector @@ to_tsquery('german', %s)", [query], output_field=BooleanField()
        )
        rank = RawSQL("ts_rank(search_vector, to_tsquery('german', %s))", [query])
        return Q(match), rank
    query = (" OR " if any_word else " AND ").join(f'"{text.query_stem(w)}"*' for w in words)
    ids = RawSQL(
        "SELECT rowid FROM catalog_searchentry_fts WHERE catalog_searchentry_fts MATCH %s",
        [query],
    )
    # "id" is the outer entry's: the FTS table has no column of that name.
    rank = RawSQL(
        "(SELECT -bm25(catalog_searchentry_fts, 10.0, 1.0) FROM catalog_searchentry_fts "
        "WHERE catalog_searchentry_fts MATCH %s AND rowid = id)",
        [query],
    )
    return Q(id__in=ids), rank


def matching_entries(query: str) -> QuerySet[SearchEntry]:
    """Entries matching every word of ``query`` (or, failing that, any word), ranked."""
    entries = SearchEntry.objects.all()
    words = text.query_words(query)
    if not words:
        return entries.annotate(rank=Value(0.0), exact=Value(False))
    numbers = [w for w in words if SCHOOL_NUMBER.match(w)]
    for any_word in (False, True):
        match, rank = _fts_filter(words, any_word)
        found = entries.filter(match | Q(school_number__in=numbers)).annotate(
            rank=Coalesce(rank, 0.0, output_field=FloatField())
        )
        if any_word or found.exists():
            break
    exact = Q(school_number__in=numbers) if numbers else Q(pk__in=[])
    return found.annotate(exact=Case(When(exact, then=Value(True)), default=Value(False)))


def _with_facets(
    entries: QuerySet[SearchEntry], selected: dict[str, list[str]], skip: str = ""
) -> QuerySet[SearchEntry]:
    for facet, values in selected.items():
        if facet != skip and values:
            entries = entries.filter(
                id__in=SearchTag.objects.filter(facet=facet, value__in=values).values("entry_id")
            )
    return entries


def facet_counts(
    entries: QuerySet[SearchEntry], selected: dict[str, list[str]]
) -> dict[str, list[FacetValue]]:
    """Counts per facet value; each facet is counted without its own selection
    (so a citizen sees what choosing another value would give)."""
    facets: dict[str, list[FacetValue]] = {}
    for facet, vocabulary in FACETS.items():
        base = _with_facets(entries, selected, skip=facet)
        rows = (
            SearchTag.objects.filter(facet=facet, entry__in=base.values("id"))
            .values("value")
            .annotate(n=Count("entry_id"))
            .order_by("-n", "value")
        )
        chosen = selected.get(facet, [])
        facets[facet] = [
            FacetValue(
                row["value"],
                _facet_label(facet, vocabulary, row["value"]),
                row["n"],
                row["value"] in chosen,
            )
            for row in rows
        ]
    return facets


def _facet_label(facet: str, vocabulary: Any, value: str) -> str:
    if vocabulary is not None:
        return label(vocabulary, value)
    if facet == "kind":
        from django.utils.translation import gettext

        return gettext("Angebote") if value == "offer" else gettext("Einrichtungen")
    return value


def _ordered(entries: QuerySet[SearchEntry], sort: str) -> QuerySet[SearchEntry]:
    if sort == "title":
        return entries.order_by("sort_title", "id")
    if sort == "date":
        return entries.order_by(F("next_date").asc(nulls_last=True), "sort_title", "id")
    # "exact" and "rank" are annotations of matching_entries().
    return entries.order_by("-exact", "-rank", "sort_title", "id")  # type: ignore[misc]


def search_offers(
    query: str = "",
    selected: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    with_facets: bool = True,
) -> SearchResult:
    """Search offers and institutions: the one entry point for pages, API and commands."""
    selected = {k: v for k, v in (selected or {}).items() if k in FACETS and v}
    sort = sort if sort in SORTS else "relevance"
    matched = matching_entries(query)
    entries = _with_facets(matched, selected)
    paginator = Paginator(_ordered(entries, sort), per_page)
    result_page = paginator.get_page(page)
    facets = facet_counts(matched, selected) if with_facets else {}
    return SearchResult(query, paginator.count, result_page, facets, sort)


def hit(entry: SearchEntry) -> dict[str, Any]:
    """One search hit as plain data: the shape of the API and the ``search`` command."""
    data: dict[str, Any] = {
        "kind": entry.kind,
        "id": entry.offer_id if entry.kind == "offer" else entry.provider_id,
        "title": entry.title,
        "subtitle": entry.subtitle,
        "url": entry.url,
    }
    if entry.school_number:
        data["school_number"] = entry.school_number
    return data
