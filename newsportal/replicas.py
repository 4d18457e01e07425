"""Reads of public pages from PostgreSQL replicas; writes and everything else on the primary.

With `DATABASE_REPLICA_URL` set (one URL or several, comma-separated) the settings add one
database alias per replica (`DATABASE_REPLICAS`) and install `PrimaryReplicaRouter`. Then
`ReplicaReadsMiddleware` decides, per request, where its reads go:

- a GET or HEAD of a public page, by a reader who is not staff and made no write in the last
  `REPLICA_PIN_SECONDS` (the `primary_pin` cookie), reads from a healthy replica;
- everything else reads from the primary: admin pages, editors, POSTs, management commands,
  and reads inside a transaction or after a write in the same request.

Writes always go to the primary. A request that wrote sets the pin cookie, so the reader's own
next pages are read from the primary while the replicas replay the write (read-your-writes: a
reader who just commented sees the comment at once). A replica that refuses connections is left
alone for `REPLICA_RETRY_SECONDS`, its readers served by the primary meanwhile.

Without replicas the router is not installed and the middleware passes every request on.
"""

import random
import time
from collections import Counter
from contextvars import ContextVar
from functools import cache

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import reverse
from django.utils import translation

PIN_COOKIE = "primary_pin"
SAFE_METHODS = ("GET", "HEAD")
# The database cache's table: written on cache misses by any reader, which pins nobody, and read
# on the primary, where its writes are.
CACHE_APP_LABEL = "django_cache"

# The replica this request reads from (None: the primary), and whether it has written yet.
_replica = ContextVar("replica", default=None)
_wrote = ContextVar("wrote", default=False)
# Replica alias -> time.monotonic() before which it is not tried again.
_down_until = {}
# Read decisions per alias, sent to Redis after each request when DATABASE_ROUTING_TALLY is on.
_tally = Counter()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if (
            alias is None
            or _wrote.get()
            or model._meta.app_label == CACHE_APP_LABEL
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            alias = DEFAULT_DB_ALIAS
        if settings.DATABASE_ROUTING_TALLY:
            _tally[alias] += 1
        return alias

    def db_for_write(self, model, **hints):
        if model._meta.app_label != CACHE_APP_LABEL:
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's data: objects read from any of them may be related.
        same_data = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        return obj1._state.db in same_data and obj2._state.db in same_data

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas get the schema by replication


@cache
def admin_prefixes():
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append(reverse("admin:index"))
    return tuple(prefixes)


def healthy_replica(aliases):
    """Return a replica that accepts connections, in random order, or None if none does."""
    now = time.monotonic()
    for alias in random.sample(aliases, len(aliases)):
        if _down_until.get(alias, 0) > now:
            continue
        connection = connections[alias]
        try:
            # A persistent connection to a restarted replica is replaced here, not mid-page.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError:
            connection.close()
            _down_until[alias] = now + settings.REPLICA_RETRY_SECONDS
            continue
        return alias
    return None


class ReplicaReadsMiddleware:
    """Send this request's reads to a replica when it may (see the module's docstring).

    Below AuthenticationMiddleware: the reader's session and user are read from the primary,
    which has them even right after logging in, and editors are known before the view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        alias = healthy_replica(settings.DATABASE_REPLICAS) if self.may_read(request) else None
        replica, wrote = _replica.set(alias), _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() or request.method not in SAFE_METHODS:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=settings.REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _replica.reset(replica)
            _wrote.reset(wrote)
            if settings.DATABASE_ROUTING_TALLY:
                send_tally()

    @staticmethod
    def may_read(request):
        return (
            request.method in SAFE_METHODS
            and PIN_COOKIE not in request.COOKIES
            and not request.path_info.startswith(admin_prefixes())
            and not request.user.is_staff
        )


TALLY_KEY = "newsportal:routing-tally"


@cache
def _redis(url):
    return redis.Redis.from_url(url)


def send_tally():
    """Add this process's read decisions to a Redis hash (for the scale-out drill)."""
    if not _tally:
        return
    pipeline = _redis(settings.REDIS_URL).pipeline()
    for alias, reads in _tally.items():
        pipeline.hincrby(TALLY_KEY, alias, reads)
    pipeline.execute()
    _tally.clear()
