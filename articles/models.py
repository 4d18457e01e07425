import functools
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles import embeds, images, prepared, related, search, text
from articles.html import first_paragraph
from articles.importers import messages

# List pages (source, category, label, day, search) page through at most this many of the
# newest matching articles: the work per page stays bounded however large the site grows;
# older news is reached through the day archive.
LIST_LIMIT = 1000
# Search ranks the newest matches only: finding them costs a check of each newer article, so
# the bound keeps a search for a common word fast (bench/perf/search.py).
SEARCH_LIMIT = 300
# An article saved later than this after its publication shows "Yenilənib 14:05".
CHANGE_SHOWN_AFTER = timedelta(minutes=1)
# A status not loaded (a deferred field): Article.save() then leaves `went_live_at` alone.
_UNKNOWN = object()
# What a list item shows (title, label, time, views, link).
LIST_FIELDS = ("id", "language", "slug", "title", "label", "published_at", "views")
# What the article page reads of the rows it joins (`for_page()`): of its translation only the
# link, the address and whether readers may see it; of its source the name, the address, the
# attribution's kind and the republishing terms. The other columns are deferred
# (`page_deferred()`): fewer to compile and to turn into objects, and a column added later is
# left out unless named here.
PAGE_LINK_FIELDS = ("id", "language", "slug", "status", "published_at", "translation")
PAGE_SOURCE_FIELDS = ("id", "name", "slug", "kind", "homepage", "republish")


@functools.cache
def page_deferred():
    """Return the joined columns the article page does not read, for `defer()`."""
    links = [
        f"{link}__{field.name}"
        for link in ("translation", "translated_from")
        for field in Article._meta.concrete_fields
        if field.name not in PAGE_LINK_FIELDS
    ]
    sources = [
        f"source__{field.name}"
        for field in Source._meta.concrete_fields
        if field.name not in PAGE_SOURCE_FIELDS
    ]
    return (*links, *sources)


class Language(models.TextChoices):
    # Named in the reader's language, like settings.LANGUAGES: these label form fields and
    # columns, not the language switch (which names each language in itself).
    AZ = "az", _("Azerbaijani")
    RU = "ru", _("Russian")


# A slug that reverse() leaves as it is (it percent-encodes anything else).
PLAIN_SLUG = re.compile(r"[A-Za-z0-9_-]+")


def article_path(language, slug, pk):
    """Return reverse("articles:detail") of an article in `language`, the URL pattern resolved
    once per language (lists show twenty or more articles, each reverse() costs ~15 µs)."""
    if not PLAIN_SLUG.fullmatch(slug or ""):
        with translation.override(language):
            return reverse("articles:detail", kwargs={"slug": slug, "pk": pk})
    before, after = _article_path_parts(language, get_script_prefix(), get_urlconf())
    return f"{before}{slug}-{pk}{after}"


@functools.lru_cache(maxsize=32)
def _article_path_parts(language, _script_prefix, _urlconf):
    """What comes before the slug and after the id in an article's path (cached per language,
    script prefix and URL configuration)."""
    with translation.override(language):
        path = reverse("articles:detail", kwargs={"slug": "x", "pk": 1})
    before, after = path.rsplit("x-1", 1)
    return before, after


# Language.values builds its list anew on every call; a page asks a dozen times.
LANGUAGE_CODES = frozenset(Language.values)


def current_language():
    """Return the active language if the portal publishes in it, else Azerbaijani."""
    language = (get_language() or Language.AZ).split("-")[0]
    return language if language in LANGUAGE_CODES else Language.AZ


def _category_key(term):
    """Fold a feed's category name for matching: "İDMAN", "Idman" and "idman" are one."""
    return " ".join(text.fold(term).split())


class ImportStatus(models.TextChoices):
    OK = "ok", _("imported")
    NOT_MODIFIED = "not_modified", _("unchanged since last time")
    BUSY = "busy", _("another import was running")
    FAILED = "failed", _("failed")


class SourceQuerySet(models.QuerySet):
    def with_article_stats(self, language=None):
        """Annotate each source with its visible articles in the language: count and newest time.

        One query: per source, a count and a newest-first look-up through the index on
        the article's source, never a count of the whole table.
        """
        visible = Article.objects.published().in_language(language).filter(source=OuterRef("pk"))
        count = visible.order_by().values("source").annotate(n=Count("pk")).values("n")
        newest = visible.order_by("-published_at").values("published_at")[:1]
        return self.annotate(
            article_count=Coalesce(Subquery(count), 0), last_published_at=Subquery(newest)
        )


class FullText(models.TextChoices):
    AUTO = "auto", _("automatic: the page when the feed has only a summary")
    FEED = "feed", _("the feed's text")
    PAGE = "page", _("always the article's page")


class Republish(models.TextChoices):
    FULL = "full", _("the full text")
    EXCERPT = "excerpt", _("the first paragraph and a link to the source")
    HEADLINE = "headline", _("the headline and a link to the source")


class Source(models.Model):
    """A news site whose articles the portal republishes, e.g. 525.az."""

    class Kind(models.TextChoices):
        SITE = "site", _("site")
        PORTAL = "portal", _("portal")
        AGENCY = "agency", _("agency")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SITE)
    homepage = models.URLField(_("homepage"), max_length=300)
    feed_url = models.URLField(_("feed URL"), max_length=500, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AZ
    )
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("Only active sources are imported from.")
    )
    publish_imported = models.BooleanField(
        _("publish imported articles"),
        default=False,
        help_text=_(
            "Publish articles taken from the feed at once; otherwise they wait as drafts "
            "for an editor."
        ),
    )
    category_map = models.JSONField(
        _("category mapping"),
        default=dict,
        blank=True,
        help_text=_(
            'Feed categories to portal category slugs, e.g. {"İdman": "idman", "Sport": '
            '"idman"}. Case is ignored; unmapped entries get no category.'
        ),
    )
    # What the last import found; the conditional-request validators save a refetch.
    last_import_at = models.DateTimeField(_("last successful import"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last import attempt"), null=True, blank=True)
    last_status = models.CharField(
        _("last import status"), max_length=12, choices=ImportStatus.choices, blank=True
    )
    last_counts = models.JSONField(_("last import counts"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    etag = models.CharField(_("ETag"), max_length=300, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    full_text = models.CharField(
        _("full text"),
        max_length=5,
        choices=FullText.choices,
        default=FullText.AUTO,
        help_text=_(
            "Where the article text comes from. Automatic: the feed's text, or the article's "
            "page when the feed carries only a short summary."
        ),
    )
    republish = models.CharField(
        _("republishing allowed"),
        max_length=8,
        choices=Republish.choices,
        default=Republish.FULL,
        help_text=_("How much of each article the source lets us show."),
    )
    full_text_note = models.TextField(
        _("full-text problems"),
        blank=True,
        help_text=_("Why the last import kept the feed's text for some articles."),
    )
    telegram_enabled = models.BooleanField(
        _("post to Telegram"),
        default=True,
        help_text=_("Post this source's published articles to the Telegram channels."),
    )
    # The schedule (articles/importers/schedule.py): when the next import is due, how long the
    # source's own rhythm says to wait, and how many attempts in a row have failed.
    next_import_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    import_interval = models.PositiveIntegerField(
        _("import interval (seconds)"), default=600, editable=False
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failures in a row"), default=0, editable=False
    )
    # The last fetches' durations in milliseconds, newest last (for the median in the admin).
    fetch_durations = models.JSONField(
        _("recent fetch times"), default=list, blank=True, editable=False
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [models.Index(fields=["is_active", "next_import_at"], name="source_due")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})

    def import_errors(self):
        """Return the last import's error and notes, in the active language."""
        return messages.loads(self.last_error)

    def full_text_problems(self):
        """Return why pages' text was not used, newest first, in the active language."""
        return messages.loads(self.full_text_note)

    def clean(self):
        super().clean()
        self.category_map = self._clean_category_map(self.category_map)

    @staticmethod
    def _clean_category_map(mapping):
        """Check that the mapping maps text to existing category slugs."""
        if not mapping:
            return {}
        if not isinstance(mapping, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
        ):
            raise ValidationError(
                {"category_map": _('Write an object of texts, e.g. {"İdman": "idman"}.')}
            )
        known = set(
            Category.objects.filter(slug__in=mapping.values()).values_list("slug", flat=True)
        )
        unknown = sorted(set(mapping.values()) - known)
        if unknown:
            raise ValidationError(
                {
                    "category_map": _("No category has the slug %(slugs)s.")
                    % {"slugs": ", ".join(unknown)}
                }
            )
        return mapping

    def category_for(self, terms, categories_by_slug):
        """Return the category the first mapped feed term names, or None."""
        folded = {_category_key(key): slug for key, slug in (self.category_map or {}).items()}
        for term in terms:
            slug = folded.get(_category_key(term))
            if slug in categories_by_slug:
                return categories_by_slug[slug]
        return None


class Category(models.Model):
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position in the menu"), default=0)

    class Meta:
        ordering = ["position", "name_az"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    @property
    def name(self):
        """Return the name in the active language."""
        return self.name_ru if current_language() == Language.RU else self.name_az


class Tag(models.Model):
    """A subject articles share ("Qarabağ", "COP29"); its page lists them in the page's language.

    A small model of ours rather than django-taggit: the admin's own autocomplete works on a
    plain many-to-many field, and a tag page is one join, without generic relations.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = text.slugify_title(self.name)[:60] or "tag"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class JSONRows(models.Func):
    """The rows of a subquery as one JSON array of objects: a list in one column of a query.

    A plain function rather than an aggregate, so the subquery has no GROUP BY: it is one row
    whatever it matches (PostgreSQL's JSONB_AGG is NULL for none, SQLite's JSON_GROUP_ARRAY
    `[]`). The order of the array is not defined; readers sort it.
    """

    template = "JSONB_AGG(JSONB_BUILD_OBJECT(%(expressions)s))"
    output_field = models.JSONField()

    def __init__(self, **fields):
        pairs = [part for name, field in fields.items() for part in (Value(name), F(field))]
        super().__init__(*pairs)

    def as_sqlite(self, compiler, connection, **extra):
        template = "JSON_GROUP_ARRAY(JSON_OBJECT(%(expressions)s))"
        return super().as_sql(compiler, connection, template=template, **extra)


def json_rows(queryset, **fields):
    """Return a subquery of `queryset`'s rows as JSON objects of `fields` (name: field)."""
    return Subquery(queryset.order_by().values(rows=JSONRows(**fields)))


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Return the articles readers may see: published, and not scheduled for later.

        `now` is the time they see the site at (a placeholder in a prepared query).
        """
        now = timezone.now() if now is None else now
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def in_language(self, language=None):
        return self.filter(language=language or current_language())

    def for_page(self):
        """Load what the article page shows in one query.

        Its source and translation (joins), and its tags and gallery as JSON lists in two
        columns (read by `tag_list` and `gallery`): most articles have tags, and an article
        with a gallery, tags, live updates, comments and a story stays within the page's
        budget of 8 queries (articles/tests/test_page_budgets.py).
        """
        return (
            self.select_related("source", "translation", "translated_from")
            .defer(*page_deferred())
            .annotate(
                tag_rows=json_rows(
                    Tag.objects.filter(articles=OuterRef("pk")), id="id", name="name", slug="slug"
                ),
                photo_rows=json_rows(
                    ArticlePhoto.objects.filter(article=OuterRef("pk")),
                    **{name: name for name in PHOTO_FIELDS},
                ),
            )
        )

    def for_lists(self):
        """Load only what a list item shows (title, label, time, views, link)."""
        return self.only(*LIST_FIELDS)

    def story_leads(self):
        """Keep one article per story, its lead, loaded for a list with its story's sources.

        Articles of no story stay. The story comes in the same query (a join), so a block shows
        "+N sources" without another one.
        """
        return (
            self.filter(Q(story__isnull=True) | Q(story__lead_article=models.F("id")))
            .select_related("story")
            .only(*LIST_FIELDS, "story__source_count")
        )

    def for_snippets(self):
        """Load what a search result shows: a list item plus the text its snippet comes from.

        The source's republishing policy too: a snippet shows no more than the article page.
        """
        return self.select_related("source").only(
            "id", "language", "slug", "title", "label", "published_at", "views", "lead", "body",
            "source__republish",
        )  # fmt: skip

    def newest_first(self, limit=LIST_LIMIT):
        """Return at most `limit` of these articles, newest first, as a plain filter on ids.

        The ids come from a subquery, so a page of it can also be counted with a window
        function over at most `limit` rows (see `counted_page()`).
        """
        ids = self.order_by("-published_at", "-id").values("pk")[:limit]
        return self.model.objects.filter(pk__in=ids).order_by("-published_at", "-id")

    def search(self, query, limit=SEARCH_LIMIT):
        """Return the newest `limit` articles matching every word of `query`, best first.

        Relevance (title over lead over body) ranks them, then recency. Without words, the
        articles come newest first.
        """
        words = search.terms(query)
        if not words:
            # Punctuation alone ("!!!") asks for nothing that can be found.
            return self.none() if (query or "").strip() else self.newest_first(limit)
        matching = self.filter(search.match_condition(words, self.db)).newest_first(limit)
        return matching.annotate(rank=search.rank_expression(words, self.db)).order_by(
            "-rank", "-published_at", "-id"
        )

    def newest_page(self, offset, size, limit=LIST_LIMIT):
        """Return rows `offset` to `offset + size` of the newest `limit` of these articles.

        Each row carries `total_count`, the number of the newest `limit` (at most `limit`): one
        query, whose page ids and count come from the list's index (Meta.indexes) and which
        reads only the page's rows from the table.
        """
        end = min(offset + size, limit)
        if offset >= end:
            return []
        newest = self.order_by("-published_at", "-id").values("pk")
        counted_sql, counted_params = newest[:limit].query.sql_with_params()
        total = RawSQL(
            f"SELECT COUNT(*) FROM ({counted_sql}) AS newest",
            counted_params,
            output_field=IntegerField(),
        )
        return list(
            self.filter(pk__in=newest[offset:end])
            .annotate(total_count=total)
            .order_by("-published_at", "-id")
        )

    def counted_page(self, offset, size):
        """Return rows `offset` to `offset + size` of these articles, each with `total_count`,
        the number of them all: one query (a window count, for a bounded list: `search()`)."""
        return list(self.annotate(total_count=Window(Count("pk")))[offset : offset + size])

    def labels(self):
        """Return the distinct non-empty labels of these articles."""
        if connections[self.db].vendor == "postgresql":
            return self._labels_by_index_skips()
        return list(self.exclude(label="").order_by().values_list("label", flat=True).distinct())

    def _labels_by_index_skips(self):
        """Find the distinct labels with one label-index look-up per label (a loose index scan).

        DISTINCT over a million rows reads them all; PostgreSQL 15 cannot skip through an index
        by itself, so a recursive query asks for "the first label after the last one found".
        """
        first = self.filter(label__gt="").order_by("label").values("label")[:1]
        step = self.filter(label__gt=RawSQL("found.label", [])).order_by("label")
        first_sql, first_params = first.query.sql_with_params()
        step_sql, step_params = step.values("label")[:1].query.sql_with_params()
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE found(label) AS (({first_sql}) UNION ALL "
                f"SELECT ({step_sql}) FROM found WHERE found.label IS NOT NULL) "
                "SELECT label FROM found WHERE label IS NOT NULL",
                [*first_params, *step_params],
            )
            return [label for (label,) in cursor.fetchall()]

    def with_label_slug(self, slug):
        """Return (articles carrying a label whose slug is `slug`, that label), or (None, "")."""
        labels = [label for label in self.labels() if text.slugify_title(label) == slug]
        if not labels:
            return None, ""
        return self.filter(label__in=labels), labels[0]

    def published_on(self, day):
        """Return the articles published on `day`, a date in Baku time."""
        start = datetime.combine(day, time.min, tzinfo=text.BAKU_TZ)
        return self.filter(published_at__gte=start, published_at__lt=start + timedelta(days=1))

    def neighbour_times(self, start, end):
        """Return (newest time before `start`, oldest time from `end` on), in one query."""
        before = self.filter(published_at__lt=start).order_by("-published_at")
        after = self.filter(published_at__gte=end).order_by("published_at")
        row = (
            self.model.objects.annotate(
                previous=Subquery(before.values("published_at")[:1]),
                next=Subquery(after.values("published_at")[:1]),
            )
            .order_by()
            .values("previous", "next")[:1]
        )
        found = list(row)
        return (found[0]["previous"], found[0]["next"]) if found else (None, None)

    def days_in_month(self, year, month):
        """Return [(day, number of articles)] of a month in Baku time, oldest day first."""
        start = datetime(year, month, 1, tzinfo=text.BAKU_TZ)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=text.BAKU_TZ)
        return list(
            self.filter(published_at__gte=start, published_at__lt=end)
            .annotate(day=TruncDate("published_at", tzinfo=text.BAKU_TZ))
            .order_by("day")
            .values_list("day")
            .annotate(count=Count("pk"))
        )

    def latest_news(self, language=None, limit=20):
        """Return the newest published articles of a language, newest first."""
        return list(
            self.published().in_language(language).story_leads().order_by("-published_at")[:limit]
        )

    def most_read(self, language=None, limit=20, window=timedelta(hours=48)):
        """Return the most viewed articles of the `window` ending at the newest article.

        Anchoring the window at the newest article rather than at the clock keeps the block
        filled on a quiet site. The window holds a few hundred rows at most, so sorting them by
        views is cheap and the (often updated) views column needs no index.
        """
        visible = self.published().in_language(language)
        # The newest time comes in a subquery: one query (none at all for an empty site).
        newest = Subquery(visible.order_by("-published_at").values("published_at")[:1])
        start = ExpressionWrapper(newest - Value(window), output_field=models.DateTimeField())
        return list(
            visible.filter(published_at__gt=start)
            .story_leads()
            .order_by("-views", "-published_at")[:limit]
        )

    def related_to(self, article, limit=related.RELATED_LIMIT):
        """Return up to `limit` published articles like `article` (see articles/related.py), as
        `related.Candidate` values with their address (`url`), not model instances.

        One query: the candidates of its language within RELATED_WINDOW of it, each with the
        number of the article's tags it shares (the article's tags are prefetched on its page).
        The articles of its story come into the pool first, however many others share tags.
        It is compiled once for each number of tags, with and without a story
        (articles/prepared.py): building and compiling it cost more than running it. It looks
        at every published article, whatever this queryset is filtered to.
        """
        tag_ids = [tag.pk for tag in article.tag_list]
        window = related.RELATED_WINDOW
        shape = (len(tag_ids), article.story_id is not None, related.RELATED_POOL)
        rows = _related_candidates(*shape).run(
            language=article.language,
            pk=article.pk,
            story=article.story_id,
            start=article.published_at - window,
            end=article.published_at + window,
            now=timezone.now(),
            **{f"tag{index}": tag_id for index, tag_id in enumerate(tag_ids)},
        )
        chosen = related.rank(article, rows, limit)
        for candidate in chosen:
            candidate.url = article_path(candidate.language, candidate.slug, candidate.id)
        return chosen

    def most_read_since(self, first_day, language=None, limit=50):
        """Return the most viewed published articles by their views from `first_day` on.

        Each article carries `period_views`; computed from the daily rows, so it covers any
        period (today, a week, a month) without touching the total. With views buffered, the
        last flush's ranking of the period gives them (articles/counting/ranking.py), unless
        it has none of this period or fewer than `limit` readers may see of an incomplete one.
        """
        visible = self.published().in_language(language).for_lists()
        order = ("-period_views", "-published_at")
        if settings.VIEWS_BUFFER == "redis":
            ranked = list(
                visible.filter(most_read_ranks__first_day=first_day)
                .annotate(
                    period_views=F("most_read_ranks__views"),
                    ranking_complete=F("most_read_ranks__complete"),
                )
                .order_by(*order)[:limit]
            )
            if len(ranked) == limit or (ranked and ranked[0].ranking_complete):
                return ranked
        return list(
            visible.filter(daily_views__day__gte=first_day)
            .annotate(period_views=Sum("daily_views__views"))
            .order_by(*order)[:limit]
        )


class TitleWordsField(models.TextField):
    """The folded long words of the row's title (related.title_words), set whenever the row
    is saved or bulk-created: related news weigh 200 candidates' titles on a cold page, and
    folding them there was the part of the page that grew with the archive."""

    def pre_save(self, model_instance, add):
        value = related.stored_title_words(model_instance.title)
        setattr(model_instance, self.attname, value)
        return value


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AZ
    )
    translation = models.OneToOneField(
        "self",
        verbose_name=_("translation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translated_from",
        help_text=_("The same story in the other language."),
    )
    # The link is held by the Azerbaijani article; unique on both ends, so each article has at
    # most one translation, and `translated` reads it from either side.
    title = models.CharField(_("title"), max_length=300)
    # db_default: rows written by raw SQL (benchmarks, operators' scripts) get "" too.
    title_words = TitleWordsField(
        _("title words"), blank=True, default="", db_default="", editable=False
    )
    slug = models.SlugField(_("slug"), max_length=100, blank=True)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), help_text=_("Sanitised HTML."))
    image = models.ImageField(_("image"), upload_to="articles/%Y/%m/", blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    # The picture's upright size, recorded when its renditions are made (articles/images.py),
    # so pages set width/height and srcset without opening the file.
    image_width = models.PositiveIntegerField(_("image width"), null=True, editable=False)
    image_height = models.PositiveIntegerField(_("image height"), null=True, editable=False)
    label = models.CharField(
        _("label"),
        max_length=40,
        blank=True,
        help_text=_("Upper-case kicker shown after the title, e.g. FOTOLAR or YENİLƏNİR."),
    )
    author_name = models.CharField(_("author"), max_length=150, blank=True)
    author_position = models.CharField(_("author's position"), max_length=300, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        db_index=False,  # article_category_pub leads with it
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text=_("Empty for the portal's own articles."),
        db_index=False,  # article_source_pub leads with it
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    archived_at = models.DateTimeField(
        _("archived at"), null=True, blank=True, help_text=_("When it was taken from the source.")
    )
    attribution_variant = models.PositiveSmallIntegerField(
        _("attribution phrasing"),
        null=True,
        blank=True,
        help_text=_("Which attribution phrasing to show; empty: chosen by the article's id."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        default=timezone.now,
        help_text=_("A time in the future schedules the article."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When it last became published (an editor publishing an imported draft, say); empty for
    # rows written without save(): those were published when created. See `changed_at`.
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Counters kept in the row so pages never count; updated with F() expressions only.
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    comments_closed = models.BooleanField(
        _("comments closed"),
        default=False,
        help_text=_("Readers still see the comments but cannot add new ones."),
    )
    telegram_enabled = models.BooleanField(
        _("post to Telegram"),
        default=True,
        db_default=True,  # writers that insert rows themselves (generate_articles' COPY) omit it
        help_text=_(
            "Post the article to the Telegram channel of its language when it is published."
        ),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    # Kept by services.count_photos(): an article without a gallery costs its page no query.
    # The database's own default too: bulk loads (generate_articles' COPY) leave it out.
    photo_count = models.PositiveSmallIntegerField(
        _("gallery pictures"), default=0, db_default=0, editable=False
    )

    class Coverage(models.TextChoices):
        OPEN = "open", _("open: the page says it is updating")
        CLOSED = "closed", _("closed: the updates stay")

    live_coverage = models.CharField(
        _("live coverage"),
        max_length=6,
        choices=Coverage.choices,
        blank=True,
        default="",
        db_default="",  # writers that insert rows themselves (generate_articles' COPY) omit it
        help_text=_("Timestamped updates of a developing event, shown newest first."),
    )
    # Set by articles/stories.py when the article arrives; editors move it in the Story admin.
    story = models.ForeignKey(
        "Story",
        verbose_name=_("story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="articles",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # The lists readers page through (day, source, category, label), newest first: each
        # index holds all their filters and order (language, status, time, id), so a page's
        # ids and their count are read from the index alone (`newest_page()`).
        indexes = [
            models.Index(
                fields=["language", "status", "-published_at", "-id"],
                name="article_lang_status_pub",
            ),
            models.Index(
                fields=["source", "status", "language", "-published_at", "-id"],
                name="article_source_pub",
            ),
            models.Index(
                fields=["category", "status", "language", "-published_at", "-id"],
                name="article_category_pub",
            ),
            models.Index(
                fields=["label", "language", "status", "-published_at", "-id"],
                name="article_label_pub",
            ),
            # Every article newest first: the admin's list and the sitemaps.
            models.Index(fields=["-published_at", "-id"], name="article_published"),
            # A source's recent imports: the admin's "entries per day".
            models.Index(fields=["source", "archived_at"], name="article_source_archived"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="article_source_url_unique",
            ),
            models.CheckConstraint(
                condition=~Q(translation=models.F("id")), name="article_not_own_translation"
            ),
            models.CheckConstraint(
                condition=Q(translation__isnull=True) | Q(language=Language.AZ),
                name="article_translation_held_by_az",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = text.slugify_title(self.title)
        was = None if self._state.adding else getattr(self, "_loaded_status", _UNKNOWN)
        update_fields = kwargs.get("update_fields")
        if (
            was is not _UNKNOWN
            and self.status == self.Status.PUBLISHED
            and was != self.Status.PUBLISHED
            and (update_fields is None or "status" in update_fields)
        ):
            self.went_live_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "went_live_at"}
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_words"}
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def get_absolute_url(self):
        """Return the article's address under its own language's prefix, whatever is active."""
        return article_path(self.language, self.slug, self.pk)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # The status as loaded (absent when deferred): save() tells a publication by it.
        article._loaded_status = article.__dict__.get("status", _UNKNOWN)
        return article

    @property
    def changed_at(self):
        """Return when the article last changed after readers first saw it, else None.

        Changed means saved more than a minute after its publication time, its creation (an
        import creates old news today) and the moment it went live (an imported draft an editor
        publishes later; a publication saves the article once). Views and comment counts are
        updated in place and do not move `updated_at`.
        """
        if not (self.published_at and self.updated_at and self.created_at):
            return None
        first_seen = max(self.published_at, self.created_at, self.went_live_at or self.created_at)
        return self.updated_at if self.updated_at - first_seen > CHANGE_SHOWN_AFTER else None

    @property
    def is_visible(self):
        """Tell whether readers may see the article (mirrors `published()`)."""
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def refresh_reader_fields(self):
        """Reload what changes without an editor (views, comments) and tell if still visible.

        Written out, one short statement: the article page runs it for every reader whose
        article came from the cache (articles/caching/fragments.py).
        """
        with connections[router.db_for_read(Article, instance=self)].cursor() as cursor:
            cursor.execute(
                f"SELECT views, comment_count, comments_closed FROM {Article._meta.db_table} "
                "WHERE id = %s AND status = %s AND published_at <= %s",
                [self.pk, self.Status.PUBLISHED.value, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            return False
        self.views, self.comment_count, self.comments_closed = row
        return True

    @property
    def translated(self):
        """Return the linked translation, whichever side of the link holds it, or None."""
        if self.translation_id:
            return self.translation
        try:
            return self.translated_from
        except Article.DoesNotExist:
            return None

    @property
    def is_live(self):
        """Tell whether the article covers an event that is still going on."""
        return self.live_coverage == self.Coverage.OPEN

    @property
    def live_label(self):
        """Return the upper-case label of open coverage in the article's language."""
        with translation.override(self.language):
            return text.upper_for_language(str(_("updating")), self.language)

    @cached_property
    def live_update_list(self):
        """Return the live updates, pinned first, then newest first (one query per article)."""
        if not self.live_coverage:
            return []
        return list(self.live_updates.all())

    @cached_property
    def image_renditions(self):
        """Return the picture's resized versions (WebP and JPEG per width), smallest first."""
        return images.renditions(self)

    @property
    def share_image_url(self):
        """Return the picture shown in link previews: the largest rendition, else the original."""
        versions = self.image_renditions
        return versions[-1].jpeg_url if versions else self.image.url

    @cached_property
    def gallery(self):
        """Return the gallery's pictures in order; no query for an article without one, nor
        for one loaded by `for_page()`."""
        if not self.photo_count:
            return []
        rows = self.__dict__.get("photo_rows")
        if rows is None:
            return list(self.photos.all())
        photos = [ArticlePhoto(article_id=self.pk, **row) for row in rows]
        return sorted(photos, key=lambda photo: (photo.position, photo.pk))

    @cached_property
    def tag_list(self):
        """Return the article's tags by name; no query for one loaded by `for_page()`."""
        rows = self.__dict__.get("tag_rows", False)
        if rows is False:
            return list(self.tags.all())
        return sorted((Tag(**row) for row in rows or ()), key=lambda tag: (tag.name, tag.pk))

    @property
    def body_html(self):
        """Return the body as readers get it: embeddable links as click-to-load placeholders."""
        return embeds.with_embeds(self.body)

    def pictures_for_editor(self):
        """Return the article's own pictures for the body editor: url, thumb, alt, caption."""
        pictures = []
        if self.image:
            versions = self.image_renditions
            pictures.append(
                {
                    "url": versions[-1].jpeg_url if versions else self.image.url,
                    "thumb": versions[0].jpeg_url if versions else self.image.url,
                    "alt": self.image_caption,
                    "caption": self.image_caption,
                }
            )
        for photo in self.photos.all():
            versions = photo.renditions
            pictures.append(
                {
                    "url": versions[-1].jpeg_url if versions else photo.image.url,
                    "thumb": versions[0].jpeg_url if versions else photo.image.url,
                    "alt": photo.alt_text,
                    "caption": photo.caption,
                }
            )
        return pictures

    @property
    def display_label(self):
        return text.upper_for_language(self.label, self.language)

    @property
    def republish_policy(self):
        """Return how much of the article readers may see here: the source's say, else all."""
        return self.source.republish if self.source_id else Republish.FULL

    @cached_property
    def first_paragraph(self):
        """Return the body's first paragraph: what an excerpt-only source lets us show."""
        return first_paragraph(self.body)

    @property
    def readable_body(self):
        """Return the part of the body the source lets readers see here (page, feeds, meta)."""
        policy = self.republish_policy
        if policy == Republish.HEADLINE:
            return ""
        return self.first_paragraph if policy == Republish.EXCERPT else self.body

    @property
    def readable_lead(self):
        return "" if self.republish_policy == Republish.HEADLINE else self.lead

    @property
    def source_link(self):
        """Return the address shown after "Mənbə": the original article, else the source site."""
        if self.source_url:
            return self.source_url
        return self.source.homepage if self.source_id else ""

    def attribution(self, site_name, source_name=None):
        """Return the line naming the source, in the article's language, or ""."""
        if not self.source_id:
            return ""
        variant = self.attribution_variant if self.attribution_variant is not None else self.pk
        return text.attribution_line(
            site_name,
            self.source.name if source_name is None else source_name,
            self.source.kind,
            self.language,
            variant or 0,
        )

    def attribution_html(self, site_name):
        """Return the attribution line with the source's name linking its page on this site."""
        if not self.source_id:
            return ""
        marker = "\x00"  # never in a phrasing: marks where the name goes
        before, after = self.attribution(site_name, source_name=marker).split(marker, 1)
        with translation.override(self.language):
            url = self.source.get_absolute_url()
        return format_html('{}<a href="{}">{}</a>{}', before, url, self.source.name, after)


@functools.lru_cache(maxsize=64)
def _related_candidates(tag_count, in_story, pool):
    """The related candidates' query (ArticleQuerySet.related_to) for an article with
    `tag_count` tags, of a story or not, the `pool` first ones, compiled once."""

    def build(language, pk, story, start, end, now, **tags):
        tag_ids = [tags[f"tag{index}"] for index in range(tag_count)]
        no = Value(0, output_field=IntegerField())
        return (
            Article.objects.published(now=now)
            .in_language(language)
            .exclude(pk=pk)
            .filter(published_at__gte=start, published_at__lte=end)
            .annotate(
                # `tags__id__in`: `tags__in` wants ids, not placeholders (the SQL is the same).
                shared_tags=Count("tags", filter=Q(tags__id__in=tag_ids)) if tag_ids else no,
                in_story=Case(When(story_id=story, then=Value(1)), default=no) if in_story else no,
                published_text=Cast("published_at", output_field=CharField()),
            )
            .order_by("-in_story", "-shared_tags", "-published_at")
            .values_list(*related.Candidate.FIELDS)[:pool]
        )

    moment = Article._meta.get_field("published_at")
    return prepared.PreparedQuery(
        Article,
        build,
        language=Article._meta.get_field("language"),
        pk=Article._meta.pk,
        story=Article._meta.get_field("story"),
        start=moment,
        end=moment,
        now=moment,
        **{f"tag{index}": Tag._meta.pk for index in range(tag_count)},
    )


# What the article page's gallery shows of a picture (loaded with the article, `for_page()`).
PHOTO_FIELDS = ("id", "image", "caption", "alt_text", "position", "image_width", "image_height")


class ArticlePhoto(models.Model):
    """One picture of an article's gallery (FOTOLAR), in the editor's order."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("picture"), upload_to="articles/gallery/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        help_text=_("What the picture shows, for readers who cannot see it; not the caption."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Recorded with the renditions, as Article.image_width/height are.
    image_width = models.PositiveIntegerField(_("image width"), null=True, editable=False)
    image_height = models.PositiveIntegerField(_("image height"), null=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("gallery picture")
        verbose_name_plural = _("gallery pictures")
        indexes = [models.Index(fields=["article", "position"], name="articlephoto_article_pos")]

    def __str__(self):
        return self.caption or self.alt_text

    @cached_property
    def renditions(self):
        """Return the picture's resized versions, smallest first (see articles/images.py)."""
        return images.renditions(self)


class BodyPicture(models.Model):
    """A picture inside an imported body, downloaded after the import (importers/pictures.py).

    The import stores the body without its pictures and, per picture, where it was; once our
    copy is stored the picture goes back into the body, pointing at it. One row per article
    and picture address, so a download that runs twice stores one file.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        STORED = "stored", _("stored")
        FAILED = "failed", _("failed")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="body_pictures"
    )
    source_url = models.URLField(_("source URL"), max_length=1000)
    tag = models.TextField(_("tag"))  # the sanitised <img> as the feed had it
    offset = models.PositiveIntegerField(_("place in the body"))  # characters, picture-less body
    body_digest = models.CharField(_("body digest"), max_length=64)  # of that picture-less body
    file = models.CharField(_("file"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    reason = models.TextField(_("reason"), blank=True)  # why it failed: msgids (messages.py)

    class Meta:
        ordering = ["article", "offset", "id"]
        verbose_name = _("body picture")
        verbose_name_plural = _("body pictures")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "source_url"], name="bodypicture_article_url"
            )
        ]

    def __str__(self):
        return self.source_url


class StoryQuerySet(models.QuerySet):
    def most_discussed(self, language=None, window=timedelta(hours=24), limit=50):
        """Return the stories of the `window` ending at the newest one, most sources first.

        Ties go to the story read most. As with "most read", the window ends at the newest
        story rather than the clock, so a quiet site still shows its last day. The window holds
        one day's stories, so summing their articles' views is cheap.
        """
        stories = self.filter(language=language or current_language(), source_count__gt=0)
        newest = stories.order_by("-last_published_at").values("last_published_at")[:1]
        visible = Article.objects.published()
        found = list(
            stories.filter(
                last_published_at__gt=ExpressionWrapper(
                    Subquery(newest) - window, output_field=models.DateTimeField()
                )
            )
            .annotate(
                total_views=Subquery(
                    visible.filter(story=OuterRef("pk"))
                    .order_by()
                    .values("story")
                    .annotate(total=Sum("views"))
                    .values("total")
                )
            )
            .select_related("lead_article")
            .only(
                "id",
                "language",
                "source_count",
                "last_published_at",
                *(f"lead_article__{name}" for name in LIST_FIELDS),
            )
            .prefetch_related(
                Prefetch(
                    "articles",
                    queryset=visible.select_related("source")
                    .only("id", "language", "slug", "title", "story", "source__name")
                    .order_by("published_at", "id"),
                    to_attr="visible_articles",
                )
            )
            .order_by("-source_count", F("total_views").desc(nulls_last=True), "-id")[:limit]
        )
        for story in found:
            story.other_versions = [
                article for article in story.visible_articles if article.pk != story.lead_article_id
            ]
        return found


class Story(models.Model):
    """The articles, in one language, that report one real-world event (articles/stories.py)."""

    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    lead_article = models.ForeignKey(
        Article,
        verbose_name=_("lead article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Shown for the story in the blocks: the first published, unless chosen."),
    )
    lead_chosen = models.BooleanField(_("lead chosen by an editor"), default=False)
    # Kept by stories.refresh_stories() from the articles readers see, so blocks never count.
    source_count = models.PositiveIntegerField(_("sources"), default=0)
    article_count = models.PositiveIntegerField(_("articles"), default=0)
    last_published_at = models.DateTimeField(_("last published at"), null=True, blank=True)
    # The time the first of its articles scheduled for later comes out: the counts above take
    # in only what readers see, so stories.refresh_due_stories() recounts the story then.
    recount_at = models.DateTimeField(_("recount at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-last_published_at", "-id"]
        get_latest_by = "last_published_at"
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        indexes = [
            models.Index(fields=["language", "-last_published_at"], name="story_lang_last_pub"),
            models.Index(fields=["recount_at"], name="story_recount_at"),
        ]

    def __str__(self):
        if self.lead_article_id:
            return self.lead_article.title
        return _("Story %(number)d") % {"number": self.pk or 0}

    def get_absolute_url(self):
        return self.lead_article.get_absolute_url() if self.lead_article_id else ""

    @property
    def other_sources(self):
        """Return the number of sources besides the lead's: the "+N" of the blocks."""
        return max(self.source_count - 1, 0)


class StoryFingerprint(models.Model):
    """What matching knows of an article: its MinHash signature and weighted words."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    published_at = models.DateTimeField(_("published at"))
    signature = models.TextField(_("signature"), blank=True)
    terms = models.JSONField(_("weighted words"), default=dict)

    class Meta:
        verbose_name = _("story fingerprint")
        verbose_name_plural = _("story fingerprints")

    def __str__(self):
        return str(self.article_id)


class StoryKey(models.Model):
    """One entry of the candidates' index: an article under a band hash or a rare term's hash.

    Looked up by (language, key, published_at): a match reads only the keys of the 72 hours
    around the arriving article, however many articles the site holds.
    """

    key = models.BigIntegerField(_("key"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    published_at = models.DateTimeField(_("published at"))
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("story index key")
        verbose_name_plural = _("story index keys")
        indexes = [
            models.Index(fields=["language", "key", "published_at"], name="storykey_lookup"),
        ]

    def __str__(self):
        return f"{self.key}: {self.article_id}"


class DailyViews(models.Model):
    """Views of one article on one day (Baku time); one row per article and day."""

    # No index of its own: the unique (article, day) constraint's index leads with it.
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="daily_views",
        db_index=False,
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-day"]
        get_latest_by = "day"
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="dailyviews_article_day_unique")
        ]
        indexes = [models.Index(fields=["day", "article"], name="dailyviews_day_article")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.views}"


class MostReadRank(models.Model):
    """A candidate of /most-read/ for the period starting `first_day`: an article's views in it.

    Kept when views are buffered (`VIEWS_BUFFER=redis`): each flush rebuilds it in the
    transaction that adds its views (articles/counting/ranking.py), so the page reads a hundred
    rows instead of summing every daily row of the period. Per language, the most viewed
    articles of any status (readers' filters apply when it is read) and all that tie with the
    last; `complete` says no article with views in the period was left out.
    """

    first_day = models.DateField(_("first day"))
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="most_read_ranks",
        db_index=False,
    )
    views = models.PositiveIntegerField(_("views"))
    complete = models.BooleanField(_("complete"))

    class Meta:
        verbose_name = _("most read candidate")
        verbose_name_plural = _("most read candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["first_day", "article"], name="mostreadrank_day_article_unique"
            )
        ]

    def __str__(self):
        return f"{self.first_day} {self.article_id}: {self.views}"


class ViewsFlush(models.Model):
    """A batch of buffered views applied to the database; recorded so it is never applied twice."""

    key = models.CharField(_("batch key"), max_length=200, unique=True)
    views = models.PositiveIntegerField(_("views"), default=0)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-applied_at"]
        get_latest_by = "applied_at"
        verbose_name = _("flush of buffered views")
        verbose_name_plural = _("flushes of buffered views")

    def __str__(self):
        return self.key


class RecentView(models.Model):
    """A visitor's last counted view of an article: the database mode's memory of who was counted.

    One row per (article, visitor), renewed when the window has passed and purged now and then.
    It holds only hashes (see `counting.visitor_id`) and no foreign key: it is a short-lived
    memory, checked in the same statement that counts, not part of the article's data.
    """

    article_id = models.PositiveIntegerField(_("article"))
    visitor = models.CharField(_("visitor"), max_length=32)
    seen_at = models.DateTimeField(_("counted at"), db_index=True)

    class Meta:
        verbose_name = _("recent view")
        verbose_name_plural = _("recent views")
        constraints = [
            models.UniqueConstraint(
                fields=["article_id", "visitor"], name="recentview_article_visitor_unique"
            )
        ]

    def __str__(self):
        return f"{self.article_id} {self.visitor} {self.seen_at}"


class AddressViews(models.Model):
    """Views one address added in one minute: the database mode's bound on one client.

    `address` is a keyed hash (see `counting.readers.address_limit`); rows of past minutes are
    purged now and then, like the visitors' memory.
    """

    address = models.CharField(_("address"), max_length=32)
    minute = models.PositiveBigIntegerField(_("minute"), db_index=True)
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("views of an address in a minute")
        verbose_name_plural = _("views of addresses per minute")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "minute"], name="addressviews_address_minute_unique"
            )
        ]

    def __str__(self):
        return f"{self.address} {self.minute} {self.views}"


class FrontPagePickQuerySet(models.QuerySet):
    def current(self, language=None):
        """Return the picks of a language shown now, main headline first, in the editors' order.

        Only picks of articles readers may see count; one query, articles included.
        """
        now = timezone.now()
        visible = Article.objects.published().values("pk")
        return (
            self.filter(language=language or current_language(), article__in=visible)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .select_related("article")
            .order_by("-is_main", "position", "pk")
        )


class FrontPagePick(models.Model):
    """An article the editors put on the home page: the main headline or one of the picks."""

    # The home page shows one main headline and at most this many picks per language.
    MAX_PICKS = 6

    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AZ
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="picks"
    )
    is_main = models.BooleanField(
        _("main headline"),
        default=False,
        help_text=_("Shown first, with its picture and lead; otherwise one of the picks."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, editable=False)
    starts_at = models.DateTimeField(
        _("shown from"), null=True, blank=True, help_text=_("Empty: at once.")
    )
    ends_at = models.DateTimeField(
        _("shown until"), null=True, blank=True, help_text=_("Empty: until removed.")
    )

    objects = FrontPagePickQuerySet.as_manager()

    class Meta:
        ordering = ["language", "-is_main", "position", "pk"]
        verbose_name = _("front page pick")
        verbose_name_plural = _("front page picks")
        indexes = [models.Index(fields=["language", "position"], name="pick_language_position")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="pick_ends_after_start",
            )
        ]

    def __str__(self):
        return self.article.title if self.article_id else str(_("front page pick"))

    def save(self, *args, **kwargs):
        if self._state.adding and not self.position:
            last = FrontPagePick.objects.filter(language=self.language).aggregate(
                models.Max("position")
            )["position__max"]
            self.position = (last or 0) + 1
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if self.article_id and self.article.language != self.language:
            raise ValidationError(
                {"article": _("Choose an article in the language of the front page.")}
            )
        others = FrontPagePick.objects.filter(language=self.language).exclude(pk=self.pk)
        if not self.is_main and others.filter(is_main=False).count() >= self.MAX_PICKS:
            raise ValidationError(
                _("A front page holds at most %(count)d picks; remove one first.")
                % {"count": self.MAX_PICKS}
            )

    def move(self, step):
        """Swap places with the neighbour above (step -1) or below (step 1) among the picks."""
        siblings = list(
            FrontPagePick.objects.filter(language=self.language, is_main=self.is_main).order_by(
                "position", "pk"
            )
        )
        index = next(i for i, pick in enumerate(siblings) if pick.pk == self.pk)
        other = index + step
        if not 0 <= other < len(siblings):
            return False
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for number, pick in enumerate(siblings, start=1):
            pick.position = number
        FrontPagePick.objects.bulk_update(siblings, ["position"])
        return True


class LiveUpdate(models.Model):
    """A timestamped update of an article covering an event live ("YENİLƏNİR")."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="live_updates",
    )
    body = models.TextField(_("text"), help_text=_("Sanitised HTML."))
    image = models.ImageField(_("picture"), upload_to="live/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("picture's alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Shown above the rest."))
    published_at = models.DateTimeField(_("time"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-pinned", "-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        indexes = [
            models.Index(fields=["article", "-published_at"], name="liveupdate_article_time")
        ]

    def __str__(self):
        return search.plain_text(self.body)[:80]


class PendingChange(models.Model):
    """Changes to a published article kept aside, previewed, and applied when published.

    Readers keep seeing the article as it is until an editor publishes the change.
    """

    # The fields a pending change may hold: what readers read, not how the article is filed.
    FIELDS = ("title", "label", "lead", "body", "image_caption", "author_name", "author_position")

    article = models.OneToOneField(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="pending_change"
    )
    fields = models.JSONField(_("changed fields"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")

    def __str__(self):
        return str(self.article)

    def applied_to(self, article):
        """Set the pending fields on `article` (in memory) and return it."""
        for name, value in self.fields.items():
            if name in self.FIELDS:
                setattr(article, name, value)
        return article


class TelegramPost(models.Model):
    """An article's message in a Telegram channel: what was sent, and what is still to do.

    One row per article and channel (the unique constraint), so an article is never posted to
    a channel twice; articles/telegram/posting.py explains the states and how they change.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("in the channel")
        FAILED = "failed", _("failed")
        UNKNOWN = "unknown", _("outcome unknown")
        CANCELLED = "cancelled", _("not sent")

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="telegram_posts",
    )
    channel = models.CharField(_("channel"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message_id = models.BigIntegerField(_("message id"), null=True, blank=True)
    # What the message shows now: the picture it carries (an article image's stored name) and
    # a digest of its text and picture, to tell whether the article changed since.
    photo = models.CharField(_("picture sent"), max_length=300, blank=True)
    digest = models.CharField(_("digest of what was sent"), max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a worker took the row for a request: a row left "sending" long after it had a crash.
    claimed_at = models.DateTimeField(_("taken for sending at"), null=True, blank=True)
    # The article as of this time is what the channel shows; a later save may need an edit.
    synced_at = models.DateTimeField(_("in step with the article at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = _("Telegram post")
        verbose_name_plural = _("Telegram posts")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "channel"], name="telegrampost_article_channel_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="telegrampost_due"),
            models.Index(fields=["status", "synced_at"], name="telegrampost_status_synced"),
        ]

    def __str__(self):
        return f"{self.channel}: {self.article_id}"

    @property
    def url(self):
        """Return the message's address: t.me/<channel>/<id>, or t.me/c/<id>/<id> if private."""
        if not self.message_id:
            return ""
        if self.channel.startswith("@"):
            return f"https://t.me/{self.channel[1:]}/{self.message_id}"
        if self.channel.startswith("-100"):
            return f"https://t.me/c/{self.channel[4:]}/{self.message_id}"
        return ""

    def errors(self):
        """Return the last error, translated into the active language, one line per message."""
        return messages.loads(self.last_error)
