"""Whole responses are cached for anonymous readers, keyed by the content version.

A hit runs no query; anything staff change in the admin shows on the very next
request; staff, previews and cookies never meet the cache; the API's rate limit
still counts hits.
"""

import gzip
import socket

import pytest
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from dealmap.editorial import Status
from partners.models import PartnerKey
from partners.throttles import Counter
from projects.models import Project
from tests.admin_forms import admin_edit, admin_publish
from tests.factories import make_layer, make_map, make_project

DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

pytestmark = pytest.mark.django_db

PAGES = [
    "/maps/deai/",
    "/projects/",
    "/projects/akash/",
    "/api/v1/projects/",
    "/api/v1/projects/akash/",
]


@pytest.fixture
def akash(db):
    deai = make_map(slug="deai", name="Decentralized AI")
    layer = make_layer(map=deai, slug="compute", name="Compute")
    return make_project(layer=layer, slug="akash", name="Akash Network")


def _warm(client, url, **headers):
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    return first


@pytest.mark.parametrize("url", [*PAGES, "/", "/feed/", "/sitemap.xml", "/api/schema/"])
def test_cached_page_hit_runs_only_the_version_query(client, akash, url, django_assert_num_queries):
    first = _warm(client, url)

    with django_assert_num_queries(1):  # the content version
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content


def test_cached_page_revalidation_answers_304_with_only_the_version_query(
    client, akash, django_assert_num_queries
):
    etag = _warm(client, "/maps/deai/")["ETag"]

    with django_assert_num_queries(1):  # the content version
        response = client.get("/maps/deai/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_cached_api_revalidation_answers_304_with_only_the_version_query(
    client, akash, django_assert_num_queries
):
    etag = _warm(client, "/api/v1/projects/")["ETag"]

    with django_assert_num_queries(1):  # the content version
        response = client.get("/api/v1/projects/", headers={"If-None-Match": etag})

    assert response.status_code == 304


@pytest.mark.parametrize("url", PAGES)
def test_admin_edit_shows_on_the_next_request(client, admin_client, akash, url):
    _warm(client, url)

    admin_edit(admin_client, akash, name="Akash Renamed")

    assert b"Akash Renamed" in client.get(url).content


@pytest.mark.parametrize("url", PAGES)
def test_admin_publish_shows_on_the_next_request(client, admin_client, akash, url):
    draft = make_project(layer=akash.layer, slug="gensyn", name="Gensyn", status=Status.DRAFT)
    _warm(client, url)

    admin_publish(admin_client, draft)

    assert client.get("/projects/gensyn/").status_code == 200
    if "akash" not in url:
        assert b"Gensyn" in client.get(url).content


@pytest.mark.parametrize("url", ["/maps/deai/", "/projects/", "/api/v1/projects/"])
def test_admin_unpublish_drops_the_project_on_the_next_request(client, admin_client, akash, url):
    _warm(client, url)
    _warm(client, "/projects/akash/")
    _warm(client, "/api/v1/projects/akash/")

    admin_edit(admin_client, akash, status=Status.ARCHIVED)

    assert b"Akash" not in client.get(url).content
    assert client.get("/projects/akash/").status_code == 404
    assert client.get("/api/v1/projects/akash/").status_code == 404


def test_staff_never_get_the_anonymous_copy(client, admin_client, akash):
    _warm(client, "/maps/deai/")
    Project.objects.filter(pk=akash.pk).update(name="Changed Behind The Cache")

    # Staff requests bypass the cache both ways: they see the database, and store nothing.
    assert b"Changed Behind The Cache" in admin_client.get("/maps/deai/").content
    assert b"Changed Behind The Cache" not in client.get("/maps/deai/").content


def test_staff_preview_is_never_stored(client, admin_client, akash):
    admin_client.get("/projects/akash/preview/")

    assert client.get("/projects/akash/preview/").status_code == 404


def test_staff_page_is_not_stored_for_anonymous_readers(client, admin_client, akash):
    admin_client.get("/projects/")
    Project.objects.filter(pk=akash.pk).update(name="Fresh From The Database")

    assert b"Fresh From The Database" in client.get("/projects/").content


def _counted(response):
    def view(request):
        view.calls += 1
        return response(view.calls)

    view.calls = 0
    return view


def _with_cookie(calls):
    response = HttpResponse(f"call {calls}")
    response.set_cookie("seen", "yes")
    return response


def _private(calls):
    response = HttpResponse(f"call {calls}")
    response["Cache-Control"] = "private"
    return response


def _server_error(calls):
    return HttpResponse(f"call {calls}", status=500)


urlpatterns = [
    path("cookie/", _counted(_with_cookie)),
    path("private/", _counted(_private)),
    path("broken/", _counted(_server_error)),
]


@pytest.mark.urls("tests.test_response_cache")
@pytest.mark.parametrize("url", ["/cookie/", "/private/", "/broken/"])
def test_uncacheable_response_is_built_again_each_time(client, url):
    first = client.get(url).content
    second = client.get(url).content

    assert (first, second) == (b"call 1", b"call 2")


def test_healthz_is_never_cached(client, akash):
    client.get("/healthz")

    assert not [key for key in cache._cache if "response:" in key]


def test_api_rate_limit_counts_cache_hits(client, akash, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "partner": "6/min"},
    }
    statuses = [client.get("/api/v1/projects/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_api_429_is_never_cached(client, akash, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "partner": "6/min"},
    }
    client.get("/api/v1/projects/")
    assert client.get("/api/v1/projects/").status_code == 429
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/min", "partner": "6/min"},
    }

    assert client.get("/api/v1/projects/").status_code == 200


def test_hit_for_another_host_is_refused(client, akash):
    _warm(client, "/maps/deai/")

    assert client.get("/maps/deai/", HTTP_HOST="evil.example").status_code == 400


def test_htmx_fragment_and_page_are_cached_apart(client, akash):
    page = client.get("/maps/deai/")
    fragment = client.get("/maps/deai/", headers={"HX-Request": "true"})

    assert b"<html" in page.content
    assert b"<html" not in fragment.content


def test_gzip_client_gets_the_stored_compressed_body(client, akash, django_assert_num_queries):
    plain = client.get("/maps/deai/").content
    client.get("/maps/deai/", headers={"Accept-Encoding": "gzip"})

    with django_assert_num_queries(1):  # the content version
        zipped = client.get("/maps/deai/", headers={"Accept-Encoding": "gzip, br"})

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain
    assert len(zipped.content) < len(plain) / 2


@override_settings(CACHES={"default": DUMMY, "responses": DUMMY})
def test_dummy_cache_serves_fresh_pages(client, akash):
    _warm(client, "/maps/deai/")
    Project.objects.filter(pk=akash.pk).update(name="No Cache At All")

    assert b"No Cache At All" in client.get("/maps/deai/").content


@override_settings(CACHES={"default": DUMMY, "responses": DUMMY})
def test_dummy_cache_adds_no_query_but_the_version_to_a_page(
    client, akash, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the content version
        client.get("/robots.txt")


def _redis_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


ON_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/7",
    "KEY_PREFIX": "dealmap-tests-response-cache",
}
# Both on Redis: the shared cache of RESPONSE_CACHE_URL=redis://…
REDIS = {"default": ON_REDIS, "responses": ON_REDIS}


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_redis_counts_api_hits_against_the_limit(client, akash, settings, monkeypatch):
    # Not the settings fixture for the limit: it would restore CACHES=REDIS after the test.
    limits = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}
    monkeypatch.setattr("partners.throttles.clock", lambda: 1_800_000_030.0)
    with override_settings(CACHES=REDIS, REST_FRAMEWORK=limits):
        redis = caches["default"]
        redis.clear()
        try:
            statuses = [client.get("/api/v1/projects/").status_code for _ in range(4)]
            counter = Counter.of("anon", "127.0.0.1")
            ttl = redis._cache.get_client().ttl(redis.make_key(counter.key))
        finally:
            redis.clear()

    assert statuses == [200, 200, 200, 429]
    # The counter lives out its minute, then goes: Redis is not left holding it.
    assert 0 < ttl <= 61


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
@override_settings(CACHES=REDIS)
def test_redis_hit_runs_only_the_version_query_and_edit_shows_at_once(
    client, admin_client, akash, django_assert_num_queries
):
    redis = caches["default"]
    redis.clear()
    try:
        _warm(client, "/api/v1/projects/")
        _warm(client, "/maps/deai/")
        with django_assert_num_queries(2):  # the content version, once a request
            assert client.get("/maps/deai/").status_code == 200
            assert client.get("/api/v1/projects/").status_code == 200

        admin_edit(admin_client, akash, name="Akash On Redis")

        assert b"Akash On Redis" in client.get("/maps/deai/").content
        assert b"Akash On Redis" in client.get("/api/v1/projects/").content
    finally:
        redis.clear()
        for pool in redis._cache._pools.values():
            pool.disconnect()


SECURITY_HEADERS = [
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "ETag", "Last-Modified", "Cache-Control", "Vary",
]  # fmt: skip


@pytest.mark.parametrize("url", ["/maps/deai/", "/api/v1/projects/"])
def test_hit_carries_every_header_the_first_answer_had(client, akash, url):
    first = _warm(client, url)
    again = client.get(url)

    for name in SECURITY_HEADERS:
        assert again.get(name) == first.get(name), name
    assert first["X-Frame-Options"] == "DENY"


def test_cross_origin_reader_gets_cors_headers_from_a_hit(client, akash):
    _warm(client, "/api/v1/projects/")
    origin = {"Origin": "https://partner.example"}
    _warm(client, "/api/v1/projects/", **origin)

    hit = client.get("/api/v1/projects/", headers=origin)

    assert hit["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/projects/")


def test_partner_request_fills_the_cache_for_everyone(client, akash, django_assert_num_queries):
    key = PartnerKey(name="Research desk")
    raw_key = key.set_new_key()
    key.save()
    client.get("/api/v1/projects/", headers={"X-API-Key": raw_key})

    with django_assert_num_queries(1):  # the content version
        anonymous = client.get("/api/v1/projects/")

    assert anonymous.json()["results"][0]["slug"] == "akash"
    assert anonymous["X-Frame-Options"] == "DENY"


@override_settings(RESPONSE_CACHE=False)
@pytest.mark.parametrize("url", ["/maps/deai/", "/api/v1/projects/"])
def test_response_cache_off_builds_each_answer_and_still_revalidates(client, akash, url):
    etag = _warm(client, url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # An update() the content version does not see: only a page built afresh shows it.
    Project.objects.filter(pk=akash.pk).update(name="Built Afresh")

    assert b"Built Afresh" in client.get(url).content
    assert not [key for key in cache._cache if "response:" in key]
