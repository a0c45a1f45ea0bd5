# newsdesk: `make run` opens the editor, `make test` runs the whole suite headless.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test bench lint package clean setup

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,package]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m newsdesk

test: $(STAMP) $(NPM_STAMP)
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check newsdesk

# The one-folder Linux bundle in dist/newsdesk (PyInstaller comes from the `package` extra).
package: $(STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	$(PY) packaging/build.py

clean:
	rm -rf $(VENV) node_modules build dist .pytest_cache
