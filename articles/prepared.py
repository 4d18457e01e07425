"""A queryset compiled to SQL once per process and database, then run with other values.

The article page's query (three joins, two JSON subqueries, some seventy columns) cost Django
about four times more CPU to build and compile than to send and read (~4 ms against ~0.5 ms
per cold article, README "The long tail after the render work"). Its shape is the same for
every article; only the id and the time differ. A `PreparedQuery` builds the queryset once
with `Placeholder`s where those values go, compiles it once per database, and for each run
puts the values into the compiled SQL's parameters and hands the rows to the queryset's own
iterable (model instances with their joined rows, or values), as evaluating it would.
"""

import copy

from django.db import connections, router
from django.db.models import Expression, QuerySet


class Placeholder(Expression):
    """A value given when the prepared query runs: one SQL parameter, of `output_field`'s type."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


class PreparedQuery:
    """The queryset of `model` that `build(**placeholders)` returns, compiled once per database."""

    def __init__(self, model, build, **fields):
        self.model = model
        self.build = build
        self.fields = fields  # each placeholder's name and the model field giving its type
        self._compiled = {}

    def _compile(self, alias):
        if alias not in self._compiled:
            placeholders = {name: Placeholder(name, field) for name, field in self.fields.items()}
            queryset = self.build(**placeholders)
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            self._compiled[alias] = (queryset, compiler, sql, params)
        return self._compiled[alias]

    def run(self, **values):
        """Return the list the queryset would give with `values` in its placeholders."""
        alias = router.db_for_read(self.model)
        queryset, compiler, sql, params = self._compile(alias)
        connection = connections[alias]
        bound = [
            param.output_field.get_db_prep_value(values[param.name], connection)
            if isinstance(param, Placeholder)
            else param
            for param in params
        ]
        ran = copy.copy(compiler)
        ran.connection = connection  # a connection belongs to one thread
        ran.as_sql = lambda *args, **kwargs: (sql, bound)
        prepared = QuerySet(queryset.model, query=_Compiled(queryset.query, ran), using=alias)
        return list(queryset._iterable_class(prepared))


class _Compiled:
    """A queryset's query as its iterable asks for it, with the compiler already made."""

    def __init__(self, query, compiler):
        self.query, self.compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler

    def __getattr__(self, name):
        return getattr(self.query, name)
