"""Property-based: hostile values in every public URL pattern and query parameter never give a 500.

Hypothesis draws arbitrary unicode, very long strings, NUL bytes, path traversal and huge numbers
for every placeholder of every public route and for every query parameter the views read.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ALLOWED = {200, 301, 302, 400, 404}

# Every public route: a name, an address with {placeholders}, the method and the query
# parameters its view reads. The admin is for staff and is left out.
ROUTES = {
    "home": ("/", "get", ["page"]),
    "articles:detail": ("/news/{slug}-{pk}", "get", []),
    "articles:sources": ("/sources/", "get", []),
    "articles:source": ("/source/{slug}/", "get", ["page"]),
    "articles:source-rss": ("/source/{slug}/rss/", "get", []),
    "articles:source-atom": ("/source/{slug}/atom/", "get", []),
    "articles:category": ("/category/{slug}/", "get", ["page"]),
    "articles:category-rss": ("/category/{slug}/rss/", "get", []),
    "articles:category-atom": ("/category/{slug}/atom/", "get", []),
    "articles:label": ("/label/{slug}/", "get", ["page"]),
    "articles:tag": ("/tag/{slug}/", "get", ["page"]),
    "articles:tag-rss": ("/tag/{slug}/rss/", "get", []),
    "articles:tag-atom": ("/tag/{slug}/atom/", "get", []),
    "articles:archive": ("/archive/", "get", []),
    "articles:archive_month": ("/archive/{year}/{month}/", "get", ["page"]),
    "articles:archive_day": ("/archive/{year}/{month}/{day}/", "get", ["page"]),
    "articles:search": (
        "/search/",
        "get",
        ["q", "source", "category", "label", "date_from", "date_to", "page"],
    ),
    "articles:rss": ("/rss/", "get", []),
    "articles:atom": ("/atom/", "get", []),
    "articles:most_read": ("/most-read/", "get", ["period"]),
    "articles:preview": ("/preview/{token}/", "get", []),
    "articles:stories": ("/stories/", "get", []),
    "comments:post": ("/comments/post/{pk}/", "post", ["body", "parent"]),
    "comments:remove": ("/comments/{pk}/remove/", "get", []),
    "login": ("/accounts/login/", "get", ["next"]),
    "logout": ("/accounts/logout/", "post", ["next"]),
    "signup": ("/accounts/signup/", "get", ["next"]),
    "password_change": ("/accounts/password/change/", "get", []),
    "password_change_done": ("/accounts/password/change/done/", "get", []),
    "password_reset": ("/accounts/password/reset/", "get", []),
    "password_reset_done": ("/accounts/password/reset/sent/", "get", []),
    "password_reset_confirm": ("/accounts/password/reset/{uidb64}/{token}/", "get", []),
    "password_reset_complete": ("/accounts/password/reset/done/", "get", []),
    "web_manifest": ("/manifest.webmanifest", "get", []),
    "healthz": ("/healthz", "get", []),
    # The JSON API (articles/tests/test_api_schema.py also tries it from its schema).
    "api:root": ("/api/v1/", "get", ["lang"]),
    "api:article-list": (
        "/api/v1/articles/",
        "get",
        ["q", "source", "category", "label", "date_from", "date_to", "cursor", "page_size"],
    ),
    "api:article-detail": ("/api/v1/articles/{pk}/", "get", ["lang"]),
    "api:latest": ("/api/v1/latest/", "get", ["limit", "lang"]),
    "api:most-read": ("/api/v1/most-read/", "get", ["period", "limit"]),
    "api:story-list": ("/api/v1/stories/", "get", ["cursor", "page_size"]),
    "api:story-detail": ("/api/v1/stories/{pk}/", "get", []),
    "api:source-list": ("/api/v1/sources/", "get", ["cursor", "page_size"]),
    "api:source-detail": ("/api/v1/sources/{slug}/", "get", []),
    "api:category-list": ("/api/v1/categories/", "get", ["lang"]),
    "api:schema": ("/api/v1/schema/", "get", ["lang"]),
    "api:docs": ("/api/v1/docs/", "get", ["script", "lang"]),
    "api:not-found": ("/api/v1/{slug}", "get", []),
    "robots-txt": ("/robots.txt", "get", []),
    "sitemap-index": ("/sitemap.xml", "get", ["p"]),
    "sitemap-news": ("/sitemap-news.xml", "get", ["p"]),
    "sitemap-section": ("/sitemap-{section}.xml", "get", ["p"]),
}
# Addresses outside the language prefix; every other route is also tried under /ru/.
UNPREFIXED = {"robots-txt", "sitemap-index", "sitemap-news", "sitemap-section"}

NASTY = [
    "",
    "%00",
    "\x00",
    "a\x00b",
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f",
    "/",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 19,
    "9" * 400,
    "9" * 5000,
    "-" + "9" * 30,
    "2026-02-30",
    "99999-12-31",
    "0000-00-00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%s%s%s%n",
    "\u202eevil",
    "\ufeff",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "Ⅻ",
    "１２３",
    "x" * 3000,
]

hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.builds(lambda n, c: c * n, st.integers(200, 4000), st.sampled_from(["a", "ə", "%", "/"])),
)


def public_route_names(patterns=None, namespace=""):
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= public_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_the_fuzzed_routes_are_every_public_route():
    assert public_route_names() == set(ROUTES)


def address(template, values):
    return template.format(**{key: quote(value, safe="") for key, value in values.items()})


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(ROUTES)),
    russian=st.booleans(),
    placeholders=st.fixed_dictionaries(
        dict.fromkeys(["slug", "pk", "year", "month", "day", "uidb64", "token", "section"], hostile)
    ),
    query=st.dictionaries(st.sampled_from(["page", "q", "x"]), hostile, max_size=2),
    params=st.lists(hostile, min_size=7, max_size=7),
)
def test_hostile_values_never_break_a_public_page(
    anonymous, seeded, name, russian, placeholders, query, params
):
    template, method, known = ROUTES[name]
    path = address(template, placeholders)
    if russian and name not in UNPREFIXED:
        path = "/ru" + path
    data = {**query, **dict(zip(known, params, strict=False))}

    response = getattr(anonymous, method)(path, data)

    assert response.status_code in ALLOWED, (path, data, response.status_code)


@pytest.mark.parametrize("value", NASTY)
def test_every_nasty_value_in_every_query_parameter(anonymous, seeded, value):
    for name, (template, method, known) in ROUTES.items():
        if not known or "{" in template:
            continue
        response = getattr(anonymous, method)(template, dict.fromkeys(known, value))
        assert response.status_code in ALLOWED, (name, value, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/news/%00-1",
        "/news/..%2F..%2Fetc%2Fpasswd-1",
        "/static/../../newsportal/settings.py",
        "/static/..%2F..%2Fnewsportal%2Fsettings.py",
        "/media/../manage.py",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/ru/../../etc/passwd",
        "/search/%00/",
        "/" + "a" * 5000,
        "/news/x-" + "9" * 18,
    ],
)
def test_raw_traversal_and_nul_paths(anonymous, seeded, path):
    response = anonymous.get(path)

    assert response.status_code in ALLOWED
    assert b"SECRET_KEY" not in response.content and b"root:" not in response.content
