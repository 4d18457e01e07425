"""List pages (source, category, label, tag, day, month, most read, stories, sources) from the
fragment cache: the same bytes as a page rendered afresh, no query of their own, correct page
numbers, stale after `articles_changed()`."""

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.caching import articles_changed
from articles.models import Article, Category, DailyViews, Tag
from articles.tests.factories import bulk_articles
from articles.text import BAKU_TZ

DAY = datetime(2026, 1, 21, 22, tzinfo=BAKU_TZ)
PAGES = [
    "/source/525-az/",
    "/source/525-az/?page=2",
    "/source/525-az/?page=2&utm_source=x",
    "/source/525-az/?page=3",  # past the end: a 404
    "/category/siyaset/",
    "/label/fotolar/",
    "/tag/hava/",
    "/archive/2026/01/21/",
    "/archive/2026/01/21/?page=2",
    "/archive/2026/01/",
    "/most-read/",
    "/most-read/?period=week",
    "/stories/",
    "/sources/",
]


@pytest.fixture
def lists(db, source):
    """Thirty articles in each language on one day, with a source, category, label and tag."""
    category = Category.objects.create(slug="siyaset", name_az="Siyasət", name_ru="Политика")
    tag = Tag.objects.create(name="Hava", slug="hava")
    for language, label in (("az", "FOTOLAR"), ("ru", "FOTOLAR")):
        bulk_articles(
            30,
            now=DAY - timedelta(minutes=40 if language == "ru" else 0),
            language=language,
            source=source,
            category=category,
            label=label,
        )
    tag.articles.set(Article.objects.all())
    today = timezone.localdate()
    DailyViews.objects.bulk_create(
        DailyViews(article=article, day=today, views=article.pk % 7 + 1)
        for article in Article.objects.all()
    )
    return category


def fetch(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, response.content.decode(), len(queries)


@pytest.mark.parametrize("prefix", ["", "/ru"], ids=["az", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_a_cached_list_page_is_the_page_rendered_afresh_without_a_query(
    client, lists, settings, prefix, path
):
    url = prefix + path
    status, fresh, _queries = fetch(client, url)
    assert status == (404 if "page=3" in path else 200)

    settings.FRAGMENT_CACHE_SECONDS = 60
    cache.clear()
    assert fetch(client, url)[:2] == (status, fresh)  # rendered and stored
    # From the cache: one read (the database cache's one query) for the whole page.
    assert fetch(client, url) == (status, fresh, 1)


def test_a_cached_list_changes_with_its_articles_and_counts_its_pages(
    client, lists, settings, make_article
):
    settings.FRAGMENT_CACHE_SECONDS = 60
    cache.clear()
    assert fetch(client, "/category/siyaset/")[0] == 200
    assert fetch(client, "/category/siyaset/?page=2")[0] == 200
    assert fetch(client, "/category/siyaset/?page=3")[0] == 404  # 30 articles: 2 pages
    for number in range(11):
        make_article(title=f"Yeni siyasət {number}", category=lists, published_at=timezone.now())

    # Nobody said the articles changed: the stored pages are served.
    assert fetch(client, "/category/siyaset/?page=3")[0] == 404
    status, html, _queries = fetch(client, "/category/siyaset/")
    assert "Yeni siyasət" not in html
    assert 'href="?page=3"' not in html

    articles_changed("az")
    status, html, _queries = fetch(client, "/category/siyaset/")
    assert "Yeni siyasət 0" in html and 'href="?page=3"' in html
    status, html, _queries = fetch(client, "/category/siyaset/?page=3")
    assert status == 200 and '<span class="current" aria-current="page">3</span>' in html
    assert fetch(client, "/category/siyaset/?page=4")[0] == 404
