"""Ingestion: import sources side by side, each on its own schedule, then full texts and pictures.

The same functions run in one process (`import_feeds`, the admin's "Fetch now") and on Celery
(articles/tasks.py), which passes its own ways of fetching full texts and body pictures: a task
per article. Either way the import itself waits for neither: its articles are stored first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.utils import timezone

from articles.importers import fulltext, pictures
from articles.importers.concurrency import database_turn
from articles.importers.feeds import SourceReport, import_source
from articles.models import Source

WORKERS = 32  # sources fetched at once in one process: mostly waiting on the network


def run_source(
    source: Source,
    *,
    dry_run: bool = False,
    progress=None,
    complete: Callable[[int], object] | None = None,
    pictures_of: Callable[[int], object] | None = None,
) -> SourceReport:
    """Import one source, then fetch its new summary-only articles' pages and body pictures.

    `complete` fetches an article's page and then its pictures (the pictures go into whichever
    body the page left); `pictures_of` fetches the pictures of an article whose page is not
    wanted. By default both run here, the pictures of many articles side by side.
    """
    report = import_source(source, dry_run=dry_run, progress=progress)
    for article_id in report.full_text_ids:
        (complete or complete_article)(article_id)
    full_text = set(report.full_text_ids)
    waiting = [article_id for article_id in report.picture_ids if article_id not in full_text]
    if pictures_of is None:
        pictures.complete_articles(waiting)
    else:
        for article_id in waiting:
            pictures_of(article_id)
    return report


def complete_article(article_id: int) -> str:
    """Replace an article's feed summary by its page's text, then download its body pictures."""
    outcome = fulltext.complete_article(article_id)
    pictures.complete_article(article_id)
    return outcome


def import_sources(
    sources: Iterable[Source],
    *,
    dry_run: bool = False,
    workers: int = WORKERS,
    progress=None,
    done: Callable[[SourceReport], object] | None = None,
) -> list[SourceReport]:
    """Import the sources side by side, so one slow source never delays another.

    Each thread has its own database connection and closes it when its source is done. A
    caller inside a transaction (a test) gets them one after another in its own thread, since
    other connections could not see its rows.
    """
    sources = list(sources)
    if connection.in_atomic_block or workers <= 1 or len(sources) <= 1:
        reports = []
        for source in sources:
            reports.append(run_source(source, dry_run=dry_run, progress=progress))
            if done:
                done(reports[-1])
        return reports
    with ThreadPoolExecutor(max_workers=min(workers, len(sources))) as pool:
        futures = [pool.submit(_in_thread, source.pk, dry_run, done) for source in sources]
        return [future.result() for future in futures]


def _in_thread(source_id, dry_run, done):
    try:
        with database_turn():
            source = Source.objects.get(pk=source_id)
        report = run_source(source, dry_run=dry_run)
        if done:
            done(report)
        return report
    finally:
        connection.close()


def fetch_now(
    source: Source,
    complete: Callable[[int], object] | None = None,
    pictures_of: Callable[[int], object] | None = None,
) -> SourceReport:
    """Import a source at once, as an editor asked: its backoff starts over."""
    Source.objects.filter(pk=source.pk).update(
        consecutive_failures=0, next_import_at=timezone.now()
    )
    source.consecutive_failures = 0
    return run_source(source, complete=complete, pictures_of=pictures_of)


class Rounds:
    """Start the due sources every round without waiting for the slow ones of earlier rounds.

    A source still importing from an earlier round is not started again; every other due
    source starts at once, so a source that takes minutes delays nobody.
    """

    def __init__(
        self, workers: int = WORKERS, done: Callable[[SourceReport], object] | None = None
    ):
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.running = {}
        self.done = done

    def start(self, sources: Iterable[Source]) -> int:
        """Start the given sources that are not importing yet; return how many started."""
        started = 0
        for source in sources:
            future = self.running.get(source.pk)
            if future is not None and not future.done():
                continue
            self.running[source.pk] = self.pool.submit(_in_thread, source.pk, False, self.done)
            started += 1
        return started

    def close(self):
        self.pool.shutdown(wait=True)
