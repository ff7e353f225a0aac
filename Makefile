# hamkke — two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYBABEL := $(BIN)/pybabel
HAMKKE := $(BIN)/hamkke
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint i18n i18n-extract install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(PYBABEL) compile --use-fuzzy -D messages -i $< -o $@

## Compile the gettext catalogs (Korean, English).
i18n: $(COMPILED)

## Re-extract messages from the code and templates and merge them into the catalogs.
i18n-extract: $(STAMP)
	$(PYBABEL) extract -F locales/babel.cfg -k _ -k N_ -k gettext -k ngettext:1,2 -k pgettext:1c,2 \
		--no-location --sort-output --project=hamkke -o locales/messages.pot .
	$(PYBABEL) update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

## Start the product: migrate, load the demo the first time, run (the sandbox when no token is set).
run: $(STAMP) i18n
	$(HAMKKE) db upgrade
	$(HAMKKE) demo load --if-empty
	$(HAMKKE) run

## The whole suite, on SQLite and on a real PostgreSQL.
test: $(STAMP) i18n
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy bot handlers models scheduler locales

## Benchmarks (never part of the test suite); they print their figures.
bench: $(STAMP) i18n
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data build *.egg-info $(COMPILED)
