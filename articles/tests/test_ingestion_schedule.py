"""Ingestion that heals itself: each source's schedule after each outcome, `--due`, sources
side by side, "Fetch now", the feed-health view, and the same work as Celery tasks (eager)."""

import io
import random
import threading
import time
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import tasks
from articles.importers import ingest, schedule
from articles.importers.feeds import import_source
from articles.management.commands import import_feeds
from articles.models import Article, ImportStatus, Source
from articles.tests.feed_server import conditional, recorded_errors
from articles.tests.pages import changelist_rows

pytestmark = pytest.mark.usefixtures("feed_import")


def rss(server, name, minutes_apart, count=5):
    """Return an RSS feed of `count` entries published `minutes_apart` minutes apart."""
    now = timezone.now()
    items = "".join(
        f"<item><title>{name} xəbəri {n}</title><link>{server.url(f'/{name}/{n}')}</link>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=minutes_apart * n))}</pubDate>"
        f"<description>Mətn {n}.</description></item>"
        for n in range(count)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{name}</title>"
        f"{items}</channel></rss>"
    ).encode()


def seconds_from_now(moment):
    return (moment - timezone.now()).total_seconds()


def test_interval_follows_how_often_the_source_publishes(server, make_source):
    server.add("/busy.xml", rss(server, "busy", minutes_apart=10))
    server.add("/quiet.xml", rss(server, "quiet", minutes_apart=600))
    server.add("/hectic.xml", rss(server, "hectic", minutes_apart=1))
    busy, quiet, hectic = (make_source(f"/{n}.xml") for n in ("busy", "quiet", "hectic"))

    for source in (busy, quiet, hectic):
        import_source(source)
        source.refresh_from_db()

    assert busy.import_interval == 300  # half of the 10-minute rhythm
    assert quiet.import_interval == schedule.MAX_INTERVAL
    assert hectic.import_interval == schedule.MIN_INTERVAL
    assert 295 <= seconds_from_now(busy.next_import_at) <= 300
    assert busy.consecutive_failures == 0
    assert len(busy.fetch_durations) == 1


def test_an_unchanged_feed_keeps_the_interval(server, make_source):
    server.add("/feed.xml", conditional(rss(server, "same", minutes_apart=10), '"v1"'))
    source = make_source("/feed.xml")
    import_source(source)
    source.refresh_from_db()
    Source.objects.filter(pk=source.pk).update(import_interval=900)
    source.refresh_from_db()

    report = import_source(source)

    source.refresh_from_db()
    assert report.status == ImportStatus.NOT_MODIFIED
    assert source.import_interval == 900
    assert 890 <= seconds_from_now(source.next_import_at) <= 900
    assert len(source.fetch_durations) == 2


def test_503_with_retry_after_is_honoured(server, make_source):
    server.add("/down.xml", b"busy", status=503, headers={"Retry-After": "120"})
    source = make_source("/down.xml")

    import_source(source)

    source.refresh_from_db()
    assert source.last_status == ImportStatus.FAILED
    assert recorded_errors(source) == ["the server answered HTTP 503"]
    assert source.consecutive_failures == 1
    assert 115 <= seconds_from_now(source.next_import_at) <= 120


def test_429_with_a_retry_after_date_is_honoured(server, make_source):
    later = format_datetime(timezone.now() + timedelta(hours=2), usegmt=True)
    server.add("/limited.xml", b"slow down", status=429, headers={"Retry-After": later})
    source = make_source("/limited.xml")

    import_source(source)

    source.refresh_from_db()
    assert 7190 <= seconds_from_now(source.next_import_at) <= 7200


def test_a_failing_source_backs_off_with_jitter_then_recovers(server, make_source):
    answers = {"fail": True}

    def flaky(handler):
        if answers["fail"]:
            return handler.answer(500, {"Content-Type": "text/plain"}, b"oops")
        return handler.answer(200, {"Content-Type": "application/rss+xml"}, feed)

    feed = rss(server, "flaky", minutes_apart=10)
    server.add("/flaky.xml", flaky)
    source = make_source("/flaky.xml")
    waits = []
    for failures in (1, 2, 3):
        import_source(source)
        source.refresh_from_db()
        assert source.consecutive_failures == failures
        ceiling = source.import_interval * 2**failures
        wait = seconds_from_now(source.next_import_at)
        assert ceiling / 2 - 5 <= wait <= ceiling
        waits.append(wait)
    assert waits[0] < waits[2]  # doubling each time outweighs the jitter

    answers["fail"] = False
    import_source(source)

    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert source.last_status == ImportStatus.OK
    assert source.last_import_at == source.last_attempt_at
    assert 295 <= seconds_from_now(source.next_import_at) <= 300
    assert Article.objects.filter(source=source).count() == 5


def test_a_source_gone_quiet_is_read_less_often():
    now = timezone.now()
    burst = [now - timedelta(hours=4, minutes=10 * n) for n in range(6)]  # busy, 4 hours ago
    fresh = [now - timedelta(minutes=10 * n) for n in range(6)]

    assert schedule.publishing_interval(fresh, now) == 300
    assert schedule.publishing_interval(burst, now) == 3600  # half of 4 hours, halved, capped
    assert schedule.publishing_interval(burst[:1] + fresh[1:], now) == 300


def test_backoff_is_capped_and_jittered_but_never_gives_up():
    rng = random.Random(7)
    waits = {schedule.backoff(600, 40, rng) for _ in range(50)}
    assert all(schedule.BACKOFF_CAP / 2 <= wait <= schedule.BACKOFF_CAP for wait in waits)
    assert len(waits) == 50  # no two sources that failed together come back together


def test_import_feeds_due_imports_only_the_due_sources(server, make_source):
    server.add("/a.xml", rss(server, "a", 10))
    server.add("/b.xml", rss(server, "b", 10))
    server.add("/c.xml", rss(server, "c", 10))
    due = make_source("/a.xml")
    never_planned = make_source("/b.xml")
    later = make_source("/c.xml")
    Source.objects.filter(pk=due.pk).update(next_import_at=timezone.now() - timedelta(minutes=1))
    Source.objects.filter(pk=later.pk).update(next_import_at=timezone.now() + timedelta(hours=1))
    out = io.StringIO()

    call_command("import_feeds", "--due", stdout=out)

    assert Article.objects.filter(source=due).count() == 5
    assert Article.objects.filter(source=never_planned).count() == 5
    assert not Article.objects.filter(source=later).exists()
    assert later.slug not in out.getvalue()

    out = io.StringIO()
    call_command("import_feeds", "--due", stdout=out)
    assert "No source is due." in out.getvalue()

    call_command("import_feeds", stdout=io.StringIO())  # without --due: every active source
    assert Article.objects.filter(source=later).count() == 5


def test_fetch_now_starts_the_backoff_over(server, make_source):
    server.add("/down.xml", b"no", status=500)
    source = make_source("/down.xml")
    Source.objects.filter(pk=source.pk).update(consecutive_failures=6)
    source.refresh_from_db()

    ingest.fetch_now(source)

    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert seconds_from_now(source.next_import_at) <= source.import_interval * 2


# --- side by side -------------------------------------------------------------------------


class InFlight:
    """Count the requests the server is answering at the same time."""

    def __init__(self):
        self.now = self.most = 0
        self.lock = threading.Lock()

    def slow_feed(self, body, seconds):
        def answer(handler):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            time.sleep(seconds)
            with self.lock:
                self.now -= 1
            handler.answer(200, {"Content-Type": "application/rss+xml"}, body)

        return answer


@pytest.mark.django_db(transaction=True)
def test_slow_sources_are_fetched_side_by_side(server, make_source):
    flight = InFlight()
    sources = []
    for n in range(6):
        server.add(f"/slow{n}.xml", flight.slow_feed(rss(server, f"slow{n}", 10, count=2), 0.5))
        sources.append(make_source(f"/slow{n}.xml"))

    reports = ingest.import_sources(sources, workers=8)

    assert flight.most == 6  # all six were waiting on the network at once
    assert [report.status for report in reports] == [ImportStatus.OK] * 6
    assert Article.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_one_slow_source_does_not_delay_the_others(server, make_source):
    flight = InFlight()
    server.add("/slow.xml", flight.slow_feed(rss(server, "slow", 10, count=1), 1.0))
    server.add("/fast.xml", rss(server, "fast", 10, count=1))
    slow, fast = make_source("/slow.xml"), make_source("/fast.xml")
    finished = []

    ingest.import_sources([slow, fast], workers=4, done=lambda r: finished.append(r.source.pk))

    assert finished == [fast.pk, slow.pk]
    assert Article.objects.filter(source__in=[slow, fast]).count() == 2


# --- Celery tasks, run eagerly --------------------------------------------------------------


def test_beat_task_imports_the_due_sources_and_their_full_texts(server, make_source, settings):
    server.add_fixture("/az.xml", "summary_az.xml")
    server.add_fixture("/az/park-1", "page_az.html", content_type="text/html")
    server.add_fixture("/az/school-2", "page_empty.html", content_type="text/html")
    due = make_source("/az.xml", full_text="auto")
    not_due = make_source("/az.xml", slug="later", name="Later.az")
    Source.objects.filter(pk=not_due.pk).update(next_import_at=timezone.now() + timedelta(hours=1))

    sent = tasks.enqueue_due_sources.delay().get()

    assert sent == 1
    park = Article.objects.get(source=due, source_url=server.url("/az/park-1"))
    assert "səkkiz ay çəkib" in park.body
    assert not Article.objects.filter(source=not_due).exists()
    # A task that runs twice duplicates nothing.
    tasks.import_source_task.delay(due.pk)
    assert Article.objects.filter(source=due).count() == 2


def test_a_source_waiting_in_the_queue_is_not_sent_twice(make_source, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    client = tasks._redis()
    source = make_source("/never.xml")
    client.delete(tasks.queued_key(source.pk))
    sent = []
    monkeypatch.setattr(tasks.import_source_task, "delay", sent.append)
    try:
        assert tasks.enqueue_due_sources() == 1
        assert tasks.enqueue_due_sources() == 0  # still waiting: not sent again
        assert sent == [source.pk]
    finally:
        client.delete(tasks.queued_key(source.pk))


# --- the feed-health view -------------------------------------------------------------------


@pytest.fixture
def health(server, make_source, make_article):
    server.add("/ok.xml", rss(server, "ok", 10))
    server.add("/down.xml", b"no", status=503, headers={"Retry-After": "600"})
    healthy, failing = make_source("/ok.xml", name="Sağlam.az"), make_source("/down.xml")
    Source.objects.filter(pk=healthy.pk).update(fetch_durations=[100, 300, 2000])
    healthy.refresh_from_db()
    import_source(healthy)
    import_source(failing)
    import_source(failing)
    return healthy, failing


def source_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row["name"]: row for row in changelist_rows(response) if "name" in row}, response


@pytest.mark.parametrize(
    ("prefix", "headers"),
    [
        ("", ["Ardıcıl uğursuzluq", "Növbəti cəhd", "Gündə xəbər", "Yüklənmə vaxtı (median)"]),
        (
            "/ru",
            ["Неудач подряд", "Следующая попытка", "Новостей в день", "Медианное время загрузки"],
        ),
    ],
)
def test_the_source_list_shows_each_feeds_health(admin_client, health, prefix, headers):
    healthy, failing = health

    rows, response = source_rows(admin_client, f"{prefix}/admin/articles/source/")

    html = response.content.decode()
    for header in headers:
        assert header in html, header
    assert rows[healthy.name]["failures_in_a_row"] == "0"
    assert rows[healthy.name]["entries_per_day"] == f"{5 / 7:.1f}"
    assert rows[healthy.name]["median_fetch_time"].startswith("0.")  # median of four, seconds
    assert rows[failing.name]["failures_in_a_row"] == "2"
    assert rows[failing.name]["entries_per_day"] == "0.0"
    assert rows[failing.name]["last_import_at"] == "-"  # never a success


def test_a_sources_page_shows_its_schedule_and_full_text_problems(admin_client, health):
    _healthy, failing = health
    Source.objects.filter(pk=failing.pk).update(full_text_note="2026-12-02 10:00 x: no text")

    response = admin_client.get(f"/ru/admin/articles/source/{failing.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Неудач подряд", "Следующая попытка", "Проблемы с полным текстом", "no text"):
        assert text in html, text
    assert "HTTP 503" in html


def test_the_failing_filter_lists_only_failing_sources(admin_client, health):
    healthy, failing = health

    rows, _response = source_rows(admin_client, "/admin/articles/source/?health=failing")

    assert list(rows) == [failing.name]


@pytest.mark.django_db(transaction=True)  # the import runs in a thread with its own connection
def test_fetch_now_in_the_admin_resets_the_backoff(admin_client, health, server):
    _healthy, failing = health
    server.add("/down.xml", rss(server, "back", 10))

    response = admin_client.post(
        "/admin/articles/source/",
        {"action": "fetch_now", "_selected_action": [failing.pk]},
        follow=True,
    )

    assert response.status_code == 200
    failing.refresh_from_db()
    assert failing.consecutive_failures == 0
    assert Article.objects.filter(source=failing).count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_never_waits_for_a_slow_source(server, make_source, monkeypatch):
    flight = InFlight()
    server.add("/slow.xml", flight.slow_feed(rss(server, "slow", 10, count=1), 1.0))
    server.add("/fast.xml", rss(server, "fast", 10, count=1))
    slow, fast = make_source("/slow.xml"), make_source("/fast.xml")
    rounds = []

    def sleep(self, seconds):
        rounds.append(Article.objects.filter(source=fast).count())
        if len(rounds) == 3:
            raise KeyboardInterrupt
        time.sleep(0.2)

    monkeypatch.setattr(import_feeds.Command, "sleep", sleep)

    call_command("import_feeds", "--due", "--every", "30", "--quiet", stdout=io.StringIO())

    assert rounds[-1] == 1  # the fast source was in while the slow one still waited
    assert server.paths().count("/slow.xml") == 1  # still importing: not started again
    assert server.paths().count("/fast.xml") == 1  # done and not due yet
    assert Article.objects.filter(source=slow).count() == 1
