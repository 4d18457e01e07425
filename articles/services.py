"""Writes that touch more than one row or model: translation links, pictures, editors' saves.

Every write that changes what readers see ends with `articles_changed()`: the one way cached
fragments and pages learn of it (articles/caching/).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from articles import images
from articles.caching import articles_changed
from articles.models import Article, ArticlePhoto, Language

logger = logging.getLogger(__name__)


def check_translation(article, other):
    """Refuse a translation link that is not between two articles of different languages."""
    if other is None:
        return
    if other.pk is not None and other.pk == article.pk:
        raise ValidationError(_("An article cannot be its own translation."))
    if other.language == article.language:
        raise ValidationError(_("A translation must be in the other language."))


@transaction.atomic
def link_translation(article, other):
    """Make `other` the translation of `article` (or remove the link when `other` is None)."""
    check_translation(article, other)
    current = article.translated
    if current is not None and current != other:
        Article.objects.filter(pk__in=[article.pk, current.pk]).update(translation=None)
    if other is None:
        articles_changed()
        return
    azerbaijani, russian = (article, other) if article.language == Language.AZ else (other, article)
    # Whatever the two were linked to before is released, so the link stays one-to-one.
    Article.objects.filter(translation=russian).exclude(pk=azerbaijani.pk).update(translation=None)
    Article.objects.filter(pk=russian.pk).update(translation=None)
    Article.objects.filter(pk=azerbaijani.pk).update(translation=russian)
    articles_changed()


def store_renditions(article):
    """Make the renditions of the article's picture and record its upright size on the row."""
    if not article.image:
        return
    try:
        width, height = images.make_renditions(article.image)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.exception("Could not resize the picture of article %s", article.pk)
        return
    article.image_width, article.image_height = width, height
    if article.pk:
        Article.objects.filter(pk=article.pk).update(image_width=width, image_height=height)
        articles_changed(article.language)


def store_photo_renditions(photo):
    """Make the renditions of a gallery picture and record its upright size on the row."""
    try:
        width, height = images.make_renditions(photo.image)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.exception("Could not resize gallery picture %s", photo.pk)
        return
    photo.image_width, photo.image_height = width, height
    ArticlePhoto.objects.filter(pk=photo.pk).update(image_width=width, image_height=height)


def count_photos(article):
    """Record on the article how many gallery pictures it has (its page reads them only then)."""
    count = ArticlePhoto.objects.filter(article=article).count()
    Article.objects.filter(pk=article.pk).update(photo_count=count)
    article.photo_count = count
    articles_changed()
