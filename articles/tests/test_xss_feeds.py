"""The XSS corpus as feed entry titles and bodies: imported, published, rendered, none runs."""

from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pytest
from django.test import Client
from django.urls import reverse

from articles.html import ALLOWED_TAGS
from articles.importers.feeds import import_source
from articles.models import Article
from newsportal.tests.xss import injected, markup, payloads

pytestmark = pytest.mark.usefixtures("feed_import")

PAYLOADS = payloads()
LIST_ITEM_TAGS = {"a", "svg", "use", "path"}


def rss(items):
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>https://oxu.az/xss/{number}</link>"
        f"<guid>https://oxu.az/xss/{number}</guid>"
        f"<pubDate>Wed, 21 Jan 2026 09:00:00 +0400</pubDate>"
        f"<description><![CDATA[{body.replace(']]>', ']]&gt;')}]]></description></item>"
        for number, (title, body) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Oxu.az</title><link>https://oxu.az/</link>{entries}</channel></rss>"
    ).encode()


@pytest.fixture
def imported(server, make_source, settings):
    """Import one feed: entry 0 is plain text, then one entry per payload; publish them all."""
    # The payloads' pictures point at the source's site, which no test may reach: dropped.
    settings.FEED_BODY_PICTURES = 0
    items = [("Sadə başlıq xəbəri", "<p>Sadə mətn.</p>")]
    items += [(f"Xəbər {payload}", f"<p>Mətn {payload}</p>{payload}") for payload in PAYLOADS]
    server.add("/xss.xml", rss(items), content_type="application/rss+xml")
    source = make_source("/xss.xml")

    report = import_source(source)

    Article.objects.filter(source=source).update(status=Article.Status.PUBLISHED)
    return report, {
        article.source_url: article for article in Article.objects.filter(source=source)
    }


def test_feed_titles_and_bodies_never_become_markup(imported):
    report, articles = imported
    client = Client()
    baseline = client.get(articles["https://oxu.az/xss/0"].get_absolute_url()).content.decode()

    assert report.new == len(PAYLOADS) + 1
    failures = {}
    for number, payload in enumerate(PAYLOADS, start=1):
        article = articles[f"https://oxu.az/xss/{number}"]
        html = client.get(article.get_absolute_url()).content.decode()
        # Titles are plain text, escaped on output; bodies keep the sanitiser's harmless
        # formatting (links, pictures, lists...).
        problems = injected(html, baseline, allowed=ALLOWED_TAGS)
        if problems:
            failures[payload] = problems

    assert failures == {}


def test_lists_and_feeds_of_attacked_articles_stay_clean(imported):
    _report, articles = imported
    client = Client()
    paths = ["/", "/ru/", "/archive/2026/01/21/", "/most-read/", "/search/?q=Xəbər"]
    attacked = Article.objects.exclude(source_url="https://oxu.az/xss/0")
    attacked.update(status=Article.Status.DRAFT)
    baselines = {path: client.get(path).content.decode() for path in paths}
    attacked.update(status=Article.Status.PUBLISHED)

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        # More articles listed: more items, links and their icons (inline SVG), nothing else.
        problems = injected(response.content.decode(), baselines[path], allowed=LIST_ITEM_TAGS)
        assert problems == [], path
    # A feed reader renders each description as HTML: it must hold text, never an element.
    source = articles["https://oxu.az/xss/0"].source
    for feed in ("/rss/", "/ru/rss/", reverse("articles:source-rss", args=[source.slug])):
        response = client.get(feed)
        assert response.status_code == 200, feed
        for description in ElementTree.fromstring(response.content).iter("description"):
            parsed = markup(description.text or "")
            assert (dict(parsed.tags), parsed.problems) == ({}, []), description.text


@pytest.mark.parametrize("feed", ["/rss/", "/atom/"])
def test_text_that_looks_like_markup_reaches_feed_readers_escaped(client, make_article, feed):
    """A body quoting markup as text (entities) must not become markup in a feed reader."""
    for payload in PAYLOADS:
        make_article(title="Sitat", body=f"<p>{escape(payload)}</p>")

    document = ElementTree.fromstring(client.get(feed).content)

    texts = [
        element.text or ""
        for element in document.iter()
        if element.tag.rsplit("}", 1)[-1] in {"description", "summary"}
    ]
    assert texts
    for text in texts:
        parsed = markup(text)
        assert (dict(parsed.tags), parsed.problems) == ({}, []), text
