"""Search folds Azerbaijani case and diacritics alike on SQLite and PostgreSQL, admin included."""

import re

import pytest
from django.urls import reverse

from articles.text import fold

# (typed, found): the same expectations on both databases.
FOLDED_QUERIES = [
    ("ƏLİYEV", "Əliyev Bakıda görüş keçirib"),
    ("əliyev", "Əliyev Bakıda görüş keçirib"),
    ("bakinin", "Bakının küçələrində qar"),
    ("BAKININ", "Bakının küçələrində qar"),
    ("incesenet", "İncəsənət muzeyi açıldı"),
    ("İNCƏSƏNƏT", "İncəsənət muzeyi açıldı"),
    ("kuceler", "Bakının küçələrində qar"),
    ("ilham", "Prezident İlham Əliyev"),
]
TITLES = [
    "Əliyev Bakıda görüş keçirib",
    "Bakının küçələrində qar",
    "İncəsənət muzeyi açıldı",
    "Prezident İlham Əliyev",
    "Başqa mövzuda xəbər",
]


def test_fold_is_one_character_for_one_and_azerbaijani_aware():
    assert fold("ƏLİYEV") == "eliyev"
    assert fold("İncəsənət Bakının") == "incesenet bakinin"
    # str.lower() would turn İ into two characters (i + a combining dot).
    assert len("İ".lower()) == 2
    assert len(fold("İİİ")) == 3
    assert fold("Ёлка Йошкар") == "елка йошкар"


@pytest.fixture
def folding_articles(make_article):
    return [make_article(title=title) for title in TITLES]


def result_titles(html):
    """Return the titles of the search results (not of the sidebar blocks)."""
    if 'class="news-list search-results"' not in html:
        return set()
    block = html[html.index('class="news-list search-results"') :]
    block = block[: block.index("</ol>")]
    titles = re.findall(r'class="news-title"[^>]*>(.*?)(?: <span class="label">|</a>)', block)
    return {re.sub(r"<[^>]+>", "", title) for title in titles}


@pytest.mark.parametrize(("typed", "found"), FOLDED_QUERIES)
def test_search_folds_case_and_diacritics(client, folding_articles, typed, found):
    html = client.get(reverse("articles:search"), {"q": typed}).content.decode()

    titles = result_titles(html)
    assert found in titles
    assert "Başqa mövzuda xəbər" not in titles


def test_search_needs_every_word(client, folding_articles):
    html = client.get(reverse("articles:search"), {"q": "ELIYEV bakida"}).content.decode()

    assert result_titles(html) == {"Əliyev Bakıda görüş keçirib"}


@pytest.mark.parametrize(("typed", "found"), FOLDED_QUERIES)
def test_admin_article_search_folds_too(client, editor, folding_articles, typed, found):
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_changelist"), {"q": typed})

    html = response.content.decode()
    assert response.status_code == 200
    assert found in html
    assert "Başqa mövzuda xəbər" not in html
