# metricmind — two commands: `make demo` and `make test`. Both create .venv and install what is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MF_VENV := .venv-mf
MF_STAMP := $(MF_VENV)/.installed
# MetricFlow, our reference peer, lives in its own environment (its pins clash with ours).
MF_PACKAGES := dbt-metricflow==0.15.0 metricflow==0.213.0 dbt-core==1.11.16 dbt-duckdb==1.11.1 dbt-postgres==1.11.0
# dbt 1.12 (its latest semantic-layer spec) in a third environment: the reference check of the latest-spec reader.
# 1.12.1+ need dbt-core-experimental-parser, which has no wheel; 1.12.0 installs from wheels alone.
LATEST_VENV := .venv-dbt112
LATEST_STAMP := $(LATEST_VENV)/.installed
LATEST_PACKAGES := dbt-core==1.12.0 dbt-duckdb==1.11.1
LATEST_DBT := $(CURDIR)/$(LATEST_VENV)/bin/dbt
# dbt for generated packages (define --build, approvals): .venv-mf's, unless METRICMIND_DBT says otherwise.
DBT_BIN := $(CURDIR)/$(MF_VENV)/bin/dbt
SCALE ?= 10000
PORT ?= 8000

.PHONY: install demo serve test lint typecheck imports unit bench clean mf-env latest-env suite-time

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,dev]'
	touch $(STAMP)

$(MF_STAMP):
	$(PYTHON) -m venv $(MF_VENV)
	$(MF_VENV)/bin/python -m pip install -q --upgrade pip
	$(MF_VENV)/bin/python -m pip install -q $(MF_PACKAGES)
	touch $(MF_STAMP)

$(LATEST_STAMP):
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install -q --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install -q --only-binary dbt-core-experimental-parser $(LATEST_PACKAGES)
	touch $(LATEST_STAMP)

install: $(STAMP)

latest-env: $(LATEST_STAMP)

mf-env: $(MF_STAMP)

## make demo: build the demo warehouse (~10k customers) and serve the Metric Explorer
demo: $(STAMP)
	if [ -z "$$METRICMIND_DBT" ] && [ -x $(DBT_BIN) ]; then export METRICMIND_DBT=$(DBT_BIN); fi; \
	$(BIN)/metricmind demo --scale $(SCALE) --serve --port $(PORT)

## make test: lint, types, layer contracts, then the whole test suite
test: $(STAMP) $(MF_STAMP) $(LATEST_STAMP) lint typecheck imports unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) $(MF_STAMP) $(LATEST_STAMP)
	METRICMIND_DBT=$${METRICMIND_DBT:-$(DBT_BIN)} METRICMIND_DBT_LATEST=$${METRICMIND_DBT_LATEST:-$(LATEST_DBT)} \
	$(BIN)/pytest -n auto --dist loadgroup -q

bench: $(STAMP) $(MF_STAMP)
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/execute.py

## make suite-time: the suite's wall time and its slowest tests, files and folders (bench/suite_time.py)
suite-time: $(STAMP) $(MF_STAMP)
	METRICMIND_DBT=$${METRICMIND_DBT:-$(DBT_BIN)} $(BIN)/python bench/suite_time.py

clean:
	rm -rf $(VENV) $(MF_VENV) $(LATEST_VENV) .pytest_cache .mypy_cache .ruff_cache
