"""The desk's part of the article admin: versions, who is editing, stale saves, pending changes.

`DeskFormMixin` goes into the article's admin form, `DeskAdminMixin` into its ModelAdmin
(articles/admin.py); the models and the cache are reached through articles/desk/.
"""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reversion.models import Version

from articles import text
from articles.caching import articles_changed
from articles.desk import editing, preview, versions
from articles.models import Article, PendingChange, current_language
from articles.telegram import tasks as telegram


def opened_stamp(article):
    """Return what the form remembers of the article it opened: when it was last saved."""
    return article.updated_at.isoformat() if article.pk else ""


def version_saved_at(article, stamp):
    """Return the article's version whose save time is `stamp` (an ISO time), or None."""
    try:
        wanted = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    for version in versions.versions_of(article)[:50]:
        saved = version.field_dict.get("updated_at")
        # Versions keep times to the millisecond (Django's JSON serialiser).
        if saved is not None and abs(saved - wanted) < timedelta(milliseconds=1):
            return version
    return None


class DeskFormMixin(forms.Form):
    """Refuse a save over an article that changed since the form was opened."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened"].initial = opened_stamp(self.instance)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        if self.add_prefix("opened") not in self.data:
            return cleaned  # not a change page's form (a script's post): nothing to compare
        saved_at = cleaned.get("opened") or ""
        now = Article.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True)
        current = now.first()
        if current is None or saved_at == current.isoformat():
            return cleaned
        latest = versions.versions_of(self.instance).first()
        who = latest.revision.user if latest and latest.revision.user else None
        # The difference from the version this editor opened, else (none kept) the history.
        opened = version_saved_at(self.instance, saved_at)
        if opened is not None:
            compare = reverse("admin:articles_article_compare", args=[self.instance.pk])
            compare += f"?from={opened.pk}"
        else:
            compare = reverse("admin:articles_article_history", args=[self.instance.pk])
        # A second save, made knowing this, is the editor's choice: it holds the current stamp.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened")] = current.isoformat()
        raise forms.ValidationError(
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "%(who)s saved this article at %(time)s, after you opened it. Your changes "
                    "were not saved, so nothing of theirs was lost. See what they changed, then "
                    "reload the article, or save again to replace their version with yours."
                )
                % {
                    "who": who.get_full_name() or who.get_username() if who else _("Someone"),
                    "time": timezone.localtime(current, text.BAKU_TZ).strftime("%H:%M"),
                },
                compare,
                _("See what changed"),
            ),
            code="stale",
        )


class DeskAdminMixin:
    """Versions, the history with differences and restores, editing notes, pending changes."""

    change_form_template = "admin/articles/article/change_form.html"

    # --- versions ------------------------------------------------------------------------------

    def construct_change_message(self, request, form, formsets, add=False):
        # Field names, not labels: the history words them in its reader's language.
        if add:
            return [{"added": {}}]
        message = versions.message_of_form(form)
        for formset in formsets or []:
            for obj in formset.new_objects:
                message.append({"added": {"name": str(obj._meta.verbose_name), "object": str(obj)}})
            for obj, _fields in formset.changed_objects:
                message.append(
                    {"changed": {"name": str(obj._meta.verbose_name), "object": str(obj)}}
                )
            for obj in formset.deleted_objects:
                message.append(
                    {"deleted": {"name": str(obj._meta.verbose_name), "object": str(obj)}}
                )
        return message

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        versions.save_version(obj, request.user, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if getattr(request, "_desk_pending", None) is None:
            versions.save_version(obj, request.user, message)
        return entry

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, object_id, change=False)
        rows = []
        listed = list(versions.versions_of(article))
        for index, version in enumerate(listed):
            older = listed[index + 1] if index + 1 < len(listed) else None
            rows.append(
                {
                    "version": version,
                    "summary": versions.describe(version.revision.comment),
                    "older": older,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of “%(title)s”") % {"title": article.title},
            "opts": self.model._meta,
            "original": article,
            "rows": rows,
            "has_change_permission": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/versions.html", context)

    def compare_view(self, request, object_id):
        """Show title, lead and body of two versions (or a version and now) side by side."""
        article = self._article_or_404(request, object_id, change=False)
        listed = versions.versions_of(article)
        older = self._version(listed, request.GET.get("from"))
        newer = self._version(listed, request.GET.get("to"))
        if older is None:
            raise Http404
        after = newer.field_dict if newer else versions.current_values(article)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Differences of “%(title)s”") % {"title": article.title},
            "opts": self.model._meta,
            "original": article,
            "older": older,
            "newer": newer,
            "tables": versions.difference(older.field_dict, after),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    @staticmethod
    def _version(listed, pk):
        if not pk:
            return None
        try:
            return listed.get(pk=int(pk))
        except (ValueError, Version.DoesNotExist):
            raise Http404 from None

    def restore_view(self, request, object_id, version_id):
        article = self._article_or_404(request, object_id)
        version = self._version(versions.versions_of(article), version_id)
        versions.restore(article, version, request.user)
        articles_changed()
        telegram.post_articles([article.pk])
        when = text.format_datetime(version.revision.date_created, current_language())
        self.message_user(
            request, _("The version of %(date)s is back.") % {"date": when}, messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    # --- who is editing ------------------------------------------------------------------------

    def get_queryset(self, request):
        # The change page tells of a pending change: loaded with the article, no query of its own.
        # Django's change list applies list_select_related only to a queryset that selects no
        # related row yet: name the list's ones here too, or each row fetches its source.
        related = self.get_list_select_related(request)
        listed = related if isinstance(related, (list, tuple)) else ()
        return super().get_queryset(request).select_related("pending_change", *listed)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            if request.method == "GET":
                for note in editing.present(obj.pk, request.user):
                    since = datetime.fromtimestamp(note["since"], tz=text.BAKU_TZ)
                    self.message_user(
                        request,
                        _("%(name)s is editing this article since %(time)s.")
                        % {"name": note["name"], "time": since.strftime("%H:%M")},
                        messages.WARNING,
                    )
            context.update(self._desk_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _desk_context(self, request, article):
        try:
            pending = article.pending_change
        except PendingChange.DoesNotExist:
            pending = None
        return {
            "preview_url": request.build_absolute_uri(preview.preview_url(article)),
            "pending": pending,
            "pending_preview_url": (
                request.build_absolute_uri(preview.preview_url(article, pending=True))
                if pending
                else ""
            ),
            "may_hold_pending": article.is_visible,
            "heartbeat_url": reverse("admin:articles_article_editing", args=[article.pk]),
            "heartbeat_seconds": editing.HEARTBEAT_SECONDS,
        }

    def editing_view(self, request, object_id):
        """Renew (or, with `left`, drop) the editor's note; the change page calls it."""
        article = self._article_or_404(request, object_id)
        if request.POST.get("left"):
            editing.left(article.pk, request.user)
            return JsonResponse({"others": []})
        others = editing.present(article.pk, request.user)
        return JsonResponse({"others": [note["name"] for note in others]})

    # --- pending changes -------------------------------------------------------------------------

    def hold_as_pending(self, request, obj, form, change):
        """Keep the form's text aside as a pending change if the editor asked; tell if so.

        Only a published article holds one: a draft's changes reach no reader anyway.
        """
        if not (change and "_pending" in request.POST):
            return False
        if not Article.objects.published().filter(pk=obj.pk).exists():
            return False
        changed = [name for name in form.changed_data if name in PendingChange.FIELDS]
        PendingChange.objects.update_or_create(
            article_id=obj.pk,
            defaults={
                "fields": {name: form.cleaned_data[name] for name in changed},
                "created_by": request.user,
            },
        )
        # What a pending change cannot hold (status, category, picture...) is not saved: say so.
        request._desk_pending = [
            name
            for name in form.changed_data
            if name not in PendingChange.FIELDS and name != "opened"
        ]
        return True

    def response_change(self, request, obj):
        if getattr(request, "_desk_pending", None) is not None:
            self.message_user(
                request,
                _(
                    "The change is kept aside: readers still see the published article. Preview "
                    "it, then publish it."
                ),
                messages.SUCCESS,
            )
            left_out = request._desk_pending
            if left_out:
                self.message_user(
                    request,
                    _(
                        "A pending change holds the text only; these changes were not saved: "
                        "%(fields)s."
                    )
                    % {
                        "fields": get_text_list(
                            [versions.field_label(n) for n in left_out], _("and")
                        )
                    },
                    messages.WARNING,
                )
            return HttpResponseRedirect(request.path)
        editing.left(obj.pk, request.user)
        return super().response_change(request, obj)

    def publish_pending_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if versions.publish_pending(article, request.user):
            articles_changed()
            telegram.post_articles([article.pk])
            self.message_user(request, _("The change is published."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def discard_pending_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        PendingChange.objects.filter(article=article).delete()
        self.message_user(request, _("The pending change is discarded."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    # --- plumbing --------------------------------------------------------------------------------

    def _article_or_404(self, request, object_id, change=True):
        # The history's address takes any text as the id (Django's <path:object_id>).
        try:
            pk = Article._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404 from None
        article = get_object_or_404(Article, pk=pk)
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def get_urls(self):
        view = self.admin_site.admin_view

        def post(method):
            return view(require_POST(method))

        desk = [
            path(
                "<int:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:object_id>/history/<int:version_id>/restore/",
                post(self.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<int:object_id>/editing/", post(self.editing_view), name="articles_article_editing"
            ),
            path(
                "<int:object_id>/pending/publish/",
                post(self.publish_pending_view),
                name="articles_article_publish_pending",
            ),
            path(
                "<int:object_id>/pending/discard/",
                post(self.discard_pending_view),
                name="articles_article_discard_pending",
            ),
        ]
        return [*desk, *super().get_urls()]
