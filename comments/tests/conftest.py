"""Fixtures for the comment tests: readers, a way to post as one, headless Chromium."""

import pytest
from django.urls import reverse

from articles.tests.factories import UserFactory
from comments import services
from comments.tests.factories import CommentFactory


@pytest.fixture
def reader(db):
    return UserFactory(username="oxucu")


@pytest.fixture
def other_reader(db):
    return UserFactory(username="qonsu")


@pytest.fixture
def article(make_article):
    return make_article(title="Şərhlər üçün xəbər")


@pytest.fixture
def post(client):
    """Return a function that posts a comment form to an article as the logged-in client."""

    def send(article, body, parent=None, follow=False):
        data = {"body": body, "parent": parent or ""}
        return client.post(reverse("comments:post", args=[article.pk]), data, follow=follow)

    return send


@pytest.fixture
def make_comment():
    """Return a function that stores a comment directly (no service, no checks), then recounts.

    The article page reads its comments only when its stored count says there are some.
    """

    def make(article, author, body="Salam", **fields):
        comment = CommentFactory(article=article, author=author, body=body, **fields)
        services.recount([article.pk])
        return comment

    return make
