"""The Redis cache backend that keeps its client (newsportal/cache.py)."""

import uuid

import pytest

from articles.tests.conftest import REDIS_URL, redis_answers
from newsportal.cache import PooledRedisCache

pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache():
    backend = PooledRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    yield backend
    backend.clear()


def test_the_client_is_made_once_and_shared(redis_cache):
    first = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is first
    assert redis_cache._cache.get_client(write=True) is first  # one server: one pool


def test_it_stores_reads_and_deletes_like_djangos_redis_cache(redis_cache):
    redis_cache.set("xəbər", {"başlıq": "Bakıda yağış"}, 30)
    redis_cache.set_many({"a": 1, "b": b"bytes"}, 30)

    assert redis_cache.get("xəbər") == {"başlıq": "Bakıda yağış"}
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": b"bytes"}
    assert redis_cache.add("a", 2) is False and redis_cache.incr("a") == 2
    redis_cache.delete("xəbər")
    assert redis_cache.get("xəbər", "gone") == "gone"
