from datetime import timedelta

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles import images, search, stories, tasks, text
from articles.admin_lists import LargeTableAdmin
from articles.caching import articles_changed
from articles.counting import stats
from articles.desk.admin import DeskAdminMixin, DeskFormMixin
from articles.html import normalize_body, removed_markup, sanitize_html
from articles.importers import ingest, schedule
from articles.importers import messages as import_messages
from articles.importers.feeds import import_in_background
from articles.models import (
    Article,
    ArticlePhoto,
    BodyPicture,
    Category,
    DailyViews,
    FrontPagePick,
    ImportStatus,
    LiveUpdate,
    Source,
    Story,
    Tag,
    TelegramPost,
    current_language,
)
from articles.services import (
    check_translation,
    count_photos,
    link_translation,
    store_photo_renditions,
    store_renditions,
)
from articles.telegram import posting as telegram_posting
from articles.telegram import tasks as telegram
from articles.widgets import BodyEditorWidget


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


def checked_image(form):
    """Refuse pictures the site would not store (articles/images.py's one check)."""
    image = form.cleaned_data.get("image")
    if image and "image" in form.changed_data:
        images.validate_upload(image)
    return image


class BodyField(forms.CharField):
    """The body's HTML: line endings normalised, changed only if what readers get changed."""

    widget = BodyEditorWidget

    def to_python(self, value):
        return normalize_body(super().to_python(value))

    def has_changed(self, initial, data):
        return sanitize_html(normalize_body(initial)) != sanitize_html(self.to_python(data))


def removed_items(tags, attributes):
    """Return the names of what sanitising removed (see html.removed_markup), for a warning."""
    names = {"style": _("formatting (style attributes)"), "on": _("scripts in attributes")}
    found = [(f"<{tag}>", count) for tag, count in tags.items()]
    found += [(names[name], count) for name, count in attributes.items()]
    return ", ".join(f"{name} ×{count}" if count > 1 else str(name) for name, count in found)


def removed_message(tags, attributes):
    """Return the warning naming what sanitising removed from a body, or ""."""
    items = removed_items(tags, attributes)
    if not items:
        return ""
    return _(
        "The body was saved without what readers' pages may not carry: %(items)s. "
        "Embed videos and posts by pasting their link on a line of its own."
    ) % {"items": items}


def removed_from_update_message(tags, attributes):
    """Return the warning naming what sanitising removed from a live update's text, or ""."""
    items = removed_items(tags, attributes)
    if not items:
        return ""
    return _("The update was saved without what readers' pages may not carry: %(items)s.") % {
        "items": items
    }


class ArticleAdminForm(DeskFormMixin, forms.ModelForm):
    class Media:
        # Keeps the unsaved form in the browser and asks before leaving it (static/js/desk/).
        js = [forms.Script("js/desk/autosave.js", type="module")]

    # Edited from either side of the link; services.link_translation stores it.
    translation_link = forms.ModelChoiceField(
        queryset=Article.objects.all(),
        required=False,
        label=_("Translation"),
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
        field_classes = {"body": BodyField}
        widgets = {"body": BodyEditorWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.removed_from_body = ""
        if self.instance.pk:
            self.fields["translation_link"].initial = self.instance.translated
            self.fields["body"].widget.pictures = self.instance.pictures_for_editor()

    def clean_body(self):
        body = self.cleaned_data["body"]
        cleaned = sanitize_html(body)
        self.removed_from_body = removed_message(*removed_markup(body, cleaned))
        return cleaned

    def clean_image(self):
        return checked_image(self)

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


class PrefilledFromTheAddressAdmin(admin.ModelAdmin):
    """Prefill an add form from its address (`?article=12`) with ids that are ids only.

    Django takes any value for the form's initial data, and the autocomplete widget then looks
    it up as an id: `?tags=%FF` was a 500, not an empty field.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        for name, value in list(initial.items()):
            field = fields.get(name)
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            key = model._meta.get_field(field.to_field_name) if field.to_field_name else None
            key = key or model._meta.pk
            try:
                for each in value if isinstance(value, list) else [value]:
                    key.to_python(each)
            except ValidationError:
                del initial[name]
        return initial


class ReadersSeeItAdmin(PrefilledFromTheAddressAdmin):
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
    "import_errors",
    "consecutive_failures",
    "next_import_at",
    "median_fetch_time",
    "full_text_problems",
    "etag",
    "last_modified",
]
ENTRIES_PER_DAY_OVER = 7  # days averaged for "entries per day"
ARTICLES_COUNTED_UP_TO = 10_000  # a source's articles, in the list; more are "over 10 000"


# Posts an editor should look at: given up, or sent with no word back.
TELEGRAM_TROUBLE = [TelegramPost.Status.FAILED, TelegramPost.Status.UNKNOWN]


class TelegramFailingSourceFilter(admin.SimpleListFilter):
    title = _("Telegram")
    parameter_name = "telegram"

    def lookups(self, request, model_admin):
        return [("failing", _("posts failed")), ("off", _("posting switched off"))]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            troubled = TelegramPost.objects.filter(status__in=TELEGRAM_TROUBLE)
            return queryset.filter(pk__in=troubled.values("article__source_id"))
        if self.value() == "off":
            return queryset.filter(telegram_enabled=False)
        return queryset


class FeedHealthFilter(admin.SimpleListFilter):
    title = _("feed health")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [("failing", _("failing")), ("healthy", _("healthy"))]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(consecutive_failures__gt=0)
        if self.value() == "healthy":
            return queryset.filter(consecutive_failures=0)
        return queryset


@admin.register(Source)
class SourceAdmin(ReadersSeeItAdmin):
    show_full_result_count = False  # a count of sources is cheap, but one is enough
    # The list is the feeds' health view: what an editor on duty needs to see at a glance.
    list_display = [
        "name",
        "language",
        "is_active",
        "article_total",
        "last_import_at",
        "failures_in_a_row",
        "next_import_at",
        "entries_per_day",
        "median_fetch_time",
        "last_import_status",
    ]
    list_filter = [
        FeedHealthFilter,
        "kind",
        "language",
        "is_active",
        "publish_imported",
        "last_status",
        "full_text",
        "republish",
    ]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}
    # Written by the importer only; shown to editors, never edited.
    readonly_fields = LAST_IMPORT_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "homepage", "language"]}),
        (
            _("Feed"),
            {
                "fields": [
                    "feed_url",
                    "is_active",
                    "publish_imported",
                    "category_map",
                    "telegram_enabled",
                ]
            },
        ),
        (_("Text"), {"fields": ["full_text", "republish"]}),
        (
            _("Last import"),
            {"fields": LAST_IMPORT_FIELDS},
        ),
    ]
    actions = ["fetch_now"]

    def get_queryset(self, request):
        since = timezone.now() - timedelta(days=ENTRIES_PER_DAY_OVER)
        # A count per source through its index (article_source_pub, article_source_archived),
        # not a join of every article grouped by source (8 s at 1 000 000 articles); the total
        # stops at ARTICLES_COUNTED_UP_TO (counting 900 000 articles of one source took 4 s).
        articles = Article.objects.filter(source=OuterRef("pk")).order_by().values("source")
        recent = articles.filter(archived_at__gte=since).annotate(n=Count("pk")).values("n")
        total = RawSQL(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {Article._meta.db_table} counted "
            f"WHERE counted.source_id = {Source._meta.db_table}.id LIMIT %s) found",
            (ARTICLES_COUNTED_UP_TO + 1,),
            output_field=models.IntegerField(),
        )
        sources = (
            super()
            .get_queryset(request)
            .annotate(article_total=total, recent_total=Coalesce(Subquery(recent), 0))
        )
        if not telegram_posting.enabled():
            return sources  # no Telegram column (get_list_display): nothing to count
        failed = (
            TelegramPost.objects.filter(article__source=OuterRef("pk"), status__in=TELEGRAM_TROUBLE)
            .order_by()
            .values("article__source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # A subquery, not a join: a join would multiply the article counts above.
        return sources.annotate(telegram_failed=Coalesce(Subquery(failed), 0))

    # The Telegram column and filter only where posting is configured.
    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "telegram_failures"] if telegram_posting.enabled() else shown

    def get_list_filter(self, request):
        shown = super().get_list_filter(request)
        return (
            [shown[0], TelegramFailingSourceFilter, *shown[1:]]
            if telegram_posting.enabled()
            else shown
        )

    @admin.display(description=_("Telegram failures"), ordering="telegram_failed")
    def telegram_failures(self, source):
        failed = getattr(source, "telegram_failed", 0)
        if not failed:
            return "0"
        url = reverse("admin:articles_telegrampost_changelist")
        return format_html(
            '<a class="errornote" href="{}?article__source__id__exact={}&amp;trouble=1">{}</a>',
            url,
            source.pk,
            failed,
        )

    @admin.display(description=_("articles"), ordering="article_total")
    def article_total(self, source):
        if source.article_total > ARTICLES_COUNTED_UP_TO:
            return _("over %(count)s") % {
                "count": number_format(ARTICLES_COUNTED_UP_TO, force_grouping=True)
            }
        return source.article_total

    @admin.display(description=_("failures in a row"), ordering="consecutive_failures")
    def failures_in_a_row(self, source):
        if not source.consecutive_failures:
            return "0"
        return format_html('<strong class="errornote">{}</strong>', source.consecutive_failures)

    @admin.display(description=_("entries per day"), ordering="recent_total")
    def entries_per_day(self, source):
        recent = getattr(source, "recent_total", None)
        if recent is None:
            return "—"
        return f"{recent / ENTRIES_PER_DAY_OVER:.1f}"

    @admin.display(description=_("median fetch time"))
    def median_fetch_time(self, source):
        median = schedule.median_duration(source.fetch_durations)
        if median is None:
            return "—"
        return _("%(seconds).2f s") % {"seconds": median / 1000}

    @admin.display(description=_("last import"), ordering="last_status")
    def last_import_status(self, source):
        if not source.last_status:
            return "—"
        status = source.get_last_status_display()
        if source.last_status != ImportStatus.OK:
            return status
        return f"{status}: {counts_text(source.last_counts)}"

    @admin.display(description=_("last error"))
    def import_errors(self, source):
        # Stored as msgids and values: shown in the language of the page being read.
        return lines_or_dash(source.import_errors())

    @admin.display(description=_("full-text problems"))
    def full_text_problems(self, source):
        # Stored as msgids and values, like the import errors: shown in the page's language.
        return lines_or_dash(source.full_text_problems())

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
        thread, reports = import_in_background(
            sources,
            wait=settings.FEED_FETCH_NOW_WAIT_SECONDS,
            # An editor's "now" starts the backoff over (ingest.fetch_now); the pages of
            # summary-only entries and body pictures are fetched by tasks (on a worker when
            # there is a broker).
            importer=lambda source: ingest.fetch_now(
                source,
                complete=tasks.fetch_full_text.delay,
                pictures_of=tasks.fetch_body_pictures.delay,
            ),
        )
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
    error = report.error
    values = {"source": report.source, "error": getattr(error, "translated", error.__str__)()}
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


class PublicationFilter(admin.SimpleListFilter):
    """Drafts, scheduled articles (published, time to come) and those readers see."""

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("draft", _("draft")), ("scheduled", _("scheduled")), ("live", _("on the site"))]

    def queryset(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        if self.value() == "scheduled":
            return published.exclude(pk__in=Article.objects.published().values("pk"))
        if self.value() == "live":
            return queryset.published()
        return queryset


class LabelFilter(admin.SimpleListFilter):
    """The labels in use, found by a walk through the label index (ArticleQuerySet.labels):
    the field's own filter asked for DISTINCT label over every article (1.4 s at 1 000 000)."""

    title = _("label")
    parameter_name = "label"

    def lookups(self, request, model_admin):
        return [(label, label) for label in Article.objects.labels()]

    def queryset(self, request, queryset):
        return queryset.filter(label=self.value()) if self.value() else queryset


class StaffAuthorFilter(admin.RelatedFieldListFilter):
    """Who created the article, among the staff: only they write here. The related-only
    filter looked for every article's creator (2 s at 1 000 000 articles)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"is_staff": True}, ordering=ordering
        )


class TelegramArticleFilter(admin.SimpleListFilter):
    title = _("Telegram")
    parameter_name = "telegram"

    def lookups(self, request, model_admin):
        return [
            ("sent", _("in the channel")),
            ("waiting", _("waiting to be sent")),
            ("trouble", _("failed or unknown")),
            ("none", _("not posted")),
        ]

    def queryset(self, request, queryset):
        posts = TelegramPost.objects.all()
        statuses = {
            "sent": [TelegramPost.Status.SENT],
            "waiting": [TelegramPost.Status.PENDING, TelegramPost.Status.SENDING],
            "trouble": TELEGRAM_TROUBLE,
        }
        if self.value() in statuses:
            chosen = posts.filter(status__in=statuses[self.value()])
            return queryset.filter(pk__in=chosen.values("article_id"))
        if self.value() == "none":
            return queryset.exclude(pk__in=posts.values("article_id"))
        return queryset


def lines_or_dash(lines):
    """Return lines (a source's errors, a post's) one under another, or "—" for none."""
    if not lines:
        return "—"
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


def telegram_link(url, label):
    """Return a link to a message in the Telegram channel, opened in a new tab."""
    return format_html('<a href="{}" rel="noopener" target="_blank">{}</a>', url, label)


def tell_on_their_way(model_admin, request, count):
    """Tell the editor how many posts are going to Telegram (from the articles or the posts)."""
    message = ngettext(
        "%d post is on its way to Telegram.", "%d posts are on their way to Telegram.", count
    )
    model_admin.message_user(request, message % count, messages.SUCCESS if count else messages.INFO)


def telegram_status(post):
    """Return a post's status for a list: a link to the message once it is in the channel."""
    label = post.get_status_display()
    if post.status in TELEGRAM_TROUBLE:
        return format_html('<strong class="errornote">{}</strong>', label)
    if post.url:
        return telegram_link(post.url, label)
    return label


def telegram_details(post, *, buttons=False):
    """Return what an editor needs of one post: channel, status, link, error, next attempt."""
    parts = [format_html("{}: {}", post.channel, telegram_status(post))]
    if post.url:
        parts.append(telegram_link(post.url, post.url))
    if post.status == TelegramPost.Status.PENDING and post.next_attempt_at:
        parts.append(
            format_html(
                "{} {}",
                _("next attempt:"),
                text.format_datetime(post.next_attempt_at, current_language()),
            )
        )
    for line in post.errors():
        parts.append(format_html("<em>{}</em>", line))
    if buttons and post.status in (TelegramPost.Status.PENDING, TelegramPost.Status.FAILED):
        parts.append(
            format_html(
                '<button type="submit" class="button" formaction="{}">{}</button>',
                reverse("admin:articles_article_telegram", args=[post.article_id, "retry"]),
                _("Retry now"),
            )
        )
    if buttons and post.status in TELEGRAM_TROUBLE:
        parts.append(
            format_html(
                '<button type="submit" class="button" formaction="{}">{}</button>',
                reverse("admin:articles_article_telegram", args=[post.article_id, "again"]),
                _("Post again as a new message"),
            )
        )
    return format_html_join(" · ", "{}", ((part,) for part in parts))


class LiveUpdateForm(forms.ModelForm):
    """An update's text in the body's editor, sanitised by the body's rules."""

    class Meta:
        model = LiveUpdate
        fields = ["body", "image", "image_alt", "pinned"]  # the time: when it is added
        field_classes = {"body": BodyField}
        widgets = {"body": BodyEditorWidget}

    def __init__(self, *args, pictures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.removed_from_body = ""
        self.fields["body"].widget.pictures = list(pictures)

    def clean_body(self):
        typed = self.cleaned_data["body"]
        body = sanitize_html(typed)
        if not search.plain_text(body).strip() and "<img" not in body:
            raise forms.ValidationError(_("Write the update's text."), code="empty")
        self.removed_from_body = removed_from_update_message(*removed_markup(typed, body))
        return body

    def clean_image(self):
        return checked_image(self)


@admin.register(Tag)
class TagAdmin(ReadersSeeItAdmin):
    list_display = ["name", "slug", "article_total"]
    ordering = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_total")
    def article_total(self, tag):
        return tag.article_total


class ArticlePhotoForm(forms.ModelForm):
    class Meta:
        model = ArticlePhoto
        fields = ["image", "alt_text", "caption", "position"]

    def clean_image(self):
        return checked_image(self)


class ArticlePhotoInline(admin.TabularInline):
    """The gallery (FOTOLAR): pictures with alt text and caption, in the order of `position`."""

    model = ArticlePhoto
    form = ArticlePhotoForm
    fields = ["thumbnail", "image", "alt_text", "caption", "position"]
    readonly_fields = ["thumbnail"]
    extra = 1
    max_num = settings.ARTICLE_GALLERY_MAX_PICTURES

    @admin.display(description=_("preview"))
    def thumbnail(self, photo):
        if not photo.pk or not photo.image:
            return "—"
        versions = photo.renditions
        url = versions[0].jpeg_url if versions else photo.image.url
        return format_html('<img src="{}" alt="" style="max-width: 120px; height: auto">', url)


@admin.register(Article)
class ArticleAdmin(LargeTableAdmin, DeskAdminMixin, ReadersSeeItAdmin):
    form = ArticleAdminForm
    inlines = [ArticlePhotoInline]
    autocomplete_fields = ["tags"]
    list_display = [
        "title",
        "label",
        "source",
        "publication",
        "published_at",
        "views",
        "comment_count",
    ]
    list_filter = [
        PublicationFilter,
        "status",
        "language",
        ("created_by", StaffAuthorFilter),
        "source",
        "category",
        LabelFilter,
        "published_at",
    ]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "author_name", "source_url"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "story_link",
        "telegram_box",
        "image_preview",
        "views",
        "daily_views_chart",
        "comment_count",
        "created_at",
        "updated_at",
        "created_by",
        "body_picture_problems",
    ]
    actions = [
        "publish",
        "unpublish",
        "move_out_of_story",
        "make_story_lead",
        "telegram_retry_now",
        "telegram_post_again",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["language", "title", "slug", "label", "lead", "body", "tags", "opened"]},
        ),
        (_("Image"), {"fields": ["image", "image_preview", "image_caption"]}),
        (_("Author"), {"fields": ["author_name", "author_position"]}),
        (
            _("Provenance"),
            {
                "fields": [
                    "source",
                    "source_url",
                    "archived_at",
                    "attribution_variant",
                    "body_picture_problems",
                ]
            },
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
                    "live_coverage",
                    "story_link",
                ]
            },
        ),
        (_("Telegram"), {"fields": ["telegram_enabled", "telegram_box"]}),
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The list's Telegram column reads every row's posts; the change form fetches its article
        # more than once and reads the posts itself, once.
        match = request.resolver_match
        if telegram_posting.enabled() and match and match.url_name.endswith("_changelist"):
            queryset = queryset.prefetch_related("telegram_posts")
        return queryset

    # The Telegram column and filter only where posting is configured.
    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "telegram_column"] if telegram_posting.enabled() else shown

    def get_list_filter(self, request):
        shown = super().get_list_filter(request)
        return (
            [shown[0], TelegramArticleFilter, *shown[1:]] if telegram_posting.enabled() else shown
        )

    def get_search_results(self, request, queryset, search_term):
        """Find articles as the site's search does too: "bakinin" finds "Bakının"."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = search.terms(search_term)
        if words:
            found = found | queryset.filter(search.match_condition(words, queryset.db))
        return found, may_have_duplicates

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
        live = path(
            "<int:object_id>/live/",
            self.admin_site.admin_view(require_POST(self.add_live_update_view)),
            name="articles_article_add_live_update",
        )
        retry = path(
            "<int:object_id>/telegram/<str:action>/",
            self.admin_site.admin_view(require_POST(self.telegram_view)),
            name="articles_article_telegram",
        )
        return [statistics, live, retry, *super().get_urls()]

    @admin.display(description=_("Telegram"))
    def telegram_column(self, article):
        posts = list(article.telegram_posts.all())
        if not posts:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((telegram_status(p),) for p in posts))

    @admin.display(description=_("posts in the channels"))
    def telegram_box(self, article):
        if not article.pk:
            return "—"
        posts = list(article.telegram_posts.all())
        if not posts:
            if not telegram_posting.enabled():
                return _("Posting to Telegram is not configured.")
            return format_html(
                '{} <button type="submit" class="button" formaction="{}">{}</button>',
                _("Not posted."),
                reverse("admin:articles_article_telegram", args=[article.pk, "retry"]),
                _("Post now"),
            )
        return format_html_join(
            mark_safe("<br>"),
            "{}",
            ((telegram_details(post, buttons=True),) for post in posts),
        )

    def telegram_view(self, request, object_id, action):
        """Retry an article's post now, or post it again as a new message (change page buttons)."""
        article = self._article_or_404(request, object_id)
        if action not in ("retry", "again"):
            raise PermissionDenied
        self._telegram(request, Article.objects.filter(pk=article.pk), again=action == "again")
        change = reverse("admin:articles_article_change", args=[article.pk])
        return HttpResponseRedirect(change)

    @admin.action(description=_("Post to Telegram now (retry)"), permissions=["change"])
    def telegram_retry_now(self, request, queryset):
        self._telegram(request, queryset, again=False)

    @admin.action(description=_("Post to Telegram again as a new message"), permissions=["change"])
    def telegram_post_again(self, request, queryset):
        self._telegram(request, queryset, again=True)

    def _telegram(self, request, queryset, *, again):
        if not telegram_posting.enabled():
            self.message_user(
                request, _("Posting to Telegram is not configured."), messages.WARNING
            )
            return
        posts = list(TelegramPost.objects.filter(article__in=queryset))
        refused = 0
        if again:
            refused = len(posts) - telegram_posting.post_again(posts)
        else:
            telegram_posting.retry_now(posts)
            # Not posted yet (switched on later, or too old to go by itself), or changed.
            telegram_posting.queue(queryset.values_list("pk", flat=True), by_editor=True)
        due = list(
            TelegramPost.objects.filter(
                article__in=queryset,
                status=TelegramPost.Status.PENDING,
                next_attempt_at__lte=timezone.now(),
            ).values_list("pk", flat=True)
        )
        telegram.deliver_soon(due)
        tell_on_their_way(self, request, len(due))
        if refused:
            self.message_user(
                request,
                _(
                    "Only posts that failed or whose outcome is unknown are posted again; "
                    "the others were left as they are."
                ),
                messages.WARNING,
            )

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

    @admin.display(description=_("publication"), ordering="status")
    def publication(self, article):
        if article.status == Article.Status.DRAFT:
            return _("draft")
        if not article.is_visible:
            return _("scheduled for %(date)s") % {
                "date": text.format_datetime(article.published_at, current_language())
            }
        return _("on the site")

    def save_model(self, request, obj, form, change):
        if self.hold_as_pending(request, obj, form, change):
            return
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            store_renditions(obj)
        link_translation(obj, form.cleaned_data.get("translation_link"))
        stories.article_saved(obj)
        # Published by this save (or switched on): posted whatever its age; otherwise a message
        # already in the channel is brought up to date.
        published_now = obj.is_visible and (
            not change or {"status", "published_at", "telegram_enabled"} & set(form.changed_data)
        )
        telegram.post_articles([obj.pk], by_editor=published_now)
        if form.removed_from_body:
            self.message_user(request, form.removed_from_body, messages.WARNING)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is ArticlePhoto:
            for photo_form in formset.forms:
                photo = photo_form.instance
                if photo.pk and "image" in photo_form.changed_data:
                    store_photo_renditions(photo)
            count_photos(form.instance)

    def save_related(self, request, form, formsets, change):
        # Tags and gallery pictures are saved after the article: readers' pages learn of them
        # only now.
        super().save_related(request, form, formsets, change)
        articles_changed()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # The live update's editor offers the pictures the main form's body editor read.
            body = context["adminform"].form.fields.get("body")
            pictures = body.widget.pictures if body is not None else obj.pictures_for_editor()
            context["live_form"] = LiveUpdateForm(prefix="live", pictures=pictures)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def add_live_update_view(self, request, object_id):
        """Add a live update from the small form on the article's page; readers see it at once."""
        article = self._article_or_404(request, object_id)
        form = LiveUpdateForm(request.POST, request.FILES, prefix="live")
        if form.is_valid():
            update = form.save(commit=False)
            update.article = article
            update.created_by = request.user
            update.save()
            if not article.live_coverage:
                Article.objects.filter(pk=article.pk).update(
                    live_coverage=Article.Coverage.OPEN, updated_at=timezone.now()
                )
            articles_changed(article.language)
            self.message_user(request, _("The update is on the page."), messages.SUCCESS)
            if form.removed_from_body:
                self.message_user(request, form.removed_from_body, messages.WARNING)
        else:
            problems = "; ".join(error for errors in form.errors.values() for error in errors)
            self.message_user(
                request,
                _("The update was not added: %(errors)s") % {"errors": problems},
                messages.ERROR,
            )
        change = reverse("admin:articles_article_change", args=[article.pk])
        return HttpResponseRedirect(f"{change}#live-coverage")

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

    @admin.display(description=_("pictures left out of the body"))
    def body_picture_problems(self, article):
        # Imported pictures that could not be had (articles/importers/pictures.py), each with
        # the reason stored as msgids: shown in the page's language.
        if article.pk is None or article.source_id is None:
            return "—"
        failed = BodyPicture.objects.filter(article=article, state=BodyPicture.State.FAILED)
        lines = [
            (row.source_url, "; ".join(import_messages.loads(row.reason)))
            for row in failed.only("source_url", "reason")
        ]
        if not lines:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}: {}", lines)

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
        rows = list(queryset.values_list("pk", "story_id"))
        ids = [pk for pk, _story in rows]
        story_ids = {story for _pk, story in rows}
        now = timezone.now()
        # A new save time: a form opened before this refuses to overwrite it (desk/admin.py).
        changes = {"status": status, "updated_at": now}
        if status == Article.Status.PUBLISHED:
            # Going live now: only changes after this show "Updated" (Article.changed_at).
            changes["went_live_at"] = Case(
                When(status=Article.Status.PUBLISHED, then=F("went_live_at")), default=Value(now)
            )
        count = queryset.update(**changes)
        stories.refresh_stories(story_ids)
        articles_changed()
        if status == Article.Status.PUBLISHED:
            telegram.post_articles(ids, by_editor=True)
        return count


@admin.register(LiveUpdate)
class LiveUpdateAdmin(ReadersSeeItAdmin):
    """Live updates, to correct, pin or delete one (new ones are added on the article's page)."""

    form = LiveUpdateForm
    list_display = ["__str__", "article", "published_at", "pinned"]
    list_filter = ["pinned"]
    list_select_related = ["article"]
    search_fields = ["body", "article__title"]
    raw_id_fields = ["article"]
    fields = ["article", "published_at", "body", "image", "image_alt", "pinned"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.removed_from_body:
            self.message_user(request, form.removed_from_body, messages.WARNING)


@admin.register(FrontPagePick)
class FrontPagePickAdmin(ReadersSeeItAdmin):
    """The home page's main headline and picks, per language, moved up and down by buttons."""

    list_display = ["article", "language", "is_main", "starts_at", "ends_at", "order_buttons"]
    list_display_links = ["article"]
    list_filter = ["language", "is_main"]
    autocomplete_fields = ["article"]
    fields = ["language", "article", "is_main", "starts_at", "ends_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description=_("order"))
    def order_buttons(self, pick):
        # Buttons of the change list's own form (it carries the CSRF token): no nested form.
        return format_html(
            '<button type="submit" class="button" formaction="{}" aria-label="{}">↑</button> '
            '<button type="submit" class="button" formaction="{}" aria-label="{}">↓</button>',
            reverse("admin:articles_frontpagepick_move", args=[pick.pk, "up"]),
            _("Move up: %(title)s") % {"title": pick.article.title},
            reverse("admin:articles_frontpagepick_move", args=[pick.pk, "down"]),
            _("Move down: %(title)s") % {"title": pick.article.title},
        )

    def get_urls(self):
        move = path(
            "<int:pick_id>/move/<str:direction>/",
            self.admin_site.admin_view(require_POST(self.move_view)),
            name="articles_frontpagepick_move",
        )
        return [move, *super().get_urls()]

    def move_view(self, request, pick_id, direction):
        pick = get_object_or_404(FrontPagePick, pk=pick_id)
        if not self.has_change_permission(request, pick) or direction not in ("up", "down"):
            raise PermissionDenied
        if pick.move(-1 if direction == "up" else 1):
            articles_changed(pick.language)
        changelist = reverse("admin:articles_frontpagepick_changelist")
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{changelist}?{query}" if query else changelist)


def story_error_text(error):
    """Return a story action's refusal in the editor's language."""
    return {
        stories.StoryError.TOO_FEW: _("Select two stories or more to merge."),
        stories.StoryError.LANGUAGES: _("Stories in different languages cannot be merged."),
        stories.StoryError.NO_STORY: _("The article belongs to no story."),
        stories.StoryError.NOT_PUBLISHED: _(
            "Only an article on the site can lead its story, not a draft or a scheduled one."
        ),
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
class StoryAdmin(LargeTableAdmin, admin.ModelAdmin):
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
class DailyViewsAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["article", "day", "views"]
    list_select_related = ["article"]
    date_hierarchy = "day"
    search_fields = ["article__title"]
    raw_id_fields = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TelegramTroubleFilter(admin.SimpleListFilter):
    title = _("needs a look")
    parameter_name = "trouble"

    def lookups(self, request, model_admin):
        return [("1", _("failed or unknown"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(status__in=TELEGRAM_TROUBLE)
        return queryset


@admin.register(TelegramPost)
class TelegramPostAdmin(admin.ModelAdmin):
    """The channels' posts: what was sent, what waits, what failed; retried from here."""

    list_display = [
        "article",
        "channel",
        "status_column",
        "message_link",
        "attempts",
        "next_attempt_at",
        "error_column",
        "sent_at",
    ]
    list_filter = [TelegramTroubleFilter, "status", "channel", "article__source"]
    list_select_related = ["article"]
    search_fields = ["article__title", "channel"]
    date_hierarchy = "created_at"
    fields = [
        "article",
        "channel",
        "status",
        "message_link",
        "attempts",
        "error_column",
        "next_attempt_at",
        "claimed_at",
        "synced_at",
        "sent_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["retry_now", "post_again"]

    def has_add_permission(self, request):
        return False  # made when articles are published

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, post):
        return telegram_status(post)

    @admin.display(description=_("message"))
    def message_link(self, post):
        if not post.url:
            return "—"
        return telegram_link(post.url, post.url)

    @admin.display(description=_("last error"))
    def error_column(self, post):
        return lines_or_dash(post.errors())

    @admin.action(description=_("Retry the selected posts now"), permissions=["change"])
    def retry_now(self, request, queryset):
        posts = list(queryset)
        count = telegram_posting.retry_now(posts)
        telegram.deliver_soon(post.pk for post in posts)
        self._done(request, count, len(posts))

    @admin.action(
        description=_("Post the selected posts again as new messages"), permissions=["change"]
    )
    def post_again(self, request, queryset):
        posts = list(queryset)
        count = telegram_posting.post_again(posts)
        telegram.deliver_soon(post.pk for post in posts)
        self._done(request, count, len(posts))

    def _done(self, request, count, selected):
        tell_on_their_way(self, request, count)
        if count < selected:
            self.message_user(
                request,
                _("Posts already in the channel or being sent were left as they are."),
                messages.WARNING,
            )


# --- People: Django's user and group admins, in the editors' words -----------------------------

# Group names are data, kept in English because code looks them up by name; editors read them
# translated. Marked here so that the catalogues keep them.
GROUP_NAMES = (gettext_noop("Editors"),)
PERMISSION_ACTIONS = {
    "add": _("adding"),
    "change": _("changing"),
    "delete": _("deleting"),
    "view": _("viewing"),
}


def group_label(group):
    return gettext(group.name)


def permission_label(permission):
    """Name a permission in the active language: "Articles | article | adding".

    Django stores permission names in English ("Can add article") when it creates them.
    """
    action, _sep, _model = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is None or action not in PERMISSION_ACTIONS:
        return str(permission)
    opts = model._meta
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {PERMISSION_ACTIONS[action]}"


class TranslatedGroupFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [
            (pk, gettext(name)) for pk, name in super().field_choices(field, request, model_admin)
        ]


class PeopleFormFields:
    """Show groups and permissions by their translated names in the forms' choices."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            formfield.label_from_instance = permission_label
        elif db_field.name == "groups":
            formfield.label_from_instance = group_label
        return formfield


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(PeopleFormFields, UserAdmin):
    list_filter = ["is_staff", "is_superuser", "is_active", ("groups", TranslatedGroupFilter)]


@admin.register(Group)
class PortalGroupAdmin(PeopleFormFields, GroupAdmin):
    list_display = ["translated_name"]

    @admin.display(description=_("Name"), ordering="name")
    def translated_name(self, group):
        return group_label(group)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        group = self.get_object(request, object_id)
        extra = {"subtitle": group_label(group)} if group else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def action_checkbox(self, group):
        # The checkbox is read aloud with the group's name: the translated one.
        return super().action_checkbox(Group(pk=group.pk, name=group_label(group)))


# --- django-axes: its failed log-in records, with column names in the editors' language --------

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class PortalAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description=_("Status"))
    def status(self, attempt):
        left = settings.AXES_FAILURE_LIMIT - attempt.failures_since_start
        if left <= 0:
            return gettext("Locked Out")
        return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}

    @admin.display(description=_("Expires At"))
    def expiration(self, attempt):
        return super().expiration(attempt)
