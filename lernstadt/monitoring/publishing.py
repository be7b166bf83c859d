"""The gate every published observation passes: command, API, download, page or report.

Observations are stored unprotected, with their counts. :func:`publish` judges
each one within the whole table it belongs to (every area and breakdown of its
indicator and period), with the indicator's own minimum, through
:func:`lernstadt.monitoring.disclosure.protect_observations`, and adds the rule
for gaps: a gap between two shares is withheld when either share is, since the
gap and the other share would give it away.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import QuerySet

from lernstadt.monitoring import disclosure
from lernstadt.monitoring.derive import GAPS, LEAVER_INDICATORS, SHARES, Gap
from lernstadt.monitoring.disclosure import Published, Reason
from lernstadt.monitoring.models import Area, Indicator, Observation, breakdown_dict


def minimums(indicator_ids: Iterable[int]) -> dict[int, int]:
    """The disclosure minimum per indicator: its own, else the configured default."""
    default = int(settings.LERNSTADT_DISCLOSURE_MIN_COUNT)
    found = Indicator.objects.filter(id__in=set(indicator_ids)).values_list("id", "min_count")
    return {pk: default if own is None else own for pk, own in found}


# What identifies an observation in a table: (indicator id, period, area id, breakdown).
Key = tuple[int, int, int, str]


def key(observation: Observation) -> Key:
    return (
        observation.indicator_id,
        observation.period,
        observation.area_id,
        observation.breakdown,
    )


def leaver_ids() -> tuple[dict[int, Gap], dict[str, int]]:
    """The gap indicators by id, and the ids of the share indicators by code."""
    found = dict(Indicator.objects.filter(code__in=LEAVER_INDICATORS).values_list("code", "id"))
    gaps = {found[code]: gap for code, gap in GAPS.items() if code in found}
    return gaps, {code: found[code] for code in SHARES if code in found}


def tables_for(
    observations: Sequence[Observation], gaps: dict[int, Gap], shares: dict[str, int]
) -> list[Observation]:
    """Whole tables (every area and breakdown of an indicator and period) behind the counts.

    The gate can only protect a cell when it sees the table it belongs to: the
    observations with counts, and the shares behind each gap.
    """
    wanted: set[tuple[int, int]] = set()
    for observation in observations:
        if observation.numerator is not None:
            wanted.add((observation.indicator_id, observation.period))
        gap = gaps.get(observation.indicator_id)
        if gap is not None and gap.share in shares:
            wanted.add((shares[gap.share], observation.period))
    if not wanted:
        return []
    candidates = Observation.objects.filter(
        indicator_id__in={indicator for indicator, _ in wanted},
        period__in={period for _, period in wanted},
    ).select_related("area")
    return [o for o in candidates if (o.indicator_id, o.period) in wanted]


def protect_by_indicator(observations: Iterable[Observation]) -> dict[Key, Published]:
    """M2's gate, one call per indicator with the indicator's own minimum."""
    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_indicator[observation.indicator_id].append(observation)
    minimum = minimums(by_indicator)
    verdicts: dict[Key, Published] = {}
    for indicator_id, group in by_indicator.items():
        published = disclosure.protect_observations(group, minimum[indicator_id])
        verdicts.update(zip(map(key, group), published, strict=True))
    return verdicts


def publish(observations: Sequence[Observation]) -> list[Published]:
    """The gate every output of observations passes, one verdict per observation, in order.

    Each observation with counts is judged within its whole table by
    :func:`disclosure.protect_observations`; others pass unless confidential. A gap
    is withheld as well when either of the two shares it compares is withheld,
    since the gap and the other share would give it away. The observations need
    their areas loaded (``select_related("area")``).
    """
    gaps, shares = leaver_ids()
    tables = tables_for(observations, gaps, shares)
    covered = {key(o) for o in tables}
    rest = {key(o): o for o in observations if key(o) not in covered}
    verdicts = protect_by_indicator([*tables, *rest.values()])
    found = []
    for observation in observations:
        verdict = verdicts[key(observation)]
        gap = gaps.get(observation.indicator_id)
        if gap and verdict.is_shown and not shares_shown(gap, observation, shares, verdicts):
            verdict = replace(
                verdict, value=None, symbol=disclosure.CONFIDENTIAL, reason=Reason.COMPLEMENTARY
            )
        found.append(verdict)
    return found


def shares_shown(
    gap: Gap, observation: Observation, shares: dict[str, int], verdicts: dict[Key, Published]
) -> bool:
    """Whether both shares behind a gap observation are published."""
    share_id = shares.get(gap.share, 0)
    for breakdown in gap.breakdowns():
        verdict = verdicts.get((share_id, observation.period, observation.area_id, breakdown))
        if verdict is None or not verdict.is_shown:
            return False
    return True


# --- selections of published observations (API, downloads, pages) ------------------------

TOTAL = "total"  # in a selection's ``by``: the totals, not broken down


class SelectionError(ValueError):
    """A selection that cannot be made (message in German, for the person asking)."""


@dataclass(frozen=True)
class Selection:
    """Which observations of an indicator to publish.

    ``by`` names the dimensions a breakdown must have, exactly: ``("sex",)`` gives the
    values by sex, ``("total",)`` the totals only, ``()`` every breakdown.
    """

    area: Area | None = None
    period_from: int | None = None
    period_to: int | None = None
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedObservation:
    """An observation as it may leave the engine, with where, when and how it was broken down."""

    area_code: str
    area_name: str
    period: int
    breakdown: dict[str, str]  # dimension -> category; {} for the total
    value: float | None  # None when withheld or not available
    symbol: str  # "." withheld or not available, "-" exactly zero, "" shown
    provisional: bool
    estimated: bool
    break_in_series: bool
    confidential: bool  # the source already withheld it

    def flags(self) -> str:
        """The flags as letters, as in the tidy format: p, e, b and c."""
        marks = zip(
            "pebc",
            (self.provisional, self.estimated, self.break_in_series, self.confidential),
            strict=True,
        )
        return "".join(letter for letter, on in marks if on)


def dimensions(indicator: Indicator) -> list[str]:
    """The indicator's disaggregations in its own order, then any others its data has."""
    keys = Observation.objects.filter(indicator=indicator).values_list("breakdown", flat=True)
    found = {name for key in keys.distinct().order_by() for name in breakdown_dict(key)}
    listed = [str(name) for name in indicator.disaggregations]
    return listed + sorted(found - set(listed))


def breakdowns_by(indicator: Indicator, by: Sequence[str]) -> list[str]:
    """The stored breakdown keys of ``indicator`` with exactly the dimensions ``by``.

    Raises :class:`SelectionError` for a dimension the indicator does not have.
    """
    known = dimensions(indicator)
    unknown = [name for name in by if name != TOTAL and name not in known]
    if unknown:
        choices = ", ".join([TOTAL, *known])
        raise SelectionError(
            f"Unbekannte Aufgliederung „{', '.join(unknown)}“ für {indicator.code}. "
            f"Möglich sind: {choices}"
        )
    wanted = {name for name in by if name != TOTAL}
    keys = Observation.objects.filter(indicator=indicator).values_list("breakdown", flat=True)
    return [key for key in keys.distinct().order_by() if set(breakdown_dict(key)) == wanted]


def selected(indicator: Indicator, selection: Selection) -> QuerySet[Observation]:
    """The stored observations of ``indicator`` in ``selection``: by period, area, breakdown."""
    if (
        selection.period_from is not None
        and selection.period_to is not None
        and selection.period_from > selection.period_to
    ):
        raise SelectionError("Der Zeitraum ist leer: das erste Jahr liegt nach dem letzten.")
    rows = Observation.objects.filter(indicator=indicator)
    if selection.area is not None:
        rows = rows.filter(area=selection.area)
    if selection.period_from is not None:
        rows = rows.filter(period__gte=selection.period_from)
    if selection.period_to is not None:
        rows = rows.filter(period__lte=selection.period_to)
    if selection.by:
        rows = rows.filter(breakdown__in=breakdowns_by(indicator, selection.by))
    return rows.select_related("area").order_by("period", "area__code", "breakdown")


def published_observations(observations: Sequence[Observation]) -> list[PublishedObservation]:
    """``observations`` (areas loaded) through the gate, in order: what may leave the engine."""
    return [
        PublishedObservation(
            area_code=observation.area.code,
            area_name=observation.area.name,
            period=observation.period,
            breakdown=breakdown_dict(observation.breakdown),
            value=verdict.value,
            symbol=verdict.symbol,
            provisional=observation.provisional,
            estimated=observation.estimated,
            break_in_series=observation.break_in_series,
            confidential=observation.confidential,
        )
        for observation, verdict in zip(observations, publish(observations), strict=True)
    ]
