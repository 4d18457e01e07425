"""The admin's change lists cost the same number of queries for 10 rows as for 100."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import admin as articles_admin
from articles import admin_lists
from articles.models import Article, Category, DailyViews, LiveUpdate, Source, Story
from articles.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    SourceFactory,
    UserFactory,
    bulk_articles,
)
from articles.tests.pages import changelist_rows
from comments.models import Comment


def articles(number):
    # Each article from a source of its own, in a story of its own: a per-row look-up of
    # either would show.
    sources = [SourceFactory() for _i in range(number)]
    bulk_articles(number, now=timezone.now() - timedelta(days=Article.objects.count()))
    new = Article.objects.filter(source=None).order_by("pk")
    for article, source in zip(new, sources, strict=True):
        story = Story.objects.create(
            language="az", lead_article=article, last_published_at=article.published_at
        )
        Article.objects.filter(pk=article.pk).update(source=source, story=story)


def sources(number):
    Source.objects.bulk_create(SourceFactory.build() for _i in range(number))
    bulk_articles(3, source=Source.objects.last(), now=timezone.now() - timedelta(days=number))


def stories(number):
    articles(number)


def comments(number):
    articles(number)
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author=UserFactory(),
            body=f"Şərh {i}",
            created_at=now - timedelta(minutes=i),
        )
        for i, article in enumerate(Article.objects.filter(comments=None))
    )


def categories(number):
    Category.objects.bulk_create(CategoryFactory.build() for _i in range(number))


def live_updates(number):
    articles(number)
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=article, body=f"<p>Yenilik {i}</p>")
        for i, article in enumerate(Article.objects.filter(live_updates=None))
    )


def users(number):
    get_user_model().objects.bulk_create(UserFactory.build() for _i in range(number))


LISTS = [
    ("admin:articles_article_changelist", articles),
    ("admin:articles_source_changelist", sources),
    ("admin:articles_story_changelist", stories),
    ("admin:comments_comment_changelist", comments),
    ("admin:articles_category_changelist", categories),
    ("admin:articles_liveupdate_changelist", live_updates),
    ("admin:auth_user_changelist", users),
]


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize(("name", "make_rows"), LISTS, ids=[name for name, _make in LISTS])
def test_a_change_list_runs_as_many_queries_for_100_rows_as_for_10(
    admin_client, django_assert_max_num_queries, name, make_rows
):
    url = reverse(name)
    make_rows(10)
    few, response = queries_of(admin_client, url)
    assert response.context["cl"].result_count >= 10

    make_rows(90)
    with django_assert_max_num_queries(few):
        response = admin_client.get(url)
    assert response.status_code == 200
    listed = response.context["cl"]
    assert len(listed.result_list) >= min(100, listed.list_per_page)


# --- the article list over a million rows: an estimated count, date links from the ends -------


def at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12))


def test_the_date_links_come_from_the_first_and_last_dates_not_every_row(admin_client):
    for when in (at(2024, 11, 3), at(2026, 2, 10), at(2026, 4, 20), at(2026, 4, 21)):
        ArticleFactory(published_at=when)
    url = reverse("admin:articles_article_changelist")

    with CaptureQueriesContext(connection) as captured:
        years = admin_client.get(url).content.decode()
    assert not [
        sql for sql in (q["sql"] for q in captured) if "DISTINCT" in sql and "published_at" in sql
    ]
    # 2025 has no article but lies between the first and the last: listed, opens empty.
    for year in (2024, 2025, 2026):
        assert f"?published_at__year={year}" in years

    months = admin_client.get(url, {"published_at__year": 2026}).content.decode()
    assert "Fevral 2026" in months and "Mart 2026" in months and "Aprel 2026" in months
    assert "Yanvar 2026" not in months and "May 2026" not in months
    assert "published_at__month=3" in months

    days = admin_client.get(url, {"published_at__year": 2026, "published_at__month": 4})
    days = days.content.decode()
    assert "published_at__day=20" in days and "published_at__day=21" in days
    assert "published_at__day=22" not in days
    listed = admin_client.get(
        url, {"published_at__year": 2026, "published_at__month": 4, "published_at__day": 21}
    )
    assert listed.context["cl"].result_count == 1


def test_a_long_list_says_postgresql_s_estimate_and_a_short_one_its_exact_count(
    admin_client, monkeypatch
):
    monkeypatch.setattr(admin_lists, "EXACT_COUNT_UP_TO", 5)
    bulk_articles(12)
    ArticleFactory(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")

    listed = admin_client.get(url, headers={"accept-language": "az"})
    drafts = admin_client.get(url, {"status": "draft"}, headers={"accept-language": "az"})
    russian = admin_client.get(f"/ru{url}")

    # One draft: counted exactly, whatever the database.
    assert "1 qeyd" in drafts.content.decode() and "≈" not in drafts.content.decode()
    if connection.vendor == "postgresql":
        count = listed.context["cl"].result_count
        assert count >= 13
        assert f"≈ {count} qeyd" in listed.content.decode()
        assert "≈" in russian.content.decode() and "запис" in russian.content.decode()
    else:
        assert "13 qeyd" in listed.content.decode() and "≈" not in listed.content.decode()
        assert "13 записей" in russian.content.decode()


def test_a_search_counts_exactly_fewer_matches(admin_client, monkeypatch):
    monkeypatch.setattr(admin_lists, "EXACT_COUNT_UP_TO", 50)
    monkeypatch.setattr(admin_lists, "EXACT_SEARCH_COUNT_UP_TO", 5)
    bulk_articles(12)
    url = reverse("admin:articles_article_changelist")
    az = {"accept-language": "az"}

    listed = admin_client.get(url, headers=az).content.decode()
    searched = admin_client.get(url, {"q": "Toplu"}, headers=az)
    narrow = admin_client.get(url, {"q": "xəbər 11"}, headers=az).content.decode()

    assert "12 qeyd" in listed and "≈" not in listed
    assert "1 qeyd" in narrow and "≈" not in narrow
    if connection.vendor == "postgresql":
        count = searched.context["cl"].result_count
        assert count >= 12 and f"≈ {count} qeyd" in searched.content.decode()
    else:
        assert "12 qeyd" in searched.content.decode()


def test_a_later_page_lists_its_rows_in_order(admin_client):
    bulk_articles(250)
    url = reverse("admin:articles_article_changelist")

    page = admin_client.get(url, {"p": 3})
    searched = admin_client.get(url, {"p": 2, "q": "Toplu"})

    shown = [article.title for article in page.context["cl"].result_list]
    assert shown == [f"Toplu xəbər {i}" for i in range(200, 250)]
    shown = [article.title for article in searched.context["cl"].result_list]
    assert shown == [f"Toplu xəbər {i}" for i in range(100, 200)]


def test_the_source_list_counts_a_source_s_articles_up_to_a_limit(admin_client, monkeypatch):
    monkeypatch.setattr(articles_admin, "ARTICLES_COUNTED_UP_TO", 3)
    many, few = SourceFactory(name="Çox.az"), SourceFactory(name="Az.az")
    bulk_articles(5, source=many)
    bulk_articles(2, source=few, now=timezone.now() - timedelta(days=1))
    url = reverse("admin:articles_source_changelist")

    rows = {row["name"]: row["article_total"] for row in changelist_rows(admin_client.get(url))}
    russian = changelist_rows(admin_client.get(f"/ru{url}"))

    assert rows == {"Çox.az": "3-dən çox", "Az.az": "2"}
    assert {row["name"]: row["article_total"] for row in russian}["Çox.az"] == "более 3"


def test_the_daily_views_date_links_come_from_the_first_and_last_days(admin_client):
    article = ArticleFactory()
    for day in (date(2025, 12, 30), date(2026, 1, 15), date(2026, 3, 1)):
        DailyViews.objects.create(article=article, day=day, views=3)
    url = reverse("admin:articles_dailyviews_changelist")

    years = admin_client.get(url).content.decode()
    months = admin_client.get(url, {"day__year": 2026}).content.decode()

    assert "?day__year=2025" in years and "?day__year=2026" in years
    assert "Yanvar 2026" in months and "Fevral 2026" in months and "Mart 2026" in months
    assert "Aprel 2026" not in months and "Dekabr 2025" not in months
