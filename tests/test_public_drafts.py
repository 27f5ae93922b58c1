"""No draft, project in review, archived project or unpublished map reaches a visitor.

`build_demo` adds a draft and an archived project to a published layer, and a
published project on a draft map (with its own tag and country); none of them
may show on any public page, in the feed, the sitemap, counts or facets.
"""

import pytest

from dealmap.editorial import Status
from projects.models import Project
from tests.demo import HIDDEN_NAMES, HIDDEN_SLUGS, build_demo

PAGES = [
    "/",
    "/maps/",
    "/maps/decentralized-ai/",
    "/maps/decentralized-ai/?layer=inference",
    "/projects/",
    "/projects/?layer=inference&layer=robots",
    "/projects/?q=coin",
    "/projects/venice/",  # same layer as the draft: related, previous and next
    "/projects/chutes/",
    "/embed/maps/decentralized-ai/",
    "/feed/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-maps.xml",
    "/sitemap-projects.xml",
]


@pytest.fixture
def demo(db):
    deai = build_demo()
    Project.objects.filter(slug="ritual").update(status=Status.IN_REVIEW)
    return deai


@pytest.mark.parametrize("url", PAGES)
def test_public_page_shows_no_unpublished_content(client, demo, url):
    body = client.get(url).content.decode()

    assert [name for name in [*HIDDEN_NAMES, "Ritual"] if name in body] == []
    assert [slug for slug in [*HIDDEN_SLUGS, "ritual", "KP"] if f"{slug}" in body] == []


@pytest.mark.parametrize(
    "url",
    [
        "/projects/secret-draft/",
        "/projects/old-archived/",
        "/projects/hidden-robot/",
        "/projects/ritual/",
        "/maps/physical-ai/",
        "/embed/maps/physical-ai/",
    ],
)
def test_unpublished_pages_are_not_found(client, demo, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "This page is not on the map" in response.content.decode()


def test_counts_leave_out_unpublished_projects(client, demo):
    body = client.get("/").content.decode()

    assert "9 projects in 4 layers." in body
    assert '<span class="band-count">2<span class="visually-hidden"> projects</span>' in body
