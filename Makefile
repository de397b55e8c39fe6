# Two commands for a fresh clone: `make run` (the main job) and `make test`.
# Both create .venv, install pinned dependencies (torch 2.13.0 first: see README) and build the
# bundled model and the seed library once; later runs reuse them.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
READY := data/.ready

.PHONY: run test lint setup eval bench clean

run: $(READY)
	$(BIN)/sanad

test: $(READY) lint
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(READY)

eval: $(READY)
	$(BIN)/sanad eval

bench: $(READY)
	$(BIN)/sanad bench

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[build,dev]'
	touch $@

$(READY): $(INSTALLED)
	$(BIN)/sanad setup
	touch $@

clean:
	rm -rf $(VENV) data
