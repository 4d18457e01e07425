"""The public JSON API (articles/api/): what clients get, in both languages, and its limits."""

import base64
import io
import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from articles import stories, text
from articles.api import throttling
from articles.models import Article, DailyViews, Republish, Story, Tag
from articles.services import store_renditions
from articles.tests.factories import ArticleFactory, CategoryFactory, SourceFactory
from articles.tests.pages import ACCEPT, BROWSER

API = "/api/v1"
RU_API = "/ru/api/v1"


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


def titles(response):
    return [item["title"] for item in response.json()["results"]]


# --- Only what readers may see, in the reader's language ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", [API, RU_API])
def test_lists_hold_the_published_articles_of_the_language_newest_first(client, prefix):
    language = "ru" if prefix == RU_API else "az"
    other = "az" if language == "ru" else "ru"
    now = timezone.now()
    ArticleFactory(title="Köhnə", language=language, published_at=now - timedelta(hours=2))
    ArticleFactory(title="Təzə", language=language, published_at=now - timedelta(hours=1))
    ArticleFactory(title="Qaralama", language=language, status=Article.Status.DRAFT)
    ArticleFactory(title="Sabah", language=language, published_at=now + timedelta(hours=1))
    ArticleFactory(title="Başqa dil", language=other)

    response = get(client, f"{prefix}/articles/")

    assert response.status_code == 200
    assert titles(response) == ["Təzə", "Köhnə"]
    assert response["Content-Language"] == language
    assert {item["language"] for item in response.json()["results"]} == {language}


@pytest.mark.django_db
def test_the_lang_parameter_chooses_the_language_on_either_prefix(client):
    ArticleFactory(title="Azərbaycanca", language="az")
    ArticleFactory(title="По-русски", language="ru")

    assert titles(get(client, f"{API}/articles/?lang=ru")) == ["По-русски"]
    assert titles(get(client, f"{RU_API}/articles/?lang=az")) == ["Azərbaycanca"]
    assert titles(get(client, f"{API}/articles/")) == ["Azərbaycanca"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "message"),
    [(API, "az (azərbaycanca) və ya ru (rusca)"), (RU_API, "az (азербайджанский) или ru")],
)
def test_an_unknown_language_is_a_400_in_the_readers_language(client, prefix, message):
    response = get(client, f"{prefix}/articles/?lang=en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message in body["errors"]["lang"][0]


@pytest.mark.django_db
def test_the_filters_of_the_search_form_narrow_the_list(client):
    source, other_source = SourceFactory(slug="apa"), SourceFactory(slug="report")
    sport = CategoryFactory(slug="idman")
    day = timezone.now().replace(year=2026, month=1, day=15, hour=12)
    ArticleFactory(title="Futbol: Qarabağ qalib gəldi", source=source, category=sport,
                   label="VİDEO", published_at=day)  # fmt: skip
    ArticleFactory(title="Qarabağ haqqında kitab", source=other_source, published_at=day)
    ArticleFactory(title="Hava proqnozu", source=source, published_at=day - timedelta(days=3))

    assert titles(get(client, f"{API}/articles/?source=apa")) == [
        "Futbol: Qarabağ qalib gəldi",
        "Hava proqnozu",
    ]
    assert titles(get(client, f"{API}/articles/?category=idman")) == ["Futbol: Qarabağ qalib gəldi"]
    assert titles(get(client, f"{API}/articles/?label=video")) == ["Futbol: Qarabağ qalib gəldi"]
    assert titles(get(client, f"{API}/articles/?q=qarabag&source=report")) == [
        "Qarabağ haqqında kitab"
    ]
    assert titles(get(client, f"{API}/articles/?date_from=2026-01-12&date_to=2026-01-12")) == [
        "Hava proqnozu"
    ]
    assert titles(get(client, f"{API}/articles/?q=!!!")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "detail"),
    [(API, "Sorğunun bəzi parametrləri"), (RU_API, "Некоторые параметры запроса")],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(client, prefix, detail):
    url = f"{prefix}/articles/?source=yoxdur&date_from=2026-02-10&date_to=2026-02-01"

    response = get(client, url)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith(detail)
    assert set(body["errors"]) == {"source", "date_to"}


# --- Pagination -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cursor_pages_stay_stable_while_news_arrives(client):
    now = timezone.now()
    for number in range(5):
        ArticleFactory(title=f"Xəbər {number}", published_at=now - timedelta(minutes=number + 1))
    first = get(client, f"{API}/articles/?page_size=2").json()
    # Two articles arrive after the first page was read.
    ArticleFactory(title="Ən təzə 1", published_at=now)
    ArticleFactory(title="Ən təzə 2", published_at=now)

    second = get(client, first["next"]).json()
    third = get(client, second["next"]).json()

    seen = [item["title"] for page in (first, second, third) for item in page["results"]]
    assert seen == [f"Xəbər {number}" for number in range(5)]
    assert third["next"] is None
    assert "page_size=2" in second["next"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "cursor=bm9uc2Vuc2U",
        "cursor=cD1ub3QtYS1kYXRl",
        "page_size=0",
        "page_size=51",
        "page_size=x",
        "source=a%00b",
    ],
)
def test_bad_cursors_and_page_sizes_are_a_400(client, query):
    ArticleFactory()

    response = get(client, f"{RU_API}/articles/?{query}")

    assert response.status_code == 400
    errors = response.json()["errors"]
    name = query.split("=")[0]
    assert list(errors) == [name]
    expected = {"cursor": "Этот курсор", "source": "Выберите корректный вариант"}.get(
        name, "целое число от 1 до 50"
    )
    assert expected in errors[name][0]


# --- One article ----------------------------------------------------------------------------------


@pytest.fixture
def full_article(db, media_root):
    source = SourceFactory(name="APA", slug="apa", kind="agency", homepage="https://apa.az")
    category = CategoryFactory(name_az="Siyasət", name_ru="Политика", slug="siyaset")
    article = ArticleFactory(
        title="Prezident Gəncədə",
        lead="Səfər iki gün çəkəcək.",
        body="<p>Birinci abzas.</p><p>İkinci abzas.</p>",
        label="FOTO",
        author_name="Aynur Əliyeva",
        author_position="müxbir",
        source=source,
        source_url="https://apa.az/xeber/1",
        archived_at=timezone.now() - timedelta(hours=1),
        category=category,
        image_caption="Gəncə",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), (10, 90, 200)).save(buffer, "JPEG")
    article.image.save("gence.jpg", ContentFile(buffer.getvalue()), save=True)
    store_renditions(article)
    article.tags.add(Tag.objects.create(name="Gəncə"))
    return article


def test_the_detail_carries_body_pictures_source_author_category_tags(client, full_article):
    response = get(client, f"{API}/articles/{full_article.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Prezident Gəncədə"
    assert body["body"] == "<p>Birinci abzas.</p><p>İkinci abzas.</p>"
    assert body["content"] == "full"
    assert body["author"] == {"name": "Aynur Əliyeva", "position": "müxbir"}
    assert body["source"]["name"] == "APA"
    assert body["source_url"] == "https://apa.az/xeber/1"
    assert body["archived_at"] is not None
    assert body["category"]["name"] == "Siyasət"
    assert body["tags"] == [
        {"slug": "gence", "name": "Gəncə", "url": "http://testserver/tag/gence/"}
    ]
    assert body["url"] == f"http://testserver{full_article.get_absolute_url()}"
    assert body["image"]["caption"] == "Gəncə"
    widths = [rendition["width"] for rendition in body["image"]["renditions"]]
    assert widths == [320, 640]
    assert body["image"]["renditions"][0]["webp"].endswith(".320.webp")
    assert body["image"]["url"].endswith(".640.jpg")
    assert "APA" in body["attribution"]


def test_a_source_that_allows_headlines_only_gets_no_body_through_the_api(client, full_article):
    full_article.source.republish = Republish.HEADLINE
    full_article.source.save()

    body = get(client, f"{API}/articles/{full_article.pk}/").json()

    assert (body["content"], body["lead"], body["body"]) == ("headline", "", "")


def test_the_detail_names_the_story_and_its_other_versions(client, db):
    first, second = ArticleFactory(source=SourceFactory()), ArticleFactory(source=SourceFactory())
    hidden = ArticleFactory(status=Article.Status.DRAFT, source=SourceFactory())
    story = Story.objects.create(language="az")
    Article.objects.filter(pk__in=[first.pk, second.pk, hidden.pk]).update(story=story)
    stories.refresh_stories([story.pk])

    body = get(client, f"{API}/articles/{first.pk}/").json()

    assert body["story"]["source_count"] == 2
    assert [other["id"] for other in body["story"]["other_versions"]] == [second.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "message"),
    [(API, "Bu nömrədə dərc olunmuş xəbər yoxdur."), (RU_API, "Опубликованной новости")],
)
def test_drafts_and_scheduled_articles_are_a_404_in_the_readers_language(client, prefix, message):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(hours=2))

    for article in (draft, scheduled):
        response = get(client, f"{prefix}/articles/{article.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert message in response.json()["detail"]


@pytest.mark.django_db
def test_reading_an_article_through_the_api_is_not_a_page_view(client):
    article = ArticleFactory()
    headers = {"HTTP_USER_AGENT": BROWSER, "HTTP_ACCEPT": ACCEPT}

    assert get(client, f"{API}/articles/{article.pk}/", **headers).status_code == 200
    get(client, f"{API}/articles/", **headers)
    article.refresh_from_db()
    assert article.views == 0
    assert not DailyViews.objects.exists()
    # The same reader opening the page is counted: the API alone did not count.
    assert client.get(article.get_absolute_url(), **headers).status_code == 200
    article.refresh_from_db()
    assert article.views == 1


# --- Latest, most read, stories, sources, categories -------------------------------------------


@pytest.mark.django_db
def test_most_read_ranks_by_the_views_of_the_day_or_the_week(client):
    today = timezone.localdate()
    popular_today, popular_week = ArticleFactory(title="Bu gün"), ArticleFactory(title="Bu həftə")
    DailyViews.objects.create(article=popular_today, day=today, views=30)
    DailyViews.objects.create(article=popular_week, day=today, views=10)
    DailyViews.objects.create(article=popular_week, day=today - timedelta(days=3), views=90)

    day = get(client, f"{API}/most-read/").json()
    week = get(client, f"{API}/most-read/?period=week").json()

    assert [(a["title"], a["period_views"]) for a in day["results"]] == [
        ("Bu gün", 30),
        ("Bu həftə", 10),
    ]
    assert [a["title"] for a in week["results"]] == ["Bu həftə", "Bu gün"]
    bad = get(client, f"{RU_API}/most-read/?period=year")
    assert bad.status_code == 400
    assert bad.json()["errors"]["period"] == ["Выберите day или week."]


@pytest.mark.django_db
def test_latest_shows_a_story_once_with_its_lead(client):
    # The story's lead is its first published article: the older one.
    copy, lead = ArticleFactory(title="Surət"), ArticleFactory(title="Aparıcı")
    ArticleFactory(title="Tək")
    story = Story.objects.create(language="az")
    Article.objects.filter(pk__in=[lead.pk, copy.pk]).update(story=story)
    stories.refresh_stories([story.pk])

    response = get(client, f"{API}/latest/?limit=10")

    assert titles(response) == ["Aparıcı", "Tək"]
    assert response.json()["results"][0]["story"]["id"] == story.pk


@pytest.mark.django_db
def test_stories_list_their_published_versions_and_sources(client):
    versions = [ArticleFactory(source=SourceFactory(name=f"Mənbə {n}")) for n in range(3)]
    Article.objects.filter(pk=versions[2].pk).update(status=Article.Status.DRAFT)
    story = Story.objects.create(language="az")
    Article.objects.filter(pk__in=[article.pk for article in versions]).update(story=story)
    stories.refresh_stories([story.pk])
    Story.objects.create(language="ru")  # no article: not shown

    listed = get(client, f"{API}/stories/").json()["results"]
    detail = get(client, f"{API}/stories/{story.pk}/").json()

    assert [item["id"] for item in listed] == [story.pk]
    assert detail["source_count"] == 2
    assert sorted(a["source"]["name"] for a in detail["articles"]) == ["Mənbə 0", "Mənbə 1"]
    assert get(client, f"{RU_API}/stories/").json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", [API, RU_API])
def test_a_scheduled_version_of_a_story_is_neither_counted_nor_dated(client, prefix):
    language = "ru" if prefix == RU_API else "az"
    now = timezone.now()
    shown = ArticleFactory(language=language, source=SourceFactory(), published_at=now)
    scheduled = ArticleFactory(
        language=language, source=SourceFactory(), published_at=now + timedelta(hours=3)
    )
    story = Story.objects.create(language=language)
    Article.objects.filter(pk__in=[shown.pk, scheduled.pk]).update(story=story)
    stories.refresh_stories([story.pk])

    [listed] = get(client, f"{prefix}/stories/").json()["results"]
    detail = get(client, f"{prefix}/stories/{story.pk}/").json()
    article = get(client, f"{prefix}/articles/{shown.pk}/").json()
    in_lists = [
        get(client, f"{prefix}/{path}").json()["results"][0] for path in ("articles/", "latest/")
    ]

    published = shown.published_at.astimezone(text.BAKU_TZ).isoformat()
    for story_seen in (listed, detail):
        assert (story_seen["source_count"], story_seen["article_count"]) == (1, 1)
        assert story_seen["last_published_at"] == published
        assert [version["id"] for version in story_seen["articles"]] == [shown.pk]
        assert story_seen["lead"]["story"]["source_count"] == 1
    assert article["story"]["source_count"] == 1
    assert article["story"]["other_versions"] == []
    assert [item["story"]["source_count"] for item in in_lists] == [1, 1]


@pytest.mark.django_db
def test_sources_and_categories_in_both_languages(client):
    source = SourceFactory(name="Trend", slug="trend", language="ru")
    ArticleFactory(source=source, language="ru")
    CategoryFactory(name_az="İqtisadiyyat", name_ru="Экономика", slug="iqtisadiyyat")

    ru_sources = get(client, f"{RU_API}/sources/").json()["results"]
    az_sources = get(client, f"{API}/sources/").json()["results"]

    assert [(s["slug"], s["article_count"]) for s in ru_sources] == [("trend", 1)]
    assert [(s["slug"], s["article_count"]) for s in az_sources] == [("trend", 0)]
    assert get(client, f"{API}/sources/trend/").json()["name"] == "Trend"
    assert get(client, f"{RU_API}/sources/nope/").json()["detail"] == "Нет источника с таким slug."
    assert get(client, f"{RU_API}/categories/").json()["results"][0]["name"] == "Экономика"
    assert get(client, f"{API}/categories/").json()["results"][0]["name"] == "İqtisadiyyat"


# --- No N+1 ---------------------------------------------------------------------------------------


def article_queries(client, url):
    """Return the SQL the request ran on the articles' tables (the cache table left out)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if "django_cache" not in query["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["articles/", "stories/", "latest/", "most-read/", "sources/"])
def test_the_number_of_queries_does_not_grow_with_the_page_size(client, path):
    category = CategoryFactory()
    today = timezone.localdate()
    for number in range(60):
        story = Story.objects.create(language="az")
        for _copy in range(2):
            article = ArticleFactory(source=SourceFactory(), category=category, story=story)
            DailyViews.objects.create(article=article, day=today, views=number)
        stories.refresh_stories([story.pk])
    size = "limit" if path in ("latest/", "most-read/") else "page_size"

    one = article_queries(client, f"{API}/{path}?{size}=1")
    fifty = article_queries(client, f"{API}/{path}?{size}=50")

    assert len(one) == len(fifty) <= 4, fifty


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("", 0),
        ("articles/?q=xəbər", 1),
        ("articles/{article}/", 3),  # the article with its joins, its tags, its story's others
        ("stories/{story}/", 2),  # the story with its lead, its visible versions
        ("sources/{source}/", 1),
        ("categories/", 1),
    ],
)
def test_each_endpoint_reads_a_fixed_number_of_queries(client, path, budget):
    category = CategoryFactory()
    for number in range(3):
        story = Story.objects.create(language="az")
        for copy in range(3):
            article = ArticleFactory(
                title=f"Xəbər {number}", source=SourceFactory(), category=category, story=story
            )
            article.tags.add(Tag.objects.create(name=f"Etiket {number}-{copy}"))
        stories.refresh_stories([story.pk])
    url = path.format(article=article.pk, story=story.pk, source=article.source.slug)

    assert len(article_queries(client, f"{API}/{url}")) == budget


@pytest.mark.django_db
def test_the_article_detail_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    article = ArticleFactory(source=SourceFactory(), category=CategoryFactory())
    article.tags.add(Tag.objects.create(name="Bakı"))

    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/articles/{article.pk}/").status_code == 200


# --- Caching headers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unchanged_answer_is_a_304_and_a_changed_one_is_sent_again(client):
    article = ArticleFactory(title="Əvvəl")
    url = f"{API}/articles/{article.pk}/"

    first = get(client, url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert "max-age=30" in first["Cache-Control"]

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag

    article.title = "Sonra"
    article.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["title"] == "Sonra"
    assert changed["ETag"] != etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


@pytest.mark.django_db
def test_a_list_answers_304_until_an_article_arrives(client):
    ArticleFactory()
    first = get(client, f"{API}/articles/")
    assert client.get(f"{API}/articles/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    ArticleFactory(published_at=timezone.now())

    assert client.get(f"{API}/articles/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- CORS, throttling, errors ---------------------------------------------------------------------


@pytest.mark.django_db
def test_any_site_may_read_the_api_and_only_the_api(client):
    origin = {"HTTP_ORIGIN": "https://partner.example"}

    answer = client.get(f"{API}/articles/", **origin)
    preflight = client.options(
        f"{RU_API}/articles/",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        **origin,
    )
    page = client.get("/", **origin)

    assert answer["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in answer["Access-Control-Expose-Headers"]
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "message"),
    [(API, "Ünvanınızdan çox sorğu gəlir"), (RU_API, "Слишком много запросов")],
)
def test_too_many_requests_from_one_address_get_a_429(client, settings, prefix, message):
    settings.API_THROTTLE = 3

    answers = [client.get(f"{prefix}/categories/") for _ in range(4)]
    other_address = client.get(f"{prefix}/categories/", REMOTE_ADDR="192.0.2.7")

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "throttled"
    assert message in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other_address.status_code == 200


def test_parallel_requests_from_one_address_are_each_counted(settings, monkeypatch):
    settings.API_THROTTLE = 3
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    requests = 6
    # Every request reads what the cache holds before any of them writes.
    everyone_read = threading.Barrier(requests, timeout=10)
    real_read = throttling.read_many

    def read_then_wait(keys):
        found = real_read(keys)
        everyone_read.wait()
        return found

    monkeypatch.setattr(throttling, "read_many", read_then_wait)
    answers = []

    def ask():
        request = RequestFactory().get(f"{API}/categories/", REMOTE_ADDR="198.51.100.9")
        answers.append(throttling.AddressThrottle().allow_request(request, None))

    threads = [threading.Thread(target=ask) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [False] * 3 + [True] * 3


@pytest.mark.django_db
def test_with_the_cache_down_the_api_answers_unthrottled(client, settings, redis_stopped):
    settings.API_THROTTLE = 1

    answers = [client.get(f"{API}/categories/") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]


@pytest.mark.django_db
def test_the_throttle_reads_the_address_behind_the_proxy(client, settings):
    settings.API_THROTTLE = 1
    settings.VIEWS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    first = client.get(f"{API}/categories/", HTTP_X_REAL_IP="198.51.100.1")
    second = client.get(f"{API}/categories/", HTTP_X_REAL_IP="198.51.100.2")
    again = client.get(f"{API}/categories/", HTTP_X_REAL_IP="198.51.100.1")

    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "message"),
    [(API, "yalnız GET və HEAD"), (RU_API, "только на GET и HEAD")],
)
def test_writing_methods_are_a_405_in_json(client, prefix, message):
    for method in (client.post, client.put, client.delete, client.patch):
        response = method(f"{prefix}/articles/")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert message in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_addresses_are_a_json_404_and_a_missing_slash_is_added(client):
    missing = get(client, f"{RU_API}/nothing/here")
    too_big = get(client, f"{API}/articles/1234567890123456789/")
    redirect = client.get(f"{API}/articles?lang=ru")

    assert (missing.status_code, too_big.status_code) == (404, 404)
    assert "У API нет такого адреса" in missing.json()["detail"]
    assert redirect.status_code == 301
    assert redirect["Location"] == f"{API}/articles/?lang=ru"


# --- Schema and documentation -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_describes_every_endpoint(client):
    response = client.get(f"{API}/schema/")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/latest/",
        "/api/v1/most-read/",
        "/api/v1/stories/",
        "/api/v1/stories/{id}/",
        "/api/v1/sources/",
        "/api/v1/sources/{slug}/",
        "/api/v1/categories/",
    } <= paths
    listing = schema["paths"]["/api/v1/articles/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"q", "source", "category", "label", "date_from", "date_to", "cursor",
            "page_size", "lang"} <= names  # fmt: skip
    assert {"200", "304", "400", "429"} <= set(listing["responses"])


@pytest.mark.django_db
def test_the_documentation_page_uses_our_own_assets_under_the_strict_policy(client):
    page = client.get(f"{API}/docs/")
    script = client.get(f"{API}/docs/?script=")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert "<script>" not in html  # every script is a file of ours
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in html
    assert "https://" not in html
    assert page["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


@pytest.mark.django_db
def test_an_address_with_a_line_break_is_a_json_404_too(client):
    response = get(client, f"{API}/sources/a%0Ab/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_sources_cursor_holding_a_nul_byte_is_a_400(client):
    SourceFactory()
    cursor = base64.b64encode(b"p=a\x00b").decode()

    assert get(client, f"{API}/sources/?cursor={cursor}").status_code == 400
