"""Source pages are reachable: linked from articles, and listed on the sources index."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Source
from articles.text import BAKU_TZ

NEWEST = datetime(2026, 1, 21, 13, 23, tzinfo=BAKU_TZ)


@pytest.fixture
def sources(db):
    return {
        "525": Source.objects.create(
            name="525.az", slug="525-az", kind=Source.Kind.PORTAL, homepage="https://525.az"
        ),
        "apa": Source.objects.create(
            name="APA", slug="apa", kind=Source.Kind.AGENCY, homepage="https://apa.az"
        ),
        "1news": Source.objects.create(
            name="1news.az",
            slug="1news-az",
            kind=Source.Kind.SITE,
            homepage="https://www.1news.az",
            language="ru",
        ),
    }


def source_item(html, name):
    """Return the text of the index's line for the source, tags removed."""
    for item in re.findall(r'<li class="source-item">(.*?)</li>', html, re.S):
        if f">{name}</a>" in item:
            return " ".join(re.sub(r"<[^>]+>", " ", item).split())
    raise AssertionError(f"{name} is not listed")


def test_sources_index_lists_every_source_with_its_facts(client, sources, make_article):
    make_article(source=sources["525"], published_at=NEWEST)
    make_article(source=sources["525"], published_at=NEWEST - timedelta(days=1))
    make_article(source=sources["525"], status=Article.Status.DRAFT)
    make_article(source=sources["525"], published_at=timezone.now() + timedelta(days=1))
    make_article(source=sources["1news"], language="ru", published_at=NEWEST)

    response = client.get("/sources/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="list-title">Mənbələr</h1>' in html
    assert source_item(html, "525.az") == (
        "525.az portal · Azərbaycan dili · 2 xəbər Son xəbər: 21 Yanvar 2026 13:23"
    )
    assert (
        source_item(html, "APA")
        == "APA agentlik · Azərbaycan dili · 0 xəbər Bu dildə hələ xəbər yoxdur."
    )
    # Counted in the page's language, as the source's page lists them.
    assert source_item(html, "1news.az").startswith("1news.az sayt · Rus dili · 0 xəbər")
    assert 'href="/source/525-az/"' in html


def test_russian_sources_index(client, sources, make_article):
    make_article(source=sources["1news"], language="ru", published_at=NEWEST)
    make_article(source=sources["1news"], language="ru", published_at=NEWEST - timedelta(hours=1))

    html = client.get("/ru/sources/").content.decode()

    assert '<h1 class="list-title">Источники</h1>' in html
    assert source_item(html, "1news.az") == (
        "1news.az сайт · Русский · 2 новости Последняя новость: 21 января 2026 13:23"
    )
    assert 'href="/ru/source/1news-az/"' in html


def test_sources_index_without_sources_says_so(client, db):
    assert "Hələ mənbə yoxdur." in client.get("/sources/").content.decode()


@pytest.mark.parametrize("number", [3, 30])
def test_sources_index_stays_within_the_list_query_budget(
    client, sources, make_article, django_assert_max_num_queries, number
):
    for i in range(number):
        source = Source.objects.create(
            name=f"Mənbə {i}", slug=f"menbe-{i}", homepage="https://x.az"
        )
        make_article(source=source)

    with django_assert_max_num_queries(6):
        response = client.get("/sources/")

    assert response.status_code == 200
    assert response.content.decode().count('<li class="source-item">') == number + 3


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_sources_index_is_linked_from_the_menu_and_the_footer(client, db, prefix):
    html = client.get(f"{prefix}/").content.decode()

    menu = html[html.index('id="site-menu"') : html.index("</nav>")]
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{prefix}/sources/"' in menu
    assert f'href="{prefix}/sources/"' in footer


def test_article_links_its_source_page_and_the_original(client, sources, make_article):
    article = make_article(
        source=sources["525"], source_url="https://525.az/news/1", attribution_variant=0
    )

    html = client.get(article.get_absolute_url()).content.decode()

    attribution = re.search(r'<p class="attribution">(.*?)</p>', html).group(1)
    assert (
        attribution == 'Icma.az bildirir, <a href="/source/525-az/">525.az</a> portalına istinadən.'
    )
    meta = html[html.index('<ul class="article-meta">') :]
    meta = meta[: meta.index("</ul>")]
    assert 'href="https://525.az/news/1"' in meta
    assert (
        '<a href="/source/525-az/" class="source-page">525.az mənbəsinin bütün xəbərləri</a>'
        in meta
    )
    source_page = client.get("/source/525-az/").content.decode()
    intro = re.search(r'<p class="list-intro">(.*?)</p>', source_page).group(1)
    assert '<a href="/sources/">Bütün mənbələrimiz</a>' in intro  # and back to the index


def test_russian_article_links_the_russian_source_page(client, sources, make_article):
    article = make_article(source=sources["1news"], language="ru", attribution_variant=0)

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'сообщает со ссылкой на сайт <a href="/ru/source/1news-az/">1news.az</a>.' in html
    assert "Все новости источника 1news.az</a>" in html
