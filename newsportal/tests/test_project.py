import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALES = ["az", "ru"]


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="newsportal.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_check()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_settings_start_without_a_secret_key():
    assert run_check(DJANGO_DEBUG="1").returncode == 0


def test_portal_settings():
    assert settings.TIME_ZONE == "Asia/Baku"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "az"
    assert [code for code, _name in settings.LANGUAGES] == ["az", "ru"]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


@pytest.mark.parametrize("language", LOCALES)
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(
        Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES/django.po"
    )

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert catalogue.percent_translated() == 100


def test_both_catalogues_hold_the_same_messages():
    ids = [
        {
            entry.msgid
            for entry in polib.pofile(
                Path(settings.BASE_DIR) / f"locale/{lang}/LC_MESSAGES/django.po"
            )
        }
        for lang in LOCALES
    ]
    assert ids[0] == ids[1]


def test_web_manifest_names_the_site(client, settings):
    settings.SITE_NAME = "Xəbər.az"

    manifest = client.get("/manifest.webmanifest").json()

    assert manifest["name"] == "Xəbər.az"
    assert manifest["start_url"] == "/"
    assert client.get("/ru/manifest.webmanifest").json()["start_url"] == "/ru/"


def test_check_deploy_is_clean_under_production_settings():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsportal.settings",
        DJANGO_SECRET_KEY="a-real-looking-secret-Xq8v2LpW9rT4mN7bK3hJ6fD1sA5gZ0cV",
        DJANGO_ALLOWED_HOSTS="icma.example.az",
        DATABASE_URL="postgres://news:secret@127.0.0.1:5432/newsportal",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_brand_name_and_logo_are_settings(client, settings, db):
    settings.SITE_NAME = "Xəbər.az"
    settings.SITE_LOGO = "brand/xeber.svg"

    html = client.get("/").content.decode()

    assert '<img class="brand-logo" src="/static/brand/xeber.svg" alt=""' in html
    assert ">Xəbər.az</a>" in html
