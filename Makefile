# Worktally: `make run` (demo server on SQLite) and `make test` (the whole suite) are the two commands.
SHELL := /bin/bash
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup run demo serve test test-fast lint format bench bench-read-pool bench-reports bench-pages bench-backup bench-peers bench-changes client wrk browser migration screenshots clean dist

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(BIN)/worktally: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

setup: $(BIN)/worktally

# The first command: set up, create the demo workspace (printing a token), serve on SQLite.
run: setup
	@umask 077 && $(BIN)/worktally demo > .demo.json  # it holds a token
	@echo ""
	@echo "  Demo workspace ready. Try it:"
	@echo "    export TOKEN=$$($(BIN)/python -c 'import json;print(json.load(open(".demo.json"))["token"])')"
	@echo "    curl -H \"Authorization: Bearer \$$TOKEN\" http://$(HOST):$(PORT)/api/v2/workspaces"
	@echo "  Sign in at http://$(HOST):$(PORT)/sign-in as owner@demo.worktally.local / demo-password"
	@echo "  or as the demo member (a few weeks of time, a pending time request, leave balances):"
	@echo "    dev.patel@demo.worktally.local / demo-password"
	@echo "  API docs: http://$(HOST):$(PORT)/api/v2/docs"
	@echo ""
	$(BIN)/worktally serve --host $(HOST) --port $(PORT)

serve: setup
	$(BIN)/worktally serve --host $(HOST) --port $(PORT)

# Chromium for the browser tests comes from Debian's packages (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will not run"; \
	  else echo "warning: chromium is not installed; browser tests will not run"; fi; }

# The second command: set up and run the whole suite (SQLite unless WORKTALLY_TEST_DATABASE_URL is set).
test: setup browser
	$(BIN)/pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/pytest -q -x $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench migrations clients/python/src scripts/gen_client_resources.py
	$(BIN)/ruff format --check src tests bench migrations clients/python/src scripts/gen_client_resources.py
	$(BIN)/mypy --strict src

# Regenerates the Python client's models from the server's OpenAPI document (#18).
client: setup
	scripts/regen-client

format: setup
	$(BIN)/ruff format src tests bench migrations
	$(BIN)/ruff check --fix src tests bench migrations

bench: setup
	$(BIN)/python -m bench.api_overhead

# Acquire + one prepared read + release through our ReadPool, asyncpg's pool and SQLAlchemy's (db/read_pool.py).
bench-read-pool: setup
	$(BIN)/python -m bench.read_pool

bench-reports: setup
	$(BIN)/python -m bench.reports

# Today and My week rendered for the demo member, against the API calls for the same data (SQLite).
bench-pages: setup
	$(BIN)/python -m bench.pages

bench-backup: setup
	$(BIN)/python -m bench.backup

# The manager's tracked-hours page for a month of 500 members (PostgreSQL) against the API's JSON report (#17).
bench-manager: setup
	$(BIN)/python -m bench.manager_pages

# A page of 100 of GET /changes from a table of a million changes, through the app and as bare SQL (PostgreSQL).
bench-changes: setup
	$(BIN)/python -m bench.changes

# Worktally beside TimeTagger (installed from PyPI into bench/.peers/): day, week and create, SQLite and PostgreSQL.
bench-peers: setup wrk
	$(BIN)/python -m bench.peers

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "warning: could not install wrk"; \
	  else echo "warning: wrk is not installed (apt-get install wrk)"; fi; }

# A PNG of every page of the member app (light and dark, desktop and 375 px) into docs/screenshots/.
screenshots: setup browser
	$(BIN)/python scripts/screenshots.py

migration: setup
	scripts/regen-initial-migration

# The sdist and the wheel (templates, static files and migrations inside the package) in $(DIST).
DIST ?= dist
dist: $(UV)
	$(UV) build --sdist --wheel -o $(DIST)

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache worktally.sqlite3* .demo.json
