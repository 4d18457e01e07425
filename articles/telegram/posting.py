"""Post rows: which article goes to which channel, and what was sent (exactly once).

A row per (article, channel), unique: the decision to post an article is taken once. Its states:

    pending ──claim──> sending ──accepted──> sent ──article changed──> pending (an edit)
       ^                  │ 5xx, no connection: pending again after a backoff,
       │                  │                     failed after MAX_ATTEMPTS
       │                  │ 4xx: failed          429: pending after `retry_after`
       │                  └ no answer after the request went out: unknown
       └── an editor: "retry now" (failed, pending), "post again" (failed, unknown)

Why a message is never sent twice:
- The claim is one conditional UPDATE (`status = pending AND next attempt due` → `sending`),
  so of two workers, or of a task that runs twice, exactly one changes the row and goes on;
  the other's UPDATE counts 0 rows and it stops. On PostgreSQL the second UPDATE waits for the
  first one's row lock and then re-reads the row, which is no longer pending; SQLite writes one
  at a time. No transaction is held open during the request (a slow Telegram must not hold a
  row lock or a connection's transaction), which is why the claim is committed first.
- The row says "sending" before the request leaves. If the process dies after Telegram
  accepted the message but before the message id was written, the row stays "sending": a
  later round finds it older than any request may last (STALE_AFTER) and marks it "unknown",
  not "pending". Telegram offers no way to ask whether a channel holds our message, so
  resending it could post it twice, and a duplicate in front of every subscriber is worse than
  an editor's look at the channel: the admin shows "outcome unknown" with "post again". The
  same holds for a request that went out and got no answer (a timeout, a connection cut):
  only a failure before connecting, or an error answer, is retried by itself.
- Edits change a message in place, so repeating one is harmless: an edit found stale, or
  without an answer, simply goes back to pending.
- The outcome is written only to the row as this worker claimed it (same `claimed_at`).
"""

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from articles.caching import read_many, store
from articles.importers.messages import Message, dumps
from articles.models import Article, TelegramPost
from articles.telegram.bot import Bot, TelegramError
from articles.telegram.compose import compose, open_photo

logger = logging.getLogger(__name__)

Status = TelegramPost.Status
MAX_ATTEMPTS = 8  # failed tries before a post is given up (about four hours of backoff)
BACKOFF_SECONDS = 60  # the first retry's wait, doubled after each failure...
BACKOFF_CAP_SECONDS = 3600  # ...up to an hour
ROUND_LIMIT = 50  # posts looked at per round and channel
EDITS_FOR_DAYS = 7  # changes to articles posted this recently are carried to their messages

STALE_MESSAGE = gettext_noop(
    "The sending stopped half-way (the process ended during the request): Telegram may have "
    "posted the message. Look in the channel; post it again only if it is not there."
)
UNANSWERED_MESSAGE = gettext_noop(
    "%(error)s. Telegram may have posted the message: look in the channel; post it again "
    "only if it is not there."
)
GAVE_UP_MESSAGE = gettext_noop("%(error)s (gave up after %(count)d attempts)")


def enabled():
    """Tell whether posting is configured: a bot token and at least one channel."""
    return bool(settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_CHANNELS)


def channel_for(language):
    return settings.TELEGRAM_CHANNELS.get(language, "") if settings.TELEGRAM_BOT_TOKEN else ""


def stale_after():
    """Return how long a claimed row may stay "sending" before it surely is not any more."""
    return timedelta(seconds=2 * settings.TELEGRAM_TIMEOUT_SECONDS + 60)


def may_post(article, channel):
    """Tell whether the article may be in this channel: visible, posting left on for it, and
    the channel that of its language (an editor may correct the language after posting)."""
    source_allows = article.source_id is None or article.source.telegram_enabled
    in_language = channel == channel_for(article.language)
    return article.is_visible and article.telegram_enabled and source_allows and in_language


def postable_articles():
    return (
        Article.objects.published()
        .filter(telegram_enabled=True)
        .filter(Q(source__isnull=True) | Q(source__telegram_enabled=True))
    )


def _wait_key(channel):
    return f"telegram:wait:{hashlib.sha256(channel.encode()).hexdigest()[:32]}"


def channel_wait(channel):
    """Return the seconds Telegram's last 429 still asks us to leave the channel alone, or 0.

    Remembered in the shared cache, so that posts made due after the 429 (a new article, an
    edit, "retry now") wait as well as those that were pending when it came.
    """
    key = _wait_key(channel)
    until = read_many([key]).get(key)
    return max(until - time.time(), 0) if until is not None else 0


def backoff(attempts):
    """Return the wait after the `attempts`-th failure in a row: 1, 2, 4... minutes, capped."""
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


# -- deciding what to post -----------------------------------------------------------------------


def queue(article_ids, *, by_editor=False):
    """Make sure these articles get to their channels, or their messages are brought up to date.

    Return the ids of the posts due now. Without `by_editor` only articles published within
    TELEGRAM_POST_MAX_AGE_MINUTES get a post; an editor who publishes an older one means it.
    """
    if not enabled():
        return []
    now = timezone.now()
    oldest = now - timedelta(minutes=settings.TELEGRAM_POST_MAX_AGE_MINUTES)
    due = []
    articles = Article.objects.filter(pk__in=list(article_ids)).select_related("source")
    for article in articles:
        channel = channel_for(article.language)
        if not channel or not may_post(article, channel):
            continue
        post = TelegramPost.objects.filter(article=article, channel=channel).first()
        if post is None:
            if not by_editor and article.published_at < oldest:
                continue
            post = _new_post(article, channel, now)
            if post is not None:
                due.append(post.pk)
            continue
        if _wants_delivery(post, article, now):
            due.append(post.pk)
    return due


def _new_post(article, channel, now):
    try:
        with transaction.atomic():
            return TelegramPost.objects.create(
                article=article, channel=channel, next_attempt_at=now
            )
    except IntegrityError:  # another process decided the same at the same moment
        return None


def _wants_delivery(post, article, now):
    """Make an existing post due again if it has something to do; tell if it has."""
    if post.status == Status.CANCELLED or (post.status == Status.FAILED and post.message_id):
        # Published again, or switched on again; or a new version for a message whose edit failed.
        changed = TelegramPost.objects.filter(pk=post.pk, status=post.status).update(
            status=Status.PENDING, next_attempt_at=now, attempts=0
        )
        return bool(changed)
    if (
        post.status == Status.SENT
        and compose(article, as_photo=bool(post.photo)).digest != post.digest
    ):
        changed = TelegramPost.objects.filter(pk=post.pk, status=Status.SENT).update(
            status=Status.PENDING, next_attempt_at=now, attempts=0
        )
        return bool(changed)
    return post.status == Status.PENDING and post.next_attempt_at and post.next_attempt_at <= now


def due_posts(limit=ROUND_LIMIT):
    """Prepare a round of the periodic runner; return the ids of the posts due now.

    It notices what nothing else told: articles that became visible (a scheduled time that came,
    an import that published), articles changed since their message was sent, and requests
    that never finished.
    """
    if not enabled():
        return []
    now = timezone.now()
    _recover_stale(now)
    oldest = now - timedelta(minutes=settings.TELEGRAM_POST_MAX_AGE_MINUTES)
    for language, channel in settings.TELEGRAM_CHANNELS.items():
        posted = TelegramPost.objects.filter(channel=channel).values("article_id")
        arrived = (
            postable_articles()
            .filter(language=language, published_at__gte=oldest)
            .exclude(pk__in=posted)
            .order_by("published_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        TelegramPost.objects.bulk_create(
            [TelegramPost(article_id=pk, channel=channel, next_attempt_at=now) for pk in arrived],
            ignore_conflicts=True,
        )
    _notice_changes(now, limit)
    return list(
        TelegramPost.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "article__published_at", "pk")
        .values_list("pk", flat=True)[: limit * max(len(settings.TELEGRAM_CHANNELS), 1)]
    )


def _recover_stale(now):
    stale = TelegramPost.objects.filter(status=Status.SENDING, claimed_at__lt=now - stale_after())
    stale.filter(message_id__isnull=False).update(status=Status.PENDING, next_attempt_at=now)
    stale.filter(message_id__isnull=True).update(
        status=Status.UNKNOWN, next_attempt_at=None, last_error=dumps([Message(STALE_MESSAGE)])
    )


def _notice_changes(now, limit):
    """Make due the sent posts whose article was saved since and now reads differently."""
    changed = (
        TelegramPost.objects.filter(
            status=Status.SENT,
            sent_at__gte=now - timedelta(days=EDITS_FOR_DAYS),
            article__updated_at__gt=F("synced_at"),
        )
        .select_related("article__source")
        .order_by("synced_at")[:limit]
    )
    for post in changed:
        article = post.article
        if (
            may_post(article, post.channel)
            and compose(article, as_photo=bool(post.photo)).digest != post.digest
        ):
            TelegramPost.objects.filter(pk=post.pk, status=Status.SENT).update(
                status=Status.PENDING, next_attempt_at=now, attempts=0
            )
        else:
            # Read at `now` or later: a save after `now` is newer and is looked at next round.
            TelegramPost.objects.filter(pk=post.pk, status=Status.SENT).update(synced_at=now)


# -- editors' actions ----------------------------------------------------------------------------


def retry_now(posts):
    """Make failed and waiting posts due at once (a sent message is edited, never resent)."""
    now = timezone.now()
    return TelegramPost.objects.filter(
        pk__in=[post.pk for post in posts], status__in=[Status.PENDING, Status.FAILED]
    ).update(status=Status.PENDING, next_attempt_at=now, attempts=0)


def post_again(posts):
    """Send failed and unknown posts as new messages: the editor looked, the channel lacks them."""
    now = timezone.now()
    return TelegramPost.objects.filter(
        pk__in=[post.pk for post in posts], status__in=[Status.FAILED, Status.UNKNOWN]
    ).update(
        status=Status.PENDING,
        next_attempt_at=now,
        attempts=0,
        message_id=None,
        photo="",
        digest="",
        sent_at=None,
    )


# -- sending -------------------------------------------------------------------------------------


class Outcome:
    """What `deliver()` did; `retry_in` is the wait before the next try, if there is one."""

    def __init__(self, status, retry_in=None):
        self.status, self.retry_in = status, retry_in

    def __repr__(self):
        return f"Outcome({self.status!r}, retry_in={self.retry_in!r})"


def deliver(post_id, bot=None):
    """Claim a due post and make its channel show the article as it is now; return the Outcome."""
    if not enabled():
        return Outcome("off")
    claimed_at = timezone.now()
    claimed = TelegramPost.objects.filter(
        pk=post_id, status=Status.PENDING, next_attempt_at__lte=claimed_at
    ).update(status=Status.SENDING, claimed_at=claimed_at)
    if not claimed:
        return Outcome("not due")
    post = TelegramPost.objects.select_related("article__source").get(pk=post_id)
    mine = TelegramPost.objects.filter(pk=post_id, claimed_at=claimed_at)
    article = post.article
    if not may_post(article, post.channel):
        # Withdrawn, switched off or moved to the other language before it was sent: not sent.
        # A message already in the channel stays as it is.
        status = Status.SENT if post.message_id else Status.CANCELLED
        mine.update(status=status, next_attempt_at=None, synced_at=claimed_at)
        return Outcome(status)
    wait = channel_wait(post.channel)
    if wait:
        mine.update(status=Status.PENDING, next_attempt_at=claimed_at + timedelta(seconds=wait))
        return Outcome(Status.PENDING, retry_in=wait)
    if post.message_id:
        # Telegram cannot turn a text message into a picture or back: the kind stays.
        as_photo = bool(post.photo)
        composed = compose(article, as_photo=as_photo)
        if composed.digest == post.digest:
            mine.update(status=Status.SENT, next_attempt_at=None, synced_at=claimed_at)
            return Outcome(Status.SENT)
        new_picture = as_photo and composed.photo and composed.photo != post.photo
        photo_file = open_photo(article) if new_picture else None
        sent_photo = composed.photo if photo_file is not None else post.photo
    else:
        photo_file = open_photo(article)
        as_photo = photo_file is not None
        composed = compose(article, as_photo=as_photo)
        sent_photo = composed.photo
    bot = bot or Bot.from_settings()
    try:
        if post.message_id:
            bot.edit(
                post.channel,
                post.message_id,
                composed,
                as_photo=as_photo,
                new_photo_file=photo_file,
            )
        else:
            post.message_id = bot.send(post.channel, composed, photo_file)
    except TelegramError as error:
        if error.kind != TelegramError.NOT_MODIFIED:
            return _failed(post, mine, error)
    finally:
        if photo_file is not None:
            photo_file.close()
    mine.update(
        status=Status.SENT,
        message_id=post.message_id,
        photo=sent_photo,
        digest=composed.digest,
        attempts=F("attempts") + 1,
        last_error="",
        next_attempt_at=None,
        synced_at=claimed_at,
        sent_at=post.sent_at or timezone.now(),
    )
    return Outcome(Status.SENT)


def _failed(post, mine, error):
    now = timezone.now()
    attempts = post.attempts + 1
    if error.kind == TelegramError.RATE_LIMITED:
        # Telegram's wait holds for the whole channel: every post to it waits as long.
        until = now + timedelta(seconds=error.retry_after)
        store(_wait_key(post.channel), until.timestamp(), error.retry_after)
        mine.update(status=Status.PENDING, next_attempt_at=until, last_error=dumps([error.message]))
        TelegramPost.objects.filter(
            channel=post.channel, status=Status.PENDING, next_attempt_at__lt=until
        ).update(next_attempt_at=until)
        return Outcome(Status.PENDING, retry_in=error.retry_after)
    if error.kind == TelegramError.UNAVAILABLE and error.maybe_delivered and not post.message_id:
        message = Message(UNANSWERED_MESSAGE, error=error.message)
        mine.update(
            status=Status.UNKNOWN,
            attempts=attempts,
            next_attempt_at=None,
            last_error=dumps([message]),
        )
        logger.warning("Telegram post %s: outcome unknown: %s", post.pk, error.message)
        return Outcome(Status.UNKNOWN)
    if error.kind == TelegramError.REJECTED or attempts >= MAX_ATTEMPTS:
        message = error.message
        if error.kind != TelegramError.REJECTED:
            message = Message(GAVE_UP_MESSAGE, error=error.message, count=attempts)
        mine.update(
            status=Status.FAILED,
            attempts=attempts,
            next_attempt_at=None,
            last_error=dumps([message]),
        )
        logger.error("Telegram post %s failed: %s", post.pk, message)
        return Outcome(Status.FAILED)
    wait = backoff(attempts)
    mine.update(
        status=Status.PENDING,
        attempts=attempts,
        next_attempt_at=now + wait,
        last_error=dumps([error.message]),
    )
    return Outcome(Status.PENDING, retry_in=wait.total_seconds())
