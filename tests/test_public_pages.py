"""What a visitor sees on the map, the project list and a project's page."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from dealmap.editorial import Status
from layers.models import Layer
from projects.models import Project
from projects.site import maps as layer_views
from tests.demo import build_demo
from tests.factories import make_layer, make_map, make_metric, make_project


@pytest.fixture
def demo(db):
    return build_demo()


def _text(response):
    """The page's visible text, tags stripped and whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _bands(response):
    """[(layer name, count, [tile names])] in page order."""
    html = response.content.decode()
    bands = []
    for section in re.findall(r'<section class="band.*?</section>', html, flags=re.S):
        name = unescape(re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1))
        count = int(re.search(r'class="band-count">(\d+)', section).group(1))
        tiles = [unescape(t) for t in re.findall(r'class="tile-name">(.*?)</span>', section)]
        bands.append((name, count, tiles))
    return bands


def test_map_shows_every_layer_as_a_labelled_band_with_its_count(client, demo):
    response = client.get("/")

    assert _bands(response) == [
        ("Compute", 2, ["Aethir", "io.net"]),
        ("Open-intelligence networks", 3, ["Bittensor", "Sentient", "Tensorplex Labs"]),
        ("Inference", 3, ["Venice", "Chutes", "Ritual"]),
        ("Agent payments & identity", 2, ["x402", "Skyfire"]),
    ]
    assert "10 projects in 4 layers." in _text(response)


def test_map_tile_shows_monogram_one_liner_headline_figure_and_portfolio_badge(client, demo):
    html = client.get("/maps/decentralized-ai/").content.decode()

    aethir = re.search(r'<a class="tile" href="/projects/aethir/">.*?</a>', html, re.S).group(0)
    assert 'aria-hidden="true">Ae</span>' in aethir
    assert "Distributed enterprise GPU cloud for AI and gaming" in aethir
    # No one-liner: the headline figure stands in; portfolio companies carry a badge.
    tensorplex = re.search(r'href="/projects/tensorplex/">.*?</a>', html, re.S).group(0)
    assert "<strong>4.3M USD</strong> stTAO staked" in tensorplex
    assert '<span class="badge">Portfolio</span>' in tensorplex
    assert "badge" not in aethir


def test_map_with_a_no_op_filter_draws_the_same_bands(client, demo, monkeypatch):
    # Without a filter the counts are kept per content version; an empty search counts
    # anew: both draw the same tiles, counts and links (on SQLite and on PostgreSQL).
    monkeypatch.setattr(layer_views, "TILES_PER_LAYER", 2)
    Project.objects.filter(slug="aethir").update(logo="logos/aethir.png")
    make_project(layer=Layer.objects.get(slug="compute"), name="Aaa Draft", status=Status.DRAFT)

    plain = _bands_html(client.get("/maps/decentralized-ai/"))
    filtered = _bands_html(client.get("/maps/decentralized-ai/", {"q": ""}))

    assert plain == filtered.replace("?q=&amp;", "?")
    assert 'src="/media/logos/aethir.png"' in plain
    assert "See all 3 in Inference" in plain
    assert "Aaa Draft" not in plain


def _bands_html(response):
    return re.search(r'<div id="bands".*?\n</div>', response.content.decode(), re.S).group(0)


def test_map_filtered_by_layers_keeps_only_those_bands(client, demo):
    response = client.get("/?layer=compute&layer=payments")

    assert [(name, count) for name, count, _ in _bands(response)] == [
        ("Compute", 2),
        ("Agent payments & identity", 2),
    ]
    assert "4 projects match in 2 layers." in _text(response)
    assert re.search(r'value="compute" checked', response.content.decode())


def test_map_search_finds_by_team_member(client, demo):
    response = client.get("/", {"q": "Voorhees"})

    assert _bands(response) == [("Inference", 1, ["Venice"])]


def test_map_facets_combine(client, demo):
    response = client.get("/", {"token": "true", "stage": ["seed", "growth"]})

    assert [tiles for _, _, tiles in _bands(response)] == [["Venice"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance is PostgreSQL's")
def test_map_search_forgives_a_typo_on_postgresql(client, demo):
    response = client.get("/", {"q": "bitensor"})

    # Bittensor ranks first; "Tensorplex" is a near enough trigram match to follow it.
    assert _bands(response) == [("Open-intelligence networks", 2, ["Bittensor", "Tensorplex Labs"])]


def test_map_with_no_match_says_so(client, demo):
    response = client.get("/", {"q": "nothing-like-this"})

    assert _bands(response) == []
    assert "No project matches" in _text(response)


def test_map_caps_tiles_per_layer_and_links_to_the_full_list(client, db):
    layer = make_layer(map=make_map(slug="big"), slug="crowded", name="Crowded")
    for i in range(layer_views.TILES_PER_LAYER + 3):
        make_project(layer=layer, name=f"P{i:03d}", position=i)

    response = client.get("/maps/big/", {"token": "false"})

    [(_name, count, tiles)] = _bands(response)
    assert (count, len(tiles)) == (layer_views.TILES_PER_LAYER + 3, layer_views.TILES_PER_LAYER)
    assert tiles[0] == "P000"
    link = (
        '<a href="/projects/?token=false&amp;map=big&amp;layer=crowded">See all {} in Crowded</a>'
    )
    assert link.format(layer_views.TILES_PER_LAYER + 3) in response.content.decode()


def test_htmx_request_gets_the_bands_and_an_out_of_band_count(client, demo):
    response = client.get("/", {"layer": "compute"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="bands"')
    assert 'id="result-count" role="status" hx-swap-oob="true"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_list_request_gets_the_results_and_an_out_of_band_count(client, demo):
    response = client.get("/projects/", {"layer": "compute"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert re.findall(r'class="tile-name">(.*?)<', html) == ["Aethir", "io.net"]
    assert 'id="result-count" role="status" hx-swap-oob="true"' in html
    assert "Showing 1\u20132 of 2 projects." in _text(response)
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, demo):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get("/", {"layer": "compute"}, headers=headers)

    assert response.content.decode().startswith("<!doctype html>")


def test_maps_list_shows_published_maps_with_counts(client, demo):
    response = client.get("/maps/")

    assert "Decentralized AI Who builds open, user-owned AI, layer by layer" in _text(response)
    assert "10 projects in 4 layers" in _text(response)


def test_home_without_a_published_map_says_so(client, db):
    response = client.get("/")

    assert "No map is published yet" in _text(response)


def test_project_list_filters_and_paginates(client, db):
    layer = make_layer(map=make_map(slug="m"), slug="l")
    for i in range(50):
        make_project(layer=layer, name=f"Q{i:02d}", position=i)

    first = client.get("/projects/", {"layer": "l"})
    second = client.get("/projects/", {"layer": "l", "page": "2"})

    assert "Showing 1\u201348 of 50 projects." in _text(first)
    assert 'href="?layer=l&amp;page=2"' in first.content.decode()
    assert re.findall(r'class="tile-name">(.*?)<', second.content.decode()) == ["Q48", "Q49"]


def test_project_list_out_of_range_page_shows_the_last_page(client, demo):
    response = client.get("/projects/", {"page": "999"})

    assert "Showing 1\u201310 of 10 projects." in _text(response)


def test_project_list_orders_by_name(client, demo):
    response = client.get("/projects/", {"ordering": "-name", "layer": "compute"})

    assert re.findall(r'class="tile-name">(.*?)<', response.content.decode()) == [
        "io.net",
        "Aethir",
    ]


def test_project_page_shows_everything_about_the_project(client, demo):
    response = client.get("/projects/bittensor/")

    text = _text(response)
    assert "Bittensor" in text
    assert "Subnets compete for TAO emissions to produce AI services" in text
    assert (
        'Layer: <a href="/maps/decentralized-ai/?layer=networks#layer-networks">'
        "Open-intelligence networks</a>" in response.content.decode()
    )
    assert "Canonical Crypto's view" in text
    assert "The opinion of Canonical Crypto, not of the project, as of 1 March 2026" in text
    assert "Jacob Steeves Founder Co-founder" in text
    assert "128 subnets as of 27 Feb 2026 · source" in text
    assert 'href="https://github.com/opentensor"' in response.content.decode()
    assert "Previous in Open-intelligence networks" not in text
    assert "Next in Open-intelligence networks Sentient" in text
    assert "Also in Open-intelligence networks" in text


def test_project_page_renders_markdown_sanitised(client, demo):
    html = client.get("/projects/bittensor/").content.decode()

    assert "<strong>subnets</strong>" in html
    assert "alert('x')" not in html


def test_project_page_draws_a_chart_and_lists_its_values_as_text(client, demo):
    response = client.get("/projects/x402/")

    html = response.content.decode()
    assert html.count('<circle class="chart-dot"') == 3
    # Oldest at the left; the newest, largest value at the right and top.
    assert re.search(
        r'<polyline class="chart-line" points="10\.0,[\d.]+ [\d.,]+ 310\.0,10\.0">', html
    )
    text = _text(response)
    assert "24 Oct 2025 over 239,505 payments source" in text
    assert "14 Jun 2026 over 161,000,000 payments source" in text


def test_project_page_single_value_has_no_chart(client, db):
    project = make_project(slug="solo")
    make_metric(project=project, value=5, unit="GPUs")

    html = client.get("/projects/solo/").content.decode()

    assert "<svg" not in html
    assert "<strong>5 GPUs</strong>" in html


def test_project_page_previous_and_next_follow_the_layer_order(client, demo):
    text = _text(client.get("/projects/chutes/"))

    assert "Previous in Inference Venice" in text
    assert "Next in Inference Ritual" in text


def test_project_page_carries_seo_metadata_and_json_ld(client, demo):
    html = client.get("/projects/bittensor/").content.decode()

    assert '<link rel="canonical" href="http://testserver/projects/bittensor/">' in html
    assert '<meta property="og:title" content="Bittensor">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert re.search(r'<meta name="description" content="Subnets compete[^"]+">', html)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    assert '"@type": "Organization"' in ld
    assert '"founder": [{"@type": "Person", "name": "Jacob Steeves"}' in ld


def test_feed_lists_published_projects_newest_first(client, demo):
    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    titles = re.findall(r"<entry><title>(.*?)</title>", response.content.decode())
    assert titles[0] == "Bittensor"  # edited last by build_demo
    assert sorted(titles) == sorted(
        ["Aethir", "io.net", "Bittensor", "Sentient", "Tensorplex Labs", "Venice", "Chutes",
         "Ritual", "x402", "Skyfire"]
    )  # fmt: skip


def test_sitemap_indexes_sections_of_published_urls(client, demo):
    index = client.get("/sitemap.xml").content.decode()
    projects = client.get("/sitemap-projects.xml").content.decode()

    assert "http://testserver/sitemap-projects.xml" in index
    assert "<loc>http://testserver/projects/bittensor/</loc>" in projects


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.content.decode().splitlines()[-1] == "Sitemap: http://testserver/sitemap.xml"


def test_embed_may_be_framed_and_the_rest_may_not(client, demo):
    embed = client.get("/embed/maps/decentralized-ai/")
    page = client.get("/maps/decentralized-ai/")

    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "script-src 'self'" in embed["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert next(name for name, _, _ in _bands(embed)) == "Compute"
    assert 'class="site-head"' not in embed.content.decode()


def test_not_found_page_is_styled(client, db):
    response = client.get("/projects/no-such-thing/")

    assert response.status_code == 404
    assert "This page is not on the map" in _text(response)


def test_server_error_page_is_styled(rf):
    from django.views.defaults import server_error

    # No request context, and no database (this test has none: a query would fail it).
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"/static/css/site.css" in response.content


def test_pages_have_no_inline_style_or_script(client, demo):
    for url in ["/", "/projects/", "/projects/x402/", "/embed/maps/decentralized-ai/"]:
        html = client.get(url).content.decode()
        assert not re.search(r"\sstyle=", html), url
        assert "<style" not in html, url
        scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
        assert all("src=" in s or "application/ld+json" in s for s in scripts), url


@pytest.fixture
def staff_client(client, db):
    client.force_login(get_user_model().objects.create_user("alice", is_staff=True))
    return client


def test_staff_preview_shows_a_draft_project_with_a_banner(staff_client, demo):
    response = staff_client.get("/projects/secret-draft/preview/")

    assert "Preview, not published." in _text(response)
    assert "Secret Draftcoin" in _text(response)
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_staff_preview_of_a_published_project_matches_its_public_page(staff_client, demo):
    public = staff_client.get("/projects/venice/").content.decode()
    preview = staff_client.get("/projects/venice/preview/").content.decode()

    def main(html):
        return re.search(r'<main id="main".*?</main>', html, re.S).group(0)

    assert main(preview) == main(public)


def test_staff_preview_of_a_draft_map_shows_its_published_projects(staff_client, demo):
    response = staff_client.get("/maps/physical-ai/preview/")

    assert _bands(response) == [("Robots", 1, ["Hiddenbot"])]
    assert "Preview, not published." in _text(response)


@pytest.mark.parametrize("url", ["/projects/secret-draft/preview/", "/maps/physical-ai/preview/"])
def test_preview_is_not_found_for_visitors_and_non_staff(client, demo, url):
    anonymous = client.get(url)
    client.force_login(get_user_model().objects.create_user("bob", is_staff=False))
    member = client.get(url)

    assert (anonymous.status_code, member.status_code) == (404, 404)
    assert "Secret Draftcoin" not in _text(anonymous) + _text(member)


def test_archived_map_preview_still_needs_staff(client, db):
    make_map(slug="old", status=Status.ARCHIVED)

    assert client.get("/maps/old/preview/").status_code == 404


def test_map_page_with_its_assets_weighs_under_100_kb_even_uncompressed(client, real_maps):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assets = re.findall(r'<(?:link rel="stylesheet"|script) (?:href|src)="/static/([^"]+)"', html)
    sizes = {path: Path(finders.find(path)).stat().st_size for path in assets}

    assert sorted(sizes) == ["css/site.css", "js/site.js", "vendor/htmx/htmx.min.js"]
    # Over the wire whitenoise and gzip make it about half (bench/lighthouse.py measures).
    assert len(html.encode()) + sum(sizes.values()) < 100_000
