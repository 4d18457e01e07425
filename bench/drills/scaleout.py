"""Scale-out drill: two app hosts behind nginx, a PostgreSQL primary and its streaming replica,
one Redis; all on 127.0.0.1, started and removed by this script.

    .venv/bin/python bench/drills/scaleout.py [--visits 3000] [--readers 8] [--commenters 4]

Needs Debian's postgresql (initdb, pg_ctl, pg_basebackup: run as root, the clusters run as the
postgres user), nginx (or nginx-light) and a Redis on 127.0.0.1:6379 (its database 9 is used
and emptied). The machine's own PostgreSQL is not touched: the drill makes its own primary.

1. A primary cluster (initdb, port 5441) with the site's schema, the seeds and `--articles`
   generated articles; `pg_basebackup -R` of it into a hot standby on port 5442; replication is
   checked (pg_stat_replication streaming, a write seen on the standby).
2. Two app hosts (gunicorn, 2 workers each, production settings, ports 8101 and 8102) on the
   primary + replica + Redis, each with its `flush_views --every 1`; nginx on 8100 in front,
   passive health checks (max_fails) and retries of refused connections on the other host.
3. Mixed traffic through nginx: readers as new visitors (counted views) on article pages, home
   and lists; logged-in readers commenting and checking that their comment shows at once.
   Bounded: `--visits` reader requests and `--comments` comments in all.
4. At a quarter of the visits app host 2 stops (SIGTERM), at half it starts again; at 70 % the
   replica restarts.
5. After a final flush it prints requests served, 5xx (and how many came while host 2 was
   down), views stored vs article pages served, comments posted vs stored (on the primary and
   on the replica), the replica lag seen (pg_stat_replication), and where the reads went
   (the router's tally: replica vs primary).
6. It stops what it started, by PID, and removes its directories. Exits 1 if a check fails.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.support import BROWSER, Cluster, log_in, manage, post_comment, stop  # noqa: E402

PRIMARY_PORT, REPLICA_PORT = 5441, 5442
HOST_PORTS = (8101, 8102)
BALANCER_PORT = 8100
REDIS_URL = "redis://127.0.0.1:6379/9"
DATABASE = "newsportal"
PASSWORD = "Qarabag-2026-bahar"
TALLY_KEY = "newsportal:routing-tally"  # newsportal/replicas.py
BASE = f"http://127.0.0.1:{BALANCER_PORT}"

NGINX_CONF = """
user root;
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    upstream portal {{
        server 127.0.0.1:{host_a} max_fails=1 fail_timeout=3s;
        server 127.0.0.1:{host_b} max_fails=1 fail_timeout=3s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""


def dsn(port, database=DATABASE):
    return f"host=127.0.0.1 port={port} user=root dbname={database}"


def url(port):
    return f"postgres://root@127.0.0.1:{port}/{DATABASE}"


def one(port, sql, params=()):
    with psycopg.connect(dsn(port), autocommit=True, connect_timeout=3) as db:
        cursor = db.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


class Traffic:
    """Readers and commenters through the load balancer; everything they saw is tallied."""

    def __init__(self, articles, lists, visits, sessions, comments):
        self.articles, self.lists = articles, lists
        self.visits = visits
        self.sessions = sessions
        self.comments_left = comments
        self.done = 0
        self.statuses = Counter()
        self.errors_while_down = 0
        self.host_down = False
        self.counted_views = 0  # article pages served with 200 to a new visitor
        self.seen_by_commenters = set()  # (commenter, article): one counted view each
        self.posted, self.shown_at_once = [], 0
        self.lock = threading.Lock()

    def record(self, status):
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 and self.host_down:
                self.errors_while_down += 1

    def take(self):
        with self.lock:
            if self.done >= self.visits:
                return False
            self.done += 1
            return True

    def reader(self, number):
        rng = random.Random(number)
        http = requests.Session()
        while self.take():
            if rng.random() < 0.7:
                agent = f"{BROWSER} visitor-{uuid.uuid4().hex}"
                answer = http.get(
                    BASE + rng.choice(self.articles), headers={"User-Agent": agent}, timeout=30
                )
                if answer.status_code == 200:
                    with self.lock:
                        self.counted_views += 1
            else:
                answer = http.get(
                    BASE + rng.choice(self.lists), headers={"User-Agent": BROWSER}, timeout=30
                )
            self.record(answer.status_code)

    def commenter(self, number):
        rng = random.Random(1000 + number)
        name, session = self.sessions[number]
        while True:
            with self.lock:
                if self.comments_left <= 0 or self.done >= self.visits:
                    return
                self.comments_left -= 1
            article = rng.choice(self.articles)
            text = f"Drill şərhi {uuid.uuid4().hex[:12]}"
            status, _comment, _answer, shown = post_comment(session, BASE, article, text)
            if shown:  # the article page was served (a view), then the form was posted
                self.record(200)
                with self.lock:
                    self.seen_by_commenters.add((name, article))
            self.record(status)
            if status != 302:
                continue
            with self.lock:
                self.posted.append(text)
            # Read-your-writes: the reader's next page must show the comment.
            again = session.get(BASE + article, timeout=30)
            self.record(again.status_code)
            if again.status_code == 200 and text in again.text:
                with self.lock:
                    self.shown_at_once += 1
            time.sleep(0.05)


def sample_lag(stop_event, samples):
    """Watch the replica's lag on the primary every 0.2 s: (seconds, bytes)."""
    while not stop_event.is_set():
        try:
            row = one(
                PRIMARY_PORT,
                "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0), "
                "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) "
                "FROM pg_stat_replication",
            )
            if row:
                samples.append((float(row[0]), int(row[1])))
        except psycopg.Error:
            pass
        stop_event.wait(0.2)


def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (psycopg.Error, requests.RequestException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def main():  # noqa: C901 (one drill, told in order)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=3000, help="reader requests in all")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--commenters", type=int, default=4)
    parser.add_argument("--comments", type=int, default=120, help="comments in all")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        sys.exit("nginx not found: apt-get install nginx-light")

    work = Path(tempfile.mkdtemp(prefix="scaleout-"))
    replication = "-c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c fsync=on"
    primary = Cluster(PRIMARY_PORT, work / "primary", replication)
    replica = Cluster(REPLICA_PORT, work / "replica", replication)
    processes = {}
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    started = time.monotonic()

    def log(message):
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    try:
        # 1. Primary, data, standby.
        if os.geteuid() == 0:
            shutil.chown(work, "postgres")
        primary.init().start()
        support.create_database(DATABASE, primary.url())
        setup = support.drill_env(url(PRIMARY_PORT), REDIS_URL=REDIS_URL)
        support.prepare_site(setup)
        manage(setup, "generate_articles", str(args.articles))
        support.create_readers(setup, [f"drill{n}" for n in range(args.commenters)], PASSWORD)
        log(f"primary on {PRIMARY_PORT}: schema, seeds, {args.articles} articles, users")

        basebackup = [support.postgres_bin("pg_basebackup"), "-h", "127.0.0.1"]
        basebackup += ["-p", str(PRIMARY_PORT), "-U", "root", "-D", str(replica.data)]
        support.as_postgres(*basebackup, "-R", "-X", "stream", "-c", "fast")
        replica.start()
        wait_for(
            lambda: one(PRIMARY_PORT, "SELECT state FROM pg_stat_replication")[0] == "streaming",
            30,
            "streaming replication",
        )
        assert one(REPLICA_PORT, "SELECT pg_is_in_recovery()")[0] is True
        marker = uuid.uuid4().hex
        one(PRIMARY_PORT, "CREATE TABLE drill_probe (marker text)")
        one(PRIMARY_PORT, "INSERT INTO drill_probe VALUES (%s)", [marker])
        probe_started = time.monotonic()
        wait_for(
            lambda: one(
                REPLICA_PORT, "SELECT count(*) FROM drill_probe WHERE marker = %s", [marker]
            )[0],
            30,
            "the probe row on the replica",
        )
        log(
            f"replica on {REPLICA_PORT}: streaming, in recovery, probe row seen after "
            f"{(time.monotonic() - probe_started) * 1000:.0f} ms"
        )

        # 2. Two app hosts and the load balancer.
        host_env = support.drill_env(
            url(PRIMARY_PORT),
            DATABASE_REPLICA_URL=url(REPLICA_PORT),
            REDIS_URL=REDIS_URL,
            VIEWS_BUFFER="redis",
            VIEWS_REDIS_PREFIX="drill:",
            DATABASE_ROUTING_TALLY="1",
            PAGE_CACHE_SECONDS="30",
        )

        def start_host(index):
            port = HOST_PORTS[index]
            processes[f"host{index + 1}"] = support.start_gunicorn(
                host_env, port, *support.DRILL_GUNICORN, log=work / f"host{index + 1}.log"
            )
            processes[f"flush{index + 1}"] = support.start_flusher(
                host_env, log=work / f"flush{index + 1}.log"
            )

        for index in range(2):
            start_host(index)
        (work / "nginx.conf").write_text(
            NGINX_CONF.format(
                work=work, host_a=HOST_PORTS[0], host_b=HOST_PORTS[1], port=BALANCER_PORT
            )
        )
        processes["nginx"] = subprocess.Popen(
            [
                "nginx",
                "-c",
                str(work / "nginx.conf"),
                "-p",
                str(work),
                "-e",
                str(work / "nginx-error.log"),
            ]
        )
        wait_for(lambda: requests.get(f"{BASE}/healthz", timeout=2).ok, 30, "nginx")
        log(f"app hosts on {HOST_PORTS}, nginx on {BALANCER_PORT}")

        # 3. Traffic.
        with psycopg.connect(dsn(PRIMARY_PORT)) as db:
            rows = db.execute(
                "SELECT id, slug FROM articles_article WHERE status = 'published' "
                "AND published_at <= now() AND language = 'az' ORDER BY random() LIMIT 300"
            ).fetchall()
            views_before = db.execute("SELECT sum(views) FROM articles_article").fetchone()[0]
            category = db.execute("SELECT slug FROM articles_category LIMIT 1").fetchone()[0]
        articles = [f"/news/{slug}-{pk}" for pk, slug in rows]
        lists = ["/", f"/category/{category}/", "/most-read/", "/ru/"]
        sessions = [
            (f"drill{n}", log_in(BASE, f"drill{n}", PASSWORD)) for n in range(args.commenters)
        ]
        traffic = Traffic(articles, lists, args.visits, sessions, args.comments)
        store.delete(TALLY_KEY)
        lag_samples, stop_sampling = [], threading.Event()
        sampler = threading.Thread(target=sample_lag, args=(stop_sampling, lag_samples))
        sampler.start()
        threads = [threading.Thread(target=traffic.reader, args=(n,)) for n in range(args.readers)]
        threads += [
            threading.Thread(target=traffic.commenter, args=(n,)) for n in range(args.commenters)
        ]
        for thread in threads:
            thread.start()
        log(f"traffic: {args.readers} readers, {args.commenters} commenters")

        # 4. A host goes away and comes back; the replica restarts.
        def at(share):
            wait_for(lambda: traffic.done >= args.visits * share, 600, f"{share:.0%} of visits")

        at(0.25)
        traffic.host_down = True
        down_at = time.monotonic()
        stop(processes.pop("host2"))
        log(f"app host 2 stopped at {traffic.done} visits")
        at(0.5)
        start_host(1)
        traffic.host_down = False
        log(f"app host 2 back at {traffic.done} visits, {time.monotonic() - down_at:.1f} s down")
        at(0.7)
        replica.ctl("restart", "-m", "fast")
        log(f"replica restarted at {traffic.done} visits")
        for thread in threads:
            thread.join()
        stop_sampling.set()
        sampler.join()
        log(f"traffic done: {sum(traffic.statuses.values())} requests")

        # 5. Final flush and the figures.
        manage(host_env, "flush_views")
        time.sleep(1.5)  # the hosts' own flushers finish their last round
        manage(host_env, "flush_views")
        views_after = one(PRIMARY_PORT, "SELECT sum(views) FROM articles_article")[0]
        expected_views = traffic.counted_views + len(traffic.seen_by_commenters)
        posted = traffic.posted
        stored_primary = one(
            PRIMARY_PORT, "SELECT count(*) FROM comments_comment WHERE body = ANY(%s)", [posted]
        )[0]
        wait_for(
            lambda: (
                one(
                    REPLICA_PORT,
                    "SELECT count(*) FROM comments_comment WHERE body = ANY(%s)",
                    [posted],
                )[0]
                == stored_primary
            ),
            30,
            "the comments on the replica",
        )
        tally = {k.decode(): int(v) for k, v in store.hgetall(TALLY_KEY).items()}
        replica_reads = tally.get("replica_1", 0)
        all_reads = sum(tally.values()) or 1
        five_xx = sum(n for status, n in traffic.statuses.items() if status >= 500)
        lag_seconds = max((s for s, _ in lag_samples), default=0.0)
        lag_bytes = max((b for _, b in lag_samples), default=0)

        statuses = dict(sorted(traffic.statuses.items()))
        rows = [
            ("requests served", f"{sum(statuses.values())} {statuses}"),
            ("5xx", f"{five_xx} ({traffic.errors_while_down} while app host 2 was down)"),
            ("views stored / served", f"{views_after - views_before} / {expected_views}"),
            ("comments posted / stored", f"{len(posted)} / {stored_primary} (replica: same)"),
            ("comments shown at once", f"{traffic.shown_at_once} / {len(posted)}"),
            (
                "replica lag seen (max)",
                f"{lag_seconds * 1000:.1f} ms, {lag_bytes} bytes ({len(lag_samples)} samples)",
            ),
            (
                "reads on the replica",
                f"{replica_reads} of {all_reads} ({replica_reads / all_reads:.0%})",
            ),
        ]
        print("\nScale-out drill: 2 app hosts x 2 workers, nginx, primary + replica, Redis")
        for name, value in rows:
            print(f"  {name:26} {value}")
        checks = {
            "views equal": views_after - views_before == expected_views,
            "comments equal": stored_primary == len(posted),
            "comments shown at once": traffic.shown_at_once == len(posted),
            "5xx only while a host was down": five_xx == traffic.errors_while_down,
            "reads went to the replica": replica_reads > 0,
        }
        for name, passed in checks.items():
            print(f"  {'PASS' if passed else 'FAIL'} {name}")
        return 0 if all(checks.values()) else 1
    finally:
        # 6. Everything we started, by PID; then our directories.
        for name, process in reversed(list(processes.items())):
            if name == "nginx":
                process.send_signal(signal.SIGQUIT)
                process.wait(10)
            else:
                stop(process)
        replica.stop()
        primary.stop()
        store.flushdb()
        shutil.rmtree(work, ignore_errors=True)
        print(f"stopped {len(processes)} processes and both clusters; removed {work}")


if __name__ == "__main__":
    sys.exit(main())
