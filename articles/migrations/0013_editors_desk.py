"""Give the Editors group the desk's models: front page picks, live updates, pending changes."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
PERMISSIONS = {
    "frontpagepick": ["add", "change", "delete", "view"],
    "liveupdate": ["add", "change", "delete", "view"],
    "pendingchange": ["add", "change", "delete", "view"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_desk")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
