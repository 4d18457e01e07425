from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import images, stories, text
from articles.caching import articles_changed
from articles.counting import stats
from articles.html import sanitize_html
from articles.importers.feeds import import_source
from articles.models import Article, Category, DailyViews, ImportStatus, Source, Story
from articles.services import check_translation, link_translation, store_renditions


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


# An address typed without a scheme means https (Django 6's way), in every URL field.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def with_url_rules(db_field, **kwargs):
    """Build a model form field with URL_FIELDS_ASSUME_HTTPS, as the admin's overrides do."""
    return db_field.formfield(**{**URL_FIELDS_ASSUME_HTTPS.get(type(db_field), {}), **kwargs})


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
        formfield_callback = with_url_rules

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["translation_link"].initial = self.instance.translated

    def clean_body(self):
        return sanitize_html(self.cleaned_data["body"])

    def clean_image(self):
        """Refuse images larger than ARTICLE_IMAGE_MAX_BYTES, saying how large they may be."""
        image = self.cleaned_data.get("image")
        limit = settings.ARTICLE_IMAGE_MAX_BYTES
        if image and getattr(image, "size", 0) > limit:
            raise forms.ValidationError(
                _("The image is too large: at most %(size)s are allowed."),
                params={"size": filesizeformat(limit)},
                code="too_large",
            )
        if image and "image" in self.changed_data:
            images.validate_upload(image)
        return image

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("translation_link")
        if other is not None:
            article = Article(pk=self.instance.pk, language=cleaned.get("language"))
            try:
                check_translation(article, other)
            except ValidationError as error:
                self.add_error("translation_link", error)
        return cleaned


class ReadersSeeItAdmin(admin.ModelAdmin):
    """An admin of what readers see: every save and delete makes cached pages stale."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        articles_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        articles_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        articles_changed()


LAST_IMPORT_FIELDS = [
    "last_attempt_at",
    "last_import_at",
    "last_import_status",
    "last_error",
    "etag",
    "last_modified",
]


@admin.register(Source)
class SourceAdmin(ReadersSeeItAdmin):
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
        for source in queryset:
            if not source.feed_url:
                self.message_user(
                    request,
                    _("%(source)s has no feed URL.") % {"source": source},
                    messages.WARNING,
                )
                continue
            report = import_source(source)
            self.message_user(request, *fetch_message(report))


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
class CategoryAdmin(ReadersSeeItAdmin):
    list_display = ["name_az", "name_ru", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_az", "name_ru"]
    prepopulated_fields = {"slug": ["name_az"]}


@admin.register(Article)
class ArticleAdmin(ReadersSeeItAdmin):
    form = ArticleAdminForm
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
        "story_link",
        "image_preview",
        "views",
        "daily_views_chart",
        "comment_count",
        "created_at",
        "updated_at",
        "created_by",
    ]
    actions = ["publish", "unpublish", "move_out_of_story", "make_story_lead"]
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
                    "story_link",
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
            store_renditions(obj)
        link_translation(obj, form.cleaned_data.get("translation_link"))
        stories.article_saved(obj)

    def delete_model(self, request, obj):
        story_id = obj.story_id
        super().delete_model(request, obj)
        stories.refresh_stories([story_id])

    def delete_queryset(self, request, queryset):
        story_ids = set(queryset.values_list("story_id", flat=True))
        super().delete_queryset(request, queryset)
        stories.refresh_stories(story_ids)

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        # Scheduled articles keep their future time and appear when it comes.
        count = self._set_status(queryset, Article.Status.PUBLISHED)
        message = ngettext("%d article published.", "%d articles published.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = self._set_status(queryset, Article.Status.DRAFT)
        message = ngettext("%d article unpublished.", "%d articles unpublished.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.display(description=_("story"), ordering="story")
    def story_link(self, article):
        if article.story_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_story_change", args=[article.story_id]),
            _("story %(number)d") % {"number": article.story_id},
        )

    @admin.action(
        description=_("Move the selected articles out of their stories"), permissions=["change"]
    )
    def move_out_of_story(self, request, queryset):
        count = stories.move_out(list(queryset))
        message = ngettext(
            "%d article now has a story of its own.",
            "%d articles now have stories of their own.",
            count,
        )
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(
        description=_("Make the selected article its story's lead"), permissions=["change"]
    )
    def make_story_lead(self, request, queryset):
        articles = list(queryset[:2])
        if len(articles) != 1:
            self.message_user(request, _("Select exactly one article."), messages.ERROR)
            return
        try:
            stories.make_lead(articles[0])
        except stories.StoryError as error:
            self.message_user(request, story_error_text(error), messages.ERROR)
            return
        self.message_user(
            request,
            _("“%(title)s” now leads its story.") % {"title": articles[0].title},
            messages.SUCCESS,
        )

    @staticmethod
    def _set_status(queryset, status):
        # Read before the update: the change list may be filtered by the old status.
        story_ids = set(queryset.values_list("story_id", flat=True))
        count = queryset.update(status=status)
        stories.refresh_stories(story_ids)
        articles_changed()
        return count


def story_error_text(error):
    """Return a story action's refusal in the editor's language."""
    return {
        stories.StoryError.TOO_FEW: _("Select two stories or more to merge."),
        stories.StoryError.LANGUAGES: _("Stories in different languages cannot be merged."),
        stories.StoryError.NO_STORY: _("The article belongs to no story."),
        stories.StoryError.NOT_PUBLISHED: _("Only a published article can lead its story."),
    }.get(error.code, str(error))


class StoryArticleInline(admin.TabularInline):
    """A story's articles, read-only: they are moved with the actions, never edited here."""

    model = Article
    fields = ["title_link", "source", "status", "published_at", "views", "is_lead"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["published_at", "id"]
    verbose_name = _("article of the story")
    verbose_name_plural = _("articles of the story")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "story")

    @admin.display(description=_("title"))
    def title_link(self, article):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[article.pk]),
            article.title,
        )

    @admin.display(description=_("lead"), boolean=True)
    def is_lead(self, article):
        return article.story.lead_article_id == article.pk


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "language", "source_count", "article_count", "last_published_at"]
    list_filter = ["language", "last_published_at"]
    list_select_related = ["lead_article"]
    search_fields = ["lead_article__title", "articles__title"]
    date_hierarchy = "last_published_at"
    fields = [
        "language",
        "lead_article",
        "lead_chosen",
        "source_count",
        "article_count",
        "last_published_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [StoryArticleInline]
    actions = ["merge"]

    def has_add_permission(self, request):
        return False  # stories are formed by matching; editors merge and split them

    @admin.action(description=_("Merge the selected stories"), permissions=["change"])
    def merge(self, request, queryset):
        try:
            story = stories.merge_stories(list(queryset))
        except stories.StoryError as error:
            self.message_user(request, story_error_text(error), messages.ERROR)
            return
        story.refresh_from_db()
        count = story.article_count
        message = ngettext(
            "Merged into one story of %(count)d article: “%(title)s”.",
            "Merged into one story of %(count)d articles: “%(title)s”.",
            count,
        )
        self.message_user(request, message % {"count": count, "title": story}, messages.SUCCESS)


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
