"""CSV downloads of the monitoring, each with a data dictionary (Datenlexikon).

- ``/monitoring/daten/<indicator>.csv``: every published value of an indicator, tidy:
  one row per area, year and breakdown (optional ``area``, ``period_from``,
  ``period_to``, ``by`` as in the API).
- ``/monitoring/daten/<indicator>/datenlexikon.csv``: what each column means, the
  indicator's definition, unit, source and licence, and the symbols.
- ``/monitoring/tabellen/<dataset>.csv?year=&by=&pool_years=``: a published table of
  counts with totals, and ``/monitoring/tabellen/<dataset>/datenlexikon.csv``.

Files are written for Excel with German settings, which opens them by double click:
UTF-8 with a byte order mark (without it Excel reads Windows-1252 and breaks umlauts),
semicolons between fields and a decimal comma. Every value has passed the disclosure
gate; a withheld one leaves ``value`` empty with the symbol ``.``.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from lernstadt.cities.pack import current_city
from lernstadt.monitoring import access, publishing
from lernstadt.monitoring.disclosure import TOTAL, default_minimum
from lernstadt.monitoring.models import Area, Direction, Indicator
from lernstadt.monitoring.publishing import PublishedObservation, Selection, SelectionError
from lernstadt.monitoring.tables import LEAVER_DIMENSIONS, PublishedTable, TableRequestError

BOM = "\ufeff"
DELIMITER = ";"
FILE_NOTE = (
    "UTF-8 mit Byte-Order-Mark, Trennzeichen Semikolon, Dezimalkomma, Zeilenende CRLF: "
    "Excel mit deutscher Spracheinstellung öffnet die Datei per Doppelklick richtig. "
    "Andere Programme: Trennzeichen ; und Dezimalzeichen , angeben."
)
SYMBOLS = (
    "„.“ Zahlenwert unbekannt oder geheim zu halten (value ist dann leer); "
    "„-“ genau null (value ist 0); leer: Wert veröffentlicht."
)
DISCLOSURE_NOTE = (
    "Kein veröffentlichter Wert lässt eine kleine Gruppe erkennen: Fallzahlen unter der "
    "Mindestfallzahl werden geheim gehalten, dazu so viele weitere, dass keiner aus Summen "
    "und anderen Werten zurückgerechnet werden kann (geprüft mit linearer Optimierung). "
    "Anteile erscheinen nur, wenn Zähler, Rest und Nenner sicher sind. Methode: "
    "docs/monitoring.md."
)
DIMENSIONS_DE = {
    "sex": "Geschlecht: f weiblich, m männlich, d divers.",
    "nationality": "Staatsangehörigkeit: german deutsch, foreign nichtdeutsch.",
    "qualification": (
        "Abschluss: none ohne Hauptschulabschluss, hsa Hauptschulabschluss nach Klasse 9, "
        "hsa10 Hauptschulabschluss nach Klasse 10, msa Fachoberschulreife (mittlerer "
        "Schulabschluss), fhr Fachhochschulreife, ahr Allgemeine Hochschulreife."
    ),
    "school_type": (
        "Schulform nach dem Schlüssel der Schulstatistik NRW, z. B. 02 Grundschule, "
        "04 Hauptschule, 10 Realschule, 14 Sekundarschule, 15 Gesamtschule, 20 Gymnasium, "
        "30 Berufskolleg."
    ),
    "district": "Statistischer Bezirk (Gebietscode des Stadtpakets).",
    "borough": "Stadtbezirk (Gebietscode des Stadtpakets); unknown: Bezirk ohne Stadtbezirk.",
}
UNITS_DE = {
    "percent": "Prozent",
    "percentage points": "Prozentpunkte",
    "count": "Anzahl",
    "persons": "Personen",
    "years": "Jahre",
    "EUR": "Euro",
    "per 100": "je 100",
    "per 1000": "je 1.000",
    "index": "Index",
}
DIRECTIONS_DE = {
    Direction.UP: "höher ist besser",
    Direction.DOWN: "niedriger ist besser",
    Direction.TOWARDS_ZERO: "näher an null ist besser",
    Direction.CONTEXT: "Kontext, keine Wertung",
}
LEVELS_DE = {
    Area.Level.STATE: "Land",
    Area.Level.COUNTY: "Kreis / kreisfreie Stadt",
    Area.Level.MUNICIPALITY: "Gemeinde",
    Area.Level.BOROUGH: "Stadtbezirk",
    Area.Level.DISTRICT: "Statistischer Bezirk",
}
DATASETS_DE = {
    "school_leavers": (
        "Schulabgängerinnen und Schulabgänger aller Schulformen (auch Berufskolleg, "
        "Schulform 30) nach dem Kalenderjahr, in dem das Schuljahr endete; aus den "
        "pseudonymisierten Abgangsdaten der Stadt (Importformat leavers)."
    ),
}

Rows = Iterable[Sequence[str]]
View = Callable[..., HttpResponse]


class BadRequest(ValueError):
    """A query parameter that cannot be used (message in German)."""


def plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def answers_in_german(view: View) -> View:
    """Unknown codes become 404, unusable parameters 400, each with a German text."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (access.UnknownIndicator, access.UnknownArea, access.UnknownDataset) as error:
            return plain(404, str(error.args[0]))
        except access.NoData as error:  # a year without records: nothing to download
            return plain(404, str(error.args[0]))
        except (BadRequest, SelectionError, TableRequestError) as error:
            return plain(400, str(error))

    return wrapper


def csv_response(rows: Rows, filename: str) -> HttpResponse:
    """A CSV attachment for Excel with German settings (see the module text)."""
    out = io.StringIO()
    out.write(BOM)
    csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n").writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def decimal(value: float | None, decimals: int) -> str:
    """``value`` with ``decimals`` places and a decimal comma; empty for ``None``."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # no "-0,0"
    return text.replace(".", ",")


def year(request: HttpRequest, name: str) -> int | None:
    """A year from the query string, or ``None`` when absent; raises :class:`BadRequest`."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise BadRequest(f"{name} muss ein Jahr zwischen 1900 und 2100 sein, nicht „{raw}“.")
    return int(raw)


def required_year(request: HttpRequest, name: str) -> int:
    found = year(request, name)
    if found is None:
        raise BadRequest(f"Bitte {name} angeben (ein Jahr, z. B. {name}=2022).")
    return found


def names(raw: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in raw.split(",") if name.strip())


# --- an indicator's values ----------------------------------------------------------------


def observation_rows(
    indicator: Indicator, found: Sequence[PublishedObservation], dimensions: Sequence[str]
) -> Rows:
    """Header and one row per published observation."""
    yield ["indicator", "area_code", "area_name", "period", *dimensions, "value", "symbol", "flags"]
    for row in found:
        yield [
            indicator.code,
            row.area_code,
            row.area_name,
            str(row.period),
            *(row.breakdown.get(name, "") for name in dimensions),
            decimal(row.value, indicator.decimals),
            row.symbol,
            row.flags(),
        ]


def selection(request: HttpRequest, indicator: Indicator) -> Selection:
    """What the query string asks for: area, period_from, period_to, by."""
    code = request.GET.get("area", "").strip()
    return Selection(
        area=access.area_for(code, indicator) if code else None,
        period_from=year(request, "period_from"),
        period_to=year(request, "period_to"),
        by=names(request.GET.get("by", "")),
    )


@require_safe
@answers_in_german
def indicator_csv(request: HttpRequest, code: str) -> HttpResponse:
    """Every published value of an indicator as a tidy CSV file."""
    indicator = access.indicator(code)
    observations = list(publishing.selected(indicator, selection(request, indicator)))
    found = publishing.published_observations(observations)
    rows = observation_rows(indicator, found, publishing.dimensions(indicator))
    return csv_response(rows, f"{indicator.code}.csv")


def column_rows(indicator: Indicator, dimensions: Sequence[str]) -> Rows:
    unit = UNITS_DE.get(indicator.unit, indicator.unit)
    yield ["indicator", "Spalte", f"Kennung des Indikators: {indicator.code}."]
    yield [
        "area_code",
        "Spalte",
        "Gebietsschlüssel: amtlich (05 Land, 05916 Kreis bzw. kreisfreie Stadt, "
        "05916000 Gemeinde) oder Gebietscode des Stadtpakets (Stadtbezirke, statistische "
        "Bezirke).",
    ]
    yield ["area_name", "Spalte", "Name des Gebiets."]
    yield ["period", "Spalte", "Jahr; bei Schuldaten das Jahr, in dem das Schuljahr endete."]
    for name in dimensions:
        meaning = DIMENSIONS_DE.get(name, f"Aufgliederung „{name}“ wie in der Quelle.")
        yield [name, "Spalte", f"{meaning} Leer: insgesamt (nicht aufgegliedert)."]
    yield [
        "value",
        "Spalte",
        f"Wert in {unit}, mit {indicator.decimals} Nachkommastellen und Dezimalkomma. "
        "Leer, wenn der Wert geheim gehalten wird oder nicht vorliegt (siehe symbol).",
    ]
    yield ["symbol", "Spalte", SYMBOLS]
    yield [
        "flags",
        "Spalte",
        "Kennzeichen: p vorläufig, e geschätzt, b Zeitreihenbruch, "
        "c von der Quelle geheim gehalten.",
    ]


def indicator_rows(indicator: Indicator) -> Rows:
    minimum = default_minimum() if indicator.min_count is None else indicator.min_count
    goals = ", ".join(indicator.goals.order_by("order").values_list("title_de", flat=True))
    facts = [
        ("name_de", indicator.name_de),
        ("name_en", indicator.name_en),
        ("definition", indicator.definition_de),
        ("numerator", indicator.numerator),
        ("denominator", indicator.denominator),
        ("unit", UNITS_DE.get(indicator.unit, indicator.unit)),
        ("direction", DIRECTIONS_DE.get(Direction(indicator.direction), indicator.direction)),
        ("level", LEVELS_DE.get(Area.Level(indicator.level), indicator.level)),
        ("decimals", str(indicator.decimals)),
        ("source", indicator.source or "nicht angegeben"),
        ("licence", indicator.licence or "nicht angegeben"),
        ("update_cycle", indicator.update_cycle),
        ("goals", goals),
        ("min_count", f"{minimum} (Mindestfallzahl der Geheimhaltung)"),
    ]
    for name, text in facts:
        yield [name, "Indikator", text]


def file_rows() -> Rows:
    yield ["encoding", "Datei", FILE_NOTE]
    yield ["disclosure", "Datei", DISCLOSURE_NOTE]
    yield ["created", "Datei", date.today().isoformat()]


@require_safe
@answers_in_german
def indicator_dictionary(request: HttpRequest, code: str) -> HttpResponse:
    """The data dictionary of an indicator's CSV file."""
    indicator = access.indicator(code)
    rows = [
        ["name", "kind", "description"],
        *column_rows(indicator, publishing.dimensions(indicator)),
        *indicator_rows(indicator),
        *file_rows(),
    ]
    return csv_response(rows, f"{indicator.code}_datenlexikon.csv")


# --- published tables ---------------------------------------------------------------------


def table_rows(published: PublishedTable) -> Rows:
    yield [*published.by, "value", "symbol"]
    for cell, count, symbol in access.table_cells(published):
        yield [*cell, "" if count is None else str(count), symbol]


def years_name(published: PublishedTable) -> str:
    if published.first_year == published.last_year:
        return str(published.last_year)
    return f"{published.first_year}-{published.last_year}"


@require_safe
@answers_in_german
def table_csv(request: HttpRequest, dataset: str) -> HttpResponse:
    """A published table of counts with totals and suppression, as CSV."""
    by = names(request.GET.get("by", ""))
    pool = request.GET.get("pool_years", "1").strip() or "1"
    if not pool.isdigit() or not 1 <= int(pool) <= 10:
        raise BadRequest(f"pool_years muss eine Zahl von 1 bis 10 sein, nicht „{pool}“.")
    last = required_year(request, "year")
    published = access.table(dataset, last, by, int(pool))
    filename = f"{dataset}_{years_name(published)}_{'_'.join(published.by)}.csv"
    return csv_response(table_rows(published), filename)


@require_safe
@answers_in_german
def table_dictionary(request: HttpRequest, dataset: str) -> HttpResponse:
    """The data dictionary of a published table."""
    if dataset not in DATASETS_DE:
        raise access.UnknownDataset(dataset)
    rows: list[Sequence[str]] = [["name", "kind", "description"]]
    for name in LEAVER_DIMENSIONS:
        rows.append(
            [name, "Spalte", f"{DIMENSIONS_DE[name]} {TOTAL}: Summe über alle Ausprägungen."]
        )
    rows += [
        ["value", "Spalte", "Anzahl; leer, wenn geheim gehalten (siehe symbol)."],
        ["symbol", "Spalte", SYMBOLS],
        ["dataset", "Tabelle", DATASETS_DE[dataset]],
        ["year", "Tabelle", "Abgangsjahr; mit pool_years=N die N Jahre bis dahin zusammen."],
        ["min_count", "Tabelle", f"{default_minimum()} (Mindestfallzahl der Geheimhaltung)"],
        ["source", "Tabelle", f"Stadt {current_city().name}, pseudonymisierte Abgangsdaten."],
        ["licence", "Tabelle", "nicht angegeben"],
        *file_rows(),
    ]
    return csv_response(rows, f"{dataset}_datenlexikon.csv")
