import io
import threading
from datetime import timedelta

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from articles.counting import buffer as views_buffer
from articles.counting import database
from articles.models import Article, DailyViews, ViewsFlush


def flush():
    out = io.StringIO()
    call_command("flush_views", stdout=out)
    return out.getvalue()


def buffer(article, visitors, day=None, who="visitor"):
    for number in range(visitors):
        views_buffer.buffer_view(article.pk, f"{who}-{number}", day or timezone.localdate())


def totals(article):
    article.refresh_from_db()
    return article.views, sum(row.views for row in DailyViews.objects.filter(article=article))


def test_flush_moves_buffered_views_into_both_tables(make_article, buffered):
    first, second = make_article(views=10), make_article()
    yesterday = timezone.localdate() - timedelta(days=1)
    buffer(first, 3)
    buffer(first, 2, day=yesterday, who="yesterday")
    buffer(second, 4)

    assert totals(first) == (10, 0)  # nothing reaches the database before a flush
    assert "Flushed 9 views (1 batch)." in flush()

    assert totals(first) == (15, 5)
    assert totals(second) == (4, 4)
    assert DailyViews.objects.get(article=first, day=yesterday).views == 2
    assert not list(buffered.scan_iter(match=f"{views_buffer.batch_prefix()}*"))
    assert "Flushed 0 views (0 batches)." in flush()
    assert totals(first) == (15, 5)


def test_flush_adds_to_existing_daily_rows(make_article, buffered):
    article = make_article(views=5)
    DailyViews.objects.create(article=article, day=timezone.localdate(), views=5)
    buffer(article, 3)

    flush()

    assert totals(article) == (8, 8)
    assert DailyViews.objects.filter(article=article).count() == 1


def test_a_batch_left_by_a_crash_after_commit_is_not_counted_again(
    make_article, buffered, monkeypatch
):
    article = make_article()
    buffer(article, 6)

    class DiesBeforeDeleting:
        """The Redis client of a flush that commits its batch and dies before deleting it."""

        def __getattr__(self, name):
            return getattr(buffered, name)

        def delete(self, *keys):
            raise SystemExit("killed")

    with monkeypatch.context() as patch:
        patch.setattr(views_buffer, "redis_client", DiesBeforeDeleting)
        with pytest.raises(SystemExit):
            flush()
    assert totals(article) == (6, 6)
    assert list(buffered.scan_iter(match=f"{views_buffer.batch_prefix()}*"))  # left behind

    flush()

    assert totals(article) == (6, 6)
    assert not list(buffered.scan_iter(match=f"{views_buffer.batch_prefix()}*"))


def test_a_batch_left_by_a_crash_before_commit_is_applied_by_the_next_flush(
    make_article, buffered, monkeypatch
):
    article = make_article()
    buffer(article, 6)

    def die(rows):
        raise RuntimeError("killed mid-way")

    with monkeypatch.context() as patch:
        patch.setattr(database, "_upsert_daily_views", die)
        with pytest.raises(RuntimeError):
            flush()
    assert totals(article) == (0, 0)  # the total's update was rolled back with the rest
    assert not ViewsFlush.objects.exists()
    buffer(article, 10)  # 6 of these visitors were counted already; 4 are new

    flush()

    assert totals(article) == (10, 10)


def test_views_of_deleted_articles_are_dropped(make_article, buffered):
    kept, gone = make_article(), make_article()
    buffer(kept, 2)
    buffer(gone, 2)
    Article.objects.filter(pk=gone.pk).delete()

    flush()

    assert totals(kept) == (2, 2)
    assert not DailyViews.objects.filter(article_id=gone.pk).exists()


def test_a_large_buffer_is_applied_in_chunks(make_article, buffered, monkeypatch):
    monkeypatch.setattr(database, "BATCH_ROWS", 7)
    articles = [make_article() for _ in range(20)]
    for article in articles:
        buffer(article, 2)

    flush()

    assert [totals(article) for article in articles] == [(2, 2)] * 20


def test_flush_needs_the_buffered_mode(settings, db):
    settings.VIEWS_BUFFER = "db"

    with pytest.raises(CommandError, match="VIEWS_BUFFER=redis"):
        call_command("flush_views")


def test_flush_every_seconds_loops_until_interrupted(make_article, buffered, monkeypatch):
    article = make_article()
    buffer(article, 2)
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 1:
            buffer(article, 5)  # more views arrive while it sleeps
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr("articles.management.commands.flush_views.time.sleep", sleep)
    out = io.StringIO()
    call_command("flush_views", every=2, stdout=out)

    assert naps == [2, 2]
    assert totals(article) == (5, 5)  # 2 visitors, then 5 of whom 2 were counted already
    assert "Flushed 2 views" in out.getvalue() and "Flushed 3 views" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_flushes_apply_every_view_exactly_once(make_article, buffered):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; concurrent flushes are a PostgreSQL matter")
    article = make_article()
    errors = []

    def flusher():
        try:
            for _ in range(5):
                views_buffer.flush_buffer()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=flusher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for number in range(400):  # views keep arriving while four flushers run
        views_buffer.buffer_view(article.pk, f"visitor-{number}", timezone.localdate())
    for thread in threads:
        thread.join()
    views_buffer.flush_buffer()

    assert errors == []
    assert totals(article) == (400, 400)


def test_flush_every_seconds_survives_redis_and_database_errors(
    make_article, buffered, monkeypatch, caplog
):
    article = make_article()
    buffer(article, 3)
    real_flush, real_apply = views_buffer.flush_buffer, database.apply_view_batch
    rounds = []

    def flaky_flush():
        rounds.append(len(rounds) + 1)
        if len(rounds) <= 2:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Refused.")
        return real_flush()

    def flaky_apply(key, counts):
        if len(rounds) == 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real_apply(key, counts)

    def sleep(seconds):
        if len(rounds) == 4:
            raise KeyboardInterrupt

    command = "articles.management.commands.flush_views"
    monkeypatch.setattr(f"{command}.flush_buffer", flaky_flush)
    monkeypatch.setattr(views_buffer, "apply_view_batch", flaky_apply)
    monkeypatch.setattr(f"{command}.time.sleep", sleep)
    out, err = io.StringIO(), io.StringIO()
    call_command("flush_views", every=1, stdout=out, stderr=err)

    # Two rounds without Redis, one without the database (the batch stays in Redis), then all.
    assert rounds == [1, 2, 3, 4]
    assert totals(article) == (3, 3)
    assert "Flushed 3 views" in out.getvalue()
    assert err.getvalue().count("Could not flush the views") == 1  # once per outage
    assert "Flushing the views works again" in caplog.text


def test_a_single_flush_reports_an_unavailable_redis(make_article, buffered, monkeypatch):
    def refused():
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr("articles.management.commands.flush_views.flush_buffer", refused)

    with pytest.raises(CommandError, match="Could not flush the views: Connection refused"):
        call_command("flush_views")
