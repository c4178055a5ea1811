# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1

.PHONY: help install serve build bundle validate test clean

help:
	@echo "make serve     set up .venv and serve the site at http://127.0.0.1:8000"
	@echo "make test      set up .venv and run every test, including a strict site build"
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

test: $(STAMP)
	$(BIN)/apkb validate
	$(BIN)/apkb fmt --check
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache
