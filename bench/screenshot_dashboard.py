"""Take the README's screenshot of the goals dashboard: ``docs/screenshots/dashboard.png``.

Run: ``.venv/bin/python bench/screenshot_dashboard.py``. It builds a throw-away demo
database (``lernstadt migrate`` and ``lernstadt load_demo``: the real open data from
../shared and the invented example school leavers), starts ``lernstadt runserver`` on a
free local port, opens ``/monitoring/`` in Debian's Chromium (/usr/bin/chromium, driven by
Playwright; no browser is downloaded) and saves the top of the page at 1280 × 1500 pixels.
Nothing outside the temporary folder and the PNG is touched.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LERNSTADT = Path(sys.executable).with_name("lernstadt")
OUTPUT = ROOT / "docs" / "screenshots" / "dashboard.png"
WIDTH, HEIGHT = 1280, 1500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    data = tempfile.mkdtemp(prefix="lernstadt-screenshot-")
    env = {**os.environ, "LERNSTADT_DATA_DIR": data, "LERNSTADT_DEBUG": "1", "DATABASE_URL": ""}
    subprocess.run([LERNSTADT, "migrate", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([LERNSTADT, "load_demo"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [LERNSTADT, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/monitoring/methoden/")  # a light page
        shoot(f"http://127.0.0.1:{port}/monitoring/")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{OUTPUT.relative_to(ROOT)} written")


def shoot(url: str) -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(
            viewport={"width": WIDTH, "height": HEIGHT}, locale="de-DE", device_scale_factor=1
        )
        page.goto(url, wait_until="networkidle", timeout=120_000)
        page.screenshot(path=str(OUTPUT), full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
