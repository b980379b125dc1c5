# Thumper: every target sets itself up; a fresh clone needs only `make test` (or `make demo`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt
STAMP := $(VENV)/.installed

.PHONY: install test test-fast check lint typecheck imports docs bench bench-dashboard demo tools clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) hatchling editables
	$(PIP) --no-build-isolation -e '.[dev]'
	$(PIP) --no-deps megadetector-utils
	touch $(STAMP)

install: $(STAMP)

# The terminal tests drive the real binary in tmux; install it where the machine allows.
tools:
	@command -v tmux >/dev/null 2>&1 || { echo "installing tmux for the terminal tests"; \
		{ apt-get update -qq && apt-get install -y -qq tmux; } >/dev/null 2>&1 || \
		{ sudo -n apt-get update -qq && sudo -n apt-get install -y -qq tmux; } >/dev/null 2>&1 || \
		echo "tmux could not be installed; the terminal tests will say so"; }

test: $(STAMP) tools
	$(PY) -m pytest

# The tests that need no model, worker process or terminal: seconds, for the edit-test loop.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

# The layout section of docs/architecture.md, from the module docstrings (tests/test_docs.py).
docs: $(STAMP)
	$(PY) -m tests.docs_layout --write

demo: $(STAMP)
	scripts/demo.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check thumper_tui tests benchmarks
	$(VENV)/bin/ruff format --check thumper_tui tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

check: lint typecheck imports test

bench: $(STAMP)
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_synth.py
	$(PY) benchmarks/bench_detect.py
	$(PY) benchmarks/bench_cli.py

# The dashboard's own CPU use (idle and during a run) and its time to first paint; ~3 minutes.
bench-dashboard: $(STAMP) tools
	$(PY) benchmarks/bench_dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
