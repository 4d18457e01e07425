"""Views written to the database: each view at once, or a batch from the Redis buffer.

Counters change in SQL only (`views + 1`, upserts of the day's row), never read-modify-write.
"""

import random
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article, DailyViews, RecentView, ViewsFlush

# Rows per statement when a batch is applied; well under SQLite's limit of bound parameters.
BATCH_ROWS = 500
# A flush record only needs to outlive the moment between its commit and its Redis key's removal.
FLUSH_RECORDS_KEPT = timedelta(days=7)
# One counted view in this many also deletes the visitors' memories older than the window.
PURGE_CHANCE = 1 / 1000


def record_view(article_id, visitor, day, now):
    """Count one view of a published article unless this visitor was counted lately.

    Return True if the view was counted. The visitor's memory (`RecentView`), the total and
    the day's row change together, never read-modify-write; a returning visitor costs one
    read-only statement.
    """
    counted = _count_one_view(article_id, visitor, day, now)
    if counted and random.random() < PURGE_CHANCE:
        forget_recent_views(now)
    return counted


def forget_recent_views(now=None):
    """Delete the visitors' memories older than the window; return how many went."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    deleted, _ = RecentView.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


def _count_one_view(article_id, visitor, day, now):
    """Remember the visitor and add 1 to a published article's total and its day's row.

    Nothing is added if this visitor was counted within the window; tell whether it was added.
    """
    cutoff = now - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    table, daily = Article._meta.db_table, DailyViews._meta.db_table
    memory = RecentView._meta.db_table
    if connection.vendor == "postgresql":
        # One statement, one round trip: atomic by itself, row locks released at once. A
        # visitor within the window neither inserts (DO NOTHING takes no lock) nor updates,
        # so the statement writes nothing and commits without waiting for the disk. Written
        # out rather than built by the ORM: this runs on every page-cache hit.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH new AS (INSERT INTO {memory} (article_id, visitor, seen_at) "
                "VALUES (%s, %s, %s) ON CONFLICT (article_id, visitor) DO NOTHING RETURNING 1), "
                f"renewed AS (UPDATE {memory} SET seen_at = %s WHERE article_id = %s "
                "AND visitor = %s AND seen_at < %s AND NOT EXISTS (SELECT 1 FROM new) "
                "RETURNING 1), "
                f"counted AS (UPDATE {table} SET views = views + 1 WHERE id = %s "
                "AND status = %s AND published_at <= %s "  # as ArticleQuerySet.published()
                "AND (EXISTS (SELECT 1 FROM new) OR EXISTS (SELECT 1 FROM renewed)) "
                "RETURNING id) "
                f"INSERT INTO {daily} (article_id, day, views) SELECT id, %s, 1 FROM counted "
                f"ON CONFLICT (article_id, day) DO UPDATE SET views = {daily}.views + 1",
                [article_id, visitor, now, now, article_id, visitor, cutoff]
                + [article_id, Article.Status.PUBLISHED.value, now, day],
            )
            return cursor.rowcount == 1
    with transaction.atomic():
        with connection.cursor() as cursor:
            # SQLite: the upsert's WHERE leaves a visitor within the window untouched (0 rows).
            cursor.execute(
                f"INSERT INTO {memory} (article_id, visitor, seen_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (article_id, visitor) DO UPDATE SET seen_at = excluded.seen_at "
                f"WHERE {memory}.seen_at < %s",
                [article_id, visitor, now, cutoff],
            )
            if cursor.rowcount != 1:
                return False
        updated = Article.objects.published().filter(pk=article_id).update(views=F("views") + 1)
        if updated:
            _upsert_daily_views([(article_id, day, 1)])
    return bool(updated)


def apply_view_batch(batch_key, counts):
    """Add a batch of buffered views {(article_id, day): views} to the database, once.

    The batch key is recorded in the same transaction, so applying one batch twice raises
    IntegrityError instead of counting twice. Return the number of views applied.
    """
    totals = defaultdict(int)
    for (article_id, _day), views in counts.items():
        totals[article_id] += views
    rows = [(article_id, day, views) for (article_id, day), views in sorted(counts.items())]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Concurrent flushes queue here instead of deadlocking on each other's rows.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('flush_views'))")
        ViewsFlush.objects.create(key=batch_key, views=sum(counts.values()))
        _add_to_totals(sorted(totals.items()))
        _upsert_daily_views(rows)
    ViewsFlush.objects.filter(applied_at__lt=timezone.now() - FLUSH_RECORDS_KEPT).delete()
    return sum(counts.values())


def _chunks(rows):
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


def _add_to_totals(rows):
    """Add (article_id, views) pairs to the articles' totals, one statement per chunk."""
    table = Article._meta.db_table
    for chunk in _chunks(rows):
        values = ", ".join(["(%s, %s)"] * len(chunk))
        params = [value for row in chunk for value in row]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(id, n) AS (VALUES {values}) "
                f"UPDATE {table} SET views = {table}.views + v.n FROM v WHERE {table}.id = v.id",
                params,
            )


def _upsert_daily_views(rows):
    """Add (article_id, day, views) rows to the daily counts, one upsert per chunk.

    Django's bulk_create(update_conflicts=True) can only overwrite a value, not add to it, so
    this is SQL; `INSERT ... ON CONFLICT DO UPDATE` reads the same on PostgreSQL and SQLite.
    Rows of deleted articles are skipped.
    """
    table = DailyViews._meta.db_table
    articles = Article._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    for chunk in _chunks(rows):
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        params = [value for id_, day, n in chunk for value in (id_, adapt(day), n)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(id, day, n) AS (VALUES {values}) "
                f"INSERT INTO {table} (article_id, day, views) "
                f"SELECT v.id, v.day, v.n FROM v "
                f"WHERE EXISTS (SELECT 1 FROM {articles} a WHERE a.id = v.id) "
                f"ON CONFLICT (article_id, day) DO UPDATE "
                f"SET views = {table}.views + excluded.views",
                params,
            )
