"""Import articles from the active sources' RSS/Atom feeds.

Each source is fetched and imported on its own: a broken one is recorded on the source and
reported, and the others still import. The exit status is non-zero when any source failed.
`--due` imports only the sources whose next attempt has come (each source keeps its own
schedule, see articles/importers/schedule.py); `--every SECONDS` repeats the import forever,
for a deployment without cron or Celery: `import_feeds --due --every 30` is the embedded
scheduler. Sources are fetched side by side, each thread with its own database connection.
After each run the stories whose scheduled articles came out are recounted (articles/stories.py)
and the Telegram posts that are due are sent (articles/telegram/): what the run published,
scheduled articles whose time came, retries, edits. With a broker, beat does both.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from tqdm import tqdm

from articles import stories
from articles.importers import ingest
from articles.importers.feeds import sources_to_import
from articles.models import ImportStatus
from articles.telegram import tasks as telegram

COLUMNS = ("source", "status", "new", "updated", "skipped", "failed", "time")


class Command(BaseCommand):
    help = "Import new articles from the sources' RSS/Atom feeds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            dest="slugs",
            action="append",
            metavar="SLUG",
            help="import only this source (repeatable; inactive sources too)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="fetch and report, but store nothing"
        )
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="repeat the import every SECONDS seconds until stopped",
        )
        parser.add_argument(
            "--due",
            action="store_true",
            help="import only the sources whose next attempt has come (what a scheduler runs)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=ingest.WORKERS,
            metavar="N",
            help=f"sources fetched at once (default {ingest.WORKERS})",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="no progress bar and no table, only failures"
        )

    def handle(self, *args, slugs, dry_run, every, quiet, due, workers, **options):
        if every is not None and every < 1:
            raise CommandError("--every needs a positive number of seconds.")
        if workers < 1:
            raise CommandError("--workers needs a positive number.")
        self._check_slugs(slugs)
        self.quiet = quiet or options["verbosity"] == 0
        self.due, self.workers = due, workers
        if every is None:
            failed = self.run_once(slugs, dry_run)
            self.after_round(dry_run)
            if failed:
                raise CommandError("Some sources failed; see the table above.")
            return
        if due and not dry_run and not connection.in_atomic_block:
            return self.keep_importing(slugs, every)
        while True:
            self.run_once(slugs, dry_run)
            self.after_round(dry_run)
            # Connections may go stale during a long sleep; reconnect on the next run (unless
            # the caller holds a transaction open, as tests do).
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                self.sleep(every)
            except KeyboardInterrupt:
                return

    def sleep(self, seconds):
        time.sleep(seconds)

    def keep_importing(self, slugs, every):
        """Start the due sources every `every` seconds, never waiting for a slow one."""
        rounds = ingest.Rounds(self.workers, done=self._report_line)
        try:
            while True:
                rounds.start(sources_to_import(slugs, due=True))
                self.after_round(False)
                close_old_connections()
                self.sleep(every)
        except KeyboardInterrupt:
            return
        finally:
            rounds.close()

    def after_round(self, dry_run):
        """Do what beat does with a broker: recount the due stories, send the due posts."""
        if dry_run:
            return
        try:
            stories.refresh_due_stories()
        except Exception as error:  # the imports go on; the next round tries again
            self.stderr.write(self.style.ERROR(f"Stories: {error}"))
        self.post_to_telegram()

    def post_to_telegram(self):
        """Send the due Telegram posts (nothing when posting is off)."""
        try:
            sent = telegram.send_due_posts()
        except Exception as error:  # a broken channel must never stop the imports
            self.stderr.write(self.style.ERROR(f"Telegram: {error}"))
            return
        if sent and not self.quiet:
            self.stdout.write(f"Telegram: {sent} due posts sent, edited or retried.")

    def _report_line(self, report):
        if report.status == ImportStatus.FAILED:
            self.stderr.write(self.style.ERROR(f"{report.source.slug}: {report.error}"))
        elif not self.quiet:
            counts = ", ".join(f"{count} {name}" for name, count in report.counts.items())
            self.stdout.write(f"{report.source.slug}: {report.status} ({counts})")

    def run_once(self, slugs, dry_run):
        """Import every selected source; return the number of sources that failed."""
        sources = list(sources_to_import(slugs, due=self.due))
        # Progress bars per source only when they run one after another.
        one_by_one = self.workers <= 1 or len(sources) <= 1 or connection.in_atomic_block
        reports = ingest.import_sources(
            sources,
            dry_run=dry_run,
            workers=self.workers,
            progress=self._progress() if one_by_one else None,
        )
        failed = [report for report in reports if report.status == ImportStatus.FAILED]
        for report in failed:
            self.stderr.write(self.style.ERROR(f"{report.source.slug}: {report.error}"))
        if not self.quiet:
            self._table(reports, dry_run)
        return len(failed)

    def _check_slugs(self, slugs):
        if not slugs:
            return
        known = set(sources_to_import(slugs).values_list("slug", flat=True))
        unknown = sorted(set(slugs) - known)
        if unknown:
            raise CommandError(f"No source with a feed URL has the slug: {', '.join(unknown)}.")

    def _progress(self):
        """Return a progress bar factory: tqdm on a terminal, nothing in cron or with --quiet."""
        if self.quiet or not self.stderr.isatty():
            return None

        def bar(total, name):
            # tqdm draws with "\r"; Django's wrapper would add a newline to every redraw.
            stream = getattr(self.stderr, "_out", self.stderr)
            return tqdm(total=total, desc=name, unit="entry", file=stream)

        return bar

    def _table(self, reports, dry_run):
        rows = [
            (
                report.source.slug,
                report.status + (" (dry run)" if dry_run else ""),
                *(str(count) for count in report.counts.values()),
                f"{report.seconds:.1f} s",
            )
            for report in reports
        ]
        if not rows:
            self.stdout.write(
                "No source is due." if self.due else "No active source has a feed URL."
            )
            return
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            cells = [
                cell.ljust(width) if i < 2 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
        totals = [sum(report.counts[key] for report in reports) for key in COLUMNS[2:6]]
        summary = "{} new, {} updated, {} skipped, {} failed entries from {} sources.".format(
            *totals, len(reports)
        )
        failed = any(report.status == ImportStatus.FAILED for report in reports)
        self.stdout.write(self.style.ERROR(summary) if failed else self.style.SUCCESS(summary))
