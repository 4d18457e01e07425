"""The admin's change lists over a million rows: counts and date links that read few of them.

Django's change list counts every row it lists (`COUNT(*)`, 1.8 s at 1 000 000 articles) and
builds its date drill-down with `SELECT DISTINCT` of every year (4.4 s). Here the count is
exact up to `EXACT_COUNT_UP_TO` rows and PostgreSQL's estimate beyond (shown with "≈"), and the
year and month links come from the first and last dates, read at the ends of the date's index.
"""

import json
from datetime import datetime, time
from functools import cache

from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import cached_property

from articles import text

EXACT_COUNT_UP_TO = 10_000  # rows: counting these costs milliseconds
# A search's matches, though, are found by reading rows (`icontains` has no index): counting
# 10 000 of a common word's read 250 000 articles (2-5 s at 1 000 000); 1 000, a tenth.
EXACT_SEARCH_COUNT_UP_TO = 1_000


def planned_rows(queryset):
    """PostgreSQL's estimate of the rows `queryset` returns (EXPLAIN, nothing read)."""
    plan = queryset.order_by().explain(format="json")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """Count exactly up to EXACT_COUNT_UP_TO rows (a search's EXACT_SEARCH_COUNT_UP_TO), then
    say PostgreSQL's estimate.

    `estimated` tells the page to write the count as an approximation. Other databases (the
    tests' SQLite) always count exactly.
    """

    estimated = False
    searched = False  # set by LargeTableAdmin when the list is a search's

    def page(self, number):
        """The page's rows by their ids: the ids of the rows skipped before it come from an
        index alone (page 50 of 1 000 000 articles read 4 900 rows from the table first)."""
        page = super().page(number)
        rows = page.object_list
        if connections[rows.db].vendor == "postgresql" and rows.query.low_mark:
            whole = self.object_list
            page.object_list = whole.filter(pk__in=rows.values("pk"))
        return page

    @cached_property
    def count(self):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        exact = EXACT_SEARCH_COUNT_UP_TO if self.searched else EXACT_COUNT_UP_TO
        counted = queryset.order_by()[: exact + 1].count()
        if counted <= exact:
            return counted
        self.estimated = True
        return max(planned_rows(queryset), counted)


class BoundedDates:
    """A queryset whose year and month lists come from its first and last dates.

    Django's date drill-down asks `datetimes(field, "year")` (or `dates` of a date field; by
    month within a year): a DISTINCT over every row. Here it is two index look-ups; a year or
    month between the ends with no row at all is still listed, and opens an empty list. Days
    stay exact (a month of rows).
    """

    def _firsts(self, field_name, kind, order):
        ends = self.aggregate(first=Min(field_name), last=Max(field_name))
        if ends["first"] is None:
            return []
        first, last = ends["first"], ends["last"]
        if isinstance(first, datetime):
            first, last = timezone.localtime(first), timezone.localtime(last)
        found = list(text.firsts_between(first, last, kind))
        return found if order == "ASC" else found[::-1]

    def dates(self, field_name, kind, order="ASC"):
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        return self._firsts(field_name, kind, order)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if kind not in ("year", "month"):
            return super().datetimes(field_name, kind, order, tzinfo)
        return [
            timezone.make_aware(datetime.combine(day, time.min))
            for day in self._firsts(field_name, kind, order)
        ]


@cache
def bounded(kind):
    """The queryset class `kind` with BoundedDates' date lists (made once per class)."""
    if issubclass(kind, BoundedDates):
        return kind
    return type(f"Bounded{kind.__name__}", (BoundedDates, kind), {})


class LargeTableChangeList(ChangeList):
    """A change list whose date drill-down reads the ends of the dates, not every row."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        queryset.__class__ = bounded(type(queryset))
        return queryset


class LargeTableAdmin:
    """A ModelAdmin mixin for the tables that grow to millions of rows."""

    paginator = EstimatingPaginator
    show_full_result_count = False  # a second count of the whole table

    def get_changelist(self, request, **kwargs):
        return LargeTableChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        paginator.searched = bool(request.GET.get(SEARCH_VAR, "").strip())
        return paginator
