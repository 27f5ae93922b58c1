"""The changes feed tells a mirror what entered, changed within and left the published set,
whatever path made the change; a mirror synced only through the API ends identical to the site."""

import datetime

import pytest
from django.utils import timezone

from dealmap.editorial import Status
from layers.models import Map
from projects.changes import recording
from projects.models import Project, TeamMember
from tests.admin_forms import admin_delete, admin_edit, admin_publish
from tests.factories import make_layer, make_project


def _feed(client, since):
    response = client.get("/api/v1/changes/", {"since": since.isoformat(), "page_size": 100})
    return [(change["kind"], change["slug"]) for change in response.json()["results"]]


@pytest.fixture
def akash(db):
    return make_project(slug="akash", layer=make_layer(slug="compute"))


def test_changes_record_publish_edit_unpublish_and_delete_in_the_admin(client, admin_client, akash):
    draft = make_project(slug="olas", layer=akash.layer, status=Status.DRAFT)
    start = timezone.now()

    admin_publish(admin_client, draft)
    admin_edit(admin_client, akash, name="Akash Network")
    admin_edit(admin_client, Project.objects.get(slug="olas"), status=Status.DRAFT)
    admin_publish(admin_client, Project.objects.get(slug="olas"))
    admin_edit(admin_client, Project.objects.get(slug="olas"), status=Status.ARCHIVED)
    admin_delete(admin_client, Project.objects.get(slug="akash"))

    # One save is one recorded change, whatever it wrote on the way: the form's content
    # and the status move of an unpublish give one "removed", not "updated" then "removed".
    assert _feed(client, start) == [
        ("published", "olas"),
        ("updated", "akash"),
        ("removed", "olas"),
        ("published", "olas"),
        ("removed", "olas"),
        ("removed", "akash"),
    ]


def test_changes_record_a_map_leaving_and_entering_the_published_set(client, admin_client, akash):
    make_project(slug="olas", layer=akash.layer)
    make_project(slug="hidden", layer=akash.layer, status=Status.DRAFT)
    start = timezone.now()

    admin_edit(admin_client, akash.layer.map, status=Status.DRAFT)
    admin_publish(admin_client, Map.objects.get())

    feed = _feed(client, start)
    assert sorted(feed[:2]) == [("removed", "akash"), ("removed", "olas")]
    assert sorted(feed[2:]) == [("published", "akash"), ("published", "olas")]


def test_changes_record_edits_made_outside_the_admin(client, akash):
    start = timezone.now()

    member = TeamMember.objects.create(project=akash, name="Greg")
    member.delete()
    akash.tags.create(slug="gpu", name="GPU")
    make_project(slug="draft", layer=akash.layer, status=Status.DRAFT).delete()

    assert _feed(client, start) == [("updated", "akash")] * 3


def test_changes_record_a_slug_change_as_removal_and_publication(client, akash):
    start = timezone.now()

    akash.slug = "akash-network"
    akash.save()

    assert _feed(client, start) == [("removed", "akash"), ("published", "akash-network")]


def test_changes_since_leaves_out_older_changes(client, akash):
    akash.save()
    later = timezone.now() + datetime.timedelta(seconds=1)

    assert _feed(client, later) == []


@pytest.mark.django_db
def test_changes_bad_since_is_a_400_naming_it(client):
    response = client.get("/api/v1/changes/", {"since": "last tuesday"})

    assert response.status_code == 400
    assert list(response.json()) == ["since"]


# A mirror, written the way docs/api.md tells a partner to keep one.


def _full_copy(client):
    mirror, url = {}, "/api/v1/projects/?page_size=100"
    while url:
        page = client.get(url).json()
        for item in page["results"]:
            mirror[item["slug"]] = client.get(item["url"]).json()
        url = page["next"]
    return mirror


def _sync(client, mirror, since):
    touched = set()
    url = f"/api/v1/changes/?since={since.isoformat().replace('+', '%2B')}&page_size=100"
    while url:
        page = client.get(url).json()
        touched |= {change["slug"] for change in page["results"]}
        url = page["next"]
    updated = client.get(
        "/api/v1/projects/", {"updated_since": since.isoformat(), "page_size": 100}
    )
    touched |= {item["slug"] for item in updated.json()["results"]}
    for slug in touched:
        response = client.get(f"/api/v1/projects/{slug}/")
        if response.status_code == 404:
            mirror.pop(slug, None)
        else:
            mirror[slug] = response.json()


def test_mirror_synced_through_the_api_ends_identical_to_the_site(client, admin_client, real_maps):
    mirror = _full_copy(client)
    synced_at = timezone.now()
    draft = make_project(slug="newcomer", layer=Project.objects.first().layer, status=Status.DRAFT)
    edited, unpublished, deleted, member_edited = Project.objects.published()[:4]

    admin_publish(admin_client, draft)
    admin_edit(admin_client, edited, one_liner="Edited in the admin.")
    admin_edit(admin_client, unpublished, status=Status.DRAFT)
    admin_delete(admin_client, deleted)
    member = member_edited.team.first() or member_edited.team.create(name="Someone")
    member.role = "Chief Scientist"
    member.save()
    _sync(client, mirror, synced_at)

    assert mirror == _full_copy(client)
    assert "newcomer" in mirror
    assert unpublished.slug not in mirror
    assert deleted.slug not in mirror
    assert mirror[edited.slug]["one_liner"] == "Edited in the admin."
    assert "Chief Scientist" in [m["role"] for m in mirror[member_edited.slug]["team"]]


def test_changes_record_a_bulk_update_that_touches_its_projects(client, akash):
    make_project(slug="olas", layer=akash.layer, status=Status.DRAFT)
    start = timezone.now()
    etag = client.get("/api/v1/projects/")["ETag"]

    everything = Project.objects.all()
    with recording() as change:
        change.touch(everything)
        everything.update(status=Status.PUBLISHED, name="Renamed")

    assert _feed(client, start) == [("updated", "akash"), ("published", "olas")]
    assert client.get("/api/v1/projects/")["ETag"] != etag


def test_changes_after_a_restore_in_the_admin_end_with_the_project_still_published(
    client, admin_client, akash
):
    from django.urls import reverse
    from reversion.models import Version

    from tests.editorial import admin_form_data

    akash.status = Status.DRAFT
    akash.save()
    admin_edit(admin_client, akash, name="Akash (draft name)")  # a revision while a draft
    admin_publish(admin_client, Project.objects.get(slug="akash"))
    draft_revision = Version.objects.get_for_object(akash).last()
    start = timezone.now()

    url = reverse("admin:projects_project_revision", args=[akash.pk, draft_revision.pk])
    admin_client.post(url, admin_form_data(admin_client.get(url)))

    # Replaying the feed as a mirror does must leave the project present.
    present = None
    for kind, slug in _feed(client, start):
        assert slug == "akash"
        present = kind != "removed"
    assert present is True
    assert Project.objects.published().filter(slug="akash").exists()
