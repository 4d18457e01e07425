"""Concurrent readers against a live server: no view lost, none counted twice."""

import http.client
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.models import DailyViews
from articles.tests.pages import ACCEPT

THREADS = 64
VISITS_PER_THREAD = 10

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes one writer at a time, so 64 concurrent writers only measure its lock "
            "timeout; the concurrency guarantee is tested on PostgreSQL"
        )


def hammer(live_server, article, browser):
    """Send THREADS x VISITS_PER_THREAD GETs, each from a different reader; return statuses.

    Each thread connects from an address of its own (127.0.1.N), as readers do, so the limit
    per address (VIEWS_MAX_PER_ADDRESS) is not what is measured.
    """
    server = urlsplit(live_server.url)
    path = article.get_absolute_url()
    run = uuid.uuid4().hex
    start = threading.Barrier(THREADS)

    def reader(thread):
        start.wait()
        statuses = []
        for visit in range(VISITS_PER_THREAD):
            user_agent = f"{browser} run/{run} reader/{thread}-{visit}"
            connection = http.client.HTTPConnection(
                server.hostname,
                server.port,
                timeout=60,
                source_address=(f"127.0.1.{thread + 1}", 0),
            )
            connection.request("GET", path, headers={"User-Agent": user_agent, "Accept": ACCEPT})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            connection.close()
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        return [status for statuses in pool.map(reader, range(THREADS)) for status in statuses]


def stored(article):
    article.refresh_from_db()
    return article.views, DailyViews.objects.get(article=article, day=timezone.localdate()).views


def test_64_threads_of_distinct_readers_count_exactly(
    live_server, make_article, postgresql_only, browser_user_agent
):
    article = make_article(views=100)

    statuses = hammer(live_server, article, browser_user_agent)

    assert statuses == [200] * THREADS * VISITS_PER_THREAD
    assert stored(article) == (100 + 640, 640)


def test_64_threads_in_buffered_mode_count_exactly(
    live_server, make_article, postgresql_only, buffered, browser_user_agent
):
    article = make_article(views=100)

    statuses = hammer(live_server, article, browser_user_agent)
    call_command("flush_views", stdout=io.StringIO())

    assert statuses == [200] * THREADS * VISITS_PER_THREAD
    assert stored(article) == (100 + 640, 640)
