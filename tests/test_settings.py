"""Settings come from the environment; a new data folder is made on first use."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def run_lernstadt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LERNSTADT_", "DATABASE_"))}
    code = "from lernstadt.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=clean | env, cwd=PROJECT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_migrate_creates_the_data_folder_for_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "folder"
    result = run_lernstadt({"LERNSTADT_DATA_DIR": str(data_dir)}, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    assert (data_dir / "lernstadt.sqlite3").exists()


def test_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 50 + "\n", encoding="utf-8")
    result = run_lernstadt(
        {"LERNSTADT_DATA_DIR": str(tmp_path), "LERNSTADT_SECRET_KEY_FILE": str(secret)},
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
    )  # fmt: skip
    assert result.stdout.strip().endswith("from-a-file-" + "x" * 50)


def _sqlite_mmap_size(env: dict[str, str]) -> int:
    result = run_lernstadt(
        env, "shell", "-c",
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    print(cursor.execute('PRAGMA mmap_size').fetchone()[0])",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def test_sqlite_reads_its_file_through_a_memory_map_of_configurable_size(tmp_path: Path) -> None:
    """A page read through the map costs no system call (docs/operations.md)."""
    data = {"LERNSTADT_DATA_DIR": str(tmp_path)}
    assert _sqlite_mmap_size(data) == 1024 * 2**20
    assert _sqlite_mmap_size(data | {"LERNSTADT_SQLITE_MMAP_MB": "64"}) == 64 * 2**20
    assert _sqlite_mmap_size(data | {"LERNSTADT_SQLITE_MMAP_MB": "0"}) == 0
