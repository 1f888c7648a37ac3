# Daybook: `make run` starts it with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export DAYBOOK_SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
export DAYBOOK_MASTER_KEY_FILE ?= $(CURDIR)/var/master_key
export DAYBOOK_IDENTIFIER_KEY_FILE ?= $(CURDIR)/var/identifier_key
export DAYBOOK_SIGNING_KEY_FILE ?= $(CURDIR)/var/signing_key

.PHONY: run test test-db lint format install keys

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

keys: $(INSTALLED)
	$(BIN)/python scripts/make_keys.py var
	mkdir -p var/test

run: keys
	DAYBOOK_HTTPS=false DAYBOOK_EMAIL=console scripts/run.sh

test: keys
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	DAYBOOK_HTTPS=true DAYBOOK_EMAIL=smtp DAYBOOK_VAR_DIR=$(CURDIR)/var/test \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	scripts/ensure_system_packages.sh
	DAYBOOK_HTTPS=false DAYBOOK_EMAIL=console DAYBOOK_VAR_DIR=$(CURDIR)/var/test \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests that touch the database, without the browser: CI runs them on PostgreSQL.
test-db: keys
	DAYBOOK_HTTPS=false DAYBOOK_EMAIL=console DAYBOOK_VAR_DIR=$(CURDIR)/var/test \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# mypy's Django plugin imports the settings, which read the key files.
lint: keys
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
