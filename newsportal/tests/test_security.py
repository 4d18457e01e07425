"""Production hardening: headers and CSP, refusing to start half-configured, error pages for a
database outage and oversized requests, CSRF on every form, the image size limit."""

import io
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.admin import ArticleAdminForm
from articles.models import Article
from comments.models import Comment

SERVER_ERROR_AZ = "Xəta baş verdi"
SECRET = "a-real-looking-secret-Xq8v2LpW9rT4mN7bK3hJ6fD1sA5gZ0cV"


def csp(response):
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/ru/", 200),
        ("/search/?q=x", 200),
        ("/yoxdur/", 404),
        ("/accounts/login/", 200),
    ],
)
def test_every_page_sends_the_security_headers_without_the_https_redirect(client, db, path, status):
    """The tests run with DJANGO_SECURE_SSL_REDIRECT=0: every other header is still there."""
    response = client.get(path)

    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = csp(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_hsts_is_sent_over_https(client, db):
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_only_the_admin_allows_inline_styles_and_never_inline_scripts(admin_client):
    response = admin_client.get(reverse("admin:articles_article_changelist"))

    policy = csp(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"] == "'self'"


class InlineCode(HTMLParser):
    """Collect what a strict CSP would block: inline scripts, <style>, style= and on*= ."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_public_pages_carry_no_inline_script_or_style(client, seeded, django_user_model):
    reader = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")
    client.force_login(reader)
    paths = [
        "/",
        "/ru/",
        seeded.get_absolute_url(),
        "/search/?q=Azərbaycan",
        "/most-read/",
        "/archive/",
        "/yoxdur/",
        "/accounts/password/change/",
    ]
    for path in paths:
        assert inline_code(client.get(path).content.decode()) == [], path
    client.logout()
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        assert inline_code(client.get(path).content.decode()) == [], path
    for template in ["500.html", "503.html"]:
        from django.template.loader import render_to_string

        assert inline_code(render_to_string(template)) == [], template


# -- the database is down ----------------------------------------------------------------------


@pytest.fixture
def database_down():
    """Make every query fail as it does while PostgreSQL restarts."""
    error = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with mock.patch.object(CursorWrapper, "execute", side_effect=error):
        with mock.patch.object(CursorWrapper, "executemany", side_effect=error):
            yield


@pytest.mark.parametrize(
    ("path", "heading", "lang"),
    [
        ("/", "Sayt qısa müddətə əlçatmazdır", "az"),
        ("/ru/", "Сайт ненадолго недоступен", "ru"),
        ("/search/?q=xeber", "Sayt qısa müddətə əlçatmazdır", "az"),
    ],
)
def test_a_database_outage_is_a_friendly_503_in_the_pages_language(
    db, database_down, path, heading, lang
):
    client = Client(raise_request_exception=False)

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert "Content-Security-Policy" in response


def test_a_lost_connection_mid_request_is_a_503_too(db, make_article):
    article = make_article()
    client = Client(raise_request_exception=False)
    with mock.patch.object(CursorWrapper, "execute", side_effect=InterfaceError("closed")):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 503


def test_other_errors_stay_a_500(db):
    client = Client(raise_request_exception=False)
    with mock.patch.object(CursorWrapper, "execute", side_effect=ZeroDivisionError):
        response = client.get("/")

    assert response.status_code == 500
    assert SERVER_ERROR_AZ in response.content.decode()


# -- oversized requests and uploads ------------------------------------------------------------


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")


def test_an_oversized_comment_body_is_refused_with_a_clear_page(client, reader, make_article):
    article = make_article()
    client.force_login(reader)
    body = "ş" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(reverse("comments:post", args=[article.pk]), {"body": body})

    html = response.content.decode()
    assert response.status_code == 413
    assert "Məlumat çox böyükdür" in html
    assert not Comment.objects.exists()


def test_too_many_fields_are_refused_in_russian(client, reader, make_article):
    article = make_article(language="ru", title="Новость")
    client.force_login(reader)
    data = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(
        "/ru" + reverse("comments:post", args=[article.pk]), {"body": "Привет", **data}
    )

    assert response.status_code == 413
    assert "Слишком много данных" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_upload_to_a_public_form_is_refused_before_it_is_read(client, reader, make_article):
    article = make_article()
    client.force_login(reader)
    big = SimpleUploadedFile("film.mp4", b"\0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))

    response = client.post(
        reverse("comments:post", args=[article.pk]), {"body": "Salam", "file": big}
    )
    big.seek(0)
    russian = client.post(
        "/ru" + reverse("comments:post", args=[article.pk]), {"body": "Salam", "file": big}
    )

    assert response.status_code == 413
    assert "Məlumat çox böyükdür" in response.content.decode()
    assert russian.status_code == 413
    assert "Слишком много данных" in russian.content.decode()
    assert not Comment.objects.exists()


def test_the_admin_takes_an_image_up_to_its_limit_but_not_more(admin_client, settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1000
    url = reverse("admin:articles_article_add")
    small = SimpleUploadedFile("a.png", b"\0" * 500)
    # One save may carry the main picture and gallery pictures: ADMIN_UPLOADS_PER_SAVE of them.
    pictures = settings.ARTICLE_IMAGE_MAX_BYTES * settings.ADMIN_UPLOADS_PER_SAVE
    huge = SimpleUploadedFile(
        "b.png", b"\0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + pictures + 2000)
    )

    assert admin_client.post(url, {"image": small}).status_code == 200  # the form, with errors
    assert admin_client.post(url, {"image": huge}).status_code == 413


def png_bytes(size):
    buffer = io.BytesIO()
    Image.effect_noise(size, 100).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_over_the_limit_is_refused_with_the_limit_in_the_message(settings, db):
    picture = png_bytes((200, 200))
    settings.ARTICLE_IMAGE_MAX_BYTES = len(picture) - 1
    data = {"language": "az", "title": "Şəkilli xəbər", "slug": "sekilli", "status": "draft"}

    form = ArticleAdminForm(
        data, {"image": SimpleUploadedFile("big.png", picture, content_type="image/png")}
    )

    assert not form.is_valid()
    assert "Şəkil çox böyükdür" in str(form.errors["image"])
    settings.ARTICLE_IMAGE_MAX_BYTES = len(picture)
    form = ArticleAdminForm(
        data, {"image": SimpleUploadedFile("ok.png", picture, content_type="image/png")}
    )
    form.is_valid()
    assert "image" not in form.errors


def test_a_file_that_is_not_an_image_is_refused(db):
    data = {"language": "az", "title": "Xəbər", "slug": "xeber", "status": "draft"}
    fake = SimpleUploadedFile("x.png", b"<?php system($_GET['c']); ?>", content_type="image/png")

    form = ArticleAdminForm(data, {"image": fake})

    assert not form.is_valid()
    assert "image" in form.errors


# -- CSRF on every POST ------------------------------------------------------------------------


def post_endpoints(article, comment):
    return {
        "login": (reverse("login"), {"username": "oxucu", "password": "s3cret-pass"}),
        "logout": (reverse("logout"), {}),
        "signup": (
            reverse("signup"),
            {
                "username": "yeni",
                "email": "yeni@example.com",
                "password1": "Qarabag-2026-bahar",
                "password2": "Qarabag-2026-bahar",
            },
        ),
        "password_change": (
            reverse("password_change"),
            {
                "old_password": "s3cret-pass",
                "new_password1": "Qarabag-2026-bahar",
                "new_password2": "Qarabag-2026-bahar",
            },
        ),
        "password_reset": (reverse("password_reset"), {"email": "oxucu@example.com"}),
        "comment": (reverse("comments:post", args=[article.pk]), {"body": "CSRF şərhi"}),
        "remove": (reverse("comments:remove", args=[comment.pk]), {}),
        "admin_login": (reverse("admin:login"), {"username": "oxucu", "password": "s3cret-pass"}),
    }


@pytest.mark.parametrize("token", ["missing", "wrong"])
@pytest.mark.parametrize(
    "endpoint",
    [
        "login",
        "logout",
        "signup",
        "password_change",
        "password_reset",
        "comment",
        "remove",
        "admin_login",
    ],
)
def test_every_post_without_a_valid_csrf_token_is_refused_and_stores_nothing(
    reader, make_article, mailoutbox, endpoint, token
):
    article = make_article()
    comment = Comment.objects.create(article=article, author=reader, body="Qalacaq şərh")
    client = Client(enforce_csrf_checks=True)
    if endpoint in {"logout", "password_change", "comment", "remove"}:
        client.force_login(reader)
    client.get("/")  # a CSRF cookie, as a browser would hold
    url, data = post_endpoints(article, comment)[endpoint]
    if token == "wrong":
        data = {**data, "csrfmiddlewaretoken": "x" * 64}
    users_before = get_user_model().objects.count()
    session_before = client.session.session_key

    response = client.post(url, data)

    assert response.status_code == 403
    assert get_user_model().objects.count() == users_before
    assert list(Comment.objects.values_list("body", "status")) == [("Qalacaq şərh", "visible")]
    assert Article.objects.get(pk=article.pk).comment_count == 0
    reader.refresh_from_db()
    assert reader.check_password("s3cret-pass")
    assert mailoutbox == []
    assert client.session.session_key == session_before
