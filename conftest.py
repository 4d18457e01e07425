"""Fixtures shared by every app's tests."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from articles import caching, counting
from articles.models import Article, Source
from articles.tests.factories import (
    ArticleFactory,
    EditorFactory,
    SourceFactory,
    bulk_articles,  # noqa: F401 (test_view_counting.py imports it)
)
from articles.tests.pages import BROWSER


def pytest_collection_modifyitems(items):
    """Give every transactional test a serialized rollback.

    Its flush empties the tables and post_migrate makes the Editors group again with a new id;
    the next test that restores the saved database would then collide with it on the name.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in Azerbaijani: a request to /ru/ leaves Russian active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def cache_circuits():
    """Let every test find the cache and the Redis buffer as if they had never failed.

    A test that breaks them opens their circuits (articles/circuit.py) for a few seconds,
    which would leave the next tests without a cache.
    """
    yield
    caching.CIRCUIT.reset()
    caching.MISSED_INVALIDATIONS.clear()
    counting.BUFFER_CIRCUIT.reset()


@pytest.fixture
def seeded(db):
    """Import the demo content from seeds/, as `make run` does."""
    call_command("import_seeds", verbosity=0)
    return Article.objects.get(slug="strateji-muttefiqliyin-yeni-merhelesi")


@pytest.fixture
def seed_dump():
    """The seed dump that `seeded` imports (its first article is the one `seeded` returns)."""
    return Path(settings.BASE_DIR) / "seeds" / "000_50356239f90487a7.txt"


@pytest.fixture
def source(db):
    return SourceFactory(
        name="525.az", slug="525-az", kind=Source.Kind.PORTAL, homepage="https://525.az"
    )


@pytest.fixture
def make_article(db):
    """Return a function that creates a published article; keyword arguments override fields."""
    return ArticleFactory


@pytest.fixture
def editor(db):
    """A staff user who is not a superuser, working through the Editors group.

    The group comes from a data migration, which a transactional test's flush removes; asking
    for `db` makes pytest-django run these tests before the transactional ones.
    """
    return EditorFactory(username="redaktor")


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def browser_user_agent():
    """The User-Agent of a reader's browser, for requests that must be counted as views."""
    return BROWSER


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url():
    """The local Redis's URL; skip the test when no Redis answers there."""
    if not redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379 (.ci/run starts one)")
    return REDIS_URL


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


@pytest.fixture(autouse=True)
def _close_browser_pages(request):
    """Close the pages a browser test opened with `browser.new_page()`.

    An open page keeps its connections to the live server alive, and the server's thread for
    each keeps its database connection: a run's browser tests left dozens open on PostgreSQL
    (100 at most), and the 64-reader test after them could not connect.
    """
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()
