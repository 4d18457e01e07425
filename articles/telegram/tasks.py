"""Telegram posts as Celery tasks, and the two ways in: an editor's act and the periodic round.

With a broker (CELERY_BROKER_URL), beat runs `send_due_posts` every TELEGRAM_BEAT_SECONDS and
each post is a task of its own; a post that failed is sent again by a task with a countdown
(and, should that task be lost, by a later round). Without one, tasks run where they are sent
(CELERY_TASK_ALWAYS_EAGER): the admin's publication posts at once, in the editor's request,
and `import_feeds --due --every` runs `send_due_posts` after each round, which retries what is
due. A task that runs twice, or two at once, posts once: see posting.py.
"""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from articles.telegram import posting


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_post(post_id):
    """Send, edit or retry one post; schedule its next try when it failed."""
    outcome = posting.deliver(post_id)
    if outcome.retry_in is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        deliver_post.apply_async((post_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task
def send_due_posts():
    """Post what became visible, edit what changed, retry what is due; return how many ran."""
    due = posting.due_posts()
    for post_id in due:
        deliver_post.delay(post_id)
    return len(due)


def post_articles(article_ids, *, by_editor=False):
    """Post these articles (or update their messages) once the caller's transaction commits."""
    if not posting.enabled():
        return
    deliver_soon(posting.queue(article_ids, by_editor=by_editor))


def deliver_soon(post_ids):
    """Send these due posts once the caller's transaction commits (the rows are visible then)."""
    post_ids = list(post_ids)
    if post_ids:
        transaction.on_commit(lambda: [deliver_post.delay(post_id) for post_id in post_ids])
