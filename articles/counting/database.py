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

from articles.counting.ranking import refresh as refresh_ranking
from articles.models import AddressViews, Article, DailyViews, RecentView, ViewsFlush

# Rows per statement when a batch is applied; well under SQLite's limit of bound parameters.
BATCH_ROWS = 500
# A flush record only needs to outlive the moment between its commit and its Redis key's removal.
FLUSH_RECORDS_KEPT = timedelta(days=7)
# One counted view in this many also deletes the visitors' memories older than the window.
PURGE_CHANCE = 1 / 1000


def record_view(article_id, visitor, day, now, address="", limit=0):
    """Count one view of a published article unless this visitor was counted lately.

    With a `limit`, the view is not counted either if `address` (a keyed hash) added `limit`
    counted views this minute already. Return True if the view was counted. The visitor's
    memory (`RecentView`), the address's tally, the total and the day's row change together,
    never read-modify-write; a returning visitor costs one read-only statement on PostgreSQL.
    """
    minute = int(now.timestamp()) // 60
    counted = _count_one_view(article_id, visitor, day, now, address, minute, limit)
    if counted and random.random() < PURGE_CHANCE:
        forget_recent_views(now)
    return counted


def forget_recent_views(now=None):
    """Delete the visitors' memories older than the window, and past minutes' address tallies.

    Return how many memories went.
    """
    now = now or timezone.now()
    AddressViews.objects.filter(minute__lt=int(now.timestamp()) // 60 - 1).delete()
    cutoff = now - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    deleted, _ = RecentView.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


# PostgreSQL: one statement, one round trip, atomic by itself, row locks released at once. A
# visitor within the window neither inserts (DO NOTHING takes no lock) nor updates, so the
# statement writes nothing and commits without waiting for the disk. Written out rather than
# built by the ORM: this runs on every page-cache hit. {limited} is the address's tally: an
# address at its limit changes nothing; otherwise a new view takes one of its slots (the
# upsert's WHERE settles a race at the limit) and is counted only if it got one.
_PG_COUNT = (
    "WITH {over}"
    "new AS (INSERT INTO {memory} (article_id, visitor, seen_at) "
    "SELECT %s, %s, %s {not_over} ON CONFLICT (article_id, visitor) DO NOTHING RETURNING 1), "
    "renewed AS (UPDATE {memory} SET seen_at = %s WHERE article_id = %s "
    "AND visitor = %s AND seen_at < %s AND NOT EXISTS (SELECT 1 FROM new) {and_not_over}"
    "RETURNING 1), "
    "{slot}"
    "counted AS (UPDATE {table} SET views = views + 1 WHERE id = %s "
    "AND status = %s AND published_at <= %s "  # as ArticleQuerySet.published()
    "AND {fresh} RETURNING id) "
    "INSERT INTO {daily} (article_id, day, views) SELECT id, %s, 1 FROM counted "
    "ON CONFLICT (article_id, day) DO UPDATE SET views = {daily}.views + 1"
)
_FRESH = "(EXISTS (SELECT 1 FROM new) OR EXISTS (SELECT 1 FROM renewed))"


def _postgresql_count(cursor, article_id, visitor, day, now, address, minute, limit):
    tables = {
        "table": Article._meta.db_table,
        "daily": DailyViews._meta.db_table,
        "memory": RecentView._meta.db_table,
    }
    cutoff = now - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    memory = [article_id, visitor, now, now, article_id, visitor, cutoff]
    counted = [article_id, Article.Status.PUBLISHED.value, now, day]
    if not limit:
        sql = _PG_COUNT.format(
            **tables, over="", not_over="", and_not_over="", slot="", fresh=_FRESH
        )
        cursor.execute(sql, memory + counted)
        return cursor.rowcount == 1
    tally = AddressViews._meta.db_table
    sql = _PG_COUNT.format(
        **tables,
        over=f"over AS (SELECT 1 FROM {tally} WHERE address = %s AND minute = %s "
        "AND views >= %s), ",
        not_over="WHERE NOT EXISTS (SELECT 1 FROM over)",
        and_not_over="AND NOT EXISTS (SELECT 1 FROM over) ",
        slot=f"slot AS (INSERT INTO {tally} (address, minute, views) SELECT %s, %s, 1 "
        f"WHERE {_FRESH} ON CONFLICT (address, minute) DO UPDATE "
        f"SET views = {tally}.views + 1 WHERE {tally}.views < %s RETURNING 1), ",
        fresh="EXISTS (SELECT 1 FROM slot)",
    )
    cursor.execute(sql, [address, minute, limit] + memory + [address, minute, limit] + counted)
    return cursor.rowcount == 1


def _count_one_view(article_id, visitor, day, now, address, minute, limit):
    """Remember the visitor and add 1 to a published article's total and its day's row.

    Nothing is added if this visitor was counted within the window, or the address is at its
    limit; tell whether it was added.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _postgresql_count(cursor, article_id, visitor, day, now, address, minute, limit)
    cutoff = now - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    memory, tally = RecentView._meta.db_table, AddressViews._meta.db_table
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
            if limit:
                # A slot of the address's minute; at the limit, the visitor is forgotten again.
                cursor.execute(
                    f"INSERT INTO {tally} (address, minute, views) VALUES (%s, %s, 1) "
                    "ON CONFLICT (address, minute) DO UPDATE SET views = views + 1 "
                    f"WHERE {tally}.views < %s",
                    [address, minute, limit],
                )
                if cursor.rowcount != 1:
                    transaction.set_rollback(True)
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
        refresh_ranking(added=list(totals))
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
