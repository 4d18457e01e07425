"""Fixtures of the articles tests: the two counting modes, a local feed server, outages."""

import io
import json
import socket
import threading
import uuid
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from articles import stories, text
from articles.importers import http
from articles.models import Category, Source
from articles.tests.factories import ArticleFactory, SourceFactory
from articles.tests.feed_server import FeedServer, NetworkGuard, tiny_jpeg, tiny_png
from articles.tests.telegram_server import BotAPIServer


@pytest.fixture
def buffered(settings, redis_url):
    """Switch to the Redis-buffered mode with keys of this test's own; yield the client."""
    import redis

    settings.REDIS_URL = redis_url
    settings.VIEWS_BUFFER = "redis"
    settings.VIEWS_REDIS_PREFIX = f"test-views-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(redis_url)
    yield client
    keys = list(client.scan_iter(match=f"{settings.VIEWS_REDIS_PREFIX}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["db", "redis"])
def counting_mode(request, db):
    """Run a test in both counting modes; yield a function that makes counted views visible."""
    cache.clear()
    if request.param == "redis":
        request.getfixturevalue("buffered")
        yield lambda: call_command("flush_views", stdout=io.StringIO())
    else:
        yield lambda: None
    cache.clear()


# --- feed imports: a local server, nothing leaves 127.0.0.1 ------------------------------------
# The import tests use `feed_import` (every test of theirs), the others do not: the guard would
# refuse the live server's and the browser's connections.

_sources = count(1)


@pytest.fixture(scope="module")
def feed_server():
    """A local HTTP server for feeds and pictures, one per test module."""
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def guard(monkeypatch):
    """Fail any test that tries to reach a host other than the loopback."""
    network = NetworkGuard(monkeypatch)
    yield network
    assert network.refused in ([], ["news.invalid"]), network.refused
    assert set(network.connections) <= {"127.0.0.1"}


@pytest.fixture
def fast_limits(monkeypatch):
    monkeypatch.setattr(http, "DEFAULT_LIMITS", http.Limits(connect_timeout=2, total_timeout=1.5))


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The test server is on the loopback, which picture downloads refuse in production.
    settings.FEED_IMPORT_PRIVATE_HOSTS = True


@pytest.fixture
def server(feed_server):
    feed_server.reset()
    feed_server.add("/images/park.jpg", tiny_jpeg(), content_type="image/jpeg")
    feed_server.add("/images/fake.jpg", b"<html>not a picture</html>", content_type="image/jpeg")
    feed_server.add("/images/park-plan.png", tiny_png(), content_type="image/png")
    return feed_server


@pytest.fixture
def make_source(db, server):
    """Return a function that creates an active source whose feed is `path` on the server."""

    def make(path, **fields):
        number = next(_sources)
        values = {"name": f"Oxu{number}.az", "slug": f"oxu-{number}", "homepage": "https://oxu.az"}
        values.update(feed_url=server.url(path), is_active=True)
        return SourceFactory(**{**values, **fields})

    return make


@pytest.fixture
def feed_import(guard, fast_limits, media_root):
    """Guard the network, shorten the timeouts, keep pictures in a temporary folder."""
    return guard


# --- outages: a cache that is down or silent --------------------------------------------------


class SilentServer:
    """A TCP server on the loopback that accepts connections and never answers a byte."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.socket.accept()
            except OSError:
                return  # closed
            self.accepted.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.accepted:
            connection.close()


def unused_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def redis_cache(url, seconds=0.3):
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": seconds, "SOCKET_TIMEOUT": seconds},
        }
    }


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def politics(db):
    """A category, first in the header's menu."""
    return Category.objects.create(
        name_az="Siyasət", name_ru="Политика", slug="siyaset", position=1
    )


@pytest.fixture
def caches_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30


@pytest.fixture
def redis_stopped(settings, caches_on):
    """The shared cache is a Redis where nothing listens (connections refused)."""
    url = f"redis://127.0.0.1:{unused_port()}/0"
    settings.CACHES = redis_cache(url)
    return url


@pytest.fixture
def redis_silent(settings, caches_on, silent_server):
    """The shared cache is a Redis that accepts connections and never answers."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{silent_server.port}/0")
    return silent_server


@pytest.fixture
def cache_table_missing(settings, caches_on):
    """The database cache's table was never created (`createcachetable` not run)."""
    settings.CACHES = {
        "default": {"BACKEND": "newsportal.cache.DatabaseCache", "LOCATION": "no_cache_table"}
    }


# --- stories: the labelled set of articles about the same and different events ----------------

STORY_CASES = Path(__file__).resolve().parent / "fixtures" / "stories"


@pytest.fixture
def labelled_articles(db):
    """Return a function storing the labelled set of a language; it returns [(article, event)].

    The articles arrive one by one, in the order they were published, and are matched on
    arrival as the importers do it.
    """

    def store(language, match=True):
        cases = json.loads((STORY_CASES / f"{language}.json").read_text(encoding="utf-8"))
        start = timezone.now() - timedelta(days=6)
        stored = []
        for case in sorted(cases, key=lambda case: case["hours"]):
            source, _created = Source.objects.get_or_create(
                name=case["source"],
                defaults={
                    "slug": text.slugify_title(f"{case['source']}-{language}"),
                    "homepage": f"https://{text.slugify_title(case['source'])}.example",
                    "language": language,
                },
            )
            article = ArticleFactory(
                language=language,
                title=case["title"],
                lead=case["lead"],
                body=case["body"],
                source=source,
                published_at=start + timedelta(hours=case["hours"]),
            )
            if match:
                stories.match_articles([article])
            stored.append((article, case["event"]))
        return stored

    return store


# --- Telegram: a fake Bot API on the loopback ----------------------------------------------------

TELEGRAM_TOKEN = "123456:TEST-token-never-real"


@pytest.fixture(scope="module")
def bot_api_server():
    """A fake Bot API server, one per test module."""
    server = BotAPIServer().start()
    yield server
    server.stop()


@pytest.fixture
def bot_api(bot_api_server, settings, guard, media_root):
    """Switch posting on against the fake Bot API, with both channels; yield the server."""
    bot_api_server.reset()
    settings.TELEGRAM_BOT_TOKEN = TELEGRAM_TOKEN
    settings.TELEGRAM_CHANNELS = {"az": "@icma_az", "ru": "@icma_ru"}
    settings.TELEGRAM_API_BASE = bot_api_server.base
    settings.TELEGRAM_TIMEOUT_SECONDS = 2
    settings.SITE_URL = "https://icma.test"
    return bot_api_server
