"""Soak run: mixed traffic for a while on loopback; nothing fails, nothing is lost or doubled.

    .venv/bin/python bench/drills/soak.py [--duration 600] [--rate 20] [--threads 8]

Creates a scratch database on the PostgreSQL server of BENCH_DATABASE_URL (default the local one
on 127.0.0.1:5432; dropped at the end), imports the seeds and serves the site with gunicorn (2
workers, production settings on plain HTTP). For `--duration` seconds, at most `--rate`
requests a second in all (so at most duration x rate requests), reader threads mix: reading
articles as new visitors (counted views), the home page, category, source and most-read lists,
searching, and logged-in readers commenting. Every minute `manage.py import_feeds` imports a
local feed (served on 127.0.0.1) that grows by five entries a minute and repeats the older ones.

At the end it prints: requests by kind, the number of 5xx answers (must be 0), lost views (the
200 article pages minus the views stored: must be 0), duplicate articles (rows sharing a source
URL, or a feed entry imported twice: must be 0), comments confirmed but missing (0), and the
memory (RSS) of each gunicorn worker after warming up and at the end. Exits 1 if a check fails.
"""

import argparse
import itertools
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from articles.tests.feed_server import FeedServer  # noqa: E402
from bench import support  # noqa: E402
from bench.support import BROWSER, PYTHON, ROOT, manage, post_comment, query  # noqa: E402

PASSWORD = "Qarabag-2026-bahar"
SEARCHES = ["Azərbaycan", "Bakı", "iqtisadiyyat", "Россия", "futbol", "prezident", "neft", "x"]
_visitors = itertools.count()


def growing_feed(started):
    """Answer with an RSS feed of 5 entries per minute since `started`, newest first."""

    def answer(handler):
        minutes = int((time.monotonic() - started) // 60) + 1
        now = datetime.now(UTC)
        items = "".join(
            f"<item><title>Soak xəbəri {n}: Bakıda yeni hadisə</title>"
            f"<link>https://soak.example/news/{n}</link>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=n))}</pubDate>"
            f"<description>&lt;p&gt;Mətn {n}.&lt;/p&gt;</description></item>"
            for n in range(minutes * 5, 0, -1)
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Soak</title><link>https://soak.example/</link>{items}</channel></rss>"
        ).encode()
        handler.answer(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, body)

    return answer


class Traffic:
    def __init__(self, base, paths, sessions, rate, threads):
        self.base, self.paths, self.sessions = base, paths, sessions
        self.interval = threads / rate  # each thread's pause between requests
        self.statuses, self.kinds = Counter(), Counter()
        self.anonymous_views = 0
        self.reader_views = set()
        self.comments = set()
        self.errors = []
        self.lock = threading.Lock()
        self.deadline = 0.0

    def run(self, number):
        rng = random.Random(number)
        reader, session = self.sessions[number % len(self.sessions)]
        next_at = time.monotonic()
        while (now := time.monotonic()) < self.deadline:
            if now < next_at:
                time.sleep(next_at - now)
            next_at += self.interval
            try:
                self.one(rng, reader, session, number)
            except requests.RequestException as error:
                with self.lock:
                    self.errors.append(repr(error))

    def one(self, rng, reader, session, number):
        roll = rng.random()
        if roll < 0.55:
            kind, path = "article", rng.choice(self.paths["articles"])
            agent = f"{BROWSER} soak-{next(_visitors)}"
            status = requests.get(self.base + path, headers={"User-Agent": agent}, timeout=30)
            status = status.status_code
            if status == 200:
                with self.lock:
                    self.anonymous_views += 1
        elif roll < 0.75:
            kind, path = "list", rng.choice(self.paths["lists"])
            status = requests.get(self.base + path, headers={"User-Agent": BROWSER}, timeout=30)
            status = status.status_code
        elif roll < 0.93:
            kind = "search"
            query = quote(rng.choice(SEARCHES))
            path = f"/search/?q={query}&page={rng.choice([1, 1, 2])}"
            status = requests.get(self.base + path, headers={"User-Agent": BROWSER}, timeout=30)
            status = status.status_code
        else:
            kind, path = "comment", rng.choice(self.paths["articles"])
            status, comment, _text, shown = post_comment(
                session, self.base, path, f"Soak şərhi {number}-{next(_visitors)}"
            )
            with self.lock:
                if shown:
                    self.reader_views.add((reader, path))
                if comment is not None:
                    self.comments.add(comment)
        with self.lock:
            self.statuses[status] += 1
            self.kinds[(kind, status)] += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second, at most")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    database = f"soak_{uuid.uuid4().hex[:8]}"
    database_url = support.create_database(database)
    env = support.drill_env(database_url, DJANGO_SETTINGS_MODULE="bench.drills.soak_settings")
    feeds = FeedServer().start()
    started = time.monotonic()
    feeds.add("/soak.xml", growing_feed(started))
    gunicorn = importer = None
    try:
        support.prepare_site(env)
        readers = [f"soak{n}" for n in range(4)]
        support.create_readers(env, readers, PASSWORD)
        manage(
            env,
            "shell",
            "-c",
            "from articles.models import Source\n"
            "Source.objects.create(name='Soak', slug='soak', kind='site', "
            f"homepage='https://soak.example/', feed_url='{feeds.url('/soak.xml')}', "
            "is_active=True)",
        )
        articles = [
            f"/news/{slug}-{pk}"
            for pk, slug in query(
                database_url,
                "SELECT id, slug FROM articles_article WHERE status = 'published' "
                "AND language = 'az'",
            )
        ]
        lists = ["/", "/ru/", "/most-read/", "/most-read/?period=week"]
        lists += [
            f"/category/{s}/" for (s,) in query(database_url, "SELECT slug FROM articles_category")
        ]
        lists += [
            f"/source/{s}/" for (s,) in query(database_url, "SELECT slug FROM articles_source")
        ]
        views_at_start = query(database_url, "SELECT sum(views) FROM articles_article")[0][0]

        port = support.free_port()
        base = f"http://127.0.0.1:{port}"
        log = f"/tmp/soak-{database}-gunicorn.log"
        gunicorn = support.start_gunicorn(env, port, *support.DRILL_GUNICORN, log=log)
        sessions = [(name, support.log_in(base, name, PASSWORD)) for name in readers]
        importer = subprocess.Popen(
            [PYTHON, "manage.py", "import_feeds", "--every", "60"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(f"/tmp/soak-{database}-import.log", "w"),  # noqa: SIM115
        )
        traffic = Traffic(
            base, {"articles": articles, "lists": lists}, sessions, args.rate, args.threads
        )
        traffic.deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=traffic.run, args=(n,), daemon=True)
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        time.sleep(min(10, args.duration / 4))  # warm-up: every worker has served pages
        workers = support.worker_pids(gunicorn.pid)
        memory_start = {pid: support.rss_kib(pid) for pid in workers}
        for thread in threads:
            thread.join()
        memory_end = {
            pid: support.rss_kib(pid) for pid in support.worker_pids(gunicorn.pid) if pid in workers
        }
        importer.terminate()
        importer.wait(30)
        manage(env, "import_feeds")  # one last import: the feed of the last minute

        views = (
            query(database_url, "SELECT sum(views) FROM articles_article")[0][0] - views_at_start
        )
        counted = traffic.anonymous_views + len(traffic.reader_views)
        stored_comments = {c for (c,) in query(database_url, "SELECT id FROM comments_comment")}
        duplicates = query(
            database_url,
            "SELECT count(*) FROM (SELECT source_url FROM articles_article WHERE source_url <> '' "
            "GROUP BY source_url HAVING count(*) > 1) AS doubled",
        )[0][0]
        feed_articles = query(
            database_url,
            "SELECT count(*), count(DISTINCT title) FROM articles_article a "
            "JOIN articles_source s ON a.source_id = s.id WHERE s.slug = 'soak'",
        )[0]
        served_entries = (int((time.monotonic() - started) // 60) + 1) * 5
        five_xx = sum(n for status, n in traffic.statuses.items() if status >= 500)
        total = sum(traffic.statuses.values())

        print(f"{args.duration:.0f} s at most {args.rate:g} requests/s, {args.threads} threads")
        print(f"requests: {total}, statuses {dict(traffic.statuses)}")
        print(
            "by kind and status: "
            + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(traffic.kinds.items()))
        )
        print(f"connection errors: {len(traffic.errors)}")
        print(f"5xx answers (must be 0): {five_xx}")
        print(
            f"views: {counted} counted pages, {views} stored; lost (must be 0): {counted - views}"
        )
        lost_comments = len(traffic.comments - stored_comments)
        print(f"comments: {len(traffic.comments)} confirmed, missing (must be 0): {lost_comments}")
        print(
            f"feed: {feed_articles[0]} articles from the local feed ({feed_articles[1]} titles), "
            f"at most {served_entries} entries served; duplicate articles (must be 0): "
            f"{duplicates + feed_articles[0] - feed_articles[1]}"
        )
        for pid in workers:
            if pid in memory_end:
                growth = (memory_end[pid] - memory_start[pid]) / 1024
                print(
                    f"worker {pid}: {memory_start[pid] / 1024:.1f} MiB after warm-up, "
                    f"{memory_end[pid] / 1024:.1f} MiB at the end ({growth:+.1f} MiB)"
                )
            else:
                print(f"worker {pid}: restarted during the run")
        ok = (
            five_xx == 0
            and not traffic.errors
            and counted == views
            and lost_comments == 0
            and duplicates == 0
            and feed_articles[0] == feed_articles[1]
        )
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for process in (importer, gunicorn):
            if process is not None and process.poll() is None:
                support.stop(process)
        feeds.stop()
        support.drop_database(database)


if __name__ == "__main__":
    sys.exit(main())
