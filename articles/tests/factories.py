"""factory_boy factories for the portal's models; the conftest fixtures are built on them.

A test that needs a row with particular fields asks a fixture (`make_article`, `source`,
`editor`...) or calls a factory with keyword arguments: `ArticleFactory(status=DRAFT)`.
"""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Category, FullText, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Mənbə{n}.az")
    slug = factory.Sequence(lambda n: f"menbe-{n}")
    kind = Source.Kind.SITE
    homepage = factory.LazyAttribute(lambda source: f"https://{source.name.lower()}")
    # The fixture feeds link to real sites' pages, which tests never fetch: trust the feed
    # unless a test is about full texts (the model's default is "auto").
    full_text = FullText.FEED


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name_az = factory.Sequence(lambda n: f"Bölmə {n}")
    name_ru = factory.Sequence(lambda n: f"Раздел {n}")
    slug = factory.Sequence(lambda n: f"bolme-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article, each one a minute older than the one made before it."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Xəbər nömrə {n}")
    body = factory.Sequence(lambda n: f"<p>Mətn {n}</p>")
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(lambda n: timezone.now() - timedelta(minutes=n + 1))


def bulk_articles(number, now=None, **fields):
    """Insert `number` published articles a minute apart, newest first, in one statement."""
    now = now or timezone.now()
    Article.objects.bulk_create(
        ArticleFactory.build(
            title=f"Toplu xəbər {i}",
            slug=f"toplu-xeber-{i}",
            body="<p>Mətn</p>",
            published_at=now - timedelta(minutes=i),
            **{"views": i, **fields},
        )
        for i in range(number)
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"oxucu{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("s3cret-pass")


class EditorFactory(UserFactory):
    """A staff user who is not a superuser, with the rights of the Editors group."""

    username = factory.Sequence(lambda n: f"redaktor{n}")
    is_staff = True

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create:
            # The group comes from a data migration.
            user.groups.add(Group.objects.get(name="Editors"))
