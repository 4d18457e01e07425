"""Bounding one client (issue 17): sign-up and password-reset limits, usernames that pass for
someone else."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsportal import ratelimit, usernames

PASSWORD = "Qarabag-2026-bahar"


def sign_up(client, number, *, email=None, username=None, path="/accounts/signup/"):
    return client.post(
        path,
        {
            "username": username or f"oxucu{number}",
            "email": email or f"oxucu{number}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.fixture
def limits(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 3
    settings.SIGNUPS_PER_EMAIL_PER_HOUR = 2
    settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 4
    settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 2
    return settings


def test_sign_ups_from_one_address_stop_at_the_limit(db, limits):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = []
    for number in range(6):
        codes.append(sign_up(client, number).status_code)
        client.logout()

    assert codes == [302, 302, 302, 429, 429, 429]
    assert get_user_model().objects.count() == 3
    # Another address still signs up.
    assert sign_up(Client(REMOTE_ADDR="203.0.113.6"), 9).status_code == 302


def test_the_limit_page_is_in_the_readers_language_and_the_sites_layout(db, limits):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for number in range(3):
        sign_up(client, number)
        client.logout()

    az = sign_up(client, 7)
    ru = sign_up(client, 8, path="/ru/accounts/signup/")

    assert az.status_code == ru.status_code == 429
    assert az["Retry-After"] == "3600"
    assert "Çox sayda cəhd" in az.content.decode()
    assert "Günün ən çox oxunanları" in az.content.decode()  # the site's layout
    assert "Слишком много попыток" in ru.content.decode()
    assert "Попробуйте снова через час." in ru.content.decode()


def test_invalid_sign_ups_count_too(db, limits):
    """Every attempt costs a password hash: a form with errors is still an attempt."""
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _attempt in range(3):
        assert client.post("/accounts/signup/", {"username": "x"}).status_code == 200

    assert sign_up(client, 1).status_code == 429


def test_sign_ups_for_one_e_mail_address_stop_at_its_limit(db, limits):
    for number in range(2):
        sign_up(Client(REMOTE_ADDR=f"203.0.113.{number}"), number, email="Hedef@Example.com")

    response = sign_up(Client(REMOTE_ADDR="203.0.113.50"), 5, email="hedef@example.com")

    assert response.status_code == 429


def test_reset_mails_to_one_victim_stop_at_the_limit(db, limits, outbox, django_user_model):
    django_user_model.objects.create_user("qurban", "qurban@example.com", PASSWORD)
    codes = [
        Client(REMOTE_ADDR=f"198.51.100.{number}")
        .post(reverse("password_reset"), {"email": "qurban@example.com"})
        .status_code
        for number in range(5)
    ]

    assert codes == [302, 302, 429, 429, 429]
    assert len(outbox()) == 2


def test_reset_requests_from_one_address_stop_at_the_limit(db, limits, outbox):
    client = Client(REMOTE_ADDR="198.51.100.7")
    codes = [
        client.post(reverse("password_reset"), {"email": f"x{number}@example.com"}).status_code
        for number in range(6)
    ]

    assert codes == [302, 302, 302, 302, 429, 429]
    response = client.post("/ru/accounts/password/reset/", {"email": "y@example.com"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()


def test_a_reset_for_a_registered_address_answers_before_the_mail_is_sent(
    db, outbox, django_user_model, monkeypatch
):
    """The mail goes in a thread: the answer does not wait for SMTP, so timing tells nothing."""
    import threading

    from django.contrib.auth.forms import PasswordResetForm

    django_user_model.objects.create_user("qurban", "qurban@example.com", PASSWORD)
    release = threading.Event()
    sending = PasswordResetForm.send_mail

    def slow_smtp(self, *args, **kwargs):
        release.wait(10)
        return sending(self, *args, **kwargs)

    monkeypatch.setattr(PasswordResetForm, "send_mail", slow_smtp)

    response = Client().post(reverse("password_reset"), {"email": "qurban@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []  # answered while the mail was still being sent
    release.set()
    assert len(outbox()) == 1


def test_the_limits_hold_with_the_database_cache_and_with_redis(db, settings):
    backends = {"database": settings.CACHES["default"]}
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
        backends["redis"] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    except Exception:  # no Redis here: the database cache alone
        pass
    for name, backend in backends.items():
        settings.CACHES = {"default": backend}
        key = uuid.uuid4().hex  # Redis outlives the test: a key of this run only
        allowed = [ratelimit.allow("test", key, limit=3, window=60) for _attempt in range(5)]
        assert allowed == [True, True, True, False, False], name
        assert ratelimit.allow("test", f"other-{key}", limit=3, window=60), name


# -- usernames ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "еditor",
        "EDITOR",
        "Admin",
        "аdmіn",
        "M0derator",
        "moderatоr",
        "ADMİN",
        "Redaksiya",
        "adm1n",
        "rnoderator",
        "admin_",
        "edit0r1",
        "Moderator.2026",
    ],
)
def test_staff_names_and_their_look_alikes_are_reserved(db, name):
    response = sign_up(Client(), 1, username=name)

    assert response.status_code == 200
    assert "Bu ad saytın əməkdaşları üçün saxlanılır" in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    "existing, name",
    [
        ("oxucu", "оxucu"), ("oxucu", "oxuсu"), ("oxucu", "0xucu"),
        ("oxucu", "οxucu"), ("Ali", "AIi"), ("Ali", "A1i"), ("kamran", "karnran"),
        ("wolf", "vvolf"),
    ],
)  # fmt: skip
def test_look_alikes_of_an_existing_reader_are_refused(db, django_user_model, existing, name):
    django_user_model.objects.create_user(existing, "o@example.com", PASSWORD)

    response = sign_up(Client(), 1, username=name)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Eyni görünən adla oxucu artıq var" in html
    assert django_user_model.objects.count() == 1


def test_a_name_in_russian_letters_of_its_own_is_fine(db, django_user_model):
    django_user_model.objects.create_user("oxucu", "o@example.com", PASSWORD)

    assert sign_up(Client(), 1, username="Читатель").status_code == 302
    assert sign_up(Client(), 2, username="Şəhərli_oxucu").status_code == 302


def test_usernames_are_at_most_30_characters(db):
    response = sign_up(Client(), 1, username="a" * 31)

    assert response.status_code == 200
    assert 'maxlength="30"' in response.content.decode()
    assert not get_user_model().objects.exists()
    assert sign_up(Client(), 2, username="a" * 30).status_code == 302


def test_skeletons():
    assert usernames.skeleton("еditor") == usernames.skeleton("Editor") == "edltor"
    assert usernames.skeleton("AIi") == usernames.skeleton("ali") == usernames.skeleton("A1i")
    assert usernames.skeleton("Şəhər") != usernames.skeleton("Sehər")
