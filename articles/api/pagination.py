"""Cursor pagination: each page points at the next by the position of its last item.

A cursor holds the sort key of where a page ended (a publication time), not a page number, so
news published meanwhile never shifts the next page: a client paging back through the archive
sees every article once. Cursors come from our own `next` and `previous` links; one that was
tampered with is a 400, as is a page size outside 1..MAX_PAGE_SIZE.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from articles.api.errors import invalid

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


class NewestFirst(CursorPagination):
    """Newest first by publication time; the id orders articles published at the same moment."""

    ordering = ("-published_at", "-id")
    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    # The page size and cursor are documented in the schema with their limits (schema.py).

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise invalid(
                self.page_size_query_param,
                _("Give a whole number from 1 to %(most)d.") % {"most": self.max_page_size},
            )
        return size

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            cursor = False
        if cursor and cursor.position is not None:
            field = self.queryset_model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                field.to_python(cursor.position)
            except ValidationError:
                cursor = False
            if cursor and "\x00" in cursor.position:  # no text the database can compare
                cursor = False
        if cursor is False:
            raise invalid(
                self.cursor_query_param,
                _("This cursor is not one of ours: follow the next and previous links."),
            )
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        self.queryset_model = queryset.model
        return super().paginate_queryset(queryset, request, view)


class StoriesNewestFirst(NewestFirst):
    """Stories by their newest article's time, the most recently updated first."""

    ordering = ("-last_published_at", "-id")


class SourcesByName(NewestFirst):
    """Sources in alphabetical order of their (unique) names."""

    ordering = ("name",)
