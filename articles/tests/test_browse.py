"""Source, category, label, day and month pages; the category menu; pagination; query counts."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import LIST_LIMIT, Article, Category
from articles.tests.factories import bulk_articles
from articles.text import BAKU_TZ


def titles(response):
    """Return the titles of the list in the page's main column, in order."""
    html = response.content.decode()
    main = html[html.index('<main id="content"') : html.index("</main>")]
    return re.findall(r'class="news-title" href="[^"]+">([^<]+)', main)


def test_source_page_lists_its_published_articles_newest_first(client, source, make_article):
    now = timezone.now()
    make_article(title="Köhnə xəbər", source=source, published_at=now - timedelta(hours=3))
    make_article(title="Yeni xəbər", source=source, published_at=now - timedelta(hours=1))
    make_article(title="Başqa saytdan", published_at=now)
    make_article(title="Qaralama", source=source, status=Article.Status.DRAFT)
    make_article(title="Rusca xəbər", source=source, language="ru")

    response = client.get("/source/525-az/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "525.az</h1>" in html
    assert 'href="https://525.az"' in html
    assert [t.strip() for t in titles(response)] == ["Yeni xəbər", "Köhnə xəbər"]


def test_russian_source_page_lists_russian_articles_only(client, source, make_article):
    make_article(title="Azərbaycanca xəbər", source=source)
    make_article(title="Новость по-русски", source=source, language="ru")

    response = client.get("/ru/source/525-az/")

    assert [t.strip() for t in titles(response)] == ["Новость по-русски"]
    assert "Источник:" in response.content.decode()


def test_unknown_source_is_404(client, db):
    assert client.get("/source/yoxdur/").status_code == 404


def test_categories_form_the_header_menu_in_each_language(client, politics, make_article):
    Category.objects.create(name_az="İdman", name_ru="Спорт", slug="idman", position=2)

    az = client.get("/").content.decode()
    ru = client.get("/ru/").content.decode()

    menu = az[az.index('id="site-menu"') : az.index("</nav>")]
    assert menu.index('href="/category/siyaset/">Siyasət') < menu.index(
        'href="/category/idman/">İdman'
    )
    assert 'href="/ru/category/siyaset/">Политика' in ru


def menu_of(html):
    return html[html.index('id="site-menu"') : html.index("</nav>")]


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_menu_marks_the_category_being_read(client, politics, caches_on, prefix):
    """The menu is one cached piece for every page; the current category is marked anyway."""
    Category.objects.create(name_az="İdman", name_ru="Спорт", slug="idman", position=2)
    client.get(f"{prefix}/")  # the menu is cached from the home page

    politics_page = menu_of(client.get(f"{prefix}/category/siyaset/").content.decode())
    sport_page = menu_of(client.get(f"{prefix}/category/idman/").content.decode())
    home = menu_of(client.get(f"{prefix}/").content.decode())

    assert f'<a href="{prefix}/category/siyaset/" aria-current="page">' in politics_page
    assert f'<a href="{prefix}/category/idman/">' in politics_page
    assert politics_page.count("aria-current") == 1
    assert f'<a href="{prefix}/category/idman/" aria-current="page">' in sport_page
    assert sport_page.count("aria-current") == 1
    assert f'<a href="{prefix}/" aria-current="page">' in home
    assert home.count("aria-current") == 1


def test_category_page_lists_its_articles(client, politics, make_article):
    make_article(title="Seçki xəbəri", category=politics)
    make_article(title="İdman xəbəri")

    response = client.get("/category/siyaset/")

    assert response.status_code == 200
    assert [t.strip() for t in titles(response)] == ["Seçki xəbəri"]
    assert "Siyasət" in response.content.decode()
    assert client.get("/category/yoxdur/").status_code == 404


def test_label_page_finds_articles_by_the_slug_of_their_label(client, make_article):
    make_article(title="Bakıda qar", label="FOTOLAR")
    make_article(title="Gəncədə yağış", label="VİDEO")
    make_article(title="Sadə xəbər")

    response = client.get("/label/fotolar/")
    video = client.get("/label/video/")

    assert [t.strip() for t in titles(response)] == ["Bakıda qar"]
    assert [t.strip() for t in titles(video)] == ["Gəncədə yağış"]
    assert '<span class="label">VİDEO</span>' in video.content.decode()
    assert client.get("/label/yoxdur/").status_code == 404


def _at(day, hour, minute=0):
    return datetime(2026, 1, day, hour, minute, tzinfo=BAKU_TZ)


def test_day_archive_uses_baku_days_and_links_the_nearest_days_with_news(client, make_article):
    make_article(title="Onuncu gün", published_at=_at(10, 12))
    make_article(title="Gecə yarısından əvvəl", published_at=_at(14, 23, 30))  # 19:30 UTC
    make_article(title="Səhər", published_at=_at(14, 0, 10))  # 20:10 UTC on the 13th
    make_article(title="İyirminci gün", published_at=_at(20, 9))

    response = client.get("/archive/2026/01/14/")

    html = response.content.decode()
    assert [t.strip() for t in titles(response)] == ["Gecə yarısından əvvəl", "Səhər"]
    assert "14 Yanvar 2026" in html
    assert 'rel="prev" href="/archive/2026/01/10/"' in html  # empty days 11-13 skipped
    assert 'rel="next" href="/archive/2026/01/20/"' in html


def test_empty_day_still_links_to_its_neighbours(client, make_article):
    make_article(title="Onuncu gün", published_at=_at(10, 12))

    html = client.get("/archive/2026/01/12/").content.decode()

    assert "Həmin gün xəbər dərc olunmayıb." in html
    assert 'href="/archive/2026/01/10/"' in html


def test_month_archive_lists_days_with_counts_in_russian(client, make_article):
    make_article(title="Первая", language="ru", published_at=_at(10, 12))
    make_article(title="Вторая", language="ru", published_at=_at(10, 15))
    make_article(title="Третья", language="ru", published_at=_at(21, 9))

    html = client.get("/ru/archive/2026/01/").content.decode()

    assert "Январь 2026" in html
    assert 'href="/ru/archive/2026/01/10/">10 января 2026</a> <span class="count">2 новости' in html
    assert "21 января 2026" in html


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2026/13/01/",
        "/archive/2026/02/30/",
        "/archive/0000/01/",
        "/archive/9999/12/31/",
        "/archive/9999/12/",
        "/archive/2026/1/5/",
    ],
)
def test_impossible_archive_dates_are_404(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Səhifə tapılmadı" in response.content.decode()


def test_archive_index_redirects_to_the_month_of_the_newest_article(client, make_article):
    make_article(published_at=_at(21, 9))

    assert client.get("/archive/")["Location"] == "/archive/2026/01/"


def test_pagination_has_page_numbers_and_rel_prev_next(client, source):
    bulk_articles(45, source=source)

    response = client.get("/source/525-az/?page=2")

    html = response.content.decode()
    nav = html[html.index('class="pagination"') :]
    assert 'rel="prev" href="?page=1"' in nav
    assert 'rel="next" href="?page=3"' in nav
    assert '<span class="current" aria-current="page">2</span>' in nav
    assert [t.strip() for t in titles(response)] == [f"Toplu xəbər {i}" for i in range(20, 40)]


def test_a_long_list_pages_through_its_newest_thousand(client, source):
    bulk_articles(LIST_LIMIT + 5, source=source)

    last = client.get(f"/source/525-az/?page={LIST_LIMIT // 20}")
    beyond = client.get(f"/source/525-az/?page={LIST_LIMIT // 20 + 1}")

    nav = last.content.decode()[last.content.decode().index('class="pagination"') :]
    assert [t.strip() for t in titles(last)] == [
        f"Toplu xəbər {i}" for i in range(LIST_LIMIT - 20, LIST_LIMIT)
    ]
    assert f'<span class="current" aria-current="page">{LIST_LIMIT // 20}</span>' in nav
    assert 'rel="next"' not in nav
    assert beyond.status_code == 404


@pytest.mark.parametrize("page", ["99999", "abc", "0", "-1", "9" * 40])
def test_pages_that_do_not_exist_say_so(client, source, page):
    bulk_articles(3, source=source)

    response = client.get(f"/source/525-az/?page={page}")

    assert response.status_code == 404
    assert "Bu siyahıda belə səhifə yoxdur." in response.content.decode()


LIST_URLS = [
    "/source/525-az/",
    "/category/siyaset/",
    "/label/fotolar/",
    "/archive/2026/01/21/",
    "/archive/2026/01/",
    "/search/?q=xəbər",
    "/search/?q=xəbər&source=525-az&category=siyaset&label=fotolar&date_from=2020-01-01",
    "/search/?source=525-az",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_need_at_most_six_queries_whatever_the_number_of_results(
    client, source, politics, url
):
    counts = []
    for number in (3, 80):
        Article.objects.all().delete()
        bulk_articles(number, now=_at(21, 22), source=source, category=politics, label="FOTOLAR")

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)

        assert response.status_code == 200
        assert "21 Yanvar 2026" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts
