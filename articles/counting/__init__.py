"""View counting: the one place where a reader's view of an article is counted.

`count_view()` is called for every article page a reader gets, by `ViewCountingMiddleware`
on the way out of the view (counting/middleware.py) and by the page cache when it answers a
hit itself (caching/pages.py). Who counts is decided in counting/readers.py; the view is
written to the database at once (counting/database.py) or buffered in Redis for
`manage.py flush_views` (counting/buffer.py).
"""

import logging

import redis
from django.conf import settings
from django.utils import timezone

from articles.circuit import Circuit
from articles.counting import buffer, database, ranking, readers

logger = logging.getLogger(__name__)

# While the Redis buffer is unavailable, views are written to the database at once (as with
# VIEWS_BUFFER=db) rather than kept in the process: nothing is lost if the process dies, and
# the database mode is exact on its own. The price: a visitor counted in Redis just before the
# outage may be counted once more, and each view is a database write until Redis answers.
BUFFER_CIRCUIT = Circuit("The Redis view buffer", settings.CACHE_RETRY_SECONDS, logger)


def count_view(request, article_id):
    """Count this request's view of article `article_id` if it is a reader's; never raise.

    Return True if the view was counted (or buffered). A failure is logged: counting must
    never break the page the reader is waiting for.
    """
    try:
        if not readers.is_readers_view(request):
            return False
        visitor = readers.visitor_id(request)
        address, limit = readers.address_limit(request)
        now = timezone.now()
        day = timezone.localdate(now)
        if settings.VIEWS_BUFFER == "redis" and BUFFER_CIRCUIT.closed():
            try:
                counted = buffer.buffer_view(article_id, visitor, day, now, address, limit)
            except redis.RedisError as error:
                BUFFER_CIRCUIT.failed(error)
            else:
                BUFFER_CIRCUIT.succeeded()
                return counted
        counted = database.record_view(article_id, visitor, day, now, address, limit)
        if counted and settings.VIEWS_BUFFER == "redis":
            ranking.forget()  # the flushes' ranking lacks this view: /most-read/ sums again
        return counted
    except Exception:
        logger.exception("Could not count a view of %s", request.path)
        return False
