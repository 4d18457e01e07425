"""The admin's change lists cost the same number of queries for 10 rows as for 100."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category, LiveUpdate, Source, Story
from articles.tests.factories import CategoryFactory, SourceFactory, UserFactory, bulk_articles
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
