"""Query budgets of the reader's pages at 10 and at 10 000 articles: equal, and within budget."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Category, DailyViews, Source

# DESIGN.md: article page ≤ 8, home ≤ 6, list pages ≤ 6.
BUDGETS = {
    "home": 6,
    "article": 8,
    "source": 6,
    "category": 6,
    "label": 6,
    "day": 6,
    "month": 6,
    "most_read": 6,
    "search": 6,
}


def add_articles(number, source, category, start=0):
    """Bulk-create published articles, a minute apart, with a daily-views row each."""
    now = timezone.now()
    articles = Article.objects.bulk_create(
        (
            Article(
                title=f"Toplu xəbər {i}",
                slug=f"toplu-xeber-{i}",
                body="<p>Bakıda hava küləkli olacaq.</p>",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=i),
                label="FOTOLAR" if i % 10 == 0 else "",
                source=source,
                category=category,
                views=i % 500,
            )
            for i in range(start, start + number)
        ),
        batch_size=1000,
    )
    DailyViews.objects.bulk_create(
        (DailyViews(article=a, day=timezone.localdate(), views=1) for a in articles),
        batch_size=1000,
    )


def pages(article, source, category):
    day = timezone.localdate()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "source": f"/source/{source.slug}/",
        "category": f"/category/{category.slug}/",
        "label": "/label/fotolar/",
        "day": f"/archive/{day:%Y/%m/%d}/",
        "month": f"/archive/{day:%Y/%m}/",
        "most_read": "/most-read/?period=week",
        "search": "/search/?q=Bak%C4%B1da+k%C3%BCl%C9%99kli",
    }


def measure(client, urls):
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.fixture
def place(db):
    source = Source.objects.create(name="Report.az", slug="report-az", homepage="https://report.az")
    category = Category.objects.create(slug="siyaset", name_az="Siyasət", name_ru="Политика")
    return source, category


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "fragments-cached"])
def test_queries_per_page_are_the_same_at_10_and_10000_articles(client, place, settings, cached):
    if cached:
        settings.FRAGMENT_CACHE_SECONDS = 60
    source, category = place
    add_articles(10, source, category)
    article = Article.objects.order_by("-published_at")[3]
    urls = pages(article, source, category)
    measure(client, urls)  # warm the fragments, when cached
    small = measure(client, urls)

    add_articles(9990, source, category, start=10)
    assert Article.objects.count() == 10_000
    measure(client, urls)
    large = measure(client, urls)

    assert large == small
    over = {name: count for name, count in large.items() if count > BUDGETS[name]}
    assert not over, f"over budget: {over}"
    if cached:  # one cache read replaces the menu's, the blocks' and a list's own queries
        assert large["article"] <= 2
        lists = ("home", "source", "category", "label", "day")
        assert {name: large[name] for name in lists} == dict.fromkeys(lists, 1)
