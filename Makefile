# The two commands of the README, and the steps they share. Every step is idempotent: a stamp
# file records it, so a second `make test` goes straight to pytest.
#
#   make serve   install what is missing, then serve the site at http://127.0.0.1:8000/
#   make test    install what is missing (Chromium too), then run every test:
#                unit, docs pages, notebooks, guards, strict site build and the browser check
#
# Needs Python 3.11.5+ (the pinned docs toolchain requires it; PYTHON=python3.12 make ... to pick one). npm and Chromium are installed with
# apt-get (Debian) when missing.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KATEX := docs/assets/vendor/katex
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get
# Plots must reach the pages: a non-interactive backend removes them from notebook pages.
NO_AGG := env -u MPLBACKEND

.PHONY: help setup serve build test chromium npm clean

help:
	@echo "make serve  - install what is missing, serve the site on http://127.0.0.1:8000/"
	@echo "make test   - install what is missing, run every test (unit, docs, notebooks, build, browser)"
	@echo "make build  - strict build of the site into site/"

setup: $(VENV)/.installed $(KATEX)/.installed

serve: setup
	$(NO_AGG) $(BIN)/mkdocs serve

# Notebooks execute once per state of their inputs (hooks/notebook_cache.py: .cache/notebooks/,
# keyed on the notebook, src/ and the lock files), shared by build, serve and test. A clean clone
# executes them all; so does `MATGRAD_NOTEBOOK_CACHE=$$(mktemp -d) make build`.
build: setup
	$(NO_AGG) $(BIN)/mkdocs build --strict

# One pytest run on two workers. Files are dealt out whole (--dist loadfile in pyproject.toml): a
# page's blocks share one namespace, and the browser tests (one strict build, then every page in
# Chromium) run on one worker while the other runs the rest.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: without pytest's cache of rewritten
# modules, every later `pytest docs/<page>.md` would spend ~1.5 s rewriting hypothesis again.
test: setup chromium
	$(NO_AGG) -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2

$(VENV)/.installed: requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' \
	  || { echo "matgrad needs Python 3.11.5+ (pinned pymdown-extensions, soupsieve and others require it); $(PYTHON) is $$($(PYTHON) -V). Try: make PYTHON=python3.12 ..."; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq python3-venv; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -e .
	touch $@

# KaTeX comes pinned from npm (package-lock.json) and is copied into the site's sources; the copy
# is git-ignored, nothing third-party is committed.
node_modules/.package-lock.json: package.json package-lock.json | npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(KATEX)/.installed: node_modules/.package-lock.json
	rm -rf $(KATEX)
	mkdir -p $(KATEX)/contrib $(KATEX)/fonts
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css $(KATEX)/
	cp node_modules/katex/dist/contrib/auto-render.min.js $(KATEX)/contrib/
	cp node_modules/katex/dist/fonts/*.woff2 $(KATEX)/fonts/
	touch $@

npm:
	@command -v npm >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq npm; }

chromium:
	@command -v chromium >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium; }

clean:
	rm -rf site screenshots .cache docs/assets/vendor node_modules
