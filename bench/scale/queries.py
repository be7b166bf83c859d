"""The queries of the regional benchmark: what citizens type, with filters, pages and sorts.

About seventy searches: single words, two words, many words (as a citizen asks in a
sentence), inflected plurals, umlauts typed both ways, official school numbers,
place words, facet filters, later pages and sorting by title. The same texts go to
our API and to datasette over HTTP, and rotate through the results page under load.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Search:
    """One call of ``search.search_offers``."""

    q: str
    selected: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    kind: str = "word"  # what the case stands for, for the per-kind figures

    @property
    def label(self) -> str:
        parts = [repr(self.q)]
        parts += [f"{facet}={'|'.join(values)}" for facet, values in self.selected.items()]
        if self.sort != "relevance":
            parts.append(f"sort={self.sort}")
        if self.page != 1:
            parts.append(f"page={self.page}")
        return " ".join(parts)

    def page_path(self) -> str:
        """The portal's results page for this search."""
        params: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        params += [(facet, value) for facet, values in self.selected.items() for value in values]
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.page != 1:
            params.append(("page", str(self.page)))
        return "/suche/?" + urlencode(params)


def _words(kind: str, *queries: str) -> list[Search]:
    return [Search(q, kind=kind) for q in queries]


# Three schools of Herne in the NRW register of 2021.
SCHOOL_NUMBERS = ("100116", "130576", "130588")

SEARCHES: list[Search] = [
    *_words(
        "single word",
        "Schwimmkurs",
        "Gitarre",
        "Bewerbungstraining",
        "Yoga",
        "Klavier",
        "Integrationskurs",
        "Hausaufgabenhilfe",
        "Smartphone",
        "Rückenschule",
        "Chor",
        "Ehrenamt",
        "Vorlesestunde",
        "Krabbelgruppe",
        "Schach",
        "Fotografie",
        "Gymnasium",
        "Berufskolleg",
        "Volkshochschule",
        "Kurs",
    ),
    *_words(
        "two words",
        "Deutschkurs A1",
        "Yoga Senioren",
        "Nachhilfe Mathe",
        "Englisch Anfänger",
        "Computerkurs Senioren",
        "Schwimmkurs Kinder",
        "Erste Hilfe",
        "Eltern Kind",
        "Excel Grundlagen",
        "Grundschule Herne",
        "Gesamtschule Bochum",
    ),
    *_words(
        "many words",
        "Schwimmkurs Kinder Wochenende Wanne Anfänger",
        "Yoga am Abend für Anfänger in Wanne",
        "Deutschkurs für Frauen mit Kinderbetreuung Herne",
    ),
    *_words(
        "inflected plural",
        "Schwimmkurse",
        "Gitarrenkurse",
        "Deutschkurse",
        "Sprachkurse",
        "Kochkurse",
        "Gymnasien",
        "Bewerbungen",
    ),
    *_words(
        "umlaut spelling",
        "Töpfern",
        "Toepfern",
        "Rueckenschule",
        "Tuerkisch",
        "Franzoesisch",
        "Düsseldorf",
        "Muelheim",
    ),
    *_words("school number", *SCHOOL_NUMBERS),
    *_words("place word", "Bochum", "Wanne", "Sodingen", "Herne-Eickel", "44623", "Köln"),
    Search("Yoga", {"borough": ["Herne-Wanne"]}, kind="facet filter"),
    Search("Deutschkurs", {"cost": ["free"]}, kind="facet filter"),
    Search("Schwimmkurs", {"life_phase": ["early_childhood", "school"]}, kind="facet filter"),
    Search("Nachhilfe", {"topic": ["school_support"], "language": ["tr"]}, kind="facet filter"),
    Search("Computerkurs", {"accessibility": ["wheelchair"]}, kind="facet filter"),
    Search("", {"topic": ["music"]}, kind="facet filter"),
    Search("", {"kind": ["institution"], "provider_kind": ["school"]}, kind="facet filter"),
    Search("Schwimmkurs", page=2, kind="page 2"),
    Search("Bochum", page=2, kind="page 2"),
    Search("Deutschkurs", page=3, kind="page 2"),
    Search("Gitarre", sort="title", kind="sort by title"),
    Search("Yoga", sort="title", kind="sort by title"),
    Search("", {"topic": ["sport"]}, sort="title", kind="sort by title"),
    Search("Erste Hilfe", sort="date", kind="sort by date"),
    Search("", kind="no words (home page)"),
]

# The texts that mean something to a plain full-text search (datasette, bare FTS).
TEXT_QUERIES: list[str] = list(dict.fromkeys(s.q for s in SEARCHES if s.q))

# More of what citizens type, added in session 14 after the searches above had been
# tuned for: measured apart (latency.py, "other searches") so that the figures above
# stay comparable from session to session. They found what the list above missed:
# "Bibliothek" matches 8,700 entries but few titles, so every match is ranked. In
# session 15, eight words for what an offer is like rather than what it is about
# (cost, access, time, who it is for): common in texts, rare in titles.
OTHER_SEARCHES: list[Search] = _words(
    "other",
    *("Kita Herne", "Volkshochschule Englisch", "Schwimmen Kinder", "Nachhilfe Mathematik"),
    *("Integrationskurs Herne Mitte", "Musikschule Gitarre", "Computerkurs für Senioren"),
    *("Tanzkurs", "Malen", "Bibliothek", "Hauptschule", "Realschule Herne", "Förderschule"),
    *("Ausbildung", "Berufsberatung", "Sprachcafe", "Yoga Rücken", "Elterncafé"),
    *("Hausaufgaben", "Abitur nachholen", "Deutsch B1", "Englisch für Kinder"),
    *("Programmieren lernen", "Nähen", "Kochen für Männer", "Schach für Kinder", "Theater"),
    *("Fahrrad", "Erste Hilfe Kurs Kinder", "Bewerbung schreiben Hilfe", "gymnasuim bochum"),
    "Kurse am Wochenende in Bochum für Jugendliche",
    *("kostenlos", "barrierefrei", "Rollstuhl", "Wochenende", "Ferien", "abends", "Anfänger"),
    "Senioren",
    # Session 15: 161 more, written down before any was measured (subjects, audiences,
    # places, weekdays, typos, school kinds, sentences), none of them above.
    *("Kurse", "Schule", "Schulen", "Kinder", "Jugendliche", "Erwachsene", "Familie", "Eltern"),
    *("Mutter", "Vater", "Baby", "Kleinkinder", "Sport", "Fußball", "Fussball", "Schwimmen"),
    *("Tanzen", "Musik", "Singen", "Kunst", "Malen Kinder", "Sprache", "Deutsch", "Englisch"),
    *("Türkisch", "Arabisch", "Ukrainisch", "Deutsch lernen", "Deutschkurs Anfänger"),
    *("Alphabetisierung", "Computer", "Internet", "Tablet Senioren", "Programmieren Kinder"),
    *("Beruf", "Job", "Arbeit", "Bewerbung", "Praktikum", "Studium", "Abschluss"),
    *("Schulabschluss", "Hauptschulabschluss", "Realschulabschluss", "Fachabitur"),
    *("Weiterbildung", "Umschulung", "Gesundheit", "Ernährung", "Kochen", "Backen", "Garten"),
    *("Natur", "Umwelt", "Klima", "Wald", "Tiere", "Hund", "Geschichte", "Politik", "Demokratie"),
    *("Religion", "Philosophie", "Literatur", "Lesen", "Vorlesen", "Bücher", "Schreiben", "Mathe"),
    *("Physik", "Beratung", "Hilfe", "Unterstützung", "Begleitung", "Treff", "Treffpunkt", "Café"),
    *("Frühstück", "Spielen", "Spielgruppe", "Krabbeln", "Herne", "Wanne-Eickel", "Holsterhausen"),
    *("Eickel", "Horsthausen", "Baukau", "Börnig", "Castrop-Rauxel", "Gelsenkirchen", "44625"),
    *("44649", "44651", "44652", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"),
    *("Samstag", "Sonntag", "morgens", "nachmittags", "gratis", "umsonst", "günstig"),
    *("Ermäßigung", "Rollstuhlgerecht", "barrierearm", "Gebärdensprache", "inklusiv", "Inklusion"),
    *("Migration", "Flucht", "Geflüchtete", "Frauen", "Männer", "Mädchen", "Jungen"),
    *("Senioren Computer", "Rentner", "Freiwillig", "Verein", "Nachbarschaft", "Kita"),
    *("Kindergarten", "Grundschule", "Gesamtschule", "Hochschule", "Universität", "VHS"),
    *("Bibliothek Herne", "Musikschule", "Jugendzentrum", "Familienzentrum", "Stadtteilzentrum"),
    *("Kirche", "Moschee", "schwimen", "gitare", "englich", "computr", "nachilfe"),
    *("hausaufgabenhlife", "kindergaten", "gymnasuim", "berufskoleg", "fusball"),
    *("Yoga für Schwangere", "Rückbildung", "Geburtsvorbereitung", "Babyschwimmen"),
    *("Eltern-Kind-Turnen", "Kinderturnen", "Seniorensport"),
    *("Kurs am Samstag für Kinder in Herne", "Deutsch lernen für Frauen mit Kind"),
    *("kostenloser Computerkurs für Senioren", "Hilfe bei Hausaufgaben Grundschule"),
    *("Nachhilfe Englisch Gymnasium Bochum", "Schwimmkurs für Erwachsene Anfänger"),
)
