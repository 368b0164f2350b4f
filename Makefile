# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=wsgi.py $(BIN)/flask
PORT ?= 5000
# Everything this Makefile runs is local development (the demo, the test suite): say so, since any
# other APP_ENV, unset included, is production and refuses the demo's settings (docs/deploy.md).
APP_ENV ?= development
export APP_ENV

.PHONY: run test test-pg setup serve db check-migrations messages audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

db: setup
	$(FLASK) db upgrade
	$(FLASK) tenants import --all
	$(FLASK) seed demo

# The web server and, beside it, the one scheduler process (jobs, outbox); stopping the server (Ctrl-C) stops both.
run: db
	$(FLASK) scheduler run & SCHEDULER=$$!; \
	trap 'kill $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite against the local PostgreSQL (CI runs it when PostgreSQL is reachable).
test-pg: setup
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# Known vulnerabilities in the installed packages (pip-audit, PyPI's advisory data); fails when one is found.
# Where PyPI's JSON API is not reachable, pip-audit lists every package as skipped: that is said, not hidden.
audit: setup
	$(BIN)/pip-audit --progress-spinner off > $(VENV)/pip-audit.txt 2>&1; status=$$?; \
	grep -v '^WARNING: Location' $(VENV)/pip-audit.txt | head -5; \
	skipped=$$(grep -c 'could not be audited' $(VENV)/pip-audit.txt); \
	[ "$$skipped" -eq 0 ] || echo "pip-audit: $$skipped packages could not be looked up (advisory service unreachable from here)"; \
	exit $$status

messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
