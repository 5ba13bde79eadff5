# The two set-up commands of the README are `make run` and `make test`; the rest serve them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The suite runs on every core (pytest-xdist; each worker has its own test database);
# PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint bench install frontend demo format

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("HazardLoop needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the pinned dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

frontend: node_modules/.package-lock.json

# scripts/serve runs the server with a task worker beside it and prints the demo logins (with a
# fresh second-factor code) once the server answers; Ctrl-C stops both.
run: install frontend
	$(BIN)/hazardloop migrate --noinput
	$(BIN)/hazardloop load_demo --if-empty
	BIN=$(BIN) PORT=$(PORT) scripts/serve

# scripts/system-deps installs Chromium, the CJK fonts and poppler when it can, and otherwise
# says exactly what to install (HAZARDLOOP_SKIP_SYSTEM_DEPS=1 skips the check).
test: install frontend
	@[ -n "$(HAZARDLOOP_SKIP_SYSTEM_DEPS)" ] || scripts/system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hazardloop check
	$(BIN)/hazardloop makemigrations --check --dry-run
	$(BIN)/python tests/test_layers.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)
