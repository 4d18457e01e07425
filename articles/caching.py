"""Cached sidebar fragments and cached anonymous pages, invalidated by an "articles generation".

Every write that changes what readers see (admin saves and bulk actions, importers, the
generator, translation links) calls `articles_changed()`, which gives the language a new
generation number in the shared cache. Fragments and pages store the generation they were made
in and are used only while it is still current, so one cache read finds out whether they are
stale; `queryset.update()` paths invalidate as surely as `save()`. Counting views is no change:
view counts in a block or page may be up to the cache's TTL old.

The TTLs are the safety net: a scheduled article has no writer at the moment its time comes,
so it appears in the blocks and on cached pages at most `FRAGMENT_CACHE_SECONDS` /
`PAGE_CACHE_SECONDS` after its publication time.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from articles.models import Language, current_language

# Pages an anonymous reader may be served from the page cache (URL names).
CACHED_PAGES = {
    "home",
    "articles:detail",
    "articles:source",
    "articles:category",
    "articles:label",
    "articles:archive_day",
    "articles:archive_month",
    "articles:most_read",
}
# A reader carrying one of these cookies may see something personal: a session (logged in, or
# messages stored in it) or messages waiting in their cookie.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def generation_key(language):
    return f"articles:generation:{language}"


def articles_changed(*languages):
    """Make the cached fragments and pages of these languages (default: all) stale."""
    stamp = time.time_ns()
    cache.set_many(
        {generation_key(language): stamp for language in languages or Language.values},
        timeout=None,
    )


# --- Fragments ---------------------------------------------------------------------------------


def fragment_key(name, language):
    return f"articles:fragment:{name}:{language}"


def cached_fragment(request, name, render, names=("menu", "most_read", "latest_news")):
    """Return a shared piece of the page from the cache, or `render()` it and store it.

    The pieces are the sidebar blocks' HTML and the category menu's list. The first one asked
    for during a request fetches the generation and every piece in one cache round trip; the
    others are then read from the request.
    """
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        return render()
    language = current_language()
    found = getattr(request, "_portal_fragments", None)
    if found is None:
        keys = [generation_key(language), *(fragment_key(each, language) for each in names)]
        found = cache.get_many(keys)
        if request is not None:
            request._portal_fragments = found
    generation = found.get(generation_key(language), 0)
    stored = found.get(fragment_key(name, language))
    if stored is not None and stored[0] == generation:
        return stored[1]
    html = render()
    cache.set(fragment_key(name, language), (generation, html), seconds)
    return html


# --- Whole pages for anonymous readers ---------------------------------------------------------


def page_key(request, language):
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"articles:page:{language}:{address}"


def _cacheable_request(request):
    """Return the URL match if this request may be answered from, or stored in, the cache."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return None
    if any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match if match.view_name in CACHED_PAGES else None


class PageCacheMiddleware:
    """Serve anonymous GETs of article and list pages from the shared cache.

    Place it below ViewCountingMiddleware, so pages served from here are still counted, and
    below the session, authentication and message middleware. Readers with a session or
    messages go past it to the view. Answers carry an ETag; a matching If-None-Match gets a 304
    (an article's 304 is counted here, as its 200 would have been).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _cacheable_request(request)
        if match is None:
            return self.get_response(request)
        request.resolver_match = match  # the view counter reads it instead of resolving again
        language = current_language()
        key, generation = page_key(request, language), generation_key(language)
        found = cache.get_many([generation, key])
        stored = found.get(key)
        if stored is not None and stored["generation"] == found.get(generation, 0):
            return self._answer(request, stored)
        response = self.get_response(request)
        if _storable(request, response):
            stored = {
                "generation": found.get(generation, 0),
                "content": response.content,
                "headers": dict(response.headers),
                "etag": f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
                "stored_at": time.time(),
            }
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
            self._validators(response, stored)
        return response

    def _answer(self, request, stored):
        if _not_modified(request, stored):
            response = HttpResponseNotModified()
            self._validators(response, stored)
            if request.resolver_match.view_name == "articles:detail":
                from articles.middleware import count_view_of  # the middleware imports us

                count_view_of(request, HttpResponse(status=200))
            return response
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response.headers[name] = value
        self._validators(response, stored)
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
