"""Sitemaps: an index over a sitemap per month of articles, the pages, and Google News.

A month's sitemap, not pages of every article: Django's index counted every published article
to number its pages (5 s at 1 000 000) and read every row for the latest change. The months
come from the first and last publication times (the ends of the date's index) and one EXISTS
per month; nothing in the index counts rows.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, Max, Min, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from articles import text
from articles.models import Article, Category, Source

NEWS_WINDOW = timedelta(hours=48)


class OnePage(Paginator):
    """A paginator of one page of `per_page` items at most, that counts nothing."""

    @cached_property
    def count(self):
        return self.per_page


class ArticleSitemap(Sitemap):
    """Articles readers may see, each at its own language's address.

    Sitemap's location() is get_absolute_url(), which writes the article's own language
    whatever language is active.
    """

    def items(self):
        return (
            Article.objects.published()
            .only("id", "language", "slug", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item):
        return item.updated_at

    @property
    def paginator(self):
        return OnePage(self.items(), self.limit)  # one file of `limit` URLs: nothing counted


def month_start(year, month):
    return datetime(year, month, 1, tzinfo=text.BAKU_TZ)


def next_month(start):
    return month_start(start.year + start.month // 12, start.month % 12 + 1)


class MonthSitemap(ArticleSitemap):
    """The articles published in one month (Baku time), newest first, in one file.

    50 000 URLs, the sitemap protocol's limit for a file, is more than a month of the portal
    (about 28 000 at 1 000 000 articles over three years).
    """

    limit = 50_000

    def __init__(self, start):
        self.start = start

    def items(self):
        return (
            super()
            .items()
            .filter(published_at__gte=self.start, published_at__lt=next_month(self.start))
        )

    def get_latest_lastmod(self):
        return None  # the newest change of a month would read all of its rows


def months_with_articles():
    """The first of each month (Baku time) with an article readers see, newest first."""
    published = Article.objects.published()
    ends = published.aggregate(first=Min("published_at"), last=Max("published_at"))
    if ends["first"] is None:
        return []
    first, last = (ends[end].astimezone(text.BAKU_TZ) for end in ("first", "last"))
    months = [month_start(day.year, day.month) for day in text.firsts_between(first, last, "month")]
    # The month's first article by time, through the time index: exists() drops the order, and
    # PostgreSQL then walked an index of all languages and statuses (70 ms a month at 1 000 000).
    newest = published.order_by("-published_at").values_list("pk", flat=True)
    return [
        start
        for start in reversed(months)
        if newest.filter(published_at__gte=start, published_at__lt=next_month(start)).first()
    ]


class NewsSitemap(ArticleSitemap):
    """Articles of the last 48 hours, for Google News (rendered by sitemaps/news.xml)."""

    limit = 1000  # Google News reads at most 1 000 URLs per sitemap: the newest, one file

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
            .only("id", "language", "slug", "title", "published_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def get_latest_lastmod(self):
        return None

    def publication_name(self):
        return settings.SITE_NAME


class PagesSitemap(Sitemap):
    """Pages that exist in both languages: the home page, sources and categories."""

    i18n = True
    alternates = True

    def items(self):
        # EXISTS: one look-up per source through its index, never a pass over every article.
        visible = Article.objects.published().filter(source=OuterRef("pk"))
        sources = Source.objects.filter(Exists(visible))
        return [None, *sources, *Category.objects.all()]

    def location(self, item):
        return item.get_absolute_url() if item is not None else reverse("home")


MONTH_SECTION = "articles-{:%Y-%m}"


class Sections(Mapping):
    """The index's sections: the pages, each month of articles (newest first), the news.

    Read anew by each request of the index (its page is cached for SITEMAP_CACHE_SECONDS);
    a month's section is found by its name, "articles-2026-12".
    """

    fixed = {"pages": PagesSitemap, "news": NewsSitemap}

    def __getitem__(self, section):
        if section in self.fixed:
            return self.fixed[section]
        prefix, _sep, month = section.partition("-")
        try:
            start = datetime.strptime(month, "%Y-%m")
        except ValueError:
            raise KeyError(section) from None
        if prefix != "articles" or MONTH_SECTION.format(start) != section:
            raise KeyError(section)
        return MonthSitemap(month_start(start.year, start.month))

    def __iter__(self):
        yield "pages"
        for start in months_with_articles():
            yield MONTH_SECTION.format(start)
        yield "news"

    def __len__(self):
        return sum(1 for _section in self)

    # The URL patterns carry this object; reverse() compares it with itself. Mapping's
    # comparison would list the months (and never match: a month's sitemap is made anew).
    __eq__ = object.__eq__
    __hash__ = object.__hash__


SITEMAPS = Sections()
