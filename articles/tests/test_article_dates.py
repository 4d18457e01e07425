"""The publication time near the title, and when the article changed after publication."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.tests.pages import ACCEPT, BROWSER, NO_GALLERY, form_data
from articles.text import BAKU_TZ

PUBLISHED = datetime(2026, 1, 21, 13, 23, tzinfo=BAKU_TZ)


def dates_line(response):
    html = response.content.decode()
    start = html.index('<p class="article-dates">')
    return html[start : html.index("</p>", start)]


def backdate(article, **times):
    """Set the article's stored times as if it had been written then (no save(): auto_now).

    Written then, it went live then too, unless `went_live_at` says otherwise.
    """
    if "created_at" in times:
        times.setdefault("went_live_at", times["created_at"])
    Article.objects.filter(pk=article.pk).update(**times)
    article.refresh_from_db()
    return article


@pytest.mark.parametrize(
    ("language", "shown"), [("az", "21 Yanvar 2026 13:23"), ("ru", "21 января 2026 13:23")]
)
def test_publication_time_is_shown_near_the_title_in_portal_format(
    client, make_article, language, shown
):
    article = make_article(title="Vaxtı olan xəbər", language=language, published_at=PUBLISHED)
    backdate(article, created_at=PUBLISHED, updated_at=PUBLISHED)

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    line = dates_line(response)
    assert f'<time datetime="2026-01-21T13:23:00+04:00">{shown}</time>' in line
    assert html.index('class="article-title"') < html.index('class="article-dates"')
    assert "Yenilənib" not in line and "Обновлено" not in line


@pytest.mark.parametrize(("language", "shown"), [("az", "Yenilənib"), ("ru", "Обновлено")])
def test_a_change_after_publication_shows_its_time(client, make_article, language, shown):
    article = make_article(language=language, published_at=PUBLISHED)
    backdate(article, created_at=PUBLISHED, updated_at=PUBLISHED + timedelta(minutes=42))

    line = dates_line(client.get(article.get_absolute_url()))

    assert f'{shown} <time datetime="2026-01-21T14:05:00+04:00">14:05</time>' in line


def test_a_change_on_a_later_day_shows_the_full_date(client, make_article):
    article = make_article(published_at=PUBLISHED)
    backdate(article, created_at=PUBLISHED, updated_at=PUBLISHED + timedelta(days=1, minutes=2))

    line = dates_line(client.get(article.get_absolute_url()))

    assert "Yenilənib <time" in line and ">22 Yanvar 2026 13:25</time>" in line


def test_an_article_imported_today_with_an_old_time_is_not_called_updated(client, make_article):
    # Created now, published (at its source) in January: that is no change after publication.
    article = make_article(published_at=PUBLISHED)

    line = dates_line(client.get(article.get_absolute_url()))

    assert "21 Yanvar 2026 13:23" in line
    assert "Yenilənib" not in line


def test_saving_at_publication_is_not_a_change(client, make_article):
    article = make_article(published_at=PUBLISHED)
    backdate(article, created_at=PUBLISHED, updated_at=PUBLISHED + timedelta(seconds=50))

    assert "Yenilənib" not in dates_line(client.get(article.get_absolute_url()))


def test_views_and_comments_do_not_make_an_article_updated(client, make_article):
    article = make_article(published_at=PUBLISHED)
    backdate(article, created_at=PUBLISHED, updated_at=PUBLISHED)
    reader = get_user_model().objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")

    client.get(article.get_absolute_url(), headers={"user-agent": BROWSER, "accept": ACCEPT})
    client.force_login(reader)
    posted = client.post(reverse("comments:post", args=[article.pk]), {"body": "Maraqlıdır"})
    client.logout()
    response = client.get(article.get_absolute_url())

    stored = Article.objects.get(pk=article.pk)
    assert posted.status_code == 302
    assert stored.views >= 1 and stored.comment_count == 1
    assert stored.updated_at == PUBLISHED
    assert "Yenilənib" not in dates_line(response)


def publish_in_the_admin(client, article, how):
    """Publish the draft `article` as an editor does: from its form or the list's action."""
    if how == "form":
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(url)
        response = client.post(
            url, form_data(page, "article_form", status="published", **NO_GALLERY)
        )
    else:
        response = client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [article.pk]},
        )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


@pytest.mark.parametrize(
    ("how", "language", "shown"),
    [("form", "az", "Yenilənib"), ("action", "az", "Yenilənib"), ("form", "ru", "Обновлено")],
)
def test_an_imported_draft_published_later_is_updated_only_when_changed_after(
    client, make_article, editor, how, language, shown
):
    # Imported yesterday as a draft, with its source's time of the day before.
    article = make_article(
        title="Gözləyən idxal", language=language, status=Article.Status.DRAFT,
        published_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    yesterday = timezone.now() - timedelta(days=1)
    backdate(article, created_at=yesterday, updated_at=yesterday)
    desk = Client()
    desk.force_login(editor)

    publish_in_the_admin(desk, article, how)

    assert shown not in dates_line(client.get(article.get_absolute_url()))

    # Ten minutes after it went live, an editor corrects the title.
    article.refresh_from_db()
    earlier = timezone.now() - timedelta(minutes=10)
    backdate(article, went_live_at=earlier, updated_at=earlier)
    url = reverse("admin:articles_article_change", args=[article.pk])
    desk.post(
        url, form_data(desk.get(url), "article_form", title="Düzəldilmiş idxal", **NO_GALLERY)
    )

    line = dates_line(client.get(Article.objects.get(pk=article.pk).get_absolute_url()))
    assert f"{shown} <time" in line
