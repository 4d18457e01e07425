# The project's entry points. `make run` serves the demo site; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1

.PHONY: quality screenshots run serve test venv install install-test migrate seed lint format messages check-messages clean

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
	$(DEV_ENV) $(BIN)/python manage.py import_seeds
	$(DEV_ENV) $(BIN)/python manage.py demo_content
	$(DEV_ENV) $(BIN)/python manage.py create_editor
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Serve the production settings under gunicorn on a local PostgreSQL database (plain HTTP).
SERVE_DB ?= newsportal
SERVE_ENV := DATABASE_URL=postgres://root@127.0.0.1:5432/$(SERVE_DB) DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_ALLOWED_HOSTS=$(HOST),localhost \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-local-serve-$$(hostname)-not-for-the-internet-0123456789}
serve: install
	createdb -h 127.0.0.1 -U root $(SERVE_DB) 2>/dev/null || true
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(BIN)/python manage.py import_seeds
	$(SERVE_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py newsportal.wsgi

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
