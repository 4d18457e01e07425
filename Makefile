# The project's entry points. `make run` serves the demo site; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1

.PHONY: quality screenshots run test venv install install-test migrate seed lint format messages check-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt

## 1. Set up and serve the demo site on SQLite at http://$(HOST):$(PORT)/
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py import_seeds
	$(DEV_ENV) $(BIN)/python manage.py create_editor
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## 2. Run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Judge the reader's pages (axe-core, Nu Html Checker, Lighthouse) and save screenshots.
quality: install-test
	$(BIN)/python bench/page_quality.py

## Screenshots at 360 and 1280 px in both languages, in screenshots/ (no Lighthouse).
screenshots: install-test
	$(BIN)/python bench/page_quality.py --no-lighthouse

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Update the catalogues after changing marked strings (needs GNU gettext).
messages:
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l az -l ru --ignore=.venv --ignore=node_modules --no-location
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media
