"""Shared fixtures: the personas of the platform and a small catalogue."""

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def flush_database() -> None:
    """Empty every table for the next tests, then put back what migrations ship
    (the thesaurus): without it, searches after a flush would lose their synonyms."""
    from django.apps import apps
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    thesaurus = importlib.import_module("lernstadt.catalog.migrations.0004_load_thesaurus")
    thesaurus.load(apps, None)


@pytest.fixture
def shared_data() -> Path:
    """The real public data beside the project (never copied into it)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def citizen(client: Client) -> Client:
    """An anonymous visitor of the portal."""
    return client


@pytest.fixture
def provider_editor(db: None) -> User:
    """Staff of a provider who may edit offers, but nothing else."""
    user = User.objects.create_user("editor", "editor@example.org", "a-long-editor-password")
    user.is_staff = True
    user.save()
    codenames = [
        "view_offer",
        "change_offer",
        "add_offer",
        "view_offerdate",
        "change_offerdate",
        "add_offerdate",
        "delete_offerdate",
    ]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def analyst(db: None) -> User:
    """An analyst of the education office, staff without catalogue rights."""
    user = User.objects.create_user("analyst", "analyst@example.org", "a-long-analyst-password")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def office_admin(db: None) -> User:
    """The education office's administrator."""
    return User.objects.create_superuser("admin", "admin@example.org", "a-long-admin-password")


@pytest.fixture(autouse=True)
def no_open_data_in_the_demo(settings: Any) -> None:
    """``load_demo`` imports the real open data beside the project when it finds it;
    tests load what they need themselves (tests/monitoring/test_demo_data.py covers it)."""
    settings.LERNSTADT_OPEN_DATA_DIR = ""


@pytest.fixture(autouse=True)
def fresh_search_caches() -> None:
    """Each test reads the thesaurus and the stems its own database holds (the
    caches outlive rollbacks)."""
    from lernstadt.catalog import query, ranking, vocabulary

    query.forget_thesaurus()
    query.forget_parsed()
    vocabulary.forget_lexemes()
    ranking.forget_counts()
