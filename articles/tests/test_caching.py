"""Sidebar fragments and anonymous pages from the cache, and what makes them stale."""

from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends import db as db_cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles.caching import articles_changed
from articles.caching import fragments as fragment_cache
from articles.caching import pages as page_cache
from articles.models import Article, DailyViews
from articles.tests.pages import ACCEPT, BROWSER


@pytest.fixture
def fragments(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    cache.clear()


@pytest.fixture
def pages(settings, fragments):
    settings.PAGE_CACHE_SECONDS = 30


def get(client, url, **headers):
    return client.get(
        url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9", **headers
    )


def sidebar(html):
    return html[html.index('<aside class="sidebar"') :]


def test_blocks_come_from_the_cache_until_an_article_changes(client, make_article, fragments):
    first = make_article(title="Birinci xəbər")
    reader_page = make_article(title="Oxunan səhifə").get_absolute_url()
    assert "Birinci xəbər" in sidebar(get(client, reader_page).content.decode())

    # A bulk update that tells nobody: the cached blocks still show the old title.
    Article.objects.filter(pk=first.pk).update(title="Gizli dəyişiklik")
    assert "Birinci xəbər" in sidebar(get(client, reader_page).content.decode())

    # The writers' call makes them stale at once.
    articles_changed("az")
    html = sidebar(get(client, reader_page).content.decode())
    assert "Gizli dəyişiklik" in html and "Birinci xəbər" not in html


def test_blocks_are_cached_per_language(client, make_article, fragments):
    make_article(title="Azərbaycanca xəbər")
    make_article(title="Русская новость", language="ru")
    az_page = get(client, "/").content.decode()
    ru_page = get(client, "/ru/").content.decode()
    assert "Azərbaycanca xəbər" in sidebar(az_page) and "Русская новость" not in az_page
    assert "Русская новость" in sidebar(ru_page) and "Azərbaycanca xəbər" not in ru_page
    assert "Самое читаемое за день" in ru_page


def test_admin_bulk_publish_makes_the_blocks_stale(admin_client, client, make_article, fragments):
    draft = make_article(title="Gözləyən xəbər", status=Article.Status.DRAFT)
    page = make_article().get_absolute_url()
    assert "Gözləyən xəbər" not in get(client, page).content.decode()

    admin_client.post(
        "/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert "Gözləyən xəbər" in sidebar(get(client, page).content.decode())


def test_counting_views_does_not_make_the_blocks_stale(
    client, make_article, fragments, django_assert_num_queries
):
    articles = [make_article(views=n) for n in range(3)]
    get(client, articles[0].get_absolute_url())
    assert cache.get(fragment_cache.fragment_key("most_read", "az")) is not None
    stored = cache.get(fragment_cache.fragment_key("most_read", "az"))

    get(client, articles[1].get_absolute_url())  # a counted view of another article
    assert Article.objects.get(pk=articles[1].pk).views == 2
    assert cache.get(fragment_cache.fragment_key("most_read", "az")) == stored


def test_cached_blocks_save_the_block_queries(
    client, make_article, fragments, django_assert_num_queries
):
    article = make_article()
    url = article.get_absolute_url()
    client.get(url)  # no User-Agent: a bot, so no counting queries below
    # The article and one cache read for the menu and both blocks (no comments: no query).
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    # Home: one cache read for the menu, the front page and both blocks (its latest news are
    # the sidebar's block).
    client.get("/")
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200


def article_element(html):
    return html[html.index('<article class="article"') : html.index("</article>")]


def test_article_parts_come_from_the_cache_with_the_live_view_count(
    client, make_article, fragments
):
    article = make_article(title="Keşdən gələn xəbər", views=41)
    url = article.get_absolute_url()
    first = get(client, url).content.decode()
    assert "<strong>41</strong>" in article_element(first)  # rendered before this view counted

    # A change nobody announced: the cached parts keep the old title...
    Article.objects.filter(pk=article.pk).update(title="Elan olunmamış başlıq")
    again = client.get(
        url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} second", REMOTE_ADDR="203.0.113.10"
    )
    html = again.content.decode()
    assert "Keşdən gələn xəbər" in article_element(html)
    assert '<meta property="og:title" content="Keşdən gələn xəbər">' in html
    # ...but the view count is today's: the first reader's view is in it.
    assert "<strong>42</strong>" in article_element(html)

    article.refresh_from_db()
    article.title = "Redaktorun başlığı"
    article.save()
    articles_changed("az")  # what every editor's write path does (test_invalidation.py)
    html = get(client, url).content.decode()
    assert "Redaktorun başlığı" in article_element(html) and "Keşdən gələn" not in html


def test_a_cached_article_withdrawn_without_a_word_is_gone_at_once(client, make_article, fragments):
    article = make_article(title="Geri çəkilən xəbər")
    url = article.get_absolute_url()
    assert get(client, url).status_code == 200  # the article and its parts are cached now
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)  # nobody told

    assert get(client, url).status_code == 404


def test_a_cached_article_shows_a_new_comment_at_once(
    client, make_article, fragments, django_user_model, django_assert_num_queries
):
    from comments import services

    article = make_article(title="Şərhli xəbər")
    url = article.get_absolute_url()
    get(client, url)
    with django_assert_num_queries(2):  # one cache read, the article's counts: no comments
        client.get(url)
    reader = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")
    services.post_comment(author=reader, article=article, body="Təzə şərh")

    html = get(client, url).content.decode()
    assert "Təzə şərh" in html and "1 Şərh" in html


def test_article_parts_are_cached_per_language(client, make_article, fragments):
    az = make_article(title="Bakı xəbəri")
    ru = make_article(title="Новость Баку", language="ru")
    assert "Bakı xəbəri" in article_element(get(client, az.get_absolute_url()).content.decode())
    with translation.override("ru"):
        html = get(client, ru.get_absolute_url()).content.decode()
    assert "Новость Баку" in article_element(html) and "Просмотров" in article_element(html)


def test_previews_are_never_cached(admin_client, client, make_article, fragments):
    draft = make_article(title="Qaralama", status=Article.Status.DRAFT)
    url = draft.get_absolute_url()
    assert "Qaralama" in admin_client.get(url).content.decode()
    Article.objects.filter(pk=draft.pk).update(title="Qaralamanın ikinci halı")

    html = admin_client.get(url).content.decode()
    assert "Qaralamanın ikinci halı" in article_element(html)
    assert '<meta name="robots" content="noindex">' in html


# --- Whole pages -------------------------------------------------------------------------------


def test_anonymous_readers_get_the_cached_page_and_every_view_counts(
    client, make_article, pages, django_assert_num_queries
):
    article = make_article(title="Keşlənən xəbər")
    url = article.get_absolute_url()
    first = get(client, url)
    Article.objects.filter(pk=article.pk).update(title="Sonra dəyişdi")  # no writer's call

    for number in range(3):
        response = client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} reader/{number}")
        assert response.content == first.content
        assert "Keşlənən xəbər" in response.content.decode()
    article.refresh_from_db()
    assert article.views == 4  # the first rendering and three pages from the cache
    assert DailyViews.objects.get(article=article, day=timezone.localdate()).views == 4


def test_a_cache_hit_costs_one_cache_read(client, make_article, pages, django_assert_num_queries):
    url = make_article().get_absolute_url()
    client.get(url)  # a bot: not counted
    with django_assert_num_queries(1):  # the database cache's read of generation and page
        assert client.get(url).status_code == 200


def test_a_counted_cache_hit_costs_one_more_statement(
    client, make_article, pages, django_assert_max_num_queries
):
    url = make_article().get_absolute_url()
    get(client, url)
    # The cache's read, then the address's tally, remembering the visitor and counting: one
    # statement on PostgreSQL; a savepoint with the tally, the upsert, update and upsert on SQLite.
    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 7):
        response = client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} new reader")
    assert response.status_code == 200 and response.has_header("ETag")


def test_crawlers_read_cached_pages_without_counting(client, make_article, pages):
    article = make_article()
    url = article.get_absolute_url()
    get(client, url)

    for bot in ("Googlebot/2.1", "TelegramBot (like TwitterBot)", ""):
        assert client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=bot).status_code == 200
    assert (
        client.head(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} head").status_code == 200
    )

    article.refresh_from_db()
    assert article.views == 1


def test_gzip_and_plain_readers_get_their_own_stored_copy(client, make_article, pages):
    article = make_article(title="Sıxılmış səhifə", body="<p>" + "Uzun mətn. " * 400 + "</p>")
    url = article.get_absolute_url()

    compressed = get(client, url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = get(client, url)
    compressed_again = get(client, url, HTTP_ACCEPT_ENCODING="gzip")
    plain_again = get(client, url)

    assert compressed["Content-Encoding"] == "gzip" and not plain.has_header("Content-Encoding")
    assert compressed_again.content == compressed.content
    assert compressed_again["Content-Encoding"] == "gzip"
    assert plain_again.content == plain.content
    assert "Sıxılmış səhifə" in plain_again.content.decode()
    assert compressed.content != plain.content


def test_a_cached_page_keeps_its_security_headers(client, make_article, pages):
    url = make_article().get_absolute_url()
    first = get(client, url)
    again = get(client, url)

    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header]
    assert again["Content-Type"] == "text/html; charset=utf-8"


def page_cache_reads(captured):
    return [query for query in captured if "articles:page:" in query["sql"]]


@pytest.mark.parametrize("url", ["/search/?q=Axtar%C4%B1%C5%9F", "/no-such-page/"])
def test_pages_that_are_never_cached_skip_the_cache_read(client, make_article, pages, url):
    make_article(title="Axtarış üçün")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url.replace("%C5%9F", "")) if "?" in url else client.get(url)

    assert response.status_code in (200, 404)
    assert page_cache_reads(first)  # the first time the process did not know the page yet
    assert not page_cache_reads(second)


def test_a_process_keeps_hot_pages_a_moment_and_still_counts_them(
    client, make_article, pages, settings, monkeypatch, django_assert_num_queries
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 2
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    article = make_article(title="İsti xəbər")
    url = article.get_absolute_url()
    get(client, url)  # rendered and stored
    get(client, url)  # read from the shared cache, kept by this process

    # No cache read: only the new reader's counting statement(s).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 6):
        assert (
            "İsti xəbər"
            in client.get(url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} r1").content.decode()
        )
    article.refresh_from_db()
    assert article.views == 2

    article.title = "Yenilənmiş xəbər"
    article.save()
    articles_changed("az")  # what every editor's write path does (test_invalidation.py)
    assert "İsti xəbər" in get(client, url).content.decode()  # the local copy, for a moment
    clock[0] += 2.5
    assert "Yenilənmiş xəbər" in get(client, url).content.decode()


def test_kept_pages_stay_within_their_size():
    kept = page_cache.RecentPages(max_bytes=100)
    for number in range(5):
        kept.put(f"page-{number}", {"content": b"x" * 40}, seconds=60)

    assert [kept.get(f"page-{n}") is not None for n in range(5)] == [False] * 3 + [True] * 2
    kept.put("too-big", {"content": b"x" * 101}, seconds=60)
    assert kept.get("too-big") is None and kept.get("page-4") is not None


def test_changing_an_article_refreshes_its_cached_page(client, make_article, pages):
    article = make_article(title="Birinci variant")
    get(client, article.get_absolute_url())
    article.title = "İkinci variant"
    article.save()
    articles_changed("az")  # what every editor's write path does (test_invalidation.py)
    assert "İkinci variant" in get(client, article.get_absolute_url()).content.decode()


def test_logged_in_readers_bypass_the_page_cache(client, make_article, pages, django_user_model):
    article = make_article()
    url = article.get_absolute_url()
    get(client, url)  # cached for anonymous readers
    user = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")
    client.force_login(user)

    response = get(client, url)
    html = response.content.decode()
    assert not response.has_header("ETag")  # rendered for them, not the shared copy
    assert 'name="csrfmiddlewaretoken"' in html  # their comment form
    assert "Daxil olun, şərh yazmaq üçün" not in html
    client.logout()
    assert "Daxil olun, şərh yazmaq üçün" in get(client, url).content.decode()


def test_no_csrf_token_is_ever_stored_in_a_shared_page(
    client, make_article, pages, django_user_model
):
    user = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")
    client.force_login(user)
    url = make_article().get_absolute_url()
    get(client, url)  # the logged-in reader's page holds forms with CSRF tokens
    client.logout()
    client.cookies.pop("sessionid", None)

    for _ in range(2):
        html = get(client, url).content.decode()
        assert "csrfmiddlewaretoken" not in html
    address = page_cache.page_address(RequestFactory().get(url))
    stored = cache.get(page_cache.page_key(address, "az"))
    assert stored is not None and b"csrfmiddlewaretoken" not in stored["content"]


def test_a_csrf_cookie_alone_does_not_defeat_the_cache(client, make_article, pages):
    url = make_article().get_absolute_url()
    get(client, url)
    client.get("/accounts/login/")  # the log-in form sets the CSRF cookie
    assert "csrftoken" in client.cookies
    response = get(client, url)
    assert response.status_code == 200 and response.has_header("ETag")
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_readers_with_messages_bypass_the_page_cache(client, make_article, pages, rf):
    article = make_article(title="Mesajlı səhifə")
    url = article.get_absolute_url()
    assert get(client, url).has_header("ETag")  # stored
    assert get(client, url).has_header("ETag")  # from the page cache

    request = rf.get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Şərhiniz əlavə olundu.")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value

    page = get(client, url)
    assert "Şərhiniz əlavə olundu." in page.content.decode()
    assert not page.has_header("ETag")  # rendered for this reader, not the shared copy


def test_etag_revalidation_answers_304_and_counts_the_view(client, make_article, pages):
    article = make_article()
    url = article.get_absolute_url()
    first = get(client, url)
    etag = first["ETag"]
    assert first["Last-Modified"] and "no-cache" in first["Cache-Control"]

    again = client.get(
        url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=f"{BROWSER} other", HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304 and again.content == b""
    article.refresh_from_db()
    assert article.views == 2  # the 304 was a reader's view too

    list_page = get(client, "/")
    assert get(client, "/", HTTP_IF_NONE_MATCH=list_page["ETag"]).status_code == 304
    assert get(client, "/", HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    since = list_page["Last-Modified"]
    assert get(client, "/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert get(client, "/", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_list_pages_are_cached_per_address(client, make_article, pages, source):
    for number in range(25):
        make_article(title=f"Siyahı xəbəri {number}", source=source)
    url = source.get_absolute_url()
    first_page = get(client, url).content.decode()
    second_page = get(client, f"{url}?page=2").content.decode()
    # A bulk update that tells nobody: both addresses keep their stored copies.
    Article.objects.update(title="Gizli dəyişiklik")
    assert get(client, url).content.decode() == first_page
    assert get(client, f"{url}?page=2").content.decode() == second_page
    assert "Siyahı xəbəri 0" in first_page and "Siyahı xəbəri 24" in second_page
    archive = get(client, "/archive/")
    assert archive.status_code == 302  # redirects are never stored


def test_search_and_drafts_are_never_cached(client, make_article, pages, admin_client):
    make_article(title="Axtarılan söz")
    get(client, "/search/?q=Axtarılan")
    second = make_article(title="Axtarılan ikinci")
    results = get(client, "/search/?q=Axtarılan").content.decode()
    assert f'<a class="news-title" href="{second.get_absolute_url()}">' in results

    draft = make_article(status=Article.Status.DRAFT)
    assert get(client, draft.get_absolute_url()).status_code == 404
    assert admin_client.get(draft.get_absolute_url()).status_code == 200


def test_scheduled_article_appears_when_the_cached_page_expires(
    client, make_article, pages, settings, monkeypatch
):
    start = timezone.now()
    make_article(title="Planlaşdırılmış xəbər", published_at=start + timedelta(seconds=5))
    assert "Planlaşdırılmış xəbər" not in get(client, "/").content.decode()
    # Its time comes without any writer: until the cached page and the cached latest news it
    # was made of expire, readers get the stored copy; after both TTLs, the article.
    expired = settings.FRAGMENT_CACHE_SECONDS + settings.PAGE_CACHE_SECONDS + 1
    for seconds, shown in [(6, False), (expired, True)]:
        moment = start + timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        monkeypatch.setattr(db_cache, "tz_now", lambda moment=moment: moment)
        assert ("Planlaşdırılmış xəbər" in get(client, "/").content.decode()) is shown


def test_a_page_primed_on_another_host_or_scheme_is_not_served_here(client, make_article, pages):
    article = make_article(title="Ev sahibi xəbəri")
    url = article.get_absolute_url()

    primed = get(client, url, HTTP_HOST="localhost").content.decode()
    assert 'href="http://localhost/' in primed
    page = get(client, url).content.decode()
    secure = get(client, url, secure=True).content.decode()

    assert 'href="http://testserver/' in page and "localhost" not in page
    assert 'href="https://testserver/' in secure


def test_unknown_query_parameters_share_the_page_and_odd_known_ones_are_not_cached(
    client, make_article, pages, source, settings
):
    for number in range(25):
        make_article(title=f"Parametr xəbəri {number}", source=source)
    url = source.get_absolute_url()
    get(client, url)
    get(client, f"{url}?page=2")
    Article.objects.update(title="Gizli dəyişiklik")  # tells nobody: stored copies stay

    for query in ("?x=1", "?x=2", "?utm_source=facebook&fbclid=abc"):
        assert "Parametr xəbəri" in get(client, f"{url}{query}").content.decode(), query
    assert "Parametr xəbəri" in get(client, f"{url}?page=2&x=9").content.decode()
    # Not stored under a key of their own: rendered afresh (the list's fragments aside, which
    # would give the same page 2 whatever its spelling).
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert "Gizli dəyişiklik" in get(client, f"{url}?page=02").content.decode()
    assert "Gizli dəyişiklik" in get(client, f"{url}?page=1&page=2").content.decode()


def test_unique_query_strings_do_not_fill_the_cache(client, make_article, pages):
    url = make_article().get_absolute_url()
    get(client, url)
    rows = stored_pages()

    for number in range(30):
        get(client, f"{url}?x={number}")

    assert stored_pages() == rows


def stored_pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache WHERE cache_key LIKE %s", ["%:page:%"])
        return cursor.fetchone()[0]
