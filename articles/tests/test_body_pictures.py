"""Pictures inside imported bodies arrive after the import: readers never wait for, nor see,
the source's picture hosts. Local servers only (articles/tests/feed_server.py)."""

import re
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from articles import tasks
from articles.importers import fulltext, http, ingest, pictures
from articles.importers import messages as import_messages
from articles.importers.feeds import import_source
from articles.models import Article, BodyPicture, FullText
from articles.tests.feed_server import FeedServer, tiny_jpeg, tiny_png
from articles.tests.pages import ACCEPT, page_text

pytestmark = pytest.mark.usefixtures("feed_import")

TEXTS = {
    "az": ("Bakıda yeni park açıldı", "Park beş hektar ərazini əhatə edir.", "Parkın planı"),
    "ru": ("В Баку открылся новый парк", "Парк занимает пять гектаров.", "План парка"),
}


def feed(language, pictures_by_entry):
    """An RSS feed, one entry per list of picture addresses, in the language's words."""
    title, text, alt = TEXTS[language]
    items = []
    for number, urls in enumerate(pictures_by_entry, start=1):
        tags = "".join(f'<img src="{url}" alt="{alt}" width="640">' for url in urls)
        items.append(
            f"<item><title>{title} {number}</title><link>https://oxu.az/park-{language}-{number}"
            f"</link><pubDate>Wed, 21 Jan 2026 12:0{number}:00 +0000</pubDate><description>"
            f"<![CDATA[<p>{text}</p>{tags}<p>{text} {number}</p>]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Oxu</title>'
        f"<link>https://oxu.az</link><description>x</description>{''.join(items)}</channel></rss>"
    ).encode()


def body(url):
    return Article.objects.get(source_url=url).body


def local_pictures(html):
    return re.findall(r'<img src="([^"]+)"', html)


def page(client, url):
    article = Article.objects.get(source_url=url)
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT=ACCEPT)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def picture_paths(server):
    """The feed server's picture requests (its feed requests left out)."""
    return lambda: [path for path in server.paths() if path.startswith("/images/")]


@pytest.mark.parametrize("language", ["az", "ru"])
def test_an_unreachable_picture_host_does_not_hold_the_import(
    language, server, make_source, silent_server, picture_paths, client, monkeypatch
):
    silent = f"http://127.0.0.1:{silent_server.port}/photo.jpg"
    server.add(
        "/feed.xml",
        feed(
            language,
            [[silent, server.url("/images/park.jpg")], [server.url("/images/park-plan.png")]],
        ),
        content_type="application/rss+xml",
    )
    source = make_source("/feed.xml", language=language, publish_imported=True)
    first, second = f"https://oxu.az/park-{language}-1", f"https://oxu.az/park-{language}-2"
    title, text, alt = TEXTS[language]

    report = import_source(source)

    # Imported and published at once, the text whole, no picture asked for yet.
    assert report.new == 2
    assert Article.objects.published().filter(source=source).count() == 2
    assert Article.objects.get(source_url=first).title == f"{title} 1"
    assert body(first) == f"<p>{text}</p><p>{text} 1</p>"
    assert picture_paths() == [] and silent_server.accepted == []
    assert BodyPicture.objects.filter(state=BodyPicture.State.WAITING).count() == 3
    # Readers meanwhile see the text without any picture, the source's least of all.
    shown = page(client, first)
    assert text in shown
    assert "127.0.0.1" not in shown and alt not in shown

    changed = []
    monkeypatch.setattr(pictures, "articles_changed", lambda *languages: changed.append(languages))
    pictures.complete_articles(report.picture_ids)

    # Our copies in the bodies, where the feed had them; the silent host's picture dropped.
    [park] = local_pictures(body(first))
    assert park.startswith("/media/articles/body/") and park.endswith(".jpg")
    assert default_storage.open(park.removeprefix("/media/")).read() == tiny_jpeg()
    assert body(first) == f'<p>{text}</p><img src="{park}" alt="{alt}" width="640"><p>{text} 1</p>'
    [plan] = local_pictures(body(second))
    assert default_storage.open(plan.removeprefix("/media/")).read() == tiny_png()
    dropped = BodyPicture.objects.get(source_url=silent)
    assert (dropped.state, dropped.attempts) == (BodyPicture.State.FAILED, pictures.ATTEMPTS)
    assert "timed out" in dropped.reason
    assert changed == [(language,), (language,)]  # once per article
    shown = page(client, first)
    assert f'src="{park}"' in shown and f"127.0.0.1:{silent_server.port}" not in shown


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # leaves the groups as found
def test_a_slow_picture_host_does_not_hold_the_others(server, make_source, monkeypatch):
    # The slow host answers when told, well within the time limit.
    monkeypatch.setattr(http, "DEFAULT_LIMITS", http.Limits(connect_timeout=2, total_timeout=30))
    slow_host, release = FeedServer().start(), threading.Event()

    def slow_picture(handler):
        release.wait(20)
        handler.answer(200, {"Content-Type": "image/jpeg"}, tiny_jpeg())

    slow_host.add("/slow.jpg", slow_picture)
    try:
        server.add(
            "/feed.xml",
            feed("az", [[slow_host.url("/slow.jpg")], [server.url("/images/park.jpg")]]),
            content_type="application/rss+xml",
        )
        report = import_source(make_source("/feed.xml"))
        slow, fast = "https://oxu.az/park-az-1", "https://oxu.az/park-az-2"
        runner = threading.Thread(target=pictures.complete_articles, args=(report.picture_ids,))
        runner.start()
        for _ in range(200):  # the fast host's picture arrives while the slow one still waits
            if local_pictures(body(fast)):
                break
            time.sleep(0.05)
        assert local_pictures(body(fast))
        assert local_pictures(body(slow)) == [] and slow_host.paths() == ["/slow.jpg"]
        release.set()
        runner.join(20)
        assert local_pictures(body(slow))[0].startswith("/media/articles/body/")
    finally:
        release.set()
        slow_host.stop()


def test_a_picture_task_run_twice_stores_one_file(server, make_source, picture_paths, settings):
    server.add(
        "/feed.xml",
        feed("ru", [[server.url("/images/park.jpg"), server.url("/images/park-plan.png")]]),
        content_type="application/rss+xml",
    )
    report = import_source(make_source("/feed.xml", language="ru"))
    [article_id] = report.picture_ids

    tasks.fetch_body_pictures(article_id)
    stored = body("https://oxu.az/park-ru-1")
    # A worker that died after storing the files, before the body: the task is delivered again.
    article = Article.objects.get(pk=article_id)
    Article.objects.filter(pk=article_id).update(body=pictures.without_pictures(article.body))
    tasks.fetch_body_pictures(article_id)
    tasks.fetch_body_pictures(article_id)

    assert body("https://oxu.az/park-ru-1") == stored
    files = list((settings.MEDIA_ROOT / "articles" / "body").rglob("*.*"))
    assert len(files) == 2
    assert sorted(picture_paths()) == ["/images/park-plan.png", "/images/park.jpg"]


def test_an_editors_change_meanwhile_is_kept(server, make_source, picture_paths):
    server.add(
        "/feed.xml",
        feed("az", [[server.url("/images/park.jpg")]]),
        content_type="application/rss+xml",
    )
    report = import_source(make_source("/feed.xml"))
    Article.objects.filter(source_url="https://oxu.az/park-az-1").update(body="<p>Redaktə</p>")

    assert pictures.complete_article(report.picture_ids[0]) == "body changed, left alone"

    assert body("https://oxu.az/park-az-1") == "<p>Redaktə</p>"
    assert picture_paths() == [] and not BodyPicture.objects.exists()


def test_on_the_task_queue_each_article_gets_a_picture_task(server, make_source, monkeypatch):
    server.add(
        "/feed.xml",
        feed("az", [[server.url("/images/park.jpg")], []]),
        content_type="application/rss+xml",
    )
    source = make_source("/feed.xml", full_text="feed")
    sent = []
    monkeypatch.setattr(tasks.fetch_body_pictures, "delay", sent.append)

    tasks.import_source_task(source.pk)

    assert sent == [Article.objects.get(source_url="https://oxu.az/park-az-1").pk]
    assert local_pictures(body("https://oxu.az/park-az-1")) == []
    ingest.run_source(source)  # nothing new: no task, nothing downloaded
    assert len(sent) == 1


@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_editor_sees_why_a_picture_was_left_out(language, client, editor, server, make_source):
    server.add(
        "/feed.xml",
        feed("az", [[server.url("/images/fake.jpg"), server.url("/images/park.jpg")]]),
        content_type="application/rss+xml",
    )
    report = import_source(make_source("/feed.xml"))
    pictures.complete_articles(report.picture_ids)
    article = Article.objects.get(source_url="https://oxu.az/park-az-1")
    assert len(local_pictures(article.body)) == 1
    client.force_login(editor)
    prefix = "" if language == "az" else "/ru"

    response = client.get(f"{prefix}{reverse('admin:articles_article_change', args=[article.pk])}")

    with translation.override(language):
        label = capfirst(gettext("pictures left out of the body"))
        reason = gettext("This file is not a picture.")
    shown = page_text(response)
    assert label in shown
    assert f"{server.url('/images/fake.jpg')}: {reason}" in shown


def test_a_host_that_did_not_answer_is_not_waited_for_again(
    server, make_source, silent_server, picture_paths
):
    silent = f"http://127.0.0.1:{silent_server.port}"
    server.add(
        "/feed.xml",
        feed(
            "ru",
            [[f"{silent}/1.jpg"], [f"{silent}/2.jpg", server.url("/images/park.jpg")]],
        ),
        content_type="application/rss+xml",
    )
    report = import_source(make_source("/feed.xml", language="ru"))

    pictures.complete_articles(report.picture_ids)

    # The first picture waited out its attempts; the host's next one was dropped at once.
    assert len(silent_server.accepted) == pictures.ATTEMPTS
    first = BodyPicture.objects.get(source_url=f"{silent}/1.jpg")
    second = BodyPicture.objects.get(source_url=f"{silent}/2.jpg")
    assert (first.state, first.attempts) == (BodyPicture.State.FAILED, pictures.ATTEMPTS)
    assert (second.state, second.attempts) == (BodyPicture.State.FAILED, 0)
    with translation.override("ru"):
        [reason] = import_messages.loads(second.reason)
    assert reason.startswith("сервер только что не ответил: время ожидания истекло через 1.5 с")
    # Other hosts' pictures are not affected.
    assert len(local_pictures(body("https://oxu.az/park-ru-2"))) == 1
    assert picture_paths() == ["/images/park.jpg"]


@pytest.mark.parametrize("language", ["az", "ru"])
def test_pictures_go_into_whichever_body_the_full_text_fetch_left(
    language, server, make_source, picture_paths
):
    fulltext.robots.clear()
    server.add_fixture(
        f"/{language}/park-1", f"page_{language}.html", content_type="text/html; charset=utf-8"
    )
    title, text, alt = TEXTS[language]
    items = "".join(
        f"<item><title>{title} {number}</title><link>{server.url(path)}</link>"
        f'<description><![CDATA[<p>{text}</p><img src="{server.url(picture)}" alt="{alt}">'
        f"]]></description></item>"
        for number, path, picture in [
            (1, f"/{language}/park-1", "/images/park.jpg"),
            (2, f"/{language}/gone-2", "/images/park-plan.png"),
        ]
    )
    server.add(
        "/summary.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title>'
        f"<link>https://oxu.az</link><description>x</description>{items}</channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    source = make_source("/summary.xml", language=language, full_text=FullText.AUTO)

    ingest.run_source(source)
    fulltext.robots.clear()

    # The page's text replaced the summary: the summary's picture has no place to go.
    with_page = body(server.url(f"/{language}/park-1"))
    assert text not in with_page and "<img" not in with_page
    # No page (404): the feed's summary stays, with our copy of its picture.
    summary = body(server.url(f"/{language}/gone-2"))
    [plan] = local_pictures(summary)
    assert summary == f'<p>{text}</p><img src="{plan}" alt="{alt}">'
    assert picture_paths() == ["/images/park-plan.png"]
    assert not BodyPicture.objects.filter(state=BodyPicture.State.WAITING).exists()
