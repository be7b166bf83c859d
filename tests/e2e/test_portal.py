"""The portal in a real browser: accessibility (axe-core, WCAG 2.1 AA), keyboard use,
CSP, no third-party requests, the map, and screenshots to judge the design."""

from collections.abc import Callable
from typing import Any

import pytest

# The fixtures' types (Visit, PortalData) live in conftest.py, which is not
# imported by name; Any keeps the annotations honest without it.
Visit = Any
PortalData = Any

pytestmark = pytest.mark.e2e

RESULTS_WITH_FACETS = "/suche/?q=Herne&life_phase=adults&kind=offer"


def portal_pages(data: PortalData) -> dict[str, str]:
    return {
        "home": "/",
        "results": RESULTS_WITH_FACETS,
        "offer": data.offer_url,
        "provider": data.provider_url,
        "map": "/karte/",
    }


def wait_for_map(visit: Visit) -> None:
    visit.page.wait_for_selector(".leaflet-marker-icon")


@pytest.mark.parametrize(
    ("language", "viewport"), [("de", "phone"), ("de", "desktop"), ("en", "desktop")]
)
@pytest.mark.parametrize("page_name", ["home", "results", "offer", "provider", "map"])
def test_page_has_no_wcag_violations(
    open_portal: Callable[..., Visit],
    portal_data: PortalData,
    page_name: str,
    language: str,
    viewport: str,
) -> None:
    visit = open_portal(language, viewport)
    page = visit.open(portal_pages(portal_data)[page_name])
    assert page.locator("html").get_attribute("lang") == language
    if page_name == "map":
        wait_for_map(visit)
    if page_name == "results":
        assert page.locator(".hit").count() > 0
        assert page.locator("input[name=life_phase]:checked").count() == 1
    visit.assert_accessible()


@pytest.mark.parametrize(("language", "about"), [("de", "etwa "), ("en", "about ")])
def test_results_with_an_estimated_total_have_no_wcag_violations(
    open_portal: Callable[..., Visit],
    portal_data: PortalData,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    about: str,
) -> None:
    from lernstadt.catalog import search

    # The demo is small: a sample of every second entry, estimating from three in it.
    monkeypatch.setattr(search, "SAMPLE_SHARE", 2)
    monkeypatch.setattr(search, "ESTIMATE_FROM", 3)
    visit = open_portal(language, "desktop")
    page = visit.open("/suche/?q=Herne")
    assert page.locator("#results-count").inner_text().startswith(about)
    assert page.locator(".notice--info").count() >= 1
    visit.assert_accessible()


def test_opened_filters_on_a_phone_have_no_wcag_violations(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "phone")
    page = visit.open(RESULTS_WITH_FACETS)
    page.locator("summary.filters__toggle").click()
    assert page.locator("details.filters").evaluate("d => d.open")
    visit.assert_accessible()


def test_open_map_popup_has_no_wcag_violations(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "desktop")
    visit.open("/karte/")
    wait_for_map(visit)
    visit.page.locator(".leaflet-marker-icon").first.click()
    visit.page.wait_for_selector(".leaflet-popup a")
    visit.assert_accessible()


def test_keyboard_alone_reaches_search_results_and_an_offer(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "desktop")
    page = visit.open("/")
    keyboard = page.keyboard

    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "home-q"

    keyboard.type("Deutschkurs")
    with page.expect_navigation():
        keyboard.press("Enter")
    assert "/suche/?q=Deutschkurs" in page.url

    for _ in range(80):
        keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.hit__title a')"):
            break
    else:
        pytest.fail("Tab never reached the first result")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    with page.expect_navigation():
        keyboard.press("Enter")
    assert page.url.endswith(portal_data.offer_url)
    assert page.locator("h1").inner_text() == portal_data.offer_title


def test_map_markers_are_reachable_by_keyboard_and_link_to_entries(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "desktop")
    page = visit.open("/karte/")
    wait_for_map(visit)
    markers = page.locator(".leaflet-marker-icon")
    # three places: the VHS centre, the club's hall and the school
    assert markers.count() == 3
    assert markers.first.get_attribute("tabindex") == "0"
    markers.first.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup a.map-popup__title").first
    link.wait_for()
    href = link.get_attribute("href") or ""
    assert href.startswith(("/angebote/", "/einrichtungen/"))
    # the list stays on the page beside the map
    assert page.locator(".hit").count() >= 3


def test_map_without_tile_server_asks_no_one_for_tiles(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "desktop")
    visit.open("/karte/")
    wait_for_map(visit)
    assert visit.page.locator(".leaflet-tile").count() == 0
    visit.assert_clean()


def test_no_page_breaks_the_content_security_policy(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("de", "desktop")
    for name, path in portal_pages(portal_data).items():
        visit.open(path)
        if name == "map":
            wait_for_map(visit)
    assert visit.csp_reports == []
    assert visit.console_errors == []


def test_no_request_leaves_the_live_server(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal("en", "phone")
    for name, path in portal_pages(portal_data).items():
        visit.open(path)
        if name == "map":
            wait_for_map(visit)
    assert visit.foreign_requests == []


def test_filters_fold_on_a_phone_and_open_on_a_desktop(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    phone = open_portal("de", "phone").open(RESULTS_WITH_FACETS)
    assert phone.locator("input[name=topic]").count() > 0
    assert not phone.locator("details.filters").evaluate("d => d.open")
    assert not phone.locator("input[name=topic]").first.is_visible()
    desktop = open_portal("de", "desktop").open(RESULTS_WITH_FACETS)
    assert desktop.locator("input[name=topic]").first.is_visible()


def test_language_switch_turns_the_page_english(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    page = open_portal("de", "desktop").open("/suche/?q=Deutschkurs")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "/suche/?q=Deutschkurs" in page.url
    assert page.locator("h1").inner_text() == "Search for “Deutschkurs”"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_screenshots_of_home_and_results(
    open_portal: Callable[..., Visit], portal_data: PortalData, viewport: str
) -> None:
    visit = open_portal("de", viewport)
    for name, path in [
        ("home", "/"),
        ("results", RESULTS_WITH_FACETS),
        ("offer", portal_data.offer_url),
    ]:
        visit.open(path)
        assert visit.screenshot(f"{name}-{viewport}").stat().st_size > 10_000
