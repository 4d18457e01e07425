import logging

from articles import counting, services

logger = logging.getLogger(__name__)


def count_view_of(request, response):
    """Count the view this response is, if it is one; log, never raise, if counting fails.

    A page cache that answers before ViewCountingMiddleware runs must call this itself.
    """
    try:
        article_id = counting.counted_article_id(request, response)
        if article_id is not None:
            services.record_view(article_id, counting.visitor_id(request))
    except Exception:
        # Counting must never break the page the reader is waiting for.
        logger.exception("Could not count a view of %s", request.path)


class ViewCountingMiddleware:
    """Count a view of every article page served to a reader, wherever its HTML came from.

    It acts on the way out, so a page cache placed below it in MIDDLEWARE (or around the view)
    cannot hide views from it. Keep it below AuthenticationMiddleware (staff are not counted)
    and above any page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        count_view_of(request, response)
        return response
