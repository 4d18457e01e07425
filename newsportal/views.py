import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache

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
    """Tell a load balancer whether this process can serve: 200 if the database answers, 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
