# restflow: `make demo` serves the example API, `make test` runs the test suite.
# Each creates its virtual environment on first use.

PYTHON ?= python3
VENV ?= .venv
DJANGO ?= Django>=5.2
# `make test DRF="djangorestframework>=3.16,<3.17" SPECTACULAR="drf-spectacular>=0.28,<0.29"`: another DRF / drf-spectacular.
DRF ?= djangorestframework>=3.16
SPECTACULAR ?= drf-spectacular>=0.28
PY := $(VENV)/bin/python
# Test processes (pytest-xdist): one per core of a CI machine; WORKERS=0 runs in one process.
WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(WORKERS)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
# `make demo ASGI=restflow` serves with restflow's ASGI handler instead of Django's.
ASGI ?= django

.PHONY: lint docs test test-fast test-compiled test-python test-postgres reference-suite demo bench bench-instructions clean

$(VENV)/.installed: pyproject.toml setup.py restflow/_speedups.pyx
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	env -u RESTFLOW_NO_EXTENSIONS $(PY) -m pip install --quiet -e ".[test,bench,postgres]" "$(DJANGO)" "$(DRF)" "$(SPECTACULAR)"
	$(PY) -m restflow
	touch $@

test: test-compiled test-python test-postgres

# The fast layer: no server processes, no Redis, no PostgreSQL; both twins.
FAST := -m "not server and not redis and not postgres"
test-fast: $(VENV)/.installed
	env -u RESTFLOW_NO_EXTENSIONS -u DATABASE_URL RESTFLOW_REQUIRE_EXTENSIONS=1 $(PYTEST) $(FAST) $(PYTEST_ARGS)
	env -u DATABASE_URL -u RESTFLOW_REQUIRE_EXTENSIONS RESTFLOW_NO_EXTENSIONS=1 $(PYTEST) $(FAST) $(PYTEST_ARGS)

test-compiled: $(VENV)/.installed
	env -u RESTFLOW_NO_EXTENSIONS -u DATABASE_URL RESTFLOW_REQUIRE_EXTENSIONS=1 $(PYTEST) $(PYTEST_ARGS)

# tests/faults starts its own Redis and PostgreSQL whatever DATABASE_URL says: `make test` runs it
# once, in the compiled pass; the twin and PostgreSQL passes leave it out.
ONCE := --ignore=tests/faults

test-python: $(VENV)/.installed
	env -u DATABASE_URL -u RESTFLOW_REQUIRE_EXTENSIONS RESTFLOW_NO_EXTENSIONS=1 $(PYTEST) $(ONCE) $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: running the suite against it"; \
		env -u RESTFLOW_NO_EXTENSIONS DATABASE_URL=$(PG_URL) RESTFLOW_REQUIRE_EXTENSIONS=1 $(PYTEST) $(ONCE) $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL does not answer on 127.0.0.1:5432: skipping the PostgreSQL run"; \
	fi

# `make reference-suite REFERENCE_TESTS=path/to/tests`: a checkout of restflow's published tests/ folder,
# run unchanged against this package (tests/support/run_reference_suite.py; nothing is downloaded).
reference-suite: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[reference-suite]"
	$(PY) tests/support/run_reference_suite.py $(REFERENCE_TESTS) $(PYTEST_ARGS)

demo: $(VENV)/.installed
	$(PY) -m pip install --quiet uvicorn
	cd examples/shop && $(abspath $(PY)) manage.py migrate --noinput && $(abspath $(PY)) manage.py seed_demo
	@echo ""
	@echo "restflow example API on http://$(HOST):$(PORT)/ ($(ASGI)'s ASGI handler)"
	@echo "  http://$(HOST):$(PORT)/api/                      API root"
	@echo "  http://$(HOST):$(PORT)/api/products/?page=1      products (list, filters, ordering)"
	@echo "  http://$(HOST):$(PORT)/api/health/ping/          health check"
	@echo "  http://$(HOST):$(PORT)/api/docs/                 Swagger UI"
	@echo ""
	cd examples/shop && SHOP_ASGI_HANDLER=$(ASGI) $(abspath $(VENV))/bin/uvicorn shop.asgi:application --host $(HOST) --port $(PORT)

# ruff (lint and format) and mypy on restflow/; the documentation site, warnings as errors.
lint: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[lint]"
	$(VENV)/bin/ruff check restflow
	$(VENV)/bin/ruff format --check restflow
	$(VENV)/bin/mypy

docs: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[docs]"
	$(VENV)/bin/mkdocs build --strict --quiet

bench: $(VENV)/.installed
	env -u RESTFLOW_NO_EXTENSIONS $(PY) -m pytest benchmarks -p no:randomly --benchmark-only --benchmark-columns=min,median,mean,rounds -q

# Instructions per request under callgrind (needs valgrind): every contender, both ASGI handlers.
bench-instructions: $(VENV)/.installed
	env -u RESTFLOW_NO_EXTENSIONS PYTHONHASHSEED=0 $(PY) -m benchmarks.request_instructions

clean:
	rm -rf $(VENV) build site *.egg-info restflow/_speedups.c restflow/_speedups*.so
