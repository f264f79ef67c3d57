# Everyday commands. `make run` serves the app on http://localhost:3000; `make test` is what CI runs.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt only when the dependency declarations change.
VENV_STAMP := $(VENV)/.installed
LOCK := requirements.lock
PYTEST_ARGS ?=

.PHONY: venv i18n run test lint clean system-deps

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "navigator needs Python 3.11 or newer (found: $$($(PYTHON) --version))" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		bash scripts/ensure-system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --no-deps -r $(LOCK) -e .
	touch $@

# The translations: .po catalogs (what translators edit) compiled into .mo files.
PO := $(wildcard navigator/i18n/locales/*/LC_MESSAGES/*.po)
I18N_STAMP := navigator/i18n/locales/.compiled

i18n: $(I18N_STAMP)

$(I18N_STAMP): $(PO) $(VENV_STAMP)
	$(BIN)/navigator i18n compile >/dev/null
	touch $@

run: venv i18n
	$(BIN)/navigator db upgrade
	$(BIN)/navigator seed --if-empty
	$(BIN)/navigator run

# The production topology on one machine: WORKERS app workers (default 2) behind nginx on
# http://localhost:3000, sharing state through Redis, on PostgreSQL (kept in var/cluster/).
.PHONY: run-cluster
run-cluster: venv i18n system-deps
	$(BIN)/navigator cluster --workers $${WORKERS:-2}

system-deps:
	bash scripts/ensure-system-deps.sh

test: venv i18n system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Build outputs and caches only: var/ keeps the development database, index and key.
clean:
	rm -rf .web .states test-artifacts var/e2e var/node .pytest_cache .ruff_cache .mypy_cache
	rm -f navigator/i18n/locales/*/LC_MESSAGES/*.mo navigator/i18n/locales/.compiled
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
