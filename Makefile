# policyreader — `make run` starts the app, `make test` runs every check.
#
# The virtualenv lives in .venv and is created with Python 3.12, found in this
# order: python3.12 on PATH, `PYENV_VERSION=3.12.1 python3.12`, any
# $(HOME)/.pyenv/versions/3.12*/bin/python3.12, python3 when it is 3.12.
# Override with `make PYTHON=/path/to/python3.12 ...`.
# Requirements are installed once and again only when a requirements file
# changes (stamp files inside .venv).

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PIP := $(PY) -m pip --disable-pip-version-check
RUFF := $(VENV)/bin/ruff
HOST ?= 127.0.0.1
PORT ?= 8000

# Prints sys.executable of the first candidate that is Python 3.12, or nothing.
# A candidate that exists but fails (a pyenv shim for a version that is not
# selected) is skipped.
PY312_PROBE := import sys; sys.version_info[:2] == (3, 12) and print(sys.executable)
PYTHON_CANDIDATES := "python3.12" "env PYENV_VERSION=3.12.1 python3.12" \
  $$(ls -d "$(HOME)"/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV) "python3"
PYTHON_TRIED := python3.12, PYENV_VERSION=3.12.1 python3.12, \
  $(HOME)/.pyenv/versions/3.12*/bin/python3.12, python3

# PYTHON given on the command line or in the environment replaces the search.
ifneq ($(filter command line environment,$(origin PYTHON)),)
PYTHON_CANDIDATES := "$(PYTHON)"
PYTHON_TRIED := PYTHON='$(PYTHON)'
endif

.PHONY: help venv deps dev-deps run migrate test lint format bench messages db-stop clean

help:
	@echo "make run        create .venv, migrate, load the demo documents, serve http://$(HOST):$(PORT) with the task worker"
	@echo "make test       ruff, migration check and pytest (installs dev requirements)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     ruff --fix and ruff format"
	@echo "make bench      run every bench/*.py"
	@echo "make messages   update and compile the zh_Hans translations (needs GNU gettext)"
	@echo "make db-stop    stop the embedded PostgreSQL server"
	@echo "make clean      remove .venv, caches and collected static files (keeps the database)"

# --- virtualenv ---------------------------------------------------------------

# The marker records a working 3.12 venv; an existing .venv of another version
# is recreated.
$(VENV)/.python-3.12:
	@if [ -x "$(PY)" ] && $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
	  echo "Using the existing $(VENV) ($$($(PY) -V))"; \
	else \
	  python=; \
	  for candidate in $(PYTHON_CANDIDATES); do \
	    python=$$($$candidate -c '$(PY312_PROBE)' 2>/dev/null) && [ -n "$$python" ] && break; \
	    python=; \
	  done; \
	  if [ -z "$$python" ]; then \
	    echo "policyreader needs Python 3.12, and none was found." >&2; \
	    echo "  Tried: $(PYTHON_TRIED)" >&2; \
	    echo "  Install Python 3.12 (for example 'pyenv install 3.12' or the system's python3.12)," >&2; \
	    echo "  or name one: make PYTHON=/path/to/python3.12 $(MAKECMDGOALS)" >&2; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv --clear $(VENV) || exit 1; \
	fi
	@touch $@

# pip's own progress (one line a package) shows while it installs; the first
# install takes a few minutes, later ones only when a requirements file changes.
$(VENV)/.stamp-runtime: requirements.txt $(VENV)/.python-3.12
	@echo "Installing the runtime requirements into $(VENV) (the first time: a few minutes)…"
	$(PIP) install --progress-bar on -r requirements.txt | grep --line-buffered -E '^(Collecting|Installing|Successfully)'; test $${PIPESTATUS[0]} -eq 0
	@touch $@

$(VENV)/.stamp-dev: requirements-dev.txt requirements.txt $(VENV)/.python-3.12
	@echo "Installing the development requirements into $(VENV)…"
	$(PIP) install --progress-bar on -r requirements-dev.txt | grep --line-buffered -E '^(Collecting|Installing|Successfully)'; test $${PIPESTATUS[0]} -eq 0
	@touch $@ $(VENV)/.stamp-runtime

venv: $(VENV)/.python-3.12
deps: $(VENV)/.stamp-runtime
dev-deps: $(VENV)/.stamp-dev

# --- running ------------------------------------------------------------------

migrate: deps
	$(MANAGE) migrate --no-input

# The task worker (imports run in the background) starts beside the server;
# Ctrl-C stops both.
run: migrate
	$(MANAGE) load_demo
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) db_worker & worker=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT)

# --- checks -------------------------------------------------------------------

lint: dev-deps
	$(RUFF) check .
	$(RUFF) format --check .

format: dev-deps
	$(RUFF) check --fix .
	$(RUFF) format .

test: lint
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest

bench: dev-deps
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "No bench/*.py to run."; exit 0; fi; \
	for file in "$${files[@]}"; do \
	  echo "== $$file"; \
	  DJANGO_SETTINGS_MODULE=policyreader.settings PYTHONPATH=. $(PY) "$$file" || exit 1; \
	done

# --- translations -------------------------------------------------------------

# Needs xgettext/msgmerge/msgfmt (Debian: apt-get install gettext). The
# compiled .mo file is committed, so machines without gettext still run.
messages: deps
	@command -v xgettext >/dev/null || { echo "make messages needs GNU gettext (apt-get install gettext)." >&2; exit 1; }
	$(MANAGE) makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(MANAGE) compilemessages --locale zh_Hans --ignore '.venv/*'

# --- housekeeping ---------------------------------------------------------------

# Stops the embedded server (PGSERVER_DATA_DIR or var/pgdata), if running.
db-stop:
	@[ -x "$(PY)" ] || { echo "No $(VENV): nothing can be running from it."; exit 0; }; \
	DJANGO_SETTINGS_MODULE=policyreader.settings $(PY) -c \
	  'from django.conf import settings; from policyreader import embedded_db; embedded_db.stop(settings.PGSERVER_DATA_DIR)'

clean:
	@$(MAKE) --no-print-directory db-stop || true
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache .hypothesis
	find . -path ./var -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
