"""The staff area at /verwaltung/: who may do what, and the offer form."""

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lernstadt.catalog.models import Offer, OfferDate, Place, Provider

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = ["offer", "provider", "place"]


@pytest.fixture
def vhs(db: None) -> Provider:
    provider = Provider.objects.create(name="Volkshochschule Herne", kind="adult_education")
    Place.objects.create(provider=provider, name="Kulturzentrum", city="Herne")
    return provider


@pytest.fixture
def offer(vhs: Provider) -> Offer:
    return Offer.objects.create(
        provider=vhs, title="Deutschkurs", life_phases=["adults"], topics=["language"]
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def object_pages(model: str, pk: int) -> list[str]:
    return [
        reverse(f"admin:catalog_{model}_changelist"),
        reverse(f"admin:catalog_{model}_add"),
        reverse(f"admin:catalog_{model}_change", args=[pk]),
        reverse(f"admin:catalog_{model}_delete", args=[pk]),
        reverse(f"admin:catalog_{model}_history", args=[pk]),
    ]


def every_admin_page() -> list[str]:
    """The index, every app index and every page of every registered model."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append(reverse("admin:app_list", args=[meta.app_label]))
        pages += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        pages += [reverse(f"{prefix}_{view}", args=[1]) for view in ("change", "delete", "history")]
    return sorted(set(pages))


def offer_form(offer: Offer, **changes: Any) -> dict[str, Any]:
    """The POST data of the offer's change form, with ``changes`` applied."""
    data: dict[str, Any] = {
        "title": offer.title,
        "summary": offer.summary,
        "description": offer.description,
        "provider": offer.provider_id,
        "place": offer.place_id or "",
        "status": offer.status,
        "life_phases": offer.life_phases,
        "topics": offer.topics,
        "target_groups": offer.target_groups,
        "languages": offer.languages,
        "accessibility": offer.accessibility,
        "min_age": "",
        "max_age": "",
        "price": "",
        "price_reduced": "",
        "cost_note": "",
        "registration_url": "",
        "registration_email": "",
        "registration_phone": "",
        "registration_note": "",
        "last_reviewed": "",
        "source": offer.source,
        "external_id": offer.external_id,
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
        "dates-MIN_NUM_FORMS": "0",
        "dates-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def offer_date(prefix: str = "dates-0", **values: str) -> dict[str, str]:
    """One new row of the dates inline."""
    row = {"starts_at_0": "2027-02-03", "starts_at_1": "18:00", "ends_at_0": "", "ends_at_1": ""}
    row |= {"recurrence": "", "capacity": "", "note": ""} | values
    return {"dates-TOTAL_FORMS": "1"} | {f"{prefix}-{name}": value for name, value in row.items()}


def change_url(model: str, pk: int) -> str:
    return reverse(f"admin:catalog_{model}_change", args=[pk])


# --- anonymous visitors -----------------------------------------------------------


@pytest.mark.parametrize("page", every_admin_page())
def test_anonymous_visitor_is_sent_to_login_from_every_admin_page(
    citizen: Client, db: None, page: str
) -> None:
    response = citizen.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('admin:login')}?next=")


def test_anonymous_post_to_an_offer_changes_nothing(citizen: Client, offer: Offer) -> None:
    response = citizen.post(change_url("offer", offer.pk), offer_form(offer, title="Gehackt"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Deutschkurs"


def test_citizen_account_without_staff_flag_cannot_enter(offer: Offer) -> None:
    user = User.objects.create_user("buerger", password="a-long-citizen-password")
    response = logged_in(user).get(reverse("admin:catalog_offer_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- the analyst: staff without catalogue rights ------------------------------------


@pytest.mark.parametrize("model", CATALOGUE_MODELS)
def test_analyst_gets_403_on_every_catalogue_page(analyst: User, offer: Offer, model: str) -> None:
    client = logged_in(analyst)
    pk = {"offer": offer.pk, "provider": offer.provider_id, "place": offer.provider.places.get().pk}
    for page in object_pages(model, pk[model]):
        assert client.get(page).status_code == 403, page


def test_analyst_cannot_change_an_offer_by_post(analyst: User, offer: Offer) -> None:
    response = logged_in(analyst).post(
        change_url("offer", offer.pk), offer_form(offer, title="Geändert")
    )
    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.title == "Deutschkurs"


def test_analyst_cannot_add_an_offer_by_post(analyst: User, offer: Offer) -> None:
    response = logged_in(analyst).post(
        reverse("admin:catalog_offer_add"), offer_form(offer, title="Neu")
    )
    assert response.status_code == 403
    assert not Offer.objects.filter(title="Neu").exists()


def test_analyst_does_not_see_the_catalogue_on_the_admin_index(analyst: User, db: None) -> None:
    response = logged_in(analyst).get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:catalog_offer_changelist") not in response.content.decode()


# --- the provider editor: offers yes, providers no ---------------------------------


def test_provider_editor_can_open_offer_pages(provider_editor: User, offer: Offer) -> None:
    client = logged_in(provider_editor)
    for page in [
        reverse("admin:catalog_offer_changelist"),
        reverse("admin:catalog_offer_add"),
        change_url("offer", offer.pk),
    ]:
        assert client.get(page).status_code == 200, page


def test_provider_editor_can_change_an_offer(provider_editor: User, offer: Offer) -> None:
    response = logged_in(provider_editor).post(
        change_url("offer", offer.pk), offer_form(offer, title="Deutschkurs A1")
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Deutschkurs A1"


def test_provider_editor_can_add_a_date_to_an_offer(provider_editor: User, offer: Offer) -> None:
    data = offer_form(offer) | offer_date(recurrence="FREQ=WEEKLY;COUNT=10")
    response = logged_in(provider_editor).post(change_url("offer", offer.pk), data)
    assert response.status_code == 302
    assert offer.dates.get().recurrence == "FREQ=WEEKLY;COUNT=10"


@pytest.mark.parametrize("model", ["provider", "place"])
def test_provider_editor_gets_403_on_provider_and_place_pages(
    provider_editor: User, offer: Offer, model: str
) -> None:
    client = logged_in(provider_editor)
    pk = offer.provider_id if model == "provider" else offer.provider.places.get().pk
    for page in object_pages(model, pk):
        assert client.get(page).status_code == 403, page


def test_provider_editor_cannot_change_a_provider_by_post(
    provider_editor: User, vhs: Provider
) -> None:
    data = {"name": "Umbenannt", "kind": "club", "status": "active"}
    response = logged_in(provider_editor).post(change_url("provider", vhs.pk), data)
    assert response.status_code == 403
    vhs.refresh_from_db()
    assert vhs.name == "Volkshochschule Herne"


def test_provider_editor_gets_403_when_deleting_an_offer(
    provider_editor: User, offer: Offer
) -> None:
    client = logged_in(provider_editor)
    delete = reverse("admin:catalog_offer_delete", args=[offer.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_provider_editor_cannot_delete_offers_through_the_bulk_action(
    provider_editor: User, offer: Offer
) -> None:
    client = logged_in(provider_editor)
    changelist = reverse("admin:catalog_offer_changelist")
    assert 'value="delete_selected"' not in client.get(changelist).content.decode()
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [offer.pk], "post": "yes"}
    )
    assert Offer.objects.filter(pk=offer.pk).exists()


# --- the office's administrator ----------------------------------------------------


@pytest.mark.parametrize("model", CATALOGUE_MODELS)
def test_office_admin_can_open_every_catalogue_page(
    office_admin: User, offer: Offer, model: str
) -> None:
    client = logged_in(office_admin)
    pk = {"offer": offer.pk, "provider": offer.provider_id, "place": offer.provider.places.get().pk}
    for page in object_pages(model, pk[model]):
        assert client.get(page).status_code == 200, page


def test_office_admin_can_delete_an_offer(office_admin: User, offer: Offer) -> None:
    delete = reverse("admin:catalog_offer_delete", args=[offer.pk])
    response = logged_in(office_admin).post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_office_admin_can_change_a_provider_and_its_places(
    office_admin: User, vhs: Provider
) -> None:
    place = vhs.places.get()
    data = {
        "name": "VHS Herne",
        "kind": "adult_education",
        "status": "active",
        "places-TOTAL_FORMS": "1",
        "places-INITIAL_FORMS": "1",
        "places-MIN_NUM_FORMS": "0",
        "places-MAX_NUM_FORMS": "1000",
        "places-0-id": place.pk,
        "places-0-provider": vhs.pk,
        "places-0-name": "Kulturzentrum",
        "places-0-city": "Herne",
        "places-0-borough": "Herne-Mitte",
        "places-0-latitude": "51.5386",
        "places-0-longitude": "7.2194",
    }
    response = logged_in(office_admin).post(change_url("provider", vhs.pk), data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.borough == "Herne-Mitte"
    assert place.latitude == pytest.approx(51.5386)


# --- the offer form -----------------------------------------------------------------


def test_offer_form_shows_vocabularies_as_checkboxes(office_admin: User, offer: Offer) -> None:
    html = logged_in(office_admin).get(change_url("offer", offer.pk)).content.decode()
    assert 'type="checkbox" name="life_phases" value="early_childhood"' in html
    assert 'type="checkbox" name="languages" value="de-easy"' in html
    assert 'name="life_phases" value="adults" id="id_life_phases_3" checked' in html


def test_offer_form_speaks_german(office_admin: User, offer: Offer) -> None:
    html = logged_in(office_admin).get(change_url("offer", offer.pk)).content.decode()
    for text in [
        "Lebensphasen",
        "Barrierefreiheit",
        "Zuletzt geprüft",
        "Frühe Kindheit",
        "Termine",
    ]:
        assert text in html


def test_offer_form_saves_chosen_codes_as_a_list(office_admin: User, offer: Offer) -> None:
    data = offer_form(offer, life_phases=["adults", "seniors"], languages=["de", "tr"])
    assert logged_in(office_admin).post(change_url("offer", offer.pk), data).status_code == 302
    offer.refresh_from_db()
    assert offer.life_phases == ["adults", "seniors"]
    assert offer.languages == ["de", "tr"]


def test_offer_form_rejects_a_code_the_taxonomy_does_not_know(
    office_admin: User, offer: Offer
) -> None:
    data = offer_form(offer, topics=["language", "astrology"])
    response = logged_in(office_admin).post(change_url("offer", offer.pk), data)
    assert response.status_code == 200
    assert "astrology" in response.context["adminform"].form.errors["topics"][0]
    offer.refresh_from_db()
    assert offer.topics == ["language"]


def test_offer_form_rejects_a_maximum_age_below_the_minimum(
    office_admin: User, offer: Offer
) -> None:
    data = offer_form(offer, min_age="16", max_age="12")
    response = logged_in(office_admin).post(change_url("offer", offer.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["max_age"] == [
        "Das Höchstalter liegt unter dem Mindestalter."
    ]


def test_offer_form_rejects_a_reduced_price_above_the_price(
    office_admin: User, offer: Offer
) -> None:
    data = offer_form(offer, price="10", price_reduced="12,50")
    response = logged_in(office_admin).post(change_url("offer", offer.pk), data)
    assert response.status_code == 200
    assert "price_reduced" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ({"recurrence": "jeden Dienstag"}, "recurrence"),
        ({"ends_at_0": "2027-02-03", "ends_at_1": "17:00"}, "ends_at"),
    ],
)
def test_offer_form_rejects_a_broken_date(
    office_admin: User, offer: Offer, values: dict[str, str], field: str
) -> None:
    data = offer_form(offer) | offer_date(**values)
    response = logged_in(office_admin).post(change_url("offer", offer.pk), data)
    assert response.status_code == 200
    assert field in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not OfferDate.objects.exists()


def test_place_form_wants_both_coordinates_or_none(office_admin: User, vhs: Provider) -> None:
    place = vhs.places.get()
    data = {"provider": vhs.pk, "name": "Kulturzentrum", "city": "Herne", "latitude": "51.5"}
    response = logged_in(office_admin).post(change_url("place", place.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    place.refresh_from_db()
    assert place.latitude is None


def test_place_form_rejects_a_latitude_beyond_the_pole(office_admin: User, vhs: Provider) -> None:
    place = vhs.places.get()
    data = {"provider": vhs.pk, "latitude": "151.5", "longitude": "7.2"}
    response = logged_in(office_admin).post(change_url("place", place.pk), data)
    assert response.status_code == 200
    assert "latitude" in response.context["adminform"].form.errors


# --- lists and actions ---------------------------------------------------------------


def test_offer_list_shows_columns_and_finds_by_provider_name(
    office_admin: User, offer: Offer
) -> None:
    Offer.objects.create(
        provider=Provider.objects.create(name="Musikschule", kind="music_school"), title="Geige"
    )
    client = logged_in(office_admin)
    changelist = reverse("admin:catalog_offer_changelist")
    html = client.get(changelist, {"q": "Volkshochschule"}).content.decode()
    assert "Deutschkurs" in html
    assert "Geige" not in html
    assert "Zuletzt geprüft" in html
    filtered = client.get(changelist, {"provider__kind__exact": "music_school"}).content.decode()
    assert "Geige" in filtered
    assert "Deutschkurs" not in filtered


def test_provider_list_finds_a_school_by_its_number(office_admin: User, vhs: Provider) -> None:
    Provider.objects.create(name="Gymnasium Eickel", kind="school", school_number="123456")
    html = (
        logged_in(office_admin)
        .get(reverse("admin:catalog_provider_changelist"), {"q": "123456"})
        .content.decode()
    )
    assert "Gymnasium Eickel" in html
    assert "Volkshochschule Herne" not in html


def test_mark_reviewed_today_stamps_the_chosen_offers_only(
    provider_editor: User, offer: Offer
) -> None:
    other = Offer.objects.create(
        provider=offer.provider, title="Englisch", last_reviewed=date(2020, 1, 1)
    )
    response = logged_in(provider_editor).post(
        reverse("admin:catalog_offer_changelist"),
        {"action": "mark_reviewed_today", "_selected_action": [offer.pk]},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    other.refresh_from_db()
    assert offer.last_reviewed == timezone.localdate()
    assert other.last_reviewed == date(2020, 1, 1)


def test_mark_reviewed_today_is_not_offered_to_someone_who_may_only_view(
    offer: Offer, db: None
) -> None:
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("viewer", password="a-long-viewer-password", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_offer"))
    client = logged_in(viewer)
    changelist = reverse("admin:catalog_offer_changelist")
    assert "mark_reviewed_today" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "mark_reviewed_today", "_selected_action": [offer.pk]})
    offer.refresh_from_db()
    assert offer.last_reviewed is None
