"""Time a page-cache hit that counts a new reader's view, in-process (no HTTP, no gunicorn).

    .venv/bin/python bench/perf/hit_cost.py [--requests 3000] [--buffer db|redis] [--limit 60]

What the limit per address (VIEWS_MAX_PER_ADDRESS) adds to the cheapest counted page: the seed
article from the page cache, each request a new reader from a new address (so each is a
counted write, and no address reaches its limit). Runs in a scratch PostgreSQL database
(created, then dropped) with Django's test client; `--limit 0` is the code path without the
limit. Prints the mean and median microseconds per request. Run it with `--root` pointing at
another checkout to time that code on the same machine.
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

PARSER = argparse.ArgumentParser(description=__doc__.splitlines()[0])
PARSER.add_argument("--requests", type=int, default=3000)
PARSER.add_argument("--buffer", choices=["db", "redis"], default="db")
PARSER.add_argument("--limit", type=int, default=60)
PARSER.add_argument("--root", default=str(Path(__file__).resolve().parents[2]))
ARGS = PARSER.parse_args()
sys.path.insert(0, ARGS.root)
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402

# Not support.ACCEPT: with --root, `bench` may be another checkout's.
ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
NAME = f"hit_cost_{uuid.uuid4().hex[:8]}"


EXTRA = {"REDIS_URL": support.REDIS_URL} if ARGS.buffer == "redis" else {}
ENV = support.site_env(
    support.create_database(NAME),
    DJANGO_ALLOWED_HOSTS="testserver",
    PAGE_CACHE_SECONDS="600",
    PAGE_CACHE_LOCAL_SECONDS="0",
    VIEWS_BUFFER=ARGS.buffer,
    VIEWS_MAX_PER_ADDRESS=str(ARGS.limit),
    **EXTRA,
)
try:
    support.prepare_site(ENV)
    support.setup_django(ENV)  # before the project's imports below
except BaseException:
    support.drop_database(NAME)
    raise

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article  # noqa: E402


def main():
    try:
        article = Article.objects.get(slug=support.SEED_SLUG)
        path = article.get_absolute_url()
        client = Client()
        headers = {"HTTP_ACCEPT": ACCEPT}
        assert client.get(path, HTTP_USER_AGENT="warm", **headers).status_code == 200
        times = []
        for number in range(ARGS.requests):
            address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
            started = time.perf_counter()
            response = client.get(
                path, HTTP_USER_AGENT=f"{support.BROWSER} r{number}", REMOTE_ADDR=address, **headers
            )
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        if ARGS.buffer == "db":
            article.refresh_from_db()
            counted = article.views
        else:
            counted = "buffered"
        print(
            f"buffer={ARGS.buffer} limit={ARGS.limit} root={ARGS.root}: "
            f"mean {statistics.mean(times) * 1e6:.0f} us, median "
            f"{statistics.median(times) * 1e6:.0f} us per counted hit "
            f"({ARGS.requests} requests; views stored: {counted})"
        )
    finally:
        connections.close_all()
        support.drop_database(NAME)


if __name__ == "__main__":
    main()
