# Two commands: `make run` starts the playground, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench screenshot clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/nn-playground serve --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check playground tests benchmarks scripts
	$(BIN)/ruff format --check playground tests benchmarks scripts
	$(BIN)/mypy playground

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/frames.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/browser.py

screenshot: $(BIN)/.installed
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache screenshots
