"""Fixtures of the view-counting tests: the two counting modes."""

import io
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

REDIS_URL = "redis://127.0.0.1:6379/0"
BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def buffered(settings):
    """Switch to the Redis-buffered mode with keys of this test's own; yield the client."""
    if not redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379 (.ci/run starts one)")
    import redis

    settings.REDIS_URL = REDIS_URL
    settings.VIEWS_BUFFER = "redis"
    settings.VIEWS_REDIS_PREFIX = f"test-views-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL)
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
