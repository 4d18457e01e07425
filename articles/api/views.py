"""The API's views: thin, every one reading through `Article.objects.published()`.

`ApiView` gives them their common behaviour: the language (language.py) active while the
request is answered, JSON whatever the client accepts, the throttle, JSON errors, and the
validators with their 304 (conditional.py). Lists load their related rows in the same query
(or one more, for many-to-many), so the number of queries does not grow with the page size.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers as fields
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from articles import search
from articles.api import conditional
from articles.api.errors import InvalidParameters, invalid, not_found
from articles.api.language import LANGUAGE_PARAMETER, requested_language
from articles.api.pagination import MAX_PAGE_SIZE, NewestFirst, SourcesByName, StoriesNewestFirst
from articles.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    CategorySerializer,
    RankedArticleSerializer,
    SourceSerializer,
    StorySerializer,
)
from articles.filters import ArticleSearchFilter
from articles.models import SEARCH_LIMIT, Article, Category, Source, Story, current_language

SLUG = re.compile(r"[-\w]+")
# What a list item shows besides the article's own row, joined in the same query.
ARTICLE_JOINS = ("source", "category", "story")
DEFAULT_LIMIT = 20
# Most read: the days each period covers, ending today (Baku time), as on the most-read page.
PERIODS = {"day": 1, "week": 7}


class JsonAlways(BaseContentNegotiation):
    """Answer in JSON whatever the Accept header says: a browser's text/html gets JSON too."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApiBehaviour:
    """The language, the read-only methods, JSON errors and the validators of every API view."""

    http_method_names = ["get", "head"]
    # The query parameters the view reads: they (and no others) tell its answers apart.
    parameters = frozenset()

    def dispatch(self, request, *args, **kwargs):
        self.language, self.language_valid = requested_language(request)
        with translation.override(self.language):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.language_valid:
            raise invalid(LANGUAGE_PARAMETER, _("Choose az (Azerbaijani) or ru (Russian)."))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Rendered here, in the request's language; the rest of the stack sees the result.
        response.render()
        response["Content-Language"] = self.language
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            parameters = self.parameters | {LANGUAGE_PARAMETER}
            key = conditional.answer_key(request, parameters, self.language)
            response = conditional.with_validators(request, response, key)
        return response


class ApiView(ApiBehaviour, GenericAPIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonAlways
    pagination_class = None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "site_name": settings.SITE_NAME}

    def paginated(self, queryset):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def visible():
    """Return the articles readers may see in the request's language."""
    return Article.objects.published().in_language()


def for_lists(articles):
    """Load what a list item shows: the article but its body, with source, category, story."""
    return articles.select_related(*ARTICLE_JOINS).defer("body")


def _whole_number(request, name, default, most):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise invalid(name, _("Give a whole number from 1 to %(most)d.") % {"most": most})
    return value


def _in_order(ranked, queryset):
    """Return the rows of `queryset` for the articles `ranked`, in their order: one query."""
    rows = queryset.in_bulk([article.pk for article in ranked])
    found = []
    for article in ranked:
        row = rows.get(article.pk)
        if row is not None:
            row.period_views = getattr(article, "period_views", None)
            found.append(row)
    return found


LIMIT_PARAMETER = OpenApiParameter(
    "limit", int, description=f"How many (1 to {MAX_PAGE_SIZE}; {DEFAULT_LIMIT} by default)."
)


@extend_schema_view(get=extend_schema(operation_id="root"))
class ApiRoot(ApiView):
    """List the API's addresses."""

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                name: fields.CharField()
                for name in (
                    "articles",
                    "latest",
                    "most_read",
                    "stories",
                    "sources",
                    "categories",
                    "schema",
                    "docs",
                )
            },  # fmt: skip
        )
    )
    def get(self, request):
        names = {
            "articles": "article-list",
            "latest": "latest",
            "most_read": "most-read",
            "stories": "story-list",
            "sources": "source-list",
            "categories": "category-list",
            "schema": "schema",
            "docs": "docs",
        }
        return Response(
            {key: request.build_absolute_uri(reverse(f"api:{name}")) for key, name in names.items()}
        )


@extend_schema_view(
    get=extend_schema(operation_id="articles_list", responses=ArticleSerializer(many=True))
)
class ArticleList(ApiView):
    """The published articles of the language, newest first, filtered as the search form does.

    `q` keeps the articles containing every word (in title, lead or body; the newest
    300 such at most, as on the search page); `source` and `category` are slugs; `label` is
    matched whatever its case; `date_from` and `date_to` are days in Baku time, both included.
    """

    serializer_class = ArticleSerializer
    pagination_class = NewestFirst
    parameters = frozenset({"q", "source", "category", "label", "date_from", "date_to",
                            "cursor", "page_size"})  # fmt: skip

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words, all of which must occur."),
            OpenApiParameter("source", str, description="A source's slug (see /sources/)."),
            OpenApiParameter("category", str, description="A category's slug."),
            OpenApiParameter("label", str, description="A label such as FOTO or VİDEO."),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="The first day."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="The last day."),
        ]
    )
    def get(self, request):
        data = request.query_params
        filterset = ArticleSearchFilter(
            data,
            queryset=visible(),
            request=request,
            sources=_named(Source.objects.only("slug", "name"), data.get("source")),
            categories=_named(Category.objects.all(), data.get("category")),
        )
        if not filterset.is_valid():
            errors = dict(filterset.form.errors)
            if NON_FIELD_ERRORS in errors:  # the one form-wide error: the days' order
                errors["date_to"] = errors.pop(NON_FIELD_ERRORS)
            raise InvalidParameters(errors)
        articles = filterset.qs
        query = filterset.form.cleaned_data.get("q") or ""
        words = search.terms(query)
        if words:
            matching = articles.filter(search.match_condition(words, articles.db))
            articles = matching.newest_first(SEARCH_LIMIT)
        elif query.strip():
            articles = articles.none()  # punctuation alone asks for nothing that can be found
        return self.paginated(for_lists(articles))


def _named(queryset, slug):
    """Return the row with this slug, in a list, for the filter's choices ([] if none asked)."""
    # Only a slug is looked up: anything else (a NUL byte, say) is no choice, which the filter
    # answers with a 400.
    return list(queryset.filter(slug=slug)) if slug and SLUG.fullmatch(slug) else []


@extend_schema_view(get=extend_schema(operation_id="articles_detail"))
class ArticleDetail(ApiView):
    """One published article, with its body, pictures, tags, story and translation.

    Served whatever its language (its `language` says which); not counted as a view.
    """

    serializer_class = ArticleDetailSerializer

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def get(self, request, pk):
        articles = (
            Article.objects.published()
            .select_related(*ARTICLE_JOINS, "translation__source", "translated_from__source")
            .prefetch_related("tags")
        )
        article = articles.filter(pk=pk).first()
        if article is None:
            raise not_found(_("No published article has this number."))
        other_versions = []
        if article.story_id:
            other_versions = list(
                Article.objects.published()
                .filter(story_id=article.story_id)
                .exclude(pk=article.pk)
                .select_related("source")
                .only(
                    "id",
                    "language",
                    "slug",
                    "title",
                    "published_at",
                    "source__slug",
                    "source__name",
                    "source__kind",
                )  # fmt: skip
                .order_by("published_at", "id")
            )
        context = {**self.get_serializer_context(), "other_versions": other_versions}
        with translation.override(article.language):
            data = ArticleDetailSerializer(article, context=context).data
        return Response(data)


@extend_schema_view(get=extend_schema(operation_id="latest_list"))
class LatestArticles(ApiView):
    """The newest articles, one per story, as the "latest news" block shows them."""

    serializer_class = ArticleSerializer
    parameters = frozenset({"limit"})

    @extend_schema(
        parameters=[LIMIT_PARAMETER],
        responses=inline_serializer("LatestArticles", {"results": ArticleSerializer(many=True)}),
    )
    def get(self, request):
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, MAX_PAGE_SIZE)
        latest = Article.objects.latest_news(limit=limit)
        rows = _in_order(latest, for_lists(Article.objects.all()))
        return Response({"results": self.get_serializer(rows, many=True).data})


@extend_schema_view(get=extend_schema(operation_id="most_read_list"))
class MostRead(ApiView):
    """The most read articles of today or of the last 7 days (Baku time), by their views then."""

    serializer_class = RankedArticleSerializer
    parameters = frozenset({"period", "limit"})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, enum=list(PERIODS), description="day (default) or week."
            ),
            LIMIT_PARAMETER,
        ],
        responses=inline_serializer(
            "MostRead",
            {
                "period": fields.ChoiceField(choices=list(PERIODS)),
                "results": RankedArticleSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        period = request.query_params.get("period", "day")
        if period not in PERIODS:
            raise invalid("period", _("Choose day or week."))
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, MAX_PAGE_SIZE)
        first_day = timezone.localdate() - timedelta(days=PERIODS[period] - 1)
        ranked = Article.objects.most_read_since(first_day, limit=limit)
        rows = _in_order(ranked, for_lists(Article.objects.all()))
        return Response({"period": period, "results": self.get_serializer(rows, many=True).data})


def stories():
    """Return the stories readers may see: their lead article is published; with their articles."""
    visible_any_language = Article.objects.published()
    return (
        Story.objects.filter(source_count__gt=0, lead_article__in=visible_any_language.values("pk"))
        .select_related("lead_article__source", "lead_article__category", "lead_article__story")
        .defer("lead_article__body")
        .prefetch_related(
            Prefetch(
                "articles",
                queryset=visible_any_language.select_related("source")
                .only(
                    "id",
                    "language",
                    "slug",
                    "title",
                    "published_at",
                    "story",
                    "source__slug",
                    "source__name",
                    "source__kind",
                )  # fmt: skip
                .order_by("published_at", "id"),
                to_attr="visible_articles",
            )
        )
    )


@extend_schema_view(
    get=extend_schema(operation_id="stories_list", responses=StorySerializer(many=True))
)
class StoryList(ApiView):
    """The stories of the language, the one with the newest article first."""

    serializer_class = StorySerializer
    pagination_class = StoriesNewestFirst
    parameters = frozenset({"cursor", "page_size"})

    def get(self, request):
        return self.paginated(stories().filter(language=current_language()))


@extend_schema_view(get=extend_schema(operation_id="stories_detail"))
class StoryDetail(ApiView):
    """One story with every published version of it."""

    serializer_class = StorySerializer

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def get(self, request, pk):
        story = stories().filter(pk=pk).first()
        if story is None:
            raise not_found(_("No story has this number."))
        with translation.override(story.language):
            return Response(self.get_serializer(story).data)


@extend_schema_view(
    get=extend_schema(operation_id="sources_list", responses=SourceSerializer(many=True))
)
class SourceList(ApiView):
    """Every source, by name, with its published articles in the language: count and newest."""

    serializer_class = SourceSerializer
    pagination_class = SourcesByName
    parameters = frozenset({"cursor", "page_size"})

    def get(self, request):
        return self.paginated(Source.objects.with_article_stats())


@extend_schema_view(get=extend_schema(operation_id="sources_detail"))
class SourceDetail(ApiView):
    """One source, found by its slug."""

    serializer_class = SourceSerializer

    def get(self, request, slug):
        source = Source.objects.with_article_stats().filter(slug=slug).first()
        if source is None:
            raise not_found(_("No source has this slug."))
        return Response(self.get_serializer(source).data)


@extend_schema_view(get=extend_schema(operation_id="categories_list"))
class CategoryList(ApiView):
    """The categories in the order of the site's menu, named in the language."""

    serializer_class = CategorySerializer

    @extend_schema(
        responses=inline_serializer("Categories", {"results": CategorySerializer(many=True)})
    )
    def get(self, request):
        categories = Category.objects.all()
        return Response({"results": self.get_serializer(categories, many=True).data})


@extend_schema(exclude=True)
class NotFound(ApiView):
    """Any other address under the API: a JSON 404, or the address with its missing slash."""

    http_method_names = ["get", "head", "post", "put", "patch", "delete", "options", "trace"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        path = request.path_info
        if request.method in ("GET", "HEAD") and not path.endswith("/"):
            # Resolved in the path's own language: `?lang=` does not move the address.
            try:
                with translation.override(get_language_from_path(path) or settings.LANGUAGE_CODE):
                    match = resolve(f"{path}/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != "not-found":
                query = request.META.get("QUERY_STRING", "")
                self.redirect_to = f"{request.path}/" + (f"?{query}" if query else "")
                return
        raise not_found(_("The API has no such address; its addresses are listed at %(root)s.")
                        % {"root": request.build_absolute_uri(reverse("api:root"))})  # fmt: skip

    def handle(self, request, *args, **kwargs):
        return HttpResponsePermanentRedirect(self.redirect_to)

    get = head = post = put = patch = delete = options = trace = handle

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, HttpResponsePermanentRedirect):
            return response
        return super().finalize_response(request, response, *args, **kwargs)


class Schema(ApiBehaviour, SpectacularAPIView):
    """The OpenAPI 3 schema of the API, in JSON (YAML with Accept: application/yaml)."""

    def get_renderers(self):
        renderers = super().get_renderers()
        # JSON first: what a client that accepts anything gets.
        return sorted(renderers, key=lambda renderer: "json" not in renderer.format)


class Documentation(ApiBehaviour, SpectacularSwaggerSplitView):
    """The API's documentation page: Swagger UI on the schema, its assets served by us."""

    template_name = "api/docs.html"
    url_name = "api:schema"
    title = f"{settings.SITE_NAME} API"
