"""Create the database cache's table, so `migrate` alone readies a database.

Without Redis the cache lives in the database (settings.CACHES), and every write path
invalidates it (articles_changed()): `import_seeds` right after `migrate` failed with
"no such table: django_cache" unless `createcachetable` had been run. The command does nothing
when no database cache is configured (Redis) or the table exists.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_recent_views")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)
    ]
