"""Big maps, long lists and common words: counts stop at a cap and say so ("1,000+").

The caps are lowered here (a layer of 1,001 projects would make a slow test); the
code reads them at each request, so the pages behave as at full size.
"""

import re
from html import unescape

import pytest
from django.db import connection

from projects import search
from projects.site import maps as layer_views
from projects.site import projects as project_views
from projects.site import selectors
from tests.factories import make_layer, make_map, make_project


def _text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _tile_names(response):
    return re.findall(r'class="tile-name">(.*?)<', response.content.decode())


@pytest.fixture
def crowded(db):
    """Map "big": layer "crowded" with 8 projects, layer "quiet" with 2."""
    big = make_map(slug="big")
    crowded = make_layer(map=big, slug="crowded", name="Crowded", position=0)
    quiet = make_layer(map=big, slug="quiet", name="Quiet", position=1)
    for i in range(8):
        make_project(layer=crowded, name=f"C{i}", slug=f"c{i}", position=i)
    for i in range(2):
        make_project(layer=quiet, name=f"Q{i}", slug=f"q{i}", position=i)
    return big


def test_map_band_past_the_cap_says_plus_and_still_links_to_its_list(client, crowded, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    monkeypatch.setattr(layer_views, "TILES_PER_LAYER", 3)

    response = client.get("/maps/big/")

    html = response.content.decode()
    counts = re.findall(r'class="band-count">([^<]*)<', html)
    assert counts == ["5+", "2"]
    assert _tile_names(response) == ["C0", "C1", "C2", "Q0", "Q1"]
    assert "See all 5+ in Crowded" in _text(response)
    assert "See all 2 in Quiet" not in _text(response)
    assert "7+ projects in 2 layers." in _text(response)


def test_map_band_under_the_cap_shows_the_exact_count(client, crowded, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 8)
    monkeypatch.setattr(layer_views, "TILES_PER_LAYER", 3)

    response = client.get("/maps/big/")

    assert re.findall(r'class="band-count">([^<]*)<', response.content.decode()) == ["8", "2"]
    assert "See all 8 in Crowded" in _text(response)
    assert "10 projects in 2 layers." in _text(response)


def test_project_list_past_the_cap_says_plus_and_offers_the_next_page(client, crowded, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    monkeypatch.setattr(project_views, "PAGE_SIZE", 2)

    first = client.get("/projects/")
    second = client.get("/projects/", {"page": "2"})

    assert "Showing 1\u20132 of 3+ projects." in _text(first)
    assert "Page 1 Next page" in _text(first)
    assert _tile_names(first) == ["C0", "C1"]
    # The count reaches further on each page: the cap is past the page asked for.
    assert "Showing 3\u20134 of 5+ projects." in _text(second)
    assert _tile_names(second) == ["C2", "C3"]


def test_project_list_last_pages_count_exactly_again(client, crowded, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    monkeypatch.setattr(project_views, "PAGE_SIZE", 2)

    response = client.get("/projects/", {"page": "5"})

    assert "Showing 9\u201310 of 10 projects." in _text(response)
    assert "Page 5 of 5" in _text(response)
    # Map order: each layer in turn, then position within the layer.
    assert _tile_names(response) == ["Q0", "Q1"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search cap is PostgreSQL's")
def test_search_with_many_matches_ranks_a_capped_set_and_says_so(client, crowded, monkeypatch):
    monkeypatch.setattr(search, "MATCHES", 3)
    layer = crowded.layers.get(slug="quiet")
    for name in ["Orbit One", "Orbit Two", "Orbit Three", "Orbit Four", "Orbit Five"]:
        make_project(layer=layer, name=name)

    response = client.get("/projects/", {"q": "orbit"})

    assert "Showing 1\u20133 of 3+ projects." in _text(response)
    assert "these are the best of the first 3 found each way" in _text(response)
    assert all(name.startswith("Orbit ") for name in _tile_names(response))


def test_search_with_few_matches_counts_them_exactly(client, crowded):
    make_project(layer=crowded.layers.get(slug="quiet"), name="Orbit One")

    response = client.get("/projects/", {"q": "orbit"})

    assert "Showing 1\u20131 of 1 project." in _text(response)
    assert "best of the first" not in _text(response)


def test_maps_list_counts_a_big_map_up_to_the_cap(client, crowded, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)

    response = client.get("/maps/")

    assert "5+ projects in 2 layers" in _text(response)


def test_search_pages_keep_their_order(client, crowded, monkeypatch):
    monkeypatch.setattr(project_views, "PAGE_SIZE", 2)
    layer = crowded.layers.get(slug="quiet")
    for name in ["Orbit One", "Orbit Two", "Orbit Three", "Orbit Four", "Orbit Five"]:
        make_project(layer=layer, name=name)

    response = client.get("/projects/", {"q": "orbit", "ordering": "name", "page": "2"})

    assert "Showing 3\u20134 of 5 projects." in _text(response)
    assert _tile_names(response) == ["Orbit One", "Orbit Three"]
