from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from articles import search, text
from articles.caching.fragments import PageFragments
from articles.desk import preview as desk_preview
from articles.filters import EARLIEST_DAY, LATEST_DAY, ArticleSearchFilter, label_suggestions
from articles.models import (
    LIST_LIMIT,
    SEARCH_LIMIT,
    Article,
    PendingChange,
    Source,
    Story,
    Tag,
    current_language,
)
from articles.prepared import PreparedQuery
from articles.templatetags.portal import list_item

# A published article with all its page shows (`for_page()`), compiled once: building and
# compiling this query was most of a cold article's query cost (articles/prepared.py).
PUBLISHED_FOR_PAGE = PreparedQuery(
    Article,
    lambda pk, now: Article.objects.for_page().published(now=now).filter(pk=pk).order_by(),
    pk=Article._meta.pk,
    now=Article._meta.get_field("published_at"),
)


def published_for_page(pk):
    """Return the published article `pk` with what its page shows, or raise Http404."""
    found = PUBLISHED_FOR_PAGE.run(pk=pk, now=timezone.now())
    if not found:
        raise Http404
    return found[0]


def home(request):
    """Show the main headline and the editors' picks, then the latest news of the language."""
    # The latest news are the sidebar's block, from the fragment cache with the other pieces.
    fragments = PageFragments(request, also=("front_page",))
    return render(request, "articles/home.html", {"fragments": fragments})


def article_detail(request, slug, pk):
    """Show one article; staff may also preview drafts and scheduled articles."""
    fragments = PageFragments(request, article_pk=pk)
    if request.user.is_staff:
        article = get_object_or_404(Article.objects.for_page(), pk=pk)
    else:
        # Loaded only if the article is not in the cache.
        article = fragments.article(lambda: published_for_page(pk))
    if slug != article.slug or pk != str(article.pk) or article.language != current_language():
        # The id is what finds the article: an old slug, a zero-padded id (`-00007`) or the
        # other language's prefix is corrected with a permanent redirect to the one canonical
        # address, which alone is counted (a redirect is no view).
        with translation.override(article.language):
            return redirect(article.get_absolute_url(), permanent=True)
    context = {"article": article, "fragments": fragments}
    return render(request, "articles/article_detail.html", context)


def preview(request, token):
    """Show an article as readers will see it, from a signed link valid for 24 hours.

    A draft, a scheduled article, or a published one with its pending change applied (never
    saved): rendered afresh, never stored by the page cache (not in CACHED_PAGES), never
    counted (not the article page's URL), and kept out of search engines.
    """
    found = desk_preview.read_token(token)
    if found is None:
        raise Http404
    pk, pending = found
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    if pending:
        change = PendingChange.objects.filter(article=article).first()
        if change is None:
            raise Http404
        change.applied_to(article)
    with translation.override(article.language):
        context = {"article": article, "fragments": PageFragments(request), "preview": True}
        response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Browsing: source, category, label, day and month pages, search ----------------------------

PER_PAGE = 20


class PageNotFound(Exception):
    """The requested page number is not a page of this list."""


def page_number(request, per_page=PER_PAGE):
    """Return the page number asked for (`?page=`); raise PageNotFound if no list has it."""
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        raise PageNotFound from None
    if not 1 <= number <= LIST_LIMIT // per_page + 1:
        raise PageNotFound
    return number


def page_rows(rows, number, per_page=PER_PAGE):
    """Return (rows of page `number` of a list, the length of the list), in one query.

    `rows(offset, size)` returns that slice of a bounded list (`newest_page()` of a queryset,
    or `counted_page()` of `search()`'s results), each row with `total_count`. A page past
    the end raises PageNotFound.
    """
    found = rows((number - 1) * per_page, per_page)
    if not found and number > 1:
        raise PageNotFound
    return found, found[0].total_count if found else 0


def page_of(rows, count, number, per_page=PER_PAGE):
    """Return the Page `number` showing `rows` of a list of `count` (nothing counted again)."""
    paginator = Paginator(rows, per_page)
    paginator.count = count  # a cached_property, set, not counted
    return Page(rows, number, paginator)


def paginate(request, rows, per_page=PER_PAGE):
    """Return the requested Page of the list `rows` (see page_rows): one query."""
    number = page_number(request, per_page)
    rows, count = page_rows(rows, number, per_page)
    return page_of(rows, count, number, per_page)


def visible_articles():
    """Return the articles readers may see in the active language."""
    return Article.objects.published().in_language()


class ArticleListView(TemplateView):
    """A paginated list of articles, each page kept in the fragment cache.

    Subclasses tell what the page is about in `about()` (the template's context besides the
    list, raising Http404 when it does not exist) and choose its articles, newest first, in
    `articles()`, called after `about()`. Both run only when the page is not cached: what
    `about()` returns, the length of the list and the page's items, rendered, are kept per
    address, language and page number until `articles_changed()` (the items' view counts
    may be as old as the blocks'). A page past the end is kept too: it is a 404.
    """

    template_name = "articles/article_list.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.number = page_number(request)
        except PageNotFound:
            self.number = None
        # Read in the page's one cache read, with the menu and the blocks.
        self.piece = f"list:{request.path_info}:{self.number}"
        self.fragments = PageFragments(request, also=(self.piece,) if self.number else ())

    def about(self):
        raise NotImplementedError

    def articles(self):
        raise NotImplementedError

    def load(self):
        """Return (`about()`, the list's length, the page's items' HTML or None past the end)."""
        about = self.about()
        try:
            rows, count = page_rows(self.articles().for_lists().newest_page, self.number)
        except PageNotFound:
            return about, 0, None
        return about, count, mark_safe("".join(list_item(row) for row in rows))

    def get(self, request, *args, **kwargs):
        if self.number is None:
            about, count, items = self.about(), 0, None
        else:
            about, count, items = self.fragments.get(self.piece, self.load)
        context = self.get_context_data(fragments=self.fragments, **{**kwargs, **about})
        if items is None:
            context["page_missing"] = True
            return self.render_to_response(context, status=404)
        # The pagination only counts the page's rows: the items come rendered.
        rows = range(min(PER_PAGE, count - (self.number - 1) * PER_PAGE))
        context.update(page_obj=page_of(rows, count, self.number), list_items=items)
        return self.render_to_response(context)


class SourceView(ArticleListView):
    template_name = "articles/source_detail.html"

    def about(self):
        # What the page shows of it: kept in the cache with the page.
        fields = ("name", "slug", "homepage")
        self.source = get_object_or_404(Source.objects.only(*fields), slug=self.kwargs["slug"])
        return {"source": self.source}

    def articles(self):
        return visible_articles().filter(source=self.source)


def kept_html(fragments, name, template_name, load):
    """Return `template_name` rendered with the context `load()` returns, from the fragment
    cache until `articles_changed()` (view counts in it as old as the blocks')."""
    return fragments.get(name, lambda: render_to_string(template_name, load()))


def source_list(request):
    """List every source with its kind, language, and its articles in the page's language."""
    fragments = PageFragments(request, also=("sources_page",))

    def load():
        fields = ("name", "slug", "kind", "language")
        return {"sources": Source.objects.with_article_stats().only(*fields)}

    items = kept_html(fragments, "sources_page", "articles/parts/source_list_items.html", load)
    context = {"fragments": fragments, "source_items": items}
    return render(request, "articles/source_list.html", context)


class CategoryView(ArticleListView):
    template_name = "articles/category_detail.html"

    def about(self):
        # The header's menu loads every category anyway.
        categories = {c.slug: c for c in self.fragments.menu()}
        self.category = categories.get(self.kwargs["slug"])
        if self.category is None:
            raise Http404
        return {"category": self.category}

    def articles(self):
        return visible_articles().filter(category=self.category)


class LabelView(ArticleListView):
    template_name = "articles/label_detail.html"

    def about(self):
        self.labelled, label = visible_articles().with_label_slug(self.kwargs["slug"])
        if self.labelled is None:
            raise Http404
        return {"label": text.upper_for_language(label, current_language())}

    def articles(self):
        return self.labelled


class TagView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def about(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return {"tag": self.tag}

    def articles(self):
        return visible_articles().filter(tags=self.tag)


def _date_or_404(year, month, day=1):
    """Return the date, or raise Http404 for an impossible one or one outside the archive."""
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        raise Http404 from None
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise Http404
    return value


def _baku_day(moment):
    return timezone.localtime(moment, text.BAKU_TZ).date() if moment else None


class DayArticlesView(ArticleListView):
    """The articles of one day (Baku time), with links to the nearest days that have some."""

    template_name = "articles/archive_day.html"

    def about(self):
        kwargs = self.kwargs
        self.day = _date_or_404(kwargs["year"], kwargs["month"], kwargs["day"])
        start = datetime.combine(self.day, time.min, tzinfo=text.BAKU_TZ)
        previous, following = visible_articles().neighbour_times(start, start + timedelta(days=1))
        return {
            "day": self.day,
            "previous_day": _baku_day(previous),
            "next_day": _baku_day(following),
        }

    def articles(self):
        return visible_articles().published_on(self.day)


class MonthDaysView(TemplateView):
    """The days of one month that have articles, with their number of articles."""

    template_name = "articles/archive_month.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        month = _date_or_404(kwargs["year"], kwargs["month"])
        # The days and the neighbouring months, kept in the fragment cache.
        piece = f"month:{month:%Y-%m}"
        fragments = PageFragments(request, also=(piece,))
        about = fragments.get(piece, lambda: self.about(month))
        self.extra_context = {"fragments": fragments, **about}

    @staticmethod
    def about(month):
        start = datetime.combine(month, time.min, tzinfo=text.BAKU_TZ)
        end = datetime.combine(
            date(month.year + month.month // 12, month.month % 12 + 1, 1),
            time.min,
            tzinfo=text.BAKU_TZ,
        )
        previous, following = visible_articles().neighbour_times(start, end)
        return {
            "month": month,
            "days": visible_articles().days_in_month(month.year, month.month),
            "previous_month": _baku_day(previous),
            "next_month": _baku_day(following),
        }


def archive_index(request):
    """Send readers to the month of the newest article."""
    newest = visible_articles().order_by("-published_at").values_list("published_at", flat=True)
    day = _baku_day(newest.first()) or timezone.localdate()
    return redirect("articles:archive_month", year=f"{day.year:04d}", month=f"{day.month:02d}")


def search_view(request):
    """Search by words, source, category, label and dates; results best first, highlighted."""
    fragments = PageFragments(request)
    filterset = ArticleSearchFilter(
        request.GET or None,
        queryset=visible_articles(),
        request=request,
        sources=list(Source.objects.only("slug", "name")),
        categories=fragments.menu(),
    )
    context = {
        "fragments": fragments,
        "filter": filterset,
        "form": filterset.form,
        "label_suggestions": label_suggestions(current_language()),
        "max_query_length": search.MAX_QUERY_LENGTH,
    }
    status = 200
    if filterset.is_bound and filterset.has_criteria and filterset.is_valid():
        words = search.terms(filterset.form.cleaned_data["q"])
        try:
            page = paginate(request, filterset.results().for_snippets().counted_page)
        except PageNotFound:
            context["page_missing"] = True
            status = 404
        else:
            search.decorate(page.object_list, words)
            context.update(page_obj=page, searched=True, limit=SEARCH_LIMIT)
    return render(request, "articles/search.html", context, status=status)


def robots_txt(request):
    """Tell crawlers where the sitemap is and what not to crawl."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap-index"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


MOST_READ_PERIODS = {
    # period: (days covered, ending today in Baku time; tab label; description)
    "day": (1, _("Day"), _("Views today")),
    "week": (7, _("Week"), _("Views in the last 7 days")),
    "month": (30, _("Month"), _("Views in the last 30 days")),
}
MOST_READ_LIMIT = 50


def most_read(request):
    """List the most read articles of today, the last week or month (`?period=`), top 50."""
    period = request.GET.get("period", "day")
    if period not in MOST_READ_PERIODS:
        period = "day"
    days, _label, description = MOST_READ_PERIODS[period]
    first_day = timezone.localdate() - timedelta(days=days - 1)
    tabs = [(key, label) for key, (_days, label, _description) in MOST_READ_PERIODS.items()]
    piece = f"most_read_page:{period}:{first_day}"
    fragments = PageFragments(request, also=(piece,))

    def load():
        return {"articles": Article.objects.most_read_since(first_day, limit=MOST_READ_LIMIT)}

    context = {
        "fragments": fragments,
        "most_read_list": kept_html(fragments, piece, "articles/parts/most_read_list.html", load),
        "period": period,
        "tabs": tabs,
        "description": description,
    }
    return render(request, "articles/most_read.html", context)


STORY_LIMIT = 50


def story_list(request):
    """Rank the stories of the last 24 hours by their number of sources, then views."""
    fragments = PageFragments(request, also=("stories_page",))

    def load():
        stories = Story.objects.most_discussed(limit=STORY_LIMIT)
        return {"stories": stories, "SITE_NAME": settings.SITE_NAME}

    items = kept_html(fragments, "stories_page", "articles/parts/story_list_items.html", load)
    context = {"fragments": fragments, "story_items": items}
    return render(request, "articles/story_list.html", context)
