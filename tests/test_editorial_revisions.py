"""Revisions: every save is one; any two compare; any one restores; deletes recover."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from dealmap.editorial import Status
from projects import workflow
from projects.models import Project
from tests.editorial import admin_form_data, make_staff, messages_of
from tests.factories import make_member, make_metric, make_project


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def save_unchanged(client, project, **changes):
    data = admin_form_data(client.get(change_url(project)))
    data.update(changes)
    response = client.post(change_url(project), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return data


def team_of(project):
    return [(m.name, m.role) for m in project.team.order_by("position", "name")]


@pytest.fixture
def edited_project(db):
    """A project with two revisions: Ada as CEO with one metric, then Ada as CTO plus Bob."""
    publisher = logged_in(make_staff("Publisher", "pat"))
    project = make_project(status=Status.DRAFT, name="Akash", description="GPU market.")
    ada = make_member(project=project, name="Ada", role="CEO", position=0)
    make_metric(project=project, label="leases", value=120)
    save_unchanged(publisher, project, comment="First look")

    data = admin_form_data(publisher.get(change_url(project)))
    row = next(k for k, v in data.items() if k.endswith("-id") and v == str(ada.pk))
    row = row.removesuffix("-id")
    data.update(
        {
            f"{row}-role": "CTO",
            "metrics-0-DELETE": "on",
            "team-TOTAL_FORMS": "2",
            "team-1-name": "Bob",
            "team-1-role": "Engineer",
            "team-1-position": "1",
            "team-1-project": str(project.pk),
            "description": "Decentralised GPU market.",
            "comment": "New hire",
        }
    )
    assert publisher.post(change_url(project), data).status_code == 302
    return project, publisher


def test_every_admin_save_stores_one_revision_with_author_and_comment(edited_project):
    project, _ = edited_project

    versions = Version.objects.get_for_object(project).select_related("revision__user")

    assert [v.revision.user.username for v in versions] == ["pat", "pat"]
    assert [v.revision.get_comment().split(" — ")[0] for v in versions] == [
        "New hire",
        "First look",
    ]
    newest = versions[0].revision
    assert sorted(str(v) for v in newest.version_set.all()) == sorted(["Akash", "Ada", "Bob"])


def test_compare_shows_changed_fields_and_rows(edited_project):
    project, publisher = edited_project
    older, newer = reversed(Version.objects.get_for_object(project))
    url = reverse("admin:projects_project_compare", args=[project.pk])

    page = publisher.get(url, {"a": older.pk, "b": newer.pk}).content.decode()

    assert '<td colspan="2" class="diff-words"><ins>Decentralised</ins> GPU market.</td>' in page
    assert '<th scope="row">X (Twitter)</th>' in page
    assert "<strong>Added:</strong> Bob" in page
    assert "Role: <del>CEO</del> → <ins>CTO</ins>" in page
    assert "<strong>Removed:</strong> leases: 120.00" in page


def test_compare_with_a_foreign_revision_is_a_message_not_an_error(edited_project):
    project, publisher = edited_project
    other = make_project(status=Status.DRAFT)
    save_unchanged(publisher, other)
    foreign = Version.objects.get_for_object(other).get()
    mine = Version.objects.get_for_object(project).first()
    url = reverse("admin:projects_project_compare", args=[project.pk])

    response = publisher.get(url, {"a": foreign.pk, "b": mine.pk}, follow=True)

    assert messages_of(response)[-1] == "Choose two different revisions of this page to compare."


def test_restore_brings_back_fields_and_inlines_and_keeps_status(edited_project):
    project, publisher = edited_project
    pat = make_staff("Publisher", "pat2")
    workflow.project_transition(project=project, to_status=Status.IN_REVIEW, user=pat)
    workflow.project_transition(project=project, to_status=Status.PUBLISHED, user=pat)
    first = Version.objects.get_for_object(project).last()
    url = reverse("admin:projects_project_revision", args=[project.pk, first.pk])
    project.refresh_from_db()
    version_before = project.version

    form_page = publisher.get(url)
    response = publisher.post(url, admin_form_data(form_page))

    assert "the status stays as it is now." in form_page.content.decode()
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.description == "GPU market."
    assert team_of(project) == [("Ada", "CEO")]
    assert [m.label for m in project.metrics.all()] == ["leases"]
    assert project.status == Status.PUBLISHED
    assert project.version == version_before + 1
    latest = Version.objects.get_for_object(project).first().revision
    assert latest.get_comment().startswith("Reverted to previous version")


def test_restoring_a_published_revision_of_a_draft_leaves_it_a_draft(edited_project):
    project, publisher = edited_project
    pat = make_staff("Publisher", "pat2")
    workflow.project_transition(project=project, to_status=Status.IN_REVIEW, user=pat)
    workflow.project_transition(project=project, to_status=Status.PUBLISHED, user=pat)
    published_revision = Version.objects.get_for_object(project).first()
    workflow.project_transition(project=project, to_status=Status.DRAFT, user=pat)
    url = reverse("admin:projects_project_revision", args=[project.pk, published_revision.pk])

    publisher.post(url, admin_form_data(publisher.get(url)))

    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_deleted_project_is_recovered_with_its_team_as_a_draft(edited_project):
    project, publisher = edited_project
    pat = make_staff("Publisher", "pat2")
    workflow.project_transition(project=project, to_status=Status.IN_REVIEW, user=pat)
    workflow.project_transition(project=project, to_status=Status.PUBLISHED, user=pat)
    publisher.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    assert not Project.objects.filter(pk=project.pk).exists()

    listing = publisher.get(reverse("admin:projects_project_recoverlist")).content.decode()
    deleted = Version.objects.get_deleted(Project).get()
    url = reverse("admin:projects_project_recover", args=[deleted.pk])
    response = publisher.post(url, admin_form_data(publisher.get(url)))

    assert "Akash" in listing
    assert response.status_code == 302
    recovered = Project.objects.get(pk=project.pk)
    assert recovered.status == Status.DRAFT
    assert recovered.description == "Decentralised GPU market."
    assert team_of(recovered) == [("Ada", "CTO"), ("Bob", "Engineer")]


def test_history_lists_revisions_with_compare_and_restore(edited_project):
    project, publisher = edited_project

    page = publisher.get(reverse("admin:projects_project_history", args=[project.pk]))

    html = page.content.decode()
    assert html.count('name="a"') == 2
    assert "Compare selected revisions" in html
    assert "New hire" in html
    assert 'title="Restore this revision"' in html


@pytest.mark.django_db
def test_browser_line_endings_are_not_a_change():
    publisher = logged_in(make_staff("Publisher"))
    project = make_project(status=Status.DRAFT, description="One.\n\nTwo.\n")
    save_unchanged(publisher, project, description="One.\r\n\r\nTwo.")
    save_unchanged(publisher, project, one_liner="Sharper")
    older, newer = reversed(Version.objects.get_for_object(project))

    page = publisher.get(
        reverse("admin:projects_project_compare", args=[project.pk]), {"a": older.pk, "b": newer.pk}
    )

    project.refresh_from_db()
    assert project.description == "One.\n\nTwo."
    changed = [c.label for c in page.context["diff"]["fields"] if c.changed]
    assert changed == ["One liner"]


@pytest.mark.django_db
def test_a_metric_saved_on_its_own_page_is_a_new_revision_of_its_project():
    publisher = logged_in(make_staff("Publisher", "pat"))
    project = make_project(status=Status.DRAFT, name="Akash")
    version_before = project.version

    publisher.post(
        reverse("admin:projects_tractionmetric_add"),
        {"project": project.pk, "label": "leases", "value": "120", "as_of": "2026-01-01",
         "source_url": "https://example.com/leases", "position": "0"},
    )  # fmt: skip

    project.refresh_from_db()
    assert project.version == version_before + 1
    revision = Version.objects.get_for_object(project).get().revision
    assert revision.get_comment() == "Traction metric “leases: 120” added"
    assert sorted(str(v) for v in revision.version_set.all()) == ["Akash", "leases: 120.00"]
