# Two commands on a fresh machine with Python 3.11+:  make demo  and  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo

.PHONY: install demo test lint format clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install arkit with its test and JupyterLab extras

demo: $(STAMP)  ## generate a demo ledger, ingest it, run every report, print the index path
	$(BIN)/arkit synth --customers 300 --years 3 --seed 7 --messy --overwrite --out $(DEMO)/raw
	$(BIN)/arkit ingest $(DEMO)/raw --out $(DEMO)/ledger --run-date 2026-11-30
	$(BIN)/arkit run all --ledger $(DEMO)/ledger --as-of 2026-11-30 --out $(DEMO)/outputs \
	    -p reporting_currency=CNY -p company="Demo Trading Co."

test: $(STAMP)  ## run the whole suite (lint, unit, notebook and browser tests)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(STAMP)  ## scale benchmarks (minutes; not part of make test)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) outputs .pytest_cache .ruff_cache
