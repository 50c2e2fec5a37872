# make run   : install into .venv/ and run the default workflow (demo data)
# make test  : install into .venv/ and run the tests
# make bench : install into .venv/ and run benchmarks/*.py (one JSON line each, median first);
#              the table of the lines goes to benchmarks/results/latest.md
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
BENCH_RESULTS := benchmarks/results

.PHONY: install run test bench lint dry-run clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "biodl needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	PATH=$(BIN):$$PATH $(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default

test: install
	PATH=$(BIN):$$PATH $(BIN)/python -m pytest

bench: install
	@mkdir -p $(BENCH_RESULTS) && rm -f $(BENCH_RESULTS)/latest.jsonl
	@for script in benchmarks/[!_]*.py; do \
		PATH=$(BIN):$$PATH $(BIN)/python $$script > $(BENCH_RESULTS)/line.tmp || exit 1; \
		cat $(BENCH_RESULTS)/line.tmp; cat $(BENCH_RESULTS)/line.tmp >> $(BENCH_RESULTS)/latest.jsonl; \
	done; rm -f $(BENCH_RESULTS)/line.tmp
	@echo; $(BIN)/python benchmarks/_table.py $(BENCH_RESULTS)/latest.jsonl $(BENCH_RESULTS)/latest.md

lint: install
	PATH=$(BIN):$$PATH $(BIN)/snakemake --lint

dry-run: install
	PATH=$(BIN):$$PATH $(BIN)/snakemake -n

clean:
	rm -rf results logs benchmarks/rules benchmarks/results .snakemake
