# Two commands: `make run` starts the playground, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-min constraints lint bench screenshot clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 'setuptools>=77'
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

# The lowest versions pyproject.toml allows (uv --resolution lowest-direct), in their own
# venv: the engine, API, live and CLI tests must pass there too (the browser tests need
# playwright and are left to `make test`).
MIN_VENV ?= .venv-min
test-min: $(BIN)/.installed
	rm -rf $(MIN_VENV)
	$(BIN)/uv venv -q --python $(BIN)/python $(MIN_VENV)
	$(BIN)/uv pip install -q --python $(MIN_VENV)/bin/python --resolution lowest-direct \
		-e . 'pytest>=8' 'httpx>=0.27'
	$(BIN)/uv pip list --python $(MIN_VENV)/bin/python | grep -iE '^(fastapi|starlette|uvicorn|websockets|numpy|jinja2|plotly|pydantic|pydantic-settings|fastapi-offline) '
	$(MIN_VENV)/bin/pytest -p no:cacheprovider tests/engine tests/web tests/test_cli.py tests/test_config.py

# constraints.txt: the versions the dev venv has (and `make test` tested), for Docker and CI.
constraints: $(BIN)/.installed
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | \
		$(BIN)/uv pip compile -q --python $(BIN)/python pyproject.toml -c - --no-header --no-annotate; \
	} > constraints.txt.new && mv constraints.txt.new constraints.txt

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/frames.py
	$(BIN)/python benchmarks/timeline.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/browser.py
	$(BIN)/python benchmarks/api_docs.py

screenshot: $(BIN)/.installed
	$(BIN)/python scripts/screenshot.py
	$(BIN)/python scripts/screenshot_presenter.py

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .mypy_cache .ruff_cache screenshots
