"""Benchmark: the monitoring engine at county scale and at city scale.

Run: ``make bench-monitoring`` or ``.venv/bin/python bench/monitoring.py`` (both backends;
``--sqlite`` or ``--postgres`` for one). PostgreSQL uses its own database,
``lernstadt_bench_monitoring``, emptied at the start. Three parts, each with a baseline
measured in the same run:

a. Importing all 400 counties × 28 years of INKAR (``import_file("inkar", ...)``), against
   a bare ``csv.reader`` pass over the same file, and against parsing plus inserting the
   raw values into one plain table.
b. Every INKAR indicator with rank, state median and peers for every county (the bulk
   path: ``comparison.standings`` per indicator, ``peer_groups`` once, the peers' values
   in one query per indicator), against a plain SQL ``GROUP BY`` state of the same rows;
   and ``summary.indicator_summary`` for one indicator in each of the 400 counties (the
   path of the command, the API and the pages), for every indicator in Herne one by one,
   and all of them at once (``indicator_summaries``: the peer group found once).
c. 20 years of school-leaver tables for 32 districts with suppression
   (``tables.publish_table``) and the leaver indicators through the gate
   (``publishing.publish``), against a plain SQL ``GROUP BY`` of the same cells. The
   records are INVENTED for this benchmark only: 32 districts ``bench-d01`` … ``bench-d32``
   ("Bench-Bezirk … (erfunden)") in 4 boroughs, which replace the pack's districts in the
   benchmark database and nowhere else.
"""

import csv
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    SHARED_DATA,
    backends_from_argv,
    bench_database_url,
    machine,
    print_row,
    rerun_per_backend,
    setup_django,
    summary,
    timed,
)

INKAR = SHARED_DATA / "germany" / "inkar_counties_1995_2022.csv"
DATABASE = "lernstadt_bench_monitoring"
IMPORT_RUNS = 3
COMPUTE_RUNS = 5
FIRST_YEAR, LAST_YEAR = 2005, 2024  # 20 years of leavers
DISTRICTS, BOROUGHS = 32, 4
TABLE_SHAPES: list[tuple[list[str], int]] = [
    (["district"], 1),
    (["district", "sex"], 1),
    (["district", "nationality"], 1),
    (["district", "qualification"], 1),
    (["borough", "sex", "nationality"], 1),
    (["district", "sex"], 3),  # pooled over three years
]


def reset() -> None:
    from django.core.management import call_command

    from lernstadt.monitoring.pack import load_monitoring_pack

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    load_monitoring_pack()


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL); SQLite plans without them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- a. importing INKAR -------------------------------------------------------------------


def import_inkar() -> None:
    from lernstadt.monitoring.importers import import_file

    import_file("inkar", str(INKAR))


def parse_inkar() -> list[tuple[str, int, str, float]]:
    """The floor of reading: every non-empty value cell as a float."""
    with INKAR.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        values = []
        for row in reader:
            for name, cell in zip(header[2:], row[2:], strict=True):
                if cell:
                    values.append((row[0], int(row[1]), name, float(cell)))
    return values


def raw_insert() -> None:
    """Parse and insert the values into one plain table: no checks, no model, no index."""
    from django.db import connection, transaction

    values = parse_inkar()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_observation")
        cursor.execute(
            "CREATE TABLE bench_raw_observation (area varchar(8), period integer,"
            " indicator varchar(64), value double precision)"
        )
        cursor.executemany("INSERT INTO bench_raw_observation VALUES (%s, %s, %s, %s)", values)


def bench_import(backend: str) -> None:
    imports, parses, inserts = [], [], []
    for _ in range(IMPORT_RUNS):
        reset()
        imports.append(timed(import_inkar))
        parses.append(timed(parse_inkar))
        inserts.append(timed(raw_insert))
    analyze()
    from lernstadt.monitoring.models import Observation

    print(f"\n== a. INKAR import, {backend}: {INKAR.name}, {IMPORT_RUNS} runs")
    print(f"   {Observation.objects.count():,} observations stored")
    print_row("import_file('inkar') into an empty monitoring", summary(imports), "s", 1)
    print_row("baseline: csv.reader pass, floats", summary(parses), "s", 1)
    print_row("baseline: parse + raw insert into one table", summary(inserts), "s", 1)
    ratio(imports, parses, "import / csv.reader pass")
    ratio(imports, inserts, "import / parse + raw insert")


def ratio(measured: list[float], baseline: list[float], name: str) -> None:
    value = summary(measured)["median"] / summary(baseline)["median"]
    print(f"{'ratio ' + name + ' (median)':<48} {value:9.1f} x")


# --- b. ranks, medians and peers ----------------------------------------------------------


def county_indicators() -> list[Any]:
    from lernstadt.monitoring.models import Area, Indicator

    return list(
        Indicator.objects.filter(level=Area.Level.COUNTY, observations__isnull=False)
        .distinct()
        .order_by("code")
    )


def latest_period(indicator: Any) -> int:
    from django.db.models import Max

    return int(indicator.observations.aggregate(latest=Max("period"))["latest"])


def every_county(indicators: list[tuple[Any, int]]) -> int:
    """Rank, state median and the five peers with their values, for every county."""
    from lernstadt.monitoring.comparison import peer_groups, standings
    from lernstadt.monitoring.models import Area, Observation

    groups = peer_groups(Area.objects.filter(level=Area.Level.COUNTY))
    results = 0
    for indicator, period in indicators:
        places = standings(indicator, period)
        values = dict(
            Observation.objects.filter(
                indicator=indicator, period=period, breakdown="", area__level=Area.Level.COUNTY
            ).values_list("area__code", "value")
        )
        for code, group in groups.items():
            peers = [(peer.code, values.get(peer.code)) for peer in group.peers]
            results += bool(places.get(code)) + len(peers)
    return results


def group_by_state(indicators: list[tuple[Any, int]]) -> None:
    """The plain SQL floor: count and mean per state of the same rows, one query each."""
    from django.db import connection

    sql = (
        "SELECT substr(a.code, 1, 2), count(*), avg(o.value) FROM monitoring_observation o "
        "JOIN monitoring_area a ON a.id = o.area_id WHERE o.indicator_id = %s AND o.period = %s "
        "AND o.breakdown = '' AND a.level = 'county' AND o.value IS NOT NULL GROUP BY 1"
    )
    with connection.cursor() as cursor:
        for indicator, period in indicators:
            cursor.execute(sql, [indicator.id, period])
            cursor.fetchall()


def bench_compare(backend: str) -> None:
    from lernstadt.monitoring.models import Area, Indicator
    from lernstadt.monitoring.summary import indicator_summaries, indicator_summary

    indicators = [(indicator, latest_period(indicator)) for indicator in county_indicators()]
    bulk = [timed(lambda: every_county(indicators)) for _ in range(COMPUTE_RUNS)]
    floor = [timed(lambda: group_by_state(indicators)) for _ in range(COMPUTE_RUNS)]
    abitur = Indicator.objects.get(code="share_abitur")
    counties = list(Area.objects.filter(level=Area.Level.COUNTY).order_by("code"))
    one = [timed(lambda county=county: indicator_summary(abitur, county)) for county in counties]
    herne = Area.objects.get(code="05916")
    dashboard = [
        timed(lambda indicator=indicator: indicator_summary(indicator, herne))
        for indicator, _ in indicators
    ]
    only = [indicator for indicator, _ in indicators]
    together = [timed(lambda: indicator_summaries(only, herne)) for _ in range(COMPUTE_RUNS)]
    print(
        f"\n== b. ranks, medians, peers, {backend}: {len(indicators)} indicators × "
        f"{len(counties)} counties, {COMPUTE_RUNS} runs"
    )
    print_row("every indicator × every county (bulk path)", summary(bulk), "s", 1)
    print_row("baseline: SQL GROUP BY state per indicator", summary(floor), "s", 1)
    ratio(bulk, floor, "bulk path / GROUP BY")
    print_row("indicator_summary, share_abitur, each county", summary(one))
    print_row("indicator_summary, every indicator, Herne", summary(dashboard))
    print_row("indicator_summaries, all 30 at once, Herne", summary(together))


# --- c. leaver tables ---------------------------------------------------------------------

# school type -> (weight, qualification weights none, hsa, hsa10, msa, fhr, ahr)
SCHOOLS = {
    "20": (30, (1, 0, 0, 10, 4, 85)),
    "15": (25, (5, 5, 15, 40, 5, 30)),
    "10": (15, (4, 3, 8, 80, 5, 0)),
    "14": (5, (5, 10, 25, 60, 0, 0)),
    "04": (8, (10, 35, 40, 15, 0, 0)),
    "08": (5, (70, 30, 0, 0, 0, 0)),
    "30": (12, (10, 10, 0, 20, 40, 20)),
}
QUALIFICATIONS = ("none", "hsa", "hsa10", "msa", "fhr", "ahr")


def bench_areas() -> None:
    """The invented benchmark boroughs and districts, instead of the pack's."""
    from lernstadt.monitoring.models import Area

    for level in (Area.Level.DISTRICT, Area.Level.BOROUGH):  # children first
        Area.objects.filter(level=level).delete()
    city = Area.objects.get(code="05916000")
    for b in range(1, BOROUGHS + 1):
        borough = Area.objects.create(
            code=f"bench-b{b}",
            name=f"Bench-Stadtbezirk {b} (erfunden)",
            level=Area.Level.BOROUGH,
            parent=city,
        )
        for d in range(b, DISTRICTS + 1, BOROUGHS):
            Area.objects.create(
                code=f"bench-d{d:02d}",
                name=f"Bench-Bezirk {d:02d} (erfunden)",
                level=Area.Level.DISTRICT,
                parent=borough,
            )


def invented_leavers() -> list[Any]:
    """Pseudonymous leaver records for the bench districts, 20 years, seeded."""
    from django.utils import timezone

    from lernstadt.monitoring.models import Area, ImportRun, LeaverRecord

    rng = random.Random(4)
    run = ImportRun.objects.create(
        format="leavers", source="bench: invented records", started_at=timezone.now()
    )
    districts = {area.code: area for area in Area.objects.filter(code__startswith="bench-d")}
    types = list(SCHOOLS)
    type_weights = [SCHOOLS[code][0] for code in types]
    records = []
    for d in range(1, DISTRICTS + 1):
        size, foreign = rng.randint(12, 110), rng.uniform(0.05, 0.45)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for _ in range(round(size * rng.uniform(0.85, 1.15))):
                school = rng.choices(types, type_weights)[0]
                records.append(
                    LeaverRecord(
                        year=year,
                        school_number=f"9{d:02d}{school}0",
                        school_type=school,
                        district=districts[f"bench-d{d:02d}"],
                        sex="d" if rng.random() < 0.004 else rng.choice("fm"),
                        nationality="foreign" if rng.random() < foreign else "german",
                        qualification=rng.choices(QUALIFICATIONS, SCHOOLS[school][1])[0],
                        run=run,
                    )
                )
    return records


def count_cells(by: list[str], first_year: int, last_year: int) -> None:
    """The plain SQL floor: the inner cells of the same table, counted by the database."""
    from django.db.models import Count

    from lernstadt.monitoring.models import LeaverRecord
    from lernstadt.monitoring.tables import LEAVER_DIMENSIONS

    columns = [LEAVER_DIMENSIONS[name].column for name in by]
    list(
        LeaverRecord.objects.filter(year__gte=first_year, year__lte=last_year)
        .values(*columns)
        .annotate(n=Count("pk"))
        .order_by()
    )


def bench_tables(backend: str) -> None:
    from lernstadt.monitoring import disclosure
    from lernstadt.monitoring.derive import LEAVER_INDICATORS, refresh_leaver_indicators
    from lernstadt.monitoring.models import LeaverRecord, Observation
    from lernstadt.monitoring.publishing import publish
    from lernstadt.monitoring.tables import publish_table

    bench_areas()
    records = invented_leavers()
    storing = timed(lambda: LeaverRecord.objects.bulk_create(records, batch_size=2000))
    deriving = timed(lambda: refresh_leaver_indicators(set(range(FIRST_YEAR, LAST_YEAR + 1))))
    analyze()
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    print(
        f"\n== c. leaver tables, {backend}: {len(records):,} invented records, {DISTRICTS} "
        f"districts, {len(years)} years"
    )
    print(f"{'storing the records (bulk_create, once)':<48} {storing:9.2f} s")
    print(f"{'derive.refresh_leaver_indicators, 20 years':<48} {deriving:9.2f} s")
    everything, floor_total = 0.0, 0.0
    for by, pool in TABLE_SHAPES:
        samples, floor, withheld, cells, audited = [], [], 0, 0, 0
        for year in years:
            start = time.perf_counter()
            table = publish_table("school_leavers", year, by, pool).table
            samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            count_cells(by, year - pool + 1, year)
            floor.append(time.perf_counter() - start)
            cells += len(table.published())
            withheld += len(table.suppressed)
            audited += disclosure.audit(table).passed
        name = " × ".join(by) + (f", pooled {pool} years" if pool > 1 else "")
        print_row(f"publish_table {name}", summary(samples))
        print(
            f"{'':<4}{cells // len(years)} cells a year, {withheld / cells:.0%} withheld, "
            f"audit passed {audited}/{len(years)}; GROUP BY median "
            f"{summary(floor)['median'] * 1000:.2f} ms, ratio "
            f"{summary(samples)['median'] / summary(floor)['median']:.0f} x"
        )
        everything += sum(samples)
        floor_total += sum(floor)
    gate = []
    for year in years:
        found = list(
            Observation.objects.filter(
                indicator__code__in=LEAVER_INDICATORS, period=year
            ).select_related("area")
        )
        gate.append(timed(lambda found=found: publish(found)))
    print_row("publishing.publish, leaver indicators, one year", summary(gate))
    print(f"{'all tables of 20 years, total':<48} {everything:9.2f} s")
    print(f"{'baseline: GROUP BY of the same tables, total':<48} {floor_total:9.2f} s")


def run(backend: str) -> None:
    setup_django(bench_database_url(backend, DATABASE))
    parts: list[Callable[[str], None]] = [bench_import, bench_compare, bench_tables]
    if "--tables" in sys.argv:  # only part c, after a fresh schema
        reset()
        parts = [bench_tables]
    for part in parts:
        part(backend)


if __name__ == "__main__":
    if not INKAR.exists():
        sys.exit(f"INKAR file not found at {INKAR}")
    if len(sys.argv) == 1:
        print(machine())
        rerun_per_backend(Path(__file__))
    else:
        run(backends_from_argv()[0])
