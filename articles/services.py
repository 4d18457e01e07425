"""Writes that touch more than one article."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import Article, Language


@transaction.atomic
def link_translation(article, other):
    """Make `other` the translation of `article` (or remove the link when `other` is None)."""
    if other is not None and other.language == article.language:
        raise ValidationError(_("A translation must be in the other language."))
    current = article.translated
    if current is not None and current != other:
        Article.objects.filter(pk__in=[article.pk, current.pk]).update(translation=None)
    if other is None:
        return
    azerbaijani, russian = (article, other) if article.language == Language.AZ else (other, article)
    # Whatever the two were linked to before is released, so the link stays one-to-one.
    Article.objects.filter(translation=russian).exclude(pk=azerbaijani.pk).update(translation=None)
    Article.objects.filter(pk=russian.pk).update(translation=None)
    Article.objects.filter(pk=azerbaijani.pk).update(translation=russian)
