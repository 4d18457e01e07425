"""Drill: one address rotating User-Agents for a minute while 64 readers from other addresses read.

    .venv/bin/python bench/drills/view_inflation.py [--duration 60] [--buffer db|redis]

Serves a scratch PostgreSQL database with gunicorn (2 workers, production settings, the page
cache on, `VIEWS_MAX_PER_ADDRESS=60`; with `--buffer redis`, views buffered in the machine's
Redis under a prefix of the run's own, `flush_views --every 1` running). An attacker at
127.0.0.2 asks for one article as fast as 4 threads can, a new User-Agent and a new cookie every
request, for `--duration` seconds; meanwhile 64 readers, each from an address of its own
(127.0.1.1 to 127.0.1.64, bound as the connection's source address), read each of the other
articles once. Prints the attacker's requests and counted views against the limit (60 for each
calendar minute the run touched) and the readers' views per article (each must be 64). Exits 1
if the attacker got more than the limit or a reader's view went uncounted.
"""

import argparse
import http.client
import itertools
import random
import sys
import threading
import time
import uuid
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402

LIMIT = 60
READERS = 64


def get(port, path, source, user_agent, cookie=None):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    try:
        headers = {"User-Agent": user_agent, "Accept": support.ACCEPT}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--buffer", choices=["db", "redis"], default="db")
    args = parser.parse_args()

    name = f"view_inflation_{uuid.uuid4().hex[:8]}"
    url = support.create_database(name)
    extra = {"REDIS_URL": support.REDIS_URL} if args.buffer == "redis" else {}
    env = support.drill_env(
        url,
        VIEWS_BUFFER=args.buffer,
        VIEWS_MAX_PER_ADDRESS=str(LIMIT),
        PAGE_CACHE_SECONDS="30",
        **extra,
    )
    port = support.free_port()
    gunicorn = flusher = None
    failures = []
    try:
        support.prepare_site(env)
        rows = support.query(
            url,
            "SELECT id, slug FROM articles_article WHERE status = 'published' "
            "AND language = 'az' ORDER BY id",
        )
        (target_id, target_slug), readers_articles = rows[0], rows[1:]
        target = f"/news/{target_slug}-{target_id}"
        before = dict(support.query(url, "SELECT id, views FROM articles_article"))
        gunicorn = support.start_gunicorn(env, port, *support.DRILL_GUNICORN)
        if args.buffer == "redis":
            flusher = support.start_flusher(env)
        print(
            f"attacker: 127.0.0.2 on {target} for {args.duration:.0f} s; "
            f"{READERS} readers x {len(readers_articles)} articles; buffer {args.buffer}"
        )

        agents = itertools.count()
        attacker_requests = [0]
        deadline = time.monotonic() + args.duration
        started_minute = int(time.time()) // 60

        def attacker():
            while time.monotonic() < deadline:
                number = next(agents)
                agent = f"{support.BROWSER} rotated/{number}/{random.randrange(10**9)}"
                get(port, target, "127.0.0.2", agent, cookie=f"sessionid=forged{number}")
                attacker_requests[0] += 1

        def reader(number):
            source = f"127.0.1.{number + 1}"
            pause = args.duration / (len(readers_articles) + 1)
            for pk, slug in readers_articles:
                assert get(port, f"/news/{slug}-{pk}", source, support.BROWSER) == 200
                time.sleep(random.uniform(0, pause))

        threads = [threading.Thread(target=attacker) for _ in range(4)]
        threads += [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        minutes = int(time.time()) // 60 - started_minute + 1
        if flusher is not None:
            time.sleep(3)
        after = dict(support.query(url, "SELECT id, views FROM articles_article"))

        counted = after[target_id] - before[target_id]
        bound = LIMIT * minutes
        print(
            f"attacker: {attacker_requests[0]} requests, {counted} counted views "
            f"(limit {LIMIT} a minute, {minutes} calendar minutes: at most {bound})"
        )
        readers_views = [after[pk] - before[pk] for pk, _slug in readers_articles]
        print(
            f"readers: views per article min {min(readers_views)}, max {max(readers_views)} "
            f"(each must be {READERS}); {sum(readers_views)} of "
            f"{READERS * len(readers_articles)} counted"
        )
        if counted > bound:
            failures.append("the attacker got more than the limit")
        if any(views != READERS for views in readers_views):
            failures.append("a reader's view went uncounted (or was counted twice)")
        print("OK" if not failures else f"FAILED: {failures}")
    finally:
        for process in (flusher, gunicorn):
            if process is not None:
                support.stop(process)
        support.drop_database(name)
        if args.buffer == "redis":
            client = redis.Redis.from_url(support.REDIS_URL)
            keys = list(client.scan_iter(match=f"bench-{name}:*", count=1000))
            if keys:
                client.delete(*keys)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
