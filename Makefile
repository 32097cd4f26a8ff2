# Two commands for a newcomer: `make run` and `make test`. Everything lands in .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk poppler-utils

.PHONY: run test test-pg fuzz mutants bench load-exams os-packages chromium translations clean-venv

# OS packages that pip cannot provide: venv, Pango and HarfBuzz subsetting for WeasyPrint,
# a CJK font and fontconfig (the portal checks both before making a PDF), poppler-utils
# (pdftotext and pdftoppm: the report benchmark compares text, people look at pages).
os-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing OS packages: $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/.runtime: requirements.txt | os-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt requirements.txt $(BIN)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: $(BIN)/.runtime
	@$(BIN)/pybabel -q compile -d portal/translations

# Headless Chromium for the browser tests: Debian's own package, never a downloaded build.
chromium:
	@command -v chromium >/dev/null || { echo "Installing chromium"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: $(BIN)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) quizzes sync
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT) with the job scheduler beside it (Ctrl-C stops both)"
	@$(FLASK) scheduler run & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite but the deep API fuzz (`make fuzz`), one worker per core
# (pytest-xdist; each worker builds its own template databases). `make test WORKERS=0`
# runs it in this one process.
WORKERS ?= auto
test: $(BIN)/.dev translations chromium
	$(BIN)/python -m pytest -n $(WORKERS)

# The same suite against PostgreSQL; the tests create and drop their own database.
test-pg: $(BIN)/.dev translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
	  $(BIN)/python -m pytest -n $(WORKERS)

# The deep API fuzz (the `fuzz` marker, left out of `make test`), once, on SQLite.
fuzz: $(BIN)/.dev translations
	$(BIN)/python -m pytest -m fuzz

# Take each access check out of portal/ in turn and run the access tests: every mutant
# must be killed or listed with its reason in scripts/mutants.py.
mutants: $(BIN)/.dev translations
	$(BIN)/python scripts/mutants.py --workers 2

bench: $(BIN)/.dev translations
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The exam load scenario (benchmarks/exam_load): USERS takers start, autosave and submit
# through the API against a throwaway database; DB=sqlite serves with `flask run` (as
# `make run` does), DB=postgresql with gunicorn. Prints latency, failures, lost answers.
USERS ?= 1000
RATE ?= 50
DURATION ?= 5m
DB ?= sqlite
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
load-exams: $(BIN)/.dev translations
	$(BIN)/python benchmarks/exam_load/run.py --db $(DB) --users $(USERS) --rate $(RATE) \
	  --duration $(DURATION) --pg-admin $(PG_URL)

clean-venv:
	rm -rf $(VENV)
