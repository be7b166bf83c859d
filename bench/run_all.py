"""Run every benchmark in turn: ``make bench`` or ``.venv/bin/python bench/run_all.py``."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("import_register.py", "search_latency.py", "monitoring.py", "monitoring_pages.py"):
    subprocess.run([sys.executable, str(HERE / script)], check=True)
