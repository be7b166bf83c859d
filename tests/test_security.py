"""Security headers, CSRF, login throttling and Django's deployment check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management.utils import get_random_secret_key
from django.test import Client
from django.urls import reverse

from lernstadt.catalog.models import Offer, Provider
from lernstadt.lib.csp import policy

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[1]
PAGES = [
    "/",
    "/verwaltung/login/",
    "/api/v1/search?q=Deutsch",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/offers/424242",
    "/gibt-es-nicht/",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_answer_carries_the_strict_content_security_policy(client: Client, page: str) -> None:
    csp = client.get(page)["Content-Security-Policy"]
    assert csp == policy()
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("page", PAGES)
def test_every_answer_forbids_framing_and_sniffing_and_keeps_the_referrer_home(
    client: Client, page: str
) -> None:
    response = client.get(page)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_staff_pages_need_no_inline_script_or_style(office_admin: User) -> None:
    provider = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    offer = Offer.objects.create(provider=provider, title="Deutschkurs")
    client = Client()
    client.force_login(office_admin)
    for page in [
        reverse("admin:index"),
        reverse("admin:catalog_offer_changelist"),
        reverse("admin:catalog_offer_change", args=[offer.pk]),
        reverse("admin:catalog_provider_change", args=[provider.pk]),
    ]:
        html = client.get(page).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="' in tag or 'type="application/json"' in tag, (page, tag)
        assert not re.search(r"<[^>]+ style=", html), page
        assert "<style" not in html, page


# --- CSRF ------------------------------------------------------------------------


def test_language_switch_without_csrf_token_is_refused(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_language_switch_with_csrf_token_works(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/verwaltung/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_admin_login_form_carries_a_csrf_token(db: None) -> None:
    response = Client(enforce_csrf_checks=True).get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_admin_login_without_csrf_token_is_refused(analyst: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:login"), {"username": "analyst", "password": "a-long-analyst-password"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- login throttling (django-axes) ---------------------------------------------------


def log_in(client: Client, username: str, password: str) -> int:
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )
    return response.status_code


def test_right_password_logs_a_staff_member_in(analyst: User) -> None:
    client = Client()
    assert log_in(client, "analyst", "a-long-analyst-password") == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_five_wrong_passwords_lock_out_even_the_right_one(analyst: User) -> None:
    client = Client()
    answers = [log_in(client, "analyst", f"wrong-{n}") for n in range(5)]
    # The fifth failure reaches the limit, and axes answers it already with 429.
    assert answers == [200, 200, 200, 200, 429]
    assert log_in(client, "analyst", "a-long-analyst-password") == 429
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_out(analyst: User) -> None:
    client = Client()
    for n in range(4):
        log_in(client, "analyst", f"wrong-{n}")
    assert log_in(client, "analyst", "a-long-analyst-password") == 302


def test_lockout_holds_one_username_at_one_address_only(
    analyst: User, provider_editor: User
) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        log_in(attacker, "analyst", f"wrong-{n}")
    assert log_in(Client(REMOTE_ADDR="203.0.113.9"), "editor", "a-long-editor-password") == 302
    assert log_in(Client(REMOTE_ADDR="198.51.100.4"), "analyst", "a-long-analyst-password") == 302


# --- deployment check --------------------------------------------------------------


def deploy_check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run ``check --deploy`` failing on warnings, in a fresh process with ``variables``."""
    # Neither our settings nor the browser tests' async escape hatch may leak in.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LERNSTADT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env |= {"DJANGO_SETTINGS_MODULE": "lernstadt.settings", "LERNSTADT_DATA_DIR": str(tmp_path)}
    env |= variables
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', fail_level='WARNING')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=PROJECT, capture_output=True, text=True
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = deploy_check(
        tmp_path,
        LERNSTADT_SECRET_KEY=get_random_secret_key(),
        LERNSTADT_HTTPS="1",
        LERNSTADT_ALLOWED_HOSTS="lernen.herne.de",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_a_secret_key_and_https(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, LERNSTADT_ALLOWED_HOSTS="lernen.herne.de")
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the development key
    assert "security.W008" in result.stderr  # no redirect to HTTPS
