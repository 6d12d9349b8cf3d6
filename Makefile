# Two commands: `make book` builds the book, `make test` runs the tests.
# Both create the virtual environment and install the project when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (swis)"
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(BIN)/swis build

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build book/generated results
