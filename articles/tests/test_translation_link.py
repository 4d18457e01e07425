import pytest
from django.db import IntegrityError, transaction

from articles.models import Article
from articles.services import link_translation


@pytest.fixture
def pair(make_article):
    return make_article(language="az"), make_article(language="ru")


def test_link_is_symmetric(pair):
    az, ru = pair

    link_translation(ru, az)

    az, ru = Article.objects.get(pk=az.pk), Article.objects.get(pk=ru.pk)
    assert az.translated == ru
    assert ru.translated == az


def test_relinking_releases_the_old_translation(pair, make_article):
    az, ru = pair
    other_ru = make_article(language="ru")
    link_translation(az, ru)

    link_translation(az, other_ru)

    assert Article.objects.get(pk=az.pk).translated == other_ru
    assert Article.objects.get(pk=ru.pk).translated is None


def test_unlinking(pair):
    az, ru = pair
    link_translation(az, ru)

    link_translation(Article.objects.get(pk=ru.pk), None)

    assert Article.objects.get(pk=az.pk).translated is None


def test_database_allows_one_translation_per_article(pair, make_article):
    az, ru = pair
    link_translation(az, ru)
    second_az = make_article(language="az")

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=second_az.pk).update(translation=ru)


def test_database_keeps_the_link_on_the_azerbaijani_side(pair):
    az, ru = pair

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=ru.pk).update(translation=az)
