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
	$(PY) -m pytest -q

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
	rm -rf $(VENV) .mypy_cache .ruff_cache out

.PHONY: help venv graphviz chromium deps demo check test bench bench-analyzers screenshots bench-render validate bench-plugin fuzz clean
