# Two commands for a fresh clone (see README):  make serve   |   make test
# Both create .venv on first use and reuse it afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH := 0

.PHONY: install serve build test bench import clean note

$(STAMP): pyproject.toml
	@# a venv left half-made (an interrupted first run) has no pip: make it again
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/til serve --dirty --livereload --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

test: $(STAMP)
	$(BIN)/python -m pytest

# make note ENTRY="til-ml/.../x.md"  or  ENTRY="A > B > 제목": start the note of a SUMMARY entry
note: $(STAMP)
	$(BIN)/til new "$(ENTRY)"

bench: $(STAMP)
	$(BIN)/python bench/build_speed.py
	$(BIN)/python bench/conv_speed.py
	$(BIN)/python bench/import_speed.py

# Import a GitBook-synced repository: make import GITBOOK=path/to/export [ARGS="--new-tree --dry-run"]
import: $(STAMP)
	@test -n "$(GITBOOK)" || { echo 'usage: make import GITBOOK=SRC [ARGS="--dry-run --new-tree ..."]' >&2; exit 2; }
	$(BIN)/til import-gitbook '$(GITBOOK)' $(ARGS)

clean:
	rm -rf site .cache
