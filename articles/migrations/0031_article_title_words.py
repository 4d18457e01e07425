"""Article.title_words: each title's folded long words, stored for related news.

Existing rows are filled in batches of BATCH by id, one UPDATE each (bulk.set_columns): at
1 000 000 articles every row is rewritten once. Rows the backfill has not reached yet are
still ranked right, their words folded on the page (related.rank).
"""

from django.db import migrations

import articles.models
from articles import bulk, related

BATCH = 5000


def fill_title_words(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    using = schema_editor.connection.alias
    after = 0
    while True:
        rows = list(
            Article.objects.using(using)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "title")[:BATCH]
        )
        if not rows:
            return
        after = rows[-1][0]
        words = [(pk, related.stored_title_words(title)) for pk, title in rows]
        bulk.set_columns(
            Article, {"title_words": "text"}, [(pk, value) for pk, value in words if value], using
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_list_indexes_cover_their_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_words",
            field=articles.models.TitleWordsField(
                blank=True,
                default="",
                db_default="",
                editable=False,
                verbose_name="title words",
            ),
        ),
        migrations.RunPython(fill_title_words, migrations.RunPython.noop, elidable=True),
    ]
