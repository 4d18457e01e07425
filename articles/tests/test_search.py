"""Search: words and filters, ranking, highlighting, and every kind of bad input."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Category, Source
from articles.text import BAKU_TZ

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search features of PostgreSQL"
)


def results(response):
    """Return the result titles as readers see them (tags such as <mark> removed)."""
    page = response.content.decode()
    if 'class="news-list search-results"' not in page:
        return []
    block = page[page.index('class="news-list search-results"') : page.index("</ol>")]
    titles = re.findall(
        r'class="news-title" href="[^"]+">(.*?)(?: <span class="label">|</a>)', block
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", title)) for title in titles]


@pytest.fixture
def apa(db):
    return Source.objects.create(
        name="APA", slug="apa", kind=Source.Kind.AGENCY, homepage="https://apa.az"
    )


@pytest.fixture
def economy(db):
    return Category.objects.create(name_az="İqtisadiyyat", name_ru="Экономика", slug="iqtisadiyyat")


def test_words_find_articles_by_title_lead_and_body(client, make_article):
    make_article(title="Bakıda neft qiyməti qalxdı")
    make_article(title="Gündəlik xəbər", lead="Neft bazarında gərginlik")
    make_article(title="Başqa xəbər", body="<p>Dünya bazarında neft ucuzlaşdı.</p>")
    make_article(title="Heç bir əlaqəsi yoxdur")

    response = client.get("/search/?q=neft")

    assert response.status_code == 200
    assert set(results(response)) == {
        "Bakıda neft qiyməti qalxdı",
        "Gündəlik xəbər",
        "Başqa xəbər",
    }
    assert "3 nəticə" in response.content.decode()


def test_lower_case_words_find_capitalised_azerbaijani_and_russian_words(client, make_article):
    make_article(title="İlham Əliyev Şuşada")
    make_article(title="Морозы в Азербайджане", language="ru")

    assert results(client.get("/search/?q=ilham əliyev şuşada")) == ["İlham Əliyev Şuşada"]
    assert results(client.get("/ru/search/?q=морозы")) == ["Морозы в Азербайджане"]


def test_every_word_must_match(client, make_article):
    make_article(title="Neft qiyməti qalxdı")
    make_article(title="Qaz qiyməti qalxdı")

    assert results(client.get("/search/?q=neft qiyməti")) == ["Neft qiyməti qalxdı"]


def test_title_matches_rank_above_lead_above_body_then_newer_first(client, make_article):
    now = timezone.now()
    make_article(title="Mətndə", body="<p>Karabağ haqqında</p>", published_at=now)
    make_article(title="Girişdə", lead="Karabağ yolları", published_at=now - timedelta(days=1))
    make_article(title="Karabağ köhnə başlıqda", published_at=now - timedelta(days=3))
    make_article(title="Karabağ yeni başlıqda", published_at=now - timedelta(days=2))

    assert results(client.get("/search/?q=Karabağ")) == [
        "Karabağ yeni başlıqda",
        "Karabağ köhnə başlıqda",
        "Girişdə",
        "Mətndə",
    ]


def test_filters_combine_with_words(client, make_article, source, apa, economy):
    day = datetime(2026, 1, 15, 12, tzinfo=BAKU_TZ)
    make_article(title="Bazar 1", source=apa, category=economy, label="FOTO", published_at=day)
    make_article(title="Bazar 2", source=source, category=economy, label="FOTO", published_at=day)
    make_article(title="Bazar 3", source=apa, label="FOTO", published_at=day)
    make_article(title="Bazar 4", source=apa, category=economy, published_at=day)
    make_article(
        title="Bazar 5",
        source=apa,
        category=economy,
        label="FOTO",
        published_at=day - timedelta(days=5),
    )
    make_article(title="Qiymət", source=apa, category=economy, label="FOTO", published_at=day)

    query = {
        "q": "bazar",
        "source": "apa",
        "category": "iqtisadiyyat",
        "label": "foto",
        "date_from": "2026-01-14",
        "date_to": "2026-01-15",
    }
    assert results(client.get("/search/", query)) == ["Bazar 1"]
    assert set(results(client.get("/search/?source=apa&label=FOTO"))) == {
        "Bazar 1", "Bazar 3", "Bazar 5", "Qiymət",
    }  # fmt: skip
    assert set(results(client.get("/search/?category=iqtisadiyyat&date_to=2026-01-12"))) == {
        "Bazar 5"
    }


def test_dates_are_whole_days_in_baku_time(client, make_article):
    make_article(title="Gecə", published_at=datetime(2026, 1, 15, 23, 50, tzinfo=BAKU_TZ))
    make_article(title="Ertəsi", published_at=datetime(2026, 1, 16, 0, 10, tzinfo=BAKU_TZ))

    assert results(client.get("/search/?date_from=2026-01-15&date_to=2026-01-15")) == ["Gecə"]
    response = client.get("/search/?date_from=16.01.2026")
    assert results(response) == ["Ertəsi"]
    assert 'name="date_from" value="2026-01-16"' in response.content.decode()
    bad = client.get("/search/?date_from=2026-13-45").content.decode()
    assert re.search(r'<input type="date" name="date_from" [^>]*id="id_date_from">', bad)


def test_search_shows_only_published_articles_of_the_page_language(client, make_article):
    make_article(title="Xəbər dərc olunub")
    make_article(title="Xəbər qaralama", status=Article.Status.DRAFT)
    make_article(title="Xəbər sabah", published_at=timezone.now() + timedelta(days=1))
    make_article(title="Новость Xəbər", language="ru")

    assert results(client.get("/search/?q=xəbər")) == ["Xəbər dərc olunub"]
    assert results(client.get("/ru/search/?q=xəbər")) == ["Новость Xəbər"]


def test_matches_are_highlighted_and_html_in_articles_cannot_get_through(client, make_article):
    make_article(
        title='<script>alert("neft")</script> neft xəbəri',
        lead="Neft <b>qalın</b> &amp; <img src=x onerror=alert(1)>",
    )

    page = client.get("/search/?q=neft").content.decode()

    main = page[page.index('<main id="content"') : page.index("</main>")]
    assert "<script>" not in main and "<b>" not in main and "<img" not in main
    assert (
        "&lt;script&gt;alert(&quot;<mark>neft</mark>&quot;)&lt;/script&gt; <mark>neft</mark>"
        in main
    )
    assert (
        '<p class="snippet"><mark>Neft</mark> &lt;b&gt;qalın&lt;/b&gt; &amp;amp; &lt;img src=x'
        in main
    )


def test_snippet_comes_from_the_body_around_the_match(client, make_article):
    filler = " ".join(["Söz"] * 80)
    make_article(title="Uzun yazı", body=f"<p>{filler} Gəncədə <em>yağış</em> yağdı. {filler}</p>")

    page = client.get("/search/?q=yağış").content.decode()

    snippet = re.search(r'<p class="snippet">(.*?)</p>', page).group(1)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "Gəncədə <mark>yağış</mark> yağdı." in snippet


def test_the_form_keeps_its_values(client, make_article, apa):
    html = client.get(
        "/search/?q=neft+bazar&source=apa&label=FOTO&date_from=2026-01-14"
    ).content.decode()

    assert 'name="q" id="id_q" value="neft bazar"' in html
    assert '<option value="apa" selected>APA</option>' in html
    assert 'name="label" value="FOTO"' in html
    assert 'name="date_from" value="2026-01-14"' in html


def test_empty_form_invites_a_search_and_no_result_says_so(client, make_article):
    make_article(title="Neft")

    empty = client.get("/search/").content.decode()
    nothing = client.get("/ru/search/?q=несуществующее").content.decode()

    assert "Xəbər tapmaq üçün bir neçə söz yazın" in empty
    assert "Ничего не найдено." in nothing


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=neft&date_from=2025-13-45", "Düzgün tarix daxil edin."),
        ("q=neft&date_to=yesterday", "Düzgün tarix daxil edin."),
        ("q=neft&date_from=0001-01-01", "1990 və 2100 illəri arasında tarix daxil edin."),
        ("date_from=2026-02-01&date_to=2026-01-01", "Başlanğıc tarixi son tarixdən sonradır."),
        ("q=neft&source=yoxdur", "Düzgün seçim edin."),
        ("q=neft&category=yoxdur", "Düzgün seçim edin."),
        ("q=" + "neft " * 2000, "ən çox 200 simvol olduğuna əmin olun"),
        ("label=" + "X" * 100, "ən çox 40 simvol olduğuna əmin olun"),
    ],
    ids=["bad-date", "not-a-date", "ancient-date", "dates-reversed", "unknown-source",
         "unknown-category", "10000-characters", "long-label"],
)  # fmt: skip
def test_invalid_parameters_give_a_clear_message_and_no_results(
    client, make_article, query, message
):
    make_article(title="Neft")

    response = client.get(f"/search/?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Axtarış formasındakı səhvləri düzəldin: axtarış aparılmadı." in html
    assert results(response) == []


@pytest.mark.parametrize("page", ["99999", "abc", "9" * 30])
def test_a_page_beyond_the_results_says_so(client, make_article, page):
    make_article(title="Neft")

    response = client.get(f"/search/?q=neft&page={page}")

    assert response.status_code == 404
    assert "Nəticələrin belə səhifəsi yoxdur." in response.content.decode()


def test_punctuation_only_and_operator_queries_do_not_break(client, make_article):
    make_article(title="Neft & qaz")

    for query in ["!!!", "'", "neft & | ! :*", "a:* | b", "%_\\", "<>", "\x00"]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
    assert results(client.get("/search/", {"q": "!!!"})) == []
    assert results(client.get("/search/", {"q": "neft & | ! :*"})) == ["Neft & qaz"]


def test_results_are_paginated(client, make_article):
    for number in range(25):
        make_article(title=f"Neft xəbəri {number}")

    response = client.get("/search/?q=neft&page=2")

    assert len(results(response)) == 5
    html = response.content.decode()
    assert 'rel="prev" href="?q=neft&amp;page=1"' in html
    assert "25 nəticə" in html


@postgresql_only
def test_words_typed_without_azerbaijani_letters_still_match(client, make_article):
    make_article(title="Strateji müttəfiqliyin yeni mərhələsi")
    make_article(title="Başqa mövzu")

    assert results(client.get("/search/?q=muttefiqliyin merhelesi")) == [
        "Strateji müttəfiqliyin yeni mərhələsi"
    ]


@postgresql_only
def test_word_stems_find_inflected_forms_in_both_languages(client, make_article):
    make_article(title="Müttəfiqliyin yeni mərhələsi")
    make_article(title="Сильные морозы в Азербайджане", language="ru")

    assert results(client.get("/search/?q=müttəfiq")) == ["Müttəfiqliyin yeni mərhələsi"]
    assert results(client.get("/ru/search/?q=мороз")) == ["Сильные морозы в Азербайджане"]
    assert results(client.get("/ru/search/?q=азербайджан")) == ["Сильные морозы в Азербайджане"]


def test_folding_keeps_positions_and_matches_what_the_database_folds():
    from articles.search import highlight
    from articles.text import fold

    assert fold("Müttəfiqliyin İLHAM ılıq Ёлка Йошкар") == "muttefiqliyin ilham iliq елка йошкар"
    assert highlight("Müttəfiqliyin <b>", ["muttefiq"]) == "<mark>Müttəfiqliyin</mark> &lt;b&gt;"
