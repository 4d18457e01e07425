"""The cached pieces of a page: sidebar blocks, the category menu, an article's parts and a
list page's items (see `ArticleListView`).

A page's pieces are read from the cache together, in one round trip, by the `PageFragments`
of that request: the view makes one (or the `page_fragments` context processor does) and
passes it along in the template context, so the header, the blocks and the article parts
share it. The pieces it had to render are stored together too, in one round trip once the
response is made (`FragmentWritesMiddleware`): with the database cache one statement, not one
per piece.
"""

from django.conf import settings
from django.http import Http404

from articles.caching import generation_key, read_many, store_many
from articles.models import Category, current_language

# The pieces every page shows (the header's two: `{% shared_piece %}` in includes/header.html).
SHARED_FRAGMENTS = ("menu", "most_read", "latest_news", "header_bar", "header_menu")
# The parts of an article page that are the same for every reader of that article (the live
# view count goes into them afterwards, see templatetags/portal.py).
ARTICLE_PARTS = {
    "head": "articles/parts/article_head.html",
    "article": "articles/parts/article.html",
    "related": "articles/parts/related.html",
}


def fragment_key(name, language):
    return f"articles:fragment:{name}:{language}"


def categories_with_urls():
    """Load the categories in menu order with their address in the active language."""
    categories = list(Category.objects.all())
    for category in categories:
        category.url = category.get_absolute_url()
    return categories


class PageFragments:
    """The cached pieces of one request's page, fetched in one cache read when first asked for.

    With `article_pk`, the article itself and its parts come in the same read as the shared
    pieces. Pieces that are missing or older than the language's generation are rendered and
    stored for the next readers.
    """

    def __init__(self, request=None, article_pk=None, also=()):
        self.request = request
        self.article_pk = article_pk
        self.also = tuple(also)  # pieces of this page only (the home's front page)
        self._found = None
        self._keys = set()
        self._menu = None
        self._unsaved = {}
        if request is not None:
            # Saved by FragmentWritesMiddleware once the response is rendered.
            request.__dict__.setdefault("page_fragments", []).append(self)

    def _article_names(self, pk=None):
        pk = pk or self.article_pk
        if pk is None:
            return {}
        host = self.request.get_host()
        return {
            "object": f"article-object:{pk}",
            **{part: f"article-{part}:{pk}:{host}" for part in ARTICLE_PARTS},
        }

    def get(self, name, render):
        """Return the piece `name` from the cache, or `render()` it and store it."""
        seconds = settings.FRAGMENT_CACHE_SECONDS
        if not seconds:
            return render()
        language = current_language()
        key = fragment_key(name, language)
        if self._found is None:
            names = [*SHARED_FRAGMENTS, *self.also, *self._article_names().values()]
            self._keys = {fragment_key(each, language) for each in names}
            self._found = read_many([generation_key(language), *self._keys])
        if key not in self._keys:  # a piece the page did not announce: read on its own
            self._keys.add(key)
            self._found.update(read_many([key]))
        generation = self._found.get(generation_key(language), 0)
        stored = self._found.get(key)
        if stored is not None and stored[0] == generation:
            return stored[1]
        value = render()
        self._unsaved[key] = (generation, value)
        if self.request is None:
            self.save()
        return value

    def save(self):
        """Store the pieces rendered for this page, in one cache write."""
        unsaved, self._unsaved = self._unsaved, {}
        store_many(unsaved, settings.FRAGMENT_CACHE_SECONDS)

    def menu(self):
        """Return the categories in menu order; one query per request at most."""
        if self._menu is None:
            self._menu = self.get("menu", categories_with_urls)
        return self._menu

    def article_part(self, pk, piece, render):
        """Return a part ("head", "article") of article `pk`'s page from the cache or `render()`."""
        if self.article_pk is None and self._found is None:
            self.article_pk = pk  # it comes in the page's one read
        return self.get(self._article_names(pk)[piece], render)

    def article(self, load):
        """Return the published article for a reader, from the cache if it is there.

        A cached article gets its views, comment count and closing afresh (one short query),
        and one withdrawn meanwhile is not found (Http404). Otherwise `load()` fetches it
        (raising Http404 if it is not published) and it is stored for the next readers.
        """
        loaded = []

        def load_and_note():
            loaded.append(True)
            return load()

        article = self.get(self._article_names()["object"], load_and_note)
        if not loaded and not article.refresh_reader_fields():
            raise Http404
        return article


class FragmentWritesMiddleware:
    """Store the fragments a request rendered, once its response is made (one cache write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for fragments in request.__dict__.pop("page_fragments", ()):
            fragments.save()
        return response


def page_fragments(request):
    """Give every template rendered for a request the page's fragments (a context processor)."""
    return {"fragments": PageFragments(request)}
