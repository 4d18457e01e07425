"""The category menu, loaded once per request and shared by the header and the pages."""

from articles import caching
from articles.models import Category


def menu_categories(request):
    """Return the categories in menu order; one query per request, however often asked."""
    if request is None:
        return _categories_with_urls()
    if not hasattr(request, "_menu_categories"):
        # With the fragments: from the same cache read as the sidebar blocks.
        request._menu_categories = caching.cached_fragment(request, "menu", _categories_with_urls)
    return request._menu_categories


def _categories_with_urls():
    """Load the categories with their address in the active language, kept with them."""
    categories = list(Category.objects.all())
    for category in categories:
        category.url = category.get_absolute_url()
    return categories
