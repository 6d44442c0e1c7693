# parkflow — `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench serve clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/parkflow demo

test: $(STAMP)
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

serve: $(STAMP)
	test -f demo/parkflow-demo.db || $(BIN)/parkflow demo
	PARKFLOW_DATABASE_URL=sqlite:///demo/parkflow-demo.db $(BIN)/parkflow serve

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.web

clean:
	rm -rf $(VENV) demo outbox-mail .pytest_cache .mypy_cache .ruff_cache
