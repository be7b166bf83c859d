"""Goals, indicators, observations, targets and measures of the education monitoring.

An :class:`Observation` is one published number: an indicator's value for an
area, a period (year) and a breakdown (``""`` = total). Breakdowns are stored as
one canonical key so that the same cell always has the same key:
``breakdown_key({"sex": "f", "nationality": "foreign"}) == "nationality=foreign|sex=f"``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# "Ziel" is both a goal of the mission statement and a target value; English tells them apart.
GOAL = pgettext_lazy("goal of the mission statement", "Ziel")

BREAKDOWN_SEPARATOR = "|"


def breakdown_key(dimensions: dict[str, str]) -> str:
    """The canonical key of a breakdown: ``dim=value`` pairs sorted by name, joined by ``|``.

    Empty values are left out, so ``{}`` and ``{"sex": ""}`` are both the total ``""``.
    """
    pairs = sorted((name, value) for name, value in dimensions.items() if value != "")
    return BREAKDOWN_SEPARATOR.join(f"{name}={value}" for name, value in pairs)


def breakdown_dict(key: str) -> dict[str, str]:
    """The dimensions of a breakdown key (``""`` gives ``{}``)."""
    if not key:
        return {}
    return dict(pair.split("=", 1) for pair in key.split(BREAKDOWN_SEPARATOR))


class Area(models.Model):
    """A place statistics are about: the state, a county, the city, a borough or a district."""

    class Level(models.TextChoices):
        STATE = "state", _("Land")
        COUNTY = "county", _("Kreis / kreisfreie Stadt")
        MUNICIPALITY = "municipality", _("Gemeinde")
        BOROUGH = "borough", _("Stadtbezirk")
        DISTRICT = "district", _("Statistischer Bezirk")

    code = models.CharField(_("Schlüssel"), max_length=32, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    level = models.CharField(_("Ebene"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Übergeordnet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("Gebiet")
        verbose_name_plural = _("Gebiete")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Goal(models.Model):
    """A goal of the city's mission statement."""

    code = models.SlugField(_("Kennung"), unique=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    title_de = models.CharField(_("Titel (deutsch)"), max_length=300)
    title_en = models.CharField(_("Titel (englisch)"), max_length=300)
    statement_de = models.TextField(_("Wortlaut (deutsch)"), blank=True)
    statement_en = models.TextField(_("Wortlaut (englisch)"), blank=True)

    class Meta:
        verbose_name = GOAL
        verbose_name_plural = _("Ziele")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title_de


class Direction(models.TextChoices):
    """Which way an indicator should move for the city to be getting better."""

    UP = "up", _("höher ist besser")
    DOWN = "down", _("niedriger ist besser")
    TOWARDS_ZERO = "towards_zero", _("näher an null ist besser")
    CONTEXT = "context", _("Kontext (keine Wertung)")


class Indicator(models.Model):
    """What is measured: definition, unit, good direction, source and disaggregations."""

    code = models.CharField(_("Kennung"), max_length=64, unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=300)
    name_en = models.CharField(_("Name (englisch)"), max_length=300)
    definition_de = models.TextField(_("Definition (deutsch)"), blank=True)
    definition_en = models.TextField(_("Definition (englisch)"), blank=True)
    meaning_de = models.TextField(
        _("Was die Zahl bedeutet (deutsch)"),
        blank=True,
        help_text=_(
            "2 bis 4 einfache Sätze: was gezählt wird, warum es für das Ziel wichtig ist, "
            "wie man einen steigenden oder fallenden Wert liest."
        ),
    )
    meaning_en = models.TextField(_("Was die Zahl bedeutet (englisch)"), blank=True)
    easy_de = models.TextField(
        _("Leichte Sprache"),
        blank=True,
        help_text=_("Kurze Sätze, ein Gedanke pro Satz, bekannte Wörter, keine Abkürzungen."),
    )
    numerator = models.CharField(_("Zähler"), max_length=300, blank=True)
    denominator = models.CharField(_("Nenner"), max_length=300, blank=True)
    unit = models.CharField(_("Einheit"), max_length=64)
    direction = models.CharField(
        _("Gute Richtung"), max_length=16, choices=Direction.choices, default=Direction.CONTEXT
    )
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    licence = models.CharField(_("Lizenz"), max_length=200, blank=True)
    update_cycle = models.CharField(_("Aktualisierung"), max_length=64, blank=True)
    level = models.CharField(_("Ebene der Daten"), max_length=16, choices=Area.Level.choices)
    disaggregations = models.JSONField(_("Aufgliederungen"), default=list, blank=True)
    open_sdg_id = models.CharField(_("Open-SDG-Kennung"), max_length=32, blank=True)
    decimals = models.PositiveSmallIntegerField(_("Nachkommastellen"), default=2)
    min_count = models.PositiveSmallIntegerField(
        _("Mindestfallzahl"),
        null=True,
        blank=True,
        help_text=_("Leer: die Voreinstellung LERNSTADT_DISCLOSURE_MIN_COUNT"),
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("Ziele"), blank=True, related_name="indicators"
    )

    class Meta:
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_de} ({self.code})"


class ImportRun(models.Model):
    """One import of a statistics file: who loaded what, when, and how much."""

    format = models.CharField(_("Format"), max_length=32)
    source = models.CharField(_("Quelle"), max_length=500)
    started_at = models.DateTimeField(_("Begonnen"))
    finished_at = models.DateTimeField(_("Beendet"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("Zeilen"), default=0)
    observations = models.PositiveIntegerField(_("Beobachtungen"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benutzer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    by = models.CharField(_("Durch"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("Importlauf")
        verbose_name_plural = _("Importläufe")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.format}: {self.source}"


class Observation(models.Model):
    """One value of an indicator for an area, a period and a breakdown."""

    # No index of its own: the unique cell and the (indicator, period) index start with it.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("Indikator"),
        on_delete=models.CASCADE,
        related_name="observations",
        db_index=False,
    )
    area = models.ForeignKey(Area, verbose_name=_("Gebiet"), on_delete=models.PROTECT)
    period = models.PositiveSmallIntegerField(_("Jahr"))
    breakdown = models.CharField(_("Aufgliederung"), max_length=300, blank=True, default="")
    value = models.FloatField(_("Wert"), null=True, blank=True)
    numerator = models.FloatField(_("Zähler"), null=True, blank=True)
    denominator = models.FloatField(_("Nenner"), null=True, blank=True)
    provisional = models.BooleanField(_("vorläufig"), default=False)
    estimated = models.BooleanField(_("geschätzt"), default=False)
    break_in_series = models.BooleanField(_("Zeitreihenbruch"), default=False)
    confidential = models.BooleanField(_("geheim gehalten"), default=False)
    run = models.ForeignKey(
        ImportRun, verbose_name=_("Importlauf"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("Beobachtung")
        verbose_name_plural = _("Beobachtungen")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "breakdown"],
                name="observation_unique_cell",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="observation_ind_period")]

    def __str__(self) -> str:
        cell = f"{self.indicator_id} {self.area_id} {self.period}"
        return f"{cell} [{self.breakdown}]" if self.breakdown else cell


class Target(models.Model):
    """A value the city wants an indicator to reach by a year."""

    class Kind(models.TextChoices):
        AT_LEAST = "at_least", _("mindestens")
        AT_MOST = "at_most", _("höchstens")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("Indikator"), on_delete=models.CASCADE, related_name="targets"
    )
    area = models.ForeignKey(Area, verbose_name=_("Gebiet"), on_delete=models.PROTECT)
    goal = models.ForeignKey(
        Goal, verbose_name=GOAL, on_delete=models.SET_NULL, null=True, blank=True
    )
    year = models.PositiveSmallIntegerField(_("Zieljahr"))
    value = models.FloatField(_("Zielwert"))
    direction = models.CharField(_("Richtung"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("Anmerkung"), blank=True)

    class Meta:
        verbose_name = _("Zielwert")
        verbose_name_plural = _("Zielwerte")
        ordering = ["indicator", "year"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.direction} {self.value} ({self.year})"


class Measure(models.Model):
    """A recommendation for action towards a goal, with who is responsible."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        IN_PROGRESS = "in_progress", _("in Umsetzung")
        DONE = "done", _("umgesetzt")
        PAUSED = "paused", _("ruht")

    goal = models.ForeignKey(
        Goal, verbose_name=GOAL, on_delete=models.CASCADE, related_name="measures"
    )
    title_de = models.CharField(_("Titel (deutsch)"), max_length=300)
    title_en = models.CharField(_("Titel (englisch)"), max_length=300, blank=True)
    description_de = models.TextField(_("Beschreibung (deutsch)"), blank=True)
    description_en = models.TextField(_("Beschreibung (englisch)"), blank=True)
    responsible = models.CharField(_("Verantwortlich"), max_length=300)
    status = models.CharField(
        _("Stand"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["goal", "title_de"]

    def __str__(self) -> str:
        return self.title_de


class LeaverRecord(models.Model):
    """One school leaver, pseudonymous: no name, no birth date, no person key."""

    year = models.PositiveSmallIntegerField(_("Abgangsjahr"))
    school_number = models.CharField(_("Schulnummer"), max_length=6)
    school_type = models.CharField(_("Schulform"), max_length=4)
    district = models.ForeignKey(
        Area, verbose_name=_("Statistischer Bezirk"), on_delete=models.PROTECT
    )
    sex = models.CharField(_("Geschlecht"), max_length=1)
    nationality = models.CharField(_("Staatsangehörigkeit"), max_length=8)
    qualification = models.CharField(_("Abschluss"), max_length=8)
    run = models.ForeignKey(ImportRun, verbose_name=_("Importlauf"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("Schulabgang")
        verbose_name_plural = _("Schulabgänge")
        indexes = [models.Index(fields=["year"], name="leaverrecord_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.school_number} {self.qualification}"


class Boundary(models.Model):
    """The outline of an area for maps, from an official or a city-provided GeoJSON.

    The geometry is a GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude
    (RFC 7946 winding), simplified for maps at about 1:5,000,000. The project never
    draws an area it has no boundary for.
    """

    area = models.OneToOneField(
        Area, verbose_name=_("Gebiet"), on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(_("Geometrie"))
    source = models.CharField(_("Quelle"), max_length=500)
    attribution = models.CharField(_("Namensnennung"), max_length=300, blank=True)
    vintage = models.PositiveSmallIntegerField(_("Gebietsstand (Jahr)"), null=True, blank=True)
    run = models.ForeignKey(
        ImportRun, verbose_name=_("Importlauf"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("Gebietsgrenze")
        verbose_name_plural = _("Gebietsgrenzen")
        ordering = ["area__code"]

    def __str__(self) -> str:
        return str(self.area)
