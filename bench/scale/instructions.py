"""What a results page costs on SQLite in instructions: a figure the machine's speed
does not move.

Run: ``.venv/bin/python bench/scale/instructions.py [--rounds N]`` after generate.py,
about five minutes (valgrind from Debian: ``apt-get install -y valgrind``). On a
shared two-core machine the same code served 88 to 124 pages/s from one run to the
next (docs/benchmarks.md, session 10); instructions counted by ``valgrind
--tool=callgrind`` repeat to within a fraction of a percent, so two versions of the
code compare in one run each.

Three runs of this script as a child under callgrind, two at a time. Each sets Django
up on the regional catalogue, renders every results page of :mod:`queries` once and
runs each bare full-text query once (templates compiled, caches filled). Then
``warm`` stops; ``pages`` renders every page N more times through Django's handler
(middleware, view, search, template); ``floor`` runs the bare full-text query of each
search with words N more times (the baseline: 20 ranked ids, nothing else). A run's
count less the warm one's, per page or query, is what it costs; the page's is split
into SQLite's part (``sqlite3_step``) and the rest (Python: Django, the templates,
the search code). The search's own caches are held for the run: under callgrind a
page takes about 50 times as long, and a 10-second cache would expire in the middle.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from database import setup_django
from queries import SEARCHES

HERE = Path(__file__).resolve()
ROUNDS = 1  # counts repeat: one round is enough
MODES = ("warm", "pages", "floor")


def child(mode: str, rounds: int) -> None:
    """Warm up, then do ``mode``'s work ``rounds`` times (runs under callgrind)."""
    setup_django("sqlite")
    import common
    from django.test import Client

    import lernstadt.lib.timed_cache as timed_cache
    from lernstadt.catalog import text

    timed_cache.monotonic = lambda: 0.0  # type: ignore[attr-defined]  # no cache expires
    client = Client(HTTP_HOST="127.0.0.1")
    floors = [common.bare_fts(s.q) for s in SEARCHES if text.query_words(s.q)]
    pages = [s.page_path() for s in SEARCHES]
    work = {
        "pages": lambda: [client.get(path) for path in pages],
        "floor": lambda: [floor() for floor in floors],
    }
    for action in work.values():  # templates compiled, caches filled, statements known
        action()
    for _ in range(rounds if mode in work else 0):
        work[mode]()


def counted(mode: str, rounds: int, folder: Path) -> tuple[int, int]:
    """(all instructions, those under sqlite3_step) of one child run."""
    out = folder / f"callgrind.{mode}"
    command = [
        *("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"),
        *(sys.executable, str(HERE), "--child", mode, str(rounds)),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    total = int(re.findall(r"Collected : (\d+)", finished.stderr)[-1])
    annotated = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # sqlite3_step may be named under more than one library; each call is counted once.
    in_sqlite = sum(
        int(line.split()[0].replace(",", ""))
        for line in annotated.splitlines()
        if re.search(r":sqlite3_step \[", line)
    )
    return total, in_sqlite


def main() -> None:
    if "--child" in sys.argv:
        position = sys.argv.index("--child")
        child(sys.argv[position + 1], int(sys.argv[position + 2]))
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: apt-get install -y valgrind")
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else ROUNDS
    print(f"== instructions per results page, sqlite ({rounds} rounds of {len(SEARCHES)} pages)")
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(max_workers=2) as pool:
        counts = pool.map(lambda mode: counted(mode, rounds, Path(folder)), MODES)
        runs = dict(zip(MODES, counts, strict=True))
    setup_django("sqlite")
    from lernstadt.catalog import text

    floors = rounds * sum(1 for s in SEARCHES if text.query_words(s.q))
    pages = rounds * len(SEARCHES)
    (warm, warm_sqlite), (page, page_sqlite), (floor, _) = (runs[m] for m in MODES)
    per_page, per_floor = (page - warm) / pages, (floor - warm) / floors
    in_sqlite = (page_sqlite - warm_sqlite) / pages
    print(f"  results page   {per_page / 1e6:8.1f} M instructions")
    print(f"    in SQLite    {in_sqlite / 1e6:8.1f} M ({in_sqlite / per_page:.0%})")
    rest = per_page - in_sqlite
    print(f"    the rest     {rest / 1e6:8.1f} M (Django, templates, the search code)")
    print(f"  floor: bare full-text query, 20 ranked ids {per_floor / 1e6:8.1f} M")
    print(f"  a page costs {per_page / per_floor:.1f} x the floor")


if __name__ == "__main__":
    main()
