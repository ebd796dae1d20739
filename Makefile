# wuyeflow — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test test-postgres tokens migrate seed worker api bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its test tools

run: install  ## Temporal dev server + migrations + demo city + worker + API; Ctrl+C stops all
	$(PY) -m core.devstack

test: install  ## the whole suite on SQLite (or on DATABASE_URL when set)
	$(PY) -m pytest -q

test-postgres: install  ## the whole suite on the local PostgreSQL
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
	$(VENV)/bin/uvicorn api.main:app --host 127.0.0.1 --port 8000

bench: install  ## benchmarks against bare Temporal (quick sizes; `make bench ARGS=--full` for issue 7's)
	$(PY) -m bench $(ARGS)

clean:  ## remove local data (the Temporal history and the SQLite database)
	rm -rf .data
