"""The results page under load: 20 concurrent clients against gunicorn on the loopback.

Run: ``.venv/bin/python bench/scale/load.py [--sqlite|--postgres]``.

Server: ``gunicorn lernstadt.wsgi -w 2`` (sync workers, one per core of the
two-core machine). Load: ``wrk`` (Debian package) with 2 threads and 20
connections for a bounded time, a Lua script rotating through the results
pages of every search in :mod:`queries` (words, filters, pages, sorts).
Without wrk, a threaded Python client does the same (slower itself, so it
steals more CPU from the server). The load generator shares the two cores with
the server: figures are for the whole machine, not for the server alone.
"""

import json
import os
import resource
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from database import backend_from_argv, data_dir, setup_django
from queries import SEARCHES
from servers import HOST, Client, free_port, gunicorn, running

CLIENTS = 20
DURATION_S = 20
WORKERS = 2
AIM_P95_MS = 200.0

LUA = """
local paths = {%(paths)s}
local counter = 0
setup = function(thread)
  thread:set("offset", counter)
  counter = counter + 31
end
local i = 0
init = function(args)
  i = tonumber(offset) or 0
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"max": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# Whose CPU a page costs: the servers' processes by name, and the load generator.
SERVERS = ("gunicorn", "postgres")


def _process_stats() -> Iterator[str]:
    """The /proc/<pid>/stat line of every process (none where there is no /proc)."""
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        yield stat


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of the processes named in SERVERS, by name, and of the
    load generator (wrk, a finished child of this process, or this process's
    threads)."""
    seconds = dict.fromkeys(SERVERS, 0.0)
    tick = os.sysconf("SC_CLK_TCK")
    for stat in _process_stats():
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name in seconds:
            user, system = stat[stat.rindex(")") + 2 :].split()[11:13]
            seconds[name] += (int(user) + int(system)) / tick
    usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    seconds["load generator"] = sum(u.ru_utime + u.ru_stime for u in usages)
    return seconds


def cpu_per_page(before: dict[str, float], after: dict[str, float], pages: int) -> str:
    """Milliseconds of CPU each page cost, by whose."""
    return ", ".join(
        f"{name} {(after[name] - before[name]) / pages * 1000:.1f} ms"
        for name in after
        if after[name] > before[name]
    )


def lua_script(backend: str) -> Path:
    paths = ", ".join(json.dumps(s.page_path()) for s in SEARCHES)
    script = data_dir(backend) / "rotate_searches.lua"
    script.write_text(LUA % {"paths": paths}, encoding="utf-8")
    return script


def with_wrk(backend: str, port: int) -> dict[str, Any]:
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(CLIENTS),
        "-d",
        f"{DURATION_S}s",
        "--timeout",
        "10s",
        "-s",
        str(lua_script(backend)),
        f"http://{HOST}:{port}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=DURATION_S + 60, check=True
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    raw = json.loads(line.removeprefix("RESULT "))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "tool": f"wrk -t 2 -c {CLIENTS} -d {DURATION_S}s",
        "requests": raw["requests"],
        "throughput": raw["requests"] / seconds,
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "max": raw["max"] / 1000,
        "errors": errors,
    }


def with_threads(port: int) -> dict[str, Any]:
    """The fallback load generator: CLIENTS threads, each one request at a time."""
    from common import percentile

    paths = [s.page_path() for s in SEARCHES]
    samples: list[float] = []
    errors = [0]
    deadline = time.monotonic() + DURATION_S

    def client(offset: int) -> None:
        http = Client(port)
        i = offset
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status, _ = http.get(paths[i % len(paths)])
            samples.append(time.perf_counter() - started)
            errors[0] += status != 200
            i += 1
        http.close()

    threads = [threading.Thread(target=client, args=(n * 31,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "tool": f"Python threads x {CLIENTS}, {DURATION_S} s",
        "requests": len(samples),
        "throughput": len(samples) / DURATION_S,
        "p50": statistics.median(samples) * 1000,
        "p95": percentile(samples, 0.95) * 1000,
        "p99": percentile(samples, 0.99) * 1000,
        "max": max(samples) * 1000,
        "errors": errors[0],
    }


def main() -> None:
    backend = backend_from_argv()
    setup_django(backend)
    from generate import ensure_catalogue

    print(f"== results page under load, {backend}", flush=True)
    ensure_catalogue(backend, fresh=False)
    port = free_port()
    with running("gunicorn-2", gunicorn(port, WORKERS), backend, port, "/suche/?q=Schule"):
        warm = Client(port)
        for s in SEARCHES:  # both workers' caches warm up under the load's first seconds
            warm.get(s.page_path())
        warm.close()
        before = cpu_seconds()
        out = with_wrk(backend, port) if shutil.which("wrk") else with_threads(port)
        out["cpu_per_page"] = cpu_per_page(before, cpu_seconds(), out["requests"])
    print(
        f"  /suche/?q=… rotating {len(SEARCHES)} searches; gunicorn -w {WORKERS} (sync); "
        f"{out['tool']}; load generator on the same 2 cores"
    )
    print(
        f"  {out['requests']} requests, {out['throughput']:.1f} requests/s, "
        f"p50 {out['p50']:.0f} ms, p95 {out['p95']:.0f} ms, p99 {out['p99']:.0f} ms, "
        f"max {out['max']:.0f} ms, errors {out['errors']}"
    )
    print(f"  CPU per page (two cores shared): {out['cpu_per_page']}")
    verdict = "met" if out["p95"] < AIM_P95_MS and not out["errors"] else "MISSED"
    print(f"  aim p95 < {AIM_P95_MS:.0f} ms at {CLIENTS} concurrent clients: {verdict}")
    (data_dir(backend) / "load.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
