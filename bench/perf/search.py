"""Time the search on a large PostgreSQL database: p50 and p95 of a few hundred searches.

    .venv/bin/python bench/perf/search.py [--articles 100000] [--searches 300] [--keep]

Creates a scratch database on the PostgreSQL server of BENCH_DATABASE_URL (default
postgres://root@127.0.0.1:5432/postgres), migrates it, bulk-inserts the articles (text made of
the seed dump's sentences, spread over two years, sources, categories and labels), ANALYZEs,
then runs the searches and drops the database (unless --keep).

Queries are drawn from the articles' own words: single words (common and rare), two words,
word prefixes, words typed without Azerbaijani letters, and a fifth with a source or date
filter. Two timings per search:
- query: what the search costs the database, i.e. the one query that fetches a page of ranked
  results with its count, plus the snippets (`paginate()` of the results, as the view runs it);
- page: the whole search view rendered (form, choices, menu, sidebar blocks, template).
Goal: query p95 < 100 ms.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402

GOAL_MS = 100
NAME = f"bench_search_{os.getpid()}"
# Django is set up on the scratch database before it exists: it connects at the first query.
support.setup_django(
    support.site_env(support.database_url(NAME), DJANGO_ALLOWED_HOSTS="testserver"),
    settings="newsportal.test_settings",  # plain static files storage
)

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from articles import search, text, views  # noqa: E402
from articles.caching.fragments import PageFragments  # noqa: E402
from articles.filters import ArticleSearchFilter  # noqa: E402
from articles.importers.seed_dump import parse_seed_file  # noqa: E402
from articles.models import Article, Category, Source  # noqa: E402


def seed_text():
    """Return (sentences, titles) from the seed dumps."""
    sentences, titles = [], []
    for path in sorted((support.ROOT / "seeds").glob("*.txt")):
        page = parse_seed_file(path)
        titles.append(page.article.title)
        titles.extend(entry.title for entry in page.most_read)
        for paragraph in page.article.paragraphs:
            sentences.extend(s for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s) > 20)
    return sentences, titles


def fill(number, rng):
    """Bulk-insert `number` published articles; return the words they use."""
    sentences, titles = seed_text()
    words = sorted({w for s in sentences + titles for w in re.findall(r"\w{4,}", s)})
    sources = [
        Source.objects.create(name=f"Mənbə {i}", slug=f"menbe-{i}", homepage=f"https://s{i}.az")
        for i in range(12)
    ]
    categories = [
        Category.objects.create(name_az=f"Bölmə {i}", name_ru=f"Раздел {i}", slug=f"bolme-{i}")
        for i in range(8)
    ]
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for _ in range(number):
        # A seed title with a few of the seed's words swapped in, so titles differ.
        title_words = rng.choice(titles).split()
        for _ in range(3):
            title_words[rng.randrange(len(title_words))] = rng.choice(words)
        title = " ".join(title_words)
        body = "".join(
            f"<p>{' '.join(rng.sample(sentences, 3))}</p>" for _ in range(rng.randint(2, 5))
        )
        batch.append(
            Article(
                title=title,
                slug=text.slugify_title(title),
                lead=rng.choice(sentences),
                body=body,
                label=rng.choice(text.KNOWN_LABELS[:10]) if rng.random() < 0.1 else "",
                source=rng.choice(sources),
                category=rng.choice(categories),
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
            )
        )
        if len(batch) == 5000:
            Article.objects.bulk_create(batch)
            batch.clear()
    Article.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"inserted {number} articles in {time.perf_counter() - started:.0f} s")
    return words, [s.slug for s in sources]


def queries(words, source_slugs, count, rng):
    """Return `count` query strings (GET parameters) of mixed kinds."""
    made = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            params = {"q": rng.choice(words)}
        elif kind < 0.7:
            params = {"q": f"{rng.choice(words)} {rng.choice(words)}"}
        elif kind < 0.85:
            params = {"q": rng.choice(words)[:5]}
        else:
            params = {"q": text.fold(rng.choice(words))}
        if rng.random() < 0.2:
            if rng.random() < 0.5:
                params["source"] = rng.choice(source_slugs)
            else:
                params["date_from"] = f"2025-{rng.randint(1, 12):02d}-01"
        made.append(params)
    return made


def time_searches(all_params):
    factory = RequestFactory()
    query_ms, page_ms, found = [], [], []
    translation.activate("az")
    for params in all_params:
        request = factory.get("/search/", params)
        request.user = AnonymousUser()
        started = time.perf_counter()
        filterset = ArticleSearchFilter(
            request.GET,
            queryset=views.visible_articles(),
            request=request,
            sources=list(Source.objects.only("slug", "name")),
            categories=PageFragments(request).menu(),
        )
        assert filterset.is_valid(), filterset.errors
        choices_done = time.perf_counter()
        page = views.paginate(request, filterset.results().for_snippets().counted_page)
        search.decorate(page.object_list, search.terms(params["q"]))
        query_ms.append((time.perf_counter() - choices_done) * 1000)
        found.append(page.paginator.count)

        started = time.perf_counter()
        response = views.search_view(request)
        assert response.status_code == 200
        page_ms.append((time.perf_counter() - started) * 1000)
    return query_ms, page_ms, found


def percentile(values, share):
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    support.create_database(NAME)
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable")  # the cache when REDIS_URL is not set
        words, source_slugs = fill(args.articles, rng)
        warm_up = queries(words, source_slugs, 30, rng)
        time_searches(warm_up)
        all_searches = queries(words, source_slugs, args.searches, rng)
        query_ms, page_ms, found = time_searches(all_searches)
        print(f"{args.searches} searches on {args.articles} articles")
        print(f"results per search: median {statistics.median(found):.0f}, max {max(found)}")
        for label, values in (("query", query_ms), ("page ", page_ms)):
            p50, p95 = percentile(values, 50), percentile(values, 95)
            print(f"{label}: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {max(values):6.1f} ms")
        slowest = sorted(zip(query_ms, all_searches, strict=True), key=lambda pair: -pair[0])[:5]
        print("slowest:", ", ".join(f"{ms:.0f} ms {params}" for ms, params in slowest))
        verdict = "met" if percentile(query_ms, 95) < GOAL_MS else "MISSED"
        print(f"goal: query p95 < {GOAL_MS} ms: {verdict}")
        connections.close_all()
    finally:
        if not args.keep:
            connections.close_all()
            support.drop_database(NAME)
        else:
            print(f"kept database {NAME}")
    return 0 if percentile(query_ms, 95) < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
