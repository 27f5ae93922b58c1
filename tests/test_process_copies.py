"""Each process keeps copies of the content version, of the responses it served and of the
rate-limit blocks it took, so a hit costs no round trip to Redis; a change made by any
other process still shows on the very next request."""

import socket

import pytest
import redis
from django.core.cache import caches
from django.db.models import F
from django.test import override_settings

from dealmap import content_version
from dealmap.local_cache import VersionedStore
from dealmap.models import ContentVersion
from dealmap.redis_cache import tracker
from partners.throttles import Blocks, Counter
from projects.models import Project
from tests.factories import make_layer, make_map, make_project

pytestmark = pytest.mark.django_db

URL = "redis://127.0.0.1:6379/8"
REDIS = {
    "default": {
        "BACKEND": "dealmap.redis_cache.RedisCache",
        "LOCATION": URL,
        "KEY_PREFIX": "dealmap-tests-process-copies",
    }
}


def _redis_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")


@pytest.fixture
def on_redis():
    """The default cache on Redis, and a plain client standing for another process."""
    with override_settings(CACHES=REDIS):
        backend = caches["default"]
        backend.clear()
        other = redis.Redis.from_url(URL)
        try:
            yield backend, other
        finally:
            backend.clear()
            tracker(backend)._reset()
            other.close()
            for pool in backend._cache._pools.values():
                pool.disconnect()


def _commands(other):
    return other.info("stats")["total_commands_processed"]


@pytest.fixture
def akash(db):
    deai = make_map(slug="deai", name="Decentralized AI")
    layer = make_layer(map=deai, slug="compute", name="Compute")
    return make_project(layer=layer, slug="akash", name="Akash Network")


@needs_redis
def test_cached_hits_send_nothing_to_redis(client, akash, on_redis):
    _, other = on_redis
    for url in ("/maps/deai/", "/api/v1/projects/"):
        client.get(url)
        client.get(url)

    before = _commands(other)
    for _ in range(10):
        assert client.get("/maps/deai/").status_code == 200
        assert client.get("/api/v1/projects/").status_code == 200

    # The INFO that read the figure is the one command counted.
    assert _commands(other) - before == 1


@needs_redis
def test_version_written_by_another_process_is_read_at_once(on_redis):
    backend, other = on_redis
    first = content_version.current()
    moved = content_version.Version(first.number + 5, first.changed_at)

    # Another app server's bump, then its re-read: the key is written from elsewhere.
    stored = backend._cache._serializer.dumps((moved.number, moved.changed_at))
    other.set(backend.make_key(content_version.CACHE_KEY), stored)

    assert content_version.current() == moved


@needs_redis
def test_flush_by_another_process_drops_the_copy(on_redis):
    backend, other = on_redis
    first = content_version.current()
    stale = content_version.Version(first.number + 9, first.changed_at)
    backend.set(content_version.CACHE_KEY, (stale.number, stale.changed_at))
    assert content_version.current() == stale

    other.flushdb()

    # Back to the database's row, where the number never moved.
    assert content_version.current().number == first.number


@needs_redis
def test_lost_tracking_connection_reads_again(on_redis):
    backend, other = on_redis
    content_version.current()
    other.client_kill_filter(_type="normal", skipme=True)
    other.ping()  # its own connection is back; the tracker's is gone
    moved = content_version.Version(77, content_version.current().changed_at)
    backend.set(content_version.CACHE_KEY, (moved.number, moved.changed_at))

    assert content_version.current() == moved


@needs_redis
def test_bump_by_another_process_shows_on_the_next_hit(client, akash, on_redis):
    backend, other = on_redis
    client.get("/maps/deai/")
    assert b"Akash Network" in client.get("/maps/deai/").content

    # What another app server's admin save does: the row, its version, Redis's key.
    # Nothing of it goes through this process's own bump().
    Project.objects.filter(pk=akash.pk).update(name="Akash Elsewhere")
    ContentVersion.objects.filter(pk=content_version.ROW_ID).update(number=F("number") + 1)
    other.delete(backend.make_key(content_version.CACHE_KEY))

    assert b"Akash Elsewhere" in client.get("/maps/deai/").content


def test_store_drops_the_least_recent_past_its_bound():
    store = VersionedStore(max_bytes=300)
    store.put(1, "a", "A", size=100)
    store.put(1, "b", "B", size=100)
    store.put(1, "c", "C", size=100)
    store.get(1, "a")

    store.put(1, "d", "D", size=100)

    assert [store.get(1, key) for key in "abcd"] == ["A", None, "C", "D"]


def test_store_forgets_everything_when_the_version_moves():
    store = VersionedStore(max_bytes=1000)
    store.put(1, "a", "A")
    store.put(2, "b", "B")

    assert store.get(2, "a") is None
    assert store.get(1, "a") is None
    assert store.get(2, "b") == "B"


def test_store_refuses_what_is_bigger_than_its_bound():
    store = VersionedStore(max_bytes=50)
    store.put(1, "a", "A", size=51)

    assert store.get(1, "a") is None


def _counter(limit):
    return Counter(key="throttle:anon:203.0.113.9:1", timeout=61, limit=limit, window_ends=2e9)


def test_blocks_let_exactly_the_limit_through_from_two_processes():
    first, second = Blocks(), Blocks()
    counter = _counter(1000)

    allowed = sum(process.allow(counter) for _ in range(600) for process in (first, second))

    assert allowed == 1000


def test_blocks_count_a_high_limit_a_block_at_a_time():
    blocks = Blocks()
    counter = _counter(1000)

    for _ in range(25):
        assert blocks.allow(counter)

    # Three blocks of 10 taken (one round trip each on Redis), 25 of them used.
    assert caches["default"].get(counter.key) == 30


def test_blocks_of_a_low_limit_are_single_requests():
    blocks = Blocks()
    counter = _counter(3)

    assert [blocks.allow(counter) for _ in range(4)] == [True, True, True, False]
    assert caches["default"].get(counter.key) == 4


@needs_redis
def test_blocks_on_redis_give_the_counter_its_window(on_redis):
    backend, other = on_redis
    counter = _counter(1000)

    assert Blocks().allow(counter)

    key = backend.make_key(counter.key)
    assert int(other.get(key)) == 10
    assert 0 < other.ttl(key) <= 61
