"""Measure side-by-side ingestion: N sources whose servers each take S seconds to answer.

Creates a scratch PostgreSQL database, serves N feeds from 127.0.0.1 (each answer delayed by
--delay seconds, 20 entries each), imports every source the way `import_feeds` does (threads,
each with its own database connection) and prints the seconds it took, then the same with
--workers 1 on a tenth of the sources for comparison.

    .venv/bin/python bench/perf/ingest.py [--sources 100] [--delay 2] [--workers 32]

The database is made on the server of --database-url (default BENCH_DATABASE_URL, else
postgres://root@127.0.0.1:5432/postgres) and dropped at the end.
"""

import argparse
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds each feed takes")
    parser.add_argument("--entries", type=int, default=20, help="entries per feed")
    parser.add_argument("--workers", type=int, default=None, help="default: import_feeds'")
    parser.add_argument("--database-url", default=support.SERVER_URL)
    return parser.parse_args()


ARGS = arguments()
SCRATCH = f"bench_ingest_{uuid.uuid4().hex[:8]}"
support.setup_django(
    support.site_env(support.database_url(SCRATCH, ARGS.database_url)),
    settings="bench.drills.soak_settings",  # feeds on 127.0.0.1
)

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from articles.importers import ingest  # noqa: E402
from articles.models import Article, FullText, ImportStatus, Source  # noqa: E402


def feed(number, entries):
    start = datetime(2026, 1, 21, 12, 0, tzinfo=UTC)
    items = "".join(
        f"<item><title>Mənbə {number}: xəbər {n}</title>"
        f"<link>https://source{number}.example/news/{n}</link>"
        f"<pubDate>{format_datetime(start - timedelta(minutes=7 * n))}</pubDate>"
        f"<description>&lt;p&gt;Mənbə {number}, xəbər {n}: {'mətn ' * 40}&lt;/p&gt;</description>"
        "</item>"
        for n in range(entries)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Mənbə {number}</title>{items}</channel></rss>"
    ).encode()


class SlowFeeds(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    feeds = {}

    def do_GET(self):
        body = self.feeds.get(self.path)
        time.sleep(ARGS.delay)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


def timed_import(sources, workers):
    started = time.monotonic()
    reports = ingest.import_sources(sources, workers=workers)
    seconds = time.monotonic() - started
    failed = [report for report in reports if report.status != ImportStatus.OK]
    return seconds, sum(report.new for report in reports), failed


def main():
    support.create_database(SCRATCH, ARGS.database_url)
    try:
        run()
    finally:
        connections.close_all()
        support.drop_database(SCRATCH, ARGS.database_url)


def run():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFeeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    sources = []
    for number in range(ARGS.sources):
        SlowFeeds.feeds[f"/feed{number}.xml"] = feed(number, ARGS.entries)
        sources.append(
            Source.objects.create(
                name=f"Mənbə {number}",
                slug=f"menbe-{number}",
                homepage=f"https://source{number}.example",
                feed_url=f"{base}/feed{number}.xml",
                is_active=True,
                full_text=FullText.FEED,
            )
        )
    workers = ARGS.workers or ingest.WORKERS
    seconds, new, failed = timed_import(sources, workers)
    print(
        f"{ARGS.sources} sources, each answering in {ARGS.delay:g} s, {ARGS.entries} entries "
        f"each, {workers} threads (PostgreSQL)"
    )
    print(f"  side by side:     {seconds:6.1f} s  ({new} new articles, {len(failed)} failed)")
    Article.objects.all().delete()
    tenth = sources[: max(1, ARGS.sources // 10)]
    seconds_one, new_one, _failed = timed_import(tenth, 1)
    estimate = seconds_one * ARGS.sources / len(tenth)
    print(
        f"  one by one:       {seconds_one:6.1f} s for {len(tenth)} sources ({new_one} new), "
        f"so about {estimate:.0f} s for {ARGS.sources}"
    )
    for report in failed[:5]:
        print(f"  failed: {report.source.slug}: {report.error}")
    server.shutdown()


if __name__ == "__main__":
    main()
