import logging

from articles import counting, services

logger = logging.getLogger(__name__)


def count_view_of(request, response):
    """Count the view this response is, if it is one; log, never raise, if counting fails."""
    try:
        article_id = counting.counted_article_id(request, response)
        if article_id is not None:
            services.record_view(article_id, counting.visitor_id(request))
    except Exception:
        # Counting must never break the page the reader is waiting for.
        logger.exception("Could not count a view of %s", request.path)


def count_cached_view(request, article_id):
    """Count a view of an article page answered from the page cache, before the middleware ran.

    Such a reader has no session cookie (the page cache lets those pass), so the visitor is
    their address and browser.
    """
    try:
        if counting.is_readers_view(request):
            services.record_view(article_id, counting.visitor_id(request))
    except Exception:
        logger.exception("Could not count a view of %s", request.path)


class ViewCountingMiddleware:
    """Count a view of every article page served to a reader, wherever its HTML came from.

    It acts on the way out, so a cache placed below it in MIDDLEWARE (or around the view)
    cannot hide views from it; the page cache above it counts its own hits
    (`count_cached_view`). Keep it below AuthenticationMiddleware: staff are not counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        count_view_of(request, response)
        return response
