"""Conditional requests: an ETag on every response, 304 for an unchanged one, a new ETag at
once after a publish in the admin; the content version behind it survives a cache flush."""

import pytest
from django.core.cache import cache

from dealmap import content_version
from dealmap.editorial import Status
from projects.models import Project
from tests.admin_forms import admin_publish
from tests.factories import make_layer, make_project

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/maps/",
    "/api/v1/layers/",
    "/api/v1/projects/",
    "/api/v1/projects/akash/",
    "/api/v1/projects.csv",
    "/api/v1/changes/",
    "/api/schema/",
]


@pytest.fixture
def akash():
    return make_project(slug="akash", layer=make_layer())


@pytest.mark.parametrize("url", URLS)
def test_api_response_carries_etag_and_last_modified(client, akash, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("url", URLS)
def test_api_if_none_match_answers_304_with_only_the_version_query(
    client, akash, url, django_assert_num_queries
):
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(1):  # the content version
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_api_etags_differ_between_urls_and_queries(client, akash):
    etags = {client.get(url)["ETag"] for url in [*URLS, "/api/v1/projects/?ordering=name"]}

    assert len(etags) == len(URLS) + 1


def test_api_publish_in_the_admin_changes_the_etag_at_once(client, admin_client, akash):
    draft = make_project(slug="bittensor", layer=akash.layer, status=Status.DRAFT)
    before = client.get("/api/v1/projects/")

    admin_publish(admin_client, draft)
    after = client.get("/api/v1/projects/", headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert [p["slug"] for p in after.json()["results"]] == ["akash", "bittensor"]


def test_api_edit_of_a_team_member_changes_the_etag(client, akash):
    before = client.get("/api/v1/projects/akash/")["ETag"]

    akash.team.create(name="Greg")

    assert client.get("/api/v1/projects/akash/")["ETag"] != before


def test_api_tag_link_changes_the_etag(client, akash):
    before = client.get("/api/v1/projects/akash/")["ETag"]

    akash.tags.create(slug="gpu", name="GPU")

    assert client.get("/api/v1/projects/akash/")["ETag"] != before


def test_content_version_survives_a_cache_flush(akash):
    content_version.bump()
    bumped = content_version.current()

    cache.clear()

    assert content_version.current() == bumped


def test_content_version_moves_on_with_every_public_write(akash):
    before = content_version.current().number

    Project.objects.filter(pk=akash.pk).get().save()
    akash.layer.save()
    akash.layer.map.save()

    assert content_version.current().number == before + 3


def test_api_head_answers_like_get_without_a_body(client, akash):
    get = client.get("/api/v1/projects/")

    head = client.head("/api/v1/projects/")
    revalidated = client.head("/api/v1/projects/", headers={"If-None-Match": get["ETag"]})

    assert (head.status_code, head.content, head["ETag"]) == (200, b"", get["ETag"])
    assert revalidated.status_code == 304
