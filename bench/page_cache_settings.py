"""Settings for bench/views.py: the real ones plus Django's page cache below the view counter.

It stands in for the full-page cache of anonymous readers, to show what counting costs when the
page's HTML comes from a cache (and that every view is still counted).
"""

from newsportal.settings import *  # noqa: F403
from newsportal.settings import MIDDLEWARE

MIDDLEWARE = list(MIDDLEWARE)
_below_counter = MIDDLEWARE.index("articles.middleware.ViewCountingMiddleware") + 1
MIDDLEWARE[_below_counter:_below_counter] = [
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
]
CACHE_MIDDLEWARE_SECONDS = 600
