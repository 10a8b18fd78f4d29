# Two commands on a fresh machine: `make run` (the app) and `make test` (all tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB ?= $(or $(KDEFENSE_DB),data/kdefense.duckdb)
PORT ?= 8501
# The database is rebuilt when its sources or the code that builds it change.
SOURCES := $(shell find data/sources -type f) $(wildcard kdefense/sql/*.sql) kdefense/build.py kdefense/sipri.py kdefense/validate.py

.PHONY: run test test-slow test-load data lint bench bench-sidebyside venv dev-venv sysdeps clean messages compile-messages

# System packages the tests need (Debian): the browser, PDF text tools, a Korean font. Installed only when missing.
SYSTEM_PACKAGES := chromium poppler-utils fonts-noto-cjk libreoffice-calc-nogui

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

sysdeps: ## install the Debian packages the tests need, when missing (apt-get; sudo when not root)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(DB): $(VENV)/.installed $(SOURCES)
	KDEFENSE_DB=$(DB) $(PY) -m kdefense.build --out $(DB)

data: $(VENV)/.installed ## rebuild the DuckDB file from data/sources (validates first)
	KDEFENSE_DB=$(DB) $(PY) -m kdefense.build --out $(DB)

run: $(DB) ## start the dashboard on http://localhost:$(PORT)
	KDEFENSE_DB=$(DB) $(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: sysdeps $(VENV)/.dev-installed $(DB) ## unit, AppTest and browser tests
	KDEFENSE_DB=$(DB) $(PY) -m pytest -q

test-slow: sysdeps $(VENV)/.dev-installed $(DB) ## long browser suites: deck exports, XSS payloads, LibreOffice round trips, hostile SQL
	KDEFENSE_DB=$(DB) $(PY) -m pytest -q -m slow tests/browser

test-load: sysdeps $(VENV)/.dev-installed $(DB) ## load and fault tests (30 browser sessions; several minutes)
	KDEFENSE_DB=$(DB) $(PY) -m pytest -q -o addopts="-p no:cacheprovider" tests/load

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .

BENCH_ARGS ?=

bench: sysdeps $(VENV)/.dev-installed $(DB) ## every benchmark, ending with the side by side of issue 17 (BENCH_ARGS=...)
	KDEFENSE_DB=$(DB) $(PY) -m bench.run $(BENCH_ARGS)

# This app against the usual-way app (bench/baseline_app.py), per page, with issue 17's ratios, on the real data and
# at ×10. BENCH_PEER_APP=/path/to/app.py also measures another one-page Streamlit app (run from its own folder; the
# ratios are then printed against it too), and BENCH_PEER_DATA=its-data.csv at ×10 as well (see bench/README.md).
bench-sidebyside: sysdeps $(VENV)/.dev-installed $(DB)
	KDEFENSE_DB=$(DB) $(PY) -m bench.run --only sidebyside --scales 10 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DB)

# The interface catalog (kdefense/i18n.py): extract every t("…") / N_("…") into a template, merge it into the
# Korean .po (new messages arrive empty, removed ones are dropped). The app compiles the .po itself (no .mo in git).
LOCALE := kdefense/locale
messages: ## update kdefense/locale/ko/LC_MESSAGES/messages.po from the code
	$(VENV)/bin/pybabel extract -F babel.cfg --no-default-keywords -k t -k N_ --add-location=file --no-wrap \
	  --sort-by-file --project=kdefense -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages -l ko --no-wrap --ignore-obsolete \
	  --no-fuzzy-matching --ignore-pot-creation-date

compile-messages: ## optional: write .mo files (the app reads the .po directly)
	$(VENV)/bin/pybabel compile -d $(LOCALE) -D messages --statistics
