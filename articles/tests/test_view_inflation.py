"""One client cannot inflate the view counts: a limit per address, scripts are no readers."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from articles.counting import readers
from articles.models import Article, DailyViews
from articles.tests.pages import ACCEPT, BROWSER


@pytest.fixture
def frozen(monkeypatch):
    """Stop the clock (the limit is per minute); return a function that moves it on."""
    now = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def advance(seconds):
        now[0] += timedelta(seconds=seconds)

    return advance


def visit(client, article, user_agent=BROWSER, address="203.0.113.7", **headers):
    with translation.override(article.language):
        url = article.get_absolute_url()
    headers.setdefault("HTTP_ACCEPT", ACCEPT)
    return client.get(url, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address, **headers)


def total_views(articles):
    return sum(
        Article.objects.filter(pk__in=[a.pk for a in articles]).values_list("views", flat=True)
    )


def rotate(client, articles, address, agents):
    for number in range(agents):
        for article in articles:
            assert visit(client, article, f"{BROWSER} rotated/{number}", address).status_code == 200


def test_one_address_rotating_user_agents_adds_at_most_the_limit(
    client, make_article, counting_mode, settings, frozen
):
    settings.VIEWS_MAX_PER_ADDRESS = 12
    articles = [make_article() for _ in range(3)]

    rotate(client, articles, "198.51.100.9", agents=10)  # 30 "readers" in one minute
    counting_mode()

    assert total_views(articles) == 12
    daily = DailyViews.objects.filter(article__in=articles).values_list("views", flat=True)
    assert sum(daily) == 12


def test_cookies_do_not_lift_the_limit(client, make_article, counting_mode, settings, frozen):
    settings.VIEWS_MAX_PER_ADDRESS = 3
    article = make_article()

    for number in range(8):
        client.cookies["sessionid"] = f"forged-{number}"
        visit(client, article, f"{BROWSER} c/{number}", "198.51.100.10")
    counting_mode()

    article.refresh_from_db()
    assert article.views == 3


def test_other_addresses_are_counted_while_one_is_at_its_limit(
    client, make_article, counting_mode, settings, frozen
):
    settings.VIEWS_MAX_PER_ADDRESS = 5
    article = make_article()

    rotate(client, [article], "198.51.100.11", agents=20)
    for number in range(1, 31):
        visit(client, article, address=f"203.0.113.{number}")
    counting_mode()

    article.refresh_from_db()
    assert article.views == 5 + 30


def test_the_limit_is_per_minute(client, make_article, counting_mode, settings, frozen):
    settings.VIEWS_MAX_PER_ADDRESS = 4
    article = make_article()

    rotate(client, [article], "198.51.100.12", agents=10)
    frozen(61)
    rotate(client, [article], "198.51.100.12", agents=10)
    counting_mode()

    article.refresh_from_db()
    assert article.views == 8


def test_an_ipv6_subscriber_is_one_address_for_its_whole_64(
    client, make_article, counting_mode, settings, frozen
):
    settings.VIEWS_MAX_PER_ADDRESS = 4
    article = make_article()

    for number in range(1, 11):
        visit(client, article, address=f"2001:db8:7:1::{number:x}")
    visit(client, article, address="2001:db8:7:2::1")  # another subscriber
    counting_mode()

    article.refresh_from_db()
    assert article.views == 5


def test_carrier_nat_addresses_get_the_higher_limit(
    client, make_article, counting_mode, settings, frozen
):
    settings.VIEWS_MAX_PER_ADDRESS = 3
    settings.VIEWS_HIGH_LIMIT_NETWORKS = ["100.64.0.0/10"]
    settings.VIEWS_MAX_PER_SHARED_ADDRESS = 15
    shared, single = make_article(), make_article()

    rotate(client, [shared], "100.72.14.3", agents=20)
    rotate(client, [single], "198.51.100.13", agents=20)
    counting_mode()

    assert (total_views([shared]), total_views([single])) == (15, 3)


def test_no_limit_for_benchmarks(client, make_article, counting_mode, settings, frozen):
    settings.VIEWS_MAX_PER_ADDRESS = 0
    article = make_article()

    rotate(client, [article], "127.0.0.1", agents=80)
    counting_mode()

    article.refresh_from_db()
    assert article.views == 80


SCRIPTS = [
    "PostmanRuntime/7.39.0",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "okhttp/4.12.0",
    "Java/17.0.10",
    "Wget/1.21.4",
    "HTTPie/3.2.2",
    "insomnia/2023.5.8",
    "Mozilla/5.0 (compatible; Googlebоt/2.1)",  # with a Cyrillic о
    "Mozilla/5.0 (compatible; Ｇｏｏｇｌｅｂｏｔ/2.1)",  # full-width letters
]


@pytest.mark.parametrize("user_agent", SCRIPTS)
def test_scripted_agents_and_disguised_crawlers_are_not_readers(
    client, make_article, counting_mode, user_agent
):
    article = make_article(views=2)

    assert visit(client, article, user_agent).status_code == 200
    counting_mode()

    article.refresh_from_db()
    assert article.views == 2


def test_a_disguised_crawler_is_recognised_in_the_bytes_a_server_hands_over():
    # WSGI gives header bytes as Latin-1: "Googlebоt" in UTF-8 arrives as "GooglebÐ¾t".
    wsgi_value = "Googlebоt/2.1".encode().decode("latin-1")
    assert readers.is_crawler(wsgi_value)
    assert not readers.is_crawler(BROWSER)


def test_a_request_without_accept_is_not_a_readers_view(client, make_article, counting_mode):
    article = make_article(views=2)

    response = client.get(
        article.get_absolute_url(), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.70"
    )
    counting_mode()

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.views == 2


def test_a_zero_padded_id_redirects_to_the_article_and_counts_once(
    client, make_article, counting_mode
):
    article = make_article(views=0)
    canonical = article.get_absolute_url()
    padded = canonical.replace(f"-{article.pk}", f"-000{article.pk}")
    assert padded != canonical

    response = client.get(
        padded, HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.71"
    )
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert visit(client, article, address="203.0.113.71").status_code == 200
    counting_mode()

    article.refresh_from_db()
    assert article.views == 1
