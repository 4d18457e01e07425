"""Move the views buffered in Redis (VIEWS_BUFFER=redis) into the database.

Run it every few seconds, by a timer or in a loop with `--every SECONDS`. Several copies may run
at once and any may be killed mid-way: every batch is applied exactly once (see
`articles.counting.buffer.flush_buffer`). With `--every`, an unavailable Redis or database is
logged and the flush tried again next round; a batch that could not be applied stays in Redis
until it is, so nothing is lost.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection

from articles.counting.buffer import flush_buffer

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Move buffered article views from Redis into the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Keep running, flushing every SECONDS seconds (stop with Ctrl+C).",
        )

    def handle(self, *args, every=None, **options):
        if settings.VIEWS_BUFFER != "redis":
            raise CommandError("Views are not buffered: set VIEWS_BUFFER=redis and REDIS_URL.")
        if every is not None and every <= 0:
            raise CommandError("--every needs a positive number of seconds.")
        failing = False
        while True:
            try:
                batches, views = flush_buffer()
            except (redis.RedisError, DatabaseError) as error:
                if every is None:
                    raise CommandError(f"Could not flush the views: {error}") from error
                if not failing:  # once per outage, not every round
                    logger.exception("Could not flush the views; trying again every %s s", every)
                    self.stderr.write(f"Could not flush the views ({error}); trying again.")
                failing = True
                if not connection.in_atomic_block:  # (tests run in one)
                    close_old_connections()  # a broken database connection is opened afresh
            else:
                if failing:
                    logger.warning("Flushing the views works again")
                failing = False
                if batches or every is None:
                    plural = "" if batches == 1 else "es"
                    self.stdout.write(
                        self.style.SUCCESS(f"Flushed {views} views ({batches} batch{plural}).")
                    )
            if every is None:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
