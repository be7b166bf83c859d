"""The interactive API documentation works in Chromium under the strict CSP."""

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_docs_page_works_under_the_csp_without_third_party_requests(
    open_portal: Callable[..., Any],
) -> None:
    visit = open_portal()
    page = visit.open("/api/v1/docs")
    page.locator(".opblock-summary").first.click()
    page.locator(".try-out__btn").click()
    page.locator(".execute").click()
    status = page.locator(".live-responses-table tr.response .response-col_status").inner_text()
    schema = page.evaluate("fetch('/api/v1/openapi.json').then(answer => answer.json())")
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert page.locator(".opblock").count() == operations >= 5
    assert status.strip() == "200"
    assert visit.console_errors == []
    # open_portal fails the test on any CSP report or request to another host.
