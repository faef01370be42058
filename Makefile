# The two promises of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-sqlite test-postgres test-js lint install install-dev catalogues db bench backup clean accessibility survey-docs roles-doc reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

catalogues: install
	$(FLASK) i18n compile

db: install
	$(FLASK) db upgrade
	$(FLASK) surveys load --builtin --open

## make run — set everything up and serve on http://$(HOST):$(PORT)
run: catalogues db
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check surveyapp tests tools
	$(BIN)/mypy

# axe-core for the browser tests, pinned by package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test-sqlite: install-dev catalogues node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest

## make accessibility — run the browser tests and regenerate docs/accessibility.md from them
accessibility: install-dev catalogues node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -m browser tests/browser
	$(BIN)/python tools/accessibility_report.py test-results/accessibility.json docs/accessibility.md

## make roles-doc — rewrite docs/roles.md from the roles table in surveyapp/auth/roles.py
roles-doc: install
	$(BIN)/python tools/roles_doc.py

test-postgres: install-dev catalogues
	tools/with-postgres $(BIN)/python -m pytest -m "not browser"

# The kiosk's plain JavaScript (queue, back-off, idle timer) with node's built-in test runner.
test-js:
	node --test tests/kiosk/js/*.test.js

## make test — lint, type checks, the kiosk JavaScript, the whole suite on SQLite, then on PostgreSQL
test: lint test-js test-sqlite test-postgres

bench: install-dev catalogues
	$(BIN)/python -m tests.bench.bench_cli_start
	$(BIN)/python -m tests.bench.bench_stats
	$(BIN)/python -m tests.bench.bench_results
	$(BIN)/python -m tests.bench.bench_raw_export
	$(BIN)/python -m tests.bench.bench_slow_network
	$(BIN)/python -m tests.bench.bench_load
	$(BIN)/python -m tests.bench.bench_respond_cpu
	$(BIN)/python -m tests.bench.bench_http_steps

## make reliability — load, kill -9 of the server under load (SQLite and PostgreSQL), the fuzz and
## authorization tests, a backup under load; rewrites docs/reliability.md (takes tens of minutes)
reliability: install-dev catalogues
	tools/with-postgres $(BIN)/python -m tests.reliability.harness --output docs/reliability.md

## make survey-docs — regenerate docs/survey-schema.json and the example workbooks in docs/examples/surveys/
survey-docs: install
	$(FLASK) surveys schema --output docs/survey-schema.json
	$(FLASK) surveys workbooks docs/examples/surveys

backup: install
	$(FLASK) backup

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
