"""The database cache without Redis: one statement per write, expired rows culled now and then."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


@pytest.fixture
def db_cache(settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsportal.cache.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 1000, "CULL_EVERY": 10},
        }
    }
    cache.clear()
    yield cache
    cache.clear()


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache")
        return cursor.fetchone()[0]


def expire_all():
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_cache SET expires = %s",
            [connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(hours=1))],
        )


def test_a_write_is_one_statement_and_does_not_count_the_table(db_cache):
    db_cache.set("menu", ["Siyasət", "İqtisadiyyat"], 60)

    with CaptureQueriesContext(connection) as queries:
        db_cache.set("menu", ["Siyasət"], 60)
        db_cache.set("latest", "Son xəbərlər", 60)

    assert len(queries) == 2
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert db_cache.get_many(["menu", "latest"]) == {"menu": ["Siyasət"], "latest": "Son xəbərlər"}


def test_add_is_one_statement_and_takes_only_a_free_or_expired_key(db_cache):
    db_cache.set("taken", "first", 60)
    db_cache.set("stale", "old", 60)
    expire_all()
    db_cache.set("taken", "first", 60)

    with CaptureQueriesContext(connection) as queries:
        added = [db_cache.add(key, "second", 60) for key in ("taken", "stale", "free")]

    assert added == [False, True, True]
    assert len(queries) == 3
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert db_cache.get_many(["taken", "stale", "free"]) == {
        "taken": "first",
        "stale": "second",
        "free": "second",
    }


def test_values_keep_their_timeouts(db_cache):
    db_cache.set("forever", 1, None)
    db_cache.set("gone", 2, -1)
    db_cache.set("soon", 3, 60)

    assert db_cache.get_many(["forever", "gone", "soon"]) == {"forever": 1, "soon": 3}


def test_expired_rows_are_culled_every_nth_write(db_cache):
    for number in range(5):
        db_cache.set(f"old-{number}", number, 60)
    expire_all()
    assert rows() == 5

    for number in range(4):  # writes 6 to 9: no cull yet
        db_cache.set(f"new-{number}", number, 60)
    assert rows() == 9
    db_cache.set("tenth", 10, 60)

    assert rows() == 5  # the five expired rows went
    assert db_cache.get("new-0") == 0


def test_a_full_table_is_culled_like_djangos(settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsportal.cache.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 5, "CULL_FREQUENCY": 2},
        }
    }
    cache.clear()
    for number in range(20):
        cache.set(f"key-{number}", number, 60)

    assert rows() <= 10 + 5  # never more than MAX_ENTRIES plus the writes between two culls
    cache.clear()
