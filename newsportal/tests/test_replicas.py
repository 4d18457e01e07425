"""Reads from replicas, writes and editors on the primary (newsportal/replicas.py).

The "replica" alias is the test database itself, mirrored (TEST MIRROR in test_settings.py), so
what matters here is which connection each query used.
"""

import time

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connections, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Source
from articles.tests.pages import ACCEPT
from comments.models import Comment
from newsportal import replicas

ROUTER = replicas.PrimaryReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICAS = ["replica"]
    replicas._down_until.clear()
    yield
    replicas._down_until.clear()


def route_reads(request, *, then=None):
    """Run a request through the middleware; return where a read of Article went in the view."""
    seen = {}

    def view(request):
        if then is not None:
            then()
        seen["read"] = ROUTER.db_for_read(Article)
        return HttpResponse("ok")

    response = replicas.ReplicaReadsMiddleware(view)(request)
    return seen["read"], response


def anonymous(request):
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


# Outside a test transaction: inside one, every read belongs to the primary.
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])
class TestRouterDecisions:
    def test_a_readers_public_page_reads_from_the_replica(self, with_replica, rf):
        read, response = route_reads(anonymous(rf.get("/news/xeber-1")))
        assert read == "replica"
        assert replicas.PIN_COOKIE not in response.cookies

    def test_writes_always_go_to_the_primary(self, with_replica, rf):
        assert ROUTER.db_for_write(Article) == "default"
        read, _ = route_reads(anonymous(rf.get("/")), then=lambda: ROUTER.db_for_write(Comment))
        assert read == "default"  # a read after a write in the same request

    def test_posts_read_from_the_primary_and_pin_the_reader(self, with_replica, rf, settings):
        read, response = route_reads(anonymous(rf.post("/news/1/comments/")))
        assert read == "default"
        cookie = response.cookies[replicas.PIN_COOKIE]
        assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS and cookie["httponly"]

    def test_a_pinned_reader_reads_from_the_primary(self, with_replica, rf):
        request = anonymous(rf.get("/", HTTP_COOKIE=f"{replicas.PIN_COOKIE}=1"))
        assert route_reads(request)[0] == "default"

    def test_editors_and_the_admin_use_the_primary(self, with_replica, rf, editor):
        request = rf.get("/")
        request.user = editor
        assert route_reads(request)[0] == "default"
        assert route_reads(anonymous(rf.get("/admin/login/")))[0] == "default"
        assert route_reads(anonymous(rf.get("/ru/admin/login/")))[0] == "default"

    def test_reads_inside_a_transaction_use_the_primary(self, with_replica, rf):
        def in_transaction():
            with transaction.atomic():
                assert ROUTER.db_for_read(Article) == "default"

        assert route_reads(anonymous(rf.get("/")), then=in_transaction)[0] == "replica"

    def test_cache_entries_are_read_on_the_primary_and_pin_nobody(self, with_replica, rf):
        from django.core.cache.backends.db import Options

        class CacheEntry:
            _meta = Options("django_cache")

        def use_the_cache():
            assert ROUTER.db_for_read(CacheEntry) == "default"
            ROUTER.db_for_write(CacheEntry)

        read, response = route_reads(anonymous(rf.get("/")), then=use_the_cache)
        assert read == "replica" and replicas.PIN_COOKIE not in response.cookies

    def test_a_replica_that_refuses_connections_is_left_alone(
        self, with_replica, rf, monkeypatch, settings
    ):
        def refuse():
            raise DatabaseError("connection refused")

        settings.REPLICA_RETRY_SECONDS = 1
        monkeypatch.setattr(connections["replica"], "ensure_connection", refuse)
        assert route_reads(anonymous(rf.get("/")))[0] == "default"
        monkeypatch.undo()
        # Not tried again until REPLICA_RETRY_SECONDS have passed, then read from again.
        assert route_reads(anonymous(rf.get("/")))[0] == "default"
        time.sleep(1.1)
        assert route_reads(anonymous(rf.get("/")))[0] == "replica"

    def test_outside_requests_everything_uses_the_primary(self, with_replica):
        # Management commands, flush_views, import_feeds: no request, no replica.
        assert ROUTER.db_for_read(Article) == "default"
        assert ROUTER.allow_migrate("replica", "articles") is False
        assert ROUTER.allow_migrate("default", "articles") is True


@pytest.fixture
def article(db):
    source = Source.objects.create(name="525.az", slug="525-az", homepage="https://525.az/")
    return Article.objects.create(
        title="Replikadan oxunan xəbər",
        slug="replikadan-oxunan-xeber",
        body="<p>Mətn.</p>",
        source=source,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(minutes=5),
    )


def queries_on(alias):
    return CaptureQueriesContext(connections[alias])


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])
def test_a_reader_who_comments_sees_the_comment_at_once(
    with_replica, client, article, browser_user_agent
):
    """Read-your-writes: after the post, the reader's pages come from the primary."""
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")
    url = article.get_absolute_url()

    with queries_on("replica") as on_replica, queries_on("default") as on_primary:
        page = client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=browser_user_agent)
    assert page.status_code == 200 and "Replikadan oxunan xəbər" in page.content.decode()
    assert len(on_replica) >= 3  # the article, the menu, the blocks
    reads = [q["sql"] for q in on_primary if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if "articles_article" in sql]
    assert replicas.PIN_COOKIE not in client.cookies  # counting the view pins nobody

    client.force_login(reader)
    posted = client.post(
        reverse("comments:post", args=[article.pk]),
        {"body": "Təzə şərhim"},
        HTTP_ACCEPT=ACCEPT,
        HTTP_USER_AGENT=browser_user_agent,
    )
    assert posted.status_code == 302
    assert client.cookies[replicas.PIN_COOKIE]["max-age"] == django_settings.REPLICA_PIN_SECONDS

    with queries_on("replica") as on_replica:
        page = client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=browser_user_agent)
    assert "Təzə şərhim" in page.content.decode()
    assert len(on_replica) == 0  # pinned to the primary while the replicas catch up

    client.cookies.pop(replicas.PIN_COOKIE)
    with queries_on("replica") as on_replica:
        page = client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=browser_user_agent)
    assert "Təzə şərhim" in page.content.decode() and len(on_replica) >= 3


def test_with_no_replica_listed_the_middleware_changes_nothing(rf, db):
    read, response = route_reads(anonymous(rf.post("/news/1/comments/")))
    assert read == "default" and replicas.PIN_COOKIE not in response.cookies
