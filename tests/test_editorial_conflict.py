"""No lost updates: two people save the same project; the second save is refused, not lost."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from projects.models import Project
from tests.editorial import admin_form_data, make_staff
from tests.factories import make_project


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_second_save_is_refused_naming_who_saved_and_keeps_the_input():
    project = make_project(status="draft", name="Nous", one_liner="Open models")
    # Content loaded outside the admin gets its first revision the documented way.
    call_command("createinitialrevisions", "projects.Project", verbosity=0)
    url = reverse("admin:projects_project_change", args=[project.pk])
    ana = logged_in(make_staff("Editor", "ana", first_name="Ana", last_name="Lima"))
    ben = logged_in(make_staff("Editor", "ben"))
    ana_form, ben_form = admin_form_data(ana.get(url)), admin_form_data(ben.get(url))

    ana_form["name"] = "Nous Research"
    ana.post(url, ana_form)
    ben_form["one_liner"] = "Open models, trained in the open"
    refused = ben.post(url, ben_form)

    project.refresh_from_db()
    assert (project.name, project.one_liner) == ("Nous Research", "Open models")
    form = refused.context["adminform"].form
    when = project.updated_at.strftime("%-d %b %Y, %H:%M")
    assert form.non_field_errors()[0].startswith(
        f"Ana Lima saved this project at {when} UTC, after you opened it and changed: Name. "
        "Your changes are not saved: they are still in the form below."
    )
    assert form["one_liner"].value() == "Open models, trained in the open"
    assert form["expected_version"].value() == "2"
    assert "Please correct the error below." in refused.content.decode()


@pytest.mark.django_db
def test_saving_again_after_the_conflict_keeps_the_second_persons_input():
    project = make_project(status="draft", name="Nous", one_liner="Open models")
    url = reverse("admin:projects_project_change", args=[project.pk])
    ana, ben = logged_in(make_staff("Editor", "ana")), logged_in(make_staff("Editor", "ben"))
    ana_form, ben_form = admin_form_data(ana.get(url)), admin_form_data(ben.get(url))
    ana_form["name"] = "Nous Research"
    ana.post(url, ana_form)
    ben_form["one_liner"] = "Reconciled one-liner"
    refused = ben.post(url, ben_form)

    # Ben reconciles (here: keeps Ana's name) and saves the form he was shown.
    reconciled = admin_form_data(refused)
    reconciled["name"] = "Nous Research"
    ben.post(url, reconciled)

    project.refresh_from_db()
    assert (project.name, project.one_liner) == ("Nous Research", "Reconciled one-liner")
    assert project.version == 3


@pytest.mark.django_db
def test_post_without_version_stamp_is_refused_not_applied():
    project = make_project(status="draft", name="Prime Intellect")
    url = reverse("admin:projects_project_change", args=[project.pk])
    editor = logged_in(make_staff("Editor"))
    data = admin_form_data(editor.get(url))
    del data["expected_version"]
    data["name"] = "Renamed"

    response = editor.post(url, data)

    assert Project.objects.get(pk=project.pk).name == "Prime Intellect"
    assert "saved this project at" in response.context["adminform"].form.non_field_errors()[0]
