"""Benchmark the view counter: no view lost under concurrency, and what counting costs.

    .venv/bin/python bench/perf/views.py [--duration 8] [--concurrency 32] [--rounds 2]

Creates a scratch PostgreSQL database (dropped at the end), migrates it, imports the seeds and
serves the site with gunicorn (2 sync workers, production settings). Then it requests the seed
article as many distinct readers at once (every request a new User-Agent, so every request is a
counted view) under four configurations, alternating them for `--rounds` rounds:

- off: VIEWS_COUNTING=0, the baseline;
- db: every view written to PostgreSQL, visitors remembered there too (RecentView), the
  database as the cache;
- db+redis-cache: the same with Redis as the cache (the page cache's reads);
- redis-buffer: VIEWS_BUFFER=redis, views buffered in Redis, `flush_views --every 1` running.

Each runs twice: the page rendered on every request, and from the site's page cache
(bench/perf/page_cache_settings.py), where counting is most of the work.
For each it prints the throughput, its ratio to "off" measured in the same run, and the lost
count: 200 responses minus the views that reached the database (after a final flush). It must
be 0; a negative figure would mean views counted twice. Needs PostgreSQL and Redis on 127.0.0.1.
"""

import argparse
import http.client
import os
import signal
import sys
import threading
import time
import uuid
from multiprocessing import Pool
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.support import MOBILE_BROWSER as BROWSER  # noqa: E402
from bench.support import REDIS_URL, SEED_SLUG  # noqa: E402

CONFIGURATIONS = {
    "off": {"VIEWS_COUNTING": "0"},
    "db": {},
    "db+redis-cache": {"REDIS_URL": REDIS_URL},
    "redis-buffer": {"REDIS_URL": REDIS_URL, "VIEWS_BUFFER": "redis"},
}


def site_env(url, extra=()):
    # The page rendered every time; bench/perf/page_cache_settings.py switches the cache on.
    return support.site_env(url, PAGE_CACHE_SECONDS="0", **dict(extra))


def drop(name):
    support.drop_database(name)
    # The run's Redis keys (who was counted, buffers); cached pages expire on their own.
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*bench-{name}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def stored_views(url, article_id):
    sql = "SELECT views FROM articles_article WHERE id = %s"
    return support.query(url, sql, [article_id])[0][0]


def get(port, path, user_agent):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET", path, headers={"User-Agent": user_agent, "Accept": support.ACCEPT}
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load(job):
    """Run `threads` readers for `duration` seconds; return (200s, other, errors, seconds)."""
    port, path, threads, duration, user_agent = job
    ok, other, errors = [0], [0], [0]
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + duration

    def reader(number):
        visit = 0
        while time.monotonic() < deadline:
            visit += 1
            try:
                status = get(port, path, f"{user_agent}-{number}-{visit}")
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                if status == 200:
                    ok[0] += 1
                else:
                    other[0] += 1

    workers = [threading.Thread(target=reader, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return ok[0], other[0], errors[0], time.monotonic() - started


def measure(name, page_cache, url, article_id, path, port, args):
    env = site_env(url, CONFIGURATIONS[name])
    if page_cache:
        env["DJANGO_SETTINGS_MODULE"] = "bench.perf.page_cache_settings"
    server = support.start_gunicorn(env, port, "-w", str(args.workers))
    flusher = support.start_flusher(env) if name == "redis-buffer" else None
    try:
        # Warm up (templates, connections) as a crawler, which is never counted.
        load((port, path, 4, 1.0, "bench-warm-up curl/8"))
        before = stored_views(url, article_id)
        processes = args.processes
        per_process = max(1, args.concurrency // processes)
        tag = uuid.uuid4().hex[:8]
        jobs = [
            (port, path, per_process, args.duration, f"{BROWSER} bench/{tag}-{n}")
            for n in range(processes)
        ]
        with Pool(
            processes, initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_DFL)
        ) as pool:
            results = pool.map(load, jobs)
        elapsed = max(result[3] for result in results)
    finally:
        if flusher is not None:
            flusher.terminate()
            flusher.wait()
        server.terminate()
        server.wait()
    if name == "redis-buffer":
        support.manage(env, "flush_views")
    ok = sum(result[0] for result in results)
    other = sum(result[1] for result in results)
    errors = sum(result[2] for result in results)
    counted = stored_views(url, article_id) - before
    expected = 0 if name == "off" else ok
    return {
        "rps": ok / elapsed,
        "ok": ok,
        "other": other,
        "errors": errors,
        "lost": expected - counted,
    }


def stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # runs the clean-ups in `finally`


def main():
    signal.signal(signal.SIGTERM, stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=8, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=32, help="readers at once")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    database = f"bench_views_{os.getpid()}"
    print(f"Preparing {database} (migrate, seeds, static files)...", flush=True)
    url = support.create_database(database)
    support.prepare_site(site_env(url))
    try:
        sql = "SELECT id FROM articles_article WHERE slug = %s"
        article_id = support.query(url, sql, [SEED_SLUG])[0][0]
        path = f"/news/{SEED_SLUG}-{article_id}"
        results = {(name, cached): [] for cached in (False, True) for name in CONFIGURATIONS}
        for round_number in range(1, args.rounds + 1):
            for name, cached in results:
                result = measure(name, cached, url, article_id, path, args.port, args)
                results[name, cached].append(result)
                page = "page cache" if cached else "rendered"
                print(
                    f"round {round_number} {page:10} {name:15} {result['rps']:7.1f} req/s  "
                    f"200s {result['ok']:6}  other {result['other']}  errors {result['errors']}  "
                    f"lost {result['lost']}",
                    flush=True,
                )
    finally:
        drop(database)

    lost_any = False
    for cached in (False, True):
        runs = results["off", cached]
        baseline = sum(r["rps"] for r in runs) / len(runs)
        print(f"\n{'page cache' if cached else 'rendered page'}")
        print(f"{'configuration':15} {'req/s':>8} {'ratio to off':>13} {'views':>7} {'lost':>5}")
        for name in CONFIGURATIONS:
            runs = results[name, cached]
            rps = sum(r["rps"] for r in runs) / len(runs)
            views = 0 if name == "off" else sum(r["ok"] for r in runs)
            lost = sum(r["lost"] for r in runs)
            lost_any = lost_any or lost != 0
            print(f"{name:15} {rps:8.1f} {rps / baseline:13.2f} {views:7} {lost:5}")
    print(
        f"\n{args.concurrency} concurrent readers, every request a new reader, "
        f"{args.duration:g} s x {args.rounds} rounds, gunicorn {args.workers} sync workers."
    )
    sys.exit(1 if lost_any else 0)


if __name__ == "__main__":
    main()
