"""Related news by the words their titles share (articles/related.py), folded as search folds
them: ə, İ/I, ё and letter case do not keep two titles about one thing apart."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection

from articles import related
from articles.importers.feeds import import_source
from articles.models import Article

fill_title_words = import_module("articles.migrations.0031_article_title_words").fill_title_words


def related_section(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index('class="related"') :].split("</section>")[0]


@pytest.mark.parametrize(
    ("language", "title", "alike", "unlike"),
    [
        (
            "az",
            "İlham Əliyev Naxçıvanda yeni zavodun açılışında",
            "ILHAM ELIYEV NAXÇIVANDA görüş keçirdi",
            "Naxçıvanda hava isti olacaq",
        ),
        (
            "ru",
            "Ёлка на площади Фонтанов зажжётся в субботу",
            "ЕЛКА у площади Фонтанов: что известно",
            "Площади Баку готовят к празднику",
        ),
    ],
)
def test_titles_sharing_two_folded_words_are_related(
    client, make_article, language, title, alike, unlike
):
    article = make_article(title=title, language=language)
    make_article(title=alike, language=language)
    make_article(title=unlike, language=language)

    section = related_section(client, article)

    assert alike in section
    assert unlike not in section


def test_an_article_keeps_its_titles_folded_words(make_article):
    article = make_article(title="İlham Əliyev Naxçıvanda yeni zavodu açıb")
    article.refresh_from_db()
    assert article.title_words == "acib eliyev ilham naxcivanda yeni zavodu"

    article.title = "Ёлка на площади Фонтанов"
    article.save(update_fields=["title"])
    article.refresh_from_db()
    assert article.title_words == "елка площади фонтанов"


def test_imported_articles_keep_their_titles_folded_words(feed_import, make_source, server):
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>X</title>'
        "<link>https://news.example/</link><description>-</description><item>"
        "<title>İlham Əliyev Naxçıvanda yeni zavodu açıb</title>"
        "<link>https://news.example/1</link><description>Zavod 300 nəfəri işlə təmin edəcək."
        "</description></item></channel></rss>"
    )
    server.add("/words.xml", feed.encode(), content_type="application/rss+xml")
    import_source(make_source("/words.xml"))
    assert Article.objects.get().title_words == "acib eliyev ilham naxcivanda yeni zavodu"


@pytest.mark.parametrize("stored", ["stored", "backfilled"])
def test_rows_without_stored_words_are_related_alike_until_filled(client, make_article, stored):
    article = make_article(title="İlham Əliyev Naxçıvanda yeni zavodun açılışında")
    alike = make_article(title="ILHAM ELIYEV NAXÇIVANDA görüş keçirdi")
    before = related_section(client, article)
    # Rows older than the column: empty until the migration's backfill reaches them.
    Article.objects.update(title_words="")
    cache.clear()
    assert related_section(client, article) == before
    assert alike.title in before
    if stored == "backfilled":
        fill_title_words(apps, SimpleNamespace(connection=connection))
        assert set(Article.objects.values_list("title_words", flat=True)) == {
            related.stored_title_words(each.title) for each in (article, alike)
        }
