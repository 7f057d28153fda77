# onrecord: `make demo` and `make test` are all a newcomer needs; both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench fuzz lexicon train clean

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
	$(BIN)/python benchmarks/sizes.py --write docs/benchmarks.md

# Coverage-guided fuzzing of the readers and the extractor (atheris); not part of `make test`.
FUZZ_SECONDS ?= 300
fuzz: install
	$(BIN)/python -m pip install --quiet 'atheris>=2.3'
	mkdir -p fuzz/corpus fuzz/crashes
	$(BIN)/python fuzz/fuzz_extract.py -max_total_time=$(FUZZ_SECONDS) -timeout=60 -rss_limit_mb=3000 -max_len=2000 \
		-artifact_prefix=fuzz/crashes/ fuzz/corpus

# Both learn from the PolNeAR train split only (../shared/data); their outputs are committed, so
# neither is needed to install, test or run onrecord. Run `make lexicon` before `make train`.
lexicon: install
	$(BIN)/python -m onrecord.lexicon.build ../shared/data/polnear/train.jsonl

train: install
	$(BIN)/python -m onrecord.train.confidence ../shared/data/polnear/train.jsonl

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
