"""Drill: the site's Redis stops, then accepts connections and never answers, then comes back.

    .venv/bin/python bench/drills/cache_outage.py [--phase 8] [--threads 4]

Starts a Redis of its own on a free port (the machine's Redis on 6379 is never touched), a
scratch PostgreSQL database, and the site with gunicorn (2 workers, production settings, Redis
as the cache and the view buffer, the page cache on, `flush_views --every 1` running). Reader
threads ask for articles (each request a new reader: each 200 is a view to count), the home
page and a list page through four phases of `--phase` seconds: Redis up, Redis stopped, a
silent Redis (a socket on its port that accepts and never answers), Redis back. For each phase
it prints the answers (status counts), the median and slowest answer, and what /healthz said.
At the end, the views stored against the article pages readers got (none lost). Exits 1 unless
every answer was a 200 within 5 s, /healthz answered 200 throughout ("degraded" while Redis was
away, "ok" otherwise) and every view was stored.
"""

import argparse
import http.client
import itertools
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402

_readers = itertools.count()


def start_redis(port, folder):
    # With an append-only file, as a production Redis holding a view buffer would run: the
    # views buffered when it stopped are flushed once it is back.
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "yes", "--appendfsync", "always", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


class SilentRedis:
    """A socket on Redis's port that accepts connections and never answers."""

    def __init__(self, port):
        self.socket = socket.create_server(("127.0.0.1", port))
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.socket.accept()[0])
            except OSError:
                return

    def close(self):
        self.socket.close()
        for connection in self.held:
            connection.close()


def get(port, path, user_agent):
    """GET `path`; return (status, seconds, body)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"User-Agent": user_agent, "Accept": support.ACCEPT}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, time.monotonic() - started, response.read()
    except OSError:
        return 0, time.monotonic() - started, b""
    finally:
        connection.close()


class Load:
    """Reader threads; records (phase, path kind, status, seconds)."""

    def __init__(self, port, articles, lists):
        self.port, self.articles, self.lists = port, articles, lists
        self.phase, self.records, self.lock = "up", [], threading.Lock()
        self.running = threading.Event()
        self.threads = []

    def start(self, threads):
        self.running.set()
        self.threads = [threading.Thread(target=self._reader, args=(n,)) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running.clear()
        for thread in self.threads:
            thread.join()

    def _reader(self, number):
        for visit in itertools.count():
            if not self.running.is_set():
                return
            if visit % 3:
                kind, path = "article", self.articles[visit % len(self.articles)]
            else:
                kind, path = "list", self.lists[visit % len(self.lists)]
            agent = f"{support.BROWSER} reader/{next(_readers)}"
            status, seconds, _body = get(self.port, path, agent)
            with self.lock:
                self.records.append((self.phase, kind, status, seconds))


def healthz(port, phase, answers):
    status, seconds, body = get(port, "/healthz", "healthcheck")
    answers.append((phase, status, seconds, body.decode(errors="replace")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", type=float, default=8.0, help="seconds of each phase")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    redis_port, port = support.free_port(), support.free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    name = f"cache_outage_{uuid.uuid4().hex[:8]}"
    url = support.create_database(name)
    env = support.drill_env(url, REDIS_URL=redis_url, VIEWS_BUFFER="redis", PAGE_CACHE_SECONDS="30")
    folder = tempfile.mkdtemp(prefix="cache-outage-")
    redis_server = start_redis(redis_port, folder)
    silent = gunicorn = flusher = None
    log = f"/tmp/{name}.log"
    failures = []
    try:
        support.prepare_site(env)
        rows = support.query(
            url,
            "SELECT id, slug FROM articles_article WHERE status = 'published' "
            "AND language = 'az' ORDER BY id",
        )
        articles = [f"/news/{slug}-{pk}" for pk, slug in rows]
        views_at_start = support.query(url, "SELECT sum(views) FROM articles_article")[0][0]
        lists = ["/", "/most-read/"]
        gunicorn = support.start_gunicorn(env, port, *support.DRILL_GUNICORN, log=log)
        flusher = support.start_flusher(env, log=log)
        print(f"{len(articles)} articles, {args.threads} reader threads, Redis {redis_url}")
        load, answers = Load(port, articles, lists), []
        load.start(args.threads)

        def phase(name):
            load.phase = name
            deadline = time.monotonic() + args.phase
            while time.monotonic() < deadline:
                healthz(port, name, answers)
                time.sleep(1)

        phase("up")
        redis_server.terminate()
        redis_server.wait()
        phase("stopped")
        silent = SilentRedis(redis_port)
        phase("silent")
        silent.close()
        silent = None
        redis_server = start_redis(redis_port, folder)
        phase("back")
        load.stop()
        time.sleep(3)  # the flusher's last round

        print(f"{'phase':8} {'answers':>8} {'statuses':24} {'median':>8} {'slowest':>8}  /healthz")
        for name in ("up", "stopped", "silent", "back"):
            mine = [r for r in load.records if r[0] == name]
            statuses = dict(Counter(r[2] for r in mine))
            seconds = [r[3] for r in mine]
            health = Counter(
                (status, json.loads(body)["status"] if status else "none")
                for phase_name, status, _s, body in answers
                if phase_name == name
            )
            print(
                f"{name:8} {len(mine):8} {str(statuses):24} "
                f"{statistics.median(seconds) * 1000:6.0f}ms {max(seconds) * 1000:6.0f}ms  "
                + ", ".join(
                    f"{status} {state} x{count}" for (status, state), count in health.items()
                )
            )
            if any(r[2] != 200 for r in mine):
                failures.append(f"{name}: answers other than 200")
            if max(seconds) > 5:
                failures.append(f"{name}: an answer took {max(seconds):.1f} s")
            # The first check of a phase may still see the state before it.
            settled = [a for a in answers if a[0] == name][1:]
            expected = "ok" if name in ("up", "back") else "degraded"
            if any(a[1] != 200 or json.loads(a[3])["status"] != expected for a in settled):
                failures.append(f"{name}: /healthz did not say {expected}")
        views = support.query(url, "SELECT sum(views) FROM articles_article")[0][0]
        served = sum(1 for r in load.records if r[1] == "article" and r[2] == 200)
        print(
            f"article pages served to new readers: {served}; views stored: {views - views_at_start}"
        )
        if views - views_at_start != served:
            failures.append("views lost or counted twice")
        print(f"answers within 5 s and views all stored: {'OK' if not failures else failures}")
    finally:
        for process in (flusher, gunicorn):
            if process is not None:
                support.stop(process)
        if silent is not None:
            silent.close()
        redis_server.terminate()
        redis_server.wait()
        support.drop_database(name)
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
