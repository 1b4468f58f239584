# fixture-graph: every target sets up what it needs (virtualenv, Python deps, Graphviz).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
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

deps: venv graphviz ## Everything the project needs

demo: deps ## Scan the bundled sample suite and print the summary
	cd $(SAMPLE) && ../../../$(PY) -m fixture_graph
	cd $(SAMPLE) && ../../../$(PY) -m fixture_graph --env USE_REAL_SERVICES=true --env RUN_E2E_TESTS=true --format json -o ../../../out/sample.json

check: venv ## Lint (ruff) and type-check (mypy --strict)
	$(VENV)/bin/ruff check fixture_graph tests
	$(VENV)/bin/mypy

test: deps check ## Lint, type-check and run the whole test suite
	$(PY) -m pytest -q

bench-analyzers: venv ## Time resolution and every analyzer on a 20,000-fixture graph with large SCCs
	$(PY) tests/bench/bench_analyzers.py 20000

fuzz: venv ## Fuzz longer than make test (FUZZ_EXAMPLES per property, fresh seeds)
	FIXTURE_GRAPH_FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),2000) $(PY) -m pytest -q tests/test_fuzz.py --hypothesis-show-statistics

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache out

.PHONY: help venv graphviz deps demo check test bench-analyzers fuzz clean
