# The two quick-start commands: `make demo` and `make test`. Both work on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test check lint

$(PY):
	python3 -m venv $(VENV)
	$(PIP) --upgrade pip

demo: $(PY)
	$(PIP) -e .
	$(VENV)/bin/crowdlens demo

test: $(PY)
	bash scripts/system-deps.sh espeak-ng chromium
	$(PIP) -e '.[dev,postgres,audio,clip]'
	$(MAKE) check

check: lint
	$(VENV)/bin/pytest

lint:
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports
