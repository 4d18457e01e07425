"""The public JSON API, `/api/v1/` (az) and `/ru/api/v1/` (ru): read-only, published articles only.

Django REST framework with drf-spectacular: views (views.py) read through
`Article.objects.published()`, serializers (serializers.py) say what a client gets, the cursor
pagination (pagination.py) stays stable while news arrives, every answer carries validators
(conditional.py) and is throttled per address (throttling.py); errors are JSON in the reader's
language (errors.py); schema.py completes the OpenAPI schema.
"""
