"""Fixtures shared by every app's tests."""

import os
import shutil
from datetime import timedelta
from itertools import count

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone, translation

from articles.models import Article, Source

_numbers = count(1)


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in Azerbaijani: a request to /ru/ leaves Russian active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def seeded(db):
    """Import the demo content from seeds/, as `make run` does."""
    call_command("import_seeds", verbosity=0)
    return Article.objects.get(slug="strateji-muttefiqliyin-yeni-merhelesi")


@pytest.fixture
def source(db):
    return Source.objects.create(
        name="525.az", slug="525-az", kind=Source.Kind.PORTAL, homepage="https://525.az"
    )


@pytest.fixture
def make_article(db):
    """Return a function that creates a published article; keyword arguments override fields."""

    def make(**fields):
        number = next(_numbers)
        values = {
            "title": f"Xəbər nömrə {number}",
            "body": f"<p>Mətn {number}</p>",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(minutes=number),
        }
        values.update(fields)
        return Article.objects.create(**values)

    return make


def bulk_articles(number, now=None, **fields):
    """Insert `number` published articles a minute apart, newest first, in one statement."""
    now = now or timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Toplu xəbər {i}",
            slug=f"toplu-xeber-{i}",
            body="<p>Mətn</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
            **{"views": i, **fields},
        )
        for i in range(number)
    )


@pytest.fixture
def editor(db, django_user_model):
    """A staff user who is not a superuser, working through the Editors group.

    The group comes from a data migration, which a transactional test's flush removes; asking
    for `db` makes pytest-django run these tests before the transactional ones.
    """
    user = django_user_model.objects.create_user("redaktor", "redaktor@example.com", "s3cret-pass")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Editors"))
    return user


# Browser tests (pytest-playwright driving the system's Chromium; see ../shared/TOOLING.md).
# Playwright's sync API keeps an event loop in the main thread; Django's ORM refuses to run
# beside one unless told that this is safe, which it is in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright cannot download its own browsers here)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
