"""Live coverage ("YENİLƏNİR"): timestamped updates, newest first, with LiveBlogPosting JSON-LD."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, LiveUpdate
from articles.tests.pages import page_text


def jsonld(response):
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def update_texts(response):
    html = response.content.decode()
    return re.findall(r'<div class="live-update-body"><p>([^<]*)</p></div>', html)


@pytest.fixture
def live(make_article):
    article = make_article(title="Bakıda güclü külək", live_coverage=Article.Coverage.OPEN)
    now = timezone.now()
    for minutes, words, pinned in [(30, "Külək başladı.", False), (5, "Ağaclar yıxılır.", False)]:
        LiveUpdate.objects.create(
            article=article,
            body=f"<p>{words}</p>",
            published_at=now - timedelta(minutes=minutes),
            pinned=pinned,
        )
    LiveUpdate.objects.create(
        article=article,
        body="<p>Sakinlər evdə qalsın.</p>",
        published_at=now - timedelta(minutes=60),
        pinned=True,
    )
    return article


def test_updates_show_pinned_first_then_newest_with_their_times(client, live):
    response = client.get(live.get_absolute_url())

    assert update_texts(response) == ["Sakinlər evdə qalsın.", "Ağaclar yıxılır.", "Külək başladı."]
    assert (
        len(re.findall(r'class="live-update-meta">.*?<time datetime=', response.content.decode()))
        == 3
    )
    assert "YENİLƏNİR" in page_text(response)
    assert "Canlı yeniliklər" in page_text(response)


def test_the_page_carries_live_blog_posting_json_ld(client, live):
    data = jsonld(client.get(live.get_absolute_url()))

    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == "Bakıda güclü külək"
    assert "coverageStartTime" in data and "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [update["articleBody"] for update in updates] == [
        "Ağaclar yıxılır.",
        "Külək başladı.",
        "Sakinlər evdə qalsın.",
    ]
    assert all(update["@type"] == "BlogPosting" and update["datePublished"] for update in updates)


def test_closing_the_coverage_keeps_the_updates_and_drops_the_label(client, live):
    Article.objects.filter(pk=live.pk).update(live_coverage=Article.Coverage.CLOSED)

    response = client.get(live.get_absolute_url())

    assert len(update_texts(response)) == 3
    assert "YENİLƏNİR" not in page_text(response)
    assert "canlı izləmə başa çatıb" in page_text(response)
    assert "coverageEndTime" in jsonld(response)


def test_the_russian_label_and_an_article_without_coverage(client, make_article):
    russian = make_article(language="ru", title="Сильный ветер", live_coverage="open")
    assert "ОБНОВЛЯЕТСЯ" in page_text(client.get(russian.get_absolute_url()))

    plain = make_article(title="Adi xəbər")
    response = client.get(plain.get_absolute_url())
    assert "live-updates" not in response.content.decode()
    assert jsonld(response)["@type"] == "NewsArticle"


def test_an_update_added_in_the_admin_is_sanitised_and_opens_the_coverage(
    client, editor, make_article
):
    article = make_article(title="Zəlzələ")
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_add_live_update", args=[article.pk]),
        {"live-body": "<p>Təkanlar hiss olundu.</p><script>alert(1)</script>", "live-pinned": ""},
        follow=True,
    )

    assert "Yenilik səhifədədir." in page_text(response)
    update = LiveUpdate.objects.get()
    assert update.body == "<p>Təkanlar hiss olundu.</p>" and update.created_by == editor
    article.refresh_from_db()
    assert article.live_coverage == Article.Coverage.OPEN
    client.logout()
    assert "Təkanlar hiss olundu." in page_text(client.get(article.get_absolute_url()))


def test_an_empty_update_is_refused_in_the_editors_language(client, editor, make_article):
    article = make_article()
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_add_live_update", args=[article.pk]),
        {"live-body": "<script>alert(1)</script>"},
        follow=True,
    )

    assert "Yenilik əlavə olunmadı: Yeniliyin mətnini yazın." in page_text(response)
    # What the editor sends when nothing was typed.
    client.post(
        reverse("admin:articles_article_add_live_update", args=[article.pk]),
        {"live-body": "<p></p>"},
    )
    assert not LiveUpdate.objects.exists()


def test_an_update_is_written_in_the_bodys_editor_on_the_article_and_update_pages(
    client, editor, live
):
    client.force_login(editor)
    update = live.live_updates.first()

    for url in (
        reverse("admin:articles_article_change", args=[live.pk]),
        reverse("admin:articles_liveupdate_change", args=[update.pk]),
    ):
        html = client.get(url).content.decode()
        field = re.search(r"<textarea[^>]*name=\"(?:live-)?body\"[^>]*>", html).group(0)
        assert "data-body-editor" in field, url
        assert "js/desk/body_editor" in html and "django_prose_editor/editor" in html


@pytest.mark.parametrize(
    ("prefix", "told"),
    [
        (
            "",
            "Yenilik oxucu səhifələrində ola bilməyən hissələr olmadan saxlanıldı: <script>, "
            "formatlama (style atributları).",
        ),
        (
            "/ru",
            "Обновление сохранено без того, что не допускается на страницах для читателей: "
            "<script>, оформление (атрибуты style).",
        ),
    ],
)
def test_the_editor_is_told_what_sanitising_took_from_an_update(
    client, editor, make_article, prefix, told
):
    article = make_article(title="Sel")
    client.force_login(editor)
    add_url = prefix + reverse("admin:articles_article_add_live_update", args=[article.pk])

    response = client.post(
        add_url,
        {"live-body": '<p style="color:red">Su qalxır.</p><script>alert(1)</script>'},
        follow=True,
    )

    assert told in page_text(response)
    assert LiveUpdate.objects.get().body == "<p>Su qalxır.</p>"

    update = LiveUpdate.objects.get()
    with translation.override("az"):
        change_url = prefix + reverse("admin:articles_liveupdate_change", args=[update.pk])
    response = client.post(
        change_url,
        {
            "article": article.pk,
            "published_at_0": timezone.localtime(update.published_at).strftime("%Y-%m-%d"),
            "published_at_1": timezone.localtime(update.published_at).strftime("%H:%M:%S"),
            "body": '<p>Su qalxır.</p><script>alert(2)</script><p style="x">Yollar bağlanır.</p>',
            "image_alt": "",
        },
        follow=True,
    )
    assert told in page_text(response)
    update.refresh_from_db()
    assert update.body == "<p>Su qalxır.</p><p>Yollar bağlanır.</p>"


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "fragments-cached"])
def test_a_live_article_stays_within_budget(client, live, settings, cached):
    if cached:
        settings.FRAGMENT_CACHE_SECONDS = 60
    client.get(live.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(live.get_absolute_url())

    assert len(update_texts(response)) == 3
    assert len(queries) <= (2 if cached else 8)
