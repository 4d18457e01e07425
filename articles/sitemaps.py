"""Sitemaps: an index over sections (paginated by Django) and a Google News sitemap."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Category, Source

NEWS_WINDOW = timedelta(hours=48)


class ArticleSitemap(Sitemap):
    """Every article readers may see, each at its own language's address."""

    limit = 5000  # per sitemap page; Django's index lists the pages (?p=2, ...)

    def items(self):
        return (
            Article.objects.published()
            .only("id", "language", "slug", "updated_at")
            .order_by("-published_at", "-id")
        )

    def location(self, item):
        with translation.override(item.language):
            return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class NewsSitemap(ArticleSitemap):
    """Articles of the last 48 hours, for Google News (rendered by sitemaps/news.xml)."""

    limit = 1000  # Google News reads at most 1 000 URLs per sitemap

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


SITEMAPS = {"articles": ArticleSitemap, "pages": PagesSitemap, "news": NewsSitemap}
