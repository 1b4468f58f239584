# fixture-graph: every target sets up what it needs (virtualenv, Python deps, Graphviz).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# pytest's options for make test and test-all: parallel on every core (pytest-xdist), a file per
# worker so module fixtures (a built wheel, a venv) are made once.
PYTEST_ARGS ?= -q -n auto --dist loadfile
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SAMPLE := tests/data/sample_suite

.DEFAULT_GOAL := help

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP) ## Create the virtualenv and install the package with its test deps

graphviz: ## Install Graphviz (dot) with apt when it is missing
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz >/dev/null; \
	  else echo "warning: Graphviz 'dot' is missing; install it (apt: graphviz, brew: graphviz, choco: graphviz)"; fi; }

chromium: ## Install Chromium (for the browser tests) with apt when it is missing
	@test -x /usr/bin/chromium || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else echo "warning: no /usr/bin/chromium and no apt-get: the browser tests will be skipped"; fi; }

deps: venv graphviz chromium ## Everything the project needs

demo: deps ## Scan the sample suite: print the summary, write the HTML report, SVG and PR comment to out/
	cd $(SAMPLE) && ../../../$(PY) -m fixture_graph
	cd $(SAMPLE) && ../../../$(PY) -m fixture_graph --env USE_REAL_SERVICES=true --env RUN_E2E_TESTS=true --format json -o ../../../out/sample.json
	cd $(SAMPLE) && ../../../$(PY) -m fixture_graph --format markdown --svg-url graph.svg -o ../../../out/pr-comment.md \
	  --html ../../../out/report.html --svg ../../../out/graph.svg >/dev/null
	@echo "HTML report:        $(CURDIR)/out/report.html"
	@echo "graph (SVG):        $(CURDIR)/out/graph.svg"
	@echo "PR comment (md):    $(CURDIR)/out/pr-comment.md"

check: venv ## Lint (ruff) and type-check (mypy --strict)
	$(VENV)/bin/ruff check fixture_graph tests
	$(VENV)/bin/mypy

test: deps check ## Lint, type-check and run the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

# -- Every supported Python ---------------------------------------------------------------------
# The versions are pyproject's classifiers; .ci/find-python looks for each on PATH, then in pyenv.
# Each one found gets a venv in .venvs/X.Y; one not found is named and skipped, never a failure.
PYTHON_VERSIONS ?= $(shell sed -n 's/.*"Programming Language :: Python :: \(3\.[0-9]*\)".*/\1/p' pyproject.toml)
VENVS_STAMP := .installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

venvs: ## A venv per supported Python found here, in .venvs/X.Y (PYTHON_VERSIONS="3.10 3.13": some)
	@for v in $(PYTHON_VERSIONS); do \
	  if ! py=$$(.ci/find-python $$v); then echo "Python $$v: not on this machine, skipped"; continue; fi; \
	  test -f .venvs/$$v/$(VENVS_STAMP) && continue; \
	  echo "Python $$v: $$py -> .venvs/$$v"; rm -rf .venvs/$$v; \
	  $$py -m venv .venvs/$$v && .venvs/$$v/bin/python -m pip install --quiet --upgrade pip \
	    && .venvs/$$v/bin/python -m pip install --quiet -e '.[test]' && touch .venvs/$$v/$(VENVS_STAMP) || exit 1; \
	done

test-all: deps venvs ## The whole suite on every supported Python found here (PYTHON_VERSIONS to choose)
	@failed=; ran=; for v in $(PYTHON_VERSIONS); do \
	  if [ ! -f .venvs/$$v/$(VENVS_STAMP) ]; then echo "== Python $$v: not on this machine, skipped"; continue; fi; \
	  echo "== Python $$v: $$(.venvs/$$v/bin/python -V)"; ran="$$ran $$v"; \
	  .venvs/$$v/bin/python -m pytest $(PYTEST_ARGS) || failed="$$failed $$v"; \
	done; echo "test-all: ran on Python$${ran:- nothing}$${failed:+; failed on$$failed}"; test -z "$$failed"

bench-analyzers: venv ## Time resolution and every analyzer on a 20,000-fixture graph with large SCCs
	$(PY) tests/bench/bench_analyzers.py 20000

screenshots: deps ## Regenerate the README pictures (templates/docs/) from the sample suite
	$(PY) tests/make_screenshots.py templates/docs

bench-render: deps ## Time every renderer and the report in Chromium: 5,000 fixtures, 100k tests (targets: 3 MB, open 2 s, search 100 ms)
	nice $(PY) tests/bench_render.py --fixtures 5000 --tests 100000

validate: venv ## Run fixture-graph verify on real projects (needs the network; not part of make test)
	$(PY) tests/validate/run_validation.py

bench-plugin: venv ## Overhead of the measurement plugin (disabled and enabled)
	$(PY) tests/bench/plugin_overhead.py

BENCH_VENV := out/bench/venv

bench: bench-analyzers bench-render ## Every benchmark: scan vs the parse floor, pytest and pytest-language-server, analyzers, renderers (slow; BENCH_QUICK=1: quick)
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . pytest hypothesis pandas pytest-language-server pyinstrument
	$(BENCH_VENV)/bin/python tests/bench/run.py
	$(PY) tests/bench/robust_memory.py 50000

fuzz: venv ## Fuzz longer than make test (FUZZ_EXAMPLES per property, fresh seeds)
	FIXTURE_GRAPH_FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),2000) $(PY) -m pytest -q tests/test_fuzz.py --hypothesis-show-statistics

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .venvs .mypy_cache .ruff_cache out

.PHONY: help venv venvs graphviz chromium deps demo check test test-all bench bench-analyzers screenshots bench-render validate bench-plugin fuzz clean
