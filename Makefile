# openeq: `make paper` sets everything up and builds the openness appendix;
# `make test` sets everything up and runs the test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: paper test test-slow install clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

paper: $(STAMP)
	$(PY) -m openeq.cli appendix openness -o latex/openness --pdf

test: $(STAMP)
	$(PY) -m pytest

# minutes: every model's appendix compiled, every reference against its brute force
test-slow: $(STAMP)
	$(PY) -m pytest -m slow

bench: $(STAMP)
	$(PY) -m benchmarks --json

clean:
	rm -rf $(VENV) build *.egg-info
