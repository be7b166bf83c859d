"""The public portal pages: home, results, offer, institution, map, calendar."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from lernstadt.catalog.models import Offer, OfferDate, Place, Provider
from lernstadt.catalog.taxonomy import OfferStatus, ProviderKind, ProviderStatus
from lernstadt.catalog.views import recurrence_in_words

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Catalogue:
    vhs: Provider
    school: Provider
    club: Provider
    closed_school: Provider
    german_course: Offer
    swimming: Offer
    cancelled: Offer
    draft: Offer
    archived: Offer
    hostile: Offer


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    vhs = Provider.objects.create(
        name="Volkshochschule Herne",
        kind=ProviderKind.ADULT_EDUCATION,
        phone="02323 16 2800",
        email="vhs@example.org",
        website="https://vhs.example.org/",
    )
    centre = Place.objects.create(
        provider=vhs,
        name="Kulturzentrum",
        street="Willi-Pohlmann-Platz 1",
        postcode="44623",
        city="Herne",
        borough="Herne-Mitte",
        latitude=51.5386,
        longitude=7.2195,
    )
    pool = Place.objects.create(
        name="Wananas Bad",
        street="Am Solbad 1",
        postcode="44649",
        city="Herne",
        borough="Herne-Wanne",
        latitude=51.5305,
        longitude=7.1580,
    )
    school = Provider.objects.create(
        name="Grundschule Am Bach",
        kind=ProviderKind.SCHOOL,
        school_number="123456",
        school_type="Grundschule",
        is_example=True,
    )
    Place.objects.create(
        provider=school,
        street="Bachstraße 5",
        postcode="44652",
        city="Herne",
        borough="Herne-Eickel",
        latitude=51.52,
        longitude=7.18,
    )
    club = Provider.objects.create(name="Kreativwerkstatt e. V.", kind=ProviderKind.CLUB)
    closed_school = Provider.objects.create(
        name="Alte Hauptschule",
        kind=ProviderKind.SCHOOL,
        status=ProviderStatus.CLOSED,
        closed_on=date(2020, 7, 31),
    )
    german_course = Offer.objects.create(
        provider=vhs,
        place=centre,
        title="Deutschkurs für Anfänger",
        summary="Deutsch lernen von Anfang an, in kleinen Gruppen.",
        description="Für alle, die neu in Herne sind.\nMit Kinderbetreuung.",
        life_phases=["adults"],
        topics=["language"],
        target_groups=["newcomers"],
        languages=["de", "ar"],
        accessibility=["wheelchair"],
        price=Decimal("60.00"),
        price_reduced=Decimal("30.00"),
        registration_required=True,
        registration_url="https://vhs.example.org/anmeldung",
        registration_email="anmeldung@example.org",
        registration_phone="02323 16 2801",
        last_reviewed=date(2026, 1, 15),
        source="vhs-programm",
        is_example=True,
    )
    OfferDate.objects.create(
        offer=german_course,
        starts_at=datetime(2030, 2, 4, 18, 0, tzinfo=BERLIN),
        ends_at=datetime(2030, 2, 4, 19, 30, tzinfo=BERLIN),
        recurrence="FREQ=WEEKLY;COUNT=10",
        capacity=16,
    )
    swimming = Offer.objects.create(
        provider=vhs,
        place=pool,
        title="Schwimmkurs für Kinder",
        summary="Seepferdchen in zehn Stunden.",
        life_phases=["early_childhood", "school"],
        topics=["sport"],
    )
    cancelled = Offer.objects.create(
        provider=club, title="Töpfern am Abend", status=OfferStatus.CANCELLED, topics=["culture"]
    )
    draft = Offer.objects.create(provider=vhs, title="Geheimer Entwurf", status=OfferStatus.DRAFT)
    archived = Offer.objects.create(
        provider=vhs, title="Längst vorbei", status=OfferStatus.ARCHIVED
    )
    hostile = Offer.objects.create(
        provider=club,
        title='Kurs <script>alert("titel")</script>',
        description="<script>alert('beschreibung')</script>\n<b>fett</b>",
    )
    return Catalogue(
        vhs,
        school,
        club,
        closed_school,
        german_course,
        swimming,
        cancelled,
        draft,
        archived,
        hostile,
    )


class PageAudit(HTMLParser):
    """Collects what the CSP and the accessibility rules care about."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styles_inline = 0
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []
        self.html_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.styles_inline += 1
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.event_handlers += [name for name in attributes if name.startswith("on")]


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser


def jsonld_blocks(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def search_url(**params: str) -> str:
    from urllib.parse import urlencode

    return reverse("catalog:search") + ("?" + urlencode(params, doseq=True) if params else "")


# --- home ------------------------------------------------------------------------


def test_home_shows_portal_name_search_box_and_mission(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get("/").content.decode()
    assert "Lernen! in Herne" in html
    assert 'type="search"' in html and 'name="q"' in html
    assert "Bildung ist mehr als Schule" in html
    assert "Beispiel" in html


def test_home_links_every_life_phase_to_its_search(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get("/").content.decode()
    for code in ["early_childhood", "school", "transition", "adults", "seniors", "families"]:
        assert f'href="/suche/?life_phase={code}"' in html
    assert "Frühe Kindheit" in html


def test_home_counts_entries_per_life_phase(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get("/")
    phases = {p.value: p.count for p in response.context["life_phases"]}
    # the swimming course and the primary school (an institution of the school phase)
    assert phases["school"] == 2
    # the German course and the VHS itself (an institution for adults)
    assert phases["adults"] == 2
    assert phases["families"] == 0


def test_home_links_topics_to_search(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get("/").content.decode()
    assert 'href="/suche/?topic=language"' in html
    assert "Sprachen und Deutsch lernen" in html


# --- results ---------------------------------------------------------------------


def test_search_lists_matching_offer_with_kind_and_example_badges(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(search_url(q="Deutschkurs")).content.decode()
    assert catalogue.german_course.get_absolute_url() in html
    assert "Deutschkurs für Anfänger" in html
    assert "Nur 1 Eintrag enthält alle Suchwörter." in html
    assert 'class="badge badge--offer">Angebot<' in html
    assert 'class="badge badge--example">Beispiel<' in html


def _hit_html(html: str, title: str) -> str:
    """The <article> of the hit with this title on a results page."""
    for article in re.findall(r"<article class=\"hit.*?</article>", html, re.S):
        if f">{title}</a>" in article:
            return article
    raise AssertionError(f"no hit titled {title!r}")


def test_a_hit_shows_its_summary_borough_and_badges(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(search_url(q="Schwimmkurs")).content.decode()
    swimming = _hit_html(html, "Schwimmkurs für Kinder")
    assert "Seepferdchen in zehn Stunden." in swimming
    assert "Herne-Wanne" in swimming
    assert 'class="badge badge--free">kostenlos<' in swimming
    assert "badge--example" not in swimming
    german = _hit_html(
        citizen.get(search_url(q="Deutschkurs")).content.decode(), "Deutschkurs für Anfänger"
    )
    assert "badge--free" not in german
    assert 'class="badge badge--example">Beispiel<' in german


def test_a_hit_shows_the_day_of_its_next_date_in_the_citys_time_zone(
    citizen: Client, catalogue: Catalogue
) -> None:
    # Half past midnight in Herne is still the day before in UTC.
    OfferDate.objects.create(
        offer=catalogue.swimming, starts_at=datetime(2030, 3, 1, 0, 30, tzinfo=BERLIN)
    )
    html = citizen.get(search_url(q="Schwimmkurs")).content.decode()
    swimming = _hit_html(html, "Schwimmkurs für Kinder")
    assert 'Nächster Termin: <time datetime="2030-03-01">1. März 2030</time>' in swimming


def test_a_hit_follows_its_provider_into_example_data(
    citizen: Client, catalogue: Catalogue
) -> None:
    catalogue.vhs.is_example = True
    catalogue.vhs.save()
    html = citizen.get(search_url(q="Schwimmkurs")).content.decode()
    assert 'class="badge badge--example">Beispiel<' in _hit_html(html, "Schwimmkurs für Kinder")


def test_search_page_reads_its_hits_from_the_index_alone(
    citizen: Client, catalogue: Catalogue
) -> None:
    with CaptureQueriesContext(connection) as queries:
        citizen.get(search_url(q="Kurs"))
    tables = {"catalog_offer", "catalog_provider", "catalog_place"}
    read = [
        q["sql"] for q in queries if set(re.findall(r"\b\w+\b", q["sql"].replace('"', ""))) & tables
    ]
    assert read == []


def test_search_marks_institutions_and_cancelled_offers(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(search_url()).content.decode()
    assert 'class="badge badge--institution">Einrichtung<' in html
    assert "Grundschule Am Bach" in html
    assert 'class="badge badge--cancelled">abgesagt<' in html


def test_search_hides_drafts_archived_offers_and_closed_institutions(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(search_url()).content.decode()
    assert "Geheimer Entwurf" not in html
    assert "Längst vorbei" not in html
    assert "Alte Hauptschule" not in html


def test_search_facet_narrows_results(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(search_url(life_phase="early_childhood"))
    titles = [hit.title for hit in response.context["hits"]]
    assert titles == ["Schwimmkurs für Kinder"]
    html = response.content.decode()
    assert re.search(r'name="life_phase" value="early_childhood"\s+checked', html)


def test_search_combines_facets_of_different_kinds(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(search_url(kind="offer", borough="Herne-Mitte"))
    assert [hit.title for hit in response.context["hits"]] == ["Deutschkurs für Anfänger"]


def test_search_shows_facets_as_fieldsets_with_counts(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(search_url()).content.decode()
    assert '<form class="search-layout" action="/suche/" method="get">' in html
    assert '<legend class="facet__legend">Lebensphase</legend>' in html
    assert '<legend class="facet__legend">Stadtbezirk</legend>' in html
    assert 'name="borough" value="Herne-Wanne"' in html
    assert "<details" in html and "<summary" in html


def test_search_offers_a_link_to_remove_an_active_filter(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(search_url(q="kurs", topic="sport")).content.decode()
    assert 'href="/suche/?q=kurs"' in html


def test_search_sorts_by_title(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(search_url(kind="offer", sort="title"))
    titles = [hit.title for hit in response.context["hits"]]
    assert titles == sorted(titles, key=str.casefold)
    assert len(titles) == 4


def test_search_ignores_an_unknown_sort(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(search_url(sort="drop table"))
    assert response.status_code == 200
    assert response.context["result"].sort == "relevance"


@pytest.fixture
def many_offers(catalogue: Catalogue) -> None:
    for number in range(1, 26):
        Offer.objects.create(provider=catalogue.vhs, title=f"Lesekreis {number:02d}")


def test_search_pages_through_many_results(citizen: Client, many_offers: None) -> None:
    first = citizen.get(search_url(q="Lesekreis", sort="title"))
    assert first.context["result"].total == 25
    assert len(first.context["hits"]) == 20
    assert 'href="/suche/?q=Lesekreis&amp;sort=title&amp;page=2"' in first.content.decode()
    second = citizen.get(search_url(q="Lesekreis", sort="title", page="2"))
    assert [hit.title for hit in second.context["hits"]][0] == "Lesekreis 21"
    assert 'aria-current="page"' in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "-3", "0", "999999", "1e9", "99999999999999999999999", ""])
def test_search_survives_invalid_page_numbers(
    citizen: Client, many_offers: None, page: str
) -> None:
    response = citizen.get(search_url(q="Lesekreis", page=page))
    assert response.status_code == 200
    assert response.context["result"].page.number in {1, 2}


def test_search_page_queries_do_not_grow_with_the_hits(
    citizen: Client, many_offers: None, django_assert_max_num_queries: Any
) -> None:
    # 20 hits on the page; one query per hit would be well above this bound.
    with django_assert_max_num_queries(25):
        citizen.get(search_url(q="Lesekreis"))


def test_search_without_hits_offers_help(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(search_url(q="Quantenchromodynamik")).content.decode()
    assert "0 Treffer" in html
    assert "Leider nichts gefunden." in html


def test_search_links_to_the_map_of_the_same_query(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(search_url(q="Deutschkurs", topic="language")).content.decode()
    assert 'href="/karte/?q=Deutschkurs&amp;topic=language"' in html


def test_search_escapes_the_query(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(search_url(q="<img src=x onerror=alert(1)>")).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- offer page ------------------------------------------------------------------------


def test_offer_page_shows_all_details(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(catalogue.german_course.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Deutschkurs für Anfänger",
        "Deutsch lernen von Anfang an",
        catalogue.vhs.get_absolute_url(),
        "Willi-Pohlmann-Platz 1",
        "44623 Herne",
        "Herne-Mitte",
        "Montag, 4. Februar 2030, 18:00",
        "19:30",
        "wöchentlich, 10 Termine",
        "16 Plätze",
        "60,00 €",
        "ermäßigt 30,00 €",
        "Deutsch, Arabisch",
        "Rollstuhlgerecht",
        "Neu Zugewanderte",
        'href="/suche/?life_phase=adults"',
        "Anmeldung erforderlich",
        'href="https://vhs.example.org/anmeldung"',
        'href="mailto:anmeldung@example.org"',
        'href="tel:02323162801"',
        "15. Januar 2026",
        "vhs-programm",
        "Zum Kalender hinzufügen",
    ]:
        assert text in html, text


def test_free_offer_says_so(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.swimming.get_absolute_url()).content.decode()
    assert "Kostenlos" in html
    assert "Zum Kalender hinzufügen" not in html


def test_offer_description_keeps_line_breaks(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.german_course.get_absolute_url()).content.decode()
    assert "neu in Herne sind.<br>Mit Kinderbetreuung." in html


def test_markup_in_offer_data_is_escaped(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.hostile.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<b>fett</b>" not in html
    assert (
        "&lt;script&gt;alert(&#x27;beschreibung&#x27;)&lt;/script&gt;<br>&lt;b&gt;fett&lt;/b&gt;"
        in html
    )


def test_markup_in_titles_is_escaped_in_results(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(search_url(q="Kurs")).content.decode()
    assert '<script>alert("titel")' not in html
    assert "&lt;script&gt;alert(&quot;titel&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("status", [OfferStatus.DRAFT, OfferStatus.ARCHIVED])
def test_hidden_offers_are_not_found(citizen: Client, catalogue: Catalogue, status: str) -> None:
    offer = catalogue.draft if status == OfferStatus.DRAFT else catalogue.archived
    assert citizen.get(offer.get_absolute_url()).status_code == 404
    assert citizen.get(reverse("catalog:offer_ics", args=[offer.pk, "x"])).status_code == 404


def test_unknown_offer_and_institution_are_not_found(citizen: Client, db: None) -> None:
    assert citizen.get("/angebote/999999/nichts/").status_code == 404
    assert citizen.get("/einrichtungen/999999/nichts/").status_code == 404


def test_not_found_page_helps_to_search_on(citizen: Client, db: None) -> None:
    response = citizen.get("/angebote/999999/nichts/")
    html = response.content.decode()
    assert "Diese Seite gibt es nicht (mehr)." in html
    assert 'action="/suche/"' in html


def test_cancelled_offer_shows_a_clear_notice(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(catalogue.cancelled.get_absolute_url())
    assert response.status_code == 200
    assert "Dieses Angebot ist abgesagt." in response.content.decode()


def test_wrong_slug_redirects_permanently_to_the_canonical_offer_url(
    citizen: Client, catalogue: Catalogue
) -> None:
    response = citizen.get(f"/angebote/{catalogue.german_course.pk}/alter-titel/")
    assert response.status_code == 301
    assert response["Location"] == catalogue.german_course.get_absolute_url()
    assert (
        response["Location"] == f"/angebote/{catalogue.german_course.pk}/deutschkurs-fur-anfanger/"
    )


def test_offer_calendar_downloads_as_icalendar(citizen: Client, catalogue: Catalogue) -> None:
    url = reverse(
        "catalog:offer_ics", args=[catalogue.german_course.pk, "deutschkurs-fur-anfanger"]
    )
    response = citizen.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="deutschkurs-fur-anfanger.ics"' in response["Content-Disposition"]
    assert response.content.startswith(b"BEGIN:VCALENDAR")


def test_offer_page_embeds_parseable_jsonld(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.german_course.get_absolute_url()).content.decode()
    blocks = jsonld_blocks(html)
    assert len(blocks) == 1
    assert blocks[0]["name"] == "Deutschkurs für Anfänger"


def test_jsonld_cannot_close_its_script_element(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.hostile.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert '<script>alert("titel")</script>' in json.loads(block.group(1))["name"]


# --- institution page ---------------------------------------------------------------------


def test_provider_page_shows_contact_places_and_public_offers(
    citizen: Client, catalogue: Catalogue
) -> None:
    html = citizen.get(catalogue.vhs.get_absolute_url()).content.decode()
    for text in [
        "Volkshochschule Herne",
        "Volkshochschule und Weiterbildung",
        'href="tel:02323162800"',
        'href="mailto:vhs@example.org"',
        'href="https://vhs.example.org/"',
        "Willi-Pohlmann-Platz 1",
        catalogue.german_course.get_absolute_url(),
        catalogue.swimming.get_absolute_url(),
    ]:
        assert text in html, text
    assert "Geheimer Entwurf" not in html
    assert "Längst vorbei" not in html


def test_provider_page_marks_cancelled_offers(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.club.get_absolute_url()).content.decode()
    assert catalogue.cancelled.get_absolute_url() in html
    assert 'class="badge badge--cancelled">abgesagt<' in html


def test_school_page_shows_school_type_and_number(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get(catalogue.school.get_absolute_url()).content.decode()
    assert "Grundschule" in html
    assert "123456" in html
    assert "Herne-Eickel" in html
    assert 'class="badge badge--example">Beispiel<' in html


def test_closed_institution_says_since_when(citizen: Client, catalogue: Catalogue) -> None:
    response = citizen.get(catalogue.closed_school.get_absolute_url())
    assert response.status_code == 200
    assert "geschlossen seit 31. Juli 2020" in response.content.decode()


def test_wrong_slug_redirects_permanently_to_the_canonical_provider_url(
    citizen: Client, catalogue: Catalogue
) -> None:
    response = citizen.get(f"/einrichtungen/{catalogue.vhs.pk}/vhs/")
    assert response.status_code == 301
    assert response["Location"] == catalogue.vhs.get_absolute_url()


# --- map ------------------------------------------------------------------------------------


def test_map_passes_results_with_coordinates_as_json_data(
    citizen: Client, catalogue: Catalogue
) -> None:
    response = citizen.get(reverse("catalog:map") + "?kind=offer")
    html = response.content.decode()
    data = re.search(r'<script id="map-markers" type="application/json">(.*?)</script>', html, re.S)
    assert data is not None
    markers = json.loads(data.group(1))
    titles = {marker["title"] for marker in markers}
    assert titles == {"Deutschkurs für Anfänger", "Schwimmkurs für Kinder"}
    assert all(marker["url"].startswith("/angebote/") for marker in markers)
    # the list stays on the page, including hits without coordinates
    assert "Töpfern am Abend" not in titles
    assert "Töpfern am Abend" in html


def test_map_centres_on_the_city_and_uses_the_vendored_leaflet(citizen: Client, db: None) -> None:
    html = citizen.get(reverse("catalog:map")).content.decode()
    assert 'data-lat="51.538600"' in html and 'data-zoom="12"' in html
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in html
    assert '<script src="/static/js/map.js" defer></script>' in html


def test_map_without_tile_server_loads_no_tiles_and_says_so(citizen: Client, db: None) -> None:
    html = citizen.get(reverse("catalog:map")).content.decode()
    assert 'data-tile-url=""' in html
    assert "kein Kartenhintergrund eingerichtet" in html


@override_settings(LERNSTADT_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_map_uses_the_configured_tile_server(citizen: Client, db: None) -> None:
    html = citizen.get(reverse("catalog:map")).content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "kein Kartenhintergrund eingerichtet" not in html


# --- language, security headers, markup rules -----------------------------------------------


def test_pages_speak_english_with_the_language_cookie(
    citizen: Client, catalogue: Catalogue
) -> None:
    citizen.cookies["django_language"] = "en"
    home = citizen.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in home
    assert "Early childhood" in home
    assert "Search" in home
    results = citizen.get(search_url(q="Deutschkurs")).content.decode()
    assert "Only 1 entry contains all search words." in results
    assert "Life phase" in results
    offer = citizen.get(catalogue.german_course.get_absolute_url()).content.decode()
    assert "Add to calendar" in offer
    assert "weekly, 10 dates" in offer
    assert "Wheelchair accessible" in offer


def test_pages_speak_english_to_an_english_browser(citizen: Client, catalogue: Catalogue) -> None:
    html = citizen.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert '<html lang="en"' in html
    assert "Families" in html


def test_german_is_the_default_language(citizen: Client, db: None) -> None:
    html = citizen.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="de" dir="ltr">' in html
    assert "Frühe Kindheit" in html


def test_language_switch_remembers_english(citizen: Client, db: None) -> None:
    response = citizen.post(reverse("set_language"), {"language": "en", "next": "/suche/"})
    assert response.status_code == 302
    assert response["Location"] == "/suche/"
    assert "Filter results" in citizen.get("/suche/").content.decode()


def test_language_switch_is_a_post_form_with_csrf_token(citizen: Client, db: None) -> None:
    html = citizen.get("/").content.decode()
    assert '<form class="language-switch" action="/i18n/setlang/" method="post">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="language" value="en"' in html


def page_urls(catalogue: Catalogue) -> list[str]:
    return [
        "/",
        search_url(q="kurs"),
        search_url(),
        reverse("catalog:map"),
        catalogue.german_course.get_absolute_url(),
        catalogue.hostile.get_absolute_url(),
        catalogue.vhs.get_absolute_url(),
        catalogue.closed_school.get_absolute_url(),
    ]


def test_pages_send_a_strict_content_security_policy(citizen: Client, catalogue: Catalogue) -> None:
    for url in page_urls(catalogue):
        policy = citizen.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url


def test_pages_have_no_inline_script_or_style(citizen: Client, catalogue: Catalogue) -> None:
    data_blocks = {"application/json", "application/ld+json"}
    for url in page_urls(catalogue):
        found = audit(citizen.get(url).content.decode())
        inline = [s for s in found.scripts if not s.get("src") and s.get("type") not in data_blocks]
        assert inline == [], url
        assert found.styles_inline == 0, url
        assert found.style_attributes == [], url
        assert found.event_handlers == [], url


def test_pages_have_skip_link_landmarks_and_language(citizen: Client, catalogue: Catalogue) -> None:
    for url in page_urls(catalogue):
        html = citizen.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in html, url
        assert '<main id="main" tabindex="-1">' in html, url
        assert audit(html).html_attrs == {"lang": "de", "dir": "ltr"}, url
        assert html.count("<h1") == 1, url


def test_portal_stylesheet_and_scripts_are_served(citizen: Client, db: None) -> None:
    for path in ["/static/css/portal.css", "/static/js/map.js", "/static/js/filters.js"]:
        response = citizen.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_footer_links_open_data_and_names_the_operator(citizen: Client, db: None) -> None:
    html = citizen.get("/").content.decode()
    assert 'href="/api/v1/openapi.json"' in html
    assert 'href="/api/v1/docs"' in html
    assert "Stadt Herne, Bildungsbüro" in html


# --- recurrence in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;COUNT=10", "wöchentlich, 10 Termine"),
        ("FREQ=DAILY", "täglich"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "alle 2 Wochen am Montag und Mittwoch"),
        ("FREQ=MONTHLY;UNTIL=20270630T000000Z", "monatlich, bis 30. Juni 2027"),
        ("FREQ=WEEKLY;COUNT=1", "wöchentlich, 1 Termin"),
    ],
)
def test_simple_recurrence_reads_as_words(rule: str, words: str) -> None:
    assert recurrence_in_words(rule) == words


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;BYSETPOS=-1", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=1MO", "Unsinn", ""]
)
def test_other_recurrence_is_not_put_into_words(rule: str) -> None:
    assert recurrence_in_words(rule) == ""
