"""Every public page runs the same number of queries for 1 project as for 60.

Equal counts with few and many rows prove there is no query per project, tile,
team member or metric (an N+1 cannot come back unnoticed).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from dealmap.editorial import Status
from layers.models import Layer
from projects.models import Project, Tag
from tests.factories import make_layer, make_map, make_member, make_metric, make_project

# The subject, and 1 or 60 others beside it (the first one in the subject's layer).
SIZES = [1, 60]


def _catalogue(n):
    deai = make_map(slug="deai", name="Decentralized AI")
    layers = [make_layer(map=deai, slug=f"layer-{i}", position=i) for i in range(3)]
    tag = Tag.objects.create(slug="gpu", name="GPU")
    subject = make_project(
        layer=layers[0], slug="subject", name="Subject", position=999,
        stage="seed", token_symbol="SUB", country="US",
    )  # fmt: skip
    for project in [subject] + [
        make_project(layer=layers[i % 3], position=i, country="US", token_symbol="T")
        for i in range(n)
    ]:
        project.tags.add(tag)
        make_member(project=project, is_founder=True)
        make_member(project=project)
        make_metric(project=project, is_headline=True)
        make_metric(project=project, label="revenue")
    make_project(layer=layers[0], status=Status.DRAFT)
    # SQLite answers "does it have JSON?" with a query, once per connection (a tile's
    # headline figure is JSON): a running site asked long ago.
    assert connection.features.supports_json_field
    return deai


# Each count is the queries the page needs, named. Every anonymous request starts with
# "version": the response cache middleware reads the content version, one query by
# primary key, and the page's cached facets and counts use it. "Facets" is one query
# (every tag, the tags in use, the countries in use) and "counts" each layer's count
# (capped): both kept per content version, so a warm page runs them no more. Chosen
# layers, tags and maps are checked against what the page fetched. A tile's headline
# figure comes with the tile, in the same query.
PAGES = [
    # version, layers with their map, facets, counts, first tiles of each layer
    ("/", 5),
    ("/maps/deai/", 5),
    # filtered: the same queries, the counts those of the filtered projects
    ("/maps/deai/?layer=layer-0&q=Subject&stage=seed&token=true&portfolio=false&tag=gpu", 5),
    # version, maps with their counts
    ("/maps/", 2),
    # version, layers with their maps, facets, projects count (capped), page of projects
    ("/projects/", 5),
    ("/projects/?map=deai&layer=layer-0&tag=gpu&country=us&q=Subject&ordering=-updated", 5),
    ("/projects/?page=2", 5),
    # version, project (with layer, map, previous and next) and the related tiles,
    # team, tags, metrics
    ("/projects/subject/", 5),
    # version, layers with their map, counts, first tiles of each layer
    ("/embed/maps/deai/", 4),
    # version, the 50 latest projects with layer and map
    ("/feed/", 2),
    # version, a count for the pagination, then the rows
    ("/sitemap-maps.xml", 3),
    ("/sitemap-projects.xml", 3),
]


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_public_page_query_count_is_fixed(client, django_assert_num_queries, n, url, queries):
    _catalogue(n)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
def test_htmx_fragment_query_count_matches_the_page(client, django_assert_num_queries, n):
    _catalogue(n)

    # as the filtered map page
    with django_assert_num_queries(5):
        response = client.get("/maps/deai/?q=Subject", headers={"HX-Request": "true"})

    assert b'id="bands"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(
    ("url", "queries"), [("/projects/subject/preview/", 4), ("/maps/deai/preview/", 5)]
)
def test_staff_preview_query_count_is_fixed(client, django_assert_num_queries, n, url, queries):
    _catalogue(n)
    staff = get_user_model().objects.create_user("alice", password="pw", is_staff=True)
    client.force_login(staff)

    # Session and user, then the public page's queries. The response cache skips a
    # signed-in visitor: the map reads the version itself, the project needs none.
    with django_assert_num_queries(2 + queries):
        response = client.get(url)

    assert b"Preview, not published" in response.content


@pytest.mark.django_db
# Both pages then skip the facets (and the map page its counts): version, layers,
# then the tiles, or the projects count and page.
@pytest.mark.parametrize(("url", "queries"), [("/maps/deai/", 3), ("/projects/", 4)])
def test_cached_page_second_visit_runs_fewer_queries(
    client, django_assert_num_queries, url, queries
):
    _catalogue(1)
    client.get(url)

    # Another URL for the same content: the response cache misses, the facets cache hits.
    with django_assert_num_queries(queries):
        response = client.get(url, {"page": "1"})

    assert b'value="gpu"' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/maps/deai/", "/projects/"])
def test_filter_facets_after_an_edit_show_the_new_tag(client, url):
    _catalogue(1)
    client.get(url)

    Tag.objects.create(slug="zk", name="ZK").projects.add(Project.objects.get(slug="subject"))
    response = client.get(url)

    assert b'value="zk"' in response.content


@pytest.mark.django_db
def test_project_list_count_after_a_publish_includes_it(client):
    _catalogue(1)
    assert b"2 projects" in client.get("/projects/").content

    make_project(layer=Layer.objects.get(slug="layer-1"), name="Newcomer")
    response = client.get("/projects/")

    assert b"3 projects" in response.content
    assert b"Newcomer" in response.content
