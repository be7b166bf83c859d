"""The catalogue's part of the JSON API: search, offers and institutions.

Only public data leaves here: offers with the status published or cancelled,
and institutions (closed ones too, marked with their status). Taxonomy values
travel as their stable code with the label in the request's language.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.db.models.enums import TextChoices
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import model_validator

from lernstadt.catalog import search
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider, SearchTag
from lernstadt.catalog.taxonomy import (
    Accessibility,
    Cost,
    Language,
    LifePhase,
    OfferStatus,
    ProviderKind,
    ProviderStatus,
    TargetGroup,
    Topic,
    label,
)

router = Router(tags=["Katalog"])

PUBLIC_OFFER_STATUSES = [OfferStatus.PUBLISHED, OfferStatus.CANCELLED]
MAX_OFFSET = 1_000_000_000
MAX_VALUES = 20  # per filter; more values of one facet serve no citizen


# --- shared pieces --------------------------------------------------------------


class Error(Schema):
    detail: str = Field(description="Was nicht stimmt.")


class Coded(Schema):
    code: str = Field(description="Stabiler Schlüssel aus dem Vokabular (für Filter).")
    label: str = Field(description="Bezeichnung in der Sprache der Anfrage.")


def coded(vocabulary: type[TextChoices], code: str) -> Coded:
    """A taxonomy code with its label."""
    return Coded(code=code, label=label(vocabulary, code))


def coded_list(vocabulary: type[TextChoices], codes: list[str]) -> list[Coded]:
    """Taxonomy codes with their labels, in stored order."""
    return [coded(vocabulary, code) for code in codes]


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100, description="Treffer je Seite (1 bis 100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Wie viele Treffer zu überspringen.")
    page: int | None = Field(
        None,
        ge=1,
        le=MAX_OFFSET // 100,
        description="Seitennummer ab 1; Alternative zu offset (offset = (page − 1) · limit).",
    )

    @model_validator(mode="after")
    def offset_or_page(self) -> "Paging":
        if self.page is not None and self.offset:
            raise ValueError("offset und page nicht zugleich angeben")
        return self

    @property
    def start(self) -> int:
        """The index of the first item of the requested page."""
        if self.page is not None:
            return (self.page - 1) * self.limit
        return self.offset


def window(items: Any, paging: Paging) -> list[Any]:
    """The slice of a queryset (or other sliceable sequence) the paging asks for."""
    return list(items[paging.start : paging.start + paging.limit])


# --- search --------------------------------------------------------------------


class Hit(Schema):
    kind: Literal["offer", "institution"] = Field(description="Angebot oder Einrichtung.")
    id: int = Field(description="Nummer des Angebots bzw. der Einrichtung in dieser API.")
    title: str
    subtitle: str = Field(
        description="Anbieter eines Angebots, Schulform oder Art der Einrichtung."
    )
    url: str = Field(description="Pfad der Seite im Portal.")
    school_number: str | None = Field(
        None, description="Amtliche Schulnummer (nur Schulen aus dem Schulverzeichnis)."
    )


def _de(number: int) -> str:
    """A number as German writes it in the API's descriptions ("1.600")."""
    return f"{number:,}".replace(",", ".")


class FacetValue(Schema):
    value: str = Field(description="Wert für den gleichnamigen Filterparameter.")
    label: str
    count: int = Field(description="Treffer mit diesem Wert (bei sonst gleicher Auswahl).")
    selected: bool
    approximate: bool = Field(
        description=f"Geschätzt: bei mehr als {_de(search.FACET_SAMPLE)} Treffern aus einer "
        f"inhaltsblinden Stichprobe von etwa {_de(search.FACET_SAMPLE)} davon hochgerechnet."
    )


class SearchAnswer(Schema):
    total: int = Field(
        description="Alle Treffer, nicht nur die dieser Seite. Ab etwa "
        f"{_de(search.ESTIMATE_FROM * search.SAMPLE_SHARE)} Treffern geschätzt und auf zwei "
        "Stellen gerundet (dann ist total_estimated wahr)."
    )
    total_estimated: bool = Field(
        description="total ist aus einer inhaltsblinden Stichprobe jedes "
        f"{search.SAMPLE_SHARE}. Eintrags hochgerechnet. Dann reichen offset und page nur "
        f"über die ersten {_de(search.BROWSABLE)} Treffer."
    )
    results: list[Hit]
    facets: dict[str, list[FacetValue]] | None = Field(
        None, description="Nur mit facets=true: Anzahl je Filterwert."
    )


class SearchFilters(Schema):
    """The facet filters of the results page; several values of one facet mean 'or'."""

    q: str = Field("", max_length=200, description="Suchbegriffe (Deutsch, auch Schulnummer).")
    sort: Literal["relevance", "title", "date"] = Field(
        "relevance", description="Relevanz, Titel oder nächster Termin."
    )
    kind: list[Literal["offer", "institution"]] = Field(
        [], max_length=MAX_VALUES, description="Angebot/Einrichtung."
    )
    life_phase: list[LifePhase] = Field([], max_length=MAX_VALUES, description="Lebensphase.")
    topic: list[Topic] = Field([], max_length=MAX_VALUES, description="Thema.")
    borough: list[str] = Field(
        [], max_length=MAX_VALUES, description="Stadtbezirk (Name, z. B. Herne-Wanne)."
    )
    cost: list[Cost] = Field([], max_length=MAX_VALUES, description="Kosten.")
    language: list[Language] = Field([], max_length=MAX_VALUES, description="Sprache des Angebots.")
    accessibility: list[Accessibility] = Field(
        [], max_length=MAX_VALUES, description="Barrierefreiheit."
    )
    provider_kind: list[ProviderKind] = Field(
        [], max_length=MAX_VALUES, description="Art des Anbieters."
    )
    facets: bool = Field(False, description="Anzahl je Filterwert mitliefern.")

    def selected(self) -> dict[str, list[str]]:
        """The chosen facet values in the shape ``search.search_offers`` takes."""
        return {
            facet: [str(value) for value in getattr(self, facet)]
            for facet in search.FACETS
            if getattr(self, facet)
        }


@router.get(
    "/search",
    response=SearchAnswer,
    exclude_none=True,
    operation_id="search",
    summary="Angebote und Einrichtungen suchen",
    description=(
        "Volltextsuche, die Deutsch versteht (Wortformen, zusammengesetzte Wörter, Umlaute), "
        "mit den Filtern der Ergebnisseite. Jeder Treffer ist ein Angebot oder eine Einrichtung."
    ),
)
def search_catalogue(
    request: HttpRequest, filters: Query[SearchFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Full-text search that understands German, with the filters of the results page."""
    result = search.search_offers(
        filters.q,
        filters.selected(),
        sort=filters.sort,
        # The page holding the window, so the ranking the page needs is the one sliced.
        page=paging.start // paging.limit + 1 if paging.start % paging.limit == 0 else 1,
        per_page=paging.limit,
        with_facets=filters.facets,
    )
    # Paginator.get_page() turns a page past the end into the last page; an API
    # must answer such a request with an empty list, so slice the ordered entries.
    entries = window(result.page.paginator.object_list, paging)
    answer: dict[str, Any] = {
        "total": result.total,
        "total_estimated": result.total_estimated,
        "results": [search.hit(e) for e in entries],
    }
    if filters.facets:
        answer["facets"] = {
            facet: [vars(value) for value in values] for facet, values in result.facets.items()
        }
    return answer


# --- providers and places ------------------------------------------------------


class PlaceOut(Schema):
    name: str
    street: str
    postcode: str
    city: str
    borough: str = Field(description="Stadtbezirk.")
    latitude: float | None = Field(description="Breitengrad (WGS84).")
    longitude: float | None = Field(description="Längengrad (WGS84).")


class ProviderBrief(Schema):
    id: int
    name: str
    kind: Coded = Field(description="Art der Einrichtung.")
    url: str = Field(description="Pfad der Seite im Portal.")

    @staticmethod
    def resolve_kind(obj: Provider) -> Coded:
        return coded(ProviderKind, obj.kind)

    @staticmethod
    def resolve_url(obj: Provider) -> str:
        return obj.get_absolute_url()


class ProviderSummary(ProviderBrief):
    school_number: str | None = Field(description="Amtliche Schulnummer (Schulverzeichnis NRW).")
    school_type: str = Field(description="Schulform.")
    status: Coded = Field(description="In Betrieb oder geschlossen.")
    is_example: bool = Field(description="Erfundene Beispieldaten.")

    @staticmethod
    def resolve_status(obj: Provider) -> Coded:
        return coded(ProviderStatus, obj.status)


class OfferTitle(Schema):
    id: int
    title: str


class ProviderDetail(ProviderSummary):
    official_name: str
    description: str
    website: str
    email: str
    phone: str
    school_type_code: str = Field(description="Schlüssel der Schulform.")
    legal_form: str = Field(description="Rechtsform (Träger), z. B. öffentlich.")
    closed_on: date | None = Field(description="Geschlossen seit.")
    source: str = Field(description="Woher die Daten stammen.")
    updated_at: datetime
    places: list[PlaceOut]
    offers: list[OfferTitle] = Field(description="Öffentliche Angebote der Einrichtung.")

    @staticmethod
    def resolve_places(obj: Provider) -> list[Place]:
        return list(obj.places.order_by("pk"))

    @staticmethod
    def resolve_offers(obj: Provider) -> list[Offer]:
        return list(obj.offers.filter(status__in=PUBLIC_OFFER_STATUSES).order_by("title", "pk"))


class ProviderPage(Schema):
    total: int
    results: list[ProviderSummary]


class ProviderFilters(Schema):
    kind: list[ProviderKind] = Field([], max_length=MAX_VALUES, description="Art der Einrichtung.")
    status: list[ProviderStatus] = Field(
        [], max_length=MAX_VALUES, description="In Betrieb oder geschlossen."
    )
    school_number: str | None = Field(None, max_length=12, description="Amtliche Schulnummer.")

    def apply(self, providers: QuerySet[Provider]) -> QuerySet[Provider]:
        """Narrow ``providers`` to the chosen filters."""
        if self.kind:
            providers = providers.filter(kind__in=self.kind)
        if self.status:
            providers = providers.filter(status__in=self.status)
        if self.school_number:
            providers = providers.filter(school_number=self.school_number)
        return providers


@router.get(
    "/providers",
    response=ProviderPage,
    operation_id="listProviders",
    summary="Einrichtungen und Anbieter",
    description="Alle Einrichtungen und Anbieter nach Name, auch geschlossene (siehe status).",
)
def provider_list(
    request: HttpRequest, filters: Query[ProviderFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """All institutions and providers, closed ones included (see status)."""
    providers = filters.apply(Provider.objects.order_by("name", "pk"))
    return {"total": providers.count(), "results": window(providers, paging)}


@router.get(
    "/providers/{provider_id}",
    response={200: ProviderDetail, 404: Error},
    operation_id="getProvider",
    summary="Eine Einrichtung",
    description="Eine Einrichtung mit ihren Orten und öffentlichen Angeboten.",
)
def provider_detail(request: HttpRequest, provider_id: int) -> Provider:
    """One institution with its places and public offers."""
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise HttpError(404, str(_("Keine Einrichtung mit dieser Nummer.")))
    return provider


# --- offers --------------------------------------------------------------------


class OfferSummary(Schema):
    id: int
    title: str
    summary: str = Field(description="Kurzbeschreibung.")
    status: Coded = Field(description="Veröffentlicht oder abgesagt.")
    provider: ProviderBrief
    life_phases: list[Coded]
    topics: list[Coded]
    url: str = Field(description="Pfad der Seite im Portal.")
    is_example: bool = Field(description="Erfundene Beispieldaten.")

    @staticmethod
    def resolve_status(obj: Offer) -> Coded:
        return coded(OfferStatus, obj.status)

    @staticmethod
    def resolve_life_phases(obj: Offer) -> list[Coded]:
        return coded_list(LifePhase, obj.life_phases)

    @staticmethod
    def resolve_topics(obj: Offer) -> list[Coded]:
        return coded_list(Topic, obj.topics)

    @staticmethod
    def resolve_url(obj: Offer) -> str:
        return obj.get_absolute_url()


class DateOut(Schema):
    starts_at: datetime = Field(description="Beginn (Ortszeit der Stadt).")
    ends_at: datetime | None = Field(description="Ende (Ortszeit der Stadt).")
    recurrence: str = Field(description="Wiederholung als RRULE nach RFC 5545.")
    capacity: int | None = Field(description="Plätze.")
    note: str

    @staticmethod
    def resolve_starts_at(obj: OfferDate) -> datetime:
        return timezone.localtime(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj: OfferDate) -> datetime | None:
        return timezone.localtime(obj.ends_at) if obj.ends_at else None


class Registration(Schema):
    required: bool = Field(description="Anmeldung erforderlich.")
    url: str
    email: str
    phone: str
    note: str


class OfferDetail(OfferSummary):
    description: str
    target_groups: list[Coded]
    languages: list[Coded]
    accessibility: list[Coded]
    min_age: int | None = Field(description="Mindestalter in Jahren.")
    max_age: int | None = Field(description="Höchstalter in Jahren.")
    cost: Coded = Field(description="Kostenlos, ermäßigt möglich oder kostenpflichtig.")
    price: float | None = Field(description="Preis in Euro.")
    price_reduced: float | None = Field(description="Ermäßigter Preis in Euro.")
    cost_note: str
    registration: Registration
    place: PlaceOut | None = Field(description="Ort des Angebots, sonst der des Anbieters.")
    dates: list[DateOut]
    last_reviewed: date | None = Field(description="Zuletzt vom Anbieter geprüft.")
    source: str = Field(description="Woher die Daten stammen.")
    updated_at: datetime

    @staticmethod
    def resolve_target_groups(obj: Offer) -> list[Coded]:
        return coded_list(TargetGroup, obj.target_groups)

    @staticmethod
    def resolve_languages(obj: Offer) -> list[Coded]:
        return coded_list(Language, obj.languages)

    @staticmethod
    def resolve_accessibility(obj: Offer) -> list[Coded]:
        return coded_list(Accessibility, obj.accessibility)

    @staticmethod
    def resolve_cost(obj: Offer) -> Coded:
        return coded(Cost, obj.cost)

    @staticmethod
    def resolve_registration(obj: Offer) -> Registration:
        return Registration(
            required=obj.registration_required,
            url=obj.registration_url,
            email=obj.registration_email,
            phone=obj.registration_phone,
            note=obj.registration_note,
        )

    @staticmethod
    def resolve_place(obj: Offer) -> Place | None:
        return obj.venue

    @staticmethod
    def resolve_dates(obj: Offer) -> list[OfferDate]:
        return list(obj.dates.all())


class OfferPage(Schema):
    total: int
    results: list[OfferSummary]


class OfferFilters(Schema):
    """Filters of the offer list; several values of one filter mean 'or'."""

    provider: int | None = Field(None, description="Nummer des Anbieters.")
    life_phase: list[LifePhase] = Field([], max_length=MAX_VALUES, description="Lebensphase.")
    topic: list[Topic] = Field([], max_length=MAX_VALUES, description="Thema.")
    borough: list[str] = Field(
        [], max_length=MAX_VALUES, description="Stadtbezirk (Name, z. B. Herne-Wanne)."
    )

    def apply(self, offers: QuerySet[Offer]) -> QuerySet[Offer]:
        """Narrow ``offers`` to the chosen filters."""
        if self.provider is not None:
            offers = offers.filter(provider_id=self.provider)
        for facet in ("life_phase", "topic", "borough"):
            values = [str(value) for value in getattr(self, facet)]
            if values:
                offers = offers.filter(tagged(facet, values))
        return offers


def tagged(facet: str, values: list[str]) -> Q:
    """Offers carrying one of ``values`` in ``facet``.

    Read from the search index's facet tags: list fields in JSON cannot be
    searched inside on SQLite, and an offer's borough is its place's or else
    its provider's, which the index has already worked out.
    """
    tags = SearchTag.objects.filter(entry__kind="offer", tag__facet=facet, tag__value__in=values)
    return Q(pk__in=tags.values("entry__offer_id"))


def public_offers() -> QuerySet[Offer]:
    """Offers a citizen may see: published or cancelled."""
    return Offer.objects.filter(status__in=PUBLIC_OFFER_STATUSES)


@router.get(
    "/offers",
    response=OfferPage,
    operation_id="listOffers",
    summary="Öffentliche Angebote",
    description="Veröffentlichte und abgesagte Angebote nach Titel.",
)
def offer_list(
    request: HttpRequest, filters: Query[OfferFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Published and cancelled offers, ordered by title."""
    offers = filters.apply(public_offers()).select_related("provider").order_by("title", "pk")
    return {"total": offers.count(), "results": window(offers, paging)}


@router.get(
    "/offers/{offer_id}",
    response={200: OfferDetail, 404: Error},
    operation_id="getOffer",
    summary="Ein Angebot",
    description=(
        "Ein öffentliches Angebot mit Anbieter, Ort und Terminen. "
        "Entwürfe und archivierte Angebote gibt es nicht (404)."
    ),
)
def offer_detail(request: HttpRequest, offer_id: int) -> Offer:
    """One public offer with provider, place and dates; drafts and archived offers are 404."""
    offer = (
        public_offers()
        .select_related("provider", "place")
        .prefetch_related("dates")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise HttpError(404, str(_("Kein öffentliches Angebot mit dieser Nummer.")))
    return offer
