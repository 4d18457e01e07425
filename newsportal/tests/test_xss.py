"""At least 100 XSS payloads as comments, search queries and sign-up names: none survives as
markup on the rendered page (checked with an HTML parser against the same page with plain text).
Feed entries: articles/tests/test_xss_feeds.py; in Chromium: comments/tests/test_browser_xss.py.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from newsportal.tests.xss import injected, payloads

PAYLOADS = payloads()
PASSWORD = "Qarabag-2026-bahar"


def test_the_corpus_holds_at_least_100_payloads():
    assert len(PAYLOADS) >= 100


def test_the_check_catches_the_payloads_when_a_page_forgets_to_escape():
    """Unescaped in text or in a quoted attribute, most payloads are caught; the rest are
    encodings and template syntax that only matter if something decodes or evaluates them."""
    caught = [
        payload
        for payload in PAYLOADS
        if injected(f"<div>{payload}</div>", "<div>x</div>")
        or injected(f'<input value="{payload}">', '<input value="x">')
    ]

    assert len(caught) >= 0.75 * len(PAYLOADS)


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("oxucu", "oxucu@example.com", "s3cret-pass")


def post_all(client, article, bodies):
    for body in bodies:
        response = client.post(reverse("comments:post", args=[article.pk]), {"body": body})
        assert response.status_code == 302, (body, response.status_code)


def test_comments_show_every_payload_as_text(settings, client, reader, make_article):
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_PER_DAY = 10_000
    attacked, plain = make_article(title="Hücum"), make_article(title="Sakit")
    client.force_login(reader)
    post_all(client, attacked, PAYLOADS)
    post_all(client, plain, [f"Sadə şərh {n}" for n in range(len(PAYLOADS))])

    page = client.get(attacked.get_absolute_url()).content.decode()
    baseline = client.get(plain.get_absolute_url()).content.decode()

    assert Comment.objects.filter(article=attacked).count() == len(PAYLOADS)
    # Readers' web addresses become nofollow links: the one kind of element a comment may add.
    assert injected(page, baseline, allowed={"a"}) == []
    assert "&lt;script&gt;alert(1337)&lt;/script&gt;" in page


@pytest.mark.parametrize("language", ["", "/ru"])
def test_search_queries_are_echoed_as_text(client, db, make_article, language):
    make_article(title="Bakıda yeni park", body="<p>Parkda gəzinti.</p>")  # matches no payload
    url = language + reverse("articles:search")
    baseline = client.get(url, {"q": "adi sorğu"}).content.decode()

    failures = {}
    for payload in PAYLOADS:
        response = client.get(url, {"q": payload})
        assert response.status_code in (200, 400), payload
        problems = injected(response.content.decode(), baseline)
        if problems:
            failures[payload] = problems

    assert failures == {}


def test_sign_up_names_never_become_markup(db):
    User = get_user_model()
    url = reverse("signup")

    def sign_up(username, number):
        data = {
            "username": username,
            "email": f"oxucu{number}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        return Client().post(url, data, follow=True)

    refused = sign_up("adi ad", 0).content.decode()  # a space: refused like the payloads
    welcomed = sign_up("adi_oxucu", -1).content.decode()

    failures = {}
    for number, payload in enumerate(PAYLOADS, start=1):
        response = sign_up(payload, number)
        created = User.objects.filter(email=f"oxucu{number}@example.com").exists()
        problems = injected(response.content.decode(), welcomed if created else refused)
        if problems:
            failures[payload] = problems

    assert failures == {}
    # Django's username rules refuse every payload that carries markup characters.
    assert not User.objects.filter(username__contains="<").exists()
