# `make run` serves the dashboard with demo data; `make test` runs every test.
# Both create the virtual environment and start the embedded database first.

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format bench stop-db clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium for the browser tests; Playwright cannot download its own here.
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium >/dev/null

run: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo "Dashboard: http://$(HOST)/  (admin / dnc-admin-demo, agent / dnc-agent-demo)"
	$(MANAGE) db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; $(PY) -m dncadmin.embedded_db stop' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST)

test: $(VENV)/.installed /usr/bin/chromium
	trap '$(PY) -m dncadmin.embedded_db stop >/dev/null' EXIT; \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Measures the project against common baselines on a million-number list, in
# a database of its own, and rewrites docs/benchmarks.md. BENCH_ARGS adds
# options to bench/run.py, such as BENCH_ARGS="--only predial,page".
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench.run --write docs/benchmarks.md $(BENCH_ARGS)

stop-db:
	$(PY) -m dncadmin.embedded_db stop

clean: stop-db
	rm -rf $(VENV) .pgdata staticfiles
