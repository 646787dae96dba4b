# Everything runs from the project's own virtualenv in .venv, created on first use.
# `make run` and `make test` are all a fresh machine with Python 3.11+ needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve test lint format schema clean distclean bench

help:
	@echo "make run        set up .venv, migrate the database, load the demo, serve on http://$(HOST):$(PORT)/graphql"
	@echo "make serve      serve only, restarting on code changes"
	@echo "make test       set up .venv and run the tests (PYTEST_ARGS='-k cli -x' to pass options)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     ruff format and ruff check --fix"
	@echo "make schema     regenerate schema.graphql"
	@echo "make clean      remove var/ and caches (make distclean also removes .venv)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies may have changed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/loketflow db upgrade
	$(BIN)/loketflow demo load
	$(BIN)/loketflow serve --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(BIN)/loketflow serve --host $(HOST) --port $(PORT) --reload

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/loketflow schema --output schema.graphql

# Ratios, not timings: see bench/README.md. BENCH_ARGS="--database-url postgresql+asyncpg://..."
bench: $(STAMP)
	$(BIN)/python bench/employees_page.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .ruff_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
