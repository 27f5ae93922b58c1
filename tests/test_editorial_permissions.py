"""The permission matrix: each role, each move, via the workflow, the form and the actions."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from dealmap.editorial import Status
from projects import workflow
from projects.models import Project, StatusChange
from tests.editorial import admin_form_data, editorial_groups, make_staff, messages_of
from tests.factories import make_map, make_project

ROLES = ["Editor", "Publisher"]
MOVES = [(move, role) for move in workflow.TRANSITIONS for role in ROLES]
MOVE_IDS = [f"{role}-{move.source}-to-{move.target}" for move, role in MOVES]


def allowed(role, move):
    return role == "Publisher" or move.permission == "submit"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


@pytest.mark.django_db
def test_groups_have_exactly_their_roles_permissions():
    editor, publisher = editorial_groups()

    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    publisher_perms = set(publisher.permissions.values_list("codename", flat=True))

    assert "submit_project" in editor_perms
    assert "submit_map" in editor_perms
    assert not {"publish_project", "publish_map", "delete_project", "delete_map"} & editor_perms
    assert publisher_perms - editor_perms == {
        "publish_project", "publish_map", "delete_project", "delete_map", "delete_tag",
    }  # fmt: skip
    # Nobody gets to change users, groups or the transition log through these roles.
    assert not Permission.objects.filter(
        group__in=[editor, publisher], codename__in=["change_user", "change_group",
                                                     "change_statuschange"]
    ).exists()  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("move", "role"), MOVES, ids=MOVE_IDS)
def test_workflow_function_move_follows_role(move, role):
    user = make_staff(role)
    project = make_project(status=move.source)

    if allowed(role, move):
        workflow.project_transition(project=project, to_status=move.target, user=user)
    else:
        with pytest.raises(workflow.TransitionPermissionDenied, match="Only a Publisher"):
            workflow.project_transition(project=project, to_status=move.target, user=user)

    project.refresh_from_db()
    assert project.status == (move.target if allowed(role, move) else move.source)


@pytest.mark.django_db
@pytest.mark.parametrize(("move", "role"), MOVES, ids=MOVE_IDS)
def test_change_form_move_follows_role(move, role):
    project = make_project(status=move.source)
    # The untouched form as a publisher sees it, posted by the role under test.
    data = admin_form_data(client_for(make_staff("Publisher", "pat")).get(change_url(project)))
    data["status"] = move.target

    response = client_for(make_staff(role)).post(change_url(project), data, follow=True)

    project.refresh_from_db()
    if allowed(role, move):
        assert project.status == move.target
        assert [m for m in messages_of(response) if "was changed successfully" in m]
    else:
        assert project.status == move.source
        page = response.content.decode()
        assert "only a Publisher can" in page or "Only a Publisher can" in page


@pytest.mark.django_db
def test_editor_crafted_post_to_publish_is_refused_with_a_message():
    project = make_project(status=Status.IN_REVIEW, name="Gensyn")
    editor = client_for(make_staff("Editor"))
    data = admin_form_data(editor.get(change_url(project)))
    assert data["status"] == Status.IN_REVIEW
    data["status"] = Status.PUBLISHED
    data["name"] = "Gensyn (edited)"

    response = editor.post(change_url(project), data)

    project.refresh_from_db()
    assert (project.status, project.name) == (Status.IN_REVIEW, "Gensyn")
    assert response.context["adminform"].form.errors["status"] == [
        "Only a Publisher can move a project from In review to Published "
        "(“Approve and publish”). Your changes to the status were refused."
    ]
    assert StatusChange.objects.count() == 0


@pytest.mark.django_db
def test_status_select_offers_only_the_moves_of_the_role():
    project = make_project(status=Status.IN_REVIEW)
    editor_form = client_for(make_staff("Editor")).get(change_url(project)).context["adminform"]
    publisher_form = (
        client_for(make_staff("Publisher")).get(change_url(project)).context["adminform"]
    )

    def offered(adminform):
        return [value for value, _ in adminform.form.fields["status"].widget.choices]

    assert offered(editor_form) == [Status.IN_REVIEW, Status.DRAFT]
    assert offered(publisher_form) == [
        Status.IN_REVIEW, Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED,
    ]  # fmt: skip


ACTIONS = {
    Status.IN_REVIEW: "submit_selected",
    Status.PUBLISHED: "publish_selected",
    Status.ARCHIVED: "archive_selected",
}
ACTION_CASES = [
    (source, target, role) for source in Status.values for target in ACTIONS for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "target", "role"),
    ACTION_CASES,
    ids=[f"{r}-{s}-to-{t}" for s, t, r in ACTION_CASES],
)
def test_list_action_move_follows_role(source, target, role):
    project = make_project(status=source, name="Ritual")
    client = client_for(make_staff(role))

    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": ACTIONS[target], "_selected_action": [project.pk]},
        follow=True,
    )

    project.refresh_from_db()
    move = next((m for m in workflow.TRANSITIONS if (m.source, m.target) == (source, target)), None)
    should_move = move is not None and allowed(role, move)
    assert project.status == (target if should_move else source)
    shown = " ".join(messages_of(response))
    if should_move:
        assert "Ritual" in shown
    elif role == "Editor" and target != Status.IN_REVIEW:
        assert "Only a Publisher can approve, publish and archive" in shown
    else:
        assert "Not changed — Ritual: " in shown


@pytest.mark.django_db
def test_editor_sees_published_project_read_only_and_cannot_save_it():
    project = make_project(status=Status.PUBLISHED, name="Bittensor")
    editor = client_for(make_staff("Editor"))
    data = admin_form_data(client_for(make_staff("Publisher", "pat")).get(change_url(project)))
    data["name"] = "Bittensor (edited by an editor)"

    page = editor.get(change_url(project))
    response = editor.post(change_url(project), data, follow=True)

    assert "only a Publisher can change it" in page.content.decode()
    assert 'name="status"' not in page.content.decode()
    assert 'name="name"' not in page.content.decode()
    project.refresh_from_db()
    assert project.name == "Bittensor"
    assert messages_of(response) == [
        "Not saved: this project is Published, and only a Publisher can change it."
    ]


@pytest.mark.django_db
def test_editor_cannot_delete_and_publisher_can():
    project = make_project(status=Status.DRAFT)
    delete_url = reverse("admin:projects_project_delete", args=[project.pk])

    refused = client_for(make_staff("Editor")).post(delete_url, {"post": "yes"})
    assert Project.objects.filter(pk=project.pk).exists()
    assert refused.status_code == 403

    client_for(make_staff("Publisher")).post(delete_url, {"post": "yes"})
    assert not Project.objects.filter(pk=project.pk).exists()


@pytest.mark.django_db
def test_map_publish_is_for_publishers_only():
    atlas = make_map(status=Status.IN_REVIEW)
    editor, publisher = make_staff("Editor"), make_staff("Publisher")

    with pytest.raises(
        workflow.TransitionPermissionDenied, match="Only a Publisher can move a map"
    ):
        workflow.map_transition(map=atlas, to_status=Status.PUBLISHED, user=editor)
    workflow.map_transition(map=atlas, to_status=Status.PUBLISHED, user=publisher)

    atlas.refresh_from_db()
    assert atlas.status == Status.PUBLISHED
    assert atlas.published_at is not None


@pytest.mark.django_db
def test_editor_cannot_edit_team_of_published_project_through_its_own_admin():
    from tests.factories import make_member

    member = make_member(project=make_project(status=Status.PUBLISHED), name="Ada")
    editor = client_for(make_staff("Editor"))
    url = reverse("admin:projects_teammember_change", args=[member.pk])

    editor.post(url, {"project": member.project_id, "name": "Eve", "position": 0})

    member.refresh_from_db()
    assert member.name == "Ada"


@pytest.mark.django_db
def test_draft_cannot_jump_to_published_even_for_a_publisher():
    project = make_project(status=Status.DRAFT)

    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.project_transition(
            project=project, to_status=Status.PUBLISHED, user=make_staff("Publisher")
        )

    assert str(refusal.value) == (
        "A project cannot go from Draft to Published. From Draft it can go to: In review, Archived."
    )


@pytest.mark.django_db
def test_every_move_is_recorded_with_who_when_and_comment():
    publisher = make_staff("Publisher", "pat", first_name="Pat", last_name="Lee")
    project = make_project(status=Status.IN_REVIEW)

    workflow.project_transition(
        project=project, to_status=Status.PUBLISHED, user=publisher, comment="Figures checked"
    )

    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.user, change.comment) == (
        Status.IN_REVIEW, Status.PUBLISHED, publisher, "Figures checked",
    )  # fmt: skip
    page = client_for(publisher).get(change_url(project)).content.decode()
    assert "<td>Pat Lee</td><td>In review → Published</td><td>Figures checked</td>" in page
    project.refresh_from_db()
    assert project.published_at == change.created_at


@pytest.mark.django_db
def test_map_change_form_refuses_an_editors_publish_and_saves_a_publishers():
    atlas = make_map(status=Status.IN_REVIEW, name="Physical AI")
    url = reverse("admin:layers_map_change", args=[atlas.pk])
    editor, publisher = client_for(make_staff("Editor")), client_for(make_staff("Publisher"))

    data = admin_form_data(editor.get(url))
    data["status"] = Status.PUBLISHED
    refused = editor.post(url, data)
    atlas.refresh_from_db()
    assert atlas.status == Status.IN_REVIEW
    assert refused.context["adminform"].form.errors["status"] == [
        "Only a Publisher can move a map from In review to Published "
        "(“Approve and publish”). Your changes to the status were refused."
    ]

    data = admin_form_data(publisher.get(url))
    data["status"] = Status.PUBLISHED
    publisher.post(url, data)
    atlas.refresh_from_db()
    assert atlas.status == Status.PUBLISHED


@pytest.mark.django_db
def test_editor_cannot_add_a_metric_to_a_published_project_through_its_own_admin():
    published = make_project(status=Status.PUBLISHED, name="Bittensor")
    draft = make_project(status=Status.DRAFT, name="Gensyn")
    editor = client_for(make_staff("Editor"))
    url = reverse("admin:projects_tractionmetric_add")
    metric = {"label": "subnets", "value": "128", "as_of": "2026-01-01",
              "source_url": "https://example.com/s", "position": "0"}  # fmt: skip

    refused = editor.post(url, {**metric, "project": published.pk})
    editor.post(url, {**metric, "project": draft.pk})

    assert refused.context["adminform"].form.errors["project"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert published.metrics.count() == 0
    assert draft.metrics.count() == 1
