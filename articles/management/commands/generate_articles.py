"""Generate many realistic published articles, for benchmarks and trying the site at scale.

    python manage.py generate_articles 1000000 [--language az|ru] [--days 730] [--seed 1]

Text is assembled from the seed dump's paragraphs and titles (Russian from a few paragraphs
of our own); articles are spread over the sources, categories, labels and the last `--days`
days, each with one to three daily-views rows adding up to its total. Nothing else is touched.

On PostgreSQL the database makes the rows itself, in one INSERT ... SELECT over
generate_series (a million in about two minutes on a 2-core machine): Python writes a pool of
texts, with their search vectors computed once each by the trigger's own functions (migration
0020), and the rows pick from it, oldest first, so ids and the table's order follow
publication as on a real site. A large load (as many new articles as there are, from 20 000
on) drops the tables' indexes, unique and foreign-key constraints and builds them again at the
end, all in one transaction: building an index once is many times cheaper than updating it
per row, and a load that fails leaves the database as it was. Readers of the site wait for
the articles table meanwhile. Elsewhere (SQLite) rows go in with bulk_create, in batches.
"""

import random
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from tqdm import tqdm

from articles import related, text
from articles.caching import articles_changed
from articles.importers.seed_dump import parse_seed_file
from articles.models import Article, Category, DailyViews, Language, Source

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "000_50356239f90487a7.txt"
BATCH = 5000
# From this many new articles on (and at least as many as there are), the tables' indexes and
# constraints are dropped during the load and built again at the end.
REBUILD_INDEXES_FROM = 20000
# Distinct texts (title and body) per language the PostgreSQL load picks from.
POOL_SIZE = 4000
LOADED_TABLES = ("articles_article", "articles_dailyviews")

# Sources to spread articles over when the database has none (names from PORTAL.md).
DEFAULT_SOURCES = (
    ("Azertag", "agency", "https://azertag.az", "az"),
    ("APA", "agency", "https://apa.az", "az"),
    ("Report.az", "agency", "https://report.az", "az"),
    ("Oxu.az", "site", "https://oxu.az", "az"),
    ("Qafqazinfo", "site", "https://qafqazinfo.az", "az"),
    ("525.az", "portal", "https://525.az", "az"),
    ("1news.az", "site", "https://www.1news.az", "ru"),
    ("Haqqin.az", "site", "https://www.haqqin.az", "ru"),
)
DEFAULT_CATEGORIES = (
    ("siyaset", "Siyasət", "Политика"),
    ("iqtisadiyyat", "İqtisadiyyat", "Экономика"),
    ("idman", "İdman", "Спорт"),
    ("dunya", "Dünya", "Мир"),
    ("medeniyyet", "Mədəniyyət", "Культура"),
)
RU_PARAGRAPHS = (
    "В Баку состоялось заседание, на котором обсуждались итоги прошедшего года и планы на "
    "ближайшие месяцы.",
    "По словам участников, реализация проектов идет в соответствии с утвержденным графиком.",
    "Эксперты отмечают, что развитие региональной инфраструктуры остается одним из главных "
    "приоритетов.",
    "Министерство сообщило, что работы будут завершены до конца текущего квартала.",
    "В мероприятии приняли участие представители государственных структур и международных "
    "организаций.",
    "Синоптики прогнозируют переменную облачность, в отдельных районах возможны осадки.",
    "Стороны подписали меморандум о сотрудничестве в сфере образования и науки.",
    "Жители города смогут воспользоваться новыми услугами уже в следующем месяце.",
)
RU_TITLES = (
    "В Азербайджане ожидаются сильные морозы",
    "Президент принял участие в открытии нового центра",
    "Экспорт ненефтяной продукции вырос за год",
    "Сборная Азербайджана провела товарищеский матч",
    "В Баку открылась международная выставка",
    "Названы сроки завершения ремонта дорог",
    "Цены на продукты на рынках столицы",
    "Новые правила въезда вступают в силу",
)
# What a row of the PostgreSQL load is made of: `picks` draws each row's random numbers
# (oldest first), `rows` turns them into the article. %(name)s are the command's parameters.
PICKS_SQL = """
SELECT published_at, language,
       1 + floor(random() * %(pool)s)::int AS text_number,
       random() AS u_label, random() AS u_label_pick,
       random() AS u_category, random() AS u_category_pick,
       random() AS u_source, random() AS u_source_pick,
       least(floor(20 / power(1 - random(), 1 / 1.2)), 2000000000)::int AS views
FROM (
  SELECT %(now)s::timestamptz - floor(random() * %(seconds)s) * interval '1 second'
           AS published_at,
         coalesce(%(language)s::text, CASE WHEN random() < 0.2 THEN 'ru' ELSE 'az' END) AS language
  FROM generate_series(1, %(count)s)
) AS drawn
ORDER BY published_at
"""
ROWS_SQL = f"""
SELECT id, language, published_at, text_number, views,
       CASE WHEN u_label < 0.1 THEN
         CASE language
           WHEN 'az' THEN (%(az_labels)s::text[])[1 + floor(u_label_pick * %(az_label_count)s)]
           ELSE (%(ru_labels)s::text[])[1 + floor(u_label_pick * %(ru_label_count)s)]
         END
       ELSE '' END AS label,
       CASE WHEN u_category < 0.8 THEN
         (%(categories)s::int[])[1 + floor(u_category_pick * %(category_count)s)]
       END AS category_id,
       CASE WHEN u_source < 0.9 THEN 1 + floor(u_source_pick * %(source_count)s)::int END
         AS source_number
FROM (SELECT nextval(%(sequence)s::regclass) AS id, picks.* FROM ({PICKS_SQL}) AS picks) AS numbered
"""
LOAD_SQL = f"""
WITH new AS (
  INSERT INTO articles_article (
    id, language, title, title_words, slug, lead, body, image, image_caption, label, author_name,
    author_position, category_id, source_id, source_url, archived_at, status, published_at,
    created_at, updated_at, views, comment_count, comments_closed, search_head, search_vector
  )
  SELECT row.id, row.language, pool.title, pool.title_words, pool.slug, '', pool.body, '', '',
         row.label, '', '',
         row.category_id, (%(source_ids)s::int[])[row.source_number],
         coalesce((%(homepages)s::text[])[row.source_number] || '/news/' || row.id, ''),
         CASE WHEN row.source_number IS NOT NULL THEN row.published_at END, 'published',
         row.published_at, row.published_at, row.published_at, row.views, 0, false,
         pool.search_head, pool.search_vector
  FROM ({ROWS_SQL}) AS row
  JOIN generate_articles_pool AS pool
    ON pool.language = row.language AND pool.number = row.text_number
  RETURNING id, views, (published_at AT TIME ZONE 'Asia/Baku')::date AS first_day
)
INSERT INTO articles_dailyviews (article_id, day, views)
SELECT new.id, new.first_day + share.day_offset, share.views
FROM new
CROSS JOIN LATERAL (SELECT 1 + new.id %% 3 AS days, new.views / 2 AS half) AS split
CROSS JOIN LATERAL (
  VALUES
    (0, CASE WHEN split.days = 1 THEN new.views ELSE split.half END),
    (1, CASE split.days WHEN 2 THEN new.views - split.half
                        WHEN 3 THEN (new.views - split.half) / 2 END),
    (2, CASE WHEN split.days = 3 THEN new.views - split.half - (new.views - split.half) / 2 END)
) AS share (day_offset, views)
WHERE share.views > 0
"""


class Command(BaseCommand):
    help = "Create N realistic published articles with daily views (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="how many articles to create")
        parser.add_argument("--language", choices=Language.values, help="default: both, 4:1")
        parser.add_argument("--days", type=int, default=730, help="spread over this many days")
        parser.add_argument("--seed", type=int, default=1, help="random seed (repeatable runs)")
        parser.add_argument("--dry-run", action="store_true", help="only say what would be made")

    def handle(self, *args, count, language, days, seed, dry_run, verbosity, **options):
        if count < 1 or days < 1:
            raise CommandError("COUNT and --days must be positive.")
        if dry_run:
            self.stdout.write(f"Would create {count} articles over the last {days} days.")
            return
        self.random = random.Random(seed)
        self.corpus = self._corpus()
        self.sources = self._sources()
        self.categories = list(Category.objects.values_list("id", flat=True)) or self._categories()
        self.language, self.days, self.now = language, days, timezone.now()
        self.verbosity = verbosity
        started = time.monotonic()
        if connection.vendor == "postgresql":
            self._generate_in_database(count, seed)
        else:
            self._generate_in_batches(count)
        articles_changed()
        if verbosity:
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Created {count} articles in {elapsed:.0f} s."))

    # --- What goes in ----------------------------------------------------------------------

    def _corpus(self):
        page = parse_seed_file(SEED_FILE)
        az_titles = [page.article.title, *(entry.title for entry in page.most_read)]
        return {
            "az": (list(page.article.paragraphs), az_titles),
            "ru": (list(RU_PARAGRAPHS), list(RU_TITLES)),
        }

    def _sources(self):
        if not Source.objects.exists():
            for name, kind, homepage, language in DEFAULT_SOURCES:
                Source.objects.get_or_create(
                    name=name,
                    defaults={
                        "slug": text.slugify_title(name),
                        "kind": kind,
                        "homepage": homepage,
                        "language": language,
                    },
                )
        return list(Source.objects.values_list("id", "homepage"))

    def _categories(self):
        for position, (slug, name_az, name_ru) in enumerate(DEFAULT_CATEGORIES):
            Category.objects.get_or_create(
                slug=slug, defaults={"name_az": name_az, "name_ru": name_ru, "position": position}
            )
        return list(Category.objects.values_list("id", flat=True))

    def _text(self, language):
        """Return (title, slug, body) of one article in `language`."""
        pick = self.random
        paragraphs, titles = self.corpus[language]
        first, second = pick.choice(titles).split(), pick.choice(titles).split()
        title = " ".join(first[: max(2, len(first) // 2)] + second[len(second) // 2 :])[:300]
        body = "".join(
            f"<p>{escape(p)}</p>" for p in pick.sample(paragraphs, min(len(paragraphs), 4))
        )
        return title, text.slugify_title(title), body

    @staticmethod
    def _labels(language):
        return list(text.KNOWN_LABELS[:10] if language == "az" else text.KNOWN_LABELS[10:])

    def _article(self):
        pick = self.random
        language = self.language or ("ru" if pick.random() < 0.2 else "az")
        title, slug, body = self._text(language)
        published = self.now - timedelta(seconds=pick.randrange(self.days * 86400))
        source_id = pick.choice(self.sources)[0] if pick.random() < 0.9 else None
        views = int(pick.paretovariate(1.2) * 20)
        return {
            "language": language,
            "title": title,
            "slug": slug,
            "body": body,
            "label": pick.choice(self._labels(language)) if pick.random() < 0.1 else "",
            "category_id": pick.choice(self.categories) if pick.random() < 0.8 else None,
            "source_id": source_id,
            "archived_at": published if source_id else None,
            "status": Article.Status.PUBLISHED,
            "published_at": published,
            "created_at": published,
            "updated_at": published,
            "views": views,
        }

    def _daily(self, article_id, row):
        """Split an article's views over its first one to three days (Baku time)."""
        first_day = timezone.localtime(row["published_at"], text.BAKU_TZ).date()
        days = self.random.randint(1, 3)
        views, rows = row["views"], []
        for offset in range(days):
            share = views if offset == days - 1 else views // 2
            if share:
                rows.append((article_id, first_day + timedelta(days=offset), share))
            views -= share
        return rows

    # --- SQLite and others: bulk_create in batches -----------------------------------------

    def _generate_in_batches(self, count):
        with tqdm(
            total=count, unit=" articles", disable=not self.verbosity, file=self.stderr
        ) as bar:
            done = 0
            while done < count:
                size = min(BATCH, count - done)
                with transaction.atomic():
                    self._bulk_create([self._article() for _ in range(size)])
                done += size
                bar.update(size)

    def _bulk_create(self, rows):
        articles = [Article(**row) for row in rows]
        Article.objects.bulk_create(articles, batch_size=500)
        # Unique per import, as real links are; the id (known now) makes it so.
        homepages = dict(self.sources)
        for article in articles:
            if article.source_id:
                article.source_url = f"{homepages[article.source_id]}/news/{article.pk}"
        Article.objects.bulk_update(articles, ["source_url"], batch_size=500)
        daily = [
            DailyViews(article_id=article_id, day=day, views=views)
            for article, row in zip(articles, rows, strict=True)
            for article_id, day, views in self._daily(article.pk, row)
        ]
        DailyViews.objects.bulk_create(daily, batch_size=500)

    # --- PostgreSQL: the database makes the rows -------------------------------------------

    def _generate_in_database(self, count, seed):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article")
            existing = cursor.fetchone()[0]
        rebuild = count >= max(REBUILD_INDEXES_FROM, existing)
        with transaction.atomic(), connection.cursor() as cursor:
            # The site's per-statement limit is for requests; a load is one long statement.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            self._make_pool(cursor)
            dropped = self._drop_indexes_and_constraints(cursor) if rebuild else []
            self._say(f"Inserting {count} articles...")
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            self._timed(cursor, LOAD_SQL, self._load_parameters(count))
            if dropped:
                self._say(f"Building {len(dropped)} indexes and constraints again...")
            for statement in dropped:
                self._timed(cursor, statement)
            cursor.execute("DROP TABLE generate_articles_pool")
        with connection.cursor() as cursor:
            # What autovacuum would do in a while: statistics for the planner, and the pages
            # marked all-visible, so index-only scans need not read the table. Longer than the
            # site's statement limit; inside a caller's transaction (tests) VACUUM cannot run.
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute("SET statement_timeout = 0")
            cursor.execute(f"{vacuum} articles_article, articles_dailyviews")
            cursor.execute("RESET statement_timeout")

    def _make_pool(self, cursor):
        """Write the texts rows pick from, with their search vectors computed once each."""
        cursor.execute(
            "CREATE TEMPORARY TABLE generate_articles_pool (language varchar(2), number integer, "
            "title text, title_words text, slug text, body text, search_head tsvector, "
            "search_vector tsvector, "
            "PRIMARY KEY (language, number)) ON COMMIT DROP"
        )
        for language in self.corpus:
            titles, slugs, bodies = zip(
                *(self._text(language) for _ in range(POOL_SIZE)), strict=True
            )
            cursor.execute(
                "INSERT INTO generate_articles_pool "
                "SELECT %s, number, title, words, slug, body, head, "
                "head || articles_search_body(body) "
                "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) WITH ORDINALITY "
                "  AS pool (title, words, slug, body, number), "
                "LATERAL articles_search_head(title, '') AS head",
                [
                    language,
                    list(titles),
                    [related.stored_title_words(title) for title in titles],
                    list(slugs),
                    list(bodies),
                ],
            )
        cursor.execute("ANALYZE generate_articles_pool")

    def _load_parameters(self, count):
        source_ids = [source_id for source_id, _homepage in self.sources]
        return {
            "count": count,
            "now": self.now,
            "seconds": self.days * 86400,
            "language": self.language,
            "pool": POOL_SIZE,
            "sequence": "articles_article_id_seq",
            "az_labels": self._labels("az"),
            "az_label_count": len(self._labels("az")),
            "ru_labels": self._labels("ru"),
            "ru_label_count": len(self._labels("ru")),
            "categories": self.categories,
            "category_count": len(self.categories),
            "source_ids": source_ids,
            "homepages": [homepage for _source_id, homepage in self.sources],
            "source_count": len(source_ids),
        }

    def _drop_indexes_and_constraints(self, cursor):
        """Drop the loaded tables' indexes (not primary keys), unique and foreign-key
        constraints; return the statements that make them again, indexes first."""
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') "
            "ORDER BY contype DESC, conname",  # unique ones before the keys that need them
            [list(LOADED_TABLES)],
        )
        constraints = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT index.indexrelid::regclass::text, pg_get_indexdef(index.indexrelid) "
            "FROM pg_index AS index WHERE index.indrelid = ANY(%s::regclass[]) "
            "AND NOT index.indisprimary ORDER BY 1",
            [list(LOADED_TABLES)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in indexes] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, definition in constraints
        ]

    def _timed(self, cursor, statement, parameters=None):
        started = time.monotonic()
        cursor.execute(statement, parameters)
        if self.verbosity > 1:
            self.stdout.write(f"  {time.monotonic() - started:6.1f} s  {statement.strip()[:90]}")

    def _say(self, message):
        if self.verbosity:
            self.stdout.write(message)
