from django.db import migrations, models
from django.utils import timezone


def recount_stories_with_scheduled_articles(apps, schema_editor):
    # Their counts took in articles scheduled for later: the first due round recounts them.
    Story = apps.get_model("articles", "Story")
    now = timezone.now()
    Story.objects.filter(
        articles__status="published", articles__published_at__gt=now
    ).update(recount_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0027_body_pictures"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="recount_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="recount at"
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["recount_at"], name="story_recount_at"),
        ),
        migrations.RunPython(
            recount_stories_with_scheduled_articles, migrations.RunPython.noop
        ),
    ]
