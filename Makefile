# Two commands: `make book` builds the book, `make test` runs the fast tests.
# Both create the virtual environment from requirements.lock (hashes checked) when needed.
#
#   make install  .venv with every package at the version in requirements.lock, and swis (editable)
#   make test     the fast suite: unit tests and docstring examples; executes no notebook (about a minute)
#   make book     swis build --pdf: executes the notebooks whose inputs changed (papermill, two at a time), renders
#                 _build/html (warnings are errors) with its PDF edition, _build/html/swis-book.pdf (printed
#                 by /usr/bin/chromium via Playwright); with CI set, every notebook and a clean render
#   make pdf      prints the PDF edition again from the HTML already built (executes and renders nothing)
#   make check    the tests that need the built book, run against what `make book` produced, browser tests
#                 included (/usr/bin/chromium via Playwright; axe-core from npm: see .ci/run)
#   make lint     ruff: lint and formatting
#   make lock     re-resolve requirements.lock from pyproject.toml (needs PyPI)
#   make readme   rewrite the README's replication table from book/registry.yml
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test book pdf check lint lock readme clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (swis)"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

book: $(STAMP)
	$(BIN)/swis build --pdf $(if $(CI),--clean --force)

pdf: $(STAMP)
	$(BIN)/python -m swis.book.pdf

check: $(STAMP)
	$(BIN)/python -m pytest -m book

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --universal --generate-hashes \
		--python-version 3.11 -o requirements.lock

readme: $(STAMP)
	$(BIN)/python -m swis.book.registry

clean:
	rm -rf _build book/generated results
