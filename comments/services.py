"""Writes that touch comments and their article's counter together.

Every change to a comment's visibility locks the article rows concerned, makes the change and
recounts the article's shown comments in the same transaction, so the stored counter is exact
whatever runs concurrently. Lock order: a user row (posting only) before article rows, and
article rows by id, so two writers never wait on each other in a circle.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.caching import articles_changed
from articles.models import Article
from articles.templatetags.portal import portal_date
from comments.models import Comment, CommentBan

DUPLICATE_WINDOW = timedelta(minutes=1)


class CommentRefused(Exception):
    """A comment that may not be posted, with the reason shown to its author."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def _lock_articles(article_ids):
    """Lock the articles' rows until the transaction ends; return them by id."""
    articles = (
        Article.objects.select_for_update()
        .filter(pk__in=set(article_ids))
        .only("id", "comments_closed")
        .order_by("pk")
    )
    return {article.pk: article for article in articles}


def recount(article_ids):
    """Store each article's number of shown comments, counted in the database."""
    shown = (
        Comment.objects.shown()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    Article.objects.filter(pk__in=set(article_ids)).update(
        comment_count=Coalesce(Subquery(shown), Value(0))
    )


def ban_message(ban):
    """Return what a barred reader is told in place of the comment form."""
    if ban.until is None:
        return _("You may not comment on this site. Reason: %(reason)s") % {"reason": ban.reason}
    return _("You may not comment on this site until %(date)s. Reason: %(reason)s") % {
        "date": portal_date(ban.until),
        "reason": ban.reason,
    }


def _check_rate(author, now):
    """Refuse a comment beyond the per-minute or per-day limit; counts every row written."""
    recent = Comment.objects.filter(author=author, created_at__gt=now - timedelta(days=1))
    per_minute = settings.COMMENTS_PER_MINUTE
    if recent.filter(created_at__gt=now - timedelta(minutes=1)).count() >= per_minute:
        raise CommentRefused(
            ngettext(
                "You can post at most %(count)d comment a minute. Please wait a moment "
                "and send it again.",
                "You can post at most %(count)d comments a minute. Please wait a moment "
                "and send it again.",
                per_minute,
            )
            % {"count": per_minute},
            status=429,
        )
    per_day = settings.COMMENTS_PER_DAY
    if recent.count() >= per_day:
        raise CommentRefused(
            ngettext(
                "You can post at most %(count)d comment a day. Please come back tomorrow.",
                "You can post at most %(count)d comments a day. Please come back tomorrow.",
                per_day,
            )
            % {"count": per_day},
            status=429,
        )


def _thread_root(article, reply_to):
    """Return the comment a reply attaches to: the top of the replied comment's thread."""
    if reply_to is None:
        return None
    target = (
        Comment.objects.shown()
        .filter(article=article, pk=reply_to)
        .select_related("parent")
        .first()
    )
    if target is None:
        raise CommentRefused(_("The comment you are replying to is no longer available."))
    # One level of replies: a reply to a reply joins the same thread.
    return target.parent if target.parent_id else target


def post_comment(*, author, article, body, reply_to=None):
    """Publish a comment (or reply) by `author` and return it.

    A second identical submission within a minute returns the first comment instead of a
    copy. Raises CommentRefused when comments are closed, the author is barred, or the
    author is over the rate limit.
    """
    with transaction.atomic():
        # One reader's posts run one at a time: duplicates and limits are checked exactly.
        list(get_user_model().objects.select_for_update().filter(pk=author.pk).values_list("pk"))
        locked = _lock_articles([article.pk]).get(article.pk)
        if locked is None or locked.comments_closed:
            raise CommentRefused(_("Comments on this article are closed."), status=403)
        ban = CommentBan.objects.active().filter(user=author).first()
        if ban is not None:
            raise CommentRefused(ban_message(ban), status=403)
        now = timezone.now()
        duplicate = (
            Comment.objects.filter(
                author=author, article=article, body=body, created_at__gt=now - DUPLICATE_WINDOW
            )
            .order_by("-created_at")
            .first()
        )
        if duplicate is not None:
            return duplicate
        parent = _thread_root(article, reply_to)
        _check_rate(author, now)
        comment = Comment.objects.create(
            article=article, author=author, parent=parent, body=body, created_at=now
        )
        recount([article.pk])
    comment.article = article
    return comment


def remove_own_comment(comment, user):
    """Let an author withdraw their visible comment; return whether it was removed."""
    with transaction.atomic():
        _lock_articles([comment.article_id])
        removed = Comment.objects.filter(
            pk=comment.pk, author=user, status=Comment.Status.VISIBLE
        ).update(status=Comment.Status.REMOVED)
        recount([comment.article_id])
        _moderated()
    return bool(removed)


def set_status(comments, status):
    """Give the comments (a queryset) a moderation status; return how many changed."""
    with transaction.atomic():
        pairs = list(comments.exclude(status=status).values_list("pk", "article_id"))
        if not pairs:
            return 0
        article_ids = {article_id for _pk, article_id in pairs}
        _lock_articles(article_ids)
        changed = Comment.objects.filter(pk__in=[pk for pk, _a in pairs]).update(status=status)
        recount(article_ids)
        _moderated()
    return changed


def save_comment(comment):
    """Save a comment edited in the admin and keep its article's counter exact."""
    with transaction.atomic():
        _lock_articles([comment.article_id])
        comment.save()
        recount([comment.article_id])
        _moderated()


def delete_comments(comments):
    """Delete the comments (a queryset) with their replies; return how many rows went."""
    with transaction.atomic():
        article_ids = set(comments.values_list("article_id", flat=True))
        _lock_articles(article_ids)
        deleted, _per_model = comments.delete()
        recount(article_ids)
        _moderated()
    return deleted


def _moderated():
    """Make cached pages stale: a hidden, removed or edited comment must not stay on them.

    A new comment is no such change: its writer sees their own page, other readers get it
    when the cached page expires (PAGE_CACHE_SECONDS), so posting does not empty the cache.
    """
    articles_changed()
