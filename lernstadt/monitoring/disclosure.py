"""Statistical disclosure control: no published number may reveal a small group.

The method, as the education office's analyst reads it:

1. A :class:`Table` holds counts and their totals. Each :class:`Line` says that one total is
   the sum of its parts (girls + boys + diverse = all leavers of a district).
2. Primary suppression: a count of 1 up to ``minimum - 1`` is withheld (symbol ``.``).
   Zero is published as ``-``: nobody is in that group, so nobody can be exposed.
3. Secondary suppression: a withheld cell must not be recomputable from the published cells
   and totals, so more cells are withheld, the smallest non-zero counts first (ties in the
   table's order). A line with a withheld cell gets at least a second one, and when the
   line's total is published and it holds a small count, its withheld cells together reach
   the minimum.
4. The audit proves the result with linear programming: for every withheld cell it finds the
   smallest and largest value it could have in any table of non-negative numbers that shows
   the same published cells and keeps every total. The cell is protected when that range is
   more than one value and, for a small count, reaches the minimum, so nobody can tell that
   the group is small. Where the line rule of step 3 is not enough, more cells are withheld
   and the audit runs again until every withheld cell is protected.
5. Rates (shares) are published only when their numerator, the rest of their denominator
   (denominator minus numerator) and their denominator are safe; :func:`protect_observations`
   is the one gate every output of observations goes through.

Official symbols: ``.`` withheld (confidential), ``-`` exactly zero.
"""

import math
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import product
from typing import Protocol

from django.conf import settings
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from lernstadt.monitoring.models import breakdown_dict, breakdown_key

TOTAL = "total"
CONFIDENTIAL = "."
ZERO = "-"

Cell = tuple[str, ...]
"""A cell of a table: one label per dimension (``TOTAL`` for a total), e.g. ``("d1", "f")``."""


class Reason(StrEnum):
    """Why a value is withheld (``SHOWN`` when it is not)."""

    SHOWN = ""
    SMALL_COUNT = "small_count"  # primary: a count below the minimum
    COMPLEMENTARY = "complementary"  # secondary: withheld so others cannot be recomputed
    SMALL_DENOMINATOR = "small_denominator"  # a rate over fewer people than the minimum
    CONFIDENTIAL = "confidential"  # the source already withheld it
    NOT_AVAILABLE = "not_available"  # no value was delivered
    INCONSISTENT = "inconsistent_counts"  # parts add up to more than their total


def default_minimum() -> int:
    """The smallest group that may be published: ``LERNSTADT_DISCLOSURE_MIN_COUNT`` (5)."""
    return int(getattr(settings, "LERNSTADT_DISCLOSURE_MIN_COUNT", 5))


@dataclass(frozen=True)
class Line:
    """One additivity rule of a table: ``total`` is the sum of ``parts``."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True, eq=False)
class Table:
    """Counts with their totals, and which of them are withheld.

    ``hidden`` cells take part in the arithmetic but are never printed (the rest of a total
    whose parts were not all delivered, or the denominators behind rates); unless marked
    primary or withheld, the audit assumes an attacker knows them. ``withheld`` maps cells
    the caller withholds for its own reason (confidential at source, small denominator) to
    that reason; they must stay undetermined like complementary cells.
    """

    counts: Mapping[Cell, int]
    lines: tuple[Line, ...] = ()
    dimensions: tuple[str, ...] = ()
    minimum: int | None = None
    primary: frozenset[Cell] = frozenset()
    secondary: frozenset[Cell] = frozenset()
    withheld: Mapping[Cell, Reason] = field(default_factory=dict)
    hidden: frozenset[Cell] = frozenset()

    @property
    def suppressed(self) -> frozenset[Cell]:
        """Every withheld cell, whatever the reason."""
        return self.primary | self.secondary | frozenset(self.withheld)

    def shown(self, cell: Cell) -> int | None:
        """The published count of a cell, or None when it is withheld."""
        return None if cell in self.suppressed else self.counts[cell]

    def symbol(self, cell: Cell) -> str:
        """How a cell is printed: its count, ``.`` when withheld, ``-`` when exactly zero."""
        count = self.shown(cell)
        if count is None:
            return CONFIDENTIAL
        return ZERO if count == 0 else str(count)

    def reason(self, cell: Cell) -> Reason:
        """Why a cell is withheld (``Reason.SHOWN`` when it is published)."""
        if cell in self.withheld:
            return self.withheld[cell]
        if cell in self.primary:
            return Reason.SMALL_COUNT
        if cell in self.secondary:
            return Reason.COMPLEMENTARY
        return Reason.SHOWN

    def published(self) -> dict[Cell, int | None]:
        """Every printed cell with its published count (None = withheld), in table order."""
        return {cell: self.shown(cell) for cell in self.counts if cell not in self.hidden}


def cross_table(dimensions: Mapping[str, Sequence[str]], counts: Mapping[Cell, int]) -> Table:
    """The table crossing ``dimensions`` (name -> categories), with every marginal total.

    ``counts`` gives the inner cells (one category per dimension; missing ones are zero). Each
    total cell, with ``TOTAL`` in one or more dimensions, is the sum of its children along each
    dimension, and each such line becomes a :class:`Line` of the table.
    """
    names = tuple(dimensions)
    axes = [_axis(name, categories) for name, categories in dimensions.items()]
    cells: dict[Cell, int] = dict.fromkeys(product(*axes), 0)
    for inner, count in counts.items():
        _check_inner_cell(inner, count, axes)
        for mask in product((False, True), repeat=len(names)):
            cells[tuple(TOTAL if m else c for m, c in zip(mask, inner, strict=True))] += count
    return Table(counts=cells, lines=tuple(_cross_lines(axes)), dimensions=names)


def _axis(name: str, categories: Sequence[str]) -> tuple[str, ...]:
    if TOTAL in categories or len(set(categories)) != len(categories):
        raise ValueError(f"Kategorien von „{name}“ doppelt oder „{TOTAL}“: {list(categories)}")
    return (*categories, TOTAL)


def _check_inner_cell(inner: Cell, count: int, axes: list[tuple[str, ...]]) -> None:
    known = len(inner) == len(axes) and all(
        c in axis[:-1] for c, axis in zip(inner, axes, strict=False)
    )
    if not known or count < 0:
        raise ValueError(f"Zelle {inner} mit Anzahl {count} passt nicht zur Tabelle")


def _cross_lines(axes: list[tuple[str, ...]]) -> Iterator[Line]:
    for d, axis in enumerate(axes):
        others = [(TOTAL,) if e == d else other for e, other in enumerate(axes)]
        for total in product(*others):
            parts = tuple((*total[:d], category, *total[d + 1 :]) for category in axis[:-1])
            yield Line(total, parts)


# --- suppression -------------------------------------------------------------------------


def suppress(table: Table, minimum: int | None = None) -> Table:
    """The table with primary and secondary suppression applied and proven by :func:`audit`.

    Primary: every printed count from 1 to ``minimum - 1`` (plus cells already marked primary).
    Secondary: see :func:`complete_lines`, then the audit; for each cell it finds determined,
    the smallest published count nearby is withheld too, until every withheld cell passes.
    """
    minimum = default_minimum() if minimum is None else minimum
    return _Search(_with_primary(table, minimum), minimum).run()


def complete_lines(table: Table, minimum: int | None = None) -> Table:
    """Only the line rule of secondary suppression (the classic heuristic, no audit).

    Until nothing changes, for every line: one withheld cell alone gets a partner, and when
    the line's total is published and it holds a small count, the withheld cells of the line
    must add up to at least the minimum. Useful to show what the audit adds on top.
    """
    minimum = default_minimum() if minimum is None else minimum
    search = _Search(_with_primary(table, minimum), minimum)
    search.complete_lines()
    return search.result()


def _with_primary(table: Table, minimum: int) -> Table:
    """Primary suppression: every printed count from 1 to ``minimum - 1``."""
    if minimum < 1:
        raise ValueError("Die Mindestfallzahl muss mindestens 1 sein")
    small = {
        cell
        for cell, count in table.counts.items()
        if 0 < count < minimum and cell not in table.hidden and cell not in table.withheld
    }
    return replace(table, minimum=minimum, primary=table.primary | small)


class _Search:
    """The state of secondary suppression for one table: what is withheld so far."""

    def __init__(self, table: Table, minimum: int) -> None:
        self.table = table
        self.minimum = minimum
        self.suppressed: set[Cell] = set(table.suppressed)
        self.order = {cell: index for index, cell in enumerate(table.counts)}
        self.lines_of: dict[Cell, list[Line]] = defaultdict(list)
        for line in table.lines:
            for cell in line.cells:
                self.lines_of[cell].append(line)
        self.proven: set[Cell] = set()  # stays proven: withholding more only widens ranges
        self.hopeless: set[Cell] = set()

    def result(self) -> Table:
        secondary = self.suppressed - self.table.primary - set(self.table.withheld)
        return replace(self.table, secondary=frozenset(secondary))

    def run(self) -> Table:
        while True:
            self.complete_lines()
            weak = self.first_unprotected()
            if weak is None:
                return self.result()
            extra = self.complement_near(weak)
            if extra is None:
                self.hopeless.add(weak)  # everything around it is withheld; audit reports it
            else:
                self.suppressed.add(extra)

    def complete_lines(self) -> None:
        # The lines through a newly withheld cell come next, so that a partner it forces
        # elsewhere is in place before other lines pick theirs (and may pick it).
        pending = deque(self.table.lines)
        while pending:
            line = pending.popleft()
            extra = self.line_complement(line)
            if extra is not None:
                self.suppressed.add(extra)
                pending.extendleft(reversed(self.lines_of[extra]))

    def line_complement(self, line: Line) -> Cell | None:
        held = [cell for cell in line.cells if cell in self.suppressed]
        if not held:
            return None
        deficit = 0
        if line.total not in held and any(cell in self.table.primary for cell in held):
            deficit = self.minimum - sum(self.table.counts[cell] for cell in held)
        if len(held) >= 2 and deficit <= 0:
            return None
        return self.cheapest(line.cells, deficit)

    def cheapest(self, cells: Iterable[Cell], deficit: int) -> Cell | None:
        """The cheapest free count that covers the deficit, else the largest free count."""
        free = [cell for cell in cells if self.is_free(cell)]
        if not free:
            return None
        covering = [cell for cell in free if self.table.counts[cell] >= deficit]
        if covering:
            return min(covering, key=self.cost)
        return max(free, key=lambda cell: (self.table.counts[cell], -self.order[cell]))

    def cost(self, cell: Cell) -> tuple[bool, int, int]:
        """Smallest non-zero counts first: they lose the least information. An empty cell
        comes last, as it hides little and drags partners of its own into other lines."""
        count = self.table.counts[cell]
        return (count == 0, count, self.order[cell])

    def is_free(self, cell: Cell) -> bool:
        return cell not in self.suppressed and cell not in self.table.hidden

    def complement_near(self, weak: Cell) -> Cell | None:
        """The cheapest free count on the lines through ``weak``, else one line further out."""
        visited, frontier = {weak}, [weak]
        while frontier:
            ring = [
                cell for near in frontier for line in self.lines_of[near] for cell in line.cells
            ]
            free = [cell for cell in ring if self.is_free(cell)]
            if free:
                return min(free, key=self.cost)
            frontier = [cell for cell in dict.fromkeys(ring) if cell not in visited]
            visited.update(frontier)
        return None

    def first_unprotected(self) -> Cell | None:
        system = _System(self.table, self.suppressed)
        for cell in sorted(
            self.suppressed - self.proven - self.hopeless, key=self.order.__getitem__
        ):
            if system.protects(cell, self.minimum, cell in self.table.primary):
                self.proven.add(cell)
            else:
                return cell
        return None


# --- the audit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """The whole counts a withheld cell could hold, given everything published."""

    low: float
    high: float  # math.inf when nothing bounds it

    @property
    def is_point(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class Audit:
    """The audit of a table: every withheld cell's interval and the cells that fail."""

    intervals: Mapping[Cell, Interval]
    unprotected: tuple[Cell, ...]  # withheld, but determined or pinned below the minimum
    exposed: tuple[Cell, ...]  # published although a count from 1 to minimum - 1

    @property
    def passed(self) -> bool:
        return not self.unprotected and not self.exposed


def audit(table: Table) -> Audit:
    """Prove by linear programming that no withheld cell can be recomputed.

    For each withheld cell: its smallest and largest value over all non-negative tables with
    the same published cells and the same additivity rules (rounded inwards to whole counts).
    A withheld cell is protected when that interval is not a single value; a primary cell
    also needs the interval to reach the minimum. Published small counts are ``exposed``.
    """
    minimum = default_minimum() if table.minimum is None else table.minimum
    system = _System(table, table.suppressed)
    intervals = {cell: system.interval(cell) for cell in system.variables}
    unprotected = tuple(
        cell
        for cell, interval in intervals.items()
        if not _is_protected(interval, minimum, cell in table.primary)
    )
    exposed = tuple(
        cell
        for cell, count in table.counts.items()
        if 0 < count < minimum and cell not in table.suppressed and cell not in table.hidden
    )
    return Audit(intervals=intervals, unprotected=unprotected, exposed=exposed)


def _is_protected(interval: Interval, minimum: int, primary: bool) -> bool:
    if interval.is_point:
        return False
    return interval.high >= minimum if primary else True


class _System:
    """The linear equations an attacker can write down: withheld cells are the unknowns."""

    def __init__(self, table: Table, unknown: Iterable[Cell]) -> None:
        unknown = set(unknown)
        self.counts = table.counts
        self.variables = {
            cell: index for index, cell in enumerate(c for c in table.counts if c in unknown)
        }
        rows: list[int] = []
        columns: list[int] = []
        signs: list[float] = []
        self.rhs: list[float] = []
        for line in table.lines:
            terms = [(line.total, -1.0), *((part, 1.0) for part in line.parts)]
            unknowns = [(self.variables[c], sign) for c, sign in terms if c in self.variables]
            if unknowns:
                known = sum(sign * table.counts[c] for c, sign in terms if c not in self.variables)
                for column, sign in unknowns:
                    rows.append(len(self.rhs))
                    columns.append(column)
                    signs.append(sign)
                self.rhs.append(-known)
        shape = (len(self.rhs), len(self.variables))
        self.matrix = csr_matrix((signs, (rows, columns)), shape=shape) if self.rhs else None

    def extreme(self, cell: Cell, sense: float) -> float:
        """The smallest (``sense`` 1) or largest (``sense`` -1) feasible value of ``cell``."""
        objective = [0.0] * len(self.variables)
        objective[self.variables[cell]] = sense
        for presolve in (True, False):
            result = linprog(
                objective,
                A_eq=self.matrix,
                b_eq=self.rhs if self.rhs else None,
                bounds=(0, None),
                method="highs",
                options={"presolve": presolve},
            )
            if result.status == 0:
                return float(sense * result.fun)
            if result.status == 3 and sense < 0:
                return math.inf
        raise RuntimeError(f"Prüfung der Zelle {cell} gescheitert: {result.message}")

    def low(self, cell: Cell) -> float:
        low = self.extreme(cell, 1.0)
        return float(math.ceil(low - _slack(low)))

    def high(self, cell: Cell) -> float:
        high = self.extreme(cell, -1.0)
        return high if math.isinf(high) else float(math.floor(high + _slack(high)))

    def interval(self, cell: Cell) -> Interval:
        return Interval(low=self.low(cell), high=self.high(cell))

    def protects(self, cell: Cell, minimum: int, primary: bool) -> bool:
        """Whether ``cell`` is protected, solving as few programs as needed."""
        count, high = self.counts[cell], self.high(cell)
        if primary and high < minimum:
            return False
        return high > count or self.low(cell) < count


def _slack(value: float) -> float:
    """Tolerance of the solver's arithmetic when rounding a bound to a whole count."""
    return 1e-6 * max(1.0, abs(value))


# --- observations ------------------------------------------------------------------------


class Place(Protocol):
    """What the gate needs to know of an observation's area."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...


class Counted(Protocol):
    """What the gate needs to know of an observation (``Observation`` has it all)."""

    @property
    def indicator_id(self) -> int: ...
    @property
    def area(self) -> Place: ...
    @property
    def period(self) -> int: ...
    @property
    def breakdown(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def numerator(self) -> float | None: ...
    @property
    def denominator(self) -> float | None: ...
    @property
    def confidential(self) -> bool: ...


@dataclass(frozen=True)
class Published:
    """An observation as it may leave the engine: its value, or None and why not."""

    period: int
    area_code: str
    breakdown: str
    value: float | None
    symbol: str  # "." withheld, "-" exactly zero, "" shown
    reason: Reason

    @property
    def is_shown(self) -> bool:
        return self.value is not None


def protect_observations(
    observations: Sequence[Counted],
    minimum: int | None = None,
    *,
    ancestors: Mapping[int, int | None] | None = None,
) -> list[Published]:
    """The one gate every output of observations passes: one verdict per observation, in order.

    Observations with counts (a numerator, usually with a denominator) are grouped by indicator
    and period into one linked table: each breakdown's categories add up to their total
    (``sex=f`` + ``sex=m`` + ``sex=d`` = ``""``) and each area's children add up to it (the
    districts of a borough, the boroughs of the city). Numerators and, for shares, the rest of
    the denominator are suppressed together; a rate is withheld when either is withheld or its
    denominator is below the minimum. Observations without counts pass unless confidential.

    Pass every observation of an indicator and period, not a selection: parts that are left
    out cannot be protected. Areas are linked through ``area.parent_id``; ``ancestors`` (area
    id -> parent id, for all areas) also links a district to the city when boroughs are absent.
    """
    minimum = default_minimum() if minimum is None else minimum
    verdicts: dict[int, Published] = {}
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, observation in enumerate(observations):
        if observation.numerator is None or observation.confidential:
            verdicts[index] = _pass_through(observation)
        if observation.numerator is not None:
            groups[(observation.indicator_id, observation.period)].append(index)
    for indexes in groups.values():
        group = [observations[index] for index in indexes]
        for index, verdict in zip(indexes, _protect_group(group, minimum, ancestors), strict=True):
            verdicts.setdefault(index, verdict)
    return [verdicts[index] for index in range(len(observations))]


def _verdict(observation: Counted, reason: Reason) -> Published:
    shown = reason == Reason.SHOWN and observation.value is not None
    value = observation.value if shown else None
    symbol = CONFIDENTIAL if value is None else (ZERO if value == 0 else "")
    if value is None and reason == Reason.SHOWN:
        reason = Reason.NOT_AVAILABLE
    return Published(
        period=observation.period,
        area_code=observation.area.code,
        breakdown=observation.breakdown,
        value=value,
        symbol=symbol,
        reason=reason,
    )


def _pass_through(observation: Counted) -> Published:
    return _verdict(observation, Reason.CONFIDENTIAL if observation.confidential else Reason.SHOWN)


# Suppression with its LP audit takes milliseconds per table and a page shows many
# tables, so verdicts are remembered by everything they depend on: the same cells,
# counts and minimum give the same verdicts, and any changed number is a new key.
_VERDICTS: "OrderedDict[tuple[object, ...], list[Published]]" = OrderedDict()
_VERDICTS_KEPT = 1024  # tables


def _protect_group(
    group: list[Counted], minimum: int, ancestors: Mapping[int, int | None] | None
) -> list[Published]:
    cache_key = _group_key(group, minimum, ancestors)
    if cache_key in _VERDICTS:
        _VERDICTS.move_to_end(cache_key)
        return _VERDICTS[cache_key]
    verdicts = _judge_group(group, minimum, ancestors)
    _VERDICTS[cache_key] = verdicts
    if len(_VERDICTS) > _VERDICTS_KEPT:
        _VERDICTS.popitem(last=False)
    return verdicts


def _group_key(
    group: list[Counted], minimum: int, ancestors: Mapping[int, int | None] | None
) -> tuple[object, ...]:
    cells = tuple(
        (
            o.indicator_id,
            o.period,
            o.area.id,
            o.area.code,
            o.area.parent_id,
            o.breakdown,
            o.value,
            o.numerator,
            o.denominator,
            o.confidential,
        )
        for o in group
    )
    links = tuple(sorted(ancestors.items(), key=repr)) if ancestors else ()
    return (minimum, links, cells)


def _judge_group(
    group: list[Counted], minimum: int, ancestors: Mapping[int, int | None] | None
) -> list[Published]:
    try:
        base = _base(group, ancestors)
    except _Inconsistent:
        return [_verdict(observation, Reason.INCONSISTENT) for observation in group]
    protected = suppress(_rate_table(base, group, minimum), minimum)
    return [
        _verdict(observation, _rate_reason(protected, key, observation, minimum))
        for observation, key in zip(group, base.keys, strict=True)
    ]


def _rate_reason(table: Table, key: Cell, observation: Counted, minimum: int) -> Reason:
    denominator = observation.denominator
    if denominator is not None and denominator < minimum:
        return Reason.SMALL_DENOMINATOR
    reasons = {table.reason(cell) for cell in (("n", *key), ("c", *key)) if cell in table.counts}
    return min(reasons, key=_REASON_WEIGHT.index)


_REASON_WEIGHT = [  # the first that applies is given
    Reason.CONFIDENTIAL,
    Reason.SMALL_DENOMINATOR,
    Reason.SMALL_COUNT,
    Reason.COMPLEMENTARY,
    Reason.SHOWN,
]


class _Inconsistent(Exception):
    """Counts that cannot be a table: negative, or parts adding up to more than their total."""


@dataclass
class _Base:
    """The counts of one indicator and period, keyed ``(area code, breakdown)``.

    ``shares``: every denominator is known and holds its numerator, so the rest of the
    denominator (denominator - numerator) is a count of people too.
    """

    keys: list[Cell]
    numerators: dict[Cell, int]
    denominators: dict[Cell, int | None]
    lines: list[Line]
    shares: bool
    residuals: set[Cell] = field(default_factory=set)


def _base(group: list[Counted], ancestors: Mapping[int, int | None] | None) -> _Base:
    keys: list[Cell] = [(o.area.code, o.breakdown) for o in group]
    if len(set(keys)) != len(keys):
        raise ValueError("Dieselbe Beobachtung (Gebiet, Aufgliederung) kommt zweimal vor")
    numerators = {key: _whole(o.numerator) for key, o in zip(keys, group, strict=True)}
    denominators = {key: _whole_or_none(o.denominator) for key, o in zip(keys, group, strict=True)}
    base = _Base(
        keys=keys,
        numerators=numerators,
        denominators=denominators,
        lines=[*_breakdown_lines(keys), *_area_lines(group, keys, ancestors)],
        shares=all(d is not None and numerators[k] <= d for k, d in denominators.items()),
    )
    _add_residuals(base)
    return base


def _whole(count: float | None) -> int:
    if count is None or count < 0:
        raise _Inconsistent
    return round(count)


def _whole_or_none(count: float | None) -> int | None:
    return None if count is None else _whole(count)


def _breakdown_lines(keys: list[Cell]) -> Iterator[Line]:
    """Per area: each breakdown dimension's categories add up to the breakdown without it."""
    present = set(keys)
    parts: dict[tuple[Cell, str], list[Cell]] = defaultdict(list)
    for key in keys:
        area, breakdown = key
        dimensions = breakdown_dict(breakdown)
        for name in sorted(dimensions):
            rest = {other: value for other, value in dimensions.items() if other != name}
            total: Cell = (area, breakdown_key(rest))
            if total in present:
                parts[(total, name)].append(key)
    for (total, _name), children in parts.items():
        yield Line(total, tuple(children))


def _area_lines(
    group: list[Counted], keys: list[Cell], ancestors: Mapping[int, int | None] | None
) -> Iterator[Line]:
    """Per breakdown: the areas under an area add up to it (its nearest ancestor present)."""
    code_of = {o.area.id: o.area.code for o in group}
    present = set(keys)
    parts: dict[Cell, list[Cell]] = defaultdict(list)
    for observation, (_area, breakdown) in zip(group, keys, strict=True):
        parent = observation.area.parent_id
        seen: set[int] = set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            if (code_of.get(parent), breakdown) in present:
                parts[(code_of[parent], breakdown)].append((observation.area.code, breakdown))
                break
            parent = ancestors.get(parent) if ancestors is not None else None
    for total, children in parts.items():
        yield Line(total, tuple(children))


def _add_residuals(base: _Base) -> None:
    """Where parts do not add up to their total, the rest becomes a hidden part of its own."""
    for index, line in enumerate(base.lines):
        rest = (*line.total, "rest", str(index))
        base.numerators[rest] = base.numerators[line.total] - sum(
            base.numerators[part] for part in line.parts
        )
        base.denominators[rest] = None
        if base.shares:
            denominators = [base.denominators[part] or 0 for part in line.parts]
            base.denominators[rest] = (base.denominators[line.total] or 0) - sum(denominators)
        if base.numerators[rest] < 0 or (base.shares and _rest_of(base, rest) < 0):
            raise _Inconsistent
        if base.numerators[rest] == 0 and not base.denominators[rest]:
            del base.numerators[rest], base.denominators[rest]
            continue
        base.residuals.add(rest)
        base.lines[index] = Line(line.total, (*line.parts, rest))


def _rest_of(base: _Base, key: Cell) -> int:
    """Denominator minus numerator: the people of a share who are not counted in it."""
    return (base.denominators[key] or 0) - base.numerators[key]


def _rate_table(base: _Base, group: list[Counted], minimum: int) -> Table:
    """The linked table of one indicator and period.

    Cells: ``("n", area, breakdown)`` numerators; for shares also ``("c", ...)`` the rest of
    the denominator and ``("d", ...)`` the denominator, hidden and assumed known to anyone.
    """
    counts: dict[Cell, int] = {}
    lines: list[Line] = []
    hidden: set[Cell] = set()
    for key, numerator in base.numerators.items():
        counts[("n", *key)] = numerator
        if base.shares:
            counts[("c", *key)] = _rest_of(base, key)
            counts[("d", *key)] = base.denominators[key] or 0
            hidden.add(("d", *key))
            lines.append(Line(("d", *key), (("n", *key), ("c", *key))))
        if key in base.residuals or _empty(base, key):
            hidden.update(_parts(key, base.shares))  # never printed, or known to be zero
    for part in ("n", "c") if base.shares else ("n",):
        lines.extend(
            Line((part, *line.total), tuple((part, *p) for p in line.parts)) for line in base.lines
        )
    withheld, primary = _marks(base, group, counts, minimum)
    return Table(
        counts=counts,
        lines=tuple(lines),
        dimensions=("part", "area", "breakdown"),
        primary=frozenset(primary),
        withheld=withheld,
        hidden=frozenset(hidden),
    )


def _marks(
    base: _Base, group: list[Counted], counts: Mapping[Cell, int], minimum: int
) -> tuple[dict[Cell, Reason], set[Cell]]:
    """Cells withheld before suppression starts, and the small hidden rests (primary)."""
    withheld: dict[Cell, Reason] = {}
    for key, observation in zip(base.keys, group, strict=True):
        if observation.confidential and not _empty(base, key):
            withheld.update(dict.fromkeys(_parts(key, base.shares), Reason.CONFIDENTIAL))
    primary: set[Cell] = set()
    for key in base.numerators:
        denominator = base.denominators[key]
        for cell in _parts(key, base.shares):
            if denominator is not None and 0 < denominator < minimum:
                withheld.setdefault(cell, Reason.SMALL_DENOMINATOR)
            elif key in base.residuals and 0 < counts[cell] < minimum:
                primary.add(cell)
    return withheld, primary - set(withheld)


def _empty(base: _Base, key: Cell) -> bool:
    """A share over nobody: its counts are zero for anyone who knows the denominator."""
    return base.shares and base.denominators[key] == 0


def _parts(key: Cell, shares: bool) -> list[Cell]:
    return [("n", *key), ("c", *key)] if shares else [("n", *key)]
