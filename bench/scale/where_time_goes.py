"""Where the time of one search goes: its SQL statements, the plan of the slowest, cProfile.

Used by latency.py on the slowest search of each path; ``explain(title, action)``
prints the statements the call runs with their times, the database's plan of
the slowest one (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL)
and the functions where Python spends its time.
"""

import cProfile
import io
import pstats
import time
from collections.abc import Callable

REPEATS = 3
SQL_SHOWN = 400


def statements(action: Callable[[], object], rerun: bool = True) -> list[tuple[float, str]]:
    """(seconds, SQL) of every statement ``action`` runs, slowest first.

    Django's debug cursor times ``execute`` only, but SQLite does most of the
    work while rows are fetched; so each SELECT is run again here and timed
    with its ``fetchall`` (the best of two runs) unless ``rerun`` is False
    (PostgreSQL's driver fetches within ``execute``: its times hold).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    timed = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if rerun and sql.lstrip().upper().startswith("SELECT"):
            timed.append((min(run_select(sql) for _ in range(2)), sql))
        else:
            timed.append((float(query["time"]), sql))
    return sorted(timed, key=lambda item: -item[0])


def run_select(sql: str) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()
    return time.perf_counter() - started


def plan(sql: str, analyze: bool) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(f"    {r[0]}" for r in rows)
    return "\n".join(f"    {'  ' * (r[1] > 0)}{r[-1]}" for r in rows)


def profile(action: Callable[[], object], repeats: int, top: int = 14) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        action()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"lernstadt|django/db/models/sql/compiler|sqlite3|psycopg", top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join("    " + ln for ln in lines[start:])


def explain(title: str, action: Callable[[], object], slow: bool = False) -> None:
    """Print where the time of ``action`` (one search) goes.

    A ``slow`` search (seconds per call) runs once for its statements and once
    under cProfile; its plan is EXPLAIN without ANALYZE.
    """
    from django.db import connection

    if not slow:
        action()  # warm
    found = statements(action, rerun=not slow and connection.vendor == "sqlite")
    total = sum(t for t, _ in found)
    print(f"\n-- where the time goes: {title}")
    print(f"  {len(found)} SQL statements, {total * 1000:.1f} ms in the database")
    for seconds, sql in found[:6]:
        shown = sql if len(sql) <= SQL_SHOWN else sql[:SQL_SHOWN] + " …"
        print(f"  {seconds * 1000:8.1f} ms  {shown}")
    if found:
        print("  plan of the slowest statement:")
        print(plan(found[0][1], analyze=not slow))
    repeats = 1 if slow else REPEATS
    print(f"  cProfile, {repeats} call(s), by cumulative time (lernstadt, SQL compiler, driver):")
    print(profile(action, repeats), flush=True)
