"""The import and export pages of the project admin, and who may use them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealmap.editorial import Status
from layers.models import Map
from projects.models import Project
from tests.factories import make_layer, make_map, make_project
from tests.imports_helpers import EDITOR_PERMISSIONS, csv_bytes

IMPORT_URL = "/admin/projects/project/import/"
EXPORT_URL = "/admin/projects/project/export/"


@pytest.fixture
def deai(db):
    map = make_map(slug="deai", name="Decentralized AI")
    make_layer(map=map, slug="inference", name="Inference")
    return map


@pytest.fixture
def editor(db):
    from tests.imports_helpers import staff_user

    return staff_user("alice", *EDITOR_PERMISSIONS)


def _projects(n):
    return [{"name": f"Project {i}", "layer": "inference", "website": f"https://p{i}.example"}
            for i in range(n)]  # fmt: skip


def _upload(client, rows, name="projects.csv", map="deai"):
    upload = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(IMPORT_URL, {"file": upload, "map": map})


def test_import_preview_lists_every_row_and_writes_nothing(client, deai, editor):
    client.force_login(editor)

    response = _upload(client, _projects(2))

    page = response.content.decode()
    assert "projects.csv: 2 create (dry run: nothing written)" in page
    assert page.count('<tr class="action-create">') == 2
    assert 'value="Import projects.csv"' in page
    assert Project.objects.count() == 0


def test_import_confirm_writes_the_previewed_rows_as_drafts(client, deai, editor):
    client.force_login(editor)
    preview = _upload(client, _projects(2))
    token = preview.context["pending"]["token"]

    response = client.post(IMPORT_URL, {"confirm": token}, follow=True)

    assert "Imported projects.csv: 2 create (written)" in response.content.decode()
    assert list(Project.objects.values_list("name", "status", "created_by__username")) == [
        ("Project 0", Status.DRAFT, "alice"), ("Project 1", Status.DRAFT, "alice"),
    ]  # fmt: skip


def test_import_confirm_of_an_expired_preview_writes_nothing(client, deai, editor):
    client.force_login(editor)

    response = client.post(IMPORT_URL, {"confirm": "made-up"}, follow=True)

    assert "That preview has expired: upload the file again." in response.content.decode()
    assert Project.objects.count() == 0


def test_import_preview_of_a_bad_file_names_the_row_and_offers_no_import(client, deai, editor):
    client.force_login(editor)
    rows = [*_projects(1), {"name": "Bad", "layer": "inference", "website": "ftp://bad"}]

    response = _upload(client, rows)

    page = response.content.decode()
    assert '<tr class="action-reject">' in page
    assert "<td>3</td>" in page
    assert "website must start with http:// or https:// (got &#x27;ftp://bad&#x27;)" in page
    assert "Nothing was written." in page
    assert 'name="confirm"' not in page
    assert Project.objects.count() == 0


def test_import_form_requires_a_map_for_a_spreadsheet(client, deai, editor):
    client.force_login(editor)

    response = _upload(client, _projects(1), map="")

    assert "Choose the map these projects belong to." in response.content.decode()


def test_editor_cannot_publish_through_an_import(client, deai, editor):
    client.force_login(editor)
    rows = [{**_projects(1)[0], "status": "published"}]

    response = _upload(client, rows)

    page = response.content.decode()
    assert "status &#x27;published&#x27;: an import never changes a status" in page
    assert 'name="confirm"' not in page
    assert Project.objects.count() == 0


def test_editor_cannot_change_a_published_project_through_an_import(client, deai, editor):
    make_project(layer=deai.layers.get(), slug="p", name="P", status=Status.PUBLISHED)
    client.force_login(editor)

    response = _upload(client, [{"slug": "p", "name": "P renamed", "layer": "inference"}])

    assert (
        "&#x27;P&#x27; is published; only a Publisher can change it, in an import as in the admin."
        in response.content.decode()
    )
    assert Project.objects.get().name == "P"


@pytest.mark.parametrize(
    "permissions",
    [
        ["projects.view_project", "projects.change_project"],  # no add
        ["projects.view_project", "projects.add_project"],  # no change
    ],
)
def test_user_without_add_and_change_permission_cannot_import(client, deai, permissions):
    from tests.imports_helpers import staff_user

    client.force_login(staff_user("bob", *permissions))

    form = client.get(IMPORT_URL)
    upload = _upload(client, _projects(1))
    changelist = client.get(reverse("admin:projects_project_changelist"))

    assert (form.status_code, upload.status_code) == (403, 403)
    assert f'href="{IMPORT_URL}"' not in changelist.content.decode()
    assert Project.objects.count() == 0


def test_changelist_links_to_import_and_export_for_an_editor(client, deai, editor):
    client.force_login(editor)

    page = client.get(reverse("admin:projects_project_changelist")).content.decode()

    assert f'<a href="{IMPORT_URL}">Import</a>' in page
    assert f'<a href="{EXPORT_URL}">Export</a>' in page


def test_export_downloads_the_map_as_csv_that_imports_back_unchanged(client, deai, editor):
    make_project(layer=deai.layers.get(), slug="venice", name="Venice", status=Status.DRAFT)
    client.force_login(editor)

    response = client.get(EXPORT_URL, {"map": "deai", "format": "csv"})
    preview = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("deai.csv", response.content), "map": "deai"}
    )

    assert response["Content-Disposition"] == 'attachment; filename="deai.csv"'
    assert response.content.decode().splitlines()[1].startswith("project,venice,Venice,inference")
    assert "deai.csv: 1 unchanged (dry run: nothing written)" in preview.content.decode()


@pytest.mark.parametrize("rows", [1, 10])
def test_import_pages_query_counts_do_not_grow_with_rows(
    client, deai, editor, rows, django_assert_max_num_queries
):
    client.force_login(editor)

    with django_assert_max_num_queries(5):
        # session, user, user and group permissions, the map choices
        client.get(IMPORT_URL)
    with django_assert_max_num_queries(20):
        # session, user, 2 permissions, the chosen map; the dry run: savepoint, layers,
        # projects of the map, taken slugs, tags, one bulk insert, rollback, release;
        # its recording (projects.changes): savepoint, which written projects are public,
        # the content version moved, release; the session saved in its own savepoint (3)
        _upload(client, _projects(rows))
    token = client.session["projects_import_pending"]["token"]
    with django_assert_max_num_queries(29):
        # the same, for real, without the rollback; then the import's one revision: the
        # written projects with their tags, team and metrics (4), savepoint, content type,
        # reversion's existence check, the revision, its versions in one insert, release;
        # the pending file leaves the session
        client.post(IMPORT_URL, {"confirm": token})
    assert Project.objects.count() == rows


def test_export_page_query_count_does_not_grow_with_projects(
    client, deai, editor, django_assert_max_num_queries
):
    for i in range(5):
        make_project(layer=deai.layers.get(), slug=f"p{i}", name=f"P{i}")
    client.force_login(editor)

    with django_assert_max_num_queries(9):
        # session, user, 2 permissions, the map, projects, then their tags, team, metrics
        response = client.get(EXPORT_URL, {"map": "deai", "format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert io.BytesIO(response.content).getvalue()[:2] == b"PK"


def test_editor_importing_a_map_export_gets_drafts_only(client, editor):
    from projects.editorial.imports.mapjson import dumps, export_map

    map = make_map(slug="deai", name="Decentralized AI", status=Status.PUBLISHED)
    make_project(layer=make_layer(map=map, slug="compute"), slug="akash", name="Akash")
    document = dumps(export_map(map=map))
    Project.objects.all().delete()
    map.delete()
    client.force_login(editor)

    preview = client.post(IMPORT_URL, {"file": SimpleUploadedFile("deai.json", document.encode())})
    client.post(IMPORT_URL, {"confirm": preview.context["pending"]["token"]})

    assert "deai.json: 3 create (dry run: nothing written)" in preview.content.decode()
    assert Project.objects.values_list("slug", "status").get() == ("akash", Status.DRAFT)
    assert Map.objects.get().status == Status.DRAFT


def test_landscape2_upload_into_a_new_map(client, editor):
    from tests.landscape2_data import dump, make_landscape

    client.force_login(editor)
    upload = SimpleUploadedFile("landscape.yml", dump(make_landscape(items=5)).encode())

    preview = client.post(IMPORT_URL, {"file": upload, "new_map": "Cloud native"})
    client.post(IMPORT_URL, {"confirm": preview.context["pending"]["token"]})

    assert "landscape.yml: 14 create (dry run: nothing written)" in preview.content.decode()
    assert Map.objects.get().name == "Cloud native"
    assert Project.objects.filter(status=Status.DRAFT, layer__map__slug="cloud-native").count() == 5
