import logging
import re
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from articles.counting import buffer, count_view, database, readers
from articles.models import Article, DailyViews, RecentView
from articles.tests.factories import bulk_articles
from articles.tests.pages import ACCEPT, BROWSER


def visit(client, article, user_agent=BROWSER, address="203.0.113.7", method="get", url=None):
    request = getattr(client, method)
    if url is None:
        with translation.override(article.language):
            url = article.get_absolute_url()
    return request(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def counts(article):
    """Return the article's stored total and today's row."""
    article.refresh_from_db()
    row = DailyViews.objects.filter(article=article, day=timezone.localdate()).first()
    return article.views, row.views if row else 0


def test_one_visitor_ten_times_counts_once(client, make_article, counting_mode):
    article = make_article(views=7)

    for _ in range(10):
        assert visit(client, article).status_code == 200
    counting_mode()

    assert counts(article) == (8, 1)
    assert DailyViews.objects.filter(article=article).count() == 1


def test_fifty_distinct_visitors_count_fifty_and_the_day_row_agrees(
    client, make_article, counting_mode
):
    article = make_article()

    for number in range(50):
        visit(client, article, address=f"198.51.100.{number}")
    counting_mode()

    assert counts(article) == (50, 50)
    html = visit(client, article, address="198.51.100.1").content.decode()
    assert re.search(r"Baxış sayı:\s*<strong>50</strong>", html)


def test_same_address_with_another_browser_is_another_visitor(client, make_article, counting_mode):
    article = make_article()

    visit(client, article)
    visit(client, article, user_agent=BROWSER.replace("131", "132"))
    counting_mode()

    assert counts(article) == (2, 2)


CRAWLERS = {
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "YandexBot": "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "facebookexternalhit": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "TelegramBot": "TelegramBot (like TwitterBot)",
    "WhatsApp": "WhatsApp/2.23.20.0",
    "GPTBot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "ChatGPT-User": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); ChatGPT-User/1.0",
    "ClaudeBot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0)",
    "anthropic-ai": "anthropic-ai",
    "Bytespider": "Mozilla/5.0 (Linux; Android 5.0) Mobile Safari/537.36 (compatible; Bytespider)",
    "HeadlessChrome": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36",
    "python-requests": "python-requests/2.32.3",
    "curl": "curl/8.5.0",
    "wget": "Wget/1.21.3",
    "empty": "",
    "blank": "   ",
}


@pytest.mark.parametrize("user_agent", CRAWLERS.values(), ids=CRAWLERS.keys())
def test_crawlers_are_not_counted(client, make_article, counting_mode, user_agent):
    article = make_article()

    assert visit(client, article, user_agent=user_agent).status_code == 200
    counting_mode()

    assert counts(article) == (0, 0)


@pytest.mark.parametrize(
    "fragment", [f for f in readers.CRAWLER_USER_AGENTS if re.fullmatch(r"[\w./-]+", f)]
)
def test_every_listed_crawler_name_is_recognised(fragment):
    assert readers.is_crawler(f"Mozilla/5.0 (compatible; {fragment.rstrip('/')}/1.0)")


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 YaBrowser/24.12.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
    ],
    ids=["chrome-android", "safari-iphone", "firefox", "yandex-browser", "cubot-phone"],
)
def test_readers_browsers_are_not_crawlers(user_agent):
    assert not readers.is_crawler(user_agent)


def test_head_requests_are_not_counted(client, make_article, counting_mode):
    article = make_article()

    assert visit(client, article, method="head").status_code == 200
    counting_mode()

    assert counts(article) == (0, 0)


def test_staff_previews_and_reads_are_not_counted(client, make_article, editor, counting_mode):
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()
    client.force_login(editor)

    assert "Önizləmə" in visit(client, draft).content.decode()
    assert visit(client, published).status_code == 200
    counting_mode()

    assert counts(draft) == (0, 0)
    assert counts(published) == (0, 0)


def test_logged_in_reader_counts_once_from_any_address(
    client, make_article, django_user_model, counting_mode
):
    article = make_article()
    client.force_login(django_user_model.objects.create_user("oxucu", password="s3cret-pass"))

    visit(client, article, address="192.0.2.1")
    visit(client, article, address="192.0.2.2")
    counting_mode()

    assert counts(article) == (1, 1)


def test_forged_session_cookies_do_not_make_new_visitors(client, make_article, counting_mode):
    article = make_article()

    for _ in range(5):
        client.cookies["sessionid"] = uuid.uuid4().hex
        visit(client, article)
    counting_mode()

    assert counts(article) == (1, 1)


def test_redirects_and_missing_articles_are_not_counted(client, make_article, counting_mode):
    article = make_article()

    assert visit(client, article, url=f"/news/kohne-{article.pk}").status_code == 301
    assert visit(client, article, url=f"/news/yox-{article.pk + 1000}").status_code == 404
    assert visit(client, article, url=f"/ru{article.get_absolute_url()}").status_code == 301
    counting_mode()

    assert counts(article) == (0, 0)


def test_russian_article_counts_and_shows_its_views(client, make_article, counting_mode):
    article = make_article(language="ru", title="Морозы в Баку")

    visit(client, article)
    counting_mode()
    response = visit(client, article)
    html = response.content.decode()

    assert response.wsgi_request.path.startswith("/ru/news/")
    assert counts(article) == (1, 1)
    assert re.search(r"Просмотров:\s*<strong>1</strong>", html)


def test_views_count_on_the_baku_day(client, make_article, counting_mode, monkeypatch):
    # 22:30 UTC is already the next day in Baku (UTC+4).
    late = timezone.now().replace(hour=22, minute=30) - timedelta(days=1)
    article = make_article(published_at=late - timedelta(hours=1))
    monkeypatch.setattr(timezone, "now", lambda: late)

    visit(client, article)
    counting_mode()

    row = DailyViews.objects.get(article=article)
    assert row.day == (late + timedelta(days=1)).date()


CACHED_PAGES = [
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
]


def test_pages_served_from_a_page_cache_still_count(client, make_article, settings, counting_mode):
    article = make_article(title="Köhnə başlıq")
    middleware = list(settings.MIDDLEWARE)
    # The page cache sits below the counter, as the full-page cache must.
    at = middleware.index("articles.counting.middleware.ViewCountingMiddleware") + 1
    middleware[at:at] = CACHED_PAGES
    with override_settings(MIDDLEWARE=middleware, CACHE_MIDDLEWARE_SECONDS=300):
        first = visit(client, article, address="192.0.2.10")
        Article.objects.filter(pk=article.pk).update(title="Yeni başlıq")
        second = visit(client, article, address="192.0.2.11")
        again = visit(client, article, address="192.0.2.11")
    counting_mode()

    assert "Köhnə başlıq" in first.content.decode()
    assert "Köhnə başlıq" in second.content.decode()  # the HTML came from the cache
    assert "Yeni başlıq" not in second.content.decode()
    assert again.status_code == 200
    assert counts(article) == (2, 2)


def test_a_failure_to_count_is_logged_and_the_page_still_served(
    client, make_article, monkeypatch, caplog
):
    article = make_article(title="Sınmayan səhifə")

    def broken(*args):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(database, "record_view", broken)
    with caplog.at_level(logging.ERROR, logger="articles.counting"):
        response = visit(client, article)

    assert response.status_code == 200
    assert "Sınmayan səhifə" in response.content.decode()
    assert "Could not count a view of" in caplog.text
    assert "the database went away" in caplog.text


def test_counting_can_be_switched_off(client, make_article, settings, db):
    settings.VIEWS_COUNTING = False
    article = make_article()

    visit(client, article)

    assert counts(article) == (0, 0)


def test_the_window_forgets_a_visitor_after_it_ends(client, make_article, settings, counting_mode):
    article = make_article()

    visit(client, article)
    if settings.VIEWS_BUFFER == "redis":
        client_redis = buffer.redis_client()
        client_redis.delete(*client_redis.keys(f"{settings.VIEWS_REDIS_PREFIX}seen:*"))
    else:  # the visitor's memory now dates from before the window
        window = timedelta(seconds=settings.VIEWS_VISITOR_WINDOW + 1)
        RecentView.objects.update(seen_at=timezone.now() - window)
    visit(client, article)
    visit(client, article)  # within the renewed window
    counting_mode()

    assert counts(article) == (2, 2)


def test_the_window_runs_from_the_counted_view_not_the_last_visit(
    client, make_article, settings, monkeypatch, db
):
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    start, window = timezone.now(), timedelta(seconds=settings.VIEWS_VISITOR_WINDOW)
    for moment, expected in [
        (start, 1),
        (start + window - timedelta(seconds=60), 1),  # within the window: not counted
        (start + window + timedelta(seconds=1), 2),  # the window of the first view is over
    ]:
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        visit(client, article)
        assert counts(article)[0] == expected


def test_memories_older_than_the_window_are_purged(client, make_article, settings, db):
    first, second = make_article(), make_article()
    visit(client, first)
    visit(client, second)
    RecentView.objects.filter(article_id=first.pk).update(
        seen_at=timezone.now() - timedelta(seconds=settings.VIEWS_VISITOR_WINDOW + 1)
    )

    assert database.forget_recent_views() == 1
    assert list(RecentView.objects.values_list("article_id", flat=True)) == [second.pk]


def test_counted_views_purge_old_memories_now_and_then(client, make_article, monkeypatch, db):
    article = make_article()
    RecentView.objects.create(article_id=article.pk, visitor="x" * 32, seen_at=timezone.now())
    RecentView.objects.update(seen_at=timezone.now() - timedelta(days=1))
    monkeypatch.setattr(database, "PURGE_CHANCE", 1)

    visit(client, article)

    assert counts(article) == (1, 1)
    assert RecentView.objects.count() == 1  # the stale memory went, the new one stays


def test_visitor_hash_keeps_no_raw_address(rf, settings):
    request = rf.get("/", HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")

    visitor = readers.visitor_id(request)

    assert "203.0.113.7" not in visitor and len(visitor) == 32
    assert (
        readers.visitor_id(
            rf.get("/", HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.8")
        )
        != visitor
    )


def test_x_forwarded_for_is_not_trusted_by_default(client, make_article, counting_mode):
    article = make_article()

    for number in range(5):
        client.get(
            article.get_absolute_url(),
            HTTP_ACCEPT=ACCEPT,
            HTTP_USER_AGENT=BROWSER,
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    counting_mode()

    assert counts(article) == (1, 1)


# The article page's queries for an anonymous reader (test_article_page.py asserts them), and
# what counting a view adds. PostgreSQL: one statement remembers the visitor and counts, for a
# new visitor and a returning one alike. SQLite: in a savepoint, the visitor's upsert, then the
# address's tally, the total's update and the day's upsert for a new visitor only.
PAGE_QUERIES = 5  # the article with its tags, related news, menu, blocks (no comments, gallery)
COUNTING_QUERIES = 1 if connection.vendor == "postgresql" else 6
RETURNING_QUERIES = 1 if connection.vendor == "postgresql" else 3


@pytest.mark.parametrize("number", [5, 200])
def test_counting_adds_a_constant_number_of_queries(client, db, number, django_assert_num_queries):
    bulk_articles(number)
    article = Article.objects.published().first()

    with django_assert_num_queries(PAGE_QUERIES + COUNTING_QUERIES):
        visit(client, article)
    with django_assert_num_queries(PAGE_QUERIES + RETURNING_QUERIES):
        visit(client, article)
    assert counts(article)[1] == 1


@pytest.mark.parametrize("number", [5, 200])
def test_with_redis_the_counted_page_stays_within_the_article_budget(
    client, db, number, settings, buffered, django_assert_num_queries
):
    bulk_articles(number)
    article = Article.objects.published().first()
    settings.VIEWS_BUFFER = "db"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": settings.VIEWS_REDIS_PREFIX,
        }
    }

    with django_assert_num_queries(PAGE_QUERIES + COUNTING_QUERIES):
        visit(client, article)
    with django_assert_num_queries(PAGE_QUERIES + RETURNING_QUERIES):
        visit(client, article)
    settings.VIEWS_BUFFER = "redis"  # the visitor's memory and the count in Redis: no SQL
    with django_assert_num_queries(PAGE_QUERIES):
        visit(client, article, address="198.51.100.77")
    assert counts(article)[1] == 1


def test_a_request_with_no_session_or_user_is_counted_by_count_view(rf, make_article):
    """What the page cache in front of the whole stack has: no session, no user."""
    cache.clear()
    article = make_article()
    request = rf.get(article.get_absolute_url(), HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER)

    assert count_view(request, article.pk)
    assert not count_view(request, article.pk)  # the same visitor within the window

    assert counts(article) == (1, 1)
