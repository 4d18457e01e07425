"""Reader accounts: sign up, log in by username or e-mail, log out, passwords, throttling."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

PASSWORD = "Qarabag-2026-bahar"


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("oxucu", "Oxucu@Example.com", PASSWORD)


@pytest.fixture
def axes_on(settings):
    """Throttle log-ins as production does (the test settings switch django-axes off)."""
    settings.AXES_ENABLED = True


def signup_data(**fields):
    data = {
        "username": "yeni_oxucu",
        "email": "yeni@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(fields)
    return data


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_sign_up_logs_in_and_returns_to_the_articles_comments(client, make_article):
    article = make_article()
    next_url = f"{article.get_absolute_url()}#comments"

    page = client.get(reverse("signup"), {"next": next_url}).content.decode()
    assert "Qeydiyyat" in page and 'name="password2"' in page
    response = client.post(reverse("signup"), signup_data(next=next_url))

    assert response.status_code == 302
    assert response["Location"] == next_url
    user = get_user_model().objects.get(username="yeni_oxucu")
    assert user.email == "yeni@example.com" and not user.is_staff
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'name="body"' in html  # logged in: the comment form replaces the prompt


def test_sign_up_with_an_e_mail_in_use_tells_nobody_but_its_owner(client, reader, outbox):
    """The answer is the one a new address gets; the address stays with its account."""
    fresh = Client().post(reverse("signup"), signup_data(username="teze", email="t@example.com"))
    response = client.post(reverse("signup"), signup_data(email="OXUCU@example.COM"))

    assert (response.status_code, fresh.status_code) == (302, 302)
    assert response["Location"] == fresh["Location"]
    assert get_user_model().objects.get(username="yeni_oxucu").email == ""
    assert [
        user.username for user in get_user_model().objects.filter(email__iexact="oxucu@example.com")
    ] == ["oxucu"]
    [notice] = [message for message in outbox() if message.to == [reader.email]]
    assert "yeni_oxucu" in notice.body and "/accounts/password/reset/" in notice.body


def test_sign_up_refuses_a_taken_username_weak_passwords_and_at_signs(client, reader):
    html = client.post(
        reverse("signup"),
        signup_data(username="OXUCU", password1="12345678", password2="12345678"),
    ).content.decode()
    assert "Bu istifadəçi adı altında başqa istifadəçi var." in html
    assert "Bu şifrə çox asandır." in html and "ancaq rəqəmlərdən ibarətdir" in html

    html = client.post(reverse("signup"), signup_data(username="a@b")).content.decode()
    assert "İstifadəçi adında “@” ola bilməz." in html
    assert get_user_model().objects.count() == 1


def test_sign_up_page_in_russian(client, db):
    response = client.post("/ru/accounts/signup/", signup_data(password2="boshqa-parol-1"))

    html = response.content.decode()
    assert '<html lang="ru">' in html and "Регистрация" in html
    assert "Самое читаемое за день" in html  # the site's layout


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://testserver.evil/"]
)
def test_sign_up_and_log_in_never_redirect_off_site(client, reader, next_url):
    response = client.post(reverse("signup"), signup_data(next=next_url))
    assert response.status_code == 302 and response["Location"] == "/"
    client.logout()

    response = client.post(
        reverse("login"), {"username": "oxucu", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_log_in_by_username_or_e_mail_and_back_to_the_article(client, reader, make_article):
    article = make_article()
    next_url = f"{article.get_absolute_url()}#comments"

    response = client.post(
        reverse("login"), {"username": "oxucu", "password": PASSWORD, "next": next_url}
    )
    assert response["Location"] == next_url
    client.logout()

    response = client.post(
        reverse("login"), {"username": " OXUCU@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_wrong_password_is_a_clear_message_in_the_form(client, reader):
    response = login(client, "oxucu@example.com", "sehv-parol")

    assert response.status_code == 200
    assert "İstifadəçi adı və ya e-poçt ilə şifrə uyğun gəlmir." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_links_to_sign_up_and_reset_keeping_next(client, db):
    html = client.get(reverse("login"), {"next": "/news/x-1#comments"}).content.decode()

    assert 'href="/accounts/signup/?next=/news/x-1%23comments"' in html
    assert 'href="/accounts/password/reset/"' in html
    assert "İstifadəçi adı və ya e-poçt" in html


def test_log_out_is_post_only_with_csrf_and_stays_on_the_page(reader, make_article):
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session

    response = client.post(
        reverse("logout"),
        {"csrfmiddlewaretoken": token, "next": article.get_absolute_url()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == article.get_absolute_url()
    html = response.content.decode()
    assert "Daxil olun, şərh yazmaq üçün..." in html
    assert "Hesabdan çıxdınız." in html


def test_password_change(client, reader):
    assert client.get(reverse("password_change")).status_code == 302  # login first
    client.force_login(reader)

    new = "Yeni-parol-2026!"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert "Şifrə dəyişdirildi" in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(new)


def test_password_reset_by_e_mail_end_to_end(client, reader, outbox):
    response = client.post(reverse("password_reset"), {"email": "oxucu@EXAMPLE.com"}, follow=True)
    assert "E-poçtunuzu yoxlayın" in response.content.decode()

    assert len(outbox()) == 1
    message = outbox()[0]
    assert message.to == ["Oxucu@example.com"]  # create_user lower-cases the domain
    assert "Icma.az" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert "Yeni şifrə" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Teze-parol-2026!", "new_password2": "Teze-parol-2026!"},
        follow=True,
    )
    assert "Şifrə təyin edildi" in done.content.decode()
    reader.refresh_from_db()
    assert reader.check_password("Teze-parol-2026!")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db, outbox):
    response = client.post(reverse("password_reset"), {"email": "yox@example.com"}, follow=True)

    assert "E-poçtunuzu yoxlayın" in response.content.decode()
    assert outbox() == []


def test_five_failures_lock_the_account_from_that_address_for_15_minutes(client, reader, axes_on):
    for _attempt in range(4):
        assert login(client, "oxucu", "sehv").status_code == 200

    response = login(client, "oxucu", "sehv")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Çox sayda uğursuz giriş" in html
    assert "15 dəqiqə" in html
    assert "Günün ən çox oxunanları" in html  # in the site's layout
    # The right password does not help from this address now.
    assert login(client, "oxucu").status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_attacked_account_still_logs_in_from_its_own_address(reader, axes_on):
    """Failures from many addresses lock those addresses, never the owner out everywhere."""
    home = Client(REMOTE_ADDR="192.0.2.10")
    assert login(home, "oxucu").status_code == 302
    home.logout()
    for number in range(30):
        attacker = Client(REMOTE_ADDR=f"10.0.1.{number}")
        for _attempt in range(5):
            login(attacker, "oxucu", "sehv")
        assert login(attacker, "oxucu").status_code == 429

    response = login(home, "oxucu")

    assert response.status_code == 302
    assert "_auth_user_id" in home.session


def test_e_mail_and_username_failures_count_against_the_same_account(client, reader, axes_on):
    for number in range(5):
        who = "oxucu" if number % 2 else "OXUCU@example.com"
        login(client, who, "sehv")

    assert login(client, "oxucu@example.com").status_code == 429
    assert login(Client(REMOTE_ADDR="10.0.2.1"), "oxucu@example.com").status_code == 302


def test_five_failures_from_one_address_lock_that_address(client, reader, axes_on):
    for number in range(5):
        login(client, f"naməlum{number}", "sehv")

    assert login(client, "oxucu").status_code == 429
    assert login(Client(REMOTE_ADDR="10.0.3.1"), "oxucu").status_code == 302


def test_lockout_page_in_russian(client, reader, axes_on):
    for _attempt in range(5):
        response = client.post("/ru/accounts/login/", {"username": "oxucu", "password": "x"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Слишком много неудачных попыток входа" in html
    assert "Попробуйте снова через 15 минут." in html


def test_a_success_clears_earlier_failures(client, reader, axes_on):
    for _attempt in range(4):
        login(client, "oxucu", "sehv")
    assert login(client, "oxucu").status_code == 302
    client.logout()

    for _attempt in range(4):
        login(client, "oxucu", "sehv")
    assert login(client, "oxucu").status_code == 302


def test_behind_a_proxy_the_lock_out_is_per_reader_not_per_proxy(reader, axes_on, settings):
    """Every reader comes from the proxy's address; the header the proxy sets tells them apart."""
    settings.VIEWS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    attacker = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="203.0.113.9")
    for number in range(5):
        login(attacker, f"naməlum{number}", "sehv")
    assert login(attacker, "oxucu").status_code == 429

    owner = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="198.51.100.7")
    assert login(owner, "oxucu").status_code == 302


def test_one_ipv6_network_is_one_client_for_the_lock_out(reader, axes_on):
    for number in range(5):
        login(Client(REMOTE_ADDR=f"2001:db8:1:2::{number + 1}"), f"naməlum{number}", "sehv")

    assert login(Client(REMOTE_ADDR="2001:db8:1:2::99"), "oxucu").status_code == 429
    assert login(Client(REMOTE_ADDR="2001:db8:1:3::1"), "oxucu").status_code == 302
