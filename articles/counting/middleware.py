from articles.counting import count_view, readers


class ViewCountingMiddleware:
    """Count a view of every article page served to a reader, wherever its HTML came from.

    It acts on the way out, so a cache placed below it in MIDDLEWARE (or around the view)
    cannot hide views from it; the page cache above it counts its own hits with the same
    `count_view()`. Keep it below AuthenticationMiddleware: staff are not counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 200:
            article_id = readers.article_id_of_request(request)
            if article_id is not None:
                count_view(request, article_id)
        return response
