"""The Redis buffer of views (`VIEWS_BUFFER=redis`) and `flush_buffer()`, which empties it.

A counted view is one atomic script in Redis (remember the visitor, add to the buffer hash);
`manage.py flush_views` moves the buffer into the database in batches applied exactly once.
"""

import uuid
from datetime import date
from functools import cache

import redis
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from articles.counting.database import apply_view_batch


def seen_key(article_id, visitor):
    return f"{settings.VIEWS_REDIS_PREFIX}seen:{article_id}:{visitor}"


def address_key(address, minute):
    return f"{settings.VIEWS_REDIS_PREFIX}address:{address}:{minute}"


# Remember the visitor and add the view in one atomic round trip. With a limit (ARGV[3] > 0),
# an address that added that many views this minute (KEYS[3]) adds none, and is not even
# remembered as seen, so its readers count again once the minute has passed.
_COUNT_SCRIPT = """
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= limit then
  return 0
end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  if limit > 0 and redis.call('INCR', KEYS[3]) == 1 then
    redis.call('EXPIRE', KEYS[3], 120)
  end
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
return 0
"""


@cache
def _client(url):
    # Short timeouts: while Redis is down or silent, views go to the database instead
    # (counting/__init__.py), and a reader waits this long once, not once per view.
    seconds = settings.CACHE_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_connect_timeout=seconds, socket_timeout=seconds)


@cache
def _count_script(url):
    # EVALSHA by its digest; the script is loaded into Redis again if Redis has forgotten it.
    return _client(url).register_script(_COUNT_SCRIPT)


def redis_client():
    return _client(settings.REDIS_URL)


def buffer_key():
    return f"{settings.VIEWS_REDIS_PREFIX}buffer"


def batch_prefix():
    return f"{settings.VIEWS_REDIS_PREFIX}flushing:"


def buffer_view(article_id, visitor, day, now=None, address="", limit=0):
    """Add one view to the Redis buffer unless this visitor was counted lately, or `address`
    is at its `limit` this minute; tell if added. Redis errors are raised."""
    script = _count_script(settings.REDIS_URL)
    minute = int((now or timezone.now()).timestamp()) // 60
    keys = [seen_key(article_id, visitor), buffer_key(), address_key(address, minute)]
    args = [settings.VIEWS_VISITOR_WINDOW, f"{article_id}:{day.isoformat()}", limit]
    return bool(script(keys=keys, args=args))


def _parse_batch(raw):
    counts = {}
    for field, value in raw.items():
        article_id, day = field.decode().split(":")
        counts[(int(article_id), date.fromisoformat(day))] = int(value)
    return counts


def flush_buffer():
    """Move the buffered views into the database; return (batches, views) applied.

    The buffer hash is renamed atomically to a batch key of its own, so new views go to a fresh
    buffer meanwhile. Each batch is applied in one transaction that also records the batch key
    (`ViewsFlush`, unique), and deleted only after the commit. A batch left behind by a crash or
    taken by a concurrent flush is therefore applied exactly once: a second attempt finds its key
    recorded and only deletes it.
    """
    client = redis_client()
    new_batch = f"{batch_prefix()}{uuid.uuid4().hex}"
    if client.exists(buffer_key()):
        try:
            client.rename(buffer_key(), new_batch)
        except redis.ResponseError as error:
            if "no such key" not in str(error).lower():
                raise  # anything but "a concurrent flush took the buffer meanwhile"
    batches = views = 0
    for key in client.scan_iter(match=f"{batch_prefix()}*", count=100):
        key = key.decode()
        counts = _parse_batch(client.hgetall(key))
        if counts:
            try:
                applied = apply_view_batch(key, counts)
            except IntegrityError:
                applied = 0  # a concurrent flush recorded this batch first
            if applied:
                batches += 1
                views += applied
        client.delete(key)
    return batches, views
