"""Search helps in the browser: suggestions as one types, corrections, "did you mean",
and the hits of a nearby search when nothing was found."""

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e]

Visit = Any
PortalData = Any


def test_typing_fills_the_suggestions_without_breaking_the_csp(
    open_portal: Callable[..., Visit], portal_data: PortalData
) -> None:
    visit = open_portal()
    page = visit.open("/")
    page.locator("#home-q").press_sequentially("Deutschk", delay=30)
    options = page.locator("#home-q-suggestions option")
    options.first.wait_for(state="attached")
    assert options.first.get_attribute("value") == "Deutschkurs für Anfänger"
    visit.assert_accessible()
    # open_portal fails the test on any CSP report or request to another host.


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    ("typed", "notice"),
    [("Deutschkurs Quantenphysik", ".notice--info"), ("Schwimkurs", ".notice--info"),
     ("Grunndschuhle", ".empty__suggestion"), ("Grunndschuhle", ".empty__alternatives .hit"),
     ("Deutschkurs&borough=Nirgendwo", ".empty__alternatives .hit")],
)  # fmt: skip
def test_search_help_is_accessible(
    open_portal: Callable[..., Visit],
    portal_data: PortalData,
    language: str,
    typed: str,
    notice: str,
) -> None:
    visit = open_portal(language)
    page = visit.open(f"/suche/?q={typed}")
    assert page.locator(notice).count() >= 1
    visit.assert_accessible()
