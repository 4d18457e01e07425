from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from articles.tests.factories import ArticleFactory
from articles.tests.pages import NO_GALLERY, changelist_rows


def latest_news(response):
    html = response.content.decode()
    return html[html.index('id="latest-news"') : html.index('id="most-read"')]


def test_editors_group_has_the_article_permissions_and_none_on_users(db):
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )

    assert {"add_article", "change_article", "delete_article", "view_article"} <= codenames
    assert {"add_source", "change_source", "add_category", "view_dailyviews"} <= codenames
    assert {"add_tag", "change_tag", "view_tag", "add_articlephoto", "delete_articlephoto"} <= (
        codenames
    )
    assert not Permission.objects.filter(
        group__name="Editors", content_type__app_label="auth"
    ).exists()


def test_editor_cannot_manage_users(client, editor):
    client.force_login(editor)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_readers_cannot_enter_the_admin(client, django_user_model):
    reader = django_user_model.objects.create_user("oxucu", password="s3cret-pass")
    client.force_login(reader)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editor_creates_a_draft_publishes_it_and_readers_see_it(client, editor, seeded):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            **NO_GALLERY,
            "language": "az",
            "title": "Bakıda yeni park açıldı",
            "slug": "",
            "label": "FOTOLAR",
            "lead": "",
            "body": "<p>Park <script>alert(1)</script>açıldı.</p>",
            "image_caption": "",
            "author_name": "Redaksiya",
            "author_position": "",
            "source": seeded.source_id,
            "source_url": "https://525.az/news/park",
            "archived_at_0": "",
            "archived_at_1": "",
            "attribution_variant": "",
            "status": "draft",
            "published_at_0": "2026-01-22",
            "published_at_1": "09:00:00",
            "category": "",
            "translation_link": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="Bakıda yeni park açıldı")
    assert article.created_by == editor
    assert article.slug == "bakida-yeni-park-acildi"
    assert article.body == "<p>Park açıldı.</p>"
    assert "Bakıda yeni park açıldı" not in latest_news(client.get("/"))

    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "1 məqalə dərc olundu." in response.content.decode()

    client.logout()
    assert "Bakıda yeni park açıldı" in latest_news(client.get("/"))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<p>Park açıldı.</p>" in page
    assert "alert(1)" not in page


def test_admin_article_list_shows_the_counters_and_filters(client, editor, seeded):
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_changelist"), {"q": "Strateji"})

    assert response.status_code == 200
    # The search leaves one row: the seed's article with its views, comments and status.
    assert changelist_rows(response) == [
        {
            "title": "Strateji müttəfiqliyin yeni mərhələsi",
            "label": "-",
            "source": "525.az",
            "publication": "saytda",
            "published_at": "20 Oktyabr 2025, 12:24",
            "views": "121",
            "comment_count": "0",
        }
    ]
    html = response.content.decode()
    assert '<a href="?q=Strateji&amp;status__exact=draft">qaralama</a>' in html
    assert '<a href="?q=Strateji&amp;status__exact=published">dərc olunmuş</a>' in html


def test_source_list_shows_article_counts(client, editor, seeded):
    client.force_login(editor)

    rows = changelist_rows(client.get(reverse("admin:articles_source_changelist")))

    assert {row["name"]: row["article_total"] for row in rows} == {"525.az": "1"}


def test_editor_cannot_create_users_grant_rights_or_change_groups(
    client, editor, django_user_model
):
    reader = django_user_model.objects.create_user("oxucu", password="s3cret-pass")
    group = Group.objects.get(name="Editors")
    client.force_login(editor)

    created = client.post(
        reverse("admin:auth_user_add"),
        {"username": "yeni", "password1": "Qarabag-2026!", "password2": "Qarabag-2026!"},
    )
    promoted = client.post(
        reverse("admin:auth_user_change", args=[reader.pk]),
        {"username": "oxucu", "is_staff": "on", "is_superuser": "on"},
    )
    regrouped = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "X"})

    assert [created.status_code, promoted.status_code, regrouped.status_code] == [403, 403, 403]
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert not django_user_model.objects.filter(username="yeni").exists()
    reader.refresh_from_db()
    editor.refresh_from_db()
    assert not reader.is_staff and not reader.is_superuser and not editor.is_superuser
    assert Group.objects.filter(name="Editors").exists()


def test_the_article_list_counts_once_and_filters_without_reading_every_article(
    client, editor, django_user_model
):
    reader = django_user_model.objects.create_user("oxucu-ferid", password="s3cret-pass")
    for number in range(30):
        ArticleFactory(title=f"Xəbər {number}", label="FOTOLAR" if number % 3 else "")
    client.force_login(editor)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("admin:articles_article_changelist"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Xəbər 29" in html
    # The label filter offers the labels in use; the author filter the staff, not readers.
    assert "?label=FOTOLAR" in html
    assert "redaktor" in html
    assert reader.username not in html
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1, counts  # no second count of every article for "N total"
    if connection.vendor == "postgresql":  # labels through the label index, not DISTINCT
        distinct_labels = 'SELECT DISTINCT "articles_article"."label"'
        assert not any(distinct_labels in query["sql"] for query in captured)


def test_the_label_filter_narrows_the_article_list(client, editor):
    ArticleFactory(title="Qalereya xəbəri", label="FOTOLAR")
    ArticleFactory(title="Adi xəbər")
    client.force_login(editor)

    html = client.get(reverse("admin:articles_article_changelist"), {"label": "FOTOLAR"})
    html = html.content.decode()

    assert "Qalereya xəbəri" in html
    assert "Adi xəbər" not in html
