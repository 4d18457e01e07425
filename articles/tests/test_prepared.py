"""Queries compiled once (articles/prepared.py) find what their queryset finds, for each run's
values: the article page asked for one article after another, and a scheduled one in time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Tag
from articles.tests.factories import SourceFactory
from articles.views import PUBLISHED_FOR_PAGE


def loaded(instance):
    return instance and {name: value for name, value in vars(instance).items() if name != "_state"}


def page_fields(article):
    """What the article page reads of an article and the rows loaded with it."""
    return (
        loaded(article),
        loaded(article.source),
        loaded(article.translated),
        article.tag_list,
        article.get_deferred_fields(),
    )


@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_article_page_shows_each_article_it_is_asked_for(client, make_article, language):
    first = make_article(language=language, title="Bakıda külək")
    second = make_article(language=language, title="Gəncədə yağış")

    for article in (first, second, first):
        response = client.get(article.get_absolute_url())

        assert response.status_code == 200
        assert f'class="article-title">{article.title}<' in response.content.decode()


def test_each_run_loads_what_the_queryset_loads(make_article):
    translation = make_article(language="ru", title="Ветер в Баку", source=SourceFactory())
    article = make_article(title="Bakıda külək", translation=translation)
    article.tags.add(Tag.objects.create(name="Hava"))
    other = make_article(title="Gəncədə yağış")
    now = timezone.now()

    for each in (article, other, translation):
        (prepared,) = PUBLISHED_FOR_PAGE.run(pk=each.pk, now=now)
        loaded = Article.objects.for_page().published().get(pk=each.pk)

        assert page_fields(prepared) == page_fields(loaded)


def test_the_time_is_each_runs_own(make_article):
    now = timezone.now()
    scheduled = make_article(published_at=now + timedelta(minutes=5))

    assert PUBLISHED_FOR_PAGE.run(pk=scheduled.pk, now=now) == []
    assert PUBLISHED_FOR_PAGE.run(pk=scheduled.pk, now=now + timedelta(minutes=6)) == [scheduled]
    assert PUBLISHED_FOR_PAGE.run(pk=scheduled.pk, now=now) == []


def test_each_article_gets_its_own_related_news(client, make_article):
    """Two articles of the same shape (one tag, no story) share one compiled query."""
    pairs = []
    for tag_name, title, related_title in [
        ("Neft", "Neft bahalaşdı", "OPEC hasilatı azaldır"),
        ("İdman", "Qarabağ qalib gəldi", "Yeni stadion açılır"),
    ]:
        tag = Tag.objects.create(name=tag_name)
        article = make_article(title=title)
        article.tags.add(tag)
        make_article(title=related_title).tags.add(tag)
        pairs.append((article, related_title))

    for (article, own), (_other, others) in zip(pairs, reversed(pairs), strict=True):
        html = client.get(article.get_absolute_url()).content.decode()
        section = html[html.index('class="related"') :].split("</section>")[0]

        assert own in section
        assert others not in section
