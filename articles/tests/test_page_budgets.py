"""The article page's query budget (≤ 8) with everything it can carry, in both languages.

An article with a gallery, live updates, comments with a reply, a story told by another
source, related news, tags and a translation: rendered with no cache at all (the test
settings), for a new reader whose view is counted, and with the default database cache
(newsportal.cache.DatabaseCache) when nothing of this article is cached yet. Home and a list
page stay within 6 the same way.
"""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticlePhoto, Category, LiveUpdate, Story, Tag
from articles.tests.factories import ArticleFactory, SourceFactory
from articles.tests.pages import ACCEPT, BROWSER
from comments.models import Comment

ARTICLE_BUDGET = 8
LIST_BUDGET = 6

WORDS = {
    "az": {
        "title": "Bakıda güclü külək ağacları yıxdı",
        "other": "Bakıda güclü külək elektrik xəttini qırdı",
        "related": "Bakıda güclü külək sabah da davam edəcək",
        "photo": "Yıxılmış ağac bulvarda",
        "update": "Külək səngiməyə başladı.",
        "comment": "Bizim həyətdə də ağac yıxıldı.",
        "reply": "Bizdə də elə oldu.",
        "tag": "Hava",
        "reported": "Bu xəbəri həmçinin yazıb:",
        "related_title": "Oxşar xəbərlər",
    },
    "ru": {
        "title": "Сильный ветер в Баку повалил деревья",
        "other": "Сильный ветер в Баку оборвал линию электропередачи",
        "related": "Сильный ветер в Баку продолжится и завтра",
        "photo": "Поваленное дерево на бульваре",
        "update": "Ветер начал стихать.",
        "comment": "У нас во дворе тоже упало дерево.",
        "reply": "У нас было так же.",
        "tag": "Погода",
        "reported": "Об этом также пишут:",
        "related_title": "Похожие новости",
    },
}


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), (30, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("kulek.jpg", buffer.getvalue(), content_type="image/jpeg")


def full_article(language):
    """Return a published article carrying every block the article page can show."""
    words = WORDS[language]
    ours, theirs = SourceFactory(name="Report.az"), SourceFactory(name="Trend.az")
    category = Category.objects.create(slug="hava", name_az="Hava", name_ru="Погода")
    now = timezone.now()
    article = ArticleFactory(
        language=language,
        title=words["title"],
        lead=words["title"] + ".",
        source=ours,
        category=category,
        author_name="Aygün Məmmədova",
        published_at=now - timedelta(hours=2),
        live_coverage=Article.Coverage.OPEN,
    )
    other = ArticleFactory(
        language=language,
        title=words["other"],
        source=theirs,
        published_at=now - timedelta(hours=1),
    )
    story = Story.objects.create(language=language, lead_article=article, source_count=2)
    Article.objects.filter(pk__in=[article.pk, other.pk]).update(story=story)
    tag = Tag.objects.create(name=words["tag"])
    related = ArticleFactory(
        language=language, title=words["related"], published_at=now - timedelta(hours=3)
    )
    for each in (article, related):
        each.tags.add(tag)
    for position in range(2):
        ArticlePhoto.objects.create(
            article=article,
            image=jpeg(),
            alt_text=f"{words['photo']} {position}",
            position=position,
        )
    LiveUpdate.objects.create(article=article, body=f"<p>{words['update']}</p>")
    reader = get_user_model().objects.create_user("oxucu", password="parol-12345")
    comment = Comment.objects.create(article=article, author=reader, body=words["comment"])
    Comment.objects.create(article=article, author=reader, parent=comment, body=words["reply"])
    Article.objects.filter(pk=article.pk).update(photo_count=2, comment_count=2)
    if language == "ru":
        translated = ArticleFactory(language="az", title="Bakıda külək", translation=article)
    else:
        translated = ArticleFactory(language="ru", title="Ветер в Баку")
        Article.objects.filter(pk=article.pk).update(translation=translated)
    return Article.objects.get(pk=article.pk), category


def assert_everything_shown(response, language):
    words = WORDS[language]
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("title", "update", "comment", "reply", "tag", "reported", "related_title"):
        assert words[key] in html, key
    assert f"{words['photo']} 1" in html
    assert re.search(r'<p class="story-versions">[^<]*<a href="[^"]+">Trend\.az</a>', html)
    assert re.search(rf'<a href="[^"]+">{re.escape(words["related"])}', html)
    assert 'hreflang="az"' in html and 'hreflang="ru"' in html


def count(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, [query["sql"] for query in queries]


COUNTING = re.compile(
    r"SAVEPOINT|articles_recentview|articles_addressviews|articles_dailyviews|"
    r'UPDATE "articles_article" SET "views"'
)


def within_budget_with_counting(queries):
    """Tell whether a counted page is within 8: PostgreSQL counts a view in one statement
    (all of them together then), SQLite in a savepoint of several (left out, one allowed)."""
    if connection.vendor == "postgresql":
        return len(queries) <= ARTICLE_BUDGET
    return len([sql for sql in queries if not COUNTING.search(sql)]) <= ARTICLE_BUDGET - 1


@pytest.fixture
def no_cache_leftovers(db):
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("language", ["az", "ru"])
def test_an_article_with_everything_rendered_without_any_cache(client, db, language):
    article, _category = full_article(language)

    response, queries = count(client, article.get_absolute_url())

    assert_everything_shown(response, language)
    assert len(queries) <= ARTICLE_BUDGET, "\n".join(queries)


@pytest.mark.parametrize("language", ["az", "ru"])
def test_an_article_with_everything_for_a_new_reader_rendered_without_any_cache(
    client, db, language
):
    article, _category = full_article(language)

    response, queries = count(
        client, article.get_absolute_url(), HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT=ACCEPT
    )

    assert_everything_shown(response, language)
    assert Article.objects.get(pk=article.pk).views == 1
    # With no cache at all (a test set-up, not production's), the page's own 8 and the view.
    page = [sql for sql in queries if not COUNTING.search(sql)]
    assert len(page) <= ARTICLE_BUDGET, "\n".join(queries)
    if connection.vendor == "postgresql":
        assert len(queries) == len(page) + 1


@pytest.mark.parametrize("language", ["az", "ru"])
def test_an_article_nobody_asked_for_yet_with_the_database_cache(
    client, settings, no_cache_leftovers, language
):
    settings.FRAGMENT_CACHE_SECONDS = 60
    article, category = full_article(language)
    prefix = "/ru" if language == "ru" else ""
    client.get(f"{prefix}/category/{category.slug}/")  # the menu and blocks are cached

    response, queries = count(
        client, article.get_absolute_url(), HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT=ACCEPT
    )

    assert_everything_shown(response, language)
    assert not [sql for sql in queries if "COUNT(*)" in sql.upper()], queries
    assert within_budget_with_counting(queries), "\n".join(queries)
    assert Article.objects.get(pk=article.pk).views == 1

    # The next reader gets the article's parts from the cache: one read, its live counts.
    response, queries = count(client, article.get_absolute_url())
    assert_everything_shown(response, language)
    assert len(queries) <= 3, "\n".join(queries)


@pytest.mark.parametrize("language", ["az", "ru"])
@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "cold-database-cache"])
def test_home_and_a_list_page_within_six(client, settings, no_cache_leftovers, language, cached):
    if cached:
        settings.FRAGMENT_CACHE_SECONDS = 60
    article, category = full_article(language)
    prefix = "/ru" if language == "ru" else ""
    tag = Tag.objects.get()

    for url in (
        f"{prefix}/",
        f"{prefix}/category/{category.slug}/",
        f"{prefix}{tag.get_absolute_url()}",
    ):
        response, queries = count(client, url)
        assert response.status_code == 200, url
        assert article.title in response.content.decode(), url
        # A list's count comes in its page's query, never in a query of its own.
        assert not [sql for sql in queries if sql.upper().startswith("SELECT COUNT(")], queries
        assert len(queries) <= LIST_BUDGET, (url, "\n".join(queries))
