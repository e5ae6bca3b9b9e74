# pokerrt: `make run` starts the platform, `make test` runs the tests.
# Both create their own virtual environment in .venv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development server: debug on unless the caller says otherwise.
export DJANGO_DEBUG ?= 1

.PHONY: run test venv venv-dev migrate lint typecheck mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

migrate: venv
	$(BIN)/python manage.py migrate --no-input -v 0

# With EVENT_BUS_URL set, the RabbitMQ relay runs beside the server and stops with it.
run: migrate
	$(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)/
	@relay=; if [ -n "$$EVENT_BUS_URL" ]; then $(BIN)/python manage.py relay_events & relay=$$!; fi; \
	trap 'if [ -n "$$relay" ]; then kill $$relay 2>/dev/null; wait $$relay; fi' EXIT; \
	$(BIN)/python -m pokerrt.realtime.server -b $(HOST) -p $(PORT) pokerrt.asgi:application

# The whole suite; PYTEST_ARGS passes extra options (e.g. PYTEST_ARGS="-k ledger").
test: venv-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .

typecheck: venv-dev
	$(BIN)/mypy --strict tables/engine

# Mutation testing of the modules that guard chips, privacy, seq and recovery
# ([tool.mutmut] in pyproject.toml). CPU heavy: not part of `make test` or CI.
# One mutant at a time, since the runs share one test database. MUTATE_ARGS
# names mutants or globs (MUTATE_ARGS="'tables.audit*'"); reruns only redo what changed.
mutate: venv-dev
	PRIVACY_HANDS=20 $(BIN)/mutmut run --max-children 1 $(MUTATE_ARGS)
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .hypothesis mutants
