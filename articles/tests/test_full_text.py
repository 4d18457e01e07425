"""Full text from summary-only feeds, and how much of it a source lets readers see.

Local article pages full of boilerplate (menus, share buttons, related news, footers) in both
languages are served by the test server; nothing leaves 127.0.0.1.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from articles.caching import articles_changed
from articles.importers import fulltext, ingest, messages
from articles.models import Article, FullText, Republish
from articles.tests.feed_server import FIXTURES
from articles.tests.pages import BROWSER, page_text

BOILERPLATE_AZ = [
    "Əsas səhifə",
    "Siyasət menyusu",
    "paylaş",
    "Oxşar xəbərlər",
    "Sumqayıtda yol təmiri",
    "Ən çox oxunanlar",
    "Bütün hüquqlar qorunur",
    "kukilərdən",
    "Teqlər",
]
BOILERPLATE_RU = [
    "Главная",
    "Раздел политика",
    "Поделиться",
    "Читайте также",
    "В Сумгайыте",
    "Все права защищены",
    "Подписывайтесь",
]


@pytest.fixture(autouse=True)
def fresh_robots(feed_import):
    fulltext.robots.clear()
    yield
    fulltext.robots.clear()


@pytest.fixture
def summary_az(server, make_source):
    server.add_fixture("/az.xml", "summary_az.xml")
    server.add_fixture("/az/park-1", "page_az.html", content_type="text/html; charset=utf-8")
    server.add_fixture("/az/school-2", "page_empty.html", content_type="text/html")
    return make_source("/az.xml", full_text=FullText.AUTO, publish_imported=True)


@pytest.fixture
def summary_ru(server, make_source):
    server.add_fixture("/ru.xml", "summary_ru.xml")
    server.add_fixture("/ru/park-1", "page_ru.html", content_type="text/html; charset=utf-8")
    return make_source("/ru.xml", full_text=FullText.AUTO, language="ru", publish_imported=True)


def notes(source):
    """Return the source's full-text notes in English (the messages' own text)."""
    return "\n".join(map(str, messages.parse(source.full_text_note)))


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("", "səhifə alınmadı: server HTTP 404 xətası qaytardı"),
        ("/ru", "страница не получена: сервер ответил ошибкой HTTP 404"),
    ],
)
def test_editors_read_why_a_page_was_not_used_in_their_language(
    admin_client, summary_az, server, prefix, reason
):
    del server.routes["/az/park-1"]
    ingest.run_source(summary_az)

    response = admin_client.get(f"{prefix}/admin/articles/source/{summary_az.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"{server.url('/az/park-1')}: {reason}" in html
    assert "page not fetched" not in html


def body_text(article):
    article.refresh_from_db()
    return " ".join(strip_tags(article.body).split())


def test_summary_only_feed_gets_the_pages_main_text_without_boilerplate(summary_az, server):
    ingest.run_source(summary_az)

    park = Article.objects.get(source_url=server.url("/az/park-1"))
    text = body_text(park)
    assert text.startswith("Bakının Nəsimi rayonunda 5 hektar ərazidə yeni park")
    assert "səkkiz ay çəkib" in text
    assert text.endswith("içməli su bulağı quraşdırılıb.")
    for boilerplate in BOILERPLATE_AZ:
        assert boilerplate not in text, boilerplate
    assert "Bakıda yeni park açıldı" not in text  # the page's headline is our title already
    assert park.body.count("<p>") == 3
    # The page was asked for with our User-Agent; robots.txt once for the host.
    page_requests = [h for p, h in server.requests if p == "/az/park-1"]
    assert page_requests[0]["User-Agent"].startswith("Icma.az-feed-importer/")
    assert server.paths().count("/robots.txt") == 1


def test_russian_page_too(summary_ru, server):
    ingest.run_source(summary_ru)

    text = body_text(Article.objects.get(source_url=server.url("/ru/park-1")))
    assert text.startswith("В Насиминском районе Баку на территории 5 гектаров")
    assert "питьевые фонтанчики" in text
    for boilerplate in BOILERPLATE_RU:
        assert boilerplate not in text, boilerplate


def test_a_page_without_more_text_keeps_the_feed_text_and_says_why(summary_az, server):
    ingest.run_source(summary_az)

    school = Article.objects.get(source_url=server.url("/az/school-2"))
    assert body_text(school) == "Gəncədə 960 şagird yerlik məktəb tikiləcək."
    summary_az.refresh_from_db()
    assert "/az/school-2: the page's text is no longer than the feed's" in notes(summary_az)


def test_a_missing_page_keeps_the_feed_text(summary_az, server):
    del server.routes["/az/park-1"]

    ingest.run_source(summary_az)

    park = Article.objects.get(source_url=server.url("/az/park-1"))
    assert body_text(park).startswith("Nəsimi rayonunda 5 hektarlıq yeni park")
    summary_az.refresh_from_db()
    assert "/az/park-1: page not fetched: the server answered HTTP 404" in notes(summary_az)


def test_robots_txt_is_respected(summary_az, server):
    server.add(
        "/robots.txt",
        b"User-agent: Icma.az-feed-importer\nDisallow: /az/\n",
        content_type="text/plain",
    )

    ingest.run_source(summary_az)

    assert "/az/park-1" not in server.paths()
    park = Article.objects.get(source_url=server.url("/az/park-1"))
    assert body_text(park).startswith("Nəsimi rayonunda 5 hektarlıq")
    summary_az.refresh_from_db()
    assert "robots.txt does not let us fetch the page" in notes(summary_az)


def test_robots_txt_for_other_robots_does_not_stop_us(summary_az, server):
    server.add("/robots.txt", b"User-agent: BadBot\nDisallow: /\n", content_type="text/plain")

    ingest.run_source(summary_az)

    assert "/az/park-1" in server.paths()


def test_feed_mode_never_fetches_pages(summary_az, server):
    summary_az.full_text = FullText.FEED
    summary_az.save()

    ingest.run_source(summary_az)

    assert "/az/park-1" not in server.paths() and "/robots.txt" not in server.paths()


def test_page_mode_fetches_even_a_long_feed_text(server, make_source):
    long_summary = "Uzun mətn. " * 50  # 550 characters: not a summary
    page = (FIXTURES / "page_az.html").read_text()
    extra = (
        "<p>Parkın ərazisində iki kafe, kitab köşkü və açıq havada kinoteatr fəaliyyət "
        "göstərəcək. Yay aylarında burada konsertlər və sərgilər keçirilməsi planlaşdırılır.</p>"
        "<p>Rayon icra hakimiyyəti bildirib ki, gələn il daha iki parkın tikintisinə başlanacaq. "
        "Onlardan biri Binəqədi, digəri isə Xətai rayonunda salınacaq.</p>"
    )
    longer = page.replace("quraşdırılıb.</p>", "quraşdırılıb.</p>" + extra)
    server.add(
        "/long.xml",
        (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
            f"<item><title>Park</title><link>{server.url('/az/park-1')}</link>"
            f"<description>{long_summary}</description></item></channel></rss>"
        ).encode(),
    )
    server.add("/az/park-1", longer.encode(), content_type="text/html")
    auto = make_source("/long.xml", full_text=FullText.AUTO)
    ingest.run_source(auto)
    assert "/az/park-1" not in server.paths()  # long enough: trusted in auto mode

    Article.objects.all().delete()
    ingest.run_source(make_source("/long.xml", full_text=FullText.PAGE))
    assert "/az/park-1" in server.paths()
    assert "səkkiz ay çəkib" in body_text(Article.objects.get())


def test_summary_detection():
    long_text = "<p>" + "Söz " * 200 + "</p>"
    assert fulltext.is_summary("<p>Qısa mətn.</p>")
    assert not fulltext.is_summary(long_text)
    assert fulltext.is_summary(long_text[:-4] + ' <a href="/x">Ətraflı</a></p>')
    assert fulltext.is_summary(long_text[:-4] + ' <a href="/x">Читать далее</a></p>')
    assert not fulltext.is_summary(long_text[:-4] + ' <a href="/x">Nazirlik</a> bildirib.</p>')


def test_a_draft_refreshed_from_the_feed_keeps_its_full_text(server, make_source):
    server.add_fixture("/az.xml", "summary_az.xml")
    server.add_fixture("/az/park-1", "page_az.html", content_type="text/html")
    source = make_source("/az.xml", full_text=FullText.AUTO)
    ingest.run_source(source)
    park = Article.objects.get(source_url=server.url("/az/park-1"))
    assert "səkkiz ay" in body_text(park)
    source.refresh_from_db()
    source.etag = source.last_modified = ""
    source.save()

    ingest.run_source(source)

    assert "səkkiz ay" in body_text(park)


# --- how much readers see -----------------------------------------------------------------


@pytest.fixture
def republished(make_article, source):
    body = "<p>Birinci abzas: park açıldı.</p><p>İkinci abzas: səkkiz ay çəkib.</p>"
    return make_article(source=source, body=body, source_url="https://oxu.az/park-77")


def reader_page(client, article):
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    return response, page_text(response)


def test_full_policy_shows_the_whole_body(client, republished):
    _response, text = reader_page(client, republished)
    assert "Birinci abzas" in text and "İkinci abzas" in text
    assert "Ardını mənbədə oxuyun" not in text


def test_excerpt_policy_shows_the_first_paragraph_and_a_link_to_the_source(
    client, republished, source
):
    source.republish = Republish.EXCERPT
    source.save()

    response, text = reader_page(client, republished)

    assert "Birinci abzas: park açıldı." in text
    assert "İkinci abzas" not in text
    html = response.content.decode()
    assert (
        '<p class="read-at-source"><a href="https://oxu.az/park-77" rel="noopener">'
        "Ardını mənbədə oxuyun</a></p>"
    ) in html


def test_excerpt_policy_in_russian(client, make_article, source):
    source.republish = Republish.EXCERPT
    source.language = "ru"
    source.save()
    article = make_article(
        source=source,
        language="ru",
        body="<p>Первый абзац.</p><p>Второй абзац.</p>",
        source_url="https://1news.az/park-1",
    )

    _response, text = reader_page(client, article)

    assert "Первый абзац." in text and "Второй абзац." not in text
    assert "Читать полностью в источнике" in text


def test_headline_policy_shows_no_body(client, republished, source):
    source.republish = Republish.HEADLINE
    source.save()

    response, text = reader_page(client, republished)

    assert republished.title in text
    assert "Birinci abzas" not in text and "İkinci abzas" not in text
    assert '<a href="https://oxu.az/park-77" rel="noopener">Xəbəri mənbədə oxuyun</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "fragments-cached"])
def test_the_policies_cost_no_query(client, republished, source, settings, cached):
    settings.FRAGMENT_CACHE_SECONDS = 60 if cached else 0
    counts = {}
    for policy in (Republish.FULL, Republish.EXCERPT, Republish.HEADLINE):
        source.republish = policy
        source.save()
        articles_changed()
        reader_page(client, republished)  # fills the caches when they are on
        with CaptureQueriesContext(connection) as queries:
            reader_page(client, republished)
        counts[policy] = len(queries)
    assert counts[Republish.EXCERPT] == counts[Republish.HEADLINE] == counts[Republish.FULL]
    assert counts[Republish.FULL] <= 8


def test_search_and_our_feed_quote_no_more_than_the_policy_allows(client, make_article, source):
    source.republish = Republish.HEADLINE
    source.save()
    make_article(
        source=source,
        title="Gizli mətnli xəbər",
        body="<p>Bənövşəyi zürafə haqqında mətn.</p>",
        source_url="https://oxu.az/x-1",
    )

    results = page_text(client.get("/search/?q=z%C3%BCrafe"))
    feed = client.get("/rss/").content.decode()

    assert "Gizli mətnli xəbər" in results
    assert "Bənövşəyi" not in results
    assert "Gizli mətnli xəbər" in feed and "Bənövşəyi" not in feed


@pytest.mark.django_db(transaction=True)  # the import runs in a thread with its own connection
def test_fetch_now_in_the_admin_brings_the_full_text_too(admin_client, summary_az, server):
    response = admin_client.post(
        "/admin/articles/source/",
        {"action": "fetch_now", "_selected_action": [summary_az.pk]},
        follow=True,
    )

    assert response.status_code == 200
    park = Article.objects.get(source_url=server.url("/az/park-1"))
    assert "səkkiz ay çəkib" in body_text(park)


def test_the_same_text_on_a_second_sources_page_is_extracted_too(server, make_source):
    server.add_fixture("/az/park-1", "page_az.html", content_type="text/html")
    first = fulltext.extract((FIXTURES / "page_az.html").read_bytes(), server.url("/az/park-1"))

    # Agencies' texts reappear on many sources' pages: each one is extracted in full.
    again = [
        fulltext.extract((FIXTURES / "page_az.html").read_bytes(), server.url(f"/s{n}/park"))
        for n in range(5)
    ]

    assert again == [first] * 5 and "səkkiz ay çəkib" in first
