"""Imports under the editorial workflow: the real Editor and Publisher groups, and history.

Whatever a role cannot do in the admin, it cannot do by importing a file; whatever an
import writes is one revision, by the importing user, that the admin can compare and
restore.
"""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from dealmap.editorial import Status
from layers.models import Map
from projects.editorial.imports.mapjson import dumps, export_map
from projects.editorial.imports.spreadsheet import import_spreadsheet
from projects.models import Project
from tests.editorial import admin_form_data, make_staff
from tests.factories import make_layer, make_map, make_member, make_project
from tests.imports_helpers import csv_bytes
from tests.landscape2_data import dump, make_landscape

IMPORT_URL = "/admin/projects/project/import/"
NEW = {"name": "Venice", "layer": "inference", "website": "https://venice.ai"}


@pytest.fixture
def deai(db):
    map = make_map(slug="deai", name="Decentralized AI", status=Status.PUBLISHED)
    make_layer(map=map, slug="inference", name="Inference")
    return map


@pytest.fixture
def akash(deai):
    """A published project: only a Publisher may change it."""
    return make_project(layer=deai.layers.get(), slug="akash", name="Akash", one_liner="GPUs")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def preview(client, rows, name="projects.csv", map="deai"):
    upload = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(IMPORT_URL, {"file": upload, "map": map})


def confirm(client, preview_response):
    token = preview_response.context["pending"]["token"]
    return client.post(IMPORT_URL, {"confirm": token}, follow=True)


def table(response):
    """The preview table as the person reads it: (row, name, action, reason) per line."""
    rows = re.findall(r'<tr class="action-\w+">(.*?)</tr>', response.content.decode(), re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]
    return [
        (number, name, re.sub(r"<.*?>", "", action), html.unescape(reason))
        for number, name, action, _changes, reason in cells
    ]


def history(project):
    return list(Version.objects.get_for_object(project).select_related("revision__user"))


# Who may import what.


def test_editor_imports_new_projects_as_drafts_and_updates_a_project_in_review(deai):
    in_review = make_project(layer=deai.layers.get(), slug="olas", name="Olas",
                             status=Status.IN_REVIEW)  # fmt: skip
    editor = logged_in(make_staff("Editor", "erin"))

    page = preview(editor, [NEW, {"slug": "olas", "name": "Olas", "one_liner": "Agents"}])
    done = confirm(editor, page)

    assert [(row, action) for row, _name, action, _reason in table(page)] == [
        ("2", "create"), ("3", "update"),
    ]  # fmt: skip
    assert "Imported projects.csv: 1 create, 1 update (written)" in done.content.decode()
    assert Project.objects.get(slug="venice").status == Status.DRAFT
    in_review.refresh_from_db()
    assert (in_review.one_liner, in_review.status) == ("Agents", Status.IN_REVIEW)


def test_editor_row_changing_a_published_project_is_refused_and_nothing_is_written(akash):
    editor = logged_in(make_staff("Editor", "erin"))

    page = preview(editor, [NEW, {"slug": "akash", "name": "Akash", "one_liner": "Cheap GPUs"}])
    forced = editor.post(IMPORT_URL, {"confirm": "guessed"}, follow=True)

    assert table(page)[1] == (
        "3", "Akash", "reject",
        "'Akash' is published; only a Publisher can change it, in an import as in the admin. "
        "Ask a Publisher, or have it moved back to draft first.",
    )  # fmt: skip
    assert "Nothing was written." in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    assert "That preview has expired" in forced.content.decode()
    assert list(Project.objects.values_list("slug", "one_liner")) == [("akash", "GPUs")]


def test_editor_cannot_add_a_layer_to_a_published_map_by_importing_a_landscape(deai):
    editor = logged_in(make_staff("Editor", "erin"))
    upload = SimpleUploadedFile("landscape.yml", dump(make_landscape(items=2)).encode())

    page = editor.post(IMPORT_URL, {"file": upload, "map": "deai"})

    reasons = {reason for _row, _name, action, reason in table(page) if action == "reject"}
    assert reasons == {
        "a new layer: 'Decentralized AI' is published; only a Publisher can change it, in an "
        "import as in the admin. Ask a Publisher, or have it moved back to draft first."
    }
    assert (deai.layers.count(), Project.objects.count()) == (1, 0)


def test_publisher_changes_a_published_project_as_in_the_admin_and_it_stays_published(akash):
    publisher = logged_in(make_staff("Publisher", "pat"))

    page = preview(publisher, [{"slug": "akash", "name": "Akash", "one_liner": "Cheap GPUs"}])
    confirm(publisher, page)

    akash.refresh_from_db()
    assert table(page) == [
        ("2", "Akash", "update",
         "published: the public page shows this change as soon as it is imported"),
    ]  # fmt: skip
    assert (akash.one_liner, akash.status) == ("Cheap GPUs", Status.PUBLISHED)


@pytest.mark.parametrize("target", ["new", "draft"])
def test_publisher_cannot_publish_through_an_import(deai, target):
    make_project(layer=deai.layers.get(), slug="olas", name="Olas", status=Status.DRAFT)
    row = NEW if target == "new" else {"slug": "olas", "name": "Olas"}
    publisher = logged_in(make_staff("Publisher", "pat"))

    page = preview(publisher, [{**row, "status": "published"}])

    (number, _name, action, reason) = table(page)[0]
    assert (number, action) == ("2", "reject")
    assert reason.startswith("status 'published': an import never changes a status")
    assert list(Project.objects.values_list("slug", "status")) == [("olas", Status.DRAFT)]


def test_publisher_uploading_a_map_export_gets_drafts_not_published_pages(akash, deai):
    document = dumps(export_map(map=deai)).encode()
    Project.objects.all().delete()
    Map.objects.all().delete()
    publisher = logged_in(make_staff("Publisher", "pat"))

    page = publisher.post(IMPORT_URL, {"file": SimpleUploadedFile("deai.json", document)})
    confirm(publisher, page)

    assert Map.objects.get().status == Status.DRAFT
    assert Project.objects.values_list("slug", "status").get() == ("akash", Status.DRAFT)


def test_user_without_a_group_cannot_import(deai):
    nobody = User.objects.create_user("nobody", password="pw", is_staff=True)
    client = logged_in(nobody)

    form = client.get(IMPORT_URL)
    upload = preview(client, [NEW])
    with pytest.raises(PermissionDenied, match="nobody may not import: missing permission"):
        import_spreadsheet(data=csv_bytes([NEW]), filename="p.csv", map=deai, user=nobody)

    assert (form.status_code, upload.status_code) == (403, 403)
    assert Project.objects.count() == 0


# History: one revision per import, by the importer; compare and restore work.


def test_an_admin_import_is_one_revision_by_the_importing_user(deai):
    erin = make_staff("Editor", "erin")
    editor = logged_in(erin)
    second = {**NEW, "name": "Akash", "website": "https://akash.network"}

    confirm(editor, preview(editor, [NEW, second], name="deai-batch.csv"))

    venice, akash = Project.objects.get(name="Venice"), Project.objects.get(name="Akash")
    [venice_version], [akash_version] = history(venice), history(akash)
    assert venice_version.revision == akash_version.revision
    assert venice_version.revision.user == erin
    assert venice_version.revision.get_comment() == "Imported from deai-batch.csv"
    page = editor.get(reverse("admin:projects_project_history", args=[venice.pk]))
    assert "Imported from deai-batch.csv" in page.content.decode()
    assert "Erin" in page.content.decode()


def test_a_dry_run_leaves_no_revision(deai):
    editor = logged_in(make_staff("Editor", "erin"))

    preview(editor, [NEW])

    assert Version.objects.count() == 0


def test_an_imported_revision_compares_and_restores_through_the_admin(deai):
    editor = logged_in(make_staff("Editor", "erin"))
    founder = {"record": "member", "member_name": "Erik", "member_role": "Founder"}
    confirm(editor, preview(editor, [NEW, founder], name="first.csv"))
    venice = Project.objects.get()
    changed = {"slug": "venice", "name": "Venice", "one_liner": "Private AI"}
    ceo = {"record": "member", "member_name": "Teana", "member_role": "CEO"}
    confirm(editor, preview(editor, [changed, ceo], name="second.csv"))
    newer, older = history(venice)

    compare = editor.get(
        reverse("admin:projects_project_compare", args=[venice.pk]),
        {"a": older.pk, "b": newer.pk},
    )
    url = reverse("admin:projects_project_revision", args=[venice.pk, older.pk])
    restored = editor.post(url, admin_form_data(editor.get(url)))

    assert newer.revision.get_comment() == "Imported from second.csv"
    assert "Private AI" in compare.content.decode()
    assert restored.status_code == 302
    venice.refresh_from_db()
    assert (venice.one_liner, venice.status) == ("", Status.DRAFT)
    assert [(m.name, m.role) for m in venice.team.all()] == [("Erik", "Founder")]
    assert history(venice)[0].revision.get_comment().startswith("Reverted to previous version")


# The command line.


def test_landscape2_command_with_user_records_them_and_applies_their_role(db, tmp_path):
    make_staff("Publisher", "pat")
    path = tmp_path / "landscape.yml"
    path.write_text(dump(make_landscape(items=3)))

    call_command("import_landscape2", path, "--map", "cn", "--user", "pat", verbosity=0)

    project = Project.objects.filter(layer__map__slug="cn").first()
    [version] = history(project)
    assert version.revision.user.username == "pat"
    assert version.revision.get_comment() == f"Imported from {path}"
    assert [v.object_repr for v in history(Map.objects.get(slug="cn"))] == [
        Map.objects.get(slug="cn").name
    ]


def test_import_command_without_user_still_records_a_revision(tmp_path, akash, deai):
    path = tmp_path / "deai.json"
    path.write_text(dumps(export_map(map=deai)))
    Project.objects.filter(pk=akash.pk).update(status=Status.DRAFT, one_liner="Old")

    call_command("import_map", path, verbosity=0)

    akash.refresh_from_db()
    [version] = history(akash)
    assert (akash.one_liner, version.revision.user) == ("GPUs", None)


def test_import_command_with_an_unknown_user_is_refused(db, tmp_path):
    path = tmp_path / "landscape.yml"
    path.write_text(dump(make_landscape(items=1)))

    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("import_landscape2", path, "--map", "cn", "--user", "ghost", verbosity=0)

    assert Project.objects.count() == 0


def test_keep_status_as_an_editor_is_a_clear_command_error(tmp_path, akash, deai):
    make_staff("Editor", "erin")
    path = tmp_path / "deai.json"
    path.write_text(dumps(export_map(map=deai)))

    with pytest.raises(CommandError, match="Only a superuser may restore statuses"):
        call_command("import_map", path, "--keep-status", "--user", "erin", verbosity=0)


def test_team_change_needs_the_inline_permissions_the_admin_needs(deai):
    from tests.imports_helpers import staff_user

    venice = make_project(layer=deai.layers.get(), slug="venice", name="Venice",
                          status=Status.DRAFT)  # fmt: skip
    make_member(project=venice, name="Erik")
    user = staff_user("carol", "projects.add_project", "projects.change_project")
    member = {"record": "member", "slug": "venice", "member_name": "Teana"}

    result = import_spreadsheet(data=csv_bytes([member]), filename="p.csv", map=deai, user=user)

    assert result.rejected[0].reason == (
        "you may not make this change: missing permission "
        "projects.add_teammember, projects.delete_teammember"
    )
    assert list(venice.team.values_list("name", flat=True)) == ["Erik"]


def test_a_new_tag_needs_the_permission_to_add_tags(deai):
    from tests.imports_helpers import staff_user

    user = staff_user("carol", "projects.add_project", "projects.change_project")
    data = csv_bytes([{**NEW, "tags": "Privacy"}])

    result = import_spreadsheet(data=data, filename="p.csv", map=deai, user=user)

    assert [(row.row, row.reason) for row in result.rejected] == [
        ("2", "you may not make this change: missing permission projects.add_tag")
    ]
    assert Project.objects.count() == 0


def test_editor_team_rows_for_a_published_project_are_refused_on_their_own_rows(akash):
    editor = logged_in(make_staff("Editor", "erin"))
    member = {"record": "member", "slug": "akash", "member_name": "Greg"}

    page = preview(editor, [NEW, member])

    assert [(row, action) for row, _name, action, _reason in table(page)] == [
        ("2", "create"), ("3", "reject"),
    ]  # fmt: skip
    assert table(page)[1][3].startswith("'Akash' is published; only a Publisher can change it")
    assert (Project.objects.count(), akash.team.count()) == (1, 0)
