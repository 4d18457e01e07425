from importlib import import_module

import reversion
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The migrations that create the "Editors" group and grant it each app's permissions.
EDITORS_MIGRATIONS = {
    "articles": [
        "articles.migrations.0002_editors_group",
        "articles.migrations.0013_editors_desk",
        "articles.migrations.0016_editors_tags_gallery",
        "articles.migrations.0019_editors_story_permissions",
        "articles.migrations.0026_editors_telegram_permissions",
    ],
    "comments": ["comments.migrations.0002_editors_moderate_comments"],
}


def restore_editors_group(sender, using="default", **kwargs):
    """Give the Editors group back its permissions after a flush.

    A flush (as tests with `transaction=True` do) empties the tables that data migrations
    filled; Django re-creates permissions on `post_migrate`, and so do we for the group.
    """
    from django.contrib.auth.models import Group, Permission

    if sender.label not in EDITORS_MIGRATIONS:
        return
    migrations = [import_module(name) for name in EDITORS_MIGRATIONS[sender.label]]
    group, _created = Group.objects.using(using).get_or_create(name=migrations[0].GROUP_NAME)
    codenames = [
        f"{action}_{model}"
        for migration in migrations
        for model, actions in migration.PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label=sender.label, codename__in=codenames
        )
    )


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        post_migrate.connect(restore_editors_group, dispatch_uid="restore_editors_group")

        # Every save in the admin keeps a version of what editors write; the counters that
        # readers move (views, comments) are not part of it, so a restore never rewinds them.
        reversion.register(self.get_model("Article"), exclude=["views", "comment_count"])
