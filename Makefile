# Thumper: every target sets itself up; a fresh clone needs only `make test` (or `make demo`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt
STAMP := $(VENV)/.installed

.PHONY: install test check lint typecheck imports bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) hatchling editables
	$(PIP) --no-build-isolation -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
