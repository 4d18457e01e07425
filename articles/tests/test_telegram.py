"""Telegram channel posts against a fake Bot API on 127.0.0.1 (articles/telegram/)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation

from articles.models import Article, TelegramPost
from articles.services import store_renditions
from articles.telegram import compose, posting
from articles.telegram.bot import Bot
from articles.telegram.tasks import post_articles, send_due_posts
from articles.tests.conftest import TELEGRAM_TOKEN
from articles.tests.factories import ArticleFactory, SourceFactory
from articles.tests.feed_server import tiny_jpeg
from articles.tests.telegram_server import (
    bad_request,
    not_modified,
    server_error,
    slow,
    too_many_requests,
)

pytestmark = pytest.mark.django_db
Status = TelegramPost.Status


def fresh(**fields):
    """Return an article published a minute ago (the factory's times grow old over a run)."""
    return ArticleFactory(**{"published_at": timezone.now() - timedelta(minutes=1), **fields})


def visible_text(html):
    """Return what a reader sees of a message in HTML mode: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def make_due(post):
    TelegramPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())


def test_articles_are_posted_to_the_channel_of_their_language(bot_api):
    az = fresh(title="Bakıda yeni park açıldı", label="Fotolar", lead="Parkda 300 ağac əkilib.")
    ru = fresh(language="ru", title="В Баку открылся новый парк", lead="В парке посадили деревья.")

    assert send_due_posts() == 2

    calls = {call.fields["chat_id"]: call for call in bot_api.calls}
    assert bot_api.methods() == ["sendMessage", "sendMessage"]
    assert calls["@icma_az"].fields["parse_mode"] == "HTML"
    assert calls["@icma_az"].fields["text"] == (
        "<b>Bakıda yeni park açıldı</b> · FOTOLAR\n\nParkda 300 ağac əkilib.\n\n"
        f'<a href="https://icma.test/news/{az.slug}-{az.pk}">Ətraflı</a>'
    )
    assert calls["@icma_ru"].fields["text"] == (
        "<b>В Баку открылся новый парк</b>\n\nВ парке посадили деревья.\n\n"
        f'<a href="https://icma.test/ru/news/{ru.slug}-{ru.pk}">Подробнее</a>'
    )
    assert {call.token for call in bot_api.calls} == {"123456:TEST-token-never-real"}
    post = TelegramPost.objects.get(article=az)
    assert (post.status, post.channel, post.attempts, post.last_error) == (
        Status.SENT,
        "@icma_az",
        1,
        "",
    )
    assert post.url == f"https://t.me/icma_az/{post.message_id}"


def test_titles_and_leads_are_escaped_for_html_mode(bot_api):
    fresh(title="Tom & Jerry <b>qayıdır</b>", label="R&D", lead="Qiymət < 5 & > 2 manat")

    send_due_posts()

    text = bot_api.calls[0].fields["text"]
    assert text.startswith("<b>Tom &amp; Jerry &lt;b&gt;qayıdır&lt;/b&gt;</b> · R&amp;D\n\n")
    assert "Qiymət &lt; 5 &amp; &gt; 2 manat" in text


def test_an_article_with_a_picture_goes_as_a_photo_with_its_caption(bot_api):
    article = fresh(title="Şəkilli xəbər", lead="Qısa giriş.")
    article.image.save("park.jpg", ContentFile(tiny_jpeg(size=(400, 300))), save=True)
    store_renditions(article)

    send_due_posts()

    [call] = bot_api.calls
    assert call.method == "sendPhoto"
    assert call.fields["caption"].startswith("<b>Şəkilli xəbər</b>\n\nQısa giriş.")
    assert call.files["photo"][:3] == b"\xff\xd8\xff"  # a JPEG: the largest rendition
    assert TelegramPost.objects.get(article=article).photo == article.image.name


def test_long_texts_are_cut_at_a_word_within_the_limits(bot_api):
    lead = "Söz & söz " * 600  # far beyond any limit
    article = fresh(title="Uzun xəbər", lead=lead)

    for limit in (compose.CAPTION_LIMIT, compose.TEXT_LIMIT, 90):
        html = compose.message_html(article, limit, lead_chars=len(lead))
        seen = visible_text(html)
        assert compose.utf16_length(seen) <= limit
        lead_seen = seen.split("\n\n")[1]
        assert lead_seen.endswith("…") and not lead_seen.endswith(" …")
        assert "&amp;" in html and "& " not in html.replace("&amp; ", "")  # no cut entity
        assert html.endswith("Ətraflı</a>")
    # A "short lead" by default: a teaser, not the article.
    assert len(visible_text(compose.message_html(article, compose.TEXT_LIMIT))) < 500


def test_a_failure_is_retried_with_growing_waits_then_sent_once(bot_api):
    article = fresh()
    bot_api.script("sendMessage", server_error(), server_error())

    send_due_posts()
    post = TelegramPost.objects.get(article=article)
    assert (post.status, post.attempts) == (Status.PENDING, 1)
    assert timedelta(seconds=55) < post.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    assert post.errors() == ["Telegram 500 cavabı verdi: Internal Server Error"]

    send_due_posts()  # not due yet: nothing is asked
    assert len(bot_api.calls) == 1

    make_due(post)
    send_due_posts()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.PENDING, 2)
    assert timedelta(seconds=115) < post.next_attempt_at - timezone.now() <= timedelta(seconds=120)

    make_due(post)
    send_due_posts()
    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == (Status.SENT, 3, "")
    assert bot_api.methods() == ["sendMessage"] * 3


def test_a_post_is_given_up_after_the_last_attempt(bot_api):
    article = fresh()
    bot_api.script("sendMessage", *[server_error()] * posting.MAX_ATTEMPTS)
    for _attempt in range(posting.MAX_ATTEMPTS):
        TelegramPost.objects.filter(article=article).update(next_attempt_at=timezone.now())
        send_due_posts()
    post = TelegramPost.objects.get(article=article)
    assert (post.status, post.attempts, post.next_attempt_at) == (
        Status.FAILED,
        posting.MAX_ATTEMPTS,
        None,
    )
    assert post.errors() == [
        "Telegram 500 cavabı verdi: Internal Server Error (8 cəhddən sonra dayandırıldı)"
    ]


def test_a_refused_request_fails_at_once(bot_api):
    article = fresh()
    bot_api.script("sendMessage", bad_request("Bad Request: chat not found"))
    send_due_posts()
    post = TelegramPost.objects.get(article=article)
    assert (post.status, post.next_attempt_at) == (Status.FAILED, None)
    assert post.errors() == ["Telegram 400 cavabı verdi: Bad Request: chat not found"]
    with translation.override("ru"):
        assert post.errors() == ["Telegram ответил 400: Bad Request: chat not found"]


def test_too_many_requests_waits_as_long_as_telegram_says_for_the_whole_channel(bot_api):
    first, second = fresh(), fresh()
    bot_api.script("sendMessage", too_many_requests(37))

    send_due_posts()

    assert bot_api.methods() == ["sendMessage"]  # the second waits too: not asked
    posts = TelegramPost.objects.filter(article__in=[first, second])
    for post in posts:
        assert post.status == Status.PENDING and post.attempts == 0
        wait = post.next_attempt_at - timezone.now()
        assert timedelta(seconds=35) < wait <= timedelta(seconds=37)
    # The 37 seconds have passed.
    cache.clear()
    TelegramPost.objects.update(next_attempt_at=timezone.now())
    send_due_posts()
    assert set(posts.values_list("status", flat=True)) == {Status.SENT}
    assert len(bot_api.calls) == 3


def test_posts_that_arrive_during_telegrams_wait_wait_too(bot_api):
    first = fresh()
    bot_api.script("sendMessage", too_many_requests(37))
    send_due_posts()
    # During the wait: an editor publishes another article and asks to retry the first now.
    arrived = fresh()
    post_articles([arrived.pk], by_editor=True)
    posting.retry_now(TelegramPost.objects.filter(article=first))
    send_due_posts()

    assert bot_api.methods() == ["sendMessage"]  # nothing more was asked of the channel
    for post in TelegramPost.objects.filter(article__in=[first, arrived]):
        assert post.status == Status.PENDING
        wait = post.next_attempt_at - timezone.now()
        assert timedelta(seconds=30) < wait <= timedelta(seconds=37)
    # The other channel was not told to wait.
    fresh(language="ru")
    send_due_posts()
    assert [call.fields["chat_id"] for call in bot_api.calls] == ["@icma_az", "@icma_ru"]


def test_a_task_that_runs_twice_posts_once(bot_api):
    article = fresh()
    [post_id] = posting.due_posts()

    assert posting.deliver(post_id).status == Status.SENT
    assert posting.deliver(post_id).status == "not due"
    send_due_posts()
    post_articles([article.pk], by_editor=True)

    assert bot_api.methods() == ["sendMessage"]
    assert TelegramPost.objects.filter(article=article).count() == 1


def test_a_second_worker_arriving_during_the_request_posts_nothing(bot_api):
    fresh()
    [post_id] = posting.due_posts()
    second = []

    class FirstWorkersBot(Bot):
        def send(self, *args, **kwargs):
            # Another worker takes the same post while this one's request is under way.
            second.append(posting.deliver(post_id).status)
            return super().send(*args, **kwargs)

    assert posting.deliver(post_id, bot=FirstWorkersBot.from_settings()).status == Status.SENT
    assert second == ["not due"]
    assert bot_api.methods() == ["sendMessage"]


def test_no_answer_after_sending_is_not_resent_blindly(bot_api, settings):
    settings.TELEGRAM_TIMEOUT_SECONDS = 0.5
    article = fresh()
    bot_api.script("sendMessage", slow(1.5))

    send_due_posts()

    post = TelegramPost.objects.get(article=article)
    assert (post.status, post.next_attempt_at) == (Status.UNKNOWN, None)
    assert post.errors() == [
        "Telegram cavab vermədi: 0.5 saniyədən sonra vaxt bitdi. Telegram mesajı paylaşmış ola "
        "bilər: kanala baxın; yalnız mesaj orada yoxdursa, yenidən paylaşın."
    ]
    send_due_posts()
    assert len(bot_api.calls) == 1
    # The editor looked: not there. "Post again" sends it as a new message.
    assert posting.post_again([post]) == 1
    send_due_posts()
    post.refresh_from_db()
    assert post.status == Status.SENT and len(bot_api.calls) == 2


def test_a_crash_while_sending_leaves_the_post_unknown_not_resent(bot_api):
    article = fresh()
    TelegramPost.objects.create(
        article=article,
        channel="@icma_az",
        status=Status.SENDING,
        claimed_at=timezone.now() - posting.stale_after() - timedelta(seconds=1),
    )

    send_due_posts()

    post = TelegramPost.objects.get(article=article)
    assert post.status == Status.UNKNOWN
    assert bot_api.calls == []


def test_a_change_after_posting_edits_the_message(bot_api):
    article = fresh(title="Köhnə başlıq", lead="Giriş.")
    send_due_posts()
    post = TelegramPost.objects.get(article=article)

    article.title = "Yeni başlıq"
    article.save()
    send_due_posts()

    assert bot_api.methods() == ["sendMessage", "editMessageText"]
    edit = bot_api.calls[1]
    assert edit.fields["message_id"] == str(post.message_id)
    assert edit.fields["text"].startswith("<b>Yeni başlıq</b>")
    post.refresh_from_db()
    assert post.status == Status.SENT

    article.save()  # saved without a change: nothing to edit
    send_due_posts()
    assert len(bot_api.calls) == 2


def test_a_changed_picture_edits_the_caption_and_the_photo(bot_api):
    article = fresh(title="Şəkil", lead="Birinci.")
    article.image.save("one.jpg", ContentFile(tiny_jpeg()), save=True)
    send_due_posts()

    article.lead = "İkinci."
    article.save()
    send_due_posts()
    article.image.save("two.jpg", ContentFile(tiny_jpeg(color=(0, 200, 0))), save=True)
    send_due_posts()

    assert bot_api.methods() == ["sendPhoto", "editMessageCaption", "editMessageMedia"]
    assert "İkinci." in bot_api.calls[1].fields["caption"]
    assert '"media": "attach://photo"' in bot_api.calls[2].fields["media"]
    assert bot_api.calls[2].files["photo"][:3] == b"\xff\xd8\xff"
    assert TelegramPost.objects.get(article=article).photo == article.image.name


def test_an_article_moved_to_the_other_language_goes_to_that_channel_only(bot_api):
    posted = fresh(title="Başlıq", lead="Mətn.")
    send_due_posts()
    waiting = fresh(title="Gözləyən")
    bot_api.script("sendMessage", server_error())
    send_due_posts()
    # The editor notices both are Russian texts and corrects their language.
    for article in (posted, waiting):
        article.language, article.title = "ru", "Заголовок"
        article.save()
    TelegramPost.objects.update(next_attempt_at=timezone.now())
    post_articles([posted.pk, waiting.pk], by_editor=True)
    send_due_posts()

    chats = [(call.method, call.fields["chat_id"]) for call in bot_api.calls]
    assert chats == [("sendMessage", "@icma_az")] * 2 + [("sendMessage", "@icma_ru")] * 2
    # The Azerbaijani channel keeps its message as it was, and the waiting one is not sent there.
    assert TelegramPost.objects.get(article=posted, channel="@icma_az").status == Status.SENT
    assert TelegramPost.objects.get(article=waiting, channel="@icma_az").status == Status.CANCELLED


def test_message_is_not_modified_is_no_failure(bot_api):
    article = fresh(title="Başlıq")
    send_due_posts()
    bot_api.script("editMessageText", not_modified())
    # Changed here, but Telegram already shows it so (an edit that ended without an answer).
    Article.objects.filter(pk=article.pk).update(title="Başlıq!", updated_at=timezone.now())

    send_due_posts()

    post = TelegramPost.objects.get(article=article)
    assert (post.status, post.last_error) == (Status.SENT, "")
    # Compared again next round: in step, no more requests.
    send_due_posts()
    assert bot_api.methods() == ["sendMessage", "editMessageText"]


def test_posting_switched_off_for_an_article_or_a_source(bot_api):
    quiet_source = SourceFactory(telegram_enabled=False)
    fresh(telegram_enabled=False)
    fresh(source=quiet_source)

    assert send_due_posts() == 0
    assert bot_api.calls == [] and not TelegramPost.objects.exists()


def test_a_post_switched_off_before_it_was_sent_is_not_sent(bot_api):
    article = fresh()
    bot_api.script("sendMessage", server_error())
    send_due_posts()
    Article.objects.filter(pk=article.pk).update(telegram_enabled=False)
    TelegramPost.objects.update(next_attempt_at=timezone.now())

    send_due_posts()

    assert TelegramPost.objects.get().status == Status.CANCELLED
    assert len(bot_api.calls) == 1


def test_a_scheduled_article_is_posted_when_its_time_comes(bot_api):
    article = ArticleFactory(published_at=timezone.now() + timedelta(hours=1))
    post_articles([article.pk], by_editor=True)  # an editor scheduled it
    assert send_due_posts() == 0 and bot_api.calls == []

    # The hour has passed.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=5))
    assert send_due_posts() == 1
    assert bot_api.methods() == ["sendMessage"]


def test_old_articles_are_not_posted_by_themselves(bot_api):
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    assert send_due_posts() == 0
    # An editor who publishes it means it.
    post_articles([old.pk], by_editor=True)
    assert TelegramPost.objects.get(article=old).status == Status.PENDING


def test_no_token_no_requests(bot_api, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    article = fresh()

    assert send_due_posts() == 0
    post_articles([article.pk], by_editor=True)
    assert posting.deliver(1).status == "off"

    assert bot_api.calls == [] and not TelegramPost.objects.exists()


def test_a_channel_without_a_name_is_not_posted_to(bot_api, settings):
    settings.TELEGRAM_CHANNELS = {"az": "@icma_az"}
    fresh(language="ru")
    assert send_due_posts() == 0 and bot_api.calls == []


def test_the_token_never_reaches_the_stored_error(bot_api, settings):
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:9"  # nothing listens: no connection
    article = fresh()
    send_due_posts()
    post = TelegramPost.objects.get(article=article)
    assert post.status == Status.PENDING  # never connected: retried by itself
    assert "TEST-token" not in post.last_error


def test_no_part_of_the_token_reaches_a_stored_error_when_its_text_is_cut(bot_api, settings):
    echoed = "Not Found: " + "x" * 273 + f" /bot{TELEGRAM_TOKEN}/sendMessage"
    bot_api.script("sendMessage", bad_request(echoed))
    article = fresh()
    send_due_posts()
    # A mistyped address (no scheme) is quoted in the error, cut at 100 characters.
    settings.TELEGRAM_API_BASE = "127.0.0.1:9/" + "x" * 69
    ru = fresh(language="ru")
    send_due_posts()

    errors = [TelegramPost.objects.get(article=item).last_error for item in (article, ru)]
    assert "Not Found: xxx" in errors[0] and "not an http(s) address" in errors[1]
    secret = TELEGRAM_TOKEN.split(":")[1]
    assert all(secret[:4] not in error for error in errors), errors


def test_the_bot_does_not_show_its_token_when_printed(bot_api):
    assert TELEGRAM_TOKEN.split(":")[1] not in repr(Bot.from_settings())


def test_an_import_that_publishes_is_posted_by_the_runner(bot_api, settings, server, make_source):
    settings.TELEGRAM_POST_MAX_AGE_MINUTES = (
        10 * 365 * 24 * 60
    )  # the fixture feed's entries are old
    server.add_fixture("/az.xml", "rss_az.xml")
    source = make_source("/az.xml", publish_imported=True)

    call_command("import_feeds", "--source", source.slug, verbosity=0)

    published = Article.objects.filter(source=source, status=Article.Status.PUBLISHED)
    assert published.exists()
    posted = TelegramPost.objects.filter(status=Status.SENT)
    assert set(posted.values_list("article_id", flat=True)) == set(
        published.values_list("pk", flat=True)
    )
    assert len(bot_api.calls) == published.count()
    assert {call.fields["chat_id"] for call in bot_api.calls} == {"@icma_az"}
