"""An index of every article newest first: the admin's article list and the sitemaps sort by it."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0022_redundant_foreign_key_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['-published_at', '-id'], name='article_published'),
        ),
    ]
