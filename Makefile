# newsdesk: `make run` opens the editor, `make test` runs the whole suite headless.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `make run` installs only what running needs; the test and packaging tools are
# added by `make test` and `make package`, each once (a stamp per set).
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PACKAGE_STAMP := $(VENV)/.installed-package
NPM_STAMP := node_modules/.installed

.PHONY: run test bench lint package clean setup messages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(PACKAGE_STAMP): pyproject.toml $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

setup: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m newsdesk

# The packaged-app smoke test (NEWSDESK_SLOW=1, set by .ci/run) needs PyInstaller too.
test: $(TEST_STAMP) $(PACKAGE_STAMP) $(NPM_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports  # the layer rules in pyproject.toml (docs/ARCHITECTURE.md)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(TEST_STAMP)
	$(PY) benchmarks/run_all.py

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check newsdesk

# The one-folder Linux bundle in dist/newsdesk.
package: $(PACKAGE_STAMP)
	$(PY) packaging/build.py

clean:
	rm -rf $(VENV) node_modules build dist .pytest_cache

# The page strings: extract them from the templates and code, and merge them into
# every language's catalogue (resources/locale/*/LC_MESSAGES/newsdesk.po). The .po
# files are what ships; newsdesk compiles them in memory when it renders a page.
messages: $(TEST_STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k gettext_for:2 --no-location --omit-header -o resources/locale/newsdesk.pot .
	$(VENV)/bin/pybabel update -D newsdesk -i resources/locale/newsdesk.pot -d resources/locale --no-fuzzy-matching --omit-header
