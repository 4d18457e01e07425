"""Versions of articles (django-reversion): what each save changed, differences, restores.

A version is written by the admin on every save (articles/admin.py), with the editor and a
change message. The message is stored as Django's JSON change message holding field *names*,
and worded when shown, so every editor reads it in their own language.
"""

import difflib
import json
import re
from datetime import datetime

import reversion
from django.utils.html import strip_tags
from django.utils.text import capfirst, get_text_list
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reversion.models import Version

from articles import text
from articles.models import Article, PendingChange

# The fields a difference shows, side by side.
COMPARED_FIELDS = ("title", "lead", "body")
# What a restore puts back: what editors wrote. Not the counters; not the picture (its
# renditions and size belong to the file now there); not the translation link, which the other
# article holds too (services.link_translation keeps both sides).
RESTORED_FIELDS = tuple(
    field.attname
    for field in Article._meta.concrete_fields
    if field.editable and field.name not in {"id", "views", "comment_count", "image", "translation"}
)
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figure|div|tr)>|<br\s*/?>", re.IGNORECASE)


def versions_of(article):
    """Return the article's versions, newest first, with their revisions and editors."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def save_version(article, user, message):
    """Keep the article as it is now as a version by `user`, with a change message.

    `message` is a list in the form of Django's admin change messages, or a plain text.
    """
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(message if isinstance(message, str) else json.dumps(message))


def field_label(name):
    try:
        return capfirst(Article._meta.get_field(name).verbose_name)
    except Exception:  # a field that no longer exists: its stored name
        return name


def describe(comment):
    """Word a stored change message in the active language."""
    try:
        parts = json.loads(comment)
    except (TypeError, ValueError):
        return _(comment) if comment else ""
    if not isinstance(parts, list):
        return str(comment)
    words = []
    for part in parts:
        if "added" in part and not part["added"]:
            words.append(_("Created."))
        elif "added" in part:
            words.append(_("Added %(what)s.") % {"what": part["added"].get("name", "")})
        elif "changed" in part and "object" in part["changed"]:
            words.append(_("Changed %(what)s.") % {"what": part["changed"].get("name", "")})
        elif "changed" in part and part["changed"].get("fields"):
            labels = [field_label(name) for name in part["changed"]["fields"]]
            words.append(_("Changed: %(fields)s.") % {"fields": get_text_list(labels, _("and"))})
        elif "deleted" in part:
            words.append(_("Deleted %(what)s.") % {"what": part["deleted"].get("name", "")})
        elif "restored" in part:
            when = text.format_datetime(datetime.fromisoformat(part["restored"]), get_language())
            words.append(_("Restored the version of %(date)s.") % {"date": when})
        elif "pending" in part:
            words.append(_("Published a pending change."))
    return " ".join(words) or _("Saved without changes.")


def message_of_form(form):
    """Return the change message of a saved article form, naming the changed fields."""
    if not form.instance.pk or not form.changed_data:
        return [{"changed": {"fields": []}}]
    model_fields = {field.name for field in Article._meta.get_fields()}
    names = [name for name in form.changed_data if name in model_fields]
    return [{"changed": {"fields": names}}]


def readable_lines(name, value):
    """Return a field's value as lines of text: one per paragraph, list item or heading."""
    value = value or ""
    if name == "body":
        value = strip_tags(_BLOCK_END.sub("\n", value))
    return [line.strip() for line in value.splitlines() if line.strip()]


def difference(older, newer):
    """Return [(label, HTML table)] of the compared fields that differ, side by side.

    `older` and `newer` are dicts of field values (a version's `field_dict`, or an article's).
    """
    differ = difflib.HtmlDiff(wrapcolumn=60)
    tables = []
    for name in COMPARED_FIELDS:
        before, after = older.get(name, ""), newer.get(name, "")
        if before == after:
            continue
        table = differ.make_table(
            readable_lines(name, before),
            readable_lines(name, after),
            _("Before"),
            _("After"),
        )
        tables.append((field_label(name), table))
    return tables


def current_values(article):
    return {name: getattr(article, name) for name in COMPARED_FIELDS}


def restore(article, version, user):
    """Put the version's text back on the article, keeping the restore as a new version."""
    stored = version.field_dict
    for name in RESTORED_FIELDS:
        if name in stored:
            setattr(article, name, stored[name])
    article.save()
    when = version.revision.date_created.isoformat()
    save_version(article, user, [{"restored": when}])
    return article


def publish_pending(article, user):
    """Apply the article's pending change and keep it as a version; return False if none."""
    try:
        pending = article.pending_change
    except PendingChange.DoesNotExist:
        return False
    pending.applied_to(article).save()
    save_version(article, user, [{"pending": True}, {"changed": {"fields": list(pending.fields)}}])
    pending.delete()
    return True
