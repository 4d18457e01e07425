"""Both languages on every public page type: chrome, dates, plurals, switch, alternates."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from articles.models import Article, Category, Source
from articles.services import link_translation
from articles.tests.pages import NO_GALLERY

ARCHIVED = datetime(2025, 10, 20, 8, 24, tzinfo=UTC)  # 12:24 in Baku


@pytest.fixture
def ru_source(db):
    return Source.objects.create(
        name="Report.az", slug="report-az", kind=Source.Kind.AGENCY,
        homepage="https://report.az", language="ru",
    )  # fmt: skip


@pytest.fixture
def ru_article(make_article, ru_source):
    return make_article(
        language="ru",
        title="Синоптики предупреждают: морозы в Азербайджане продолжатся",
        source=ru_source,
        source_url="https://report.az/ru/pogoda/morozy",
        archived_at=ARCHIVED,
        views=121,
    )


def test_russian_article_page_has_russian_chrome(client, ru_article):
    url = ru_article.get_absolute_url()
    response = client.get(url)
    html = response.content.decode()

    slug = "sinoptiki-preduprezhdayut-morozy-v-azerbajdzhane-prodolzhatsya"
    assert url == f"/ru/news/{slug}-{ru_article.pk}"
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert "Просмотров: <strong>121</strong>" in html
    assert 'Источник: <a href="https://report.az/ru/pogoda/morozy"' in html
    assert "Эта новость взята из источника 20 октября 2025 12:24" in html
    assert "0 комментариев" in html
    assert "Войдите, чтобы оставить комментарий..." in html
    assert "Будьте первым, кто ответит..." in html
    assert "Следите за Icma.az, чтобы узнать больше о дальнейших событиях." in html
    assert "агентств" in html  # the attribution names the agency in Russian
    assert "Самое читаемое за день" in html and "Последние новости" in html
    assert "Baxış sayı" not in html and "Son xəbərlər" not in html


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 комментарий"), (2, "2 комментария"), (5, "5 комментариев"), (21, "21 комментарий")],
)
def test_russian_comment_count_agrees_with_the_number(client, ru_article, count, text):
    Article.objects.filter(pk=ru_article.pk).update(comment_count=count)

    assert f">{text}</h2>" in client.get(ru_article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_azerbaijani_comment_count_has_no_plural_agreement(client, make_article, count):
    article = make_article(comment_count=count)

    assert f">{count} Şərh</h2>" in client.get(article.get_absolute_url()).content.decode()


def test_each_language_lists_only_its_own_articles(client, make_article, ru_article):
    make_article(title="Azərbaycanca xəbər")

    az_home = client.get("/").content.decode()
    ru_home = client.get("/ru/").content.decode()

    assert "Azərbaycanca xəbər" in az_home and ru_article.title not in az_home
    assert ru_article.title in ru_home and "Azərbaycanca xəbər" not in ru_home
    assert '<html lang="ru">' in ru_home and "Последние новости" in ru_home


def test_switch_reads_ru_on_azerbaijani_pages_and_az_on_russian_ones(client, db):
    az_home = client.get("/").content.decode()
    ru_home = client.get("/ru/").content.decode()

    assert 'class="lang-switch" href="/ru/" hreflang="ru" lang="ru">RU</a>' in az_home
    assert 'class="lang-switch" href="/" hreflang="az" lang="az">AZ</a>' in ru_home


def test_switch_leads_to_the_linked_translation(client, make_article, ru_article):
    az_article = make_article(title="Sinoptiklər xəbərdarlıq edir")
    link_translation(ru_article, az_article)

    az_html = client.get(az_article.get_absolute_url()).content.decode()
    ru_html = client.get(ru_article.get_absolute_url()).content.decode()

    assert f'class="lang-switch" href="{ru_article.get_absolute_url()}"' in az_html
    assert f'class="lang-switch" href="{az_article.get_absolute_url()}"' in ru_html
    for html in (az_html, ru_html):
        assert f'hreflang="ru" href="http://testserver{ru_article.get_absolute_url()}"' in html
        assert f'hreflang="az" href="http://testserver{az_article.get_absolute_url()}"' in html


def test_switch_without_translation_leads_to_the_other_home(client, ru_article):
    html = client.get(ru_article.get_absolute_url()).content.decode()

    assert 'class="lang-switch" href="/" hreflang="az"' in html
    assert f'<link rel="canonical" href="http://testserver{ru_article.get_absolute_url()}">' in html
    assert 'hreflang="az"' not in html.split("</head>")[0]


def test_switch_and_alternates_of_a_list_page_lead_to_the_same_page(client, db):
    Category.objects.create(slug="siyaset", name_az="Siyasət", name_ru="Политика")
    for _time in range(2):  # the second time from the addresses each process keeps per path
        az = client.get("/category/siyaset/?utm_source=x").content.decode()
        ru = client.get("/ru/category/siyaset/?utm_source=x").content.decode()

        assert 'class="lang-switch" href="/ru/category/siyaset/?utm_source=x" hreflang="ru"' in az
        assert 'class="lang-switch" href="/category/siyaset/?utm_source=x" hreflang="az"' in ru
        for html in (az, ru):
            assert 'hreflang="az" href="http://testserver/category/siyaset/">' in html
            assert 'hreflang="ru" href="http://testserver/ru/category/siyaset/">' in html


def test_home_pages_have_canonical_and_alternates(client, db):
    html = client.get("/ru/").content.decode()

    assert '<link rel="canonical" href="http://testserver/ru/">' in html
    assert '<link rel="alternate" hreflang="az" href="http://testserver/">' in html
    assert '<link rel="alternate" hreflang="ru" href="http://testserver/ru/">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/">' in html


def test_article_under_the_other_languages_prefix_redirects_to_its_own(client, seeded):
    response = client.get(f"/ru/news/{seeded.slug}-{seeded.pk}")

    assert response.status_code == 301
    assert response["Location"] == seeded.get_absolute_url()


def test_not_found_and_login_pages_in_both_languages(client, db):
    assert "Səhifə tapılmadı" in client.get("/yoxdur/").content.decode()
    assert "Страница не найдена" in client.get("/ru/net-takoj/").content.decode()
    assert "<h1>Daxil ol</h1>" in client.get("/accounts/login/").content.decode()
    assert "<h1>Войти</h1>" in client.get("/ru/accounts/login/").content.decode()


def test_dates_in_lists_are_in_the_pages_language(client, make_article, ru_article):
    make_article(title="Tarixli xəbər", published_at=ARCHIVED)

    assert "20 Oktyabr 2025 12:24" in client.get("/").content.decode()
    Article.objects.filter(pk=ru_article.pk).update(published_at=ARCHIVED)
    assert "20 октября 2025 12:24" in client.get("/ru/").content.decode()


def test_labels_are_upper_cased_the_azerbaijani_way(client, make_article):
    article = make_article(title="İstanbulda hesab açıldı", label="yenilənir")

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<span class="label">YENİLƏNİR</span>' in html


def test_attribution_phrasing_is_stable_per_article(client, make_article, source):
    others = [make_article(source=source) for _ in range(3)]
    lines = {article.attribution("Icma.az") for article in others}

    assert len(lines) > 1  # the phrasing rotates between articles ...
    for article in others:  # ... but one article always says it the same way
        assert article.attribution("Icma.az") == article.attribution("Icma.az")
        assert (
            article.attribution_html("Icma.az")
            in client.get(article.get_absolute_url()).content.decode()
        )


def test_admin_works_in_russian_and_a_russian_article_from_it_shows_russian_chrome(
    client, editor, ru_source
):
    client.force_login(editor)
    assert "Статьи" in client.get("/ru/admin/").content.decode()
    assert "Məqalələr" in client.get("/admin/").content.decode()

    response = client.post(
        "/ru/admin/articles/article/add/",
        {
            **NO_GALLERY,
            "language": "ru", "title": "Морозы продолжатся", "slug": "", "label": "",
            "lead": "", "body": "<p>Текст</p>", "image_caption": "", "author_name": "",
            "author_position": "", "source": ru_source.pk, "source_url": "",
            "archived_at_0": "", "archived_at_1": "", "attribution_variant": "",
            "status": "published", "published_at_0": "2025-10-20", "published_at_1": "12:24:00",
            "category": "", "translation_link": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    article = Article.objects.get(title="Морозы продолжатся")
    client.logout()

    html = client.get(article.get_absolute_url()).content.decode()
    assert article.get_absolute_url().startswith("/ru/news/morozy-prodolzhatsya-")
    assert "Просмотров:" in html and '<html lang="ru">' in html


def test_admin_rejects_a_translation_in_the_same_language(client, editor, make_article):
    first, second = make_article(), make_article()
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_change", args=[first.pk]),
        {
            **NO_GALLERY,
            "language": "az", "title": first.title, "slug": first.slug, "label": "",
            "lead": "", "body": first.body, "image_caption": "", "author_name": "",
            "author_position": "", "source": "", "source_url": "", "archived_at_0": "",
            "archived_at_1": "", "attribution_variant": "", "status": "published",
            "published_at_0": "2025-10-20", "published_at_1": "12:24:00", "category": "",
            "translation_link": second.pk,
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "Tərcümə digər dildə olmalıdır." in response.content.decode()
    first.refresh_from_db()
    assert first.translated is None
