"""Partners read the published maps and their layers."""

import pytest

from dealmap.editorial import Status
from tests.factories import make_layer, make_map, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def maps():
    deai = make_map(slug="deai", name="Decentralized AI", intro="*Open* AI", position=0)
    compute = make_layer(map=deai, slug="compute", name="Compute", position=1)
    make_layer(map=deai, slug="agents", name="Agents", position=2)
    make_project(layer=compute)
    make_project(layer=compute, status=Status.DRAFT)
    chips = make_map(slug="chips", name="Semiconductor Stack", status=Status.DRAFT)
    make_layer(map=chips, slug="compute", name="Foundries")
    return deai


def test_map_list_shows_published_maps_with_project_counts(client, maps):
    body = client.get("/api/v1/maps/").json()

    assert [(m["slug"], m["project_count"]) for m in body["results"]] == [("deai", 1)]
    assert body["results"][0]["url"] == "http://testserver/api/v1/maps/deai/"


def test_map_detail_carries_intro_and_layers(client, maps):
    body = client.get("/api/v1/maps/deai/").json()

    assert body["intro_html"] == "<p><em>Open</em> AI</p>"
    assert [(layer["slug"], layer["project_count"]) for layer in body["layers"]] == [
        ("compute", 1),
        ("agents", 0),
    ]
    assert body["layers"][0]["url"] == "http://testserver/api/v1/layers/deai/compute/"


def test_map_detail_of_a_draft_map_is_a_404(client, maps):
    response = client.get("/api/v1/maps/chips/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Map matches the given query."}


def test_layer_list_shows_only_layers_of_published_maps(client, maps):
    body = client.get("/api/v1/layers/").json()

    assert [(layer["map"], layer["slug"]) for layer in body["results"]] == [
        ("deai", "compute"),
        ("deai", "agents"),
    ]


def test_layer_list_filters_by_map(client, maps):
    other = make_map(slug="robots", position=5)
    make_layer(map=other, slug="arms")

    body = client.get("/api/v1/layers/", {"map": "robots"}).json()

    assert [layer["slug"] for layer in body["results"]] == ["arms"]


def test_layer_list_of_a_draft_map_is_a_400_naming_map(client, maps):
    response = client.get("/api/v1/layers/", {"map": "chips"})

    assert response.status_code == 400
    assert list(response.json()) == ["map"]


def test_layer_detail_is_found_by_map_and_slug(client, maps):
    body = client.get("/api/v1/layers/deai/compute/").json()

    assert (body["map"], body["slug"], body["name"], body["project_count"]) == (
        "deai",
        "compute",
        "Compute",
        1,
    )


def test_layer_detail_on_a_draft_map_is_a_404(client, maps):
    response = client.get("/api/v1/layers/chips/compute/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Layer matches the given query."}
