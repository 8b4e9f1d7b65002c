# klinke: `make run` serves the demo network, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench messages clean worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Serving http://127.0.0.1:$(PORT)/  (email outbox worker runs alongside)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py run_worker & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/match.py

# Needs GNU gettext. The compiled .mo is committed so that a fresh machine needs only python3.
messages: $(STAMP)
	cd klinke && ../$(BIN)/python ../manage.py makemessages -l de --no-obsolete
	cd klinke && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
