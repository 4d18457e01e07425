from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation

from articles.models import Article, current_language


def home(request):
    """Show the latest news of the active language; the most-read block sits beside it."""
    return render(request, "articles/home.html", {"latest": Article.objects.latest_news()})


def article_detail(request, slug, pk):
    """Show one article; staff may also preview drafts and scheduled articles."""
    articles = Article.objects.select_related("source", "translation", "translated_from")
    if not request.user.is_staff:
        articles = articles.published()
    article = get_object_or_404(articles, pk=pk)
    if slug != article.slug or article.language != current_language():
        # The id is what finds the article: an old slug or the other language's prefix is
        # corrected with a permanent redirect to the one canonical address.
        with translation.override(article.language):
            return redirect(article.get_absolute_url(), permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})
