# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export LERNSTADT_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install demo test lint test-sqlite test-postgres bench relevance bench-scale bench-monitoring clean

$(BIN)/lernstadt: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/lernstadt

install: $(BIN)/lernstadt

demo: install
	$(BIN)/lernstadt migrate --no-input
	$(BIN)/lernstadt load_demo

run: demo
	LERNSTADT_DEBUG=1 $(BIN)/lernstadt runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check lernstadt tests bench
	$(BIN)/ruff format --check lernstadt tests bench
	$(BIN)/mypy lernstadt
	$(BIN)/lernstadt makemigrations --check --dry-run
	LERNSTADT_SECRET_KEY=lint-only-$$(date +%s)-a-long-random-looking-secret-key-value \
	LERNSTADT_HTTPS=1 LERNSTADT_ALLOWED_HOSTS=lernen.herne.de \
	$(BIN)/lernstadt check --deploy --fail-level WARNING

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest

# Runs when PostgreSQL answers; says so plainly when it does not.
# The browser tests (tests/e2e: pages in Chromium, accessibility, CSP, keyboard) run in
# the SQLite half only: the database does not change what they check, and they took
# four of the PostgreSQL half's sixteen minutes.
test-postgres: install
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL at $(PG_URL)"; DATABASE_URL=$(PG_URL) $(BIN)/pytest --ignore=tests/e2e; \
	else echo "== PostgreSQL not reachable at $(PG_URL): suite ran on SQLite only"; fi

# Lint first, then the two halves side by side, one per core: each prints its output
# whole when it ends, so the two never interleave.
test: lint
	@echo "== the suite on SQLite and on PostgreSQL, side by side (each half prints when it ends)"
	@$(MAKE) --no-print-directory --output-sync=target -j2 test-sqlite test-postgres

bench: install
	$(BIN)/python bench/run_all.py

# Search quality on the judged set (bench/relevance/README.md).
relevance: install
	$(BIN)/python bench/relevance/evaluate.py

# Search speed at regional scale: 100,000 offers (bench/scale/README.md).
bench-scale: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/scale/run.py

# The monitoring: INKAR import, ranks and peers, leaver tables, pages, the report (docs/benchmarks.md).
bench-monitoring: install
	$(BIN)/python bench/monitoring.py
	$(BIN)/python bench/monitoring_pages.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
