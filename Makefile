# The two set-up commands of a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_SOURCES := demo/sources/sources.yml

.PHONY: demo test test-fast refresh dev env clean bench

env: $(INSTALLED)

# The environment: created if missing, reinstalled when the pinned dependencies change.
$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable '.[dev]'
	touch $@

# The demo deployment's sources: every source system, calibrated to the published Annex 1, generated on
# first use (about a minute; never committed). Ground truth for tests goes to demo/truth.
$(DEMO_SOURCES): | $(INSTALLED)
	$(BIN)/python -m demo.generator --out demo/sources --truth demo/truth

demo: $(INSTALLED) $(DEMO_SOURCES)
	WAREHOUSE_SOURCES=$(abspath $(DEMO_SOURCES)) $(BIN)/python -m orchestration.refresh
	# The demo signs off its two bienniums as published (a second `make demo` leaves them as they are).
	WAREHOUSE_SOURCES=$(abspath $(DEMO_SOURCES)) $(BIN)/python -m orchestration.close 2020-21 --unless-closed \
	  --by "Demo director" --note "Implementation report 2020-21, as published"
	WAREHOUSE_SOURCES=$(abspath $(DEMO_SOURCES)) $(BIN)/python -m orchestration.close 2022-23 --unless-closed \
	  --by "Demo director" --note "Implementation report 2022-23, as published"
	$(BIN)/python -m orchestration.print_annex1
	$(BIN)/python -m orchestration.reports

refresh: $(INSTALLED)
	$(BIN)/python -m orchestration.refresh

# The whole suite (what CI runs), on every core (pytest-xdist); the tests of one session-built world share a
# worker (tests/conftest.py, SHARED_WORLDS).
test: $(INSTALLED)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadgroup --durations=15

# The inner loop: every test that builds no warehouse and no demo (marker `slow`; see tests/conftest.py).
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto -m "not slow"

# Each stage of the refresh beside its floor, at scales 1 and 10 (worlds generated once into
# benchmarks/.worlds; scale 10 takes several minutes to generate). Appends to benchmarks/history.csv.
bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.refresh --scales 1 10

dev: $(INSTALLED) $(DEMO_SOURCES)
	$(BIN)/dagster dev

clean:
	rm -rf warehouse demo/sources demo/truth dbt_project/target
