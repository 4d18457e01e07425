"""Drop three foreign-key indexes that a composite index already leads with.

article_source_pub (source, status, published_at), article_category_pub (category, ...) and
the daily views' unique (article, day) serve every look-up by those keys, including the
checks of PROTECT, SET_NULL and CASCADE; the single-column copies only cost every write.
Only the indexes are dropped: Django's AlterField would also drop and re-add the foreign keys,
checking every row (longer than the statement timeout on a million articles).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_search_columns_by_trigger"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="article",
            name="category",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="articles.category",
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="Empty for the portal's own articles.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="articles.source",
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="dailyviews",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="daily_views",
                to="articles.article",
                verbose_name="article",
            ),
        ),
    ]

    INDEXES = [
        ("articles_article_category_id_633dad2b", "articles_article", "category_id"),
        ("articles_article_source_id_9a8869ea", "articles_article", "source_id"),
        ("articles_dailyviews_article_id_51ddbc39", "articles_dailyviews", "article_id"),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
            ],
        )
    ]
