"""Where the regional-scale catalogue lives, and how Django and servers are pointed at it.

SQLite: one file under ``var/bench-scale/sqlite/`` (``BENCH_SCALE_DIR`` moves the
whole cache), kept between runs. PostgreSQL: the dedicated database
``lernstadt_scale`` on the server of ``BENCH_PG_URL`` (created when missing),
never the ``test`` database the test suites use.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from common import PG_URL, backends_from_argv  # noqa: E402

CACHE = Path(os.environ.get("BENCH_SCALE_DIR", str(ROOT / "var" / "bench-scale"))).resolve()
PG_DATABASE = "lernstadt_scale"
SOURCE = "bench-scale"  # the source of every generated provider and offer


def backend_from_argv() -> str:
    """``sqlite`` or ``postgresql``: the one backend this process measures."""
    return backends_from_argv()[0]


def data_dir(backend: str) -> Path:
    """The backend's own folder: the SQLite file (for SQLite) and the marker of its data."""
    folder = CACHE / ("sqlite" if backend == "sqlite" else "postgres")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sqlite_file() -> Path:
    """The generated SQLite database (settings put it at DATA_DIR/lernstadt.sqlite3)."""
    return data_dir("sqlite") / "lernstadt.sqlite3"


def postgres_url() -> str:
    """The URL of the dedicated benchmark database, created when missing."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE])
        if found.fetchone() is None:
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return PG_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE


def server_env(backend: str) -> dict[str, str]:
    """The environment for Django (in this process or in a server) on the generated data."""
    env = dict(os.environ)
    env["LERNSTADT_DATA_DIR"] = str(data_dir(backend))
    env["DATABASE_URL"] = "" if backend == "sqlite" else postgres_url()
    env["LERNSTADT_ALLOWED_HOSTS"] = "127.0.0.1"
    env["DJANGO_SETTINGS_MODULE"] = "lernstadt.settings"
    env.pop("LERNSTADT_DEBUG", None)
    return env


def setup_django(backend: str) -> None:
    """Configure Django in this process for ``backend`` (once per process)."""
    os.environ.update(server_env(backend))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def marker_path(backend: str) -> Path:
    return data_dir(backend) / "generated.json"


def read_marker(backend: str) -> dict[str, Any]:
    """What the last generation wrote for ``backend`` ({} if none)."""
    try:
        return dict(json.loads(marker_path(backend).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def write_marker(backend: str, facts: dict[str, Any]) -> None:
    marker_path(backend).write_text(json.dumps(facts, indent=2), encoding="utf-8")
