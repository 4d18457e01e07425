"""A deterministic sweep of every URL pattern with hostile input: no answer is ever a 5xx.

The urlconf is walked as resolved, so a new route is swept without being listed here. Each
placeholder gets a real value and hostile ones; every query parameter and form field a page
shows (and a few common ones it does not) gets NUL bytes, invalid UTF-8, a lone surrogate,
negative and huge numbers, 10 000 characters, traversal; every route is also asked with every
HTTP method and with garbage in Accept-Language, Host, If-Modified-Since and If-None-Match.
Reader, account and API routes are swept anonymously and as a logged-in reader, the admin as a
superuser. Methods no page takes are a 405 everywhere. newsportal/tests/test_hostile_urls.py
draws random values (Hypothesis) for the public routes; this one is the same sweep every run,
over all of them.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from comments.models import Comment

# Percent-encoded as they travel: the server decodes them into str (or fails to).
HOSTILE = {
    "nul": "%00",
    "nul-inside": "a%00b",
    "invalid-utf8": "%FF%FE",
    "surrogate": "%ED%A0%80",
    "negative": "-1",
    "huge": "9" * 30,
    "long": "x" * 10_000,
    "traversal": "..%2F..%2Fetc%2Fpasswd",
    "script": quote("<script>alert(1)</script>"),
}
# Every value goes in every parameter at once; what PostgreSQL cannot take also in each
# parameter the page shows on its own, so that no other parameter's error answers first.
ONE_BY_ONE = ("nul",)
# Sent to the placeholders by POST too (every value is sent by GET).
POSTED_IN_PLACEHOLDERS = ("nul", "invalid-utf8", "long")
# Parameters read by some page or by the admin, tried on every route.
COMMON_PARAMETERS = {
    "page", "q", "o", "p", "e", "all", "next", "cursor", "page_size", "lang", "limit",
    "period", "format", "reply_to", "_changelist_filters", "_to_field", "_popup", "_facets",
}  # fmt: skip
METHODS = ("HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "TRACE", "BREW")
HEADERS = {
    "HTTP_ACCEPT_LANGUAGE": "x" * 300 + ";q=abc, ru;q=NaN, ,;;, *;q=-1, az-\x00",
    "HTTP_IF_MODIFIED_SINCE": "Sun, 99 Foo 20260 25:61:61 GMT\x00",
    "HTTP_IF_NONE_MATCH": '"\x00", W/, *, "' + "e" * 2000,
}
BAD_HOSTS = ("evil..example:99999", "[::1", "a" * 300, "icma.az\x00.evil")
PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def every_route(patterns=None, prefix="", namespace=""):
    """Yield (pattern text, name, URLPattern) for every route of the urlconf."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_route(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def placeholders(pattern):
    return [route or regex for route, regex in PLACEHOLDER.findall(pattern)]


def address(pattern, values):
    """Return the path of `pattern` with its placeholders (and catch-alls) filled in."""
    pattern = pattern.replace(r"[\s\S]*", "x").replace("^", "").replace("$", "")
    return "/" + PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], pattern)


class Parameters(HTMLParser):
    """Collect the names of a page's form fields and of its links' query parameters."""

    def __init__(self):
        super().__init__()
        self.names = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea", "button"} and attrs.get("name"):
            self.names.add(attrs["name"])
        if tag == "a" and "?" in (attrs.get("href") or ""):
            query = attrs["href"].split("?", 1)[1].split("#")[0]
            self.names.update(part.split("=")[0] for part in query.split("&") if "=" in part)


def parameters_shown(response):
    """Return the names of the page's form fields and of its links' query parameters."""
    names = set()
    if response.get("Content-Type", "").startswith("text/html"):
        parser = Parameters()
        parser.feed(response.content.decode("utf-8", "replace"))
        names |= parser.names
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


class Sweep:
    """Send requests as one user, re-logging in when a request logged them out; collect 5xx."""

    def __init__(self, user=None):
        self.client = Client(raise_request_exception=False)
        self.user = user
        self.login()
        self.failures = []
        self.sent = 0

    def login(self):
        if self.user is not None:
            self.user.refresh_from_db()  # a swept password form may have changed it
            self.client.force_login(self.user)

    def send(self, method, path, body=None, **extra):
        if body is not None:
            extra.update(data=body.encode("latin-1"), content_type=FORM)
        response = self.client.generic(method, path, **extra)
        self.sent += 1
        if response.status_code >= 500:
            shown = {key: value[:60] for key, value in extra.items() if key.startswith("HTTP_")}
            self.failures.append(f"{response.status_code} {method} {path[:200]} {shown}")
        if method == "POST" and self.user is not None:
            self.login()  # log-out, password change and the like end the session
        return response


FORM = "application/x-www-form-urlencoded"


def sweep_route(sweep, pattern, values, *, post=True, hosts=True):
    path = address(pattern, values)
    shown = parameters_shown(sweep.send("GET", path))
    names = sorted(set(shown) | COMMON_PARAMETERS)
    for name in placeholders(pattern):
        for kind, value in HOSTILE.items():
            sweep.send("GET", address(pattern, {**values, name: value}))
            if post and kind in POSTED_IN_PLACEHOLDERS:
                sweep.send("POST", address(pattern, {**values, name: value}), body="")
    for kind, value in HOSTILE.items():
        queries = ["&".join(f"{quote(name)}={value}" for name in names)]
        if kind in ONE_BY_ONE:
            queries += [f"{quote(name)}={value}" for name in shown]
        for query in queries:
            sweep.send("GET", f"{path}?{query}")
        if post:
            sweep.send("POST", path, body="&".join(f"{quote(name)}={value}" for name in names))
    for method in METHODS:
        sweep.send(method, path)
    sweep.send("GET", path, **HEADERS)
    for host in BAD_HOSTS if hosts else ():
        sweep.send("GET", path, HTTP_HOST=host)


def real_values(article, comment, user):
    """Return a value for every placeholder name that leads to a real row or page."""
    return {
        "pk": str(article.pk),
        "slug": article.slug,
        "object_id": str(article.pk),
        "id": str(user.pk),
        "pick_id": "1",
        "version_id": "1",
        "action": "send",
        "direction": "up",
        "year": f"{article.published_at:%Y}",
        "month": f"{article.published_at:%m}",
        "day": f"{article.published_at:%d}",
        "token": "x",
        "uidb64": "MQ",
        "section": "articles",
        "app_label": "articles",
        "url": "x",
        "content_type_id": "1",
    }


def admin_object_id(entry, default):
    """Return the id of a real row of the model an admin route is about."""
    model_admin = getattr(entry.callback, "model_admin", None)
    if model_admin is None:
        return default
    row = model_admin.model._default_manager.order_by("pk").first()
    return str(row.pk) if row is not None else default


@pytest.fixture
def swept_site(seeded, django_user_model):
    reader = django_user_model.objects.create_user("oxucu", "oxucu@example.com", "Qarabag-2026")
    comment = Comment.objects.create(article=seeded, author=reader, body="Salam")
    staff = django_user_model.objects.create_superuser("bas-redaktor", "b@example.com", "x-2026")
    return seeded, comment, reader, staff


def test_every_route_is_swept():
    names = [name for _pattern, name, _entry in every_route()]

    assert len(names) > 150
    assert {"home", "articles:detail", "comments:post", "signup", "api:article-list"} <= set(names)
    assert {"admin:articles_article_changelist", "admin:comments_comment_change"} <= set(names)
    assert admin_site.is_registered(Comment)


@pytest.mark.parametrize("area", ["reader", "admin"])
def test_no_route_answers_hostile_input_with_a_server_error(swept_site, area):
    article, comment, reader, staff = swept_site
    values = real_values(article, comment, staff)
    if area == "admin":
        sweeps = [Sweep(staff)]
    else:
        sweeps = [Sweep(), Sweep(reader)]
    for pattern, name, entry in every_route():
        if name.startswith("admin:") != (area == "admin"):
            continue
        route_values = {**values, "object_id": admin_object_id(entry, values["object_id"])}
        if name == "comments:remove":
            route_values["pk"] = str(comment.pk)
        for number, sweep in enumerate(sweeps):
            # A confirmed delete is any POST: hostile ids only there, never the real rows.
            post = not name.endswith("_delete")
            sweep_route(sweep, pattern, route_values, post=post, hosts=number == 0)

    failures = [failure for sweep in sweeps for failure in sweep.failures]
    assert sum(sweep.sent for sweep in sweeps) > 3000  # 3 700 reader, 4 700 admin requests
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])


def test_methods_no_page_takes_are_refused_with_405_everywhere(swept_site):
    """Function views used to answer DELETE or a made-up method as if it were GET."""
    article, comment, _reader, staff = swept_site
    values = real_values(article, comment, staff)
    anonymous = Client(raise_request_exception=False)
    answers = {}
    for pattern, name, _entry in every_route():
        path = address(pattern, values)
        for method in ("PUT", "PATCH", "DELETE", "TRACE", "BREW"):
            answers[(name, method)] = anonymous.generic(method, path)

    unexpected = {
        key: response.status_code
        for key, response in answers.items()
        if response.status_code != (404 if key[0] == "api:not-found" else 405)
    }
    assert unexpected == {}
    pages = [answer for (name, _m), answer in answers.items() if not name.startswith("api:")]
    assert {answer["Allow"] for answer in pages} == {"GET, HEAD, OPTIONS, POST"}
