"""Benchmark: what people see of the monitoring, and the yearly report.

Run: ``.venv/bin/python bench/monitoring_pages.py`` (both backends; ``--sqlite`` or
``--postgres`` for one). PostgreSQL uses its own database, ``lernstadt_bench_pages``,
emptied at the start. The data are the demo's (``lernstadt/monitoring/demo.py``): the
real open data from ../shared (INKAR, census 2022, Herne's Open SDG files, VG5000) and
the INVENTED example school leavers for the pack's 16 districts, 2014–2024.

a. Page latency over Django's test client (the whole request: middleware, views,
   templates, charts), median and p95 of ``ROUNDS`` requests after one warm-up request:
   the goals dashboard and three indicator pages (a leaver indicator with suppression,
   an INKAR county indicator with rank and peers, an Open SDG indicator). Baselines in
   the same run: the catalogue's home page and the monitoring's methods page, which are
   (nearly) static.
b. The time to build the full report for 2024 (``report.build_report``): the first build
   in the process and a second one (charts then come from the in-process cache), each
   split into the HTML (numbers, charts, template) and the PDF (WeasyPrint).
"""

import sys
import time
from pathlib import Path

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

DATABASE = "lernstadt_bench_pages"
ROUNDS = 15
REPORT_YEAR = 2024
PAGES = [
    ("goals dashboard", "/monitoring/"),
    ("indicator: leavers_ahr_share (leavers)", "/monitoring/indikatoren/leavers_ahr_share/"),
    ("indicator: share_abitur (INKAR, peers)", "/monitoring/indikatoren/share_abitur/"),
    ("indicator: sdg_4-1 (Open SDG)", "/monitoring/indikatoren/sdg_4-1/"),
    ("baseline: catalogue home page", "/"),
    ("baseline: monitoring methods page", "/monitoring/methoden/"),
]


def load_data() -> None:
    """The demo's monitoring data in an empty database."""
    from django.core.management import call_command

    from lernstadt.monitoring import demo
    from lernstadt.monitoring.pack import load_monitoring_pack

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    load_monitoring_pack()
    started = time.perf_counter()
    demo.load_open_data(SHARED_DATA, lambda line: None)
    demo.load_example_leavers(lambda line: None)
    print(f"demo monitoring data loaded in {time.perf_counter() - started:.1f} s")


def page_latency() -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host "testserver" is allowed
    client = Client()
    for name, url in PAGES:
        first = timed(lambda url=url: check(client.get(url), url))
        samples = [timed(lambda url=url: check(client.get(url), url)) for _ in range(ROUNDS)]
        print_row(name, summary(samples))
        print(f"{'':<48} first request {first * 1000:9.2f} ms")


def check(response: object, url: str) -> None:
    status = getattr(response, "status_code", 0)
    if status != 200:
        raise SystemExit(f"{url} answered {status}")


def report_build() -> None:
    """``build_report`` is ``render_report`` plus ``pdf_from_html`` plus writing two files;
    the two steps are timed apart, twice, and the two results compared byte for byte."""
    from lernstadt.monitoring import report

    built = []
    for attempt in ("first build", "second build"):
        started = time.perf_counter()
        html = report.render_report(REPORT_YEAR)
        middle = time.perf_counter()
        pdf, pages = report.pdf_from_html(html)
        ended = time.perf_counter()
        built.append((html, pdf))
        print(
            f"report {REPORT_YEAR}, {attempt}: {ended - started:6.1f} s "
            f"(HTML {middle - started:.1f} s, PDF {ended - middle:.1f} s); {pages} pages, "
            f"PDF {len(pdf) / 1e6:.2f} MB, HTML {len(html.encode()) / 1e6:.2f} MB"
        )
    print(f"the two builds are byte-identical: {built[0] == built[1]}")


def main(backend: str) -> None:
    setup_django(bench_database_url(backend, DATABASE))
    from django.db import connection

    print(f"== {machine()}; {connection.vendor}")
    load_data()
    page_latency()
    report_build()


if __name__ == "__main__":
    if len(sys.argv) == 1:
        rerun_per_backend(Path(__file__))
    else:
        main(backends_from_argv()[0])
