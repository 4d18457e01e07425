"""What search engines and link previews read on article and list pages."""

import json
import re

import pytest

from articles.models import Article


def jsonld(html):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def meta(html, key):
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def test_article_page_has_news_article_json_ld(client, source, make_article):
    article = make_article(
        title="Strateji müttəfiqliyin yeni mərhələsi",
        lead="İki ölkə arasında yeni mərhələ.",
        author_name="Fuad Hüseynzadə",
        source=source,
        source_url="https://525.az/news/42",
    )

    data = jsonld(client.get(article.get_absolute_url()).content.decode())

    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Strateji müttəfiqliyin yeni mərhələsi"
    assert data["description"] == "İki ölkə arasında yeni mərhələ."
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] == Article.objects.get(pk=article.pk).updated_at.isoformat()
    assert data["author"] == {"@type": "Person", "name": "Fuad Hüseynzadə"}
    assert data["publisher"]["name"] == "Icma.az"
    assert data["inLanguage"] == "az"
    assert data["isBasedOn"] == "https://525.az/news/42"
    assert data["url"] == f"http://testserver{article.get_absolute_url()}"


def test_json_ld_cannot_be_broken_out_of_by_the_title(client, make_article):
    title = '</script><script>alert("x")</script> & <!-- sonra'
    article = make_article(title=title, body="<p>Mətn.</p>")

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<script>alert("x")</script>' not in html
    data = jsonld(html)
    assert data["headline"] == title
    assert data["author"]["name"] == "Icma.az"  # the portal, when no author is named
    assert "isBasedOn" not in data


def test_article_page_has_description_opengraph_and_twitter_tags(client, make_article):
    article = make_article(
        language="ru",
        title="Морозы в Азербайджане",
        body="<p>Синоптики обещают <b>сильные</b> морозы. Второе предложение.</p>",
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<meta name="description" content="Синоптики обещают сильные морозы.">' in html
    assert meta(html, "og:title") == "Морозы в Азербайджане"
    assert meta(html, "og:description") == "Синоптики обещают сильные морозы."
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:site_name") == "Icma.az"
    assert meta(html, "og:locale") == "ru_RU"
    assert meta(html, "og:url") == f"http://testserver{article.get_absolute_url()}"
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "Морозы в Азербайджане"
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


@pytest.mark.parametrize("url", ["/", "/source/525-az/", "/archive/2026/01/"])
def test_home_and_list_pages_have_sharing_metadata(client, source, make_article, url):
    make_article(source=source)

    html = client.get(url).content.decode()

    assert meta(html, "og:site_name") == "Icma.az"
    assert meta(html, "og:locale") == "az_AZ"
    assert meta(html, "og:title")
    assert meta(html, "og:description")
    assert '<link rel="canonical"' in html


def test_later_list_pages_are_canonical_to_themselves(client, source, make_article):
    for _ in range(25):
        make_article(source=source)

    html = client.get("/source/525-az/?page=2").content.decode()

    assert '<link rel="canonical" href="http://testserver/source/525-az/?page=2">' in html
