# Two commands on a fresh machine:  `make serve` (app on the demo)  and  `make test` (whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WORKSPACE ?= workspace/demo
PORT   ?= 5006
STAMP  := $(VENV)/.installed

.PHONY: serve test test-fast screenshots demo lint format bench geodata clean help

help:
	@echo "make serve   - set up .venv, build the demo workspace if missing, serve the app on http://localhost:$(PORT)"
	@echo "make test    - set up .venv with the test extras and run the whole test suite"
	@echo "make test-fast - the suite without the browser and slow tests"
	@echo "make screenshots - browser tests writing docs/screenshots and docs/benchmarks/app.md"
	@echo "make demo    - (re)build the demo workspace in $(WORKSPACE)"
	@echo "make lint    - ruff check and mypy (type check of planner/)"
	@echo "make bench   - run the benchmarks (results in docs/benchmarks.md)"

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

$(WORKSPACE)/workspace.json: | $(STAMP)
	$(BIN)/planner demo --out $(WORKSPACE)

serve: $(STAMP) $(WORKSPACE)/workspace.json
	$(BIN)/planner serve --workspace $(WORKSPACE) --port $(PORT)

demo: $(STAMP)
	$(BIN)/planner demo --out $(WORKSPACE)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# the browser tests write their screenshots and timings into docs/ only when asked (here);
# otherwise into test-results/ (ignored), so that `make test` leaves the work tree clean
screenshots: $(STAMP)
	PLANNER_DOCS_OUTPUT=1 $(BIN)/python -m pytest -m browser tests/app/test_browser.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check planner apps tests benchmarks
	$(BIN)/mypy planner

format: $(STAMP)
	$(BIN)/ruff format planner apps tests benchmarks

bench: $(STAMP) $(WORKSPACE)/workspace.json
	$(BIN)/python benchmarks/run_all.py

geodata: $(STAMP)
	$(BIN)/python geodata/build_geodata.py

clean:
	rm -rf $(VENV) workspace .pytest_cache .ruff_cache
