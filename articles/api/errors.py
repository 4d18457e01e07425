"""Errors as JSON in the reader's language: `{"code": ..., "detail": ..., "errors": {...}}`.

Every refusal of the API goes through `exception_handler` (REST framework's hook): a missing
object (404), a bad parameter (400), a method other than GET or HEAD (405), too many requests
(429, with Retry-After). The messages are ours, translated in locale/; `errors` names the
parameters that were wrong, each with its messages. Anything else is a fault of ours and gets
the site's 500 page.
"""

import math

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response


class InvalidParameters(exceptions.ValidationError):
    """Some query parameters are not valid; `errors` maps each to its messages."""

    def __init__(self, errors):
        super().__init__(detail=None, code="invalid")
        self.errors = {
            name: [str(message) for message in messages] for name, messages in errors.items()
        }


def invalid(name, message):
    return InvalidParameters({name: [message]})


def _message(exc):
    if isinstance(exc, InvalidParameters):
        return _("Some parameters of the request are not valid.")
    if isinstance(exc, exceptions.NotFound):
        return str(exc.detail) if getattr(exc, "ours", False) else _("Nothing was found here.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("The API only reads: it answers GET and HEAD requests.")
    if isinstance(exc, exceptions.Throttled):
        seconds = math.ceil(exc.wait or 1)
        return _("Too many requests from your address. Try again in %(seconds)d s.") % {
            "seconds": seconds
        }
    if isinstance(exc, exceptions.NotAcceptable):
        return _("The API answers in JSON only.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("You may not see this.")
    return _("The request could not be answered.")


def not_found(message):
    """Return a 404 whose message says what was not found."""
    error = exceptions.NotFound(message)
    error.ours = True
    return error


def exception_handler(exc, context):
    """Answer a refused request with a JSON error in the active language."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    body = {"code": _code(exc), "detail": _message(exc)}
    if isinstance(exc, InvalidParameters):
        body["errors"] = exc.errors
    headers = {}
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(math.ceil(exc.wait or 1))
    return Response(body, status=exc.status_code, headers=headers)


def _code(exc):
    return {
        400: "invalid",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        406: "not_acceptable",
        429: "throttled",
    }.get(exc.status_code, "error")
