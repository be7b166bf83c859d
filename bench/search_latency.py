"""Benchmark: search latency on the Herne demo and on demo + the NRW school register.

Run: ``.venv/bin/python bench/search_latency.py`` (both backends; ``--sqlite`` or
``--postgres`` for one). Every query goes through the real code path,
``catalog.search.search_offers``, once as the results page calls it (with facet
counts) and once as the API calls it (hits only). The baseline, measured in the
same run on the same rows, is a bare full-text query of the database (FTS5
MATCH ordered by bm25, or tsvector @@ tsquery ordered by ts_rank) returning 20
ids: the practical floor.
"""

import io
import sys
from pathlib import Path

from common import (
    REGISTER,
    backends_from_argv,
    bare_fts,
    bench_database_url,
    fresh_schema,
    machine,
    print_row,
    rerun_per_backend,
    setup_django,
    summary,
    timed,
)

QUERIES = [
    "Schwimmkurs",
    "Schwimmkurse",
    "Deutschkurs",
    "Deutsch lernen",
    "Integrationskurs",
    "Hausaufgabenhilfe",
    "Nachhilfe Mathe",
    "Gymnasium",
    "Gymnasien in Herne",
    "Grundschule",
    "Grundschulen Herne",
    "Berufskolleg",
    "Realschule Köln",
    "Gesamtschule Bochum",
    "Kita",
    "Musikschule",
    "Gitarre",
    "Chor",
    "Computerkurs Senioren",
    "Smartphone",
    "Bewerbung",
    "Ausbildung",
    "Eltern Kind",
    "Yoga",
    "Erste Hilfe",
    "Bibliothek",
    "Vorlesen",
    "Ehrenamt",
    "Wanne",
    "Sodingen",
    "Herne-Eickel",
    "44623",
    "Strasse",
    "Muelheim",
    "Düsseldorf",
    "Förderschule",
    "Weiterbildungskolleg",
    "Sekundarschule",
    "Türkisch",
    "kostenlos",
]
ROUNDS = 5
# What a citizen has typed after each keystroke from the second letter on.
PREFIXES = [q[:n] for q in QUERIES for n in range(2, len(q) + 1)]


def measure(label: str) -> None:
    from lernstadt.catalog.models import SearchEntry
    from lernstadt.catalog.search import search_offers, suggest

    page: list[float] = []
    api: list[float] = []
    floor: list[float] = []
    for query in QUERIES:  # warm-up: caches, prepared statements
        search_offers(query)
    for _ in range(ROUNDS):
        for query in QUERIES:
            page.append(timed(lambda q=query: list(search_offers(q).page)))
            api.append(timed(lambda q=query: list(search_offers(q, with_facets=False).page)))
            floor.append(timed(bare_fts(query)))
    typed: list[float] = []
    for _ in range(ROUNDS):
        for prefix in PREFIXES:
            typed.append(timed(lambda p=prefix: suggest(p)))
    print(f"\n-- {label}: {SearchEntry.objects.count()} entries, {len(QUERIES)} queries x {ROUNDS}")
    print_row("results page path (hits + facet counts)", summary(page))
    print_row("API path (hits only)", summary(api))
    print_row("baseline: bare full-text query, 20 ids", summary(floor))
    print_row(f"autocomplete ({len(PREFIXES)} prefixes as typed)", summary(typed))
    ratio = summary(api)["p95"] / summary(floor)["p95"]
    print(f"{'ratio API path / baseline (p95)':<48} {ratio:9.1f} x")


def run(backend: str) -> None:
    from_scratch = bench_database_url(backend)
    setup_django(from_scratch)
    from django.core.management import call_command

    fresh_schema()
    print(f"\n== search latency, {backend}")
    call_command("load_demo", stdout=io.StringIO())
    measure("Herne demo")
    if REGISTER.exists():
        call_command("import_schools", str(REGISTER), stdout=io.StringIO())
        measure("Herne demo + NRW school register")


if __name__ == "__main__":
    if len(sys.argv) == 1:
        print(machine())
        rerun_per_backend(Path(__file__))
    else:
        run(backends_from_argv()[0])
