# HälSam: two commands on a fresh machine.
#
#   make run    set up, load the HälSam demo and serve it on http://127.0.0.1:8000/
#   make test   run the whole test suite
#
# Extra targets: make lint, make messages, make clean-venv.
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

.PHONY: help run test browser-setup lint messages compilemessages venv clean-venv

help:
	@echo "make run    set up, load the HälSam demo and serve it on http://$(HOST):$(PORT)/"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check"
	@echo "make messages   update locale/sv/LC_MESSAGES/django.po from the code"

# The virtual environment: python3.11, else python3 when it is 3.11 or newer.
$(PY):
	@set -e; \
	if command -v python3.11 >/dev/null 2>&1; then base=python3.11; \
	elif command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then base=python3; \
	else echo "HälSam needs Python 3.11 or newer (python3.11 or python3)." >&2; exit 1; fi; \
	echo ">> creating $(VENV) with $$($$base --version)"; \
	$$base -m venv $(VENV)

# Install only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(PY)
	@echo ">> installing the project and its dev extras into $(VENV)"
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

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

lint: $(STAMP)
	$(VENV)/bin/ruff check .

messages: $(STAMP)
	$(PY) manage.py makemessages --locale sv --ignore '.venv/*' --ignore 'build/*'
