# HälSam: two commands on a fresh machine.
#
#   make run    set up, load the HälSam demo and serve it on http://127.0.0.1:8000/
#   make test   run the whole test suite
#
# Extra targets: make lint, make messages, make clean-venv, make lock (the hashed lock files).
# make fuzz: the fuzz test (tests/test_fuzz.py) for 20 minutes; FUZZ_SEED, FUZZ_ITERATIONS.
# Variables: PYTEST_ARGS="-k preset" (extra pytest arguments),
#            PYTEST_WORKERS=0 (run pytest in one process; default: auto).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PRESET ?= halsam-vasternorrland
# pytest-xdist with one worker per core: about twice as fast as one process on the
# two-core machine this was measured on (see README "Tests").
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: help run test browser-setup lint messages compilemessages venv clean-venv lock load restore-test

help:
	@echo "make run    set up, load the HälSam demo and serve it on http://$(HOST):$(PORT)/"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check"
	@echo "make messages   update locale/sv/LC_MESSAGES/django.po from the code"

# The virtual environment: BASE_PYTHON when given (e.g. BASE_PYTHON=python3.13
# VENV=.venv-py313, as CI does), else python3.11, else python3 when it is 3.11 to 3.13.
BASE_PYTHON ?=
$(PY):
	@set -e; \
	if [ -n "$(BASE_PYTHON)" ]; then base="$(BASE_PYTHON)"; \
	elif command -v python3.11 >/dev/null 2>&1; then base=python3.11; \
	elif command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then base=python3; \
	else echo "HälSam needs Python 3.11 or newer (python3.11 or python3)." >&2; exit 1; fi; \
	echo ">> creating $(VENV) with $$($$base --version)"; \
	$$base -m venv $(VENV)

# Install only when the lock or pyproject.toml changed since the last install: exactly
# the locked versions, checked against their hashes (requirements-dev.lock: the project
# with its dev and demo extras), then the project itself without dependencies.
# `pip check` fails when pyproject.toml asks for something the lock lacks: run make lock.
$(STAMP): requirements-dev.lock pyproject.toml | $(PY)
	@echo ">> installing the locked dependencies (requirements-dev.lock) into $(VENV)"
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m pip check || { echo "make: requirements-dev.lock does not satisfy pyproject.toml; run make lock." >&2; exit 1; }
	@touch $(STAMP)

# The lock files, with hashes, for Python 3.11 to 3.13 (uv pip compile --universal).
# Existing pins are kept unless pyproject.toml needs another version; UPGRADE=1 takes
# the newest versions allowed. requirements.lock: the production image (with the sentry
# extra, used only when SENTRY_DSN is set); requirements-demo.lock: plus Faker
# (manage.py demo); requirements-dev.lock: plus the dev extra, for make venv and CI.
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes $(if $(filter 1,$(UPGRADE)),--upgrade) pyproject.toml
lock: | $(PY)
	$(PY) -m pip install --quiet 'uv>=0.5'
	$(LOCK_COMPILE) --extra sentry -o requirements.lock
	$(LOCK_COMPILE) --extra sentry --extra demo -o requirements-demo.lock
	$(LOCK_COMPILE) --extra sentry --extra demo --extra dev -o requirements-dev.lock

venv: $(STAMP)

clean-venv:
	rm -rf $(VENV)

# Compile the translation catalogues when gettext's msgfmt is there and there is
# something to compile; the compiled .mo files are committed, so skipping is harmless.
compilemessages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1 && ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --locale sv --verbosity 0; \
	fi

run: $(STAMP) compilemessages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_structure $(PRESET)
	$(PY) manage.py demo
	@echo ""
	@echo ">> HälSam runs on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/; Ctrl-C stops it)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# pytest's exit code 5 means "no tests were collected": that is a failure, not a pass.
# The browser tests' own set-up (Debian's chromium, axe-core from npm): installs only what
# is missing. Where it cannot (no root, no sudo) the browser tests skip, saying why; in CI
# (CI set) that is a failure.
browser-setup:
	@bash tests/browser/setup.sh </dev/null || { \
		if [ -n "$$CI" ] && [ "$$CI" != "0" ] && [ "$$CI" != "false" ]; then exit 1; fi; \
		echo "make test: tests/browser/setup.sh failed; the browser tests will be skipped." >&2; }

test: $(STAMP) browser-setup
	@if [ "$(PYTEST_WORKERS)" = "0" ]; then workers=""; else workers="-n $(PYTEST_WORKERS)"; fi; \
	$(PY) -m pytest $$workers -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure." >&2; exit 1; fi; \
	exit $$rc

# issue 12 §10: the load test of the real stack (gunicorn, PostgreSQL, Redis, a Celery
# worker, the demo data): 50 users for 60 s; LOAD_ARGS="--users 10 --duration 15".
LOAD_ARGS ?=
load: $(STAMP)
	$(PY) scripts/load_test.py $(LOAD_ARGS)

# issue 12 §9: backup, wipe, restore and compare on a scratch installation;
# RESTORE_DB=postgres for PostgreSQL (docs/operations.md).
RESTORE_DB ?= sqlite
restore-test: $(STAMP)
	PYTHON=$(PY) bash scripts/restore_test.sh $(RESTORE_DB)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

messages: $(STAMP)
	$(PY) manage.py makemessages --locale sv --ignore '.venv/*' --ignore 'build/*'

# The delivery chaos test (issue 12 §7, docs/notices.md): a real Celery worker on Redis
# (db 14) killed 100 times while notices go out, an SMTP sink killed and restarted; it
# needs Redis on 127.0.0.1:6379 and uses PostgreSQL on 5432 when it answers, else SQLite.
# CHAOS_ARGS="--kills 20" for a shorter run.
CHAOS_ARGS ?=
.PHONY: chaos
chaos: $(STAMP)
	$(PY) scripts/chaos_delivery.py $(CHAOS_ARGS)

# issue 12 §6: the fuzz test (tests/test_fuzz.py) run longer than in `make test` (where it
# has 60 s): every URL, form field and query parameter as each persona, no 5xx allowed.
# FUZZ_SEED picks another fixed sequence; FUZZ_ITERATIONS caps the random requests.
FUZZ_SEED ?= 20261201
FUZZ_ITERATIONS ?= 20000
FUZZ_SECONDS ?= 1200
.PHONY: fuzz
fuzz: $(STAMP)
	FUZZ_SEED=$(FUZZ_SEED) FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) FUZZ_SECONDS=$(FUZZ_SECONDS) \
	$(PY) -m pytest -n 0 -p no:cacheprovider -s tests/test_fuzz.py
