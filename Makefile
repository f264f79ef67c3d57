# Everyday commands. `make run` serves the app on http://localhost:3000; `make test` is what CI runs.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt only when the dependency declarations change.
VENV_STAMP := $(VENV)/.installed
LOCK := requirements.lock
PYTEST_ARGS ?=

.PHONY: venv run test lint clean system-deps

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "navigator needs Python 3.11 or newer (found: $$($(PYTHON) --version))" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		bash scripts/ensure-system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --no-deps -r $(LOCK) -e .
	touch $@

run: venv
	$(BIN)/navigator db upgrade
	$(BIN)/navigator seed --if-empty
	$(BIN)/navigator run

system-deps:
	bash scripts/ensure-system-deps.sh

test: venv system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Build outputs and caches only: var/ keeps the development database, index and key.
clean:
	rm -rf .web .states test-artifacts var/e2e var/node .pytest_cache .ruff_cache .mypy_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
