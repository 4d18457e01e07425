import logging
import sys

import redis
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import requires_csrf_token
from django_redis.exceptions import ConnectionInterrupted

from articles.caching import cache_answers

logger = logging.getLogger(__name__)


@cache_control(max_age=86400, public=True)
def web_manifest(request):
    """Describe the site to phones that add it to their home screen."""
    return JsonResponse(
        {
            "name": settings.SITE_NAME,
            "short_name": settings.SITE_NAME,
            "start_url": reverse("home"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0a4d8c",
            "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )


@never_cache
def healthz(request):
    """Tell a load balancer whether this process can serve: 200 if the database answers, 503.

    The shared cache is reported on its own: without it pages are served uncached, slower but
    served, so it makes the status "degraded", never a 503.
    """
    cache = "ok" if cache_answers() else "unavailable"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse(
            {"status": "unavailable", "database": "error", "cache": cache}, status=503
        )
    status = "ok" if cache == "ok" else "degraded"
    return JsonResponse({"status": status, "database": "ok", "cache": cache})


# Errors that mean "the database, or the shared cache where only it will do, is unreachable
# right now", not "our code is wrong". Pages do without the cache (articles/caching/); what
# cannot, such as the sign-up and reset limits (newsportal/ratelimit.py), pauses with the 503.
DEPENDENCY_DOWN = (OperationalError, InterfaceError, ConnectionInterrupted, redis.RedisError)
BODY_TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


@requires_csrf_token
def bad_request(request, exception):
    """Say plainly when a request was refused for its size; a plain 400 page otherwise."""
    if isinstance(exception, BODY_TOO_LARGE):
        # Refused before LocaleMiddleware ran: take the language from the address.
        translation.activate(translation.get_language_from_path(request.path_info) or "az")
        return render(request, "413.html", status=413)
    return render(request, "400.html", status=400)


def server_error(request):
    """Answer 503 with a calm page while the database or Redis is down, 500 for anything else.

    Both templates render without the database or a request context: they must work when the
    database is the thing that broke.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DEPENDENCY_DOWN):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
