"""What drf-spectacular cannot see in the views: the language, the errors and the validators.

A postprocessing hook adds to every operation the `lang` parameter, the JSON errors it may
answer with (400, 404, 429) and the caching headers of its 200 and 304 answers.
"""

from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

from articles.api.pagination import MAX_PAGE_SIZE

ERROR = {"$ref": "#/components/schemas/Error"}
ERRORS = {
    "400": "A parameter is not valid; `errors` says which and why.",
    "404": "Nothing is published at this address.",
    "429": "Too many requests from this address; Retry-After says when to try again.",
}


def _header(description, kind=OpenApiTypes.STR):
    return {"description": description, "schema": build_basic_type(kind)}


NOT_MODIFIED = "The copy named by If-None-Match or If-Modified-Since is current."
VALIDATORS = {
    "ETag": _header("A hash of the answer; send it back as If-None-Match."),
    "Last-Modified": _header("When this answer was first given; for If-Modified-Since."),
    "Cache-Control": _header("How long the answer may be kept without asking again."),
    "Content-Language": _header("az or ru."),
}


def complete(result, generator, request, public):
    """Add the language, the errors and the validators to every operation of the schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", _error_schema())
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "head"):
                continue
            parameters = operation.setdefault("parameters", [])
            parameters.append(
                {
                    "in": "query",
                    "name": "lang",
                    "schema": {"type": "string", "enum": ["az", "ru"]},
                    "description": "The language: az (default at /api/, the addresses' own) or "
                    "ru (default at /ru/api/).",
                }
            )
            for parameter in parameters:
                if parameter["name"] == "page_size":
                    parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE)
                    parameter["description"] = f"Items per page, 1 to {MAX_PAGE_SIZE}."
                elif parameter["name"] == "limit":
                    parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE)
            responses = operation.setdefault("responses", {})
            if "200" in responses:
                responses["200"]["headers"] = VALIDATORS
                responses["304"] = {"description": NOT_MODIFIED, "headers": VALIDATORS}
            for status, description in ERRORS.items():
                error = {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR}},
                }
                if status == "429":
                    error["headers"] = {
                        "Retry-After": _header("Seconds to wait.", OpenApiTypes.INT)
                    }
                responses.setdefault(status, error)
    return result


def _error_schema():
    return {
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "enum": [
                    "invalid",
                    "not_found",
                    "method_not_allowed",
                    "not_acceptable",
                    "throttled",
                ],
            },
            "detail": {
                "type": "string",
                "description": "What went wrong, in the language asked for.",
            },
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "The parameters that are not valid, each with its messages.",
            },
        },
        "required": ["code", "detail"],
    }
