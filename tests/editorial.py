"""Helpers for the editorial tests: role users and the admin's own form data."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db.models.fields.files import FieldFile

_groups_migration = importlib.import_module("projects.migrations.0005_editorial_groups")


def editorial_groups():
    """The Editor and Publisher groups exactly as the data migration makes them.

    Re-run here because a transactional test (the browser tests) flushes the
    database, groups included.
    """
    if Group.objects.filter(name__in=["Editor", "Publisher"]).count() < 2:
        _groups_migration.create_groups(apps, None)
    return Group.objects.get(name="Editor"), Group.objects.get(name="Publisher")


def make_staff(role, username=None, **fields):
    """A staff user in the Editor or Publisher group (password: "pw")."""
    editor, publisher = editorial_groups()
    username = username or role.lower()
    fields.setdefault("first_name", username.capitalize())
    user = User.objects.create_user(username=username, password="pw", is_staff=True, **fields)
    user.groups.add(editor if role == "Editor" else publisher)
    return user


def admin_form_data(response):
    """What the browser would POST back untouched: the main form and every inline row."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or isinstance(value, FieldFile):
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []
