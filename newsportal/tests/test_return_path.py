"""The return path: header links on account pages keep `next`; a bad `next` falls back home."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

PASSWORD = "Qarabag-2026-bahar"


def header_links(response):
    """Return the header's log-in and sign-up addresses as readers' browsers see them."""
    html = response.content.decode()
    header = html[html.index('<header class="site-header"') : html.index("</header>")]
    login = re.search(r'<a href="(/(?:ru/)?accounts/login/[^"]*)"', header).group(1)
    signup = re.search(r'<a href="(/(?:ru/)?accounts/signup/[^"]*)"', header).group(1)
    return login, signup


@pytest.mark.parametrize("page", ["login", "signup"])
def test_header_links_on_account_pages_pass_the_pages_own_next_on(client, db, page):
    response = client.get(reverse(page), {"next": "/news/x-1#comments"})

    assert header_links(response) == (
        "/accounts/login/?next=/news/x-1%23comments",
        "/accounts/signup/?next=/news/x-1%23comments",
    )


def test_header_links_on_account_pages_without_next_lead_home_afterwards(client, db):
    response = client.get(reverse("login"))

    assert header_links(response) == ("/accounts/login/", "/accounts/signup/")


def test_header_links_on_other_pages_return_to_that_page(client, make_article):
    article = make_article()

    response = client.get(article.get_absolute_url())

    path = article.get_absolute_url()
    assert header_links(response) == (
        f"/accounts/login/?next={path}",
        f"/accounts/signup/?next={path}",
    )


def test_log_in_returns_to_the_articles_comments(client, make_article, django_user_model):
    article = make_article()
    django_user_model.objects.create_user("oxucu", "oxucu@example.com", PASSWORD)
    next_url = f"{article.get_absolute_url()}#comments"

    response = client.post(
        reverse("login"), {"username": "oxucu", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == next_url


BAD_NEXT = ["x", "news", "javascript:alert(1)", "https://evil.example/", "//evil.example/x"]


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_a_next_that_is_not_a_path_here_falls_back_home_on_sign_up(client, db, next_url):
    data = {
        "username": "yeni_oxucu",
        "email": "yeni@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "next": next_url,
    }
    response = client.post(reverse("signup"), data)

    assert response.status_code == 302
    assert response["Location"] == "/"
    # Already logged in, the sign-up page sends the reader on: home, not a 500.
    again = client.get(reverse("signup"), {"next": next_url})
    assert (again.status_code, again["Location"]) == (302, "/")


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_a_next_that_is_not_a_path_here_falls_back_home_on_log_in(
    client, django_user_model, next_url
):
    django_user_model.objects.create_user("oxucu", "oxucu@example.com", PASSWORD)

    page = client.get(reverse("login"), {"next": next_url})
    response = client.post(
        reverse("login"), {"username": "oxucu", "password": PASSWORD, "next": next_url}
    )

    assert page.status_code == 200
    assert f'value="{next_url}"' not in page.content.decode()
    assert (response.status_code, response["Location"]) == (302, "/")


def test_russian_log_in_falls_back_to_the_russian_home(client, django_user_model):
    django_user_model.objects.create_user("oxucu", "oxucu@example.com", PASSWORD)

    response = client.post(
        "/ru/accounts/login/", {"username": "oxucu", "password": PASSWORD, "next": "x"}
    )

    assert (response.status_code, response["Location"]) == (302, "/ru/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_log_in_prompt_then_header_sign_up_brings_the_reader_back_to_the_comment_box(
    live_server, page, make_article
):
    article = make_article(title="Qayıdış yolu üçün xəbər")
    article_url = f"{live_server.url}{article.get_absolute_url()}"

    page.goto(article_url)
    page.get_by_role("link", name="Daxil olun, şərh yazmaq üçün...").click()
    expect(page.locator("h1")).to_have_text("Daxil ol")
    # The header's link this time, not the one under the form.
    page.locator("header").get_by_role("link", name="Qeydiyyatdan keç").click()
    expect(page.locator("h1")).to_have_text("Qeydiyyat")
    page.get_by_label("İstifadəçi adı").fill("qayidan_oxucu")
    page.get_by_label("E-poçt").fill("qayidan@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Hesab yarat").click()

    expect(page).to_have_url(f"{article_url}#comments")
    expect(page.get_by_label("Şərhiniz")).to_be_visible()
    expect(page.locator("#comments")).not_to_contain_text("Daxil olun, şərh yazmaq üçün...")


def test_a_logged_in_reader_sent_back_to_the_log_in_page_lands_home(client, django_user_model):
    """An old header link carried next=/accounts/login/: no redirection loop (once a 500)."""
    client.force_login(django_user_model.objects.create_user("oxucu", "o@example.com", "pw-12345"))

    response = client.get("/accounts/login/?next=/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"
