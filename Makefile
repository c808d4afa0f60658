# openeq: `make paper` sets everything up and builds the openness appendix;
# `make test` sets everything up and runs the test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: paper test test-slow test-appendices install clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

paper: $(STAMP)
	$(PY) -m openeq.cli appendix openness -o latex/openness --pdf

# the quick tier, on every core (pytest-xdist; tests sharing a session fixture stay together)
XDIST := -n auto --dist loadgroup

test: $(STAMP)
	$(PY) -m pytest $(XDIST)

# the tests of more than 3 s each (tests/slow.txt and the brute forces marked in place); .ci/run runs it too
test-slow: $(STAMP)
	$(PY) -m pytest $(XDIST) -m 'slow and not appendices'

# about an hour: every built-in, example and test model's appendix compiled and read
test-appendices: $(STAMP)
	$(PY) -m pytest $(XDIST) -m appendices

bench: $(STAMP)
	$(PY) -m benchmarks --json

clean:
	rm -rf $(VENV) build *.egg-info
