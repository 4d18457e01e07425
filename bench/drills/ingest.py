"""Ingestion drill: two Celery workers and beat against 200 local feeds; one worker is killed.

Creates a scratch PostgreSQL database, serves 200 feeds from 127.0.0.1 whose entries overlap
(neighbouring feeds share some links, as agencies' texts appear on several sites; each answer
takes --delay seconds), starts two real `celery -A newsportal worker` processes and `celery -A
newsportal beat` on a Redis broker, kills worker 1 with SIGKILL (by PID, with its pool) once
--kill-at of the links are in, and waits until every link is imported or --timeout passes.
Prints the entries imported, duplicates and lost entries (both must be 0), and stories formed
where the portal groups stories (articles.Story).

    .venv/bin/python bench/drills/ingest.py [--feeds 200] [--delay 0.5] [--kill-at 0.25]

Redis database --redis-db (default 11) on 127.0.0.1:6379 is the broker; it is emptied first.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import redis  # noqa: E402

from bench import support  # noqa: E402

CELERY = str(Path(support.PYTHON).parent / "celery")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=10, help="entries per feed")
    parser.add_argument("--shared", type=int, default=4, help="of them shared with neighbours")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds each feed takes")
    parser.add_argument("--kill-at", type=float, default=0.25, help="share of links imported")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--concurrency", type=int, default=4, help="processes per worker")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--database-url", default=support.SERVER_URL)
    return parser.parse_args()


ARGS = arguments()
SCRATCH = f"drill_ingest_{uuid.uuid4().hex[:8]}"
BROKER = f"redis://127.0.0.1:6379/{ARGS.redis_db}"
URL = support.database_url(SCRATCH, ARGS.database_url)
ENV = support.drill_env(
    URL,
    CELERY_BROKER_URL=BROKER,
    INGEST_BEAT_SECONDS="2",
    DJANGO_SETTINGS_MODULE="bench.drills.soak_settings",  # feeds on 127.0.0.1
    PYTHONPATH=str(support.ROOT),
)
START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


def links(feed):
    """Return the links of one feed: its own entries and some shared with the next feed."""
    own = [f"https://site{feed}.example/news/{n}" for n in range(ARGS.entries - ARGS.shared)]
    # Shared entry k of feed f is also shared entry k of feed f+1 (the pool of pair f//2).
    pair = feed // 2
    shared = [f"https://agency.example/pair{pair}/{n}" for n in range(ARGS.shared)]
    return own + shared


def feed_body(feed):
    start = datetime.now(UTC)
    items = "".join(
        f"<item><title>Xəbər {n} ({link.rsplit('/', 2)[-2]})</title><link>{link}</link>"
        f"<pubDate>{format_datetime(start - timedelta(minutes=15 * n))}</pubDate>"
        f"<description>Mətn {n}, {link}.</description></item>"
        for n, link in enumerate(links(feed))
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {feed}</title>{items}</channel></rss>"
    ).encode()


class Feeds(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies = {}

    def do_GET(self):
        body = self.bodies.get(self.path, b"")
        time.sleep(ARGS.delay)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the killed worker's request

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the killed worker's connections break mid-request, as they should


def celery(*args, log_file):
    return subprocess.Popen(
        [CELERY, "-A", "newsportal", *args],
        cwd=support.ROOT,
        env=ENV,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so it is killed with its pool
    )


def imported():
    return support.query(URL, "SELECT count(*), count(DISTINCT source_url) FROM articles_article")[
        0
    ]


def main():
    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    support.create_database(SCRATCH, ARGS.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="drill-ingest-"))
    processes = []
    ok = False
    try:
        ok = run(workdir, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()  # a warm shutdown: the pool finishes its tasks
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        broker.flushdb()
        support.drop_database(SCRATCH, ARGS.database_url)
        log(f"stopped {len(processes)} processes, dropped {SCRATCH}; logs in {workdir}")
    return 0 if ok else 1


def run(workdir, processes):
    support.manage(ENV, "migrate", "--noinput")
    support.manage(ENV, "createcachetable")
    server = QuietServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    expected = set()
    rows = []
    for feed in range(ARGS.feeds):
        Feeds.bodies[f"/feed{feed}.xml"] = feed_body(feed)
        expected.update(links(feed))
        rows.append(
            (
                f"Feed {feed}",
                f"feed-{feed}",
                f"https://site{feed}.example",
                f"{base}/feed{feed}.xml",
            )
        )
    # loaddata fills in every other field with the model's default.
    fixture = workdir / "sources.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "articles.source",
                    "fields": {
                        "name": name,
                        "slug": slug,
                        "homepage": homepage,
                        "feed_url": feed_url,
                        "is_active": True,
                        "publish_imported": True,
                        "full_text": "feed",
                    },
                }
                for name, slug, homepage, feed_url in rows
            ]
        )
    )
    support.manage(ENV, "loaddata", str(fixture))
    log(f"{ARGS.feeds} feeds on {base}, {len(expected)} distinct links, {ARGS.delay:g} s each")
    logs = {name: open(workdir / f"{name}.log", "w") for name in ("worker1", "worker2", "beat")}  # noqa: SIM115
    concurrency = ("--concurrency", str(ARGS.concurrency), "--loglevel", "WARNING")
    worker1 = celery("worker", "-n", "drill1@%h", *concurrency, log_file=logs["worker1"])
    worker2 = celery("worker", "-n", "drill2@%h", *concurrency, log_file=logs["worker2"])
    beat = celery(
        "beat", "-s", str(workdir / "beat-schedule"), "--loglevel", "WARNING", log_file=logs["beat"]
    )
    processes += [worker1, worker2, beat]
    log(
        f"workers {worker1.pid}, {worker2.pid} ({ARGS.concurrency} processes each), beat {beat.pid}"
    )
    deadline = time.monotonic() + ARGS.timeout
    killed_at = None
    while time.monotonic() < deadline:
        total, distinct = imported()
        if killed_at is None and distinct >= ARGS.kill_at * len(expected):
            pool = support.worker_pids(worker1.pid)
            os.killpg(worker1.pid, signal.SIGKILL)
            killed_at = distinct
            log(f"killed worker 1 (PID {worker1.pid} and its pool {pool}) at {distinct} entries")
        if distinct >= len(expected):
            break
        time.sleep(0.5)
    total, distinct = imported()
    stored = {url for (url,) in support.query(URL, "SELECT source_url FROM articles_article")}
    duplicates = total - distinct
    lost = len(expected - stored)
    unexpected = len(stored - expected)
    log("done")
    print(f"Ingestion drill: {ARGS.feeds} feeds, 2 Celery workers + beat, Redis broker")
    print(f"  distinct links in the feeds    {len(expected)}")
    print(f"  entries imported               {distinct}")
    print(f"  duplicates                     {duplicates}")
    print(f"  lost entries                   {lost}")
    print(f"  unexpected entries             {unexpected}")
    print(f"  worker 1 killed at             {killed_at} entries")
    story = support.query(
        URL,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'articles_story'",
    )[0][0]
    if story:
        stories = support.query(URL, "SELECT count(*) FROM articles_story")[0][0]
        print(f"  stories formed                 {stories}")
    ok = killed_at is not None and duplicates == 0 and lost == 0 and unexpected == 0
    print(f"  {'PASS' if ok else 'FAIL'}")
    server.shutdown()
    return ok


if __name__ == "__main__":
    sys.exit(main())
