# onrecord: `make demo` and `make test` are all a newcomer needs; both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench lexicon train clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/onrecord extract samples/briefing.txt --format table

lint: install
	$(BIN)/ruff check src tests benchmarks

test: install lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/corpus.py --write docs/benchmarks.md

# Both learn from the PolNeAR train split only (../shared/data); their outputs are committed, so
# neither is needed to install, test or run onrecord. Run `make lexicon` before `make train`.
lexicon: install
	$(BIN)/python -m onrecord.lexicon.build ../shared/data/polnear/train.jsonl

train: install
	$(BIN)/python -m onrecord.train.confidence ../shared/data/polnear/train.jsonl

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
