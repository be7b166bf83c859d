"""Indicators derived from the school-leaver records.

The leaver indicators count leavers of general schools: every NRW school type
except the Berufskolleg (``30``), whose leavers mostly already hold a
qualification from a general school and would be counted twice. A share's
numerator is the leavers with the qualification, its denominator all leavers.

Observations are stored unprotected, with their counts;
:func:`lernstadt.monitoring.publishing.publish` is the gate every output passes.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Q

from lernstadt.monitoring.compute import gap_pp, share
from lernstadt.monitoring.models import Area, Indicator, LeaverRecord, Observation, breakdown_key

VOCATIONAL_SCHOOL = "30"  # Berufskolleg: not a general school

# indicator code -> the qualification it counts
SHARES = {
    "leavers_ahr_share": "ahr",
    "leavers_fhr_share": "fhr",
    "leavers_no_hsa_share": "none",
}


@dataclass(frozen=True)
class Gap:
    """A gap in percentage points: the share for ``first`` minus the share for ``second``."""

    share: str  # the share indicator's code
    dimension: str
    first: str
    second: str

    def breakdowns(self) -> tuple[str, str]:
        return (
            breakdown_key({self.dimension: self.first}),
            breakdown_key({self.dimension: self.second}),
        )


GAPS = {
    "leavers_ahr_gap_sex": Gap("leavers_ahr_share", "sex", "f", "m"),
    "leavers_no_hsa_gap_sex": Gap("leavers_no_hsa_share", "sex", "f", "m"),
    "leavers_ahr_gap_nationality": Gap("leavers_ahr_share", "nationality", "german", "foreign"),
    "leavers_no_hsa_gap_nationality": Gap(
        "leavers_no_hsa_share", "nationality", "german", "foreign"
    ),
}
LEAVER_INDICATORS = (*SHARES, *GAPS)

# A cell of the leaver counts: (year, area id, breakdown key).
Cell = tuple[int, int, str]


def ancestor(area: Area, levels: Iterable[str]) -> Area | None:
    """The nearest area above ``area`` whose level is the first of ``levels`` found."""
    chain = []
    above = area.parent
    while above is not None:
        chain.append(above)
        above = above.parent
    for level in levels:
        for candidate in chain:
            if candidate.level == level:
                return candidate
    return None


def places(district_ids: Iterable[int]) -> dict[int, list[Area]]:
    """For each district: the district, its borough and the city, as far as they exist."""
    districts = Area.objects.filter(id__in=list(district_ids)).select_related(
        "parent", "parent__parent", "parent__parent__parent"
    )
    found = {}
    for district in districts:
        borough = ancestor(district, [Area.Level.BOROUGH])
        city = ancestor(district, [Area.Level.MUNICIPALITY, Area.Level.COUNTY])
        found[district.id] = [area for area in (district, borough, city) if area is not None]
    return found


def leaver_counts(years: set[int]) -> dict[Cell, Counter[str]]:
    """Leavers of general schools counted by cell: ``total`` and one count per qualification.

    One GROUP BY query by year, district, sex and nationality; the sums for
    boroughs, the city, sex and nationality are added up from those groups.
    """
    counted = {
        qualification: Count("id", filter=Q(qualification=qualification))
        for qualification in SHARES.values()
    }
    groups = (
        LeaverRecord.objects.filter(year__in=years)
        .exclude(school_type=VOCATIONAL_SCHOOL)
        .values("year", "district_id", "sex", "nationality")
        .annotate(total=Count("id"), **counted)
        .order_by()
    )
    rows = cast(list[dict[str, Any]], list(groups))
    areas = places({row["district_id"] for row in rows})
    cells: dict[Cell, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts = Counter({key: row[key] for key in ("total", *SHARES.values())})
        district, *above = areas[row["district_id"]]
        city = above[-1] if above else district
        targets: list[Cell] = [(row["year"], area.id, "") for area in (district, *above)]
        targets += [
            (row["year"], city.id, breakdown_key({"sex": row["sex"]})),
            (row["year"], city.id, breakdown_key({"nationality": row["nationality"]})),
        ]
        for cell in targets:
            cells[cell].update(counts)
    return cells


def share_observations(
    indicators: dict[str, Indicator], cells: dict[Cell, Counter[str]]
) -> list[Observation]:
    """One observation per share indicator and cell, with numerator and denominator."""
    found = []
    for code, qualification in SHARES.items():
        if code not in indicators:
            continue
        # Sorted, so that exports list a year's breakdowns in the same order every time.
        for (year, area_id, breakdown), counts in sorted(cells.items()):
            numerator, denominator = counts[qualification], counts["total"]
            found.append(
                Observation(
                    indicator=indicators[code],
                    area_id=area_id,
                    period=year,
                    breakdown=breakdown,
                    value=share(numerator, denominator),
                    numerator=numerator,
                    denominator=denominator,
                )
            )
    return found


def gap_observations(
    indicators: dict[str, Indicator], cells: dict[Cell, Counter[str]]
) -> list[Observation]:
    """One observation per gap indicator, year and city: the two shares' difference."""
    found = []
    for code, gap in GAPS.items():
        if code not in indicators:
            continue
        qualification = SHARES[gap.share]
        first_key, second_key = gap.breakdowns()
        for (year, area_id, breakdown), first in cells.items():
            if breakdown != first_key or (year, area_id, second_key) not in cells:
                continue
            second = cells[(year, area_id, second_key)]
            value = gap_pp(
                share(first[qualification], first["total"]),
                share(second[qualification], second["total"]),
            )
            if value is not None:
                found.append(
                    Observation(
                        indicator=indicators[code], area_id=area_id, period=year, value=value
                    )
                )
    return found


@transaction.atomic
def refresh_leaver_indicators(years: set[int]) -> int:
    """Recompute the leaver indicators for ``years`` from the leaver records.

    Replaces every stored observation of those indicators in those years, so it
    can run after each import. Indicators not defined (by the city pack) are
    skipped. Returns the number of observations written.
    """
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=LEAVER_INDICATORS)}
    Observation.objects.filter(indicator__in=indicators.values(), period__in=years).delete()
    cells = leaver_counts(years)
    found = share_observations(indicators, cells) + gap_observations(indicators, cells)
    Observation.objects.bulk_create(found, batch_size=1000)
    return len(found)
