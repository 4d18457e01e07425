from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.models import Article
from comments import services
from comments.forms import CommentForm
from comments.models import Comment


def _article_url(article, anchor="comments"):
    with translation.override(article.language):
        return f"{article.get_absolute_url()}#{anchor}"


@require_POST
def post_comment(request, pk):
    """Publish a comment from the article page's form, then show it (POST/redirect/GET)."""
    article = (
        Article.objects.published()
        .select_related("source", "translation", "translated_from")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        # Withdrawn while its reader was writing, say: the text comes back to be kept. A draft
        # and an id that never was answer alike, so the page tells nothing about drafts.
        form = CommentForm(request.POST)
        return render(request, "comments/not_posted.html", {"comment_form": form}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(_article_url(article))
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            comment = services.post_comment(
                author=request.user,
                article=article,
                body=form.cleaned_data["body"],
                reply_to=form.cleaned_data["parent"],
            )
        except services.CommentRefused as refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(_article_url(article, f"comment-{comment.pk}"))
    # The article page again, with the form, its errors and the reader's text kept.
    context = {"article": article, "comment_form": form}
    return render(request, "articles/article_detail.html", context, status=status)


@login_required
def remove_comment(request, pk):
    """Ask the author to confirm, then withdraw their comment."""
    comment = get_object_or_404(
        Comment.objects.select_related("article").filter(
            author=request.user, status=Comment.Status.VISIBLE
        ),
        pk=pk,
    )
    if request.method == "POST":
        services.remove_own_comment(comment, request.user)
        messages.success(request, _("Your comment is removed."))
        return redirect(_article_url(comment.article))
    return render(request, "comments/remove_confirm.html", {"comment": comment})
