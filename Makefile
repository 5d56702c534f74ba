# The two set-up commands of the README: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench chromium

DEMO_STAMP := $(VENV)/.installed-app
PORT ?= 8000

# What the demo needs (the app alone); the tests add their extras on top.
$(DEMO_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium; install it when missing (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	  || echo "could not install chromium; browser tests will report it"; }

test: install chromium
	$(VENV)/bin/ruff check src tests bench
	$(PY) -m pytest -q

demo: $(DEMO_STAMP)
	$(VENV)/bin/openmdt demo --port $(PORT)

bench: install
	$(PY) bench/run.py
	$(PY) bench/bench_api.py
