"""Measure the feed import: entries imported per second from a generated 5 000-entry feed.

Creates a scratch PostgreSQL database, migrates it, serves the feed from 127.0.0.1 and imports
it twice: the first run stores every entry, the second finds them all already there. Every
entry's body has a picture on a host that never answers (a socket on 127.0.0.1 nobody reads):
body pictures are downloaded after the import (articles/importers/pictures.py), so the import
must neither wait for nor even connect to it.

    .venv/bin/python bench/perf/import.py [--entries 5000] [--database-url URL]

The database is made on the server of --database-url (default BENCH_DATABASE_URL, else
postgres://root@127.0.0.1:5432/postgres) and dropped at the end.
"""

import argparse
import socket
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument(
        "--database-url",
        default=support.SERVER_URL,
        help="a PostgreSQL server; a scratch database is created on it and dropped after",
    )
    return parser.parse_args()


# The arguments name the database server, so they are read before Django is set up on it.
ARGS = arguments()
SCRATCH = f"bench_import_{uuid.uuid4().hex[:8]}"
# Production settings: DEBUG would also keep a log of every query.
# The feed is served on 127.0.0.1, which the importer refuses unless told.
support.setup_django(
    support.site_env(
        support.database_url(SCRATCH, ARGS.database_url),
        FEED_IMPORT_PRIVATE_HOSTS=1,
    )
)

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from articles.importers.feeds import import_source, parse_feed  # noqa: E402
from articles.models import Article, BodyPicture, FullText, Source  # noqa: E402


def make_feed(entries, picture_host):
    """Return an RSS 2.0 feed of `entries` Azerbaijani items with HTML bodies."""
    start = datetime(2026, 1, 21, 12, 0, tzinfo=UTC)
    items = []
    for n in range(entries):
        published = format_datetime(start - timedelta(minutes=n))
        items.append(
            f"""<item><title>Bakıda yeni park açıldı, xəbər nömrə {n} FOTOLAR</title>
<link>https://oxu.az/society/park-{n}?utm_source=rss</link><pubDate>{published}</pubDate>
<author>news@oxu.az (Aysel Məmmədova)</author><category>Cəmiyyət</category>
<description><![CDATA[<p>Park beş hektar ərazini əhatə edir, açılışda sakinlər iştirak edib.
<a href="/society/park-{n + 1}">Əvvəlki xəbər</a></p><p onclick="x()">İkinci abzas
<script>alert(1)</script> <img src="{picture_host}/images/{n}.jpg" alt="Park" width="640"></p>
]]></description>
</item>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Oxu.az</title>'
        "<link>https://oxu.az</link><description>Xəbərlər</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def main():
    support.create_database(SCRATCH, ARGS.database_url)
    try:
        run(ARGS.entries)
    finally:
        connections.close_all()
        support.drop_database(SCRATCH, ARGS.database_url)


def run(entries):
    call_command("migrate", verbosity=0)
    call_command("createcachetable")  # the cache when REDIS_URL is not set
    # A picture host that accepts no request: connections would wait in its backlog.
    silent = socket.create_server(("127.0.0.1", 0), backlog=64)
    silent.setblocking(False)
    body = make_feed(entries, f"http://127.0.0.1:{silent.getsockname()[1]}")
    httpd, feed_url = support.serve_feed(body)
    # The feed's own text: full-text fetches of its (made-up) links are not the import's cost.
    source = Source.objects.create(
        name="Oxu.az",
        slug="oxu-az",
        homepage="https://oxu.az",
        feed_url=feed_url,
        is_active=True,
        full_text=FullText.FEED,
    )
    print(f"feed: {entries} entries, {len(body) / 1024 / 1024:.1f} MB, PostgreSQL scratch database")
    for label in ("first run (all new)", "second run (all already there)"):
        started = time.perf_counter()
        report = import_source(source)
        seconds = time.perf_counter() - started
        assert report.status == "ok" and report.failed == 0, report
        print(
            f"{label}: {report.entries} entries in {seconds:.2f} s = "
            f"{report.entries / seconds:.0f} entries/s "
            f"({report.new} new, {report.skipped} skipped)"
        )
        source.refresh_from_db()
        source.etag = source.last_modified = ""  # no 304: the second run reads the feed again
    assert Article.objects.count() == entries
    waiting = BodyPicture.objects.filter(state=BodyPicture.State.WAITING).count()
    try:
        silent.accept()
        connected = True
    except BlockingIOError:
        connected = False
    silent.close()
    assert waiting == entries and not connected, (waiting, connected)
    print(f"body pictures waiting for their download after the import: {waiting}, none fetched")
    started = time.perf_counter()
    parse_feed(body, "application/rss+xml")
    seconds = time.perf_counter() - started
    print(
        f"of which parsing alone (feedparser): {seconds:.2f} s = {entries / seconds:.0f} entries/s"
    )
    httpd.shutdown()


if __name__ == "__main__":
    main()
