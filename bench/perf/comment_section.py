"""Time the article page with 0, 100 and 500 comments, and count its queries.

usage: DJANGO_DEBUG=1 .venv/bin/python bench/perf/comment_section.py [--runs 40]
Builds a throwaway SQLite database in a temporary folder; prints one line per size with the
median and 90th-percentile time of a GET (anonymous and logged in) and the number of queries.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402

# The development settings (DJANGO_DEBUG=1 unless the caller says otherwise) on a new SQLite file.
support.setup_django(
    {
        **os.environ,
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1"),
        "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3",
    },
    settings=os.environ.get("DJANGO_SETTINGS_MODULE", "newsportal.settings"),
)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article  # noqa: E402
from comments import services  # noqa: E402
from comments.models import Comment  # noqa: E402

BODY = "Maraqlı yazıdır, amma mənbəyə baxın: https://525.az/news/123\nİkinci sətir. " * 3


def fill(article, users, number):
    """Give the article `number` comments, a third of them replies."""
    Comment.objects.filter(article=article).delete()
    now = timezone.now()
    roots = Comment.objects.bulk_create(
        Comment(article=article, author=users[i % len(users)], body=BODY, created_at=now)
        for i in range(number - number // 3)
    )
    Comment.objects.bulk_create(
        Comment(article=article, author=users[i % len(users)], parent=roots[i], body=BODY)
        for i in range(number // 3)
    )
    services.recount([article.pk])


def measure(client, url, runs):
    client.get(url)  # warm the template and the URL caches
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    # Not setup_test_environment(): its instrumented rendering would be timed too.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable")  # the cache when REDIS_URL is not set
    call_command("import_seeds", verbosity=0)
    article = Article.objects.get(slug="strateji-muttefiqliyin-yeni-merhelesi")
    users = [
        get_user_model().objects.create_user(f"oxucu{n}", f"oxucu{n}@example.com", "x")
        for n in range(20)
    ]
    anonymous, reader = Client(), Client()
    reader.force_login(users[0])
    url = article.get_absolute_url()
    print(f"article page, {runs} GETs each, Django test client, SQLite, DEBUG off", flush=True)
    print("comments | anonymous ms p50 / p90 | queries | logged in ms p50 / p90 | queries")
    for number in (0, 100, 500):
        fill(article, users, number)
        a50, a90, aq = measure(anonymous, url, runs)
        r50, r90, rq = measure(reader, url, runs)
        shown = f"{a50:>10.1f} / {a90:<9.1f}", f"{r50:>10.1f} / {r90:<9.1f}"
        print(f"{number:>8} | {shown[0]} | {aq:>7} | {shown[1]} | {rq:>7}")


if __name__ == "__main__":
    main()
