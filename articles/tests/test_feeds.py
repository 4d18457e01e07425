"""RSS and Atom feeds, sitemaps and robots.txt, read as XML the way machines read them."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from articles.text import BAKU_TZ

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(autouse=True)
def fresh_cache(db):
    """Sitemaps are cached pages: start every test without them."""
    cache.clear()
    yield
    cache.clear()


def xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_rss_lists_the_latest_articles_of_the_language_with_their_source(
    client, source, politics, make_article
):
    make_article(
        title="Strateji müttəfiqlik",
        lead="Azərbaycan & Türkiyə <yeni> mərhələdə.",
        source=source,
        source_url="https://525.az/news/1",
        category=politics,
        author_name="Fuad Hüseynzadə",
        label="FOTOLAR",
    )
    make_article(title="Öz xəbərimiz")
    make_article(title="Qaralama", status=Article.Status.DRAFT)
    make_article(title="Русская новость", language="ru")

    channel = xml(client.get("/rss/")).find("channel")

    assert channel.findtext("language") == "az"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Strateji müttəfiqlik FOTOLAR",
        "Öz xəbərimiz",
    ]
    first = items[0]
    assert first.findtext("link").endswith(
        Article.objects.get(title__startswith="Strat").get_absolute_url()
    )
    # Readers render the description as HTML: the text arrives escaped and shows as written.
    assert first.findtext("description") == "Azərbaycan &amp; Türkiyə &lt;yeni&gt; mərhələdə."
    assert first.findtext("category") == "Siyasət"
    assert first.findtext(f"{DC}creator") == "Fuad Hüseynzadə"
    assert first.findtext("pubDate")
    assert first.find("source").text == "525.az"
    assert first.find("source").get("url") == "https://525.az/news/1"
    assert items[1].find("source") is None


def test_russian_feed_has_russian_articles_and_links(client, make_article):
    make_article(title="Xəbər")
    make_article(title="Новость", language="ru")

    channel = xml(client.get("/ru/rss/")).find("channel")

    assert channel.findtext("language") == "ru"
    assert [item.findtext("title") for item in channel.findall("item")] == ["Новость"]
    assert "/ru/news/" in channel.find("item").findtext("link")


def test_atom_feed_carries_the_source_element(client, source, make_article):
    make_article(title="Atom xəbəri", source=source)

    feed = xml(client.get("/atom/"))

    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Atom xəbəri"
    assert entry.find(f"{ATOM}source/{ATOM}title").text == "525.az"
    assert entry.find(f"{ATOM}source/{ATOM}link").get("href") == "https://525.az"


def test_source_and_category_feeds_hold_only_their_articles(client, source, politics, make_article):
    make_article(title="Mənbədən", source=source)
    make_article(title="Kateqoriyadan", category=politics)

    by_source = xml(client.get("/source/525-az/rss/")).find("channel")
    by_category = xml(client.get("/category/siyaset/atom/"))

    assert [i.findtext("title") for i in by_source.findall("item")] == ["Mənbədən"]
    assert [e.findtext(f"{ATOM}title") for e in by_category.findall(f"{ATOM}entry")] == [
        "Kateqoriyadan"
    ]
    assert client.get("/source/yoxdur/rss/").status_code == 404


def test_pages_point_feed_readers_to_their_feeds(client, source, make_article):
    make_article(source=source)

    assert 'type="application/rss+xml"' in client.get("/").content.decode()
    assert 'href="/source/525-az/rss/"' in client.get("/source/525-az/").content.decode()


def test_sitemap_index_lists_the_sections(client, make_article):
    article = make_article()
    month = f"{timezone.localtime(article.published_at):%Y-%m}"

    index = xml(client.get("/sitemap.xml"))

    locations = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert f"http://testserver/sitemap-articles-{month}.xml" in locations
    assert "http://testserver/sitemap-news.xml" in locations
    assert "http://testserver/sitemap-pages.xml" in locations


def baku(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=BAKU_TZ)


def test_the_index_lists_a_sitemap_per_month_with_articles_newest_first_counting_nothing(
    client, make_article, django_assert_max_num_queries
):
    make_article(title="Noyabrın sonu", published_at=baku(2026, 11, 30, 23))
    make_article(title="Dekabrın əvvəli", published_at=baku(2026, 12, 1, 0))
    make_article(title="Avqust", published_at=baku(2026, 8, 15))
    make_article(title="Sentyabr qaralaması", published_at=baku(2026, 9, 1), status="draft")
    cache.clear()

    # The first and last times, one EXISTS per month between (five), the pages section.
    with django_assert_max_num_queries(15) as captured:
        index = xml(client.get("/sitemap.xml"))

    assert not [query for query in captured if "COUNT(" in query["sql"].upper()]
    months = [
        loc.text.removeprefix("http://testserver/sitemap-articles-").removesuffix(".xml")
        for loc in index.iter(f"{SITEMAP}loc")
        if "sitemap-articles-" in loc.text
    ]
    # September and October have no article readers see: no sitemap of theirs.
    assert months == ["2026-12", "2026-11", "2026-08"]

    def titles(month):
        urlset = xml(client.get(f"/sitemap-articles-{month}.xml"))
        return sorted(loc.text.rsplit("/", 1)[1] for loc in urlset.iter(f"{SITEMAP}loc"))

    # A month in Baku time: 23:00 on 30 November is November's, midnight of 1 December is not.
    assert titles("2026-11") == [
        f"{a.slug}-{a.pk}" for a in Article.objects.filter(title="Noyabrın sonu")
    ]
    assert titles("2026-12") == [
        f"{a.slug}-{a.pk}" for a in Article.objects.filter(title="Dekabrın əvvəli")
    ]
    assert client.get("/sitemap-articles-2026-13.xml").status_code == 404
    assert client.get("/sitemap-articles.xml").status_code == 404


def test_article_sitemap_lists_only_published_articles_at_their_language_address(
    client, make_article
):
    when = timezone.now() - timedelta(minutes=5)  # both in one month's sitemap
    visible = make_article(title="Görünən", published_at=when)
    russian = make_article(title="Видимая", language="ru", published_at=when)
    make_article(title="Qaralama", status=Article.Status.DRAFT, published_at=when)
    make_article(title="Sabah", published_at=timezone.now() + timedelta(hours=2))

    month = f"{timezone.localtime(when):%Y-%m}"
    urlset = xml(client.get(f"/sitemap-articles-{month}.xml"))

    locations = sorted(loc.text for loc in urlset.iter(f"{SITEMAP}loc"))
    assert locations == sorted(
        [
            f"http://testserver{visible.get_absolute_url()}",
            f"http://testserver/ru/news/{russian.slug}-{russian.pk}",
        ]
    )


def test_news_sitemap_lists_the_last_48_hours_in_google_news_format(client, make_article):
    make_article(title="Təzə xəbər", published_at=timezone.now() - timedelta(hours=3))
    make_article(title="Köhnə xəbər", published_at=timezone.now() - timedelta(hours=50))
    make_article(title="Qaralama", status=Article.Status.DRAFT)

    urlset = xml(client.get("/sitemap-news.xml"))

    news = urlset.findall(f"{SITEMAP}url/{NEWS}news")
    assert [item.findtext(f"{NEWS}title") for item in news] == ["Təzə xəbər"]
    assert news[0].findtext(f"{NEWS}publication/{NEWS}name") == "Icma.az"
    assert news[0].findtext(f"{NEWS}publication/{NEWS}language") == "az"
    assert news[0].findtext(f"{NEWS}publication_date").startswith(str(timezone.localdate().year))


def test_pages_sitemap_has_both_languages_of_home_sources_and_categories(
    client, source, politics, make_article
):
    make_article(source=source)

    urlset = xml(client.get("/sitemap-pages.xml"))

    locations = {loc.text for loc in urlset.iter(f"{SITEMAP}loc")}
    assert {
        "http://testserver/",
        "http://testserver/ru/",
        "http://testserver/source/525-az/",
        "http://testserver/ru/category/siyaset/",
    } <= locations


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body
