"""Providers, places, offers and their dates, modelled after schema.org
(Organization, Place, Course/CourseInstance) and the European MLO standard."""

from datetime import date
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lernstadt.catalog.taxonomy import (
    Accessibility,
    Cost,
    Language,
    LifePhase,
    OfferStatus,
    ProviderKind,
    ProviderStatus,
    TargetGroup,
    Topic,
    label,
)


class Provider(models.Model):
    """An institution or organisation that offers learning: a school, a club, the VHS."""

    name = models.CharField(_("Name"), max_length=300)
    official_name = models.CharField(_("Amtliche Bezeichnung"), max_length=500, blank=True)
    kind = models.CharField(_("Art"), max_length=30, choices=ProviderKind.choices)
    description = models.TextField(_("Beschreibung"), blank=True)
    website = models.URLField(_("Website"), max_length=500, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=60, blank=True)
    school_number = models.CharField(
        _("Schulnummer"), max_length=12, blank=True, null=True, unique=True
    )
    school_type_code = models.CharField(_("Schulform (Schlüssel)"), max_length=4, blank=True)
    school_type = models.CharField(_("Schulform"), max_length=100, blank=True)
    legal_form = models.CharField(_("Rechtsform"), max_length=60, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    closed_on = models.DateField(_("Geschlossen seit"), null=True, blank=True)
    source = models.CharField(_("Quelle"), max_length=100, blank=True)
    external_id = models.CharField(_("Kennung in der Quelle"), max_length=200, blank=True)
    is_example = models.BooleanField(_("Beispieldaten"), default=False)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Anbieter / Einrichtung")
        verbose_name_plural = _("Anbieter / Einrichtungen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="provider_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:provider", args=[self.pk, slugify(self.name) or "einrichtung"])

    @property
    def kind_label(self) -> str:
        return label(ProviderKind, self.kind)

    @property
    def main_place(self) -> "Place | None":
        return self.places.order_by("pk").first()


class Place(models.Model):
    """Where learning happens: an address with WGS84 coordinates."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="places", null=True, blank=True
    )
    name = models.CharField(_("Name des Ortes"), max_length=300, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    borough = models.CharField(_("Stadtbezirk"), max_length=100, blank=True)
    latitude = models.FloatField(_("Breitengrad"), null=True, blank=True)
    longitude = models.FloatField(_("Längengrad"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ort")
        verbose_name_plural = _("Orte")

    def __str__(self) -> str:
        return ", ".join(
            filter(None, [self.name, self.street, f"{self.postcode} {self.city}".strip()])
        )

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Offer(models.Model):
    """A learning offer: a course, a group, a counselling hour, a club's training."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offers")
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    title = models.CharField(_("Titel"), max_length=300)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=500, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    life_phases = models.JSONField(_("Lebensphasen"), default=list, blank=True)
    topics = models.JSONField(_("Themen"), default=list, blank=True)
    target_groups = models.JSONField(_("Zielgruppen"), default=list, blank=True)
    languages = models.JSONField(_("Sprachen"), default=list, blank=True)
    accessibility = models.JSONField(_("Barrierefreiheit"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("Mindestalter"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("Höchstalter"), null=True, blank=True)
    price = models.DecimalField(
        _("Preis (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    price_reduced = models.DecimalField(
        _("Ermäßigter Preis (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    cost_note = models.CharField(_("Hinweis zu Kosten"), max_length=300, blank=True)
    registration_required = models.BooleanField(_("Anmeldung erforderlich"), default=False)
    registration_url = models.URLField(_("Anmeldung online"), max_length=500, blank=True)
    registration_email = models.EmailField(_("Anmeldung per E-Mail"), blank=True)
    registration_phone = models.CharField(_("Anmeldung per Telefon"), max_length=60, blank=True)
    registration_note = models.CharField(_("Hinweis zur Anmeldung"), max_length=500, blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.PUBLISHED
    )
    last_reviewed = models.DateField(_("Zuletzt geprüft"), null=True, blank=True)
    source = models.CharField(_("Quelle"), max_length=100, blank=True)
    external_id = models.CharField(_("Kennung in der Quelle"), max_length=200, blank=True)
    is_example = models.BooleanField(_("Beispieldaten"), default=False)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="offer_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:offer", args=[self.pk, slugify(self.title) or "angebot"])

    @property
    def venue(self) -> "Place | None":
        """Where the offer takes place: its own place, or else its provider's address."""
        return self.place or self.provider.main_place

    @property
    def is_public(self) -> bool:
        return self.status in {OfferStatus.PUBLISHED, OfferStatus.CANCELLED}

    @property
    def cost(self) -> str:
        """free, reduced (a reduced price exists) or paid."""
        if self.price is None or self.price == 0:
            return Cost.FREE
        if self.price_reduced is not None:
            return Cost.REDUCED
        return Cost.PAID

    def labelled(self, field: str) -> list[str]:
        vocabulary: dict[str, Any] = {
            "life_phases": LifePhase,
            "topics": Topic,
            "target_groups": TargetGroup,
            "languages": Language,
            "accessibility": Accessibility,
        }
        return [label(vocabulary[field], code) for code in getattr(self, field)]


class OfferDate(models.Model):
    """One run of an offer (schema.org CourseInstance / Event): start, end, recurrence."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="dates")
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"), null=True, blank=True)
    recurrence = models.CharField(
        _("Wiederholung (RRULE)"),
        max_length=300,
        blank=True,
        help_text=_("Nach RFC 5545, z. B. FREQ=WEEKLY;COUNT=10"),
    )
    capacity = models.PositiveIntegerField(_("Plätze"), null=True, blank=True)
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.offer}: {self.starts_at:%d.%m.%Y %H:%M}"


class SearchEntry(models.Model):
    """One searchable document: an offer or an institution (the search index's table).

    Written only by ``catalog.search``; the full-text index over it is the
    database's own (FTS5 on SQLite, tsvector with the german configuration on
    PostgreSQL), created in migration 0002.
    """

    kind = models.CharField(max_length=12)  # "offer" or "institution"
    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, null=True, related_name="+")
    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, null=True, related_name="+")
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=400)
    school_number = models.CharField(max_length=12, blank=True, db_index=True)
    search_title = models.TextField()
    search_body = models.TextField()
    stems_title = models.TextField()
    stems_body = models.TextField()
    # Vocabulary labels (topics, languages, ...) weigh least: "Deutsch" as the
    # language of almost every offer must not outweigh "Deutsch" in a title.
    search_labels = models.TextField(default="")
    stems_labels = models.TextField(default="")
    # The entry's facet values as tokens (``indexing.facet_token``): the full-text
    # index answers facet filters with the words (migration 0009).
    search_facets = models.TextField(default="")
    sort_title = models.CharField(max_length=300, db_index=True)
    next_date = models.DateTimeField(null=True, db_index=True)
    is_cancelled = models.BooleanField(default=False)  # found, but ranked after the rest
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # What a hit shows beyond its title: a results page reads its entries alone.
    summary = models.CharField(max_length=500, blank=True, default="")  # an offer's
    borough = models.CharField(max_length=100, blank=True, default="")
    is_free = models.BooleanField(default=False)
    is_example = models.BooleanField(default=False)  # invented, or by an invented provider

    class Meta:
        indexes = [
            models.Index(fields=["kind"]),
            # The home page and "sort by title" read these orders without sorting.
            models.Index(fields=["is_cancelled", "id"], name="searchentry_open_by_id"),
            models.Index(fields=["is_cancelled", "sort_title"], name="searchentry_by_title"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    @property
    def kind_label(self) -> str:
        return gettext("Angebot") if self.kind == "offer" else gettext("Einrichtung")

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @cached_property
    def next_day(self) -> date | None:
        """The day of the next date, in the site's time zone: what a hit shows of it
        (three times: once computed)."""
        return timezone.localdate(self.next_date) if self.next_date else None


class Tag(models.Model):
    """A facet value entries can carry (life phase "kinder", borough "Wanne", ...),
    numbered once: facet counts group entries' tags by this number, a sort of
    integers instead of (facet, value) strings (a group of 600 entries' 4,500 tags
    took 3 to 4 ms to sort by its strings). A number is never taken back: the values
    are a few dozen, and an entry saved during a rebuild may be about to use it."""

    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facet", "value"], name="tag_facet_value")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchTag(models.Model):
    """A search entry carries a tag (a facet value)."""

    # Two covering indexes: the API's lists find entries by tag, facet counts find
    # the tags of the matching entries. Search filters ask the full-text index
    # (``SearchEntry.search_facets``).
    entry = models.ForeignKey(
        SearchEntry, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [
            models.Index(fields=["tag", "entry"], name="searchtag_tag_entry"),
            models.Index(fields=["entry", "tag"], name="searchtag_entry_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.tag_id}"


class SearchWord(models.Model):
    """A word that occurs in the search index: the vocabulary that typo correction
    and compound splitting check query words against."""

    word = models.CharField(max_length=100, unique=True)
    # The word's stem, as the full-text index holds it: a range scan on it finds
    # the stems a query's prefix stands for (PostgreSQL, see vocabulary.lexemes).
    stem = models.CharField(max_length=100, db_index=True, default="")
    # The word's stem backwards: a range scan on it finds compounds ending in a stem.
    stem_reversed = models.CharField(max_length=100, db_index=True, default="")

    def __str__(self) -> str:
        return self.word


class Synonym(models.Model):
    """A group of words that mean the same to a citizen (the search thesaurus).

    Staff maintain it in the admin; a query containing any of the terms finds
    entries containing any other.
    """

    terms = models.CharField(
        _("Begriffe"),
        max_length=500,
        unique=True,
        help_text=_(
            "Gleichbedeutende Begriffe, durch Kommas getrennt, z. B. "
            "„Kita, Kindertagesstätte, Kindergarten“. Ein Begriff darf aus mehreren "
            "Wörtern bestehen."
        ),
    )
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Synonymgruppe")
        verbose_name_plural = _("Thesaurus (Synonymgruppen)")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.split(",") if term.strip()]


class UnmetQuery(models.Model):
    """A search that found nothing: an unmet need the education office can see.

    Only the normalised words are kept, never who searched, when exactly or from where.
    """

    query = models.CharField(_("Suchanfrage"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("Anzahl"), default=0)
    first_seen = models.DateField(_("Zuerst gesucht"), auto_now_add=True)
    last_seen = models.DateField(_("Zuletzt gesucht"), auto_now=True)

    class Meta:
        verbose_name = _("Suche ohne Treffer")
        verbose_name_plural = _("Suchen ohne Treffer")
        ordering = ["-count", "query"]

    def __str__(self) -> str:
        return self.query
