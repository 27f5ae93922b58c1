"""Small builders shared by the import tests: files as bytes, users with given permissions."""

import csv
import io

from django.contrib.auth.models import Permission, User

from projects.editorial.imports.spreadsheet_rows import COLUMNS


def csv_bytes(rows, columns=COLUMNS):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def staff_user(username, *codenames):
    """A staff user holding exactly the given permissions ("projects.add_project", …)."""
    user = User.objects.create_user(username, password="pw", is_staff=True)
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


EDITOR_PERMISSIONS = [
    "projects.view_project", "projects.add_project", "projects.change_project",
    "projects.add_teammember", "projects.change_teammember", "projects.delete_teammember",
    "projects.add_tractionmetric", "projects.change_tractionmetric",
    "projects.delete_tractionmetric", "projects.add_tag",
    "layers.view_map", "layers.add_map", "layers.change_map",
    "layers.view_layer", "layers.add_layer", "layers.change_layer",
]  # fmt: skip
