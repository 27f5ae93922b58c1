"""Drive the real admin like a staff member: read a change form, edit some fields, submit it.

The POST data comes from the form the admin rendered (main form, inlines and
their management forms), so these helpers follow the admin whatever fields and
inlines it grows.
"""

import datetime

from django.urls import reverse


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, datetime.datetime):
        # Split date/time admin widgets take two inputs.
        return None
    return str(value)


def _form_data(form, data):
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        key = form.add_prefix(name)
        if isinstance(value, datetime.datetime):
            data[f"{key}_0"] = value.date().isoformat()
            data[f"{key}_1"] = value.time().isoformat(timespec="seconds")
            continue
        value = _value(bound)
        if value is not None:
            data[key] = value


def change_form_data(response):
    """The POST data the admin change form would submit unchanged."""
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def admin_url(obj, action="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])


def admin_edit(client, obj, **changes):
    """Open obj's change form in the admin, change some fields, save; return the response."""
    url = admin_url(obj)
    data = change_form_data(client.get(url))
    data.update({key: str(value) for key, value in changes.items()})
    response = client.post(url, data)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, f"the admin refused the form: {errors}"
    return response


def admin_publish(client, obj):
    """Publish through the workflow, as a Publisher does: submit for review, then approve."""
    admin_edit(client, obj, status="in_review")
    obj.refresh_from_db()
    return admin_edit(client, obj, status="published")


def admin_delete(client, obj):
    response = client.post(admin_url(obj, "delete"), {"post": "yes"})
    assert response.status_code == 302, "the admin refused the delete"
    return response
