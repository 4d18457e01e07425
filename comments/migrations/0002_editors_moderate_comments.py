"""Let the "Editors" group moderate comments (view, hide/show) and bar readers from commenting.

Editors get no "add comment" permission (readers write comments on the site) and no "delete":
hiding is reversible. The admin keeps the text read-only for everyone but superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
PERMISSIONS = {
    "comment": ["view", "change"],
    "commentban": ["add", "change", "delete", "view"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
