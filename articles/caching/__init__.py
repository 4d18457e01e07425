"""Caching of what readers see, and `articles_changed()`: the one way to invalidate it.

Every write that changes what readers see (admin saves, deletes and bulk actions, importers,
the generator, translation links: see articles/services.py) calls `articles_changed()`, which
gives the language a new generation number in the shared cache. Fragments (caching/fragments.py)
and pages (caching/pages.py) store the generation they were made in and are used only while it
is still current, so one cache read finds out whether they are stale; `queryset.update()` paths
invalidate as surely as `save()`. Counting views is no change: view counts in a block or page
may be up to the cache's TTL old.

The TTLs are the safety net: a scheduled article has no writer at the moment its time comes,
so it appears in the blocks and on cached pages at most `FRAGMENT_CACHE_SECONDS` /
`PAGE_CACHE_SECONDS` after its publication time.
"""

import time

from django.core.cache import cache
from django.db import connection, transaction

from articles.models import Language


def generation_key(language):
    return f"articles:generation:{language}"


def articles_changed(*languages):
    """Make the cached fragments and pages of these languages (default: all) stale.

    Called inside a transaction, it does so again once the transaction commits: a reader may
    render the old rows meanwhile and store them under the new generation.
    """
    _new_generation(languages)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _new_generation(languages))


def _new_generation(languages):
    stamp = time.time_ns()
    cache.set_many(
        {generation_key(language): stamp for language in languages or Language.values},
        timeout=None,
    )
