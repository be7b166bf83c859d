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
