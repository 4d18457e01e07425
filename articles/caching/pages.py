"""The page cache: whole pages for anonymous readers, answered before the middleware stack.

Stored pages carry the generation of their language (articles/caching/__init__.py) and are
served only while it is current; an article page answered from here is counted here too, with
the same `count_view()` as every other view.
"""

import hashlib
import re
import time
from collections import OrderedDict

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import get_language_from_path

from articles.caching import generation_key, read_many, store
from articles.counting import count_view, readers

# Pages an anonymous reader may be served from the page cache (URL names).
CACHED_PAGES = {
    "home",
    "articles:detail",
    "articles:source",
    "articles:category",
    "articles:label",
    "articles:tag",
    "articles:archive_day",
    "articles:archive_month",
    "articles:most_read",
    "articles:sources",
    "articles:stories",
}
# A reader carrying one of these cookies may see something personal: a session (logged in, or
# messages stored in it) or messages waiting in their cookie.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


# Client-side: the same test as GZipMiddleware's, so a stored copy matches what it would send.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Paths whose view is never cached (search, accounts, 404s) are remembered per process, so their
# requests skip the cache read; the URLconf is fixed, so an entry never goes stale.
UNCACHEABLE_PATHS_KEPT = 10_000


# The query parameters cached pages read, with the values worth a copy of their own. Others
# (`?utm_source=...`, `?x=1`) are left out of the key: the page is the same, and unique query
# strings cannot fill the cache. A listed parameter with another value (`?page=01`) is not
# cached at all; the view answers it (a 404, or the default tab).
PAGE_PARAMETERS = {
    "page": re.compile(r"[1-9][0-9]{0,3}"),
    "period": re.compile(r"day|week|month"),
}


def page_address(request):
    """Return what tells cached pages apart: scheme, host, path and the known parameters.

    None if the page is not to be cached. The host and scheme are part of it because a page
    holds absolute addresses (canonical link, hreflang, og:url) built from them; the hosts
    are the few of ALLOWED_HOSTS.
    """
    parameters = []
    for name, values in sorted(request.GET.lists()):
        pattern = PAGE_PARAMETERS.get(name)
        if pattern is None:
            continue
        if len(values) != 1 or not pattern.fullmatch(values[0]):
            return None
        parameters.append(f"{name}={values[0]}")
    return f"{request.scheme}://{request.get_host()}{request.path}?{'&'.join(parameters)}"


def page_key(address, language, encoding="identity"):
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"articles:page:{language}:{encoding}:{digest}"


def _encoding(request):
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    return "gzip" if ACCEPTS_GZIP.search(accepted) else "identity"


class RecentPages:
    """Pages this process read from the shared cache in the last moment, newest last.

    The day's top story is asked for hundreds of times a second; for
    `PAGE_CACHE_LOCAL_SECONDS` a process answers it from its own memory instead of the shared
    cache (its views are still counted every time). The price: a change reaches these copies
    that much later. At most `max_bytes` of pages are kept; the oldest go first.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.pages = OrderedDict()  # key -> (expires at, stored page)
        self.size = 0

    def get(self, key):
        entry = self.pages.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._drop(key)
            return None
        return entry[1]

    def put(self, key, stored, seconds):
        if seconds <= 0 or len(stored["content"]) > self.max_bytes:
            return
        if key in self.pages:
            self._drop(key)
        self.pages[key] = (time.monotonic() + seconds, stored)
        self.size += len(stored["content"])
        while self.size > self.max_bytes:
            self._drop(next(iter(self.pages)))

    def _drop(self, key):
        _expires, stored = self.pages.pop(key)
        self.size -= len(stored["content"])


class PageCacheMiddleware:
    """Serve anonymous GETs of article and list pages from the shared cache, before the stack.

    It sits near the top of MIDDLEWARE (below the security headers, above compression and
    everything that reads sessions or resolves URLs), so a hit costs one cache read, plus the
    view's counting on an article page, and nothing else. A reader with a session or waiting
    messages goes past it to the view. On the way back, the finished response of a cacheable
    page is stored if it is an anonymous 200 that set no cookie and used no CSRF token: one copy
    per address and encoding (gzip or not), with the article's id so that hits are counted.
    Answers carry an ETag; a matching If-None-Match gets a 304 (an article's 304 is counted, as
    its 200 would have been).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.uncacheable_paths = set()
        self.recent_pages = RecentPages(settings.PAGE_CACHE_LOCAL_BYTES)

    def __call__(self, request):
        if not self._may_use_cache(request):
            return self.get_response(request)
        address = page_address(request)
        if address is None:
            return self.get_response(request)
        # With prefix_default_language=False the path alone says the language (no prefix: az).
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        encoding = _encoding(request)
        key, generation = page_key(address, language, encoding), generation_key(language)
        stored = self.recent_pages.get(key)
        if stored is not None:
            return self._answer(request, stored)
        found = read_many([generation, key])
        current = found.get(generation, 0)
        stored = found.get(key)
        if stored is not None and stored["generation"] == current:
            self.recent_pages.put(key, stored, settings.PAGE_CACHE_LOCAL_SECONDS)
            return self._answer(request, stored)
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in CACHED_PAGES:
            self._remember_uncacheable(request.path_info)
        elif _storable(request, response):
            stored = {
                "generation": current,
                "content": response.content,
                "etag": f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
                "stored_at": time.time(),
                "article_id": readers.article_id_of(match),
            }
            self._validators(response, stored)
            # With the validators: a hit copies the headers and computes nothing.
            stored["headers"] = dict(response.headers)
            store(key, stored, settings.PAGE_CACHE_SECONDS)
        return response

    def _may_use_cache(self, request):
        return (
            request.method in ("GET", "HEAD")
            and settings.PAGE_CACHE_SECONDS
            and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
            and request.path_info not in self.uncacheable_paths
        )

    def _remember_uncacheable(self, path):
        if len(self.uncacheable_paths) >= UNCACHEABLE_PATHS_KEPT:
            self.uncacheable_paths.clear()
        self.uncacheable_paths.add(path)

    def _answer(self, request, stored):
        if stored["article_id"] is not None:
            # Such a reader has no session cookie (those pass by), so the visitor is their
            # address and browser.
            count_view(request, stored["article_id"])
        if _not_modified(request, stored):
            response = HttpResponseNotModified()
            self._validators(response, stored)
            return response
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response.headers[name] = value
        return response

    @staticmethod
    def _validators(response, stored):
        response.headers["ETag"] = stored["etag"]
        response.headers["Last-Modified"] = http_date(stored["stored_at"])
        # Browsers may keep the page but must ask again each time: views are counted here.
        patch_cache_control(response, no_cache=True)


def _not_modified(request, stored):
    """Tell whether the reader's copy is current: its ETag matches, else its date is not older."""
    if "HTTP_IF_NONE_MATCH" in request.META:
        return stored["etag"] in parse_etags(request.META["HTTP_IF_NONE_MATCH"])
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(stored["stored_at"]) <= since


def _storable(request, response):
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies  # no session, CSRF or message cookie was set for this reader
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a CSRF token
        and not (user is not None and user.is_authenticated)
        and "private" not in response.get("Cache-Control", "")
    )
