# lstm-repro: build the book and test it. The two commands a reader needs are
#   make book    set up .venv, run every chapter with papermill, build the HTML site
#   make test    set up .venv, run pytest (unit tests, nbval on every chapter, browser test)
# `make help` lists the rest. Settings are make variables: make book SCALE=paper SEED=3

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# ---- settings --------------------------------------------------------------------------------
# The interpreter that creates .venv (Python >= 3.10).
PYTHON ?= python3
VENV ?= .venv
# Installed before the package, and only when .venv cannot import torch yet. The pinned version
# is a CPU wheel; elsewhere e.g. make book TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu"
TORCH_SPEC ?= torch==2.13.0
# Chapter parameters passed to papermill: SCALE quick (minutes) or paper (the paper's runs).
SCALE ?= quick
SEED ?= 0
# The valid scales, as lstm_repro.provenance.SCALES (tests/test_book_pipeline.py checks they agree).
SCALES := quick paper
# Where the chapter notebooks NN_slug.ipynb are, and where everything is built.
NOTEBOOKS ?= notebooks
BUILD ?= _build
# Where the tools (python, papermill, jupyter-book, pytest) are, and the set-up they need;
# `make SETUP= BIN=/some/venv/bin ...` uses another environment as it is (the tests do).
BIN ?= $(VENV)/bin
SETUP ?= $(VENV)/.stamp-install
PYTEST_ARGS ?=
# pytest-xdist workers for make test (auto: one per core; 0: none). Each chapter's cells stay
# together, in order, in one worker (--dist loadscope), as nbval needs.
PYTEST_JOBS ?= auto

# The book's own pages (landing page, toc, bibliography), copied into every staging tree.
BOOK ?= book

CHAPTERS = $(sort $(wildcard $(NOTEBOOKS)/[0-9]*.ipynb))
STAGE := $(BUILD)/stage
HTML := $(BUILD)/html
PIP = "$(VENV)/bin/python" -m pip install --quiet --disable-pip-version-check
# pip lists every configured index location it skips; those lines are noise.
PIP_FILTER = { grep -v "^WARNING: Location '.*' is ignored" || true; }

# $(call stage,DIR): a fresh staging tree in DIR with the book's sources; the caller adds chapters.
stage = rm -rf "$(1)" && mkdir -p "$(1)/notebooks" && cp _config.yml "$(1)/" && cp -r "$(BOOK)" "$(1)/book"

.PHONY: help setup book notebooks test test-site html check-params clean distclean

help:
	@echo "make book       set up .venv, execute every chapter (papermill), build _build/html"
	@echo "                (SCALE=quick|paper, default quick; SEED=<int>, default 0)"
	@echo "make test       set up .venv, then pytest: unit tests, nbval on every chapter, browser test"
	@echo "make notebooks  re-execute the chapters in place with default parameters (refresh outputs;"
	@echo "                one chapter: make notebooks CHAPTERS=notebooks/NN_slug.ipynb)"
	@echo "make setup      only create .venv and install the package with its dependencies"
	@echo "make clean      remove _build/;  make distclean  also remove .venv/"

# ---- set-up: .venv with torch, then the package and its book and test extras -----------------
setup: $(SETUP)

$(VENV)/.stamp-install: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "error: Python >= 3.10 is needed to create $(VENV); '$(PYTHON)' is not (make PYTHON=python3.11 ...)" >&2; exit 1; }
	@test -x "$(VENV)/bin/python" || { echo "==> creating $(VENV)"; $(PYTHON) -m venv "$(VENV)" || { \
	  echo "error: could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }; }
	@"$(VENV)/bin/python" -c 'import torch' 2>/dev/null || { \
	  echo "==> pip install $(TORCH_SPEC)"; $(PIP) "$(TORCH_SPEC)" 2>&1 | $(PIP_FILTER); }
	@echo "==> pip install -e .[book,test] (a few minutes the first time)"
	@$(PIP) -e ".[book,test]" 2>&1 | $(PIP_FILTER)
	@touch "$@"

# ---- the book -------------------------------------------------------------------------------
# Stops before anything is built or installed when a parameter is not valid.
check-params:
	@ok=no; for s in $(SCALES); do [ "$(SCALE)" = "$$s" ] && ok=yes; done; [ $$ok = yes ] || { \
	  echo "error: SCALE='$(SCALE)' is not a valid scale; valid values: $(SCALES)" >&2; exit 2; }
	@case "$(SEED)" in ''|*[!0-9]*) \
	  echo "error: SEED='$(SEED)' is not valid; a seed is a non-negative integer" >&2; exit 2;; esac

# papermill executes each chapter into a staging copy of the book's sources ($(STAGE)), so the
# tracked notebooks are never rewritten; jupyter-book then renders that copy without executing
# anything. The old site is removed first: after a failure there is no index.html to mistake
# for a fresh one.
book: check-params $(SETUP)
	@rm -rf "$(HTML)"
	@$(call stage,$(STAGE))
	@for nb in $(CHAPTERS); do \
	  out="$(STAGE)/notebooks/$$(basename "$$nb")"; \
	  echo "==> papermill $$nb (SCALE=$(SCALE), SEED=$(SEED))"; \
	  "$(BIN)/papermill" "$$nb" "$$out" -p SCALE "$(SCALE)" -p SEED "$(SEED)" \
	    --cwd "$(NOTEBOOKS)" --no-progress-bar --log-level WARNING || { \
	    echo "error: chapter $$nb failed (traceback above; executed copy: $$out); no book was built" >&2; \
	    exit 1; }; \
	done
	@$(MAKE) html SRC="$(STAGE)" OUT="$(HTML)"
	@echo "Book built ($(SCALE) scale, seed $(SEED)): $(abspath $(HTML))/index.html"

# The site the browser test opens: the committed notebooks (whose outputs are a default run, as
# nbval checks) staged and rendered without executing anything.
test-site:
	@$(call stage,$(BUILD)/test-stage)
	@for nb in $(CHAPTERS); do cp "$$nb" "$(BUILD)/test-stage/notebooks/"; done
	@$(MAKE) html SRC="$(BUILD)/test-stage" OUT="$(BUILD)/test-site"

# Render a staged source tree SRC into OUT. Warnings are errors (an unknown citation key, a
# broken cross-reference); the site is built beside OUT and moved into place only on success.
html:
	@test -n "$(SRC)" && test -n "$(OUT)"
	@rm -rf "$(OUT).partial"
	@echo "==> jupyter-book build $(SRC)"
	@"$(BIN)/jupyter-book" build "$(SRC)" --toc "$(abspath $(SRC))/book/_toc.yml" --path-output "$(OUT).partial" \
	  --warningiserror --keep-going --quiet >"$(OUT).log" || { \
	  cat "$(OUT).log"; echo "error: jupyter-book failed (warnings count as errors); see above" >&2; exit 1; }
	@rm -rf "$(OUT)" && mv "$(OUT).partial/_build/html" "$(OUT)" && rm -rf "$(OUT).partial"

# Refresh the committed outputs: execute each chapter in place with its default parameters.
notebooks: $(SETUP)
	@for nb in $(CHAPTERS); do \
	  echo "==> executing $$nb in place"; \
	  "$(BIN)/jupyter" nbconvert --to notebook --execute --inplace --log-level WARN \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.record_timing=False "$$nb"; \
	done

# ---- tests ----------------------------------------------------------------------------------
test: $(SETUP)
	@"$(BIN)/python" -m pytest -n $(PYTEST_JOBS) --dist loadscope $(PYTEST_ARGS)

clean:
	rm -rf "$(BUILD)"

distclean: clean
	rm -rf "$(VENV)"
