"""The monitoring pages in a real browser: accessibility (axe-core, WCAG 2.1 AA) on a
desktop and a phone in German and English, no sideways scrolling on a phone, and the
disaggregation switch, the map table and the comparison form by keyboard alone."""

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.monitoring.conftest import GERMANY, INKAR, OPENSDG

Visit = Any  # the fixture's type lives in conftest.py, which is not imported by name

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = {
    "dashboard": "/monitoring/",
    "indicator": "/monitoring/indikatoren/share_abitur/",
    "breakdown": "/monitoring/indikatoren/leavers_ahr_share/?nach=district",
    "map": "/monitoring/karten/share_abitur/",
    "comparison": "/monitoring/vergleich/?indikator=share_abitur",
}
# district -> (leavers a year, of them with Abitur); Shamrock is too small to publish.
LEAVERS = {"herne-d-strünkede": (40, 12), "herne-d-baukau-kern": (30, 9),
           "herne-d-wanne-süd": (35, 7), "herne-d-shamrock": (3, 2)}  # fmt: skip


def nrw_inkar(folder: Path) -> Path:
    """The real INKAR file cut to North Rhine-Westphalia, with its codebook and boundaries."""
    path = folder / INKAR.name
    with INKAR.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number == 0 or line.startswith("05"):
                out.write(line)
    for name in ("inkar_counties_codebook.csv", "vg5000_counties_2021.geojson"):
        (folder / name).symlink_to(GERMANY / name)
    return path


def leavers(folder: Path) -> Path:
    path = folder / "leavers.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(
            ["year", "school_number", "school_type", "district", "sex", "nationality",
             "qualification"]
        )  # fmt: skip
        for year in (2021, 2022):
            for district, (count, ahr) in LEAVERS.items():
                rows.writerows(
                    [year, "100001", "20", district, "f" if index % 2 else "m",
                     "foreign" if index % 4 == 3 else "german", "ahr" if index < ahr else "msa"]
                    for index in range(count)
                )  # fmt: skip
    return path


@pytest.fixture
def monitoring_site(transactional_db: None, tmp_path: Path) -> None:
    """Real county data (NRW), Herne's SDG files, boundaries and a few leavers, committed.

    Starts from an empty database: rows committed by earlier tests' module fixtures
    must not mix with these (the pages then resolved to other areas and drew no chart)."""
    from lernstadt.monitoring.importers import import_file
    from tests.conftest import flush_database

    flush_database()

    inkar = nrw_inkar(tmp_path)
    import_file("inkar", str(inkar))
    import_file("opensdg", str(OPENSDG))
    import_file("vg5000", str(tmp_path / "vg5000_counties_2021.geojson"))
    import_file("leavers", str(leavers(tmp_path)))


def tab_to(page: Any, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector``; it must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", selector
            return
    pytest.fail(f"Tab never reached {selector}")


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("de", "desktop"), ("de", "phone"), ("en", "desktop"), ("en", "phone")],
)
@pytest.mark.parametrize("name", ["dashboard", "indicator", "map"])
def test_monitoring_page_has_no_wcag_violations(
    open_portal: Callable[..., Visit],
    monitoring_site: None,
    name: str,
    language: str,
    viewport: str,
) -> None:
    visit = open_portal(language, viewport)
    page = visit.open(PAGES[name])
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("main svg[role=img]").count() >= 1
    visit.assert_accessible()
    if viewport == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{PAGES[name]} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("name", ["breakdown", "comparison"])
def test_breakdown_and_comparison_have_no_wcag_violations(
    open_portal: Callable[..., Visit], monitoring_site: None, name: str
) -> None:
    visit = open_portal("de", "desktop")
    visit.open(PAGES[name])
    visit.assert_accessible()


def test_disaggregation_switch_works_with_the_keyboard(
    open_portal: Callable[..., Visit], monitoring_site: None
) -> None:
    visit = open_portal("de", "desktop")
    page = visit.open("/monitoring/indikatoren/leavers_ahr_share/")
    tab_to(page, ".switch a[href*='nach=sex']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "nach=sex" in page.url
    assert page.locator(".switch a[aria-current=true]").inner_text() == "Geschlecht"
    headers = page.locator("#aufgliederung th[scope=col]").all_inner_texts()
    assert headers[:4] == ["Jahr", "Gesamt", "weiblich", "männlich"]
    tab_to(page, ".switch a[href*='nach=district']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    row = page.locator("#aufgliederung tr", has_text="Shamrock")
    assert row.locator("td").first.inner_text().startswith(".")


def test_comparison_form_works_with_the_keyboard(
    open_portal: Callable[..., Visit], monitoring_site: None
) -> None:
    visit = open_portal("de", "desktop")
    page = visit.open("/monitoring/vergleich/?indikator=share_abitur")
    tab_to(page, "input[name=gebiete][value='05913']")
    assert not page.locator("input[value='05913']").is_checked()
    page.keyboard.press("Space")
    assert page.locator("input[value='05913']").is_checked()
    tab_to(page, ".compare-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "gebiete=05913" in page.url
    headers = page.locator(".data-table th[scope=col]").all_inner_texts()
    assert headers[:2] == ["Jahr", "Herne"] and "Dortmund" in headers


def test_map_table_sorts_with_the_keyboard(
    open_portal: Callable[..., Visit], monitoring_site: None
) -> None:
    visit = open_portal("de", "desktop")
    page = visit.open("/monitoring/karten/share_abitur/")
    tab_to(page, "th a[href*='sortierung=name']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    names = page.locator("#tabelle tbody th").all_inner_texts()
    assert names[0].startswith("Bielefeld")
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Kreis")
