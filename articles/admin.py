from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import caching, images, stats, text
from articles.html import sanitize_html
from articles.importers.feeds import import_in_background
from articles.models import Article, Category, DailyViews, ImportStatus, Source
from articles.services import link_translation


class LabelWidget(forms.TextInput):
    """A text input that suggests the common labels but accepts any."""

    def __init__(self, attrs=None):
        super().__init__({"list": "article-labels", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html(
            "".join('<option value="{}">' for _label in text.KNOWN_LABELS), *text.KNOWN_LABELS
        )
        return format_html(
            '{}<datalist id="article-labels">{}</datalist>',
            super().render(name, value, attrs, renderer),
            options,
        )


def https_url_fields(db_field, **kwargs):
    """Build form fields where an address typed without a scheme means https (Django 6's way)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    # Edited from either side of the link; services.link_translation stores it.
    translation_link = forms.ModelChoiceField(
        queryset=Article.objects.all(),
        required=False,
        label=_("translation"),
        help_text=_("The same story in the other language."),
        widget=AutocompleteSelect(Article._meta.get_field("translation"), admin.site),
    )

    class Meta:
        model = Article
        fields = [
            field.name
            for field in Article._meta.get_fields()
            if field.concrete and field.editable and field.name not in {"id", "translation"}
        ]
        formfield_callback = https_url_fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["translation_link"].initial = self.instance.translated

    def clean_body(self):
        return sanitize_html(self.cleaned_data["body"])

    def clean_image(self):
        """Refuse pictures the site would not store (articles/images.py's one check)."""
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:
            images.validate_upload(image)
        return image

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("translation_link")
        if other is not None:
            if other.pk == self.instance.pk:
                self.add_error("translation_link", _("An article cannot be its own translation."))
            elif other.language == cleaned.get("language"):
                self.add_error(
                    "translation_link", _("A translation must be in the other language.")
                )
        return cleaned


URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


LAST_IMPORT_FIELDS = [
    "last_attempt_at",
    "last_import_at",
    "last_import_status",
    "last_error",
    "etag",
    "last_modified",
]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "language",
        "is_active",
        "publish_imported",
        "article_total",
        "last_attempt_at",
        "last_import_status",
    ]
    list_filter = ["kind", "language", "is_active", "publish_imported", "last_status"]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}
    # Written by the importer only; shown to editors, never edited.
    readonly_fields = LAST_IMPORT_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "homepage", "language"]}),
        (_("Feed"), {"fields": ["feed_url", "is_active", "publish_imported", "category_map"]}),
        (
            _("Last import"),
            {"fields": LAST_IMPORT_FIELDS},
        ),
    ]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    actions = ["fetch_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_total")
    def article_total(self, source):
        return source.article_total

    @admin.display(description=_("last import"), ordering="last_status")
    def last_import_status(self, source):
        if not source.last_status:
            return "—"
        status = source.get_last_status_display()
        if source.last_status != ImportStatus.OK:
            return status
        return f"{status}: {counts_text(source.last_counts)}"

    @admin.action(description=_("Fetch the selected sources' feeds now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        sources = []
        for source in queryset:
            if not source.feed_url:
                self.message_user(
                    request,
                    _("%(source)s has no feed URL.") % {"source": source},
                    messages.WARNING,
                )
                continue
            sources.append(source)
        if not sources:
            return
        thread, reports = import_in_background(sources, wait=settings.FEED_FETCH_NOW_WAIT_SECONDS)
        done = list(reports)  # the thread may still be adding to it
        for report in done:
            self.message_user(request, *fetch_message(report))
        if thread.is_alive():
            waiting = [source.name for source in sources[len(done) :]]
            self.message_user(
                request,
                _(
                    "Still fetching in the background: %(sources)s. Reload this page in a "
                    "minute: the “last import” column shows the outcome."
                )
                % {"sources": ", ".join(waiting)},
                messages.INFO,
            )


def counts_text(counts):
    """Return "3 new, 1 updated, 5 skipped, 0 failed" in the active language."""
    return _("%(new)d new, %(updated)d updated, %(skipped)d skipped, %(failed)d failed") % {
        key: (counts or {}).get(key, 0) for key in ("new", "updated", "skipped", "failed")
    }


def fetch_message(report):
    """Return the admin message and its level for one source's import."""
    values = {"source": report.source, "error": report.error}
    if report.status == ImportStatus.FAILED:
        return _("%(source)s: import failed: %(error)s") % values, messages.ERROR
    if report.status == ImportStatus.BUSY:
        return _("%(source)s: another import is running; try again later.") % values, (
            messages.WARNING
        )
    if report.status == ImportStatus.NOT_MODIFIED:
        return _("%(source)s: the feed has not changed since the last import.") % values, (
            messages.INFO
        )
    level = messages.WARNING if report.failed else messages.SUCCESS
    return f"{report.source}: {counts_text(report.counts)}", level


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_az", "name_ru", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_az", "name_ru"]
    prepopulated_fields = {"slug": ["name_az"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = [
        "title",
        "label",
        "source",
        "status",
        "published_at",
        "views",
        "comment_count",
    ]
    list_filter = ["status", "language", "source", "category", "label", "published_at"]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "author_name", "source_url"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "image_preview",
        "views",
        "daily_views_chart",
        "comment_count",
        "created_at",
        "updated_at",
        "created_by",
    ]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["language", "title", "slug", "label", "lead", "body"]}),
        (_("Image"), {"fields": ["image", "image_preview", "image_caption"]}),
        (_("Author"), {"fields": ["author_name", "author_position"]}),
        (
            _("Provenance"),
            {"fields": ["source", "source_url", "archived_at", "attribution_variant"]},
        ),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "category",
                    "translation_link",
                    "comments_closed",
                ]
            },
        ),
        (
            _("Statistics"),
            {
                "fields": [
                    "views",
                    "daily_views_chart",
                    "comment_count",
                    "created_at",
                    "updated_at",
                    "created_by",
                ]
            },
        ),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "label":
            kwargs["widget"] = LabelWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("daily views, last 30 days"))
    def daily_views_chart(self, article):
        if not article.pk:
            return "—"
        return stats.views_chart(stats.daily_series(article))

    def get_urls(self):
        statistics = path(
            "statistics/",
            self.admin_site.admin_view(self.statistics_view),
            name="articles_article_statistics",
        )
        return [statistics, *super().get_urls()]

    def statistics_view(self, request):
        """Show the editors' dashboard: today's and this week's top articles, per-source views."""
        if not request.user.has_perm("articles.view_dailyviews"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **stats.dashboard(),
            "title": _("View statistics"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/view_statistics.html", context)

    @admin.display(description=_("preview"))
    def image_preview(self, article):
        if not article.image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width: 320px; height: auto">', article.image.url
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            images.store_renditions(obj)
        link_translation(obj, form.cleaned_data.get("translation_link"))

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        # Scheduled articles keep their future time and appear when it comes.
        count = queryset.update(status=Article.Status.PUBLISHED)
        caching.articles_changed()
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT)
        caching.articles_changed()
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


@admin.register(DailyViews)
class DailyViewsAdmin(admin.ModelAdmin):
    list_display = ["article", "day", "views"]
    list_select_related = ["article"]
    date_hierarchy = "day"
    search_fields = ["article__title"]
    raw_id_fields = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
