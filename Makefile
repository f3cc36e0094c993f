# The README's two commands: `make demo` and `make test`. Both create .venv when it is
# missing and install the project with its pinned dependencies (constraints.txt).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= var
SEED   ?= 7
AC     := $(BIN)/agrocredit --data-dir $(DATA)
COUNTY := $(DATA)/sample-county

.PHONY: demo test install lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(AC) sim county --seed $(SEED) --out $(COUNTY)
	$(AC) plots import $(COUNTY)/records/plots.gpkg
	$(AC) records import $(COUNTY)/records/subsidy.csv --kind subsidy
	$(AC) records import $(COUNTY)/records/insurance.csv --kind insurance
	$(AC) summary

test: install
	$(BIN)/ruff check agrocredit tests bench
	@# pytest exits 5 when it collects no tests: that is a failure, not a pass.
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	  exit $$rc

lint: install
	$(BIN)/ruff check agrocredit tests bench
	$(BIN)/ruff format --check agrocredit tests bench

format: install
	$(BIN)/ruff format agrocredit tests bench

bench: install
	$(BIN)/python bench/registry.py

clean:
	rm -rf $(DATA) .pytest_cache .ruff_cache
