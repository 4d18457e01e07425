"""generate_articles: the rows it makes look like the site's own, on SQLite and PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum

from articles import related
from articles.management.commands import generate_articles
from articles.models import Article, DailyViews, Source
from articles.tests.pages import ACCEPT


def generate(count, *options):
    call_command("generate_articles", str(count), *options, stdout=io.StringIO(), verbosity=0)


def schema():
    """The articles and daily views tables' indexes and constraints, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE tablename IN ('articles_article', 'articles_dailyviews') "
            "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('articles_article'::regclass, 'articles_dailyviews'::regclass)"
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_generated_articles_are_published_with_their_daily_views(client):
    generate(400, "--days", "30")

    articles = Article.objects.published()
    assert articles.count() == 400
    assert set(articles.values_list("language", flat=True)) == {"az", "ru"}
    assert articles.filter(language="ru").count() < articles.filter(language="az").count()
    assert articles.exclude(source=None).count() > 300
    assert articles.exclude(category=None).count() > 250
    assert articles.exclude(label="").exists()
    for article in articles.exclude(source=None)[:50]:
        assert article.source_url == f"{article.source.homepage}/news/{article.pk}"
        assert article.archived_at == article.published_at
        assert article.title_words == related.stored_title_words(article.title) != ""
    # Each article's views are split over one to three days from its first one.
    totals = dict(
        DailyViews.objects.values("article")
        .annotate(total=Sum("views"))
        .values_list("article", "total")
    )
    for article in articles.only("pk", "views"):
        assert totals.get(article.pk, 0) == article.views
    days = DailyViews.objects.values("article").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(days) <= {1, 2, 3}

    newest = articles.filter(language="az").order_by("-published_at").first()
    page = client.get(newest.get_absolute_url(), HTTP_ACCEPT=ACCEPT)
    assert page.status_code == 200
    assert newest.title in page.content.decode()


@pytest.mark.django_db
def test_generated_articles_are_found_by_search(client):
    generate(200, "--language", "az", "--days", "10")

    page = client.get("/search/", {"q": "Azərbaycan"}).content.decode()
    assert "<mark>Azərbaycan</mark>" in page
    if connection.vendor == "postgresql":
        # The vectors the load supplied are the ones the trigger computes from the text.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM articles_article WHERE search_head IS DISTINCT FROM "
                "articles_search_head(title, lead) OR search_vector IS DISTINCT FROM "
                "articles_search_head(title, lead) || articles_search_body(body)"
            )
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_generated_articles_are_repeatable():
    generate(30, "--seed", "7")
    first = list(Article.objects.order_by("pk").values_list("title", "language", "views"))
    Article.objects.all().delete()
    Source.objects.all().delete()
    generate(30, "--seed", "7")
    again = list(Article.objects.order_by("pk").values_list("title", "language", "views"))
    assert again == first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk load")
@pytest.mark.django_db(transaction=True)
def test_a_large_load_builds_every_index_and_constraint_again(monkeypatch):
    monkeypatch.setattr(generate_articles, "REBUILD_INDEXES_FROM", 50)
    before = schema()

    generate(300)

    assert schema() == before
    assert Article.objects.count() == 300


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk load")
@pytest.mark.django_db(transaction=True)
def test_a_failed_large_load_leaves_the_tables_as_they_were(monkeypatch):
    monkeypatch.setattr(generate_articles, "REBUILD_INDEXES_FROM", 50)
    monkeypatch.setattr(generate_articles, "LOAD_SQL", "SELECT 1 / 0")
    before = schema()

    with pytest.raises(Exception, match="division by zero"):
        generate(300)

    assert schema() == before
    assert not Article.objects.exists()
