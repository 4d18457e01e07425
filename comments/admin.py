from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin_lists import LargeTableAdmin
from articles.models import Article
from comments import services
from comments.models import Comment, CommentBan


class CommentedArticleFilter(admin.SimpleListFilter):
    """The articles of the latest comments, newest article first, and the one chosen.

    Django's RelatedOnlyFieldListFilter lists every article that has a comment, whole rows
    of them: on a large site thousands of links and a pass over the comments and articles.
    """

    title = _("article")
    parameter_name = "article__id__exact"
    LATEST_COMMENTS = 200

    def lookups(self, request, model_admin):
        latest = Comment.objects.order_by("-created_at").values("article")[: self.LATEST_COMMENTS]
        chosen = Q(pk__in=latest)
        if (self.value() or "").isdigit():
            chosen |= Q(pk=int(self.value()))
        articles = Article.objects.filter(chosen).order_by("-published_at", "-id")
        return [(str(pk), title) for pk, title in articles.values_list("pk", "title")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(article_id=value) if value.isdigit() else queryset.none()


@admin.register(Comment)
class CommentAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["excerpt", "article", "author", "status", "created_at"]
    list_display_links = ["excerpt"]
    list_filter = ["status", CommentedArticleFilter, "created_at"]
    list_select_related = ["article", "author"]
    search_fields = ["body", "author__username", "author__email"]
    date_hierarchy = "created_at"
    actions = ["hide", "show"]
    fields = ["article", "author", "bar_author", "parent", "body", "status", "created_at"]
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        fixed = ["article", "author", "bar_author", "parent", "created_at"]
        # Editors moderate (hide or show); only a superuser may touch a reader's words.
        return fixed if request.user.is_superuser else [*fixed, "body"]

    def has_add_permission(self, request):
        # Comments are written by readers on the site, not in the admin.
        return False

    @admin.display(description=_("text"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description=_("bar from commenting"))
    def bar_author(self, comment):
        if comment.author_id is None:
            return "—"
        url = reverse("admin:comments_commentban_add")
        query = urlencode({"username": comment.author.get_username()})
        return format_html('<a href="{}?{}">{}</a>', url, query, _("Bar this author"))

    def save_model(self, request, obj, form, change):
        services.save_comment(obj)

    def delete_model(self, request, obj):
        services.delete_comments(Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_comments(queryset)

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide(self, request, queryset):
        count = services.set_status(queryset, Comment.Status.HIDDEN)
        self.message_user(
            request,
            ngettext("%d comment hidden.", "%d comments hidden.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Show the selected comments"), permissions=["change"])
    def show(self, request, queryset):
        count = services.set_status(queryset, Comment.Status.VISIBLE)
        self.message_user(
            request,
            ngettext("%d comment shown.", "%d comments shown.", count) % count,
            messages.SUCCESS,
        )


class CommentBanForm(forms.ModelForm):
    """Pick the reader by username or e-mail: editors cannot browse the user list."""

    username = forms.CharField(label=_("Username or e-mail"), max_length=254)

    class Meta:
        model = CommentBan
        fields = ["reason", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["username"].disabled = True

    def clean_username(self):
        typed = self.cleaned_data["username"].strip()
        if self.instance.pk:
            return typed
        User = get_user_model()
        lookup = {"email__iexact": typed} if "@" in typed else {"username": typed}
        users = list(User._default_manager.filter(**lookup)[:2])
        if len(users) != 1:
            raise forms.ValidationError(_("No single reader has this username or e-mail."))
        if CommentBan.objects.filter(user=users[0]).exists():
            raise forms.ValidationError(_("This reader is barred already: edit that entry."))
        self.instance.user = users[0]
        return typed


@admin.register(CommentBan)
class CommentBanAdmin(admin.ModelAdmin):
    form = CommentBanForm
    fields = ["username", "reason", "until"]
    list_display = ["user", "reason", "until", "is_in_force", "created_by", "created_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "user__email", "reason"]

    @admin.display(description=_("in force"), boolean=True)
    def is_in_force(self, ban):
        return ban.is_active

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
