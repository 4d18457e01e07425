"""The category menu, loaded once per request and shared by the header and the pages."""

from articles import caching
from articles.models import Category


def menu_categories(request):
    """Return the categories in menu order; one query per request, however often asked."""
    if request is None:
        return list(Category.objects.all())
    if not hasattr(request, "_menu_categories"):
        # With the fragments: from the same cache read as the sidebar blocks.
        request._menu_categories = caching.cached_fragment(
            request, "menu", lambda: list(Category.objects.all())
        )
    return request._menu_categories
