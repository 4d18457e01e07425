"""Editors and Telegram posts: publishing posts at once, status and link, failures, retries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, TelegramPost
from articles.telegram.tasks import send_due_posts
from articles.tests.factories import ArticleFactory, SourceFactory
from articles.tests.pages import changelist_rows, page_text
from articles.tests.telegram_server import bad_request, server_error

pytestmark = pytest.mark.django_db
Status = TelegramPost.Status


def seen(response):
    """Return the page's text with its whitespace collapsed."""
    return " ".join(page_text(response).split())


def test_an_editor_publishing_a_draft_posts_it_at_once(
    client, editor, bot_api, django_capture_on_commit_callbacks
):
    # An imported draft keeps the feed's time: older than posts go by themselves, posted all the
    # same because an editor published it.
    draft = ArticleFactory(
        status=Article.Status.DRAFT, published_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )

    assert bot_api.methods() == ["sendMessage"]
    post = TelegramPost.objects.get(article=draft)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    text = seen(page)
    assert "@icma_az: kanaldadır" in text
    assert f'href="https://t.me/icma_az/{post.message_id}"' in page.content.decode()
    rows = changelist_rows(client.get(reverse("admin:articles_article_changelist")))
    assert rows[0]["telegram_column"] == "kanaldadır"


@pytest.mark.parametrize(
    ("language", "status", "error", "button"),
    [
        (
            "az",
            "alınmadı",
            "Telegram 400 cavabı verdi: Bad Request: chat not found",
            "Yeni mesaj kimi yenidən paylaş",
        ),
        (
            "ru",
            "ошибка",
            "Telegram ответил 400: Bad Request: chat not found",
            "Опубликовать заново новым сообщением",
        ),
    ],
)
def test_a_failed_post_shows_on_the_article_and_its_source(
    client, editor, bot_api, language, status, error, button
):
    source = SourceFactory(name="Qafqazinfo")
    article = ArticleFactory(source=source, published_at=timezone.now() - timedelta(minutes=1))
    bot_api.script("sendMessage", bad_request())

    send_due_posts()
    client.force_login(editor)
    prefix = "/ru" if language == "ru" else ""

    change = client.get(f"{prefix}/admin/articles/article/{article.pk}/change/")
    text = seen(change)
    assert f"@icma_az: {status}" in text and error in text and button in text

    sources = client.get(f"{prefix}/admin/articles/source/", {"telegram": "failing"})
    [row] = changelist_rows(sources)
    assert row["name"] == "Qafqazinfo" and row["telegram_failures"] == "1"
    articles = client.get(f"{prefix}/admin/articles/article/", {"telegram": "trouble"})
    assert [row["title"] for row in changelist_rows(articles)] == [article.title]


def test_retry_now_from_the_article_page(
    client, editor, bot_api, django_capture_on_commit_callbacks
):
    article = ArticleFactory(published_at=timezone.now() - timedelta(minutes=1))
    bot_api.script("sendMessage", server_error())

    send_due_posts()
    post = TelegramPost.objects.get(article=article)
    assert post.status == Status.PENDING and post.next_attempt_at > timezone.now()
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_article_telegram", args=[article.pk, "retry"]), follow=True
        )

    assert "1 paylaşım Telegram-a göndərilir." in page_text(response)
    post.refresh_from_db()
    assert post.status == Status.SENT and len(bot_api.calls) == 2


def test_the_posts_list_lets_editors_post_an_unknown_one_again(
    client, editor, bot_api, django_capture_on_commit_callbacks
):
    article = ArticleFactory(published_at=timezone.now() - timedelta(minutes=1))
    post = TelegramPost.objects.create(article=article, channel="@icma_az", status=Status.UNKNOWN)
    client.force_login(editor)

    listing = client.get(reverse("admin:articles_telegrampost_changelist"), {"trouble": "1"})
    assert [row["status_column"] for row in changelist_rows(listing)] == ["nəticəsi bilinmir"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_telegrampost_changelist"),
            {"action": "post_again", "_selected_action": [post.pk]},
        )

    post.refresh_from_db()
    assert post.status == Status.SENT and bot_api.methods() == ["sendMessage"]


def test_switching_posting_off_in_the_source_form(client, editor, bot_api):
    source = SourceFactory()
    client.force_login(editor)
    form = client.get(reverse("admin:articles_source_change", args=[source.pk]))
    assert "Telegram-da paylaş" in page_text(form)
