"""Measure story matching: cost per arriving article at 1 000 and 1 000 000 indexed articles,
and feed import with matching on, in entries per second.

    .venv/bin/python bench/perf/stories.py [--large 1000000] [--arrivals 300] [--entries 3000]
        [--profile FILE]

Creates a scratch PostgreSQL database (on --database-url, default BENCH_DATABASE_URL, else
postgres://root@127.0.0.1:5432/postgres) and drops it at the end. The texts are generated:
events with their own names, places and numbers, each reported by one to four sources as
near-copies (another attribution line) or rewrites (other words around the same names).

1. 1 000 articles of the last three days are imported through `match_articles` (the real path),
   then `--arrivals` new articles are matched one at a time: the cost per article.
2. The index is grown to `--large` articles by writing the rows directly (articles, stories,
   fingerprints and 16 keys each, spread over two years as a real archive is; the term keys
   drawn, skewed, from the same pool of names the texts use, so look-ups do meet them), then
   as many new arrivals are matched again. Generating a million articles through the importer
   would take hours here; the rows are what the look-up reads, so this is the same index.
3. A feed of --entries such entries is imported with `import_source`, twice with matching off
   and twice on, alternated: entries/s. --large 1000 skips step 2 (the 1 000 are there already).
"""

import argparse
import contextlib
import cProfile
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--arrivals", type=int, default=300)
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--database-url", default=support.SERVER_URL)
    parser.add_argument(
        "--profile", metavar="FILE", help="write cProfile statistics of the matched imports here"
    )
    return parser.parse_args()


ARGS = arguments()
SCRATCH = f"bench_stories_{uuid.uuid4().hex[:8]}"
# The feed is served on 127.0.0.1, which the importer refuses unless told.
support.setup_django(
    support.site_env(support.database_url(SCRATCH, ARGS.database_url), FEED_IMPORT_PRIVATE_HOSTS=1)
)

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import stories  # noqa: E402
from articles.importers.feeds import import_source  # noqa: E402
from articles.models import Article, Source, Story, StoryKey  # noqa: E402

RANDOM = random.Random(18)
SYLLABLES = "ba be ca ce da de ga ge ka la le ma me na ne ra re sa se ta te va ve ya za zə".split()
WORDS = [
    "".join(RANDOM.choice(SYLLABLES) for _ in range(RANDOM.randint(2, 4))) for _ in range(4000)
]
NAMES = [
    "".join(RANDOM.choice(SYLLABLES) for _ in range(RANDOM.randint(2, 3))).capitalize() + "ov"
    for _ in range(5000)
]
SAYS = ["{} xəbər verir ki,", "{} məlumat yayır ki,", "{} bildirir ki,"]


def event():
    """Return (names, numbers, words) of one made-up event."""
    names = [RANDOM.choice(NAMES[: 500 if RANDOM.random() < 0.3 else 5000]) for _ in range(4)]
    return names, [str(RANDOM.randint(2, 999)) for _ in range(2)], RANDOM.sample(WORDS, 80)


def text_of(story, source, rewrite):
    names, numbers, words = story
    if rewrite:
        words = RANDOM.sample(words, 60) + RANDOM.sample(WORDS, 20)
    sentences = []
    for n in range(8):
        chunk = words[n * 10 : n * 10 + 10]
        chunk.insert(3, names[n % 4])
        chunk.insert(6, numbers[n % 2])
        sentences.append(" ".join(chunk).capitalize() + ".")
    title = f"{names[0]} {words[0]} {names[1]} {numbers[0]} {words[1]}"
    lead = sentences[0]
    body = f"<p>{RANDOM.choice(SAYS).format(source)} {' '.join(sentences[1:4])}</p>"
    body += f"<p>{' '.join(sentences[4:])}</p>"
    return title, lead, body


def articles_for(count, sources, start, spread):
    """Yield unsaved articles: events reported by 1-4 sources, near-copies and rewrites."""
    made = 0
    while made < count:
        story = event()
        moment = start + spread * RANDOM.random()
        for version in range(min(RANDOM.randint(1, 4), count - made)):
            source = RANDOM.choice(sources)
            title, lead, body = text_of(story, source.name, rewrite=version > 0 and version % 2)
            yield Article(
                language="az",
                title=title,
                slug=f"x-{made}",
                lead=lead,
                body=body,
                source=source,
                status=Article.Status.PUBLISHED,
                published_at=moment + timedelta(minutes=7 * version),
            )
            made += 1


def arrivals(sources, now):
    """Match --arrivals new articles one at a time; return milliseconds per article."""
    fresh = Article.objects.bulk_create(
        articles_for(ARGS.arrivals, sources, now - timedelta(hours=6), timedelta(hours=6))
    )
    times = []
    for article in fresh:
        started = time.perf_counter()
        stories.match_articles([article])
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label, times):
    times = sorted(times)
    print(
        f"{label}: matching one arriving article: median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms, mean {statistics.mean(times):.2f} ms "
        f"({len(times)} arrivals)"
    )


def table_indexes(cursor, tables):
    """Return [(name, definition)] of the secondary indexes of these tables."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND i.indexname NOT IN (
            SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""",
        [tables],
    )
    return cursor.fetchall()


def grow_index(total, now):
    """Write articles, stories, fingerprints and keys directly up to `total` articles.

    Set-based INSERT ... SELECT statements, with the secondary indexes of the big tables
    dropped while they fill and built again afterwards (as a restore does): a million
    articles and sixteen million keys in minutes rather than hours.
    """
    missing = total - Article.objects.count()
    if missing <= 0:
        return
    name_keys = [stories.term_keys([stories.stem(name, "az")])[0] for name in NAMES]
    started = time.perf_counter()
    big = ["articles_article", "articles_story", "articles_storyfingerprint", "articles_storykey"]
    with connection.cursor() as cursor:
        # The site's statement timeout is for readers' queries, not for loading an archive.
        cursor.execute("SET statement_timeout = 0")
        indexes = table_indexes(cursor, big)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("CREATE TEMP TABLE bench_names (n int PRIMARY KEY, key bigint)")
        cursor.executemany("INSERT INTO bench_names VALUES (%s, %s)", list(enumerate(name_keys)))
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_article")
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            """INSERT INTO articles_article (id, language, title, slug, lead, body, image,
                image_caption, label, author_name, author_position, source_url, status,
                published_at, created_at, updated_at, views, comment_count, comments_closed)
            SELECT i, 'az', 'Arxiv xəbəri ' || i, 'arxiv-' || i, '', '<p>Arxiv</p>', '', '',
                '', '', '', '', 'published',
                %s - mod(i, 730) * interval '1 day' - mod(i, 1440) * interval '1 minute',
                %s, %s, 0, 0, false
            FROM generate_series(%s, %s) AS i""",
            [now, now, now, first, first + missing - 1],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('articles_article', 'id'), %s)",
            [first + missing],
        )
        cursor.execute(
            """INSERT INTO articles_story (language, lead_article_id, lead_chosen, source_count,
                article_count, last_published_at, created_at)
            SELECT 'az', id, false, 1, 1, published_at, %s FROM articles_article
            WHERE id >= %s""",
            [now, first],
        )
        cursor.execute(
            """UPDATE articles_article a SET story_id = s.id FROM articles_story s
            WHERE s.lead_article_id = a.id AND a.id >= %s""",
            [first],
        )
        cursor.execute(
            """INSERT INTO articles_storyfingerprint (article_id, language, published_at,
                signature, terms)
            SELECT id, 'az', published_at, '', '{"words": {}, "names": []}'::jsonb
            FROM articles_article WHERE id >= %s""",
            [first],
        )
        # 8 band keys (random: near-copies are rare) and 8 term keys (names, skewed: a few
        # names are in many articles) per article.
        cursor.execute(
            """INSERT INTO articles_storykey (key, language, published_at, article_id)
            SELECT CASE WHEN k < 8 THEN (random() * 9e18 - 4.5e18)::bigint
                        ELSE (%s::bigint[])[1 + floor(power(random(), 2) * %s)::int] END,
                   'az', a.published_at, a.id
            FROM articles_article a, generate_series(0, 15) AS k WHERE a.id >= %s""",
            [name_keys, len(name_keys), first],
        )
        loaded = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
        cursor.execute("RESET statement_timeout")
    print(
        f"index grown to {Article.objects.count()} articles, {StoryKey.objects.count()} keys "
        f"(direct writes: {loaded - started:.0f} s, {len(indexes)} indexes built again: "
        f"{time.perf_counter() - loaded:.0f} s)"
    )


def explain_lookup(sources, now):
    """Print the plans of the matching's reads of the index for one arriving article."""
    article = Article.objects.create(
        language="az",
        title="Explain",
        slug="explain",
        body=next(articles_for(1, sources, now, timedelta(0))).body,
        source=sources[0],
        status=Article.Status.PUBLISHED,
        published_at=now,
    )
    connection.force_debug_cursor = True
    try:
        with CaptureQueriesContext(connection) as queries:
            stories.match_articles([article])
    finally:
        connection.force_debug_cursor = False
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and ("storykey" in sql or "storyfingerprint" in sql):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            table = "storykey" if "storykey" in sql else "storyfingerprint"
            print(f"EXPLAIN ANALYZE of the {table} read:")
            print("\n".join("    " + line for line in plan))


def import_feed(sources, now, name, matching=True):
    """Import a feed of --entries generated entries; return entries/s."""
    entries = articles_for(ARGS.entries, sources, now - timedelta(hours=48), timedelta(hours=47))
    items = "".join(
        f"<item><title>{a.title}</title><link>https://{name}.example/{n}</link>"
        f"<pubDate>{format_datetime(a.published_at)}</pubDate>"
        f"<description><![CDATA[<p>{a.lead}</p>{a.body}]]></description></item>"
        for n, a in enumerate(entries)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench'
        f"</title><link>https://bench.example</link><description>-</description>{items}"
        "</channel></rss>"
    ).encode()
    httpd, url = support.serve_feed(body)
    source = Source.objects.create(
        name=name,
        slug=name,
        homepage="https://bench.example",
        feed_url=url,
        is_active=True,
        publish_imported=True,
    )
    match = stories.match_arrivals
    if not matching:
        stories.match_arrivals = lambda articles, **options: 0
    profile = cProfile.Profile() if ARGS.profile and matching else None
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with profile or contextlib.nullcontext():
            result = import_source(source)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        stories.match_arrivals = match
        httpd.shutdown()
    joined = Article.objects.filter(source=source).values("story").distinct().count()
    print(
        f"feed import, matching {'on' if matching else 'off'}: {result.new} entries in "
        f"{seconds:.2f} s = {result.new / seconds:.0f} entries/s (this process's CPU: {cpu:.2f} s)"
        + (f"; they form {joined} stories" if matching else "")
    )
    if profile:
        profile.dump_stats(ARGS.profile)
    return result.new / seconds


def run():
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    now = timezone.now()
    sources = [
        Source.objects.create(name=f"Mənbə{n}.az", slug=f"menbe-{n}", homepage="https://x.az")
        for n in range(12)
    ]
    recent = list(articles_for(1000, sources, now - timedelta(hours=72), timedelta(hours=66)))
    recent.sort(key=lambda article: article.published_at)
    stored = Article.objects.bulk_create(recent)
    for start in range(0, len(stored), 100):
        stories.match_articles(stored[start : start + 100])
    print(
        f"1 000 recent articles matched: {Story.objects.count()} stories "
        f"({Article.objects.values('story').distinct().count()} with articles)"
    )
    report(f"{Article.objects.count()} articles indexed", arrivals(sources, now))
    grow_index(ARGS.large, now)
    report(f"{Article.objects.count()} articles indexed", arrivals(sources, now))
    explain_lookup(sources, now)
    # Alternated, so both see the same load on a shared machine.
    off, on = [], []
    for n in range(2):
        off.append(import_feed(sources, now, f"plain-{n}", matching=False))
        on.append(import_feed(sources, now, f"matched-{n}"))
    print(f"import with matching: {max(on) / max(off):.0%} of the rate without it")


def main():
    support.create_database(SCRATCH, ARGS.database_url)
    try:
        run()
    finally:
        connections.close_all()
        support.drop_database(SCRATCH, ARGS.database_url)


if __name__ == "__main__":
    main()
