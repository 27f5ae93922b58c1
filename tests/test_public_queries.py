"""Every public page runs the same number of queries for 1 project as for 60.

Equal counts with few and many rows prove there is no query per project, tile,
team member or metric (an N+1 cannot come back unnoticed).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from dealmap import content_version
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
    # As any earlier request would have: the version is then a cache read, not a query.
    content_version.current()
    # SQLite answers "does it have JSON?" with a query, once per connection (a tile's
    # headline figure is JSON): a running site asked long ago.
    assert connection.features.supports_json_field
    return deai


def warm_content_version():
    # The response cache reads the content version once after each write, site-wide;
    # read it here so each count below is the page's own work.
    content_version.current()


# Each count is the queries the page needs, named. "Facets" is one query (every tag,
# the tags in use, the countries in use), cached per content version: a warm page runs one
# query fewer. Chosen layers, tags and maps are checked against what the page fetched.
# A tile's headline figure comes with the tile, in the same query.
PAGES = [
    # layers with their map, facets, each layer's capped count (kept per content version,
    # like the facets), first tiles with their headline figure
    ("/", 4),
    ("/maps/deai/", 4),
    # filtered: layers with their map, facets, first tiles with their layer's capped count
    # and headline figure
    ("/maps/deai/?layer=layer-0&q=Subject&stage=seed&token=true&portfolio=false&tag=gpu", 3),
    # maps with their counts
    ("/maps/", 1),
    # layers with their maps, facets, projects count (capped), page of projects with
    # their headline figures
    ("/projects/", 4),
    ("/projects/?map=deai&layer=layer-0&tag=gpu&country=us&q=Subject&ordering=-updated", 4),
    ("/projects/?page=2", 4),
    # project (with layer, map, previous and next), tags, team, related,
    # metrics (the project's, and the related tiles' headline ones)
    ("/projects/subject/", 5),
    # layers with their map, each layer's capped count, first tiles with their headline figure
    ("/embed/maps/deai/", 3),
    # the 50 latest projects with layer and map
    ("/feed/", 1),
    # a count for the pagination, then the rows
    ("/sitemap-maps.xml", 2),
    ("/sitemap-projects.xml", 2),
]


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_public_page_query_count_is_fixed(client, django_assert_num_queries, n, url, queries):
    _catalogue(n)
    warm_content_version()

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
def test_htmx_fragment_query_count_matches_the_page(client, django_assert_num_queries, n):
    _catalogue(n)
    warm_content_version()

    with django_assert_num_queries(3):
        response = client.get("/maps/deai/?q=Subject", headers={"HX-Request": "true"})

    assert b'id="bands"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(
    ("url", "queries"), [("/projects/subject/preview/", 5), ("/maps/deai/preview/", 4)]
)
def test_staff_preview_query_count_is_fixed(client, django_assert_num_queries, n, url, queries):
    _catalogue(n)
    staff = get_user_model().objects.create_user("alice", password="pw", is_staff=True)
    client.force_login(staff)

    # session and user, then the same queries as the public page
    with django_assert_num_queries(2 + queries):
        response = client.get(url)

    assert b"Preview, not published" in response.content


@pytest.mark.django_db
# Both pages then skip the facets (and the map page its layer counts).
@pytest.mark.parametrize(("url", "queries"), [("/maps/deai/", 2), ("/projects/", 3)])
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
