"""Writing many rows' columns in one statement, on PostgreSQL and elsewhere."""

from django.db import DEFAULT_DB_ALIAS, connections


def set_columns(model, columns, rows, using=DEFAULT_DB_ALIAS):
    """Give many rows each their own values in one statement: rows are (pk, *values).

    `columns` maps column names to their PostgreSQL types. PostgreSQL: an UPDATE joined to
    the values passed as arrays. Elsewhere (SQLite in the tests) Django's bulk_update.
    `model` may be a migration's historical model.
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = list(columns)
        arrays = ", ".join(f"%s::{kind}[]" for kind in ["bigint", *columns.values()])
        assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in names)
        aliases = ", ".join(quote(name) for name in ["pk", *names])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608
                f"FROM unnest({arrays}) AS v({aliases}) WHERE t.id = v.pk",
                [list(values) for values in zip(*rows, strict=True)],
            )
        return
    objects = []
    for pk, *values in rows:
        obj = model(pk=pk)
        for name, value in zip(columns, values, strict=True):
            setattr(obj, name, value)
        objects.append(obj)
    fields = [model._meta.get_field(name).name for name in columns]
    model.objects.using(using).bulk_update(objects, fields, batch_size=200)
