# The two commands of the README: `make demo` (the embedded default on the samples) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: demo test lint model samples bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/smearwatch demo

test: $(BIN)/.installed
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py

# Regenerate the committed sample world (deterministic: same seed, same bytes).
samples: $(BIN)/.installed
	$(BIN)/python samples/generate.py

# Retrain the packaged default model from data the repository may ship: the generated samples and the
# independent world (generated here by bench/world2, standard library only, same seed same bytes).
model: $(BIN)/.installed
	$(BIN)/python bench/world2/generate.py --seed 1 --out var/world2-train
	$(BIN)/smearwatch train samples/labelled/train.jsonl var/world2-train/posts.jsonl --out classifiers/models/default

bench: $(BIN)/.installed
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var .pytest_cache
