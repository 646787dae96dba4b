# Everything runs from the project's own virtualenv in .venv, created on first use.
# `make run` and `make test` are all a fresh machine with Python 3.11+ needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

# Node.js tools of the test suite (tests/browser: the GraphQL-over-HTTP audit).
NODE_STAMP := tests/browser/node_modules/.installed
# Front-end assets the service serves itself (GraphiQL, offline): pinned npm releases.
VENDOR := app/static/vendor

.PHONY: help install run serve test lint format schema clean distclean bench vendor

help:
	@echo "make run        set up .venv, migrate the database, load the demo, serve on http://$(HOST):$(PORT)/graphql"
	@echo "make serve      serve only, restarting on code changes"
	@echo "make test       set up .venv and run the tests (PYTEST_ARGS='-k cli -x' to pass options)"
	@echo "make lint       ruff check, ruff format --check, mypy (strict on app/domain and app/db)"
	@echo "make format     ruff format and ruff check --fix"
	@echo "make schema     regenerate schema.graphql"
	@echo "make vendor     fetch GraphiQL's pinned assets again (then check their hashes in app/web/graphiql.py)"
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

# Without npm the audit test is skipped (outside CI); the browser tests need Debian's chromium.
$(NODE_STAMP): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests/browser/test_http_audit.py will be skipped"; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/loketflow schema --output schema.graphql

# Ratios, not timings: see bench/README.md. BENCH_ARGS="--database-url postgresql+asyncpg://..."
bench: $(STAMP)
	$(BIN)/python bench/employees_page.py $(BENCH_ARGS)

# npm pack DIR VERSION PACKAGE FILES...: the files of one release, with its licence.
define npm_files
	rm -rf $(VENDOR)/$(1)@$(2).tmp && mkdir -p $(VENDOR)/$(1)@$(2).tmp $(VENDOR)/$(1)@$(2)
	cd $(VENDOR)/$(1)@$(2).tmp && npm pack --silent $(3)@$(2) >/dev/null && tar xzf *.tgz
	cd $(VENDOR)/$(1)@$(2).tmp/package && cp $(4) ../../$(1)@$(2)/
	rm -rf $(VENDOR)/$(1)@$(2).tmp
endef

# @graphiql/plugin-explorer ships no licence file: its LICENSE here is written by hand (MIT,
# as its package.json says, the graphiql repository's text).
vendor:
	$(call npm_files,react,18.2.0,react,umd/react.production.min.js LICENSE)
	$(call npm_files,react-dom,18.2.0,react-dom,umd/react-dom.production.min.js LICENSE)
	$(call npm_files,graphiql,3.8.3,graphiql,graphiql.min.js graphiql.min.css LICENSE)
	$(call npm_files,graphiql-plugin-explorer,1.0.2,@graphiql/plugin-explorer,dist/index.umd.js dist/style.css)
	$(call npm_files,graphql-ws,6.4.2,graphql-ws,umd/graphql-ws.min.js LICENSE.md)

clean:
	rm -rf var .pytest_cache .ruff_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) tests/browser/node_modules
