"""ETag and Last-Modified on every answer, and 304 to a client whose copy is current.

The ETag is a hash of the JSON itself, so it changes exactly when the answer does (a view
count, a corrected title, an article withdrawn from a list). Last-Modified is the moment that
answer was first given: the shared cache remembers, per address, the last ETag and since when
it has been given. A client's If-None-Match (or, without one, If-Modified-Since) that matches
gets a 304 with no body. A cache that is down forgets nothing dangerous: the answer is then
dated now, so no client keeps a stale copy.
"""

import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from articles.caching import read_many, store

# How long the first time of an answer is remembered: clients revalidating later than this get
# the whole answer again, dated anew.
REMEMBER_SECONDS = 3600


def answer_key(request, parameters, language):
    """Return the cache key of an answer: its path, language and the parameters it reads."""
    known = sorted((name, value) for name, value in request.GET.items() if name in parameters)
    address = f"{language}\0{request.path}\0{urlencode(known)}"
    return f"api:answer:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def with_validators(request, response, key):
    """Give a rendered 200 its ETag, Last-Modified and Cache-Control; return it or a 304."""
    etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    stored = read_many([key]).get(key)
    if stored is not None and stored[0] == etag:
        since = stored[1]
    else:
        # Strictly later than the answer it replaces, even within the same second: a client
        # holding that one must not be told its copy is current.
        since = int(time.time())
        if stored is not None:
            since = max(since, stored[1] + 1)
        store(key, (etag, since), REMEMBER_SECONDS)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(since)
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return get_conditional_response(request, etag=etag, last_modified=since, response=response)
