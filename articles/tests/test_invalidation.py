"""Every write path that changes what readers see makes the cached pages stale at once.

There are no signals: each path calls `articles_changed()` itself (articles/caching/). A reader's
home page and article page are cached (fragments and the page cache on), then the write goes
through the way editors, importers and commands make it, and the next reader sees the change.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import stories
from articles.models import Article, Category, Source
from articles.tests.feed_server import FeedServer
from articles.tests.pages import BROWSER


@pytest.fixture(autouse=True)
def cached(settings, db):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()


def read(client, url):
    """Return the page as an anonymous reader gets it (from the page cache when it is there)."""
    client.cookies.clear()
    return client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9").content.decode()


def cached_home(client, title_absent):
    """Read the home page twice (cached) and check `title_absent` is not on it yet."""
    assert title_absent not in read(client, "/")
    assert title_absent not in read(client, "/")


def article_data(article, **changes):
    published = timezone.localtime(article.published_at)
    data = {
        "language": article.language,
        "title": article.title,
        "slug": article.slug,
        "label": article.label,
        "lead": article.lead,
        "body": article.body,
        "image_caption": "",
        "author_name": "",
        "author_position": "",
        "source": article.source_id or "",
        "source_url": article.source_url,
        "archived_at_0": "",
        "archived_at_1": "",
        "attribution_variant": "",
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "category": article.category_id or "",
        "translation_link": "",
    }
    data.update(changes)
    return data


def test_an_article_saved_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Köhnə başlıq")
    cached_home(client, "Yeni başlıq")

    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_data(article, title="Yeni başlıq"),
    )

    assert response.status_code == 302
    assert "Yeni başlıq" in read(client, "/")
    assert "Yeni başlıq" in read(client, article.get_absolute_url())


def test_an_article_added_in_the_admin(client, admin_client, make_article):
    template = make_article(title="Nümunə")
    cached_home(client, "Təzə xəbər")
    data = article_data(template, title="Təzə xəbər", slug="", source_url="")

    assert admin_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert "Təzə xəbər" in read(client, "/")


def test_an_article_deleted_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Silinəcək xəbər")
    assert "Silinəcək xəbər" in read(client, "/")

    admin_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})

    assert "Silinəcək xəbər" not in read(client, "/")


@pytest.mark.parametrize(
    "action, before, title_shown",
    [("publish", Article.Status.DRAFT, True), ("unpublish", Article.Status.PUBLISHED, False)],
)
def test_the_admin_bulk_actions(client, admin_client, make_article, action, before, title_shown):
    article = make_article(title="Toplu dəyişən xəbər", status=before)
    assert ("Toplu dəyişən xəbər" in read(client, "/")) is not title_shown

    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk]},
    )

    assert ("Toplu dəyişən xəbər" in read(client, "/")) is title_shown


def test_articles_deleted_in_bulk_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Toplu silinən xəbər")
    assert "Toplu silinən xəbər" in read(client, "/")

    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )

    assert "Toplu silinən xəbər" not in read(client, "/")


def test_a_category_renamed_in_the_admin(client, admin_client, make_article):
    category = Category.objects.create(slug="idman", name_az="İdman", name_ru="Спорт")
    make_article(category=category)
    cached_home(client, "Futbol və idman")

    admin_client.post(
        reverse("admin:articles_category_change", args=[category.pk]),
        {"name_az": "Futbol və idman", "name_ru": "Спорт", "slug": "idman", "position": 0},
    )

    assert "Futbol və idman" in read(client, "/")


def test_a_source_renamed_in_the_admin(client, admin_client, make_article, source):
    article = make_article(source=source)
    assert "525.az" in read(client, article.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_source_change", args=[source.pk]),
        {
            "name": "Beş yüz iyirmi beş",
            "slug": source.slug,
            "kind": source.kind,
            "homepage": source.homepage,
            "language": "az",
            "feed_url": "",
            "category_map": "{}",
        },
    )

    assert "Beş yüz iyirmi beş" in read(client, article.get_absolute_url())


def test_a_translation_linked_in_the_admin(client, admin_client, make_article):
    azerbaijani = make_article(title="Bakıda park")
    russian = make_article(title="Парк в Баку", language="ru")
    url = azerbaijani.get_absolute_url()
    assert russian.get_absolute_url() not in read(client, url)

    admin_client.post(
        reverse("admin:articles_article_change", args=[azerbaijani.pk]),
        article_data(azerbaijani, translation_link=russian.pk),
    )

    assert russian.get_absolute_url() in read(client, url)


def test_import_seeds(client, db):
    read(client, "/")
    before = read(client, "/")

    call_command("import_seeds", verbosity=0)

    newest = Article.objects.published().in_language("az").order_by("-published_at").first()
    assert newest.title in read(client, "/")
    assert newest.title not in before


def test_generate_articles(client, db):
    read(client, "/")
    before = read(client, "/")

    call_command("generate_articles", "3", "--days", "1", stdout=io.StringIO())

    assert read(client, "/") != before
    newest = Article.objects.published().in_language("az").order_by("-published_at").first()
    assert newest.title in read(client, "/")


def test_import_feeds(client, db, settings):
    settings.FEED_IMPORT_PRIVATE_HOSTS = True  # the feed is served on the loopback
    server = FeedServer().start()
    try:
        server.add_fixture("/az.xml", "rss_az.xml")
        Source.objects.create(
            name="Oxu.az",
            slug="oxu-az",
            homepage="https://oxu.az",
            feed_url=server.url("/az.xml"),
            is_active=True,
            publish_imported=True,
        )
        read(client, "/")
        before = read(client, "/")

        call_command("import_feeds", "--quiet", stdout=io.StringIO())
    finally:
        server.stop()

    imported = Article.objects.published().in_language("az").order_by("-published_at").first()
    assert imported is not None and imported.source.name == "Oxu.az"
    assert read(client, "/") != before
    assert imported.title in read(client, "/")


# --- stories: joining, merging and moving change the other articles' pages -------------------

AGENCY_TEXT = (
    "<p>Bakı metrosunun Xocəsən stansiyası sərnişinlərin istifadəsinə verilib. Stansiya Yaşıl "
    "xəttdə yerləşir və gündə 40 min sərnişinə xidmət göstərəcək.</p>"
)
OTHER_TEXT = (
    "<p>Gəncə şəhərində 5 hektarlıq yeni park sakinlərin istifadəsinə verilib. Parkda uşaq "
    "meydançaları və velosiped yolları salınıb.</p>"
)


def story_article(make_article, title, body, source_name):
    source = Source.objects.create(
        name=source_name, slug=source_name.lower().replace(".", "-"), homepage="https://x.az"
    )
    article = make_article(title=title, body=body, source=source)
    stories.match_articles([article])
    article.refresh_from_db()
    return article


def test_an_editor_merging_and_splitting_stories(client, admin_client, make_article):
    first = story_article(make_article, "Xocəsən stansiyası açılıb", AGENCY_TEXT, "APA")
    other = story_article(make_article, "Gəncədə park açılıb", OTHER_TEXT, "Trend")
    assert "Bu xəbəri həmçinin yazıb" not in read(client, first.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_story_changelist"),
        {"action": "merge", "_selected_action": [first.story_id, other.story_id]},
    )
    assert "Bu xəbəri həmçinin yazıb" in read(client, first.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "move_out_of_story", "_selected_action": [other.pk]},
    )
    assert "Bu xəbəri həmçinin yazıb" not in read(client, first.get_absolute_url())


def test_an_imported_copy_joining_a_story(client, make_article):
    first = story_article(make_article, "Xocəsən stansiyası açılıb", AGENCY_TEXT, "APA")
    assert "Bu xəbəri həmçinin yazıb" not in read(client, first.get_absolute_url())
    story_article(make_article, "Metroda yeni stansiya", AGENCY_TEXT, "Report.az")
    assert "Bu xəbəri həmçinin yazıb" in read(client, first.get_absolute_url())
