"""The Editor and Publisher groups, with exactly the permissions of their role.

Editor: create and edit drafts of maps and projects (with their layers, team
and metrics), submit them for review. Publisher: all that, plus approve,
publish, unpublish, archive, and delete.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ADD_CHANGE = ["view", "add", "change"]
EDITOR = {
    "layers": {"map": VIEW_ADD_CHANGE, "layer": [*VIEW_ADD_CHANGE, "delete"]},
    "projects": {
        "project": VIEW_ADD_CHANGE,
        "teammember": [*VIEW_ADD_CHANGE, "delete"],
        "tractionmetric": [*VIEW_ADD_CHANGE, "delete"],
        "tag": VIEW_ADD_CHANGE,
        "statuschange": ["view"],
    },
}
EDITOR_EXTRA = [("projects", "submit_project"), ("projects", "submit_map")]
PUBLISHER_EXTRA = [
    ("projects", "publish_project"),
    ("projects", "publish_map"),
    ("projects", "delete_project"),
    ("projects", "delete_tag"),
    ("layers", "delete_map"),
]


def codenames(spec):
    for app_label, models in spec.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, f"{action}_{model}"


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; these groups need them now.
    for app_label in ("layers", "projects"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        return [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in pairs
        ]

    editor_perms = permissions([*codenames(EDITOR), *EDITOR_EXTRA])
    publisher_perms = editor_perms + permissions(PUBLISHER_EXTRA)
    for name, perms in (("Editor", editor_perms), ("Publisher", publisher_perms)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("layers", "0001_initial"),
        ("projects", "0004_status_change"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
