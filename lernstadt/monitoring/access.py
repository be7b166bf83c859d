"""Finding what a request names: an indicator by its code, an area by its key.

The API and the downloads share these look-ups, so that both answer an unknown
code with the same German message. Every indicator, goal and area of the
monitoring is public; what needs protecting are values, and they pass the gate
in :mod:`lernstadt.monitoring.publishing`.
"""

from collections.abc import Iterator, Sequence

from lernstadt.monitoring.comparison import UnknownArea, resolve_area
from lernstadt.monitoring.disclosure import CONFIDENTIAL, ZERO, Cell
from lernstadt.monitoring.models import Area, Indicator, LeaverRecord
from lernstadt.monitoring.tables import DATASETS, PublishedTable, publish_table

__all__ = [
    "NoData",
    "UnknownArea",
    "UnknownDataset",
    "UnknownIndicator",
    "area_for",
    "indicator",
    "table",
    "table_cells",
]


class UnknownIndicator(LookupError):
    """No indicator has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Unbekannter Indikator „{code}“.")
        self.code = code


def indicator(code: str) -> Indicator:
    """The indicator with ``code``; raises :class:`UnknownIndicator`."""
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise UnknownIndicator(code)
    return found


def area_for(code: str, indicator: Indicator) -> Area:
    """The area ``code`` names, at the level of ``indicator``'s data (``05916000`` = ``05916``).

    Raises :class:`UnknownArea`.
    """
    return resolve_area(code, indicator)


class UnknownDataset(LookupError):
    """No published table has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Unbekannter Datensatz „{name}“. Vorhanden: {', '.join(DATASETS)}")


class NoData(LookupError):
    """The dataset has no records in the years asked for."""

    def __init__(self, first_year: int, last_year: int) -> None:
        years = str(last_year) if first_year == last_year else f"{first_year}–{last_year}"
        super().__init__(f"Für {years} liegen keine Schulabgangsdaten vor.")


def table(dataset: str, year: int, by: Sequence[str], pool_years: int = 1) -> PublishedTable:
    """The published table of ``dataset`` (see :func:`tables.publish_table`).

    Raises :class:`UnknownDataset`, :class:`NoData` when no record falls in the years,
    or :class:`lernstadt.monitoring.tables.TableRequestError` for a bad request.
    """
    if dataset not in DATASETS:
        raise UnknownDataset(dataset)
    first_year = year - max(pool_years, 1) + 1
    if not LeaverRecord.objects.filter(year__gte=first_year, year__lte=year).exists():
        raise NoData(first_year, year)
    return publish_table(dataset, year, by, pool_years)


def table_cells(published: PublishedTable) -> Iterator[tuple[Cell, int | None, str]]:
    """Each printed cell with its count (None = withheld) and symbol (".", "-" or "")."""
    for cell, count in published.table.published().items():
        yield cell, count, CONFIDENTIAL if count is None else (ZERO if count == 0 else "")
