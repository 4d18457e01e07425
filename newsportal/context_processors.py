from django.conf import settings


def portal(request):
    """Expose the brand to every template."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_LOGO": settings.SITE_LOGO}
