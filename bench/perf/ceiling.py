"""Benchmark the reader's pages against the framework ceiling, with and without the page cache.

    .venv/bin/python bench/perf/ceiling.py [--articles 100000] [--duration 10] [--concurrency 32]

Prepares scratch PostgreSQL databases with `--articles` and with `--small` (1 000) generated
articles (kept for the next run; `--drop` removes them), then serves, one at a time under
gunicorn (2 sync workers, production settings, plain HTTP on 127.0.0.1):

- ceiling: bench/perf/ceiling_app.py, a bare Django view returning the article page's bytes;
- rendered: the site with the page cache off (sidebar fragments cached), views counted in
  PostgreSQL, the database as the cache;
- page cache: the same with the anonymous page cache on;
- page cache + Redis: Redis as the cache and views buffered in Redis (`flush_views` running).

wrk (or a Python load generator if wrk is missing) drives each with the same concurrency and
duration, alternating targets in the same run. Before each measurement every page of the row is
requested once, so the cached configurations measure cache hits. "article" requests rotate over
1 000 random articles read by one returning reader (counted once each, in that first pass);
"new readers" asks for the same articles as a new reader every request (every view a counted
write); "one article" asks for the same one every time (a spike on the day's top story). It
prints requests/s, p50, p99, SQL queries per request and the ratio to the ceiling for home, the
article rows, list (a category) and search, then the article page's requests/s and p99 at
1 000 articles against `--articles` in each configuration. Needs PostgreSQL (and Redis for the
last configuration) on 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.support import MOBILE_BROWSER as BROWSER  # noqa: E402
from bench.support import REDIS_URL, ROOT  # noqa: E402

PORT = 8765
PAGES = ("home", "article", "new readers", "one article", "list", "search")
CONFIGURATIONS = {
    "rendered": {"PAGE_CACHE_SECONDS": 0},
    "page cache": {"PAGE_CACHE_SECONDS": 30},
    "page cache + Redis": {
        "PAGE_CACHE_SECONDS": 30,
        "REDIS_URL": REDIS_URL,
        "VIEWS_BUFFER": "redis",
    },
}
# Which measured page's query count a row shows.
QUERIED = {"new readers": "article", "one article": "article"}
WRK_SCRIPT = """
paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time())
unique = os.getenv("BENCH_UNIQUE") == "1"
counter = 0
request = function()
  local agent = os.getenv("BENCH_UA")
  if unique then
    -- every request another reader: every article view is a counted write
    counter = counter + 1
    agent = agent .. " r" .. tostring(math.random(1000000000)) .. "." .. counter
  end
  local headers = {["User-Agent"] = agent, ["Accept"] = "text/html"}
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
"""


def article_paths(url, count=1000):
    rows = support.query(
        url,
        "SELECT id, slug, language FROM articles_article WHERE status = 'published' "
        "AND published_at <= now() ORDER BY random() LIMIT %s",
        [count],
    )
    return [f"{'/ru' if lang == 'ru' else ''}/news/{slug}-{pk}" for pk, slug, lang in rows]


def category_path(url):
    slug = support.query(url, "SELECT slug FROM articles_category ORDER BY position LIMIT 1")
    return f"/category/{slug[0][0]}/"


class Server:
    """One gunicorn at a time on PORT; for the site also the view flusher when buffered."""

    def __init__(self, target, env):
        self.target, self.env = target, env
        self.processes = []

    def __enter__(self):
        # No worker is replaced mid-run (gunicorn.conf.py's max_requests): a replaced worker's
        # CPU would be missing from the workers' CPU per request.
        options = ("-c", "gunicorn.conf.py", "-w", "2", "--max-requests", "0")
        self.processes.append(support.start_gunicorn(self.env, PORT, *options, app=self.target))
        if self.env.get("VIEWS_BUFFER") == "redis":
            self.processes.append(support.start_flusher(self.env))
        return self

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _seconds(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(paths, args, user_agent, unique=False):
    """Load the server with wrk: return (requests/s, p50 ms, p99 ms, non-2xx/3xx)."""
    with tempfile.TemporaryDirectory() as folder:
        listing, script = Path(folder) / "paths", Path(folder) / "rotate.lua"
        listing.write_text("\n".join(paths) + "\n")
        script.write_text(WRK_SCRIPT)
        env = {**os.environ, "BENCH_PATHS": str(listing), "BENCH_UA": user_agent}
        env["BENCH_UNIQUE"] = "1" if unique else "0"
        output = subprocess.run(
            ["wrk", "-t2", f"-c{args.concurrency}", f"-d{args.duration}s", "--latency"]
            + ["-s", str(script), f"http://127.0.0.1:{PORT}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)) * 1000
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)) * 1000
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, p50, p99, int(bad.group(1)) if bad else 0


def run_python(paths, args, user_agent, unique=False, once=False):
    """A threaded load generator for machines without wrk (itself slower: compare ratios).

    once: each path is asked for once, in the given order, however long that takes (no
    duration); the rate is over that time (a cold page stays cold: never asked twice).
    """
    latencies, bad, lock = [], [0], threading.Lock()
    started_at = time.monotonic()
    deadline = float("inf") if once else started_at + args.duration
    remaining = iter(paths)

    def next_path():
        if not once:
            return random.choice(paths)
        with lock:
            return next(remaining, None)

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.monotonic() < deadline:
            path = next_path()
            if path is None:
                break
            started = time.perf_counter()
            agent = f"{user_agent} r{random.randrange(10**12)}" if unique else user_agent
            headers = {"User-Agent": agent, "Accept": support.ACCEPT}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status >= 400:
                with lock:
                    bad[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    elapsed = time.monotonic() - started_at if once else args.duration
    return len(latencies) / elapsed, pick(0.5), pick(0.99), bad[0]


def warm_up(args):
    """The same load for two seconds: templates compiled, connections open, caches filled."""
    return argparse.Namespace(**{**vars(args), "duration": 2})


def visit_each(paths, user_agent):
    """Request every path once (4 at a time): each page is in the caches, each view counted."""

    def visit(path):
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}",
            headers={"User-Agent": user_agent, "Accept": support.ACCEPT},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(visit, paths))


def queries_per_request(url, urls, page_cache):
    """Count the SQL queries of the second request of each page, in a Django process."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "client, counts = Client(HTTP_USER_AGENT=sys.argv[1]), {}\n"
        "for name, url in json.loads(sys.argv[2]).items():\n"
        "    client.get(url)\n"
        "    with CaptureQueriesContext(connection) as captured:\n"
        "        client.get(url)\n"
        "    counts[name] = len(captured)\n"
        "print(json.dumps(counts))\n"
    )
    env = support.site_env(url, PAGE_CACHE_SECONDS=30 if page_cache else 0)
    env.update(DJANGO_SETTINGS_MODULE="newsportal.settings", DJANGO_ALLOWED_HOSTS="testserver")
    output = subprocess.run(
        [sys.executable, "-c", code, BROWSER, json.dumps(urls)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    args = parser.parse_args()
    load = run_wrk if shutil.which("wrk") else run_python
    print(f"load generator: {'wrk' if load is run_wrk else 'Python threads'}")

    names = f"bench_articles_{args.articles}", f"bench_articles_{args.small}"
    big, small = (
        support.generated_database(name, count)
        for name, count in zip(names, (args.articles, args.small), strict=True)
    )

    def targets(database):
        return {
            "home": ["/"],
            "article": article_paths(database),
            "list": [category_path(database)],
            "search": ["/search/?q=Bak%C4%B1"],
        }

    paths = targets(big)
    # The same articles, each request from another reader: every page view is a counted write.
    paths["new readers"] = paths["article"]
    # The day's top story: every request the same article, as in a traffic spike.
    paths["one article"] = paths["article"][:1]
    with tempfile.NamedTemporaryFile(suffix=".html", delete=False) as page:
        with Server("newsportal.wsgi", support.site_env(big, PAGE_CACHE_SECONDS=0)):
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}{paths['article'][0]}", headers={"User-Agent": "curl"}
            )
            with urllib.request.urlopen(request) as response:
                page.write(response.read())
    ceiling_env = {**os.environ, "CEILING_PAGE": page.name}
    print(f"ceiling page: {Path(page.name).stat().st_size} bytes (an article page of the site)")

    # Each reader a new visitor per run: the article pages' views are counted.
    visitor = f"{BROWSER} bench/{random.randrange(10**9)}"
    results = {}
    for name in PAGES:
        unique = name == "new readers"
        with Server("bench.perf.ceiling_app:application", ceiling_env):
            results[("ceiling", name)] = load(paths[name], args, visitor, unique)
        for configuration, extra in CONFIGURATIONS.items():
            with Server("newsportal.wsgi", support.site_env(big, **extra)):
                # Every page once first: the cached rows measure cache hits, not first renders.
                visit_each(paths[name], visitor)
                load(paths[name][:50], warm_up(args), visitor, unique)
                results[(configuration, name)] = load(paths[name], args, visitor, unique)
        print(f"  measured {name}", flush=True)

    urls = {
        name: values[0] for name, values in paths.items() if name in ("home", "article", "list")
    }
    urls["search"] = paths["search"][0]
    counts = {
        "rendered": queries_per_request(big, urls, page_cache=False),
        "page cache": queries_per_request(big, urls, page_cache=True),
    }

    print(
        f"\n{args.articles} articles, wrk -t2 -c{args.concurrency} -d{args.duration}s, "
        "gunicorn 2 sync workers"
    )
    header = f"{'page':11} {'configuration':20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    print(header + f"{'queries':>8} {'ratio':>6} {'errors':>6}")
    for name in PAGES:
        ceiling = results[("ceiling", name)][0]
        for configuration in ("ceiling", *CONFIGURATIONS):
            rate, p50, p99, bad = results[(configuration, name)]
            queries = counts.get(configuration.split(" +")[0], {}).get(QUERIED.get(name, name), 0)
            if configuration == "page cache + Redis":
                queries = "-"
            print(
                f"{name:11} {configuration:20} {rate:8.0f} {p50:8.1f} {p99:8.1f} "
                f"{queries!s:>8} {rate / ceiling:6.2f} {bad:6}"
            )

    print(f"\narticle page p99 at {args.small} vs {args.articles} articles (same run):")
    small_paths = targets(small)["article"]
    for configuration in CONFIGURATIONS:
        extra = CONFIGURATIONS[configuration]
        measured = {}
        for database, article_list in ((small, small_paths), (big, paths["article"])):
            with Server("newsportal.wsgi", support.site_env(database, **extra)):
                visit_each(article_list, visitor)
                load(article_list[:50], warm_up(args), visitor)
                measured[database] = load(article_list, args, visitor)
        low, high = measured[small], measured[big]
        print(
            f"  {configuration:18} req/s {low[0]:7.0f} -> {high[0]:7.0f} "
            f"({(high[0] / low[0] - 1) * 100:+.0f} %), p99 {low[2]:6.1f} -> {high[2]:6.1f} ms"
        )
    os.unlink(page.name)
    if args.drop:
        for name in names:
            support.drop_database(name)


if __name__ == "__main__":
    main()
