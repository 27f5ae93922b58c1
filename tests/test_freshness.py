"""Every write path shows on the very next request: the page, the API body, the ETag, the feed.

Each test makes one kind of write the way a person would (the admin, a list action,
a restore, a workflow move, an import, the shell) and then reads as a visitor and a
partner would, with the caches warm. The last tests run the server and the writer as
separate processes, and replay the interleaving that once left an old version cached.
"""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from dealmap import caching, content_version
from dealmap.editorial import Status
from projects.editorial.imports.landscape2 import import_landscape2
from projects.editorial.imports.mapjson import dumps, export_map
from projects.editorial.imports.spreadsheet import import_spreadsheet
from projects.editorial.imports.spreadsheet_export import export_spreadsheet
from projects.models import Project, ProjectChange
from projects.workflow import project_transition
from tests.admin_forms import admin_edit, admin_publish
from tests.editorial import admin_form_data, make_staff
from tests.factories import make_layer, make_map, make_project
from tests.landscape2_data import dump, make_landscape

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "Rents out idle GPUs.", "A market for every idle GPU."
PAGE, API = "/projects/akash/", "/api/v1/projects/akash/"


@pytest.fixture
def akash(db):
    layer = make_layer(map=make_map(slug="deai", name="Decentralized AI"), slug="compute")
    return make_project(layer=layer, slug="akash", name="Akash", one_liner=OLD)


@pytest.fixture
def publisher(db):
    return make_staff("publisher")


class Reader:
    """A visitor and a partner, each keeping what they last saw (and its ETag)."""

    def __init__(self, client):
        self.client = client
        self.start = timezone.now()
        self.page = client.get(PAGE)
        self.api = client.get(API)
        assert self.page.status_code == self.api.status_code == 200
        # Twice: the second answer is the cached one.
        assert client.get(PAGE).content == self.page.content

    def sees_new_one_liner(self):
        page, api = self.client.get(PAGE), self.client.get(API)
        assert NEW in page.content.decode()
        assert api.json()["one_liner"] == NEW
        assert page["ETag"] != self.page["ETag"]
        assert api["ETag"] != self.api["ETag"]
        # A client holding the old ETag gets the new body, not a 304.
        again = self.client.get(API, headers={"If-None-Match": self.api["ETag"]})
        assert again.status_code == 200
        assert self.feed() == [("updated", "akash")]

    def sees_it_gone(self):
        assert self.client.get(PAGE).status_code == 404
        assert self.client.get(API).status_code == 404
        assert self.client.get("/maps/deai/").content.decode().count("akash") == 0
        assert self.feed() == [("removed", "akash")]

    def feed(self):
        changes = ProjectChange.objects.filter(at__gte=self.start)
        return list(changes.values_list("kind", "slug"))


def test_admin_save_shows_on_the_next_request(client, admin_client, akash):
    reader = Reader(client)
    admin_edit(admin_client, akash, one_liner=NEW)
    reader.sees_new_one_liner()


def test_admin_list_action_shows_on_the_next_request(client, admin_client, akash):
    reader = Reader(client)
    admin_client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "archive_selected", "_selected_action": [akash.pk]},
    )
    reader.sees_it_gone()


def test_admin_restore_shows_on_the_next_request(client, admin_client, akash):
    admin_edit(admin_client, akash, one_liner=NEW)
    admin_edit(admin_client, Project.objects.get(pk=akash.pk), one_liner=OLD)
    with_new = Version.objects.get_for_object(akash)[1]  # newest first: the one before
    reader = Reader(client)

    url = reverse("admin:projects_project_revision", args=[akash.pk, with_new.pk])
    admin_client.post(url, admin_form_data(admin_client.get(url)))

    reader.sees_new_one_liner()


def test_workflow_transition_shows_on_the_next_request(client, akash, publisher):
    reader = Reader(client)
    project_transition(project=akash, to_status=Status.DRAFT, user=publisher)
    reader.sees_it_gone()


def test_shell_save_shows_on_the_next_request(client, akash):
    # What `manage.py shell` does: a plain save, outside any write function.
    reader = Reader(client)
    akash.one_liner = NEW
    akash.save()
    reader.sees_new_one_liner()


def test_map_json_import_command_shows_on_the_next_request(client, akash, publisher, tmp_path):
    document = json.loads(dumps(export_map(map=akash.layer.map)))
    document["projects"][0]["one_liner"] = NEW
    path = tmp_path / "map.json"
    path.write_text(json.dumps(document))
    reader = Reader(client)

    call_command("import_map", str(path), "--user", "publisher", verbosity=0)

    reader.sees_new_one_liner()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_import_shows_on_the_next_request(client, akash, publisher, fmt):
    data = export_spreadsheet(map=akash.layer.map, fmt=fmt)
    data = _replace_text(data, fmt, OLD, NEW)
    reader = Reader(client)

    result = import_spreadsheet(
        data=data, filename=f"deai.{fmt}", map=akash.layer.map, user=publisher
    )

    assert result.applied, result.errors
    reader.sees_new_one_liner()


def test_landscape2_import_is_one_recorded_change_and_leaves_the_public_page(client, akash):
    before = content_version.current()
    reader = Reader(client)

    result = import_landscape2(data=dump(make_landscape(items=5)), map_slug="cloud-native")

    assert result.applied, result.errors
    # It writes drafts only: one new version, no feed entry, the same public page.
    assert content_version.current().number == before.number + 1
    assert reader.feed() == []
    assert client.get(PAGE).content == reader.page.content


def test_dry_run_import_records_nothing(client, akash, publisher):
    data = _replace_text(export_spreadsheet(map=akash.layer.map, fmt="csv"), "csv", OLD, NEW)
    before, start = content_version.current(), timezone.now()

    import_spreadsheet(data=data, filename="d.csv", map=akash.layer.map, user=publisher,
                       dry_run=True)  # fmt: skip

    assert content_version.current() == before
    assert not ProjectChange.objects.filter(at__gte=start).exists()


def test_one_admin_save_moves_the_version_once(admin_client, akash):
    olas = make_project(layer=akash.layer, slug="olas", status="draft")
    before = content_version.current().number
    admin_publish(admin_client, olas)
    # Two saves (submit, then publish), each with its form, status and revision: two moves.
    assert content_version.current().number == before + 2


def _replace_text(data, fmt, old, new):
    if fmt == "csv":
        return data.replace(old.encode(), new.encode())
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the interleaving that once kept an old version in the cache --------------------


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_reader_that_read_before_the_commit_cannot_keep_the_old_page(client, akash, backend):
    """A reader reads the version, a writer commits, the reader stores what it built.

    This once put the old version back into Redis after the writer had dropped it, and
    every page served the previous content until the next write. Now the reader's entry
    is filed under the version it read, which is no longer current.
    """
    with override_settings(CACHES=_caches(backend)):
        read_before_commit = content_version.current()
        stale = client.get(PAGE)  # what the reader built from the old content

        akash.one_liner = NEW
        akash.save()  # the writer commits

        request = RequestFactory().get(PAGE)
        caching.store(request, HttpResponse(stale.content), read_before_commit)
        fresh = client.get(PAGE)

    assert NEW in fresh.content.decode()
    assert fresh["ETag"] != stale["ETag"]


def _caches(backend):
    if backend == "locmem":
        local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        return {"default": local, "responses": local}
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": f"freshness-{os.getpid()}",
    }
    return {"default": shared, "responses": shared}


# --- the writer and the server in separate processes ---------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("ETag"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("ETag"), ""


@pytest.fixture(params=["sqlite-locmem", "postgresql-redis"])
def served_site(request, tmp_path):
    """The real maps served by gunicorn with two workers: on the defaults (a SQLite file,
    each worker's own local-memory cache), and on PostgreSQL with Redis."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dealmap.settings", "DJANGO_DEBUG": "1"}
    if request.param == "sqlite-locmem":
        env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", CACHE_URL="")
    else:
        env.update(DATABASE_URL=_scratch_postgres(request), CACHE_URL=_caches("redis")
                   ["default"]["LOCATION"], CACHE_KEY_PREFIX=f"served-{os.getpid()}")  # fmt: skip
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "loaddata", "decentralized-ai", "-v0")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dealmap.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def _scratch_postgres(request):
    """A database of its own on the local PostgreSQL, dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"dealmap_served_{os.getpid()}"
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")

    def drop():
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

    request.addfinalizer(drop)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _wait_for(base):
    for _ in range(100):
        try:
            _get(base + "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


SHELL_WRITE = (
    "from projects.models import Project; p = Project.objects.get(slug='akash-network'); "
    f"p.one_liner = {NEW!r}; p.save()"
)


def test_write_from_another_process_reaches_every_worker_at_once(served_site):
    base, env = served_site
    page, api = base + "/projects/akash-network/", base + "/api/v1/projects/akash-network/"
    # Enough requests that both workers have cached both answers.
    seen = [_get(api) for _ in range(8)] + [_get(page) for _ in range(8)]
    old_etag = seen[0][1]
    assert all(status == 200 for status, _, _ in seen)

    since = timezone.now().isoformat().replace("+00:00", "Z")
    _manage(env, "shell", "-c", SHELL_WRITE)

    for _ in range(8):
        status, etag, body = _get(api)
        assert (status, json.loads(body)["one_liner"]) == (200, NEW)
        assert etag != old_etag
        assert NEW in _get(page)[2]
    assert _get(api, **{"If-None-Match": old_etag})[0] == 200
    changes = json.loads(_get(f"{base}/api/v1/changes/?since={since}")[2])["results"]
    assert [(c["kind"], c["slug"]) for c in changes] == [("updated", "akash-network")]
