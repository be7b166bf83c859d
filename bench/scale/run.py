"""The regional-scale search benchmark in one command.

Run: ``.venv/bin/python bench/scale/run.py [--sqlite|--postgres] [--fresh]``
(both backends by default, PostgreSQL when it answers). For each backend:
generate (or reuse) the catalogue, latency in process, HTTP against datasette,
the results page under load. Every step is a process of its own (Django is
configured once per process) with a time limit; the whole stays under 15
minutes with a cached catalogue. The output is also written to
var/bench-scale/last-run.txt.
"""

import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from database import CACHE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import backends_from_argv, machine  # noqa: E402

HERE = Path(__file__).resolve().parent
STEPS = (
    ("generate.py", 900),
    ("latency.py", 600),
    ("over_http.py", 300),
    ("load.py", 150),
)


def step(script: str, backend: str, limit_s: int, log: list[str]) -> None:
    flag = "--sqlite" if backend == "sqlite" else "--postgres"
    extra = ["--fresh"] if script == "generate.py" and "--fresh" in sys.argv else []
    command = [sys.executable, str(HERE / script), flag, *extra]
    # Other work on the machine skews timings: say how busy it was.
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    log.append(f"load average before {script}: {load}\n")
    print(log[-1], end="", flush=True)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=HERE.parents[1]
    ) as process:
        # The step stops its servers on SIGTERM; the watchdog fires even if it prints nothing.
        watchdog = threading.Timer(limit_s, process.terminate)
        watchdog.start()
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            log.append(line)
        watchdog.cancel()
        if process.wait() != 0:
            log.append(
                f"!! {script} ended with exit code {process.returncode} (limit {limit_s} s)\n"
            )
            print(log[-1], end="")


def main() -> None:
    started = time.monotonic()
    header = f"regional search benchmark, {datetime.now():%Y-%m-%d %H:%M}\n{machine()}\n"
    print(header, flush=True)
    log = [header]
    for backend in backends_from_argv():
        for script, limit_s in STEPS:
            step(script, backend, limit_s, log)
    log.append(f"\nwhole run: {time.monotonic() - started:.0f} s\n")
    print(log[-1])
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "last-run.txt").write_text("".join(log), encoding="utf-8")


if __name__ == "__main__":
    main()
