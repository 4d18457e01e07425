"""Ingestion as Celery tasks: beat sends the due sources, one task per source, and each new
summary-only article's page, or else its body pictures, is fetched by a task of its own. Beat
also recounts the stories whose scheduled articles came out (`refresh_due_stories`).

One source is imported by one worker at a time: on PostgreSQL the importer's advisory lock per
source (held by the worker's database session, so a killed worker's lock dies with it),
elsewhere a Redis lock. A source already waiting in the queue is not sent again. Tasks are
acknowledged late, so a task whose worker died runs again; running twice duplicates nothing,
since an article's source URL is unique and known entries are skipped. Without a broker
(`CELERY_TASK_ALWAYS_EAGER`), a task runs where it is sent: the tests, and the embedded default.
"""

import redis
from celery import shared_task
from django.conf import settings
from django.db import connection

from articles import stories
from articles.importers import ingest, pictures
from articles.importers.feeds import sources_to_import
from articles.models import ImportStatus, Source

# A queued source is not sent again for this long, unless its task started (a task that waits
# longer in a busy queue may be sent twice, which costs a skipped run, nothing more).
QUEUED_SECONDS = 120
LOCK_SECONDS = 300  # the Redis lock (not PostgreSQL) outlives a killed worker this long at most


def _redis():
    url = settings.CELERY_BROKER_URL
    return redis.Redis.from_url(url) if url.startswith(("redis://", "rediss://")) else None


def queued_key(source_id):
    return f"ingest:queued:{source_id}"


@shared_task
def enqueue_due_sources():
    """Send an import task for each due source not already waiting; return how many."""
    client = _redis()
    sent = 0
    for source_id in sources_to_import(due=True).values_list("pk", flat=True):
        if client is not None and not client.set(
            queued_key(source_id), 1, nx=True, ex=QUEUED_SECONDS
        ):
            continue
        import_source_task.delay(source_id)
        sent += 1
    return sent


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_source_task(source_id):
    """Import one source; its new summary-only articles get a full-text task each."""
    client = _redis()
    if client is not None:
        client.delete(queued_key(source_id))
    lock = None
    if client is not None and connection.vendor != "postgresql":
        lock = client.lock(f"ingest:source:{source_id}", timeout=LOCK_SECONDS)
        if not lock.acquire(blocking=False):
            return ImportStatus.BUSY
    try:
        source = Source.objects.filter(pk=source_id).first()
        if source is None:
            return "gone"
        return ingest.run_source(
            source, complete=fetch_full_text.delay, pictures_of=fetch_body_pictures.delay
        ).status
    finally:
        if lock is not None and lock.owned():
            lock.release()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_full_text(article_id):
    """Replace an article's feed summary by its page's text (see importers/fulltext.py), then
    put its body pictures into whichever body that left (importers/pictures.py)."""
    return ingest.complete_article(article_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_body_pictures(article_id):
    """Download an imported article's body pictures and put our copies into its body.

    Running twice stores one copy of each picture (see importers/pictures.py).
    """
    return pictures.complete_article(article_id)


@shared_task
def refresh_due_stories():
    """Recount the stories whose scheduled articles came out; return how many."""
    return stories.refresh_due_stories()
