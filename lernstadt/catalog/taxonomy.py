"""The controlled vocabularies of the catalogue.

Codes are stable English identifiers used in files and the API; labels are
German first and translated through the usual gettext catalogue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LifePhase(models.TextChoices):
    EARLY_CHILDHOOD = "early_childhood", _("Frühe Kindheit")
    SCHOOL = "school", _("Schule")
    TRANSITION = "transition", _("Ausbildung und Übergang in den Beruf")
    ADULTS = "adults", _("Erwachsene")
    SENIORS = "seniors", _("Seniorinnen und Senioren")
    FAMILIES = "families", _("Familien")


class Topic(models.TextChoices):
    LANGUAGE = "language", _("Sprachen und Deutsch lernen")
    SCHOOL_SUPPORT = "school_support", _("Lernförderung und Nachhilfe")
    CAREER = "career", _("Beruf und Ausbildung")
    DIGITAL = "digital", _("Digitales und Medien")
    SCIENCE = "science", _("Naturwissenschaft und Technik")
    CULTURE = "culture", _("Kultur und Kunst")
    MUSIC = "music", _("Musik")
    SPORT = "sport", _("Sport und Bewegung")
    HEALTH = "health", _("Gesundheit")
    PARENTING = "parenting", _("Familie und Erziehung")
    SOCIETY = "society", _("Politik und Gesellschaft")
    VOLUNTEERING = "volunteering", _("Ehrenamt und Engagement")
    EARLY_LEARNING = "early_learning", _("Frühkindliche Bildung und Betreuung")
    GENERAL_EDUCATION = "general_education", _("Schulabschlüsse und Allgemeinbildung")


class TargetGroup(models.TextChoices):
    CHILDREN = "children", _("Kinder")
    YOUTH = "youth", _("Jugendliche")
    PARENTS = "parents", _("Eltern")
    WOMEN = "women", _("Frauen")
    NEWCOMERS = "newcomers", _("Neu Zugewanderte")
    JOBSEEKERS = "jobseekers", _("Arbeitsuchende")
    DISABILITIES = "disabilities", _("Menschen mit Behinderung")
    SENIORS = "seniors", _("Ältere Menschen")
    EVERYONE = "everyone", _("Alle")


class Language(models.TextChoices):
    GERMAN = "de", _("Deutsch")
    EASY_GERMAN = "de-easy", _("Leichte Sprache")
    ENGLISH = "en", _("Englisch")
    TURKISH = "tr", _("Türkisch")
    ARABIC = "ar", _("Arabisch")
    POLISH = "pl", _("Polnisch")
    RUSSIAN = "ru", _("Russisch")
    UKRAINIAN = "uk", _("Ukrainisch")
    ROMANIAN = "ro", _("Rumänisch")
    BULGARIAN = "bg", _("Bulgarisch")
    PERSIAN = "fa", _("Persisch")
    KURDISH = "ku", _("Kurdisch")
    GREEK = "el", _("Griechisch")
    SPANISH = "es", _("Spanisch")
    FRENCH = "fr", _("Französisch")
    ITALIAN = "it", _("Italienisch")
    GERMAN_SIGN = "gsg", _("Deutsche Gebärdensprache")


class Accessibility(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Rollstuhlgerecht")
    STEP_FREE = "step_free", _("Stufenloser Zugang")
    ACCESSIBLE_TOILET = "accessible_toilet", _("Barrierefreies WC")
    HEARING_LOOP = "hearing_loop", _("Induktionsschleife")
    SIGN_LANGUAGE = "sign_language", _("Gebärdensprache")
    EASY_LANGUAGE = "easy_language", _("Leichte Sprache")
    CHILDCARE = "childcare", _("Kinderbetreuung während des Angebots")
    ONLINE = "online", _("Online-Teilnahme möglich")


class Cost(models.TextChoices):
    FREE = "free", _("Kostenlos")
    REDUCED = "reduced", _("Ermäßigung möglich")
    PAID = "paid", _("Kostenpflichtig")


class ProviderKind(models.TextChoices):
    SCHOOL = "school", _("Schule")
    DAY_CARE = "day_care", _("Kindertageseinrichtung")
    ADULT_EDUCATION = "adult_education", _("Volkshochschule und Weiterbildung")
    LIBRARY = "library", _("Bibliothek")
    MUSIC_SCHOOL = "music_school", _("Musikschule")
    CLUB = "club", _("Verein")
    YOUTH_CENTRE = "youth_centre", _("Jugendzentrum")
    VOCATIONAL_COLLEGE = "vocational_college", _("Berufskolleg")
    UNIVERSITY = "university", _("Hochschule")
    COMPANY = "company", _("Unternehmen")
    ASSOCIATION = "association", _("Verband und Initiative")
    PUBLIC_AGENCY = "public_agency", _("Behörde und Beratungsstelle")
    FAMILY_CENTRE = "family_centre", _("Familienzentrum und Familienbildung")
    CULTURE = "culture", _("Kultureinrichtung")
    OTHER = "other", _("Sonstige")


class OfferStatus(models.TextChoices):
    PUBLISHED = "published", _("Veröffentlicht")
    DRAFT = "draft", _("Entwurf")
    CANCELLED = "cancelled", _("Abgesagt")
    ARCHIVED = "archived", _("Archiviert")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("In Betrieb")
    CLOSED = "closed", _("Geschlossen")


# The school-leaving qualifications each NRW school form (register key "Schulform")
# leads to, as the school law sets them: a citizen looking for "Abitur nachholen"
# looks for the schools that award it. Indexed as vocabulary words (weighing least),
# German only, since they are search words and not shown.
_SECONDARY = ("Hauptschulabschluss", "Mittlerer Schulabschluss", "Fachoberschulreife")
_UPPER = ("Abitur", "Allgemeine Hochschulreife", "Fachhochschulreife", "Oberstufe")
_SECOND_CHANCE = ("nachholen", "zweiter Bildungsweg", "Abendschule")
QUALIFICATIONS_BY_SCHOOL_FORM: dict[str, tuple[str, ...]] = {
    "04": _SECONDARY,  # Hauptschule
    "10": _SECONDARY,  # Realschule
    "13": _SECONDARY,  # PRIMUS-Schule
    "14": _SECONDARY,  # Sekundarschule
    "16": _SECONDARY,  # Gemeinschaftsschule
    "15": _SECONDARY + _UPPER,  # Gesamtschule
    "17": _SECONDARY + _UPPER,  # Freie Waldorfschule
    "18": _SECONDARY + _UPPER,  # Hiberniaschule
    "20": ("Mittlerer Schulabschluss", *_UPPER),  # Gymnasium
    "25": _SECONDARY + _UPPER + _SECOND_CHANCE,  # Weiterbildungskolleg
    "30": ("Fachhochschulreife", "Berufsabschluss", "Berufsausbildung"),  # Berufskolleg
}


VOCABULARIES: dict[str, type[models.TextChoices]] = {
    "life_phases": LifePhase,
    "topics": Topic,
    "target_groups": TargetGroup,
    "languages": Language,
    "accessibility": Accessibility,
}


def unknown_codes(vocabulary: type[models.TextChoices], codes: list[str]) -> list[str]:
    """The codes in ``codes`` that the vocabulary does not know."""
    known = set(vocabulary.values)
    return [code for code in codes if code not in known]


def label(vocabulary: type[models.TextChoices], code: str) -> str:
    """The label of ``code``, or the code itself if unknown."""
    try:
        return str(vocabulary(code).label)
    except ValueError:
        return code
