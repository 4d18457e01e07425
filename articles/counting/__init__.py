"""View counting: the one place where a reader's view of an article is counted.

`count_view()` is called for every article page a reader gets, by `ViewCountingMiddleware`
on the way out of the view (counting/middleware.py) and by the page cache when it answers a
hit itself (caching/pages.py). Who counts is decided in counting/readers.py; the view is
written to the database at once (counting/database.py) or buffered in Redis for
`manage.py flush_views` (counting/buffer.py).
"""

import logging

from django.conf import settings
from django.utils import timezone

from articles.counting import buffer, database, readers

logger = logging.getLogger(__name__)


def count_view(request, article_id):
    """Count this request's view of article `article_id` if it is a reader's; never raise.

    Return True if the view was counted (or buffered). A failure is logged: counting must
    never break the page the reader is waiting for.
    """
    try:
        if not readers.is_readers_view(request):
            return False
        visitor = readers.visitor_id(request)
        day = timezone.localdate()
        if settings.VIEWS_BUFFER == "redis":
            return buffer.buffer_view(article_id, visitor, day)
        return database.record_view(article_id, visitor, day, timezone.now())
    except Exception:
        logger.exception("Could not count a view of %s", request.path)
        return False
