"""Security headers Django does not send itself: the Content-Security-Policy."""

from django.conf import settings


def policy(directives):
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Send settings.CSP on every response; the admin's pages also allow inline styles.

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
        return response
