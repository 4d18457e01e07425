"""Move the views buffered in Redis (VIEWS_BUFFER=redis) into the database.

Run it every few seconds, by a timer or in a loop with `--every SECONDS`. Several copies may run
at once and any may be killed mid-way: every batch is applied exactly once (see
`articles.counting.buffer.flush_buffer`).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.counting.buffer import flush_buffer


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
        while True:
            batches, views = flush_buffer()
            if batches or every is None:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Flushed {views} views ({batches} batch{'' if batches == 1 else 'es'})."
                    )
                )
            if every is None:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
