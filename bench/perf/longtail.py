"""The long tail (issue 20): rendered pages against the framework ceiling, cold and warm.

    .venv/bin/python bench/perf/longtail.py [--duration 8] [--concurrency 32] [--large]

One run, one table, at 1 000 generated articles (and, with `--large`, also at 1 000 000; the
scratch PostgreSQL databases are kept for the next run, `--drop` removes them). Each row is
served by gunicorn (2 sync workers, production settings, plain HTTP on 127.0.0.1) and loaded
by wrk (-t2 -c`--concurrency`, or bench/perf/ceiling.py's Python load generator without wrk):

- ceiling: bench/perf/ceiling_app.py returning an article page's bytes from memory;
- article, page cache off, views counted in PostgreSQL, the database cache (no REDIS_URL);
- article, page cache off, Redis for the fragments and the views (`flush_views` running);
- article from the page cache (Redis), a new reader every request (each view a Redis write);
- home, a category page and a source page, page cache off (fragments in Redis).

"cold": the fragments are invalidated (`articles_changed()`) just before the load, and
COLD_REQUESTS articles are each asked for once, in a random order (by the Python load
generator, also where wrk is installed: wrk cannot stop after each path once), so every
request renders a never-seen article from the database, at both sizes alike. "warm": every
article was asked for once before (its parts cached). Every article request is a new
reader (a counted view). For each row it prints requests/s, p50 and p99, the workers' CPU
milliseconds per request (from /proc), SQL queries per request (counted in a Django process
against the same database and settings, for a new reader of a never-seen article when cold)
and the ratio to the ceiling.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.perf import ceiling  # noqa: E402
from bench.support import ROOT  # noqa: E402

# A Redis database of this benchmark's own: its generation numbers and pages are nobody else's.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
DATABASE_CACHE = {"PAGE_CACHE_SECONDS": 0}
REDIS = {"PAGE_CACHE_SECONDS": 0, "REDIS_URL": REDIS_URL, "VIEWS_BUFFER": "redis"}
# Pages kept for the whole run: visiting the 1 000-2 000 articles first takes longer than a
# 30-second TTL, and pages expired meanwhile were rendered again inside the "from the page
# cache" row (measured 4.1-4.9 ms of CPU a request; the hit itself is ~0.5 ms in-process).
PAGE_CACHE = {"PAGE_CACHE_SECONDS": 900, "REDIS_URL": REDIS_URL, "VIEWS_BUFFER": "redis"}
# A cold row asks for this many never-seen articles (as many at 1 000 as at 1 000 000).
COLD_REQUESTS = 1000
# (row, settings, pages, cold?, new reader every request?)
ROWS = [
    ("article, page cache off; DB counting + DB cache", DATABASE_CACHE, "article", True),
    ("article, page cache off; DB counting + DB cache", DATABASE_CACHE, "article", False),
    ("article, page cache off; Redis", REDIS, "article", True),
    ("article, page cache off; Redis", REDIS, "article", False),
    ("article from the page cache (Redis)", PAGE_CACHE, "article", False),
    ("home, page cache off (Redis)", REDIS, "home", False),
    ("category page, page cache off (Redis)", REDIS, "list", False),
    ("source page, page cache off (Redis)", REDIS, "source", False),
]

COUNT_QUERIES = """
import django, json, sys, random; django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from articles.caching import articles_changed
agent, urls, cold = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
client = Client()
client.get(urls[-1])  # the shared fragments, the connection
if cold:
    articles_changed()
    client.get("/")  # both languages' shared fragments, as measure() does
    client.get("/ru/")
counts = []
for url in urls[:-1]:
    if not cold:
        client.get(url, HTTP_USER_AGENT=agent, HTTP_ACCEPT="text/html")
    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_USER_AGENT=f"{agent} {random.random()}", HTTP_ACCEPT="text/html")
    counts.append(len(captured))
print(json.dumps(max(counts)))
"""


def queries(url, extra, paths, cold):
    """The most SQL queries one request of `paths` made (a new reader; cold or warm)."""
    env = support.site_env(url, **extra)
    env.update(DJANGO_SETTINGS_MODULE="newsportal.settings", DJANGO_ALLOWED_HOSTS="testserver")
    sample = [*random.sample(paths, min(5, len(paths))), paths[0]]
    output = subprocess.run(
        [sys.executable, "-c", COUNT_QUERIES, ceiling.BROWSER, json.dumps(sample), str(int(cold))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def source_path(url):
    slug = support.query(url, "SELECT slug FROM articles_source ORDER BY name LIMIT 1")
    return f"/source/{slug[0][0]}/"


def cpu_ticks(server):
    """User + system clock ticks of the gunicorn workers serving now."""
    total = 0
    for pid in support.worker_pids(server.processes[0].pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def invalidate(env):
    support.manage(env, "shell", "-c", "from articles.caching import articles_changed as c; c()")


def measure(load, args, url, extra, paths, cold, unique):
    env = support.site_env(url, **extra)
    with ceiling.Server("newsportal.wsgi", env) as server:
        order = random.sample(paths, len(paths))
        # The shared fragments (menu, blocks) and the workers' connections first.
        ceiling.visit_each(["/", "/ru/"], ceiling.BROWSER)
        if cold:
            invalidate(env)
            ceiling.visit_each(["/", "/ru/"], ceiling.BROWSER)
        else:
            ceiling.visit_each(order, ceiling.BROWSER)
            load(order[:50], ceiling.warm_up(args), ceiling.BROWSER, unique)
        before = cpu_ticks(server)
        if cold:
            # Each article once: drawn at random with repeats, most requests of a run longer
            # than the articles last would be warm, the more so the smaller the site.
            rate, p50, p99, bad = ceiling.run_python(
                order[:COLD_REQUESTS], args, ceiling.BROWSER, unique, once=True
            )
            requests = min(COLD_REQUESTS, len(order))
        else:
            rate, p50, p99, bad = load(order, args, ceiling.BROWSER, unique)
            requests = rate * args.duration
        ticks = cpu_ticks(server) - before
    cpu_ms = ticks / os.sysconf("SC_CLK_TCK") * 1000 / max(1, requests)
    return rate, p50, p99, bad, cpu_ms


def run(load, args, size, lines):
    name = f"bench_articles_{size}"
    url = support.generated_database(name, size)
    paths = {
        "article": ceiling.article_paths(url, count=min(size, 2000)),
        "home": ["/"],
        "list": [ceiling.category_path(url)],
        "source": [source_path(url)],
    }
    with tempfile.NamedTemporaryFile(suffix=".html", delete=False) as page:
        with ceiling.Server("newsportal.wsgi", support.site_env(url, **DATABASE_CACHE)):
            request = urllib.request.Request(
                f"http://127.0.0.1:{ceiling.PORT}{paths['article'][0]}",
                headers={"User-Agent": "curl"},
            )
            with urllib.request.urlopen(request) as response:
                page.write(response.read())
    ceiling_env = {**os.environ, "CEILING_PAGE": page.name}
    with ceiling.Server("bench.perf.ceiling_app:application", ceiling_env) as server:
        ceiling.visit_each(paths["article"][:20], ceiling.BROWSER)
        before = cpu_ticks(server)
        top = load(paths["article"], args, ceiling.BROWSER, True)
        ticks = cpu_ticks(server) - before
    os.unlink(page.name)
    top_cpu = ticks / os.sysconf("SC_CLK_TCK") * 1000 / max(1, top[0] * args.duration)
    lines.append(row(size, "ceiling (bare Django, same bytes)", "-", top, top_cpu, 0, top[0]))
    for title, extra, pages, cold in ROWS:
        unique = pages == "article"
        rate, p50, p99, bad, cpu_ms = measure(load, args, url, extra, paths[pages], cold, unique)
        count = queries(url, extra, paths[pages], cold)
        state = "cold" if cold else "warm"
        lines.append(row(size, title, state, (rate, p50, p99, bad), cpu_ms, count, top[0]))
        print(lines[-1], flush=True)
    return name


def row(size, title, state, result, cpu_ms, count, top):
    rate, p50, p99, bad = result
    thousands = lambda number: f"{number:,.0f}".replace(",", "\u202f")  # noqa: E731
    return (
        f"| {thousands(size)} | {title} | {state} | {thousands(rate)} | {p50:.1f} | {p99:.1f} "
        f"| {cpu_ms:.2f} | {count} | {rate / top:.3f} | {bad} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--large", action="store_true", help="also at 1 000 000 articles")
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    args = parser.parse_args()
    ceiling.PORT = support.free_port()
    load = ceiling.run_wrk if shutil.which("wrk") else ceiling.run_python
    print(f"load generator: {'wrk' if load is ceiling.run_wrk else 'Python threads'}")
    lines, names = [], []
    for size in (1000, 1_000_000) if args.large else (1000,):
        names.append(run(load, args, size, lines))
    generator = "wrk -t2" if load is ceiling.run_wrk else "Python threads (no wrk)"
    print(
        f"\n{generator} -c{args.concurrency} -d{args.duration}s, gunicorn 2 sync workers, "
        "PostgreSQL; every article request a new reader (a counted view)\n"
    )
    print(
        "| articles | page | fragments | req/s | p50 ms | p99 ms | CPU ms/req | queries "
        "| ratio | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    if args.drop:
        for name in names:
            support.drop_database(name)


if __name__ == "__main__":
    main()
