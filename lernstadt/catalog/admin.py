"""The staff area for the catalogue (Django admin at /verwaltung/).

Offers keep their vocabulary lists as JSON; here they are edited as check
boxes, so staff can only choose codes that taxonomy.py knows.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from icalendar import vRecur

from lernstadt.catalog.models import Offer, OfferDate, Place, Provider, Synonym, UnmetQuery
from lernstadt.catalog.taxonomy import VOCABULARIES

# Web addresses typed without a scheme mean https (Django 6's default already).
HTTPS_BY_DEFAULT: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def https_by_default(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The form field of ``db_field``, assuming https for web addresses without a scheme."""
    return db_field.formfield(**(HTTPS_BY_DEFAULT.get(type(db_field), {}) | kwargs))


def vocabulary_field(field_name: str) -> forms.MultipleChoiceField:
    """Check boxes for one of the offer's vocabulary lists, labelled like the model field."""
    model_field = Offer._meta.get_field(field_name)
    assert isinstance(model_field, models.Field)
    return forms.MultipleChoiceField(
        label=capfirst(model_field.verbose_name),
        choices=VOCABULARIES[field_name].choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class OfferForm(forms.ModelForm):
    life_phases = vocabulary_field("life_phases")
    topics = vocabulary_field("topics")
    target_groups = vocabulary_field("target_groups")
    languages = vocabulary_field("languages")
    accessibility = vocabulary_field("accessibility")

    class Meta:
        model = Offer
        fields = [
            "title", "summary", "description", "provider", "place", "status",
            "life_phases", "topics", "target_groups", "languages", "accessibility",
            "min_age", "max_age", "price", "price_reduced", "cost_note",
            "registration_required", "registration_url", "registration_email",
            "registration_phone", "registration_note",
            "last_reviewed", "source", "external_id", "is_example",
        ]  # fmt: skip
        formfield_callback = https_by_default

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        min_age, max_age = cleaned.get("min_age"), cleaned.get("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.add_error("max_age", _("Das Höchstalter liegt unter dem Mindestalter."))
        price, reduced = cleaned.get("price"), cleaned.get("price_reduced")
        if price is not None and reduced is not None and reduced > price:
            self.add_error("price_reduced", _("Der ermäßigte Preis liegt über dem Preis."))
        return cleaned


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = [
            "provider",
            "name",
            "street",
            "postcode",
            "city",
            "borough",
            "latitude",
            "longitude",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error(None, _("Bitte Breiten- und Längengrad angeben oder beide leer lassen."))
        if latitude is not None and not -90 <= latitude <= 90:
            self.add_error("latitude", _("Der Breitengrad liegt zwischen −90 und 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            self.add_error("longitude", _("Der Längengrad liegt zwischen −180 und 180."))
        return cleaned


class OfferDateForm(forms.ModelForm):
    class Meta:
        model = OfferDate
        fields = ["offer", "starts_at", "ends_at", "recurrence", "capacity", "note"]

    def clean_recurrence(self) -> str:
        rule = self.cleaned_data["recurrence"].strip()
        if rule and not is_recurrence_rule(rule):
            raise forms.ValidationError(
                _("Keine gültige Wiederholung nach RFC 5545, z. B. FREQ=WEEKLY;COUNT=10.")
            )
        return str(rule)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("Das Ende liegt vor dem Beginn."))
        return cleaned


def is_recurrence_rule(rule: str) -> bool:
    """Whether ``rule`` is an RRULE body with a frequency (RFC 5545)."""
    try:
        parsed = vRecur.from_ical(rule)
    except ValueError:
        return False
    return "FREQ" in parsed


class PlaceInline(admin.TabularInline):
    model = Place
    form = PlaceForm
    extra = 0
    fields = ["name", "street", "postcode", "city", "borough", "latitude", "longitude"]


class OfferDateInline(admin.TabularInline):
    model = OfferDate
    form = OfferDateForm
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "school_number", "school_type", "status", "is_example"]
    list_filter = ["kind", "status", "is_example", "school_type"]
    search_fields = ["name", "school_number"]
    readonly_fields = ["updated_at"]
    inlines = [PlaceInline]
    formfield_overrides = HTTPS_BY_DEFAULT


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferForm
    formfield_overrides = HTTPS_BY_DEFAULT
    list_display = ["title", "provider", "status", "last_reviewed", "is_example"]
    list_filter = ["status", "is_example", "provider__kind"]
    list_select_related = ["provider"]
    search_fields = ["title", "provider__name"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [OfferDateInline]
    actions = ["mark_reviewed_today"]
    fieldsets = [
        (None, {"fields": ["title", "summary", "description", "provider", "place", "status"]}),
        (
            _("Einordnung"),
            {"fields": ["life_phases", "topics", "target_groups", "languages", "accessibility"]},
        ),
        (
            _("Alter und Kosten"),
            {"fields": ["min_age", "max_age", "price", "price_reduced", "cost_note"]},
        ),
        (
            _("Anmeldung"),
            {
                "fields": [
                    "registration_required",
                    "registration_url",
                    "registration_email",
                    "registration_phone",
                    "registration_note",
                ]
            },
        ),
        (
            _("Herkunft und Pflege"),
            {
                "fields": [
                    "last_reviewed",
                    "source",
                    "external_id",
                    "is_example",
                    "created_at",
                    "updated_at",
                ]  # fmt: skip
            },
        ),
    ]

    @admin.action(description=_("Als heute geprüft markieren"), permissions=["change"])
    def mark_reviewed_today(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        # update() skips save signals; the review date is not part of the search index.
        count = queryset.update(last_reviewed=timezone.localdate(), updated_at=timezone.now())
        message = ngettext(
            "%(count)d Angebot als heute geprüft markiert.",
            "%(count)d Angebote als heute geprüft markiert.",
            count,
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    form = PlaceForm
    list_display = ["__str__", "provider", "borough", "latitude", "longitude"]
    list_filter = ["borough"]
    list_select_related = ["provider"]
    search_fields = ["name", "street", "provider__name"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """The search thesaurus: staff keep everyday words and official terms together."""

    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]


@admin.register(UnmetQuery)
class UnmetQueryAdmin(admin.ModelAdmin):
    """Searches that found nothing, most frequent first: unmet needs, without personal data."""

    list_display = ["query", "count", "first_seen", "last_seen"]
    search_fields = ["query"]
    date_hierarchy = "last_seen"
    readonly_fields = ["query", "count", "first_seen", "last_seen"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
