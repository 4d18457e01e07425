"""factory_boy factories for comments."""

import factory

from articles.tests.factories import ArticleFactory, UserFactory
from comments.models import Comment


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment stored directly: no posting service, no checks, no recount."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = "Salam"
