# dealmap: `make run` serves the site with the real maps; `make test` runs the whole suite.
# Both set everything up themselves (virtualenv, requirements, migrations, fixtures).

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format e2e-deps bench bench-load bench-lighthouse clean

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || { py=$$(bin/find-python) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input -v0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py bootstrap --url http://$(HOST):$(PORT)/
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# axe-core, injected by the browser tests (package.json); without npm those checks skip.
node_modules/.axe-core: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --omit=dev --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the axe-core accessibility checks will skip"; fi

e2e-deps: node_modules/.axe-core

test: $(VENV)/.dev e2e-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Lighthouse scores of the map and a project page under gunicorn (bench/README.md).
bench-lighthouse: $(VENV)/.runtime
	$(PY) bench/lighthouse.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Load test with gunicorn + wrk at 35, 2,500 and 100,000 projects (docs/benchmarks.md).
# BENCH_SIZES="35" BENCH_DURATION=3 make bench is the quick mode.
bench-load: $(VENV)/.dev
	$(PY) -m bench.run

# The load benchmark (docs/benchmarks.md), then the Lighthouse scores of the public pages.
bench: bench-load bench-lighthouse
