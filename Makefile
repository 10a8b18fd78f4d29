# Two commands on a fresh machine: `make run` (the app) and `make test` (all tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB ?= $(or $(KDEFENSE_DB),data/kdefense.duckdb)
PORT ?= 8501
SOURCES := $(shell find data/sources -type f)

.PHONY: run test test-load data lint bench venv dev-venv clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

$(DB): $(VENV)/.installed $(SOURCES)
	KDEFENSE_DB=$(DB) $(PY) -m kdefense.build --out $(DB)

data: $(VENV)/.installed ## rebuild the DuckDB file from data/sources (validates first)
	KDEFENSE_DB=$(DB) $(PY) -m kdefense.build --out $(DB)

run: $(DB) ## start the dashboard on http://localhost:$(PORT)
	KDEFENSE_DB=$(DB) $(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.dev-installed $(DB) ## unit, AppTest and browser tests
	KDEFENSE_DB=$(DB) $(PY) -m pytest -q

test-load: $(VENV)/.dev-installed $(DB) ## load and fault tests (30 browser sessions; several minutes)
	KDEFENSE_DB=$(DB) $(PY) -m pytest -q -o addopts="-p no:cacheprovider" tests/load

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .

bench: $(VENV)/.dev-installed $(DB)
	KDEFENSE_DB=$(DB) $(PY) -m bench.run

clean:
	rm -rf $(VENV) $(DB)
