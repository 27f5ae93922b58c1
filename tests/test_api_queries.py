"""Every API view runs a fixed number of queries, however many rows it shows.

Each test runs with one row and with many: the same count proves there is no
N+1. Every request reads the content version from the database first (one query,
by primary key); the counts are the same on SQLite and PostgreSQL.
"""

import pytest

from dealmap import content_version
from layers.models import Map
from partners.models import PartnerKey
from projects.models import Tag
from tests.factories import make_layer, make_map, make_member, make_metric, make_project

pytestmark = pytest.mark.django_db


def _catalogue(size):
    deai = make_map(slug="deai")
    tags = [Tag.objects.create(slug=f"tag-{n}", name=f"Tag {n}") for n in range(3)]
    for n in range(size):
        layer = make_layer(map=deai, slug=f"layer-{n}")
        project = make_project(layer=layer, slug=f"project-{n}")
        project.tags.set(tags)
        for m in range(2):
            make_member(project=project)
            make_metric(project=project, label=f"metric {m}", is_headline=m == 0)
        project.save()  # one more change in the feed
    content_version.current()


def _shown(response):
    """How many rows of the catalogue the response shows."""
    if response["Content-Type"].startswith("text/csv"):
        return len(response.getvalue().decode().splitlines()) - 1
    body = response.json()
    if "results" in body:
        return body["count"]
    return len(body.get("layers") or body.get("metrics") or [body])


# url -> (queries, what they are, rows shown for a catalogue of `size` projects)
BOUNDS = {
    "/api/v1/maps/": (3, "version, count, maps with project counts", lambda size: 1),
    "/api/v1/maps/deai/": (
        3, "version, the map, its layers with project counts", lambda size: size,
    ),
    "/api/v1/layers/": (3, "version, count, layers with map and project counts", lambda size: size),
    "/api/v1/layers/deai/layer-0/": (
        2, "version, the layer with map and project count", lambda size: 1,
    ),
    "/api/v1/projects/?page_size=100": (
        5, "version, count, projects with layer and map, tags, headline metrics",
        lambda size: size,
    ),
    "/api/v1/projects/project-0/": (
        6, "version, the project with layer and map, tags, headline metrics, metrics, team",
        lambda size: 2,
    ),
    # Streamed: the projects (a server-side cursor on PostgreSQL), then tags and headline
    # metrics for each chunk of CSV_CHUNK rows (one chunk here).
    "/api/v1/projects.csv": (
        4, "version, projects with layer and map, tags, headline metrics", lambda size: size,
    ),
    # Each project: published, tags set, 2 members, 2 metrics, saved again.
    "/api/v1/changes/?page_size=100": (3, "version, count, changes", lambda size: 7 * size),
}  # fmt: skip


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("url", list(BOUNDS))
def test_api_query_count_is_fixed(client, django_assert_num_queries, url, size):
    _catalogue(size)
    count, _what, rows = BOUNDS[url]

    with django_assert_num_queries(count):
        response = client.get(url)
        shown = _shown(response)  # inside: a streamed response queries as it is read

    assert response.status_code == 200
    assert shown == rows(size)


@pytest.mark.parametrize("size", [1, 30])
def test_api_search_query_count_is_fixed(client, django_assert_num_queries, size):
    _catalogue(size)

    # Version, count, projects with layer and map, tags, headline metrics.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/projects/", {"q": "project", "page_size": 100})

    assert response.json()["count"] == size


def test_api_partner_key_costs_two_queries_at_most(client, django_assert_max_num_queries):
    _catalogue(3)
    key = PartnerKey(name="Fund")
    raw_key = key.set_new_key()
    key.save()

    # The maps page's 3 (BOUNDS), the key lookup, and at most one "last used" update a minute.
    with django_assert_max_num_queries(3 + 2):
        response = client.get("/api/v1/maps/", headers={"X-API-Key": raw_key})

    assert response.json()["count"] == 1


def test_api_query_count_on_the_real_maps(client, real_maps, django_assert_num_queries):
    # As test_api_query_count_is_fixed: the list 5, the detail 6.
    with django_assert_num_queries(5):
        page = client.get("/api/v1/projects/", {"page_size": 100})
    with django_assert_num_queries(6):
        detail = client.get("/api/v1/projects/bittensor/")

    assert page.json()["count"] == 35
    assert detail.json()["name"] == "Bittensor"


def test_api_list_count_cached_runs_one_query_fewer(client, django_assert_num_queries):
    _catalogue(3)
    client.get("/api/v1/projects/", {"portfolio": "false"})

    # The count is the cached one: version, projects with layer and map, tags, headline metrics.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/projects/", {"portfolio": "false", "page_size": 2})

    assert response.json()["count"] == 3


def test_api_list_count_after_a_publish_includes_it(client):
    _catalogue(3)
    assert client.get("/api/v1/projects/").json()["count"] == 3

    make_project(layer=make_layer(map=Map.objects.get(slug="deai"), slug="new"), slug="new")

    assert client.get("/api/v1/projects/").json()["count"] == 4


def test_api_list_count_of_another_filter_is_its_own(client):
    _catalogue(3)
    assert client.get("/api/v1/projects/").json()["count"] == 3

    response = client.get("/api/v1/projects/", {"layer": "layer-1"})

    assert response.json()["count"] == 1
