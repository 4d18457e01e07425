"""Caching of what readers see, and `articles_changed()`: the one way to invalidate it.

Every write that changes what readers see (admin saves, deletes and bulk actions, importers,
the generator, translation links: see articles/services.py) calls `articles_changed()`, which
gives the language a new generation number in the shared cache. Fragments (caching/fragments.py)
and pages (caching/pages.py) store the generation they were made in and are used only while it
is still current, so one cache read finds out whether they are stale; `queryset.update()` paths
invalidate as surely as `save()`. Counting views is no change: view counts in a block or page
may be up to the cache's TTL old.

The TTLs are the safety net: a scheduled article has no writer at the moment its time comes,
so it appears in the blocks and lists at most `FRAGMENT_CACHE_SECONDS` after its publication
time, and on cached pages at most `PAGE_CACHE_SECONDS` after that.

The cache may be down (Redis stopped or silent, the database cache's table missing): every
read and write goes through `read_many()` / `store()`, which then answer "nothing cached" and
store nothing, so pages are rendered afresh instead of failing. After a failure the cache is
left alone for `CACHE_RETRY_SECONDS` (articles/circuit.py). An invalidation that fails is
logged as an error and sent again as soon as the cache answers.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import DatabaseError, connection, router, transaction
from django_redis.exceptions import ConnectionInterrupted

from articles.circuit import Circuit
from articles.models import Language

logger = logging.getLogger(__name__)

# What an unreachable cache raises: django-redis and redis-py errors, socket errors, and the
# database cache's errors (its table missing, its database down).
CACHE_ERRORS = (ConnectionInterrupted, redis.RedisError, DatabaseError, OSError)
CIRCUIT = Circuit("The shared cache", settings.CACHE_RETRY_SECONDS, logger)
# Languages whose invalidation could not be stored: sent again once the cache answers.
MISSED_INVALIDATIONS = set()


def generation_key(language):
    return f"articles:generation:{language}"


def _stamp(languages):
    stamp = time.time_ns()
    values = {generation_key(language): stamp for language in languages}
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, BaseDatabaseCache):
        cache.set_many(values, timeout=None)
        return
    # Editors' writes run in a transaction: in a savepoint, a failing cache table (missing,
    # say) cannot abort the transaction that saved the change.
    with transaction.atomic(using=router.db_for_write(backend.cache_model_class)):
        cache.set_many(values, timeout=None)


def articles_changed(*languages):
    """Make the cached fragments and pages of these languages (default: all) stale.

    Never raises: the change is saved already. If the cache cannot be told, readers may get
    the old pages (until the cache answers again, when this process tells it, or their TTLs
    run out), so that is logged as an error. Called inside a transaction, it tells the cache
    again once the transaction commits: a reader may render the old rows meanwhile and store
    them under the new generation.
    """
    languages = set(languages or Language.values)
    _tell(languages)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _tell(languages))


def _tell(languages):
    try:
        _stamp(languages | MISSED_INVALIDATIONS)
    except CACHE_ERRORS as error:
        MISSED_INVALIDATIONS.update(languages)
        CIRCUIT.failed(error)
        logger.error(
            "Could not invalidate the cached pages of %s (%s): readers may be served stale "
            "pages; the invalidation is sent again when the cache answers",
            ", ".join(sorted(languages)),
            error,
        )
    else:
        MISSED_INVALIDATIONS.clear()
        CIRCUIT.succeeded()


def _answered():
    """Note that the cache answered; send the missed invalidations; tell if there were any."""
    if CIRCUIT.succeeded() and MISSED_INVALIDATIONS:
        articles_changed(*MISSED_INVALIDATIONS)
        return True
    return False


def read_many(keys):
    """Return the cached values of `keys` ({} while the cache is unavailable)."""
    if not CIRCUIT.closed():
        return {}
    try:
        found = cache.get_many(keys)
    except CACHE_ERRORS as error:
        CIRCUIT.failed(error)
        return {}
    if _answered():
        return {}  # what was read may be older than the invalidation just sent
    return found


def store(key, value, timeout):
    """Store `value` under `key` unless the cache is unavailable."""
    if not CIRCUIT.closed():
        return
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as error:
        CIRCUIT.failed(error)
        return
    _answered()


def claim(key, value, timeout):
    """Store `value` under `key` only if nothing is stored there (atomically); tell if it was.

    None while the cache is unavailable.
    """
    if not CIRCUIT.closed():
        return None
    try:
        added = cache.add(key, value, timeout)
    except CACHE_ERRORS as error:
        CIRCUIT.failed(error)
        return None
    _answered()
    return added


def store_many(values, timeout):
    """Store the `values` (key: value) in one round trip unless the cache is unavailable."""
    if not values or not CIRCUIT.closed():
        return
    try:
        cache.set_many(values, timeout)
    except CACHE_ERRORS as error:
        CIRCUIT.failed(error)
        return
    _answered()


def cache_answers():
    """Tell whether the shared cache answers a read (for /healthz).

    One that failed within `CACHE_RETRY_SECONDS` is not asked again: a load balancer polling
    a silent Redis would otherwise hold a worker for the timeout on every poll.
    """
    if not CIRCUIT.closed():
        return False
    try:
        cache.get(generation_key(settings.LANGUAGE_CODE))
    except CACHE_ERRORS as error:
        CIRCUIT.failed(error)
        return False
    _answered()
    return True
