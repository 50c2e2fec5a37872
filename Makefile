# make run   : install into .venv/ and run the default workflow (demo data; CONFIG=my.yaml for yours),
#              then print the summary table
# make report: the HTML report of the last run (results/report.html)
# make docs  : the documentation (site/), offline, warnings as errors
# make lock  : refresh requirements.lock and the conda environments from it
# make test  : install into .venv/ and run the tests
# make bench : install into .venv/ and run benchmarks/*.py (one JSON line each, median first);
#              the table of the lines goes to benchmarks/results/latest.md
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
CONFIG ?=
CONFIG_OPTION := $(if $(CONFIG),--configfile $(CONFIG))
BENCH_RESULTS := benchmarks/results

.PHONY: install lock run report docs test bench lint dry-run clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "biodl needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

# every dependency at its locked version; `make lock` refreshes the lock (newest releases
# pyproject.toml allows), checks that it resolves on Python 3.11 and 3.12, and rewrites the
# conda environments from it
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra docs --universal --python-version 3.11 \
		--annotation-style line --upgrade -o requirements.lock
	@for version in 3.11 3.12; do \
		$(BIN)/uv pip compile requirements.lock --no-deps --python-version $$version \
			--python-platform x86_64-manylinux_2_28 -o /dev/null --quiet || exit 1; \
		echo "requirements.lock resolves on Python $$version"; \
	done
	$(BIN)/python tools/sync_envs.py

docs: install
	$(BIN)/mkdocs build --strict
	@echo "open site/index.html"

run: install
	PATH=$(BIN):$$PATH $(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default $(CONFIG_OPTION)
	@echo; echo "results/summary.md (every number: results/summary.tsv; plots: make report)"; cat results/summary.md

report: install
	PATH=$(BIN):$$PATH $(BIN)/snakemake --profile workflow/profiles/default $(CONFIG_OPTION) --report results/report.html
	@echo "open results/report.html"

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
