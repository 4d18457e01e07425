from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALES = ["az", "ru"]


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


def test_brand_name_and_logo_are_settings(client, settings, db):
    settings.SITE_NAME = "Xəbər.az"
    settings.SITE_LOGO = "brand/xeber.svg"

    html = client.get("/").content.decode()

    assert '<img class="brand-logo" src="/static/brand/xeber.svg" alt=""' in html
    assert ">Xəbər.az</a>" in html
