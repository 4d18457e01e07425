"""The framework ceiling: a bare Django view returning one page's bytes from memory.

    CEILING_PAGE=/path/to/page.html gunicorn bench.perf.ceiling_app:application -w 2

No middleware, no templates, no database: what Django and gunicorn cost by themselves.
"""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402

with open(os.environ["CEILING_PAGE"], "rb") as page:
    PAGE = page.read()


def page(request, path=""):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"^(?P<path>.*)$", page)]
application = get_wsgi_application()
