"""The newcomer's first look: `make run`'s data steps on a fresh database, and the demo set."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from articles.images import rendition_name
from articles.models import Article, Category, Source


@pytest.fixture
def demo(seeded):
    call_command("demo_content", verbosity=0)
    return Article.objects.filter(source__slug="demo")


def snapshot():
    return sorted(Article.objects.values_list("id", "title", "published_at", "views", "image"))


def test_demo_set_fills_the_menu_and_the_home_pages(client, demo):
    assert Article.objects.published().count() > 21
    home = client.get("/").content.decode()
    menu = home[home.index('id="site-menu"') : home.index("</nav>")]
    for category in Category.objects.all():
        assert f'href="{category.get_absolute_url()}">{category.name_az}</a>' in menu
    assert "Siyasət" in menu
    ru_home = client.get("/ru/").content.decode()
    ru_titles = list(demo.filter(language="ru").values_list("title", flat=True))
    assert len(ru_titles) >= 5
    assert ru_titles[0] in ru_home
    assert "Политика" in ru_home


def test_demo_set_is_marked_and_spread_over_the_last_days(demo):
    source = Source.objects.get(slug="demo")
    assert source.name == "Demo" and not source.is_active
    assert all(
        url.startswith("https://demo.example/") for url in demo.values_list("source_url", flat=True)
    )
    now = timezone.now()
    times = list(demo.values_list("published_at", flat=True))
    assert all(now - timedelta(days=6) < moment <= now for moment in times)
    assert len({timezone.localdate(moment) for moment in times}) >= 5
    assert demo.filter(language="az").count() >= 15


def test_demo_pictures_are_drawn_and_resized_as_the_admin_does(client, demo):
    pictured = list(demo.exclude(image=""))

    assert len(pictured) >= 3
    for article in pictured:
        assert (article.image_width, article.image_height) == (1600, 900)
        for width in (320, 640, 1280):
            assert default_storage.exists(rendition_name(article.image.name, width, "webp"))
    html = client.get(pictured[0].get_absolute_url()).content.decode()
    assert 'type="image/webp"' in html and " 1280w" in html


def test_demo_content_is_idempotent(demo, capsys):
    before = snapshot()

    call_command("demo_content")

    assert snapshot() == before
    assert "0 demo articles added" in capsys.readouterr().out


def test_a_fresh_database_needs_only_migrate_then_import_seeds_and_demo_content(tmp_path):
    """What `make run` does, without `createcachetable`: the database cache's table included."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    outputs = []
    for command in (["migrate", "--noinput", "-v0"], ["import_seeds"], ["demo_content"]):
        done = subprocess.run(
            manage + command, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert "21 new articles" in outputs[1]
    assert re.search(r"^2[0-9] demo articles added", outputs[2])
