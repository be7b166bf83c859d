"""Servers on the loopback for the benchmark: started, awaited, always stopped.

Each server runs in its own session (process group), so stopping it ends its
workers too, and only those: we signal the group of the process we started.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from database import ROOT, data_dir, server_env

HOST = "127.0.0.1"


def _exit_on_term(signum: int, frame: object) -> None:
    # SIGTERM (a time limit) then unwinds the with-blocks, which stop the servers.
    raise SystemExit(f"stopped by signal {signum}")


signal.signal(signal.SIGTERM, _exit_on_term)
VENV_BIN = ROOT / ".venv" / "bin"
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], cpus: str) -> list[str]:
    """``command`` bound to ``cpus`` with taskset, where taskset exists."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", cpus, *command] if taskset else command


def gunicorn(port: int, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "gunicorn"),
        "lernstadt.wsgi",
        "-w",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "120",
        "--chdir",
        str(ROOT),
    ]


def datasette(database: Path, port: int) -> list[str]:
    return [str(VENV_BIN / "datasette"), "serve", str(database), "-h", HOST, "-p", str(port)]


class Client:
    """A plain HTTP/1.1 client with keep-alive (reconnects when the server closes)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.connection.close()
                return response.status, body
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def wait_ready(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server ended at start: see {log}")
        try:
            status, _ = Client(port).get(path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready after {START_TIMEOUT_S} s: see {log}")


@contextmanager
def running(
    name: str, command: list[str], backend: str, port: int, ready_path: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` for the duration of the block; its output goes to a log file."""
    log = data_dir(backend) / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=server_env(backend),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            wait_ready(process, port, ready_path, log)
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server we started and its workers (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
