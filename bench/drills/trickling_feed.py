"""Drill: a feed server that trickles one byte every 4 seconds.

Before the overall deadline this held `import_feeds` for 49-61 s (a 30 s timeout per read, each
read answered just in time). Now the import of that source ends at FEED_FETCH_SECONDS (30 s by
default) whatever the server does. Runs import_feeds against a throwaway SQLite database and
prints the seconds it took and what the source recorded.

    .venv/bin/python bench/drills/trickling_feed.py [--deadline SECONDS]
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The deadline is a setting: the arguments come before Django is set up.
parser = argparse.ArgumentParser()
parser.add_argument("--deadline", type=float, default=30.0, help="FEED_FETCH_SECONDS")
options = parser.parse_args()
os.environ.update(
    DJANGO_DEBUG="1",
    DATABASE_URL=f"sqlite:///{Path(tempfile.mkdtemp()) / 'drill.sqlite3'}",
    FEED_IMPORT_PRIVATE_HOSTS="1",  # the trickling server is on the loopback
    FEED_FETCH_SECONDS=str(options.deadline),
    DJANGO_SETTINGS_MODULE="newsportal.settings",
    DJANGO_LOG_LEVEL="ERROR",
)
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()
from django.core.management import CommandError, call_command  # noqa: E402

from articles.models import Source  # noqa: E402


class Trickle(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
            self.wfile.write(b"Content-Length: 100000\r\n\r\n")
            for _ in range(100_000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(4)
        except OSError:
            pass  # the importer hung up: what we want

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    call_command("migrate", verbosity=0)
    source = Source.objects.create(
        name="Trickle", slug="trickle", feed_url=f"http://127.0.0.1:{server.server_port}/rss"
    )
    started = time.monotonic()
    try:
        call_command("import_feeds", "--source", "trickle", "--quiet")
    except CommandError:
        pass  # "some sources failed": this one, as it should
    seconds = time.monotonic() - started
    source.refresh_from_db()
    print(f"import_feeds took {seconds:.1f} s (deadline {options.deadline:g} s)")
    print(f"source recorded: {source.last_status}: {'; '.join(source.import_errors())}")
    return 0 if seconds < options.deadline + 5 else 1


if __name__ == "__main__":
    sys.exit(main())
