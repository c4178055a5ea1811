# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1
# Test processes (pytest-xdist): one per core by default; WORKERS=0 runs the tests in this process, one by one.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS)

.PHONY: help install serve build bundle validate check test clean

help:
	@echo "make serve     set up .venv and serve the site at http://127.0.0.1:8000"
	@echo "make test      set up .venv and run every test, including a strict site build and the browser tests"
	@echo "make check     the same without the browser tests: the quick loop while you work"
	@echo "make build     build the site into site/ (the old site stays if the build fails)"
	@echo "make bundle    write dist/<name>-<date>.zip: the offline site for laptops with no network"
	@echo "make validate  check every entry"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve

# Builds beside the old site and swaps, so that a failed build leaves the previous site/ in place.
build: $(STAMP)
	$(BIN)/apkb build

bundle: $(STAMP)
	$(BIN)/apkb bundle

validate: $(STAMP)
	$(BIN)/apkb validate

# Every test, the browser tests included, in parallel; each test process builds the site once for itself.
test: $(STAMP)
	$(BIN)/apkb validate
	$(BIN)/apkb fmt --check
	$(PYTEST)

# The quick loop: everything but the tests that drive Chromium (marked `browser` by tests/conftest.py).
check: $(STAMP)
	$(BIN)/apkb validate
	$(BIN)/apkb fmt --check
	$(PYTEST) -m "not browser"

clean:
	rm -rf site .pytest_cache
