"""The monitoring in the staff area at /verwaltung/: lists for staff, nothing for others."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Indicator, Observation
from tests.monitoring.conftest import OPENSDG

pytestmark = pytest.mark.django_db

MODELS = ["area", "goal", "indicator", "target", "measure", "importrun", "observation"]


@pytest.fixture
def imported(monitoring_pack: None) -> None:
    import_file("opensdg", str(OPENSDG), by="test")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def changelist(model: str) -> str:
    return reverse(f"admin:monitoring_{model}_changelist")


@pytest.mark.parametrize("model", MODELS)
def test_the_office_admin_sees_every_monitoring_list(office_admin: User, imported, model) -> None:
    assert logged_in(office_admin).get(changelist(model)).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_an_analyst_with_view_rights_sees_every_list(
    monitoring_analyst: User, imported, model
) -> None:
    assert logged_in(monitoring_analyst).get(changelist(model)).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_staff_without_monitoring_rights_is_refused(analyst: User, model) -> None:
    assert logged_in(analyst).get(changelist(model)).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_an_anonymous_visitor_is_sent_to_login(citizen: Client, model) -> None:
    response = citizen.get(changelist(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS)
def test_an_account_without_staff_flag_is_sent_to_login(model) -> None:
    user = User.objects.create_user("buerger", password="a-long-citizen-password")
    assert logged_in(user).get(changelist(model)).status_code == 302


def test_filters_and_search_answer(office_admin: User, imported) -> None:
    client = logged_in(office_admin)
    pages = [
        changelist("observation") + "?period=2020&area__level__exact=municipality",
        changelist("observation") + "?q=sdg_4-1",
        changelist("indicator") + "?direction__exact=down&q=SDG",
        changelist("area") + "?level__exact=district&q=Pluto",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_observations_and_import_runs_cannot_be_added_or_changed(
    office_admin: User, imported
) -> None:
    client = logged_in(office_admin)
    observation = Observation.objects.first()
    assert observation is not None
    assert client.get(reverse("admin:monitoring_observation_add")).status_code == 403
    assert client.get(reverse("admin:monitoring_importrun_add")).status_code == 403
    page = client.get(reverse("admin:monitoring_observation_change", args=[observation.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    delete = reverse("admin:monitoring_observation_delete", args=[observation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Observation.objects.filter(pk=observation.pk).exists()


def test_the_office_admin_can_edit_an_indicator(office_admin: User, imported) -> None:
    indicator = Indicator.objects.get(code="sdg_4-1")
    page = logged_in(office_admin).get(
        reverse("admin:monitoring_indicator_change", args=[indicator.pk])
    )
    assert page.status_code == 200 and b'name="_save"' in page.content
