"""Every public page runs the same number of queries for 1 project as for 60.

Equal counts with few and many rows prove there is no query per project, tile,
team member or metric (an N+1 cannot come back unnoticed).
"""

import pytest
from django.contrib.auth import get_user_model

from dealmap import content_version
from dealmap.editorial import Status
from projects.models import Tag
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
    return deai


def warm_content_version():
    # The response cache reads the content version once after each write, site-wide;
    # read it here so each count below is the page's own work.
    content_version.current()


# Each count is the queries the page needs, named:
PAGES = [
    # map, layers, tags in use, countries in use, counts per layer, first tiles, headline metrics
    ("/", 7),
    ("/maps/deai/", 7),
    # + the layer and tag choices checked once each
    ("/maps/deai/?layer=layer-0&q=Subject&stage=seed&token=true&portfolio=false&tag=gpu", 9),
    # maps with their counts
    ("/maps/", 1),
    # projects count, page of projects, their headline metrics, layers, maps, tags, countries
    ("/projects/", 7),
    # + the map, layer and tag choices checked once each
    ("/projects/?map=deai&layer=layer-0&tag=gpu&country=us&q=Subject&ordering=-updated", 10),
    ("/projects/?page=2", 7),
    # project (with layer and map), tags, team, metrics, related + their headline metrics,
    # previous, next
    ("/projects/subject/", 8),
    # map, counts per layer, first tiles, headline metrics, layers
    ("/embed/maps/deai/", 5),
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

    with django_assert_num_queries(7):
        response = client.get("/maps/deai/?q=Subject", headers={"HX-Request": "true"})

    assert b'id="bands"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(
    ("url", "queries"), [("/projects/subject/preview/", 8), ("/maps/deai/preview/", 7)]
)
def test_staff_preview_query_count_is_fixed(client, django_assert_num_queries, n, url, queries):
    _catalogue(n)
    staff = get_user_model().objects.create_user("alice", password="pw", is_staff=True)
    client.force_login(staff)

    # session and user, then the same queries as the public page
    with django_assert_num_queries(2 + queries):
        response = client.get(url)

    assert b"Preview, not published" in response.content
