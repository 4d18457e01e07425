"""What Django does not do itself: the Content-Security-Policy and Permissions-Policy headers, a
cap on request bodies, methods no page takes, the admin's addresses with NUL bytes."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.utils.translation import gettext as _


def policy(directives):
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Send settings.CSP on every response; the admin's pages also allow inline styles.

    Permissions-Policy too: a news page needs no camera, microphone, location or payment, so no
    script that ever slips in (or a framed page) may ask for them.

    Twenty lines instead of django-csp: one fixed policy, no nonces, nothing else to configure.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.site_policy = policy(settings.CSP)
        self.admin_policy = policy({**settings.CSP, "style-src": settings.CSP_ADMIN_STYLE_SRC})

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            in_admin = match is not None and match.namespace == "admin"
            response["Content-Security-Policy"] = (
                self.admin_policy if in_admin else self.site_policy
            )
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuse request bodies larger than the site accepts before reading them.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams file parts of any size to
    disk; no public form takes files, and the admin's uploads are article pictures.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit_for(request.path_info):
            raise RequestDataTooBig("The request body is larger than the site accepts.")
        return self.get_response(request)

    @staticmethod
    def limit_for(path):
        # The admin is mounted under each language prefix: /admin/ and /ru/admin/.
        if "/admin/" in path[:10]:
            # The main picture and a few gallery pictures in one save.
            uploads = settings.ARTICLE_IMAGE_MAX_BYTES * settings.ADMIN_UPLOADS_PER_SAVE
            return uploads + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


# What the site's pages and forms are asked with; the API answers for itself (GET and HEAD).
PAGE_METHODS = ("GET", "HEAD", "OPTIONS", "POST")


class PageMethodsMiddleware:
    """Answer 405 to the methods no page takes (PUT, PATCH, DELETE, TRACE, made-up ones).

    Function views answered any method as if it were GET: `DELETE /news/...` rendered the
    article. Before the CSRF check, so that such a request learns the method is the problem.
    The API refuses them itself, in JSON (articles/api/errors.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in PAGE_METHODS or request.resolver_match.namespace == "api":
            return None
        return HttpResponseNotAllowed(PAGE_METHODS)


class AdminNulQueryMiddleware:
    """Send an admin address whose query holds a NUL byte to the same page without its query.

    PostgreSQL cannot store or compare text with a NUL in it, and the admin's change-list
    filters pass their values to the database unchecked: `?status__exact=%00` was a 500. No
    editor means one, so the filters go and a message says why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.namespace != "admin" or not has_nul(request.GET):
            return None
        messages.error(
            request,
            _(
                "The address held a character that cannot be searched for (a NUL byte), so "
                "its filters were left out."
            ),
        )
        return HttpResponseRedirect(request.path)


def has_nul(query):
    return any("\x00" in name + "".join(values) for name, values in query.lists())
