import re
from dataclasses import dataclass, field

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import ban_message

register = template.Library()

# Web addresses in readers' text become links: http(s) only, so no other scheme can slip in;
# trailing punctuation stays text ("see https://x.az/a." links https://x.az/a).
READER_URL = re.compile(r"\bhttps?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)
SHOWN_URL_LENGTH = 60


@dataclass
class Thread:
    """A top-level comment and its visible replies, oldest first."""

    comment: Comment
    replies: list = field(default_factory=list)


def build_threads(comments):
    """Group the page's comments into threads; a removed comment stays only to hold replies."""
    threads = {}
    replies = []
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        elif comment.is_visible:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in threads:
            threads[reply.parent_id].replies.append(reply)
    return [t for t in threads.values() if t.comment.is_visible or t.replies]


def _reply_target(threads, reply_to):
    """Return (comment replied to, its thread's top comment) among the shown ones, or Nones."""
    try:
        reply_to = int(reply_to)
    except (TypeError, ValueError):
        return None, None
    for thread in threads:
        for comment in [thread.comment, *thread.replies]:
            if comment.pk == reply_to and comment.is_visible:
                return comment, thread.comment
    return None, None


def _author_name(comment):
    return comment.author.get_username() if comment.author else gettext("deleted account")


@register.filter
def comment_text(body):
    """Render a comment's plain text: escaped, line breaks kept, web addresses made links.

    Search engines must not credit readers' links (nofollow ugc), and the page they open
    gets no handle on ours (noopener).
    """
    parts = []
    position = 0
    for match in READER_URL.finditer(body):
        url = match.group()
        shown = url if len(url) <= SHOWN_URL_LENGTH else f"{url[: SHOWN_URL_LENGTH - 1]}…"
        parts.append(escape(body[position : match.start()]))
        parts.append(format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', url, shown))
        position = match.end()
    parts.append(escape(body[position:]))
    return linebreaksbr(mark_safe("".join(parts)), autoescape=False)


@register.inclusion_tag("comments/comment_section.html", takes_context=True)
def comment_section(context, article):
    """Render an article's comments: count, form or login prompt, threads (fixed queries)."""
    request = context["request"]
    user = context["user"]
    # Most articles have no comments: their kept count spares the query.
    threads = build_threads(Comment.objects.for_page(article)) if article.comment_count else []

    form = context.get("comment_form")
    ban = None
    if user.is_authenticated and not article.comments_closed:
        # Loaded with the user by the log-in backend, so usually no query here.
        ban = getattr(user, "comment_ban", None)
        ban = ban if ban is not None and ban.is_active else None
    # Staff previewing a draft see the section as readers will, but cannot post to it yet.
    may_comment = (
        user.is_authenticated and not article.comments_closed and ban is None and article.is_visible
    )

    reply_to = form["parent"].value() if form is not None else request.GET.get("reply_to")
    target, thread_root = _reply_target(threads, reply_to) if may_comment else (None, None)
    if form is None:
        form = CommentForm(initial={"parent": target.pk if target else None})
    elif target is None and reply_to:
        # The comment replied to went away meanwhile: offer the text as a new comment.
        form.data = form.data.copy()
        form.data["parent"] = ""
    return {
        "article": article,
        "article_url": article.get_absolute_url(),
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "threads": threads,
        "form": form,
        "may_comment": may_comment,
        "ban_message": ban_message(ban) if ban else "",
        "reply_target": target,
        "reply_name": _author_name(target) if target else "",
        "reply_root": thread_root,
    }
