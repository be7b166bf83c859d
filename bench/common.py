"""Helpers shared by the benchmarks: a throw-away database, timing and figures."""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
REGISTER = SHARED_DATA / "nrw" / "schuldaten_2021.csv"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def setup_django(database_url: str = "") -> None:
    """Point Django at a fresh database (SQLite in a temp dir, or ``database_url``)."""
    os.environ["LERNSTADT_DATA_DIR"] = tempfile.mkdtemp(prefix="lernstadt-bench-")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lernstadt.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_schema() -> None:
    """Empty the catalogue by migrating it to zero and back.

    Unlike ``flush``, this runs the data migrations again, so the shipped
    thesaurus is in place as on a new installation.
    """
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", "catalog", "zero", verbosity=0)
    call_command("migrate", verbosity=0)


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "p99": percentile(samples, 0.99),
        "n": len(samples),
    }


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    sqlite = subprocess.run(
        [sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite}"
    )


def print_row(name: str, figures: dict[str, float], unit: str = "ms", scale: float = 1000) -> None:
    print(
        f"{name:<48} median {figures['median'] * scale:9.2f} {unit}   "
        f"p95 {figures['p95'] * scale:9.2f} {unit}   (n={int(figures['n'])})"
    )


def bench_database_url(backend: str, name: str = "lernstadt_bench") -> str:
    """'' for SQLite; for PostgreSQL a dedicated database ``name``, created when missing."""
    if backend == "sqlite":
        return ""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def backends_from_argv() -> list[str]:
    """``--sqlite`` or ``--postgres`` pick one backend; by default both (PostgreSQL if up)."""
    if "--sqlite" in sys.argv:
        return ["sqlite"]
    if "--postgres" in sys.argv:
        return ["postgresql"]
    return ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]


def rerun_per_backend(script: Path) -> None:
    """Django is configured once per process: run the script again for each backend."""
    for backend in backends_from_argv():
        subprocess.run(
            [sys.executable, str(script), f"--{backend.replace('postgresql', 'postgres')}"],
            check=True,
        )


def bare_fts(query: str) -> Callable[[], object]:
    """A bare ranked full-text query on the same index: the practical floor."""
    from django.db import connection

    from lernstadt.catalog import text
    from lernstadt.catalog.query import LABEL_MARK

    words = text.query_words(query)
    if connection.vendor == "postgresql":
        # A word in the text or in a label (marked in the vector, see query.LABEL_MARK).
        stems = [text.query_stem(w) for w in words]
        tsquery = " & ".join(f"({s}:* | {LABEL_MARK}{s}:*)" for s in stems)
        sql = (
            "SELECT id FROM catalog_searchentry WHERE search_vector @@ to_tsquery('simple', %s) "
            "ORDER BY ts_rank(search_vector, to_tsquery('simple', %s)) DESC LIMIT 20"
        )
        params: list[str] = [tsquery, tsquery]
    else:
        sql = (
            "SELECT rowid FROM catalog_searchentry_fts WHERE catalog_searchentry_fts MATCH %s "
            "ORDER BY bm25(catalog_searchentry_fts, 10.0, 1.0, 0.2) LIMIT 20"
        )
        params = [" AND ".join(f'"{text.query_stem(w)}"*' for w in words)]

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run
