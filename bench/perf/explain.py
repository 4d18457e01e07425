"""EXPLAIN the queries of the reader's pages on a large database; no sequential scan of articles.

    .venv/bin/python bench/perf/explain.py [--articles 100000] [--database NAME] [--drop]

Prepares a scratch PostgreSQL database with that many generated articles (kept for the next
run, `--drop` removes it; `--articles 1000000` for the full size), requests the home, article,
most-read and list pages (source, category, label, day, search) through Django's test client,
captures every SQL query they run, and prints EXPLAIN ANALYZE's node types for each. Exits 1
if any plan reads the articles table (or the daily views) with a Seq Scan.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    return parser.parse_args()


# The arguments name the database, so they are read before Django is set up on it.
ARGS = arguments()
DATABASE = ARGS.database or f"bench_articles_{ARGS.articles}"
support.setup_django(
    support.site_env(
        support.database_url(DATABASE),
        PAGE_CACHE_SECONDS=0,
        FRAGMENT_CACHE_SECONDS=0,
        DJANGO_ALLOWED_HOSTS="testserver",
    )
)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Category, Source  # noqa: E402

BIG_TABLES = {"articles_article", "articles_dailyviews"}


def pages():
    newest = Article.objects.published().filter(language="az").order_by("-published_at")
    article = newest[500]
    source = Source.objects.filter(articles__isnull=False).first()
    category = Category.objects.first()
    day = timezone.localtime(article.published_at).date()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "most read (week)": "/most-read/?period=week",
        "source": f"/source/{source.slug}/",
        "source, page 30": f"/source/{source.slug}/?page=30",
        "category": f"/category/{category.slug}/",
        "label": "/label/fotolar/",
        "day": f"/archive/{day:%Y/%m/%d}/",
        "month": f"/archive/{day:%Y/%m}/",
        "search": "/search/?q=Bak%C4%B1",
    }


def nodes(plan, found):
    relation = plan.get("Relation Name", "")
    index = plan.get("Index Name", "")
    label = plan["Node Type"] + (f" on {relation}" if relation else "")
    label += f" using {index}" if index else ""
    rows = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
    if plan["Node Type"] == "Seq Scan":
        label += f" (read {rows} rows)"
    # A scan stopped after its first row carries a row of subqueries (SELECT (...), (...) LIMIT
    # 1): it reads nothing else. Any other sequential scan of a large table fails the run.
    full_scan = plan["Node Type"] == "Seq Scan" and relation in BIG_TABLES and rows > 1
    found.append((label, full_scan))
    for child in plan.get("Plans", []):
        nodes(child, found)
    return found


def main():
    support.generated_database(DATABASE, ARGS.articles)
    client = Client()
    bad = 0
    print(f"{DATABASE}: {support.article_count(DATABASE)} articles")
    for name, url in pages().items():
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        print(f"\n== {name}  {url}  ({status}, {len(captured)} queries)")
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                result = cursor.fetchone()[0]
            result = json.loads(result) if isinstance(result, str) else result
            plan = result[0]
            found = nodes(plan["Plan"], [])
            tables = [label for label, _seq in found if " on " in label]
            print(f"  {plan['Execution Time']:8.2f} ms  {sql[:90]}")
            print("             " + "; ".join(tables or [label for label, _ in found][:3]))
            for label, seq in found:
                if seq:
                    bad += 1
                    print(f"             !! {label}")
    if ARGS.drop:
        connection.close()
        support.drop_database(DATABASE)
    print(f"\n{'FAIL' if bad else 'OK'}: {bad} sequential scans of the large tables")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
