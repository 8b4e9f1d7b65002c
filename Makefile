# klinke: `make run` serves the demo network, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Serving needs only the runtime dependencies; tests add the dev extra (pytest, Playwright, …).
$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV) $(RUNTIME)

# The server and the worker both see PORT, so links in emails point at this server. Without an
# SMTP server at hand, mail is written as .eml files into var/mail (EMAIL_FILE_PATH= turns that off).
run: export PORT := $(PORT)
run: export EMAIL_FILE_PATH ?= var/mail
run: $(RUNTIME)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Serving http://127.0.0.1:$(PORT)/  (the background worker runs alongside)"
	@if [ -n "$$EMAIL_FILE_PATH" ]; then echo "Email is written to $$EMAIL_FILE_PATH/*.eml (open with any mail program)"; fi
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py run_worker & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# One pytest worker per core (at most PYTEST_WORKERS, 2 by default; PYTEST_WORKERS=0 runs in
# this process). Each worker has its own test database, live server and temporary files.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -lt 2 ] && echo $$n || echo 2)
# The 30 slowest tests are listed at the end, so a CI log shows where its time goes.
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): each
# worker collects every test module, and compiling them afresh (with pytest's assert rewriting)
# costs twice as long as reading them back; the PostgreSQL run reuses what the SQLite one wrote.
test: export PYTHONDONTWRITEBYTECODE :=
test: $(DEV)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=30 $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# bench/load.py empties the database it is given: BENCH_DATABASE_URL=postgres://…/klinke_bench
bench: $(DEV)
	$(BIN)/python bench/match.py
	$(BIN)/python bench/contacts.py
	$(BIN)/python bench/tenders.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/demo_scale.py --factor 100
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/load.py --scale 100 $(if $(BENCH_DATABASE_URL),--database $(BENCH_DATABASE_URL))
	$(BIN)/python bench/search.py --factor 100

# Needs GNU gettext. The compiled .mo is committed so that a fresh machine needs only python3.
messages: $(DEV)
	cd klinke && ../$(BIN)/python ../manage.py makemessages -l de --no-obsolete
	cd klinke && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
