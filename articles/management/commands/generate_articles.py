"""Generate many realistic published articles, for benchmarks and trying the site at scale.

    python manage.py generate_articles 1000000 [--language az|ru] [--days 730] [--seed 1]

Text is assembled from the seed dump's paragraphs and titles (Russian from a few paragraphs
of our own); articles are spread over the sources, categories, labels and the last `--days`
days, each with one to three daily-views rows adding up to its total. On PostgreSQL rows go in
with COPY (a million in a few minutes), elsewhere with bulk_create. Nothing else is touched.
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

from articles import text
from articles.caching import articles_changed
from articles.importers.seed_dump import parse_seed_file
from articles.models import Article, Category, DailyViews, Language, Source

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "000_50356239f90487a7.txt"
BATCH = 5000
# From this many new articles on, the search's GIN index is dropped during the load and built
# again at the end: one build is about twice as fast as updating it row by row.
REBUILD_SEARCH_INDEX_FROM = 20000
SEARCH_INDEX = "article_search_vector"

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
ARTICLE_COLUMNS = (
    "id",
    "language",
    "title",
    "slug",
    "lead",
    "body",
    "image",
    "image_caption",
    "label",
    "author_name",
    "author_position",
    "category_id",
    "source_id",
    "source_url",
    "archived_at",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "views",
    "comment_count",
    "comments_closed",
)


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
        postgresql = connection.vendor == "postgresql"
        insert = self._copy if postgresql else self._bulk_create
        started = time.monotonic()
        rebuild = postgresql and count >= REBUILD_SEARCH_INDEX_FROM and self._drop_search_index()
        try:
            with tqdm(
                total=count, unit=" articles", disable=not verbosity, file=self.stderr
            ) as bar:
                done = 0
                while done < count:
                    size = min(BATCH, count - done)
                    with transaction.atomic():
                        insert([self._article() for _ in range(size)])
                    done += size
                    bar.update(size)
        finally:
            if rebuild:
                if verbosity:
                    self.stdout.write("Rebuilding the search index...")
                self._create_search_index()
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE articles_article; ANALYZE articles_dailyviews")
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

    def _article(self):
        pick = self.random
        language = self.language or ("ru" if pick.random() < 0.2 else "az")
        paragraphs, titles = self.corpus[language]
        first, second = pick.choice(titles).split(), pick.choice(titles).split()
        title = " ".join(first[: max(2, len(first) // 2)] + second[len(second) // 2 :])[:300]
        body = "".join(
            f"<p>{escape(p)}</p>" for p in pick.sample(paragraphs, min(len(paragraphs), 4))
        )
        published = self.now - timedelta(seconds=pick.randrange(self.days * 86400))
        source_id, homepage = pick.choice(self.sources) if pick.random() < 0.9 else (None, "")
        views = int(pick.paretovariate(1.2) * 20)
        labels = text.KNOWN_LABELS[:10] if language == "az" else text.KNOWN_LABELS[10:]
        return {
            "language": language,
            "title": title,
            "slug": text.slugify_title(title),
            "lead": "",
            "body": body,
            "image": "",
            "image_caption": "",
            "label": pick.choice(labels) if pick.random() < 0.1 else "",
            "author_name": "",
            "author_position": "",
            "category_id": pick.choice(self.categories) if pick.random() < 0.8 else None,
            "source_id": source_id,
            "homepage": homepage,
            "archived_at": published if source_id else None,
            "status": Article.Status.PUBLISHED,
            "published_at": published,
            "created_at": published,
            "updated_at": published,
            "views": views,
            "comment_count": 0,
            "comments_closed": False,
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

    # --- How it goes in ---

    def _drop_search_index(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
            if cursor.fetchone() is None:
                return False
            cursor.execute(f"DROP INDEX {SEARCH_INDEX}")
        return True

    def _create_search_index(self):
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} "
                "ON articles_article USING gin (search_vector)"
            )

    # --- How it goes in --------------------------------------------------------------------

    def _copy(self, rows):
        with connection.cursor() as cursor:
            # Generated data: a crash loses the last batch at worst, so skip waiting for fsync.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('articles_article', 'id')) "
                "FROM generate_series(1, %s)",
                [len(rows)],
            )
            ids = [found for (found,) in cursor.fetchall()]
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            columns = ", ".join(ARTICLE_COLUMNS)
            daily = []
            with raw.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
                for article_id, row in zip(ids, rows, strict=True):
                    row["id"] = article_id
                    row["source_url"] = self._source_url(row)
                    copy.write_row([row[column] for column in ARTICLE_COLUMNS])
                    daily.extend(self._daily(article_id, row))
            with raw.copy("COPY articles_dailyviews (article_id, day, views) FROM STDIN") as copy:
                for values in daily:
                    copy.write_row(values)

    def _bulk_create(self, rows):
        fields = {column for column in ARTICLE_COLUMNS if column != "id"}
        articles = []
        for row in rows:
            row["source_url"] = ""
            articles.append(Article(**{key: row[key] for key in fields}))
        Article.objects.bulk_create(articles, batch_size=500)
        daily = [
            DailyViews(article_id=article_id, day=day, views=views)
            for article, row in zip(articles, rows, strict=True)
            for article_id, day, views in self._daily(article.pk, row)
        ]
        DailyViews.objects.bulk_create(daily, batch_size=500)

    @staticmethod
    def _source_url(row):
        # Unique per import, as real links are; the id makes it so.
        return f"{row['homepage']}/news/{row['id']}" if row["source_id"] else ""
