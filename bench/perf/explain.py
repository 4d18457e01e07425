"""EXPLAIN the queries of every public page on a large database; no sequential scan of articles.

    .venv/bin/python bench/perf/explain.py [--articles 100000] [--database NAME] [--drop]
    .venv/bin/python bench/perf/explain.py --articles 1000 1000000   # side by side
    .venv/bin/python bench/perf/explain.py --articles 1000 1000000 --database mine  # mine_1000...

Prepares a scratch PostgreSQL database with that many generated articles (kept for the next
run, `--drop` removes it), requests the public pages (home, article, most read, also as with
buffered views, source, category, label, tag, day and month archive, search, stories, RSS,
sitemaps) and the admin's article, source and comment lists through Django's test client,
captures every SQL query they run, and prints EXPLAIN ANALYZE's time and node types for each.
Exits 1 if any plan reads the articles table (or the daily views) with a Seq Scan. With several
sizes, each runs in a process of its own and a table of each page's total SQL time per size
ends the output.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100_000])
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where a child run writes its totals
    parser.add_argument("--database", default=None)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    return parser.parse_args()


# The arguments name the database, so they are read before Django is set up on it.
ARGS = arguments()


def side_by_side():
    """Run each size in a process of its own; print each page's SQL time per size."""
    totals = {}
    for size in ARGS.articles:
        out = Path(f"/tmp/explain-{size}.json")
        command = [sys.executable, __file__, "--articles", str(size), "--json", str(out)]
        if ARGS.database:  # a name of one's own: NAME_1000, NAME_1000000...
            command += ["--database", f"{ARGS.database}_{size}"]
        subprocess.run(command + (["--drop"] if ARGS.drop else []), check=False)
        totals[size] = json.loads(out.read_text())
    header = " | ".join(f"{size:,} articles".replace(",", " ") for size in ARGS.articles)
    print(f"\n| page | {header} |\n|---|" + "---|" * len(ARGS.articles))
    for page in totals[ARGS.articles[0]]:
        cells = []
        for size in ARGS.articles:
            found = totals[size].get(page)
            cells.append(f"{found['ms']:.1f} ms, {found['queries']} q" if found else "-")
        print(f"| {page} | " + " | ".join(cells) + " |")
    return 0


if len(ARGS.articles) > 1:
    sys.exit(side_by_side())
ARGS.articles = ARGS.articles[0]
DATABASE = ARGS.database or f"bench_scale_{ARGS.articles}"
support.setup_django(
    support.site_env(
        support.database_url(DATABASE),
        PAGE_CACHE_SECONDS=0,
        FRAGMENT_CACHE_SECONDS=0,
        DJANGO_ALLOWED_HOSTS="testserver",
    )
)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.counting import ranking  # noqa: E402
from articles.models import Article, Category, Source, Story, Tag  # noqa: E402
from comments.models import Comment  # noqa: E402

BIG_TABLES = {"articles_article", "articles_dailyviews"}


def pages():
    newest = Article.objects.published().filter(language="az").order_by("-published_at")
    article = newest[500]
    source = Source.objects.filter(articles__isnull=False).first()
    category = Category.objects.first()
    day = timezone.localtime(article.published_at).date()
    # A tag and a story of a few articles, as editors and the importer make them.
    tag, _created = Tag.objects.get_or_create(name="Bakı")
    tag.articles.add(*newest[:5])
    story = Story.objects.filter(language="az").first()
    if story is None:
        story = Story.objects.create(
            language="az",
            lead_article=article,
            source_count=3,
            article_count=3,
            last_published_at=article.published_at,
        )
        Article.objects.filter(pk__in=[a.pk for a in newest[500:503]]).update(story=story)
    # Readers' comments on 2 000 of the newest articles, one each (comments/admin.py's filter).
    if not Comment.objects.exists():
        Comment.objects.bulk_create(
            Comment(article_id=pk, body="Şərh") for pk in newest.values_list("pk", flat=True)[:2000]
        )
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "most read (week)": "/most-read/?period=week",
        # As with VIEWS_BUFFER=redis: the last flush's ranking (main() ranks before).
        "most read (week), buffered views": "/most-read/?period=week&buffered",
        "source": f"/source/{source.slug}/",
        "source, page 30": f"/source/{source.slug}/?page=30",
        "category": f"/category/{category.slug}/",
        "label": "/label/fotolar/",
        "day": f"/archive/{day:%Y/%m/%d}/",
        "month": f"/archive/{day:%Y/%m}/",
        "search": "/search/?q=Bak%C4%B1",
        "search, rare word": "/search/?q=memorandum",
        "tag": f"/tag/{tag.slug}/",
        "stories": "/stories/",
        "RSS": "/rss/",
        "category RSS": f"/category/{category.slug}/rss/",
        "sitemap index": "/sitemap.xml",
        "news sitemap": "/sitemap-news.xml",
        "admin: articles": "/admin/articles/article/",
        "admin: articles, page 50": "/admin/articles/article/?p=50",
        "admin: articles, search": "/admin/articles/article/?q=Bak%C4%B1",
        "admin: sources": "/admin/articles/source/",
        "admin: comments": "/admin/comments/comment/",
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
    # Feeds and sitemaps keep their own page cache (the database's, in a scratch database):
    # empty, so their queries run.
    for alias in caches:
        caches[alias].clear()
    client = Client()
    admin = get_user_model().objects.filter(username="explain-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("explain-admin", "", "explain-admin")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # ranking a million articles: seconds
        ranking.refresh()  # what a flush of buffered views leaves
        cursor.execute("RESET statement_timeout")
    bad, totals = 0, {}
    print(f"{DATABASE}: {support.article_count(DATABASE)} articles")
    for name, url in pages().items():
        if url.startswith("/admin/"):
            client.force_login(admin)
        else:
            client.logout()
        buffered = override_settings(VIEWS_BUFFER="redis" if url.endswith("&buffered") else "db")
        with buffered, CaptureQueriesContext(connection) as captured:
            try:
                status = client.get(url).status_code
            except OperationalError as error:  # the site's statement timeout, say
                status = f"failed: {str(error).splitlines()[0]}"
                bad += 1
        print(f"\n== {name}  {url}  ({status}, {len(captured)} queries)")
        totals[name] = {"ms": 0.0, "queries": len(captured)}
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                # However long the query takes, its plan is shown (the site's limit is 5 s).
                cursor.execute("SET statement_timeout = 0")
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                result = cursor.fetchone()[0]
                cursor.execute("RESET statement_timeout")
            result = json.loads(result) if isinstance(result, str) else result
            plan = result[0]
            found = nodes(plan["Plan"], [])
            tables = [label for label, _seq in found if " on " in label]
            totals[name]["ms"] += plan["Execution Time"] + plan["Planning Time"]
            on_index = any(" using " in label for label, _seq in found)
            where = "index" if on_index else "     "
            print(f"  {plan['Execution Time']:8.2f} ms  {where}  {sql[:80]}")
            print("             " + "; ".join(tables or [label for label, _ in found][:3]))
            for label, seq in found:
                if seq:
                    bad += 1
                    print(f"             !! {label}")
    if ARGS.json:
        Path(ARGS.json).write_text(json.dumps(totals))
    if ARGS.drop:
        connection.close()
        support.drop_database(DATABASE)
    print(f"\n{'FAIL' if bad else 'OK'}: {bad} sequential scans of the large tables")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
