"""The API's contract: published data only, read-only, JSON errors, open to any origin."""

import pytest

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import Project
from tests.factories import make_layer, make_map, make_member, make_metric, make_project

EDITORIAL_KEYS = {
    "status", "version", "last_reviewed_at", "created_by", "updated_by", "created_at",
}  # fmt: skip


@pytest.fixture
def site_with_drafts(real_maps):
    """The real maps, plus a project in each unpublished state on the published map."""
    deai_layer = Layer.objects.filter(map__status=Status.PUBLISHED).first()
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED):
        secret = make_project(layer=deai_layer, slug=f"secret-{status}", status=status)
        make_member(project=secret, name=f"Hidden Person {status}")
        make_metric(project=secret, label=f"hidden metric {status}")
    return [*Project.objects.exclude(pk__in=Project.objects.published()).values_list("slug")]


def _crawl(client):
    """Every API response a partner can reach from the entry points, by following the URLs."""
    bodies = []
    maps = client.get("/api/v1/maps/", {"page_size": 100}).json()
    bodies.append(maps)
    for item in maps["results"]:
        bodies.append(client.get(item["url"]).json())
    layers = client.get("/api/v1/layers/", {"page_size": 100}).json()
    bodies.append(layers)
    for item in layers["results"]:
        bodies.append(client.get(item["url"]).json())
    url = "/api/v1/projects/?page_size=100"
    while url:
        page = client.get(url).json()
        bodies.append(page)
        bodies.extend(client.get(item["url"]).json() for item in page["results"])
        url = page["next"]
    bodies.append(client.get("/api/v1/changes/", {"page_size": 100}).json())
    return bodies


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_api_shows_exactly_the_published_projects(client, site_with_drafts):
    listed = client.get("/api/v1/projects/", {"page_size": 100}).json()

    published = set(Project.objects.published().values_list("slug", flat=True))
    assert listed["count"] == 35
    assert {item["slug"] for item in listed["results"]} == published


def test_api_never_shows_drafts_or_unpublished_maps(client, site_with_drafts):
    text = str(_crawl(client)) + client.get("/api/v1/projects.csv").getvalue().decode()

    hidden_maps = Map.objects.exclude(status=Status.PUBLISHED).values_list("slug", "name")
    assert len(hidden_maps) == 2
    for slug, name in hidden_maps:
        assert slug not in text
        assert name not in text
    for (slug,) in site_with_drafts:
        assert slug not in text
        assert client.get(f"/api/v1/projects/{slug}/").status_code == 404
    assert "Hidden Person" not in text
    assert "hidden metric" not in text


def test_api_never_shows_editorial_fields(client, site_with_drafts):
    keys = set(_keys(_crawl(client)))

    assert keys & EDITORIAL_KEYS == set()
    assert "published_at" in keys


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/maps/",
        "/api/v1/maps/deai/",
        "/api/v1/layers/",
        "/api/v1/layers/deai/compute/",
        "/api/v1/projects/",
        "/api/v1/projects/akash/",
        "/api/v1/projects.csv",
        "/api/v1/changes/",
        "/api/schema/",
    ],
)
def test_api_write_is_a_json_405(client, method, url):
    make_project(slug="akash", layer=make_layer(slug="compute", map=make_map(slug="deai")))

    response = getattr(client, method)(url, {"name": "x"}, content_type="application/json")

    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert Project.objects.get().name != "x"


@pytest.mark.django_db
def test_api_unknown_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found. See /api/docs/ for the endpoints."}


@pytest.mark.django_db
def test_api_may_be_read_from_any_origin(client):
    response = client.get("/api/v1/maps/", headers={"Origin": "https://partner.example"})
    preflight = client.options(
        "/api/v1/projects/",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "GET"},
    )

    assert response["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/projects/", "/api/v1/projects.csv", "/api/schema/"])
def test_api_options_describes_the_endpoint_in_json(client, url):
    response = client.options(url)

    assert response.status_code == 200
    assert "name" in response.json()
