"""Every write path that changes what readers see makes the cached pages stale at once.

There are no signals: each path calls `articles_changed()` itself (articles/caching/). A reader's
home page and article page are cached (fragments and the page cache on), then the write goes
through the way editors, importers and commands make it, and the next reader sees the change.
"""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import stories
from articles.caching import articles_changed
from articles.desk.versions import versions_of
from articles.importers import fulltext
from articles.models import (
    Article,
    Category,
    FrontPagePick,
    FullText,
    LiveUpdate,
    Republish,
    Source,
    Tag,
)
from articles.tests.feed_server import FeedServer
from articles.tests.pages import ACCEPT, BROWSER, NO_GALLERY, form_data


@pytest.fixture(autouse=True)
def cached(settings, db):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()


def read(client, url):
    """Return the page as an anonymous reader gets it (from the page cache when it is there)."""
    client.cookies.clear()
    return client.get(
        url, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9"
    ).content.decode()


def cached_home(client, title_absent):
    """Read the home page twice (cached) and check `title_absent` is not on it yet."""
    assert title_absent not in read(client, "/")
    assert title_absent not in read(client, "/")


def article_data(article, **changes):
    published = timezone.localtime(article.published_at)
    data = {
        **NO_GALLERY,
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
            "full_text": "feed",
            "republish": "full",
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
            full_text=FullText.FEED,  # the fixture's links lead to real sites
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


def test_a_page_rendered_before_the_commit_is_stale_after_it(
    client, make_article, django_capture_on_commit_callbacks
):
    """A reader who renders between the writer's call and its commit stores the old rows."""
    article = make_article(title="Köhnə başlıq")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Article.objects.filter(pk=article.pk).update(title="Yeni başlıq")
            articles_changed()
            # What a reader on another connection would still see: the old row, now stored
            # under the new generation.
            Article.objects.filter(pk=article.pk).update(title="Köhnə başlıq")
            assert "Köhnə başlıq" in read(client, "/")
            Article.objects.filter(pk=article.pk).update(title="Yeni başlıq")

    assert "Yeni başlıq" in read(client, "/")


def test_a_comment_hidden_by_a_moderator(client, admin_client, make_article, django_user_model):
    from comments import services as comment_services

    article = make_article()
    reader = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "pw-12345")
    comment = comment_services.post_comment(author=reader, article=article, body="Pis şərh")
    assert "Pis şərh" in read(client, article.get_absolute_url())
    assert "Pis şərh" in read(client, article.get_absolute_url())  # the stored copy

    admin_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "hide", "_selected_action": [comment.pk]},
    )

    assert "Pis şərh" not in read(client, article.get_absolute_url())


# --- the editors' desk (articles/desk/, the front page, live coverage) -------------------------


def desk_form(client, article, **changes):
    """Open the change page as an editor's browser does and return its form with `changes`."""
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    return form_data(page, "article_form", **changes)


def test_a_live_update_added_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Canlı xəbər", live_coverage=Article.Coverage.OPEN)
    assert "Stadiona çatdıq." not in read(client, article.get_absolute_url())
    assert "Stadiona çatdıq." not in read(client, article.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_article_add_live_update", args=[article.pk]),
        {"live-body": "<p>Stadiona çatdıq.</p>"},
    )

    assert "Stadiona çatdıq." in read(client, article.get_absolute_url())


def test_a_live_update_corrected_in_the_admin(client, admin_client, make_article):
    article = make_article(live_coverage=Article.Coverage.OPEN)
    update = LiveUpdate.objects.create(article=article, body="<p>Səhv rəqəm: 5</p>")
    assert "Səhv rəqəm" in read(client, article.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_liveupdate_change", args=[update.pk]),
        {
            "article": article.pk,
            "published_at_0": timezone.localtime().strftime("%Y-%m-%d"),
            "published_at_1": timezone.localtime().strftime("%H:%M:%S"),
            "body": "<p>Düzgün rəqəm: 7</p>",
            "image_alt": "",
        },
    )

    assert "Düzgün rəqəm: 7" in read(client, article.get_absolute_url())


def test_a_front_page_pick_added_and_moved_in_the_admin(client, admin_client, make_article):
    first, second = make_article(title="Seçim bir"), make_article(title="Seçim iki")
    home = read(client, "/")
    assert "Redaktor seçimi" not in home and "Redaktor seçimi" not in read(client, "/")

    for article in (first, second):
        admin_client.post(
            reverse("admin:articles_frontpagepick_add"),
            {"language": "az", "article": article.pk, "starts_at_0": "", "ends_at_0": ""},
        )
    shown = read(client, "/")
    assert "Redaktor seçimi" in shown
    assert shown.index("Seçim bir") < shown.index("Seçim iki")

    pick = FrontPagePick.objects.get(article=second)
    admin_client.post(reverse("admin:articles_frontpagepick_move", args=[pick.pk, "up"]))

    moved = read(client, "/")
    picks = moved[moved.index("front-picks") :]
    assert picks.index("Seçim iki") < picks.index("Seçim bir")


def test_a_pending_change_published_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Köhnə manşet")
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        desk_form(admin_client, article, title="Təzə manşet", _pending="1"),
    )
    assert "Təzə manşet" not in read(client, article.get_absolute_url())
    assert "Təzə manşet" not in read(client, "/")

    admin_client.post(reverse("admin:articles_article_publish_pending", args=[article.pk]))

    assert "Təzə manşet" in read(client, "/")
    assert "Təzə manşet" in read(client, article.get_absolute_url())


def test_a_version_restored_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Əsl başlıq")
    url = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.post(url, desk_form(admin_client, article))
    admin_client.post(url, desk_form(admin_client, article, title="Yanlış başlıq"))
    assert "Yanlış başlıq" in read(client, "/")
    assert "Yanlış başlıq" in read(client, "/")
    first = versions_of(article).last()

    admin_client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))

    assert "Əsl başlıq" in read(client, "/")
    assert "Əsl başlıq" in read(client, article.get_absolute_url())


def test_tags_given_to_an_article_in_the_admin(client, admin_client, make_article):
    article = make_article(title="Teqlənən xəbər")
    tag = Tag.objects.create(name="Qarabağ")
    assert "Qarabağ" not in read(client, article.get_absolute_url())
    read(client, article.get_absolute_url())

    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_data(article, tags=[tag.pk]),
    )

    assert response.status_code == 302
    assert 'rel="tag">Qarabağ</a>' in read(client, article.get_absolute_url())


def test_a_tag_renamed_in_the_admin(client, admin_client, make_article):
    tag = Tag.objects.create(name="Qarabag", slug="qarabag")
    article = make_article(title="Teqli xəbər")
    article.tags.add(tag)
    assert 'rel="tag">Qarabag</a>' in read(client, article.get_absolute_url())

    admin_client.post(
        reverse("admin:articles_tag_change", args=[tag.pk]), {"name": "Qarabağ", "slug": "qarabag"}
    )

    assert 'rel="tag">Qarabağ</a>' in read(client, article.get_absolute_url())


def test_a_gallery_picture_added_in_the_admin(
    client, admin_client, make_article, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    article = make_article(title="Fotolu xəbər")
    assert "Fotolar" not in read(client, article.get_absolute_url())
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 90, 160)).save(buffer, "JPEG")
    data = article_data(
        article,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg"),
            "photos-0-alt_text": "Xəzər sahilində gün batımı",
            "photos-0-caption": "",
            "photos-0-position": "0",
        },
    )

    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == 302
    assert "Xəzər sahilində gün batımı" in read(client, article.get_absolute_url())


def test_a_full_text_fetched_after_the_import(client, db, settings, make_article, source):
    settings.FEED_IMPORT_PRIVATE_HOSTS = True
    server = FeedServer().start()
    try:
        server.add_fixture("/az/park-1", "page_az.html", content_type="text/html")
        article = make_article(
            source=source, body="<p>Qısa xülasə.</p>", source_url=server.url("/az/park-1")
        )
        url = article.get_absolute_url()
        read(client, url)
        assert "səkkiz ay çəkib" not in read(client, url)

        assert fulltext.complete_article(article.pk) == "full text"
    finally:
        server.stop()
        fulltext.robots.clear()

    assert "səkkiz ay çəkib" in read(client, url)


def test_a_sources_republishing_policy_changed_in_the_admin(
    client, admin_client, make_article, source
):
    article = make_article(source=source, body="<p>Birinci abzas.</p><p>İkinci abzas.</p>")
    url = article.get_absolute_url()
    read(client, url)
    assert "İkinci abzas." in read(client, url)
    data = {
        field: getattr(source, field)
        for field in ("name", "slug", "kind", "homepage", "language", "feed_url")
    }
    data.update(category_map="{}", full_text=source.full_text, republish=Republish.EXCERPT)

    response = admin_client.post(f"/admin/articles/source/{source.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "İkinci abzas." not in read(client, url)
    assert "Ardını mənbədə oxuyun" in read(client, url)


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
