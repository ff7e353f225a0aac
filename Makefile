# hamkke — two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYBABEL := $(BIN)/pybabel
HAMKKE := $(BIN)/hamkke
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

LOCK := requirements.lock
# The Babel releases whose CLDR data disagree on Korean day periods; dates must read the same on each.
BABEL_RELEASES := 2.18.0 2.19.0

.PHONY: run test test-latest test-babel lock lint i18n i18n-extract install bench reliability clean

# Exactly what the lock names (every transitive version, each file's hash), then the project itself without
# build isolation, so its build backend comes from the lock too. pyproject.toml keeps the honest ranges.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(PYBABEL) compile --use-fuzzy -D messages -i $< -o $@

## Compile the gettext catalogs (Korean, English).
i18n: $(COMPILED)

## Re-extract messages from the code and templates, merge them into the catalogs, fill English, list what
## Korean still lacks (write it in locales/ko/LC_MESSAGES/messages.po: the catalogs are the only source of text).
i18n-extract: $(STAMP)
	$(BIN)/python tools/i18n_sync.py

## Start the product: migrate, load the demo the first time, run (the sandbox when no token is set).
run: $(STAMP) i18n
	$(HAMKKE) db upgrade
	$(HAMKKE) demo load --if-empty
	$(HAMKKE) run

## The whole suite, on SQLite and on a real PostgreSQL.
test: $(STAMP) i18n
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Re-resolve the newest versions the ranges in pyproject.toml allow and write them, with hashes, to the lock.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra build --universal --python-version 3.11 \
		--generate-hashes --no-header --upgrade --index-url https://pypi.org/simple -o $(LOCK)

## The suite against the newest versions the ranges allow (not the lock), in a throw-away environment:
## the next Babel-like release breaks here before it breaks a center. Not part of `make test`.
test-latest:
	@set -e; env=$$(mktemp -d); trap 'rm -rf "$$env"' EXIT; \
	$(PYTHON) -m venv "$$env"; \
	"$$env/bin/python" -m pip install --quiet --upgrade pip; \
	"$$env/bin/python" -m pip install --quiet --upgrade -e '.[dev]'; \
	"$$env/bin/python" -m pip list --format=freeze | grep -iE '^(babel|python-telegram-bot|aiogram|sqlmodel|sqlalchemy|apscheduler)=='; \
	for po in $(CATALOGS); do "$$env/bin/pybabel" compile --use-fuzzy -D messages -i $$po -o $${po%.po}.mo >/dev/null; done; \
	"$$env/bin/python" -m pytest $(PYTEST_ARGS)

## The date and time tests on each Babel release in BABEL_RELEASES (their CLDR data differ).
test-babel: $(STAMP) i18n
	@set -e; for v in $(BABEL_RELEASES); do \
		dir=$$(mktemp -d); \
		$(BIN)/python -m pip install --quiet --no-deps --target "$$dir" "babel==$$v"; \
		PYTHONPATH="$$dir" $(BIN)/python -c "import babel; print('== Babel', babel.__version__)"; \
		PYTHONPATH="$$dir" $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_dates.py; \
		rm -rf "$$dir"; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy bot handlers models scheduler locales

## Benchmarks (never part of the test suite); they print their figures.
bench: $(STAMP) i18n
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## The reliability suite (never part of `make test`): each bench/reliability/g*.py prints its figures.
## RELIABILITY_ARGS is passed to every script, e.g. RELIABILITY_ARGS="--transport aiogram".
reliability: $(STAMP) i18n
	@for g in bench/reliability/g*.py; do echo "== $$g"; $(BIN)/python $$g $(RELIABILITY_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) data build *.egg-info $(COMPILED)
