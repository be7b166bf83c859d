"""Browser tests: Debian's Chromium driven by Playwright, never a downloaded browser.

Every page a test opens is watched: a Content-Security-Policy complaint in the
console or a request to any host but the live server fails the test.
"""

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# from the test body are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The live server listens on 127.0.0.1, the one host pages may talk to.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# axe-core is served from the live server's own origin: the CSP allows no
# inline script, so injecting its source inline would be blocked.
AXE_PATH = "/__e2e__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {
    "phone": {"width": 375, "height": 800},
    "desktop": {"width": 1280, "height": 900},
}
BROWSER_LOCALES = {"de": "de-DE", "en": "en-GB"}
SCREENS = Path("/tmp/screens")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session; skipped (or failed in CI) without it."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("LERNSTADT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LERNSTADT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A browser tab on the live server that records what must never happen."""

    page: Any
    base_url: str
    csp_reports: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        return self.page

    def axe_violations(self) -> list[dict[str, Any]]:
        """Run axe-core with the WCAG 2.1 A and AA rules on the current page."""
        self.page.add_script_tag(url=self.base_url + AXE_PATH)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: tags}).then(r => r.violations)", WCAG_TAGS
        )
        return list(result)

    def assert_accessible(self) -> None:
        violations = self.axe_violations()
        assert violations == [], f"{self.page.url}\n{readable(violations)}"

    def assert_clean(self) -> None:
        assert self.csp_reports == [], "\n".join(self.csp_reports)
        assert self.foreign_requests == [], "\n".join(self.foreign_requests)

    def screenshot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def readable(violations: list[dict[str, Any]]) -> str:
    """axe violations as lines a person can act on."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def _watch(visit: Visit, allowed_host: str) -> None:
    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            visit.csp_reports.append(message.text)
        if message.type == "error":
            visit.console_errors.append(message.text)

    def on_request(request: Any) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(url).hostname != allowed_host:
            visit.foreign_requests.append(url)

    visit.page.on("console", on_console)
    visit.page.on("request", on_request)


@pytest.fixture
def open_portal(browser: Any, live_server: Any) -> Iterator[Callable[..., Visit]]:
    """Open a tab in a language and at a viewport; checks CSP and hosts at the end."""
    contexts: list[Any] = []
    visits: list[Visit] = []
    host = urlsplit(live_server.url).hostname or "127.0.0.1"

    def open_tab(language: str = "de", viewport: str = "desktop") -> Visit:
        context = browser.new_context(
            locale=BROWSER_LOCALES[language], viewport=VIEWPORTS[viewport]
        )
        contexts.append(context)
        page = context.new_page()
        page.route(live_server.url + AXE_PATH, lambda route: route.fulfill(path=str(AXE)))
        visit = Visit(page, live_server.url)
        _watch(visit, host)
        visits.append(visit)
        return visit

    yield open_tab
    for context in contexts:
        context.close()
    for visit in visits:
        visit.assert_clean()


@dataclass
class PortalData:
    offer_url: str
    provider_url: str
    offer_title: str


@pytest.fixture
def portal_data(transactional_db: None) -> PortalData:
    """A small catalogue the live server can show (committed, so its thread sees it)."""
    from lernstadt.catalog.models import Offer, OfferDate, Place, Provider

    vhs = Provider.objects.create(
        name="Volkshochschule Herne",
        kind="adult_education",
        phone="02323 16 2800",
        email="vhs@example.org",
        website="https://vhs.example.org/",
        is_example=True,
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
    club = Provider.objects.create(name="TV Wanne 1885 e. V.", kind="club", is_example=True)
    hall = Place.objects.create(
        provider=club,
        street="Hauptstraße 200",
        postcode="44649",
        city="Herne",
        borough="Herne-Wanne",
        latitude=51.531,
        longitude=7.158,
    )
    school = Provider.objects.create(
        name="Grundschule Am Bach", kind="school", school_number="123456", school_type="Grundschule"
    )
    Place.objects.create(
        provider=school, street="Bachstraße 5", postcode="44652", city="Herne",
        borough="Herne-Eickel", latitude=51.52, longitude=7.18,
    )  # fmt: skip
    course = Offer.objects.create(
        provider=vhs,
        place=centre,
        title="Deutschkurs für Anfänger",
        summary="Deutsch lernen von Anfang an, in kleinen Gruppen.",
        description="Für alle, die neu in Herne sind.\nMit Kinderbetreuung.",
        life_phases=["adults"],
        topics=["language"],
        target_groups=["newcomers"],
        languages=["de", "ar"],
        accessibility=["wheelchair", "childcare"],
        price=Decimal("60.00"),
        price_reduced=Decimal("30.00"),
        registration_required=True,
        registration_email="anmeldung@example.org",
        is_example=True,
    )
    OfferDate.objects.create(
        offer=course,
        starts_at=datetime(2030, 2, 4, 18, 0, tzinfo=BERLIN),
        ends_at=datetime(2030, 2, 4, 19, 30, tzinfo=BERLIN),
        recurrence="FREQ=WEEKLY;COUNT=10",
        capacity=16,
    )
    for number, (title, phases, topics) in enumerate(
        [
            ("Schwimmkurs Seepferdchen", ["early_childhood", "school"], ["sport"]),
            ("Eltern-Kind-Turnen", ["families"], ["sport", "parenting"]),
            ("Smartphone-Sprechstunde", ["seniors"], ["digital"]),
            ("Bewerbungstraining", ["transition"], ["career"]),
        ]
    ):
        Offer.objects.create(
            provider=club if number % 2 == 0 else vhs,
            place=hall if number % 2 == 0 else centre,
            title=title,
            summary="Ein Beispiel für ein Angebot.",
            life_phases=phases,
            topics=topics,
            is_example=True,
            status="cancelled" if number == 3 else "published",
        )
    return PortalData(course.get_absolute_url(), vhs.get_absolute_url(), course.title)
