"""Published tables: counts from the database, protected before they leave the engine.

``publish_table("school_leavers", 2024, ["district", "sex"])`` counts the school-leaver
records in SQL (one GROUP BY), adds every total, applies disclosure control
(:mod:`lernstadt.monitoring.disclosure`) to the whole table and returns it ready to print;
:func:`to_csv` prints it with one column per dimension and a ``value`` column.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Count

from lernstadt.monitoring import disclosure
from lernstadt.monitoring.disclosure import Cell, Table
from lernstadt.monitoring.models import Area, LeaverRecord

UNKNOWN = "unknown"  # a district without a borough


class TableRequestError(ValueError):
    """The table asked for does not exist (message in German, for the person asking)."""


@dataclass(frozen=True)
class Dimension:
    """A way to break a dataset down: the column to group by and its categories in order.

    ``categories`` lists the categories shown even when nobody falls in them (so that an
    empty group is printed as ``-``); categories found in the data are added after them.
    """

    name: str
    column: str
    categories: Callable[[], list[str]]


def _areas(level: str) -> Callable[[], list[str]]:
    return lambda: list(Area.objects.filter(level=level).values_list("code", flat=True))


def _fixed(*categories: str) -> Callable[[], list[str]]:
    return lambda: list(categories)


LEAVER_DIMENSIONS = {
    dimension.name: dimension
    for dimension in (
        Dimension("district", "district__code", _areas(Area.Level.DISTRICT)),
        Dimension("borough", "district__parent__code", _areas(Area.Level.BOROUGH)),
        Dimension("sex", "sex", _fixed("f", "m", "d")),
        Dimension("nationality", "nationality", _fixed("german", "foreign")),
        Dimension("qualification", "qualification", _fixed(*"none hsa hsa10 msa fhr ahr".split())),
        Dimension("school_type", "school_type", _fixed()),
    )
}
DATASETS = {"school_leavers": LEAVER_DIMENSIONS}


@dataclass(frozen=True)
class PublishedTable:
    """A table as it may be published: counts with totals, suppression applied."""

    dataset: str
    first_year: int
    last_year: int
    by: tuple[str, ...]
    table: Table

    def rows(self) -> Iterator[tuple[Cell, str]]:
        """Each printed cell with its value: a count, ``.`` withheld or ``-`` exactly zero."""
        for cell in self.table.published():
            yield cell, self.table.symbol(cell)


def publish_table(
    dataset: str, year: int, by: Sequence[str], pool_years: int = 1, minimum: int | None = None
) -> PublishedTable:
    """The table of ``dataset`` for ``year`` (pooled over ``pool_years`` years up to it) by
    the dimensions ``by``, with every total and with disclosure control applied.

    ``minimum`` is the smallest count published (default ``LERNSTADT_DISCLOSURE_MIN_COUNT``).
    Raises :class:`TableRequestError` for an unknown dataset or dimension.
    """
    dimensions = _dimensions(dataset, by)
    if pool_years < 1:
        raise TableRequestError("Es muss mindestens ein Jahr zusammengefasst werden (--pool-years)")
    first_year = year - pool_years + 1
    counts = _leaver_counts(dimensions, first_year, year)
    categories = {d.name: _categories(d, counts, index) for index, d in enumerate(dimensions)}
    table = disclosure.suppress(disclosure.cross_table(categories, counts), minimum)
    return PublishedTable(dataset, first_year, year, tuple(by), table)


def _dimensions(dataset: str, by: Sequence[str]) -> list[Dimension]:
    if dataset not in DATASETS:
        raise TableRequestError(
            f"Unbekannter Datensatz „{dataset}“. Vorhanden: {', '.join(DATASETS)}"
        )
    known = DATASETS[dataset]
    choices = f"Möglich sind: {', '.join(known)}"
    if not by:
        raise TableRequestError(f"Bitte mindestens eine Gliederung angeben. {choices}")
    unknown = [name for name in by if name not in known]
    if unknown:
        names = ", ".join(unknown)
        raise TableRequestError(f"Unbekannte Gliederung „{names}“ für {dataset}. {choices}")
    if len(set(by)) != len(by):
        raise TableRequestError("Jede Gliederung darf nur einmal vorkommen")
    return [known[name] for name in by]


def _leaver_counts(dimensions: list[Dimension], first_year: int, last_year: int) -> dict[Cell, int]:
    """Leavers per combination of the dimensions' categories, counted by the database."""
    columns = [dimension.column for dimension in dimensions]
    rows = (
        LeaverRecord.objects.filter(year__gte=first_year, year__lte=last_year)
        .values(*columns)
        .annotate(leavers=Count("pk"))
        .order_by()
    )
    counts: dict[Cell, int] = defaultdict(int)
    for row in rows:
        counts[tuple(row[column] or UNKNOWN for column in columns)] += row["leavers"]
    return counts


def _categories(dimension: Dimension, counts: dict[Cell, int], index: int) -> list[str]:
    shown = dimension.categories()
    found = sorted({cell[index] for cell in counts} - set(shown))
    return [*shown, *found]


def to_csv(published: PublishedTable) -> str:
    """The table as CSV: one column per dimension (``total`` in total rows) and ``value``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*published.by, "value"])
    for cell, value in published.rows():
        writer.writerow([*cell, value])
    return out.getvalue()
