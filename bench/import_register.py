"""Benchmark: importing the NRW school register (5,507 schools).

Run: ``.venv/bin/python bench/import_register.py`` (both backends; ``--sqlite`` or
``--postgres`` for one). Prints median and p95 of a first import into an empty
catalogue and of a re-import (the update path), and the ratio against a baseline
measured in the same run: parsing the same file, converting the coordinates and
inserting the raw rows into one plain table (the floor any importer stands on).
"""

import csv
import io
import sys
from pathlib import Path

from common import (
    REGISTER,
    backends_from_argv,
    bench_database_url,
    fresh_schema,
    machine,
    print_row,
    rerun_per_backend,
    setup_django,
    summary,
    timed,
)

RUNS = 3


def import_register() -> None:
    from django.core.management import call_command

    call_command("import_schools", str(REGISTER), stdout=io.StringIO())


def baseline() -> None:
    """Parse, convert UTM to WGS84 and insert raw rows: no validation, no model, no index."""
    from django.db import connection, transaction
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    lines = REGISTER.read_text(encoding="utf-8-sig").splitlines()[1:]
    rows = list(csv.DictReader(lines, delimiter=";"))
    values = []
    for row in rows:
        lon, lat = to_wgs84.transform(float(row["UTMRechtswert"]), float(row["UTMHochwert"]))
        values.append((row["Schulnummer"], row["Schulbezeichnung_1"], row["Strasse"], lat, lon))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_school")
        cursor.execute(
            "CREATE TABLE bench_raw_school (number varchar(12), name text, street text,"
            " lat double precision, lon double precision)"
        )
        cursor.executemany("INSERT INTO bench_raw_school VALUES (%s, %s, %s, %s, %s)", values)


def run(backend: str) -> None:
    setup_django(bench_database_url(backend))
    first, again, floor = [], [], []
    for _ in range(RUNS):
        fresh_schema()
        first.append(timed(import_register))
        again.append(timed(import_register))
        floor.append(timed(baseline))
    print(f"\n== import_schools, {backend}, {REGISTER.name}, {RUNS} runs each")
    print_row("first import (empty catalogue)", summary(first), "s", 1)
    print_row("re-import of the same register (no change)", summary(again), "s", 1)
    print_row("baseline: parse + convert + raw insert", summary(floor), "s", 1)
    ratio = summary(first)["median"] / summary(floor)["median"]
    print(f"{'ratio first import / baseline (median)':<48} {ratio:9.1f} x")


if __name__ == "__main__":
    if not REGISTER.exists():
        sys.exit(f"register not found at {REGISTER}")
    if len(sys.argv) == 1:
        print(machine())
        rerun_per_backend(Path(__file__))
    else:
        run(backends_from_argv()[0])
