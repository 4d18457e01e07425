"""Outages and configuration the hostile test found (issue 17): database timeouts, trusted
proxy headers, the Permissions-Policy header."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from newsportal.urls import urlpatterns as site_patterns


def production_settings(**env):
    """Return chosen production settings as a subprocess sees them with this environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATA"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsportal.settings",
        DJANGO_SECRET_KEY="a-real-looking-secret-Xq8v2LpW9rT4mN7bK3hJ6fD1sA5gZ0cV",
        DATABASE_URL="postgres://news@127.0.0.1:5432/newsportal",
        **env,
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'options': s.DATABASES['default'].get('OPTIONS', {}),"
        "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_gets_a_connect_and_a_statement_timeout_by_default():
    options = production_settings()["options"]

    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=5000"


def test_the_database_timeouts_come_from_the_environment():
    options = production_settings(DATABASE_CONNECT_TIMEOUT="7", DATABASE_STATEMENT_TIMEOUT="250")[
        "options"
    ]
    assert options == {"connect_timeout": 7, "options": "-c statement_timeout=250"}

    assert (
        production_settings(DATABASE_STATEMENT_TIMEOUT="0", DATABASE_CONNECT_TIMEOUT="0")["options"]
        == {}
    )


def test_the_proxy_scheme_header_is_trusted_only_when_configured():
    assert production_settings()["proxy"] is None
    assert production_settings(DJANGO_TRUSTED_PROXY_HEADER="1")["proxy"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_a_client_cannot_claim_https_by_default(client, db):
    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.wsgi_request.is_secure() is False


def test_every_response_refuses_browser_features_we_never_use(client, db):
    for path_ in ["/", "/ru/", "/accounts/login/", "/no-such-page/", "/healthz"]:
        policy = client.get(path_)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


# -- a statement that runs too long ------------------------------------------------------------


def sleeping_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(3)")
    return HttpResponse("answered")


urlpatterns = [path("sleep/", sleeping_view), *site_patterns]
handler500 = "newsportal.views.server_error"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_statement_over_the_timeout_is_the_503_page():
    """The server cancels the statement; the reader gets the calm 503 page, not a hang or 500."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    options["options"] = "-c statement_timeout=200"
    connection.close()  # the next request connects with the short timeout
    try:
        response = Client(raise_request_exception=False).get("/sleep/")
    finally:
        options.clear()
        options.update(saved)
        connection.close()

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Sayt qısa müddətə əlçatmazdır" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_the_statement_timeout_reaches_the_server(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone()[0] == str(settings.DATABASE_STATEMENT_TIMEOUT)


@pytest.fixture
def redis_stopped(settings, db):
    """The shared cache is a Redis where nothing listens (connections refused)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3},
        }
    }


@pytest.mark.parametrize(
    "prefix, heading",
    [("", "Sayt qısa müddətə əlçatmazdır"), ("/ru", "Сайт ненадолго недоступен")],
)
def test_with_redis_down_the_limited_forms_are_the_503_page(redis_stopped, prefix, heading):
    """Sign-up and password reset count attempts in the cache only: they cannot go unlimited,
    so they pause with the calm page, while pages that can do without the cache are served."""
    client = Client(raise_request_exception=False)
    signup = {
        "username": "oxucu",
        "email": "oxucu@example.com",
        "password1": "Qarabag-2026-bahar",
        "password2": "Qarabag-2026-bahar",
    }

    answers = [
        client.post(f"{prefix}/accounts/signup/", signup),
        client.post(f"{prefix}/accounts/password/reset/", {"email": "oxucu@example.com"}),
    ]

    for response in answers:
        html = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert heading in html and "Traceback" not in html
    assert not get_user_model().objects.exists()
    assert client.get(f"{prefix}/").status_code == 200
