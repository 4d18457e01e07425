"""Raw SQL that restates `ArticleQuerySet.published()` for speed agrees with it.

The article page's refresh of a cached article (`Article.refresh_reader_fields`) and the view
counter's statement (articles/counting/database.py) write the condition out in SQL; for every
kind of article they must find the same ones as `published()`.
"""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from articles.counting import count_view
from articles.models import Article
from articles.tests.pages import ACCEPT, BROWSER


@pytest.fixture
def every_kind(make_article):
    now = timezone.now()
    return {
        "published": make_article(),
        "published a second ago": make_article(published_at=now - timedelta(seconds=1)),
        "scheduled": make_article(published_at=now + timedelta(minutes=5)),
        "draft": make_article(status=Article.Status.DRAFT),
        "scheduled draft": make_article(
            status=Article.Status.DRAFT, published_at=now + timedelta(minutes=5)
        ),
    }


def test_a_cached_article_is_refreshed_only_while_published(every_kind):
    published = set(Article.objects.published().values_list("pk", flat=True))

    refreshed = {
        pk for pk in (a.pk for a in every_kind.values()) if Article(pk=pk).refresh_reader_fields()
    }

    assert refreshed == published
    assert published == {every_kind["published"].pk, every_kind["published a second ago"].pk}


def test_views_are_counted_only_for_published_articles(every_kind):
    for article in every_kind.values():
        request = RequestFactory().get(
            article.get_absolute_url(), HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER
        )
        count_view(request, article.pk)

    counted = set(Article.objects.filter(views__gt=0).values_list("pk", flat=True))
    assert counted == set(Article.objects.published().values_list("pk", flat=True))
