"""A partner's client generated from our schema (openapi-python-client) works against a live
server: the schema is complete enough to build on without asking us anything."""

import importlib
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

PACKAGE = "dealmap_partner_client"


@pytest.fixture
def live_maps(transactional_db, live_server):
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)
    return live_server


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    """Generated once per run, offline, into a temporary folder."""
    tmp_path = tmp_path_factory.mktemp("client")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(public=True)))
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the client is thrown away
    generator = [sys.executable, "-m", "openapi_python_client"]
    subprocess.run(
        [*generator, "generate", "--path", schema, "--output-path", tmp_path / PACKAGE,
         "--meta", "none", "--config", config],
        check=True, capture_output=True,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
        del sys.modules[name]


def test_generated_client_lists_and_reads_projects(live_maps, generated_client):
    projects_list = importlib.import_module(f"{PACKAGE}.api.projects.projects_list")
    projects_retrieve = importlib.import_module(f"{PACKAGE}.api.projects.projects_retrieve")
    ordering = importlib.import_module(f"{PACKAGE}.models.projects_list_ordering_item")
    with generated_client.Client(base_url=live_maps.url) as client:
        page = projects_list.sync(
            client=client,
            layer=["compute"],
            ordering=[ordering.ProjectsListOrderingItem.NAME],
            page_size=100,
        )
        detail = projects_retrieve.sync(client=client, slug=page.results[0].slug)

    assert page.count == len(page.results) > 0
    assert {project.layer.slug for project in page.results} == {"compute"}
    assert [p.name for p in page.results] == sorted(p.name for p in page.results)
    assert detail.slug == page.results[0].slug
    assert detail.our_view_html.startswith("<p>")
    assert all(metric.source_url.startswith("http") for metric in detail.metrics)


def test_generated_client_reads_a_bad_parameter_as_a_400(live_maps, generated_client):
    projects_list = importlib.import_module(f"{PACKAGE}.api.projects.projects_list")
    with generated_client.Client(base_url=live_maps.url) as client:
        response = projects_list.sync_detailed(client=client, country="USA")

    assert response.status_code == 400
    assert json.loads(response.content) == {"country": ["Use a two-letter country code, e.g. US."]}
