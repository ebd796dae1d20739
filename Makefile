# wuyeflow — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install faketime chromium lint run test test-postgres tokens migrate seed worker api bench chaos clean

# libfaketime (Debian package faketime): tests about a date start a test server on that date.
LIBFAKETIME = $(wildcard /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its test tools

faketime:  ## the system package the date-bound tests need
	@test -n "$(LIBFAKETIME)" || $(SUDO) apt-get install -y --no-install-recommends faketime \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends faketime; }

# Debian's chromium (and a CJK font for readable screenshots): the workbench's browser tests drive it
# through Playwright, which never downloads a browser of its own.
CHROMIUM = $(shell command -v chromium chromium-browser 2>/dev/null | head -n 1)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = 1

chromium:  ## the headless browser the workbench's browser tests need
	@test -n "$(CHROMIUM)" || $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-microhei \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; }

run: install  ## Temporal dev server + migrations + demo city + worker + API; Ctrl+C stops all
	$(PY) -m core.devstack

lint: install  ## ruff and mypy --strict over the application (configured in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: install faketime chromium lint  ## lint and types, then the whole suite on SQLite (or on DATABASE_URL when set)
	$(PY) -m pytest -q

test-postgres: install faketime chromium  ## the whole suite on the local PostgreSQL
	DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test $(PY) -m pytest -q

tokens: install  ## print a bearer token for every demo user
	@$(PY) -m api.tokens

migrate: install
	$(VENV)/bin/alembic upgrade heads

seed: migrate
	$(PY) -m db.seed

worker: install
	$(PY) worker.py

api: install
	$(PY) -m api.serve --host 127.0.0.1 --port 8000

bench: install  ## benchmarks against bare Temporal, the inbox and a city year (quick sizes; ARGS=--full, ARGS="--only city-year")
	$(PY) -m bench $(ARGS)

chaos: install  ## fault suite: fund cases through the API while processes die (quick; `make chaos ARGS=--full` for 30 cases per fault)
	$(PY) -m bench.chaos $(ARGS)

clean:  ## remove local data (the Temporal history and the SQLite database)
	rm -rf .data
