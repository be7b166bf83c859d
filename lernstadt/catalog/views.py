"""The public portal: home, search results, map, offer and institution pages.

Every page works without JavaScript; the map is the one place that needs it,
and even there the list of results stays on the page.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.paginator import Page
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from lernstadt.catalog import access
from lernstadt.catalog.formats.ical import offer_calendar as offer_ics
from lernstadt.catalog.formats.jsonld import offer_jsonld
from lernstadt.catalog.models import Offer, OfferDate, SearchEntry
from lernstadt.catalog.search import (
    FACETS,
    SORTS,
    FacetValue,
    SearchResult,
    record_unmet,
    search_offers,
    suggest,
)
from lernstadt.catalog.taxonomy import (
    Cost,
    LifePhase,
    OfferStatus,
    ProviderStatus,
    Topic,
    label,
)
from lernstadt.lib.links import link, query_url

PER_PAGE = 20
ALTERNATIVES = 5  # hits of a nearby search shown when nothing was found
# The map shows this many results at most; a city's catalogue rarely has more
# hits with coordinates for one query, and the browser stays quick.
MAP_LIMIT = 500
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 30

FACET_LEGENDS = {
    "kind": _("Art des Eintrags"),
    "life_phase": _("Lebensphase"),
    "topic": _("Thema"),
    "borough": _("Stadtbezirk"),
    "cost": _("Kosten"),
    "language": _("Sprache"),
    "accessibility": _("Barrierefreiheit"),
    "provider_kind": _("Art der Einrichtung"),
}
KIND_LABELS = {"offer": _("Angebote"), "institution": _("Einrichtungen")}
SORT_LABELS = {
    "relevance": _("Relevanz"),
    "title": _("Titel (A–Z)"),
    "date": _("Nächster Termin"),
}


# --- search parameters and links -------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    query: str
    selected: dict[str, list[str]]
    sort: str
    page: int


def _page_number(raw: str | None) -> int:
    """The requested page; anything that is not a positive number means page 1."""
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def _search_params(request: HttpRequest) -> SearchParams:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    selected = {}
    for facet in FACETS:
        values = [v for v in request.GET.getlist(facet) if v][:MAX_VALUES_PER_FACET]
        if values:
            selected[facet] = values
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    return SearchParams(query, selected, sort, _page_number(request.GET.get("page")))


def _url_without_value(path: str, params: QueryDict, facet: str, value: str) -> str:
    """``path`` with ``params`` less one facet value, back on the first page."""
    query = params.copy()
    query.setlist(facet, [v for v in query.getlist(facet) if v != value])
    query.pop("page", None)
    return link(path, query)


def _value_label(facet: str, value: str) -> str:
    if facet == "kind":
        return str(KIND_LABELS.get(value, value))
    vocabulary = FACETS.get(facet)
    return label(vocabulary, value) if vocabulary is not None else value


@dataclass(frozen=True)
class ActiveFilter:
    legend: str
    label: str
    remove_url: str


def _active_filters(request: HttpRequest, params: SearchParams) -> list[ActiveFilter]:
    return [
        ActiveFilter(
            str(FACET_LEGENDS[facet]),
            _value_label(facet, value),
            _url_without_value(request.path, request.GET, facet, value),
        )
        for facet, values in params.selected.items()
        for value in values
    ]


@dataclass(frozen=True)
class FacetGroup:
    name: str
    legend: str
    values: list[FacetValue]


def _facet_groups(result: SearchResult) -> list[FacetGroup]:
    return [
        FacetGroup(name, str(FACET_LEGENDS[name]), values)
        for name, values in result.facets.items()
        if values
    ]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None marks a gap ("…")
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    links: list[PageLink]
    previous_url: str = ""
    next_url: str = ""


def _pagination(request: HttpRequest, page: Page[Any]) -> Pagination:
    """Links to the first, last and nearby pages, with gaps between them."""

    def url(number: int) -> str:
        return query_url(request.path, request.GET, page=str(number))

    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(page.number - 2, page.number + 3)} & set(range(1, last + 1)))
    links: list[PageLink] = []
    for number in wanted:
        if links and links[-1].number is not None and number - links[-1].number > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, url(number), number == page.number))
    return Pagination(
        links,
        url(page.number - 1) if page.has_previous() else "",
        url(page.number + 1) if page.has_next() else "",
    )


# --- recurrence and dates ------------------------------------------------------------

RHYTHMS = {
    "DAILY": _("täglich"),
    "WEEKLY": _("wöchentlich"),
    "MONTHLY": _("monatlich"),
    "YEARLY": _("jährlich"),
}
WEEKDAYS = {
    "MO": _("Montag"),
    "TU": _("Dienstag"),
    "WE": _("Mittwoch"),
    "TH": _("Donnerstag"),
    "FR": _("Freitag"),
    "SA": _("Samstag"),
    "SU": _("Sonntag"),
}


def _rule_parts(rule: str) -> dict[str, str]:
    parts = {}
    for part in rule.strip().upper().removeprefix("RRULE:").split(";"):
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise ValueError(part)
        parts[key] = value
    return parts


def _rhythm(frequency: str, interval: int) -> str:
    if interval < 1:
        raise ValueError(interval)
    if interval == 1:
        return str(RHYTHMS[frequency])
    many = {
        "DAILY": ngettext("alle %(n)s Tage", "alle %(n)s Tage", interval),
        "WEEKLY": ngettext("alle %(n)s Wochen", "alle %(n)s Wochen", interval),
        "MONTHLY": ngettext("alle %(n)s Monate", "alle %(n)s Monate", interval),
        "YEARLY": ngettext("alle %(n)s Jahre", "alle %(n)s Jahre", interval),
    }
    return many[frequency] % {"n": interval}


def _and_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("%(first)s und %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def recurrence_in_words(rule: str) -> str:
    """A simple RRULE in words ("wöchentlich am Montag, 10 Termine"); '' if not simple.

    Only FREQ, INTERVAL, BYDAY (plain weekdays), COUNT and UNTIL are put into
    words; anything richer is shown as the rule itself.
    """
    try:
        parts = _rule_parts(rule)
        frequency = parts.pop("FREQ")
        words = [_rhythm(frequency, int(parts.pop("INTERVAL", "1")))]
        if "BYDAY" in parts:
            days = [str(WEEKDAYS[day]) for day in parts.pop("BYDAY").split(",")]
            words[0] = gettext("%(rhythm)s am %(days)s") % {
                "rhythm": words[0],
                "days": _and_list(days),
            }
        if "COUNT" in parts:
            count = int(parts.pop("COUNT"))
            words.append(ngettext("%(n)s Termin", "%(n)s Termine", count) % {"n": count})
        if "UNTIL" in parts:
            until = datetime.strptime(parts.pop("UNTIL")[:8], "%Y%m%d").date()
            words.append(gettext("bis %(date)s") % {"date": date_format(until, "DATE_FORMAT")})
    except (KeyError, ValueError):
        return ""
    return "" if parts else ", ".join(words)


@dataclass(frozen=True)
class DateView:
    """One date of an offer as the page shows it."""

    starts_at: datetime
    ends_at: datetime | None
    same_day: bool
    has_time: bool
    recurrence_words: str
    recurrence: str
    capacity: int | None
    note: str
    is_past: bool


def _date_view(offer_date: OfferDate, now: datetime) -> DateView:
    start = timezone.localtime(offer_date.starts_at)
    end = timezone.localtime(offer_date.ends_at) if offer_date.ends_at else None
    last_moment = end or start
    return DateView(
        starts_at=start,
        ends_at=end,
        same_day=end is None or end.date() == start.date(),
        # A date imported without a time starts at midnight: show the day only.
        has_time=(start.hour, start.minute) != (0, 0) or end is not None,
        recurrence_words=recurrence_in_words(offer_date.recurrence)
        if offer_date.recurrence
        else "",
        recurrence=offer_date.recurrence,
        capacity=offer_date.capacity,
        note=offer_date.note,
        is_past=not offer_date.recurrence and last_moment < now,
    )


# --- JSON-LD -----------------------------------------------------------------------

# The escapes of Django's json_script: data can never close the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """A JSON-LD data block; browsers never execute it, so the CSP allows it."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Safe: after the escapes the text holds no "<", ">" or "&" at all.
    escaped = mark_safe(encoded.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308
    return format_html('<script type="application/ld+json">{}</script>', escaped)


# --- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryPoint:
    value: str
    label: str
    count: int
    url: str


def _entry_points(facet: str, vocabulary: Any, values: list[FacetValue]) -> list[EntryPoint]:
    counts = {v.value: v.count for v in values}
    base = reverse("catalog:search")
    return [
        EntryPoint(code, str(name), counts.get(code, 0), f"{base}?{facet}={code}")
        for code, name in vocabulary.choices
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    overview = search_offers(per_page=1)
    context = {
        "life_phases": _entry_points("life_phase", LifePhase, overview.facets["life_phase"]),
        "topics": _entry_points("topic", Topic, overview.facets["topic"]),
        "total": overview.total,
        "total_estimated": overview.total_estimated,
    }
    return render(request, "catalog/home.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = _search_params(request)
    result = search_offers(params.query, params.selected, params.sort, params.page, PER_PAGE)
    if result.total == 0 and params.query and not params.selected:
        record_unmet(params.query)
    context = {
        "params": params,
        "result": result,
        "browsable": result.page.paginator.count,  # less than the total when estimated
        "hits": list(result.page),
        "facet_groups": _facet_groups(result),
        "active_filters": _active_filters(request, params),
        "pagination": _pagination(request, result.page),
        "sort_options": [(key, str(name)) for key, name in SORT_LABELS.items()],
        "map_url": query_url(reverse("catalog:map"), request.GET, page=None),
        "clear_url": query_url(request.path, QueryDict(), q=params.query or None),
        "suggestion_url": query_url(request.path, QueryDict(), q=result.suggestion or None),
        "alternatives": _alternatives(request, params, result),
    }
    return render(request, "catalog/search.html", context)


@dataclass
class Alternatives:
    """What a search that found nothing shows instead: the first hits of a nearby
    search, and the link to all of them."""

    title: str
    hits: list[SearchEntry]
    total: int
    estimated: bool  # the total is estimated from a sample (see search_offers)
    url: str


def _alternatives(
    request: HttpRequest, params: SearchParams, result: SearchResult
) -> Alternatives | None:
    """Nothing found: the hits of the words nearest to those typed (the "did you
    mean"), with the chosen filters; else, when filters were chosen, the hits of the
    words without them."""
    if result.total or not params.query:
        return None
    if result.suggestion:
        nearby = search_offers(
            result.suggestion, params.selected, per_page=ALTERNATIVES, with_facets=False
        )
        title = gettext("Treffer für „%(words)s“") % {"words": result.suggestion}
        url = query_url(request.path, request.GET, q=result.suggestion, page=None)
    elif params.selected:
        nearby = search_offers(params.query, per_page=ALTERNATIVES, with_facets=False)
        title = gettext("Treffer ohne die gewählten Filter")
        url = query_url(request.path, QueryDict(), q=params.query)
    else:
        return None
    if not nearby.total:
        return None
    return Alternatives(title, list(nearby.page), nearby.total, nearby.total_estimated, url)


@require_safe
def suggestions(request: HttpRequest) -> HttpResponse:
    """Completions of the search box as <option>s for its <datalist> (fetched by htmx)."""
    typed = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    return render(request, "catalog/_suggestions.html", {"suggestions": suggest(typed)})


def _marker(hit: SearchEntry) -> dict[str, Any]:
    return {
        "lat": hit.latitude,
        "lng": hit.longitude,
        "title": hit.title,
        "subtitle": hit.subtitle,
        "kind": hit.kind_label,
        "url": hit.url,
    }


@require_safe
def map_view(request: HttpRequest) -> HttpResponse:
    params = _search_params(request)
    result = search_offers(
        params.query, params.selected, params.sort, params.page, MAP_LIMIT, with_facets=False
    )
    hits = list(result.page)
    markers = [_marker(hit) for hit in hits if hit.has_coordinates]
    context = {
        "params": params,
        "result": result,
        "hits": hits,
        "markers": markers,
        "pagination": _pagination(request, result.page),
        "list_url": query_url(reverse("catalog:search"), request.GET, page=None),
        "tile_url": settings.LERNSTADT_TILE_URL,
        "tile_attribution": settings.LERNSTADT_TILE_ATTRIBUTION,
    }
    return render(request, "catalog/map.html", context)


def _site_url(request: HttpRequest) -> str:
    """Scheme and host of this site, so exported links work outside the page."""
    return request.build_absolute_uri("/").rstrip("/")


def _price_facts(offer: Offer) -> dict[str, Any]:
    return {
        "is_free": offer.cost == Cost.FREE,
        "price": offer.price,
        "price_reduced": offer.price_reduced,
        "note": offer.cost_note,
    }


@require_safe
def offer_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    offer = access.public_offer(pk)
    if request.path != offer.get_absolute_url():
        return redirect(offer.get_absolute_url(), permanent=True)
    now = timezone.now()
    context = {
        "offer": offer,
        "place": offer.venue,
        "dates": [_date_view(d, now) for d in offer.dates.all()],
        "costs": _price_facts(offer),
        "is_cancelled": offer.status == OfferStatus.CANCELLED,
        "provider_closed": offer.provider.status == ProviderStatus.CLOSED,
        "life_phases": _linked_codes("life_phase", LifePhase, offer.life_phases),
        "topics": _linked_codes("topic", Topic, offer.topics),
        "target_groups": offer.labelled("target_groups"),
        "languages": offer.labelled("languages"),
        "accessibility": offer.labelled("accessibility"),
        "calendar_url": reverse("catalog:offer_ics", args=[offer.pk, slug]),
        "jsonld": jsonld_script(offer_jsonld(offer, _site_url(request))),
    }
    return render(request, "catalog/offer_detail.html", context)


def _linked_codes(facet: str, vocabulary: Any, codes: list[str]) -> list[EntryPoint]:
    base = reverse("catalog:search")
    return [
        EntryPoint(code, label(vocabulary, code), 0, f"{base}?{facet}={code}") for code in codes
    ]


@require_safe
def offer_calendar(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    offer = access.public_offer(pk)
    calendar = offer_ics(offer, _site_url(request))
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    filename = slugify(offer.title) or "angebot"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


@require_safe
def provider_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    provider = access.public_provider(pk)
    if request.path != provider.get_absolute_url():
        return redirect(provider.get_absolute_url(), permanent=True)
    offers = (
        access.public_offers().filter(provider=provider).select_related("place").order_by("title")
    )
    context = {
        "provider": provider,
        "places": provider.places.order_by("pk"),
        "offers": offers,
        "is_closed": provider.status == ProviderStatus.CLOSED,
    }
    return render(request, "catalog/provider_detail.html", context)
