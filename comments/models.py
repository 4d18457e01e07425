from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from articles.models import Article

BODY_MAX_LENGTH = 2000


class CommentQuerySet(models.QuerySet):
    def shown(self):
        """Return the comments counted and read on article pages.

        Visible comments whose thread is not hidden: a moderator hiding a comment hides its
        replies with it, while a comment removed by its author keeps its replies on show.
        """
        return self.filter(status=Comment.Status.VISIBLE).filter(
            Q(parent__isnull=True) | ~Q(parent__status=Comment.Status.HIDDEN)
        )

    def for_page(self, article):
        """Return what an article's comment section needs, oldest first, in one query.

        Removed comments come too: they stand in for their replies' parent.
        """
        return (
            self.filter(article=article)
            .exclude(status=Comment.Status.HIDDEN)
            .filter(Q(parent__isnull=True) | ~Q(parent__status=Comment.Status.HIDDEN))
            .select_related("author")
            .only(
                "id",
                "parent_id",
                "article_id",
                "body",
                "status",
                "created_at",
                "author__id",
                "author__username",
            )
            .order_by("created_at", "id")
        )


class Comment(models.Model):
    """A reader's comment on an article, or a reply to one (one level deep)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("visible")
        HIDDEN = "hidden", _("hidden by a moderator")
        REMOVED = "removed", _("removed by its author")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    # A deleted account leaves its comments in place (shown as a deleted account), so that
    # deleting users never changes articles' comment counts behind the services' back.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        get_latest_by = "created_at"
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["article", "created_at"], name="comment_article_created"),
            # Rate limits and duplicate checks count one reader's recent comments.
            models.Index(fields=["author", "created_at"], name="comment_author_created"),
            models.Index(fields=["status", "created_at"], name="comment_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return Truncator(self.body).chars(60)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_visible(self):
        return self.status == self.Status.VISIBLE


class CommentBanQuerySet(models.QuerySet):
    def active(self):
        """Return the bans in force now: without an end, or ending later."""
        return self.filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


class CommentBan(models.Model):
    """A reader barred from commenting by an editor, with the reason they are shown."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="comment_ban",
    )
    reason = models.TextField(
        _("reason"), max_length=500, help_text=_("Shown to the user in place of the form.")
    )
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: until an editor lifts it.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("barred by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = CommentBanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("barred commenter")
        verbose_name_plural = _("barred commenters")

    def __str__(self):
        return str(self.user)

    @property
    def is_active(self):
        return self.until is None or self.until > timezone.now()
