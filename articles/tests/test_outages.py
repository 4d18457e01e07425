"""Outages of the shared cache: pages are served uncached, views still counted, /healthz says so."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import caching
from articles.caching import articles_changed
from articles.models import Article
from articles.tests.factories import SourceFactory
from articles.tests.pages import ACCEPT, BROWSER, form_data, page_text


def get(client, url, address="203.0.113.40"):
    return client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)


def reader_pages(article):
    return ["/", article.get_absolute_url(), article.source.get_absolute_url(), "/most-read/"]


def test_with_redis_stopped_every_page_is_served_and_views_are_counted(
    client, make_article, redis_stopped, caplog
):
    article = make_article(source=SourceFactory(), title="Bakıda yeni park açıldı", views=4)

    for url in reader_pages(article) * 2:
        response = get(client, url)
        assert response.status_code == 200, url
        assert "Bakıda yeni park açıldı" in page_text(response)
    article.refresh_from_db()
    assert article.views == 5  # one reader, counted once, in the database
    assert "The shared cache is unavailable" in caplog.text


def test_a_silent_redis_costs_one_timeout_then_is_left_alone(client, make_article, redis_silent):
    article = make_article(source=SourceFactory(), title="Sumqayıtda festival")

    for url in reader_pages(article):
        assert "Sumqayıtda festival" in page_text(get(client, url))

    # Only the first request waited for Redis; the others did not even connect.
    assert len(redis_silent.accepted) == 1


def test_the_cache_is_tried_again_after_its_pause(client, make_article, redis_stopped, settings):
    article = make_article()
    get(client, article.get_absolute_url())
    assert not caching.CIRCUIT.closed()

    caching.CIRCUIT.open_until = 0  # CACHE_RETRY_SECONDS have passed
    assert caching.CIRCUIT.closed()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    get(client, article.get_absolute_url())
    assert caching.CIRCUIT.failures == 0  # it answered, and is used again


def test_healthz_says_the_cache_is_degraded_but_answers_200(client, db, redis_stopped):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_healthz_with_a_silent_redis_answers_within_the_timeout(client, db, redis_silent):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["cache"] == "unavailable"


# On PostgreSQL a failed read aborts the transaction it runs in; readers' requests run in
# none, so neither must these tests.
@pytest.mark.django_db(transaction=True)
def test_a_missing_cache_table_does_not_break_the_pages(client, make_article, cache_table_missing):
    article = make_article(source=SourceFactory(), title="Gəncədə yeni körpü")

    for url in reader_pages(article):
        response = get(client, url)
        assert response.status_code == 200, url
        assert "Gəncədə yeni körpü" in page_text(response)
    assert client.get("/healthz").json()["cache"] == "unavailable"


def test_import_seeds_works_before_createcachetable(db, cache_table_missing, caplog):
    with caplog.at_level(logging.ERROR, logger="articles.caching"):
        call_command("import_seeds", verbosity=0)

    assert Article.objects.published().exists()
    assert "Could not invalidate the cached pages" in caplog.text


def test_a_failed_invalidation_is_loud_and_sent_again_when_the_cache_answers(
    client, make_article, settings, caches_on, caplog
):
    article = make_article(title="Köhnə başlıq")
    url = article.get_absolute_url()
    assert "Köhnə başlıq" in page_text(get(client, url))  # stored in the page cache
    working = settings.CACHES

    Article.objects.filter(pk=article.pk).update(title="Yeni başlıq")
    settings.CACHES = {
        "default": {"BACKEND": "newsportal.cache.DatabaseCache", "LOCATION": "no_cache_table"}
    }
    with caplog.at_level(logging.ERROR, logger="articles.caching"):
        articles_changed("az")  # the editor's save goes on
    assert "readers may be served stale pages" in caplog.text

    settings.CACHES = working  # the cache is back
    caching.CIRCUIT.open_until = 0  # after its pause
    assert "Yeni başlıq" in page_text(get(client, url))
    assert "Yeni başlıq" in page_text(get(client, url, address="203.0.113.41"))
    assert not caching.MISSED_INVALIDATIONS


def test_with_the_redis_buffer_down_views_are_counted_in_the_database(
    client, make_article, settings, buffered, redis_stopped
):
    settings.REDIS_URL = settings.CACHES["default"]["LOCATION"]  # the buffer's Redis is down too
    article = make_article(views=10)

    for address in ("203.0.113.50", "203.0.113.51", "203.0.113.50"):
        assert get(client, article.get_absolute_url(), address=address).status_code == 200

    article.refresh_from_db()
    assert article.views == 12  # at once, without a flush, and each reader once


def test_healthz_does_not_wait_for_a_cache_that_just_failed(client, db, redis_silent):
    for _ in range(3):
        assert client.get("/healthz").json()["cache"] == "unavailable"

    assert len(redis_silent.accepted) == 1  # the first check waited; the next did not ask


def test_with_redis_stopped_an_editor_opens_and_saves_an_article(
    client, editor, make_article, redis_stopped
):
    """Who else has the article open is a note in the cache: without it, no note, no error."""
    article = make_article(title="Redis dayanıb")
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])

    page = client.get(url)
    saved = client.post(url, form_data(page, "article_form", title="Redis olmadan saxlanıldı"))
    heartbeat = client.post(reverse("admin:articles_article_editing", args=[article.pk]))

    assert page.status_code == 200
    assert saved.status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Redis olmadan saxlanıldı"
    assert heartbeat.json() == {"others": []}
