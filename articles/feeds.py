"""RSS 2.0 and Atom feeds: the latest articles of a language, of a source, of a category."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from articles.models import Article, Category, Source, Tag
from articles.search import summary

FEED_SIZE = 30


class RssWithSource(Rss201rev2Feed):
    """RSS 2.0 whose items name the site they were taken from: <source url="...">name</source>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("source_name"):
            handler.addQuickElement("source", item["source_name"], {"url": item["source_url"]})


class AtomWithSource(Atom1Feed):
    """Atom whose entries name the site they were taken from in an atom:source element."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("source_name"):
            handler.startElement("source", {})
            handler.addQuickElement("title", item["source_name"])
            handler.addQuickElement("link", "", {"rel": "alternate", "href": item["source_url"]})
            handler.endElement("source")


class LatestArticlesFeed(Feed):
    """The newest articles of the active language."""

    feed_type = RssWithSource

    def title(self, obj=None):
        return _("%(site)s: latest news") % {"site": settings.SITE_NAME}

    def description(self, obj=None):
        return _("The latest and most relevant events of the day")

    def link(self, obj=None):
        return reverse("home")

    def articles(self, obj):
        return Article.objects.published().in_language()

    def items(self, obj=None):
        return (
            self.articles(obj)
            .select_related("source", "category")
            .order_by("-published_at")[:FEED_SIZE]
        )

    def item_title(self, item):
        return f"{item.title} {item.display_label}".strip()

    def item_description(self, item):
        # Feed readers render an RSS description as HTML: plain text such as "<img onerror=...>"
        # quoted from a body must arrive escaped, or it would become markup there.
        return escape(summary(item, length=500))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author_name or None

    def item_categories(self, item):
        return [item.category.name] if item.category_id else []

    def item_extra_kwargs(self, item):
        if not item.source_id:
            return {}
        return {"source_name": item.source.name, "source_url": item.source_link}


class SourceFeed(LatestArticlesFeed):
    """The newest articles taken from one source."""

    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def title(self, obj=None):
        return _("%(site)s: news from %(name)s") % {"site": settings.SITE_NAME, "name": obj.name}

    def description(self, obj=None):
        return _("The latest news from %(name)s on %(site)s, with links to the originals.") % {
            "site": settings.SITE_NAME,
            "name": obj.name,
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def articles(self, obj):
        return super().articles(obj).filter(source=obj)


class CategoryFeed(LatestArticlesFeed):
    """The newest articles of one category."""

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj=None):
        return _("%(site)s: %(name)s news") % {"site": settings.SITE_NAME, "name": obj.name}

    def description(self, obj=None):
        return _("%(name)s: the latest news on %(site)s.") % {
            "site": settings.SITE_NAME,
            "name": obj.name,
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def articles(self, obj):
        return super().articles(obj).filter(category=obj)


class TagFeed(LatestArticlesFeed):
    """The newest articles of the active language carrying one tag."""

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def articles(self, obj):
        return super().articles(obj).filter(tags=obj)


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithSource
    subtitle = LatestArticlesFeed.description


class SourceAtomFeed(SourceFeed):
    feed_type = AtomWithSource
    subtitle = SourceFeed.description


class CategoryAtomFeed(CategoryFeed):
    feed_type = AtomWithSource
    subtitle = CategoryFeed.description


class TagAtomFeed(TagFeed):
    feed_type = AtomWithSource
    subtitle = TagFeed.description
