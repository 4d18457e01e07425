"""The database cache used without Redis: one statement per write, culled now and then.

Django's database cache counts the table's rows (`SELECT COUNT(*)`, a scan) on every write to
decide whether to cull, then reads the row and updates or inserts it: four statements, one of
them growing with the table, for each stored fragment or page. Here a write is one upsert
(PostgreSQL and SQLite; other databases get Django's way), also for `set_many()` (a page's
fragments in one statement), and one write in `CULL_EVERY`
(OPTIONS, default 200) counts the rows and culls as Django does: the expired rows go, and if
the table is still over MAX_ENTRIES, a `1/CULL_FREQUENCY` share of the rest. Expired rows are
thus deleted even when the table is far from full, at the price of the table overshooting
MAX_ENTRIES by at most CULL_EVERY rows between two culls.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import connections, router
from django.utils.timezone import now as tz_now

UPSERT_VENDORS = {"postgresql", "sqlite"}


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, writing with one upsert and culling every `CULL_EVERY` writes."""

    def __init__(self, table, params):
        super().__init__(table, params)
        self._cull_every = max(1, int(params.get("OPTIONS", {}).get("CULL_EVERY", 200)))
        self._writes = 0

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self._upsert({key: value}, timeout, version) is None:
            super().set(key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Store all of `data` in one statement (a page's fragments: one write, not one each)."""
        if not data:
            return []
        if self._upsert(data, timeout, version) is None:
            return super().set_many(data, timeout, version)
        return []

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store `value` unless `key` holds a value that has not expired: one statement, atomic
        (the key is the primary key), as the API's throttle takes one ticket per request."""
        added = self._upsert({key: value}, timeout, version, replace_live=False)
        return super().add(key, value, timeout, version) if added is None else added == 1

    def _upsert(self, data, timeout, version, *, replace_live=True):
        """Insert or replace the rows of `data` in one statement; return how many were written
        (None where unsupported). Without `replace_live`, only expired rows are replaced."""
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        if connection.vendor not in UPSERT_VENDORS:
            return None
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        rows = []
        for key, value in data.items():
            pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            rows.extend([self.make_and_validate_key(key, version=version), pickled, expires])
        table = connection.ops.quote_name(self._table)
        placeholders = ", ".join(["(%s, %s, %s)"] * len(data))
        only_expired = ""
        if not replace_live:
            only_expired = f" WHERE {table}.expires < %s"
            rows.append(connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0)))
        with connection.cursor() as cursor:
            self._writes += 1
            if self._writes % self._cull_every == 0:
                self.cull_now(alias, cursor)
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES {placeholders} "
                "ON CONFLICT (cache_key) DO UPDATE "
                f"SET value = excluded.value, expires = excluded.expires{only_expired}",
                rows,
            )
            return cursor.rowcount

    def cull_now(self, alias, cursor):
        """Delete the expired rows, and cull the oldest if the table is still too large."""
        table = connections[alias].ops.quote_name(self._table)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows = cursor.fetchone()[0]
        if self._cull_frequency or rows > self._max_entries:  # 0 means "clear when full"
            self._cull(alias, cursor, tz_now().replace(microsecond=0), rows)
