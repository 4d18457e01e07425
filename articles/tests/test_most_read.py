import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import counting, views
from articles.counting import ranking
from articles.counting.database import apply_view_batch
from articles.models import Article, DailyViews, MostReadRank, Source
from articles.tests.pages import page_text


def read(article, views, days_ago=0):
    DailyViews.objects.create(
        article=article, day=timezone.localdate() - timedelta(days=days_ago), views=views
    )


@pytest.fixture
def readings(make_article):
    """Three articles: one read today, one read most this week, one read most this month."""
    today = make_article(title="Bu günün xəbəri")
    week = make_article(title="Həftənin xəbəri")
    month = make_article(title="Ayın xəbəri")
    read(today, 30)
    read(week, 10)
    read(week, 50, days_ago=3)
    read(month, 5, days_ago=1)
    read(month, 200, days_ago=20)
    read(month, 999, days_ago=40)  # outside every period
    return today, week, month


def titles(response):
    html = response.content.decode()
    listing = html[html.index('class="block most-read-page"') : html.index("</section>")]
    return re.findall(r'class="news-title" href="[^"]+">([^<]+)<', listing)


def test_most_read_of_the_day_week_and_month(client, readings):
    assert titles(client.get("/most-read/")) == ["Bu günün xəbəri", "Həftənin xəbəri"]
    assert titles(client.get("/most-read/?period=week")) == [
        "Həftənin xəbəri",
        "Bu günün xəbəri",
        "Ayın xəbəri",
    ]
    assert titles(client.get("/most-read/?period=month"))[0] == "Ayın xəbəri"


def test_most_read_page_shows_the_periods_views_and_tabs_in_azerbaijani(client, readings):
    response = client.get("/most-read/?period=week")
    html = response.content.decode()
    text = page_text(response)

    assert response.status_code == 200
    assert "Ən çox oxunanlar" in text
    assert "Son 7 gündə baxışlar" in text
    assert re.search(r'<a href="\?period=week" aria-current="page">Həftə</a>', html)
    assert '<a href="?period=day">Gün</a>' in html
    views = re.findall(r"Baxış sayı: </span>(\d+)</span>", html)
    assert views == ["60", "30", "5"]


def test_most_read_page_in_russian_lists_russian_articles_only(client, readings, make_article):
    russian = make_article(title="Морозы в Баку", language="ru")
    read(russian, 3)

    response = client.get("/ru/most-read/")
    text = page_text(response)

    assert titles(response) == ["Морозы в Баку"]
    assert "Самое читаемое" in text and "Просмотры за сегодня" in text
    assert '<a href="?period=month">Месяц</a>' in response.content.decode()


def test_unpublished_articles_never_appear(client, make_article):
    draft = make_article(title="Qaralama", status=Article.Status.DRAFT)
    later = make_article(title="Planlı", published_at=timezone.now() + timedelta(days=1))
    read(draft, 100)
    read(later, 100)

    response = client.get("/most-read/")

    assert titles(response) == []
    assert "Bu dövrdə hələ heç nə oxunmayıb." in page_text(response)


def test_unknown_period_shows_the_day(client, readings):
    response = client.get("/most-read/?period=decade")

    assert response.status_code == 200
    assert titles(response) == ["Bu günün xəbəri", "Həftənin xəbəri"]


def test_most_read_page_is_linked_from_the_block(client, readings):
    html = client.get("/").content.decode()

    assert '<a href="/most-read/">Həftənin və ayın ən çox oxunanları</a>' in html


@pytest.mark.parametrize("number", [3, 60])
def test_most_read_page_query_count_is_constant(
    client, make_article, number, django_assert_max_num_queries
):
    for _ in range(number):
        read(make_article(), 1)

    with django_assert_max_num_queries(6):
        response = client.get("/most-read/?period=month")
    assert len(titles(response)) == min(number, 50)


# --- the ranking kept by flushes (VIEWS_BUFFER=redis) ----------------------------------------


@pytest.fixture
def ranked(settings):
    """The buffered mode's reading of /most-read/: the last flush's ranking (no Redis needed)."""
    settings.VIEWS_BUFFER = "redis"
    return ranking.refresh


def every_listing(client):
    return {
        (prefix, period): titles(client.get(f"{prefix}/most-read/?period={period}"))
        for prefix in ("", "/ru")
        for period in ("day", "week", "month")
    }


@pytest.mark.parametrize("kept, shown", [(100, 50), (8, 5)])
def test_the_ranking_lists_what_summing_the_daily_rows_lists(
    client, settings, make_article, ranked, monkeypatch, kept, shown
):
    # All the candidates, or the first places only (ties at the last one included).
    monkeypatch.setattr(ranking, "KEPT", kept)
    monkeypatch.setattr(views, "MOST_READ_LIMIT", shown)
    for n in range(70):
        article = make_article(title=f"Xəbər {n}", language="ru" if n % 5 == 0 else "az")
        read(article, n % 13, days_ago=n % 9)
        read(article, n % 7 * 3, days_ago=9 + n % 22)
    settings.VIEWS_BUFFER = "db"
    summed = every_listing(client)

    settings.VIEWS_BUFFER = "redis"
    ranked()

    assert every_listing(client) == summed
    assert len(summed[("", "month")]) == shown and summed[("/ru", "week")]


def test_each_flush_keeps_the_ranking_of_summing_the_daily_rows(
    client, settings, make_article, ranked, monkeypatch
):
    monkeypatch.setattr(ranking, "KEPT", 4)
    monkeypatch.setattr(views, "MOST_READ_LIMIT", 3)
    articles = [make_article(title=f"Xəbər {n}") for n in range(10)]
    for n, article in enumerate(articles):
        read(article, 10 * n, days_ago=2)
    settings.VIEWS_BUFFER = "redis"
    apply_view_batch("first", {(articles[0].pk, timezone.localdate()): 1})  # ranks them all
    today = timezone.localdate()
    # Articles from below the ranking climb into it, one batch at a time.
    for number, batch in enumerate([{1: 95}, {2: 30, 9: 1}, {3: 200}, {0: 500, 4: 76}]):
        apply_view_batch(f"batch-{number}", {(articles[i].pk, today): n for i, n in batch.items()})
        shown = every_listing(client)
        settings.VIEWS_BUFFER = "db"
        assert shown == every_listing(client), batch
        settings.VIEWS_BUFFER = "redis"
    assert shown[("", "week")] == ["Xəbər 0", "Xəbər 3", "Xəbər 4"]


def test_a_ranking_that_left_articles_out_stays_incomplete_after_a_flush(
    client, settings, make_article, ranked, monkeypatch
):
    monkeypatch.setattr(ranking, "KEPT", 2)
    monkeypatch.setattr(views, "MOST_READ_LIMIT", 2)
    articles = [make_article(title=f"Xəbər {n}") for n in range(4)]
    for n, article in enumerate(articles):
        read(article, 10 * n + 1)
    ranked()
    apply_view_batch("more", {(articles[3].pk, timezone.localdate()): 5})  # a candidate's
    Article.objects.filter(pk=articles[3].pk).update(status=Article.Status.DRAFT)

    assert titles(client.get("/most-read/")) == ["Xəbər 2", "Xəbər 1"]


def test_the_page_reads_the_ranking_in_as_many_queries(client, settings, readings, ranked):
    settings.VIEWS_BUFFER = "db"
    with CaptureQueriesContext(connection) as summing:
        client.get("/most-read/?period=week")
    settings.VIEWS_BUFFER = "redis"
    ranked()
    # The ranking says what the page shows: a changed candidate shows through.
    MostReadRank.objects.filter(article=readings[1], views=60).update(views=7)

    with CaptureQueriesContext(connection) as reading:
        html = client.get("/most-read/?period=week").content.decode()

    assert re.findall(r"Baxış sayı: </span>(\d+)</span>", html) == ["30", "7", "5"]
    assert len(reading) == len(summing)


def test_an_article_unpublished_after_the_flush_is_replaced_by_the_next_one(
    client, make_article, ranked, monkeypatch
):
    monkeypatch.setattr(ranking, "KEPT", 3)
    monkeypatch.setattr(views, "MOST_READ_LIMIT", 2)
    articles = [make_article(title=f"Xəbər {n}") for n in range(5)]
    for n, article in enumerate(articles):
        read(article, 10 * (n + 1))
    ranked()
    Article.objects.filter(pk=articles[4].pk).update(status=Article.Status.DRAFT)

    assert titles(client.get("/most-read/")) == ["Xəbər 3", "Xəbər 2"]

    # Unpublish two more: the three candidates left one, so the daily rows are summed again.
    Article.objects.filter(pk__in=[articles[3].pk, articles[2].pk]).update(status="draft")
    assert titles(client.get("/most-read/")) == ["Xəbər 1", "Xəbər 0"]


def test_a_ranking_of_yesterday_is_not_read(client, readings, ranked):
    ranked(today=timezone.localdate() - timedelta(days=1))
    MostReadRank.objects.update(views=1)

    html = client.get("/most-read/").content.decode()

    assert re.findall(r"Baxış sayı: </span>(\d+)</span>", html) == ["30", "10"]


def test_views_written_while_redis_is_down_drop_the_ranking(rf, readings, ranked, monkeypatch):
    ranked()
    monkeypatch.setattr(counting.BUFFER_CIRCUIT, "closed", lambda: False)
    request = rf.get("/", HTTP_USER_AGENT="Mozilla/5.0 Firefox/120.0", HTTP_ACCEPT="text/html")

    assert counting.count_view(request, readings[2].pk)
    assert not MostReadRank.objects.exists()


# --- admin ---------------------------------------------------------------------------------


def test_views_column_is_sortable_in_the_admin(client, editor, make_article):
    make_article(title="Az oxunan", views=3)
    make_article(title="Çox oxunan", views=300)
    client.force_login(editor)

    changelist = client.get("/admin/articles/article/").content.decode()
    header = re.search(r'<th scope="col" class="([^"]*column-views[^"]*)"', changelist)
    assert "sortable" in header.group(1)
    link = re.search(r'column-views.*?<a href="(\?o=[^"]+)"', changelist, re.S).group(1)
    ordered = client.get(f"/admin/articles/article/{link}").content.decode()
    assert ordered.index("Az oxunan") < ordered.index("Çox oxunan")
    descending = link.replace("o=", "o=-")
    reverse = client.get(f"/admin/articles/article/{descending}").content.decode()
    assert reverse.index("Çox oxunan") < reverse.index("Az oxunan")


def test_article_change_page_has_a_30_day_chart(client, editor, make_article):
    article = make_article(views=42)
    read(article, 12, days_ago=2)
    read(article, 30)
    read(article, 500, days_ago=31)  # older than the chart
    client.force_login(editor)

    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    chart = html[
        html.index('<svg class="views-chart"') : html.index("</svg>", html.index("views-chart"))
    ]
    assert chart.count("<rect") == 30
    assert "son 30 gündə gündəlik baxışlar: cəmi 42, gündə ən çox 30" in chart.lower()
    day = timezone.localdate() - timedelta(days=2)
    assert re.search(rf"<title>{day.day} \w+: 12</title>", chart)


def test_dashboard_shows_top_articles_and_source_totals(client, editor, readings, source):
    today, week, month = readings
    Article.objects.filter(pk=week.pk).update(source=source, views=60)
    client.force_login(editor)

    index = client.get("/admin/").content.decode()
    assert 'href="/admin/articles/article/statistics/"' in index
    response = client.get("/admin/articles/article/statistics/")
    html = response.content.decode()

    assert response.status_code == 200
    today_table = html[html.index("Bugünün ən çox oxunanları") : html.index("Son 7 gündə ən çox")]
    assert today_table.index("Bu günün xəbəri") < today_table.index("Həftənin xəbəri")
    assert "Ayın xəbəri" not in today_table
    week_table = html[html.index("Son 7 gündə ən çox") : html.index("Mənbələr üzrə baxışlar")]
    assert week_table.index("Həftənin xəbəri") < week_table.index("Bu günün xəbəri")
    sources = html[html.index("Mənbələr üzrə baxışlar") :]
    row = re.search(r"<th scope=\"row\">525.az</th>((?:<td[^>]*>\d+</td>){4})", sources).group(1)
    assert re.findall(r">(\d+)<", row) == ["10", "60", "60", "60"]
    assert "Öz xəbərlərimiz" in sources


def test_dashboard_is_for_staff_with_the_statistics_permission(client, django_user_model, db):
    assert client.get("/admin/articles/article/statistics/").status_code == 302

    clerk = django_user_model.objects.create_user("katib", password="s3cret-pass", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/articles/article/statistics/").status_code == 403
    assert "articles/article/statistics/" not in client.get("/admin/").content.decode()

    clerk.user_permissions.add(Permission.objects.get(codename="view_dailyviews"))
    assert client.get("/admin/articles/article/statistics/").status_code == 200


def test_dashboard_with_no_views_has_empty_states(client, editor):
    client.force_login(editor)

    html = client.get("/admin/articles/article/statistics/").content.decode()

    assert "Bu dövrdə hələ baxış qeydə alınmayıb." in html
    assert "Hələ heç bir baxış qeydə alınmayıb." in html
    assert Source.objects.count() == 0


@pytest.mark.parametrize("number", [2, 40])
def test_dashboard_and_chart_query_counts_are_constant(
    client, editor, make_article, source, number, django_assert_max_num_queries
):
    for n in range(number):
        article = make_article(source=source if n % 2 else None)
        read(article, n + 1)
        read(article, 2, days_ago=3)
    client.force_login(editor)

    with django_assert_max_num_queries(10):
        assert client.get("/admin/articles/article/statistics/").status_code == 200
    # Plus the note "X is editing" (articles/desk/editing.py): a cache read and write, six
    # statements with the database cache the tests use, none with Redis.
    with django_assert_max_num_queries(12 + 6):
        assert client.get(f"/admin/articles/article/{article.pk}/change/").status_code == 200
