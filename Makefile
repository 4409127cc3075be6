# The two commands of the README, and the steps they share. Every step is idempotent: a stamp
# file records it, so a second `make test` goes straight to pytest.
#
#   make serve   install what is missing, then serve the site at http://127.0.0.1:8000/
#   make test    install what is missing (Chromium too), then run every test:
#                unit, docs pages, notebooks, guards, strict site build and the browser check
#   make bench   its own venv (.venv-bench: torch, jax), then the benchmark, written to the committed
#                record (benchmarks/, docs/benchmark.md); BENCH_ARGS="..." adds options
#   make mutation  its own venv (.venv-mutation: mutmut), then the docs measured by mutation, written
#                to the committed record (docs/assets/mutation.json, docs/reliability.md); not part of
#                `make test`; MUTATION_ARGS="--modules layers" measures a subset
#
# Needs Python 3.11.5+ (the pinned docs toolchain requires it; PYTHON=python3.12 make ... to pick one). npm, Chromium and Graphviz
# (the Results page's dependency graph, drawn by `dot` at build time) are installed with apt-get (Debian) when missing.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The benchmark's venv: torch (CPU) and jax beside matgrad, kept apart from the pinned dev tools.
BENCH_VENV ?= .venv-bench
# The committed record is measured at this niceness, so that other jobs on the machine yield to it
# (a negative value needs root; otherwise nice warns and the run goes on at the usual priority).
BENCH_NICE ?= -15
BENCH_ARGS ?=
# The mutation run's venv: the dev pins plus mutmut's (requirements-mutation.txt), without matgrad
# itself, so that the pages can only import mutmut's mutated copy.
MUTATION_VENV ?= .venv-mutation
MUTATION_ARGS ?=
KATEX := docs/assets/vendor/katex
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get
# Plots must reach the pages: a non-interactive backend removes them from notebook pages.
NO_AGG := env -u MPLBACKEND

.PHONY: help setup serve build lint test bench mutation chromium graphviz npm clean

help:
	@echo "make serve  - install what is missing, serve the site on http://127.0.0.1:8000/"
	@echo "make test   - install what is missing, run every test (unit, docs, notebooks, build, browser)"
	@echo "make build  - strict build of the site into site/"
	@echo "make lint   - ruff (lint, format) and mypy (strict), as make test runs them first"
	@echo "make bench  - install the benchmark's venv (.venv-bench), measure, write the committed record"
	@echo "make mutation - install mutmut's venv (.venv-mutation), mutate src/matgrad, run the docs pages against each mutant"

setup: $(VENV)/.installed $(KATEX)/.installed graphviz

serve: setup
	$(NO_AGG) $(BIN)/mkdocs serve

# Notebooks execute once per state of their inputs (hooks/notebook_cache.py: .cache/notebooks/,
# keyed on the notebook, src/ and the lock files), shared by build, serve and test. A clean clone
# executes them all; so does `MATGRAD_NOTEBOOK_CACHE=$$(mktemp -d) make build`.
build: setup
	$(NO_AGG) $(BIN)/mkdocs build --strict

# Lint, format and types: the first step of make test, so a lint failure fails CI.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# One pytest run on two workers. Files are dealt out whole (--dist loadfile in pyproject.toml): a
# page's blocks share one namespace, and the browser tests (one strict build, then every page in
# Chromium) run on one worker while the other runs the rest.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: without pytest's cache of rewritten
# modules, every later `pytest docs/<page>.md` would spend ~1.5 s rewriting hypothesis again.
test: setup chromium lint
	$(NO_AGG) -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2

# The benchmark (docs/benchmark.md): python -m benchmarks --save, 10-15 minutes on 2 cores when quiet.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, if set, are removed by the harness for its run only (it
# runs itself again without them) and the record says so.
bench: $(BENCH_VENV)/.installed
	nice -n $(BENCH_NICE) $(BENCH_VENV)/bin/python -m benchmarks --save $(BENCH_ARGS)

# The docs measured by mutation (docs/reliability.md): mutmut mutates src/matgrad and runs the docs
# pages alone against each mutant (tests/site/mutation.py; about 11 minutes on 2 quiet cores). It works in
# a scratch copy (build/mutation) with PYTHONPATH removed.
mutation: $(MUTATION_VENV)/.installed
	env -u PYTHONPATH $(MUTATION_VENV)/bin/python -m tests.site.mutation $(MUTATION_ARGS)

$(MUTATION_VENV)/.installed: requirements-dev.txt requirements-mutation.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' \
	  || { echo "the mutation venv needs Python 3.11.5+ (as the dev pins do); $(PYTHON) is $$($(PYTHON) -V)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq python3-venv; }
	test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -r requirements-mutation.txt
	touch $@

$(BENCH_VENV)/.installed: benchmarks/requirements.txt pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq python3-venv; }
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -r benchmarks/requirements.txt -e .
	touch $@

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

graphviz:
	@command -v dot >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq graphviz; }

clean:
	rm -rf site screenshots .cache docs/assets/vendor node_modules build/mutation
