"""Drill: PostgreSQL restarts while the site is under load; nothing committed is lost.

    .venv/bin/python bench/drills/outage.py [--down 3] [--before 5] [--after 10] [--threads 6]

Creates a scratch PostgreSQL cluster under /tmp on a free port (the main cluster on 5432 is
never touched), imports the seeds and serves the site with gunicorn (2 workers, production
settings on plain HTTP, persistent connections with health checks). Readers load articles
(each request a new visitor, so each 200 is a view to count), the home page in both languages,
and logged-in readers post comments. The drill pauses the load, checks that every view and
comment so far is stored, resumes, stops PostgreSQL for `--down` seconds, starts it again and
keeps the load running `--after` seconds. It prints what readers got during the outage (the
friendly 503 page in their language, never a 500 or a refused connection), how long after
PostgreSQL was back the site served normally (at most 5 s), whether gunicorn or a worker
restarted (must not), and lost views and comments (both 0). A page rendered just as PostgreSQL
went away may reach its reader while its view, counted on the way out, cannot be stored: such
views are shown apart, as not committed. Exits 1 if any check fails.
"""

import argparse
import itertools
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.support import BROWSER, log_in, post_comment  # noqa: E402

FRIENDLY = {"az": "Sayt qısa müddətə əlçatmazdır", "ru": "Сайт ненадолго недоступен"}
PASSWORD = "Qarabag-2026-bahar"
_visitors = itertools.count()


class Load:
    """Reader threads that record every answer: (time, kind, status, friendly?, comment id)."""

    def __init__(self, base, articles, sessions):
        self.base, self.articles, self.sessions = base, articles, sessions
        self.records, self.lock = [], threading.Lock()
        self.running, self.paused = threading.Event(), threading.Event()
        # (reader, article) -> when the reader first got the page: one view each pair.
        self.viewed_by_readers = {}
        self.threads = []

    def start(self, count):
        self.running.set()
        for number in range(count):
            thread = threading.Thread(target=self.work, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.running.clear()
        for thread in self.threads:
            thread.join()

    def record(self, kind, status, text="", comment=None, language="az"):
        friendly = status == 503 and FRIENDLY[language] in text
        with self.lock:
            self.records.append((time.monotonic(), kind, status, friendly, comment))

    def work(self, number):
        rng = random.Random(number)
        reader, session = self.sessions[number % len(self.sessions)]
        while self.running.is_set():
            if self.paused.is_set():
                time.sleep(0.05)
                continue
            roll = rng.random()
            try:
                if roll < 0.75:
                    article = rng.choice(self.articles)
                    agent = f"{BROWSER} visitor-{next(_visitors)}"
                    answer = requests.get(
                        self.base + article, headers={"User-Agent": agent}, timeout=10
                    )
                    self.record("view", answer.status_code, answer.text)
                elif roll < 0.9:
                    language = rng.choice(["az", "ru"])
                    path = "/" if language == "az" else "/ru/"
                    answer = requests.get(
                        self.base + path, headers={"User-Agent": BROWSER}, timeout=10
                    )
                    self.record("home", answer.status_code, answer.text, language=language)
                else:
                    article = rng.choice(self.articles)
                    status, comment, text, shown = post_comment(
                        session, self.base, article, f"Şərh {number}"
                    )
                    if shown:
                        self.viewed_by_readers.setdefault((reader, article), time.monotonic())
                    self.record("comment", status, text, comment)
            except requests.RequestException as error:
                self.record("error", 0, repr(error))

    def counted_views(self, inside=lambda at: True):
        """Views answered with the article page (a 200), at times `inside` says yes to."""
        anonymous = sum(
            1
            for at, kind, status, _f, _c in self.records
            if kind == "view" and status == 200 and inside(at)
        )
        return anonymous + sum(1 for at in self.viewed_by_readers.values() if inside(at))

    def comment_ids(self):
        return {comment for *_rest, comment in self.records if comment is not None}


def stored(cluster, database):
    with psycopg.connect(cluster.url(database)) as db:
        views = db.execute("SELECT coalesce(sum(views), 0) FROM articles_article").fetchone()[0]
        comments = {row[0] for row in db.execute("SELECT id FROM comments_comment")}
        return views, comments


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--down", type=float, default=3.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--before", type=float, default=5.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--port", type=int, default=0, help="scratch cluster's port (0: any free)")
    args = parser.parse_args()

    cluster = support.Cluster(args.port or support.free_port()).init().start()
    env = support.drill_env(support.create_database("outage", cluster.url()))
    gunicorn = None
    try:
        support.prepare_site(env)
        readers = [f"oxucu{n}" for n in range(3)]
        support.create_readers(env, readers, PASSWORD)
        with psycopg.connect(cluster.url("outage")) as db:
            articles = [
                f"/news/{slug}-{pk}"
                for pk, slug in db.execute(
                    "SELECT id, slug FROM articles_article "
                    "WHERE status = 'published' AND language = 'az' ORDER BY id"
                )
            ]
            views_at_start = db.execute("SELECT sum(views) FROM articles_article").fetchone()[0]
        port = support.free_port()
        base = f"http://127.0.0.1:{port}"
        log = f"{cluster.dir}/gunicorn.log"
        gunicorn = support.start_gunicorn(env, port, *support.DRILL_GUNICORN, log=log)
        workers_before = support.worker_pids(gunicorn.pid)
        sessions = [(name, log_in(base, name, PASSWORD)) for name in readers]
        load = Load(base, articles, sessions)
        print(f"{len(articles)} articles, {args.threads} reader threads, gunicorn {base}")

        load.start(args.threads)
        time.sleep(args.before)
        load.paused.set()
        time.sleep(1.5)  # requests in flight finish
        views, comments = stored(cluster, "outage")
        before_ok = (
            views - views_at_start == load.counted_views() and load.comment_ids() <= comments
        )
        print(
            f"before the outage: {load.counted_views()} views and {len(load.comment_ids())} "
            f"comments answered, {views - views_at_start} views and {len(comments)} comments "
            f"stored: {'OK' if before_ok else 'MISMATCH'}"
        )
        load.paused.clear()
        time.sleep(1)

        went_down = time.monotonic()
        cluster.stop("fast")
        time.sleep(args.down)
        cluster.start()
        back = time.monotonic()
        time.sleep(args.after)
        load.stop()

        during = [r for r in load.records if went_down <= r[0] <= back]
        after = [r for r in load.records if r[0] > back]
        bad_after = [r for r in after if r[2] not in (200, 302)]
        recovered_in = (max(r[0] for r in bad_after) - back) if bad_after else 0.0
        statuses = Counter((r[2], r[3]) for r in during)
        print(f"PostgreSQL down {back - went_down:.1f} s; answers meanwhile:")
        for (status, friendly), count in sorted(statuses.items()):
            label = "friendly 503 page" if friendly else ("no answer" if status == 0 else "")
            print(f"  {status} {label}: {count}")
        five_hundreds = sum(1 for r in load.records if r[2] >= 500 and not r[3])
        refused = sum(1 for r in load.records if r[2] == 0)
        print(f"5xx other than the friendly 503 (must be 0): {five_hundreds}")
        print(f"refused or broken connections (must be 0): {refused}")
        print(f"normal service again {recovered_in:.2f} s after PostgreSQL was back (max 5 s)")
        print(f"answers after it was back: {len(after)}, of which not 200/302: {len(bad_after)}")
        workers_after = support.worker_pids(gunicorn.pid)
        restarted = gunicorn.poll() is not None or workers_after != workers_before
        print(f"gunicorn or a worker restarted (must be no): {'yes' if restarted else 'no'}")

        views, comments = stored(cluster, "outage")
        stored_views = views - views_at_start
        lost_comments = len(load.comment_ids() - comments)

        def in_outage(at):
            return went_down <= at <= back

        # A page rendered as PostgreSQL went away may reach the reader while its view, counted
        # on the way out, fails to be stored (logged, never breaking the page): not committed.
        racing = load.counted_views(in_outage)
        outside = load.counted_views(lambda at: not in_outage(at))
        lost_views = max(0, outside - stored_views)
        print(
            f"views answered with a 200 page: {outside} outside the outage (+{racing} as it began),"
            f" stored: {stored_views}"
        )
        print(
            f"lost views (must be 0): {lost_views}; not stored of the racing ones: "
            f"{max(0, outside + racing - stored_views)}"
        )
        print(f"comments confirmed: {len(load.comment_ids())}, lost (must be 0): {lost_comments}")
        ok = (
            before_ok
            and five_hundreds == 0
            and refused == 0
            and recovered_in <= 5
            and not restarted
            and lost_views == 0
            and stored_views <= outside + racing
            and lost_comments == 0
            and any(friendly for _s, friendly in statuses)
        )
        errors = Path(log).read_text().count("OperationalError")
        print(f"database errors in gunicorn's log (expected during the outage): {errors}")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if gunicorn is not None:
            support.stop(gunicorn)
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
