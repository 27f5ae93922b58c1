"""Django's Redis cache backend, with one redis-py client per connection pool; a counter
moved on in one round trip; and values kept in the process until Redis says they changed.

Django builds a new `redis.Redis` for every cache call, and building one copies
redis-py's table of several hundred response callbacks: about a quarter of a
millisecond, more than the round trip to Redis it wraps. A client is safe to
share between threads (each command takes a connection from the pool), so one
per pool is kept and reused.
"""

import os
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis import ConnectionPool
from redis.exceptions import RedisError


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def incr_with_timeout(key, delta, timeout):
    """Add `delta` to the counter `key`, created to live `timeout` seconds: its new value.

    One round trip on Redis (a pipeline: SET NX EX creates the counter with its
    lifetime, INCRBY adds); Django's incr() takes two (EXISTS, then INCRBY) and raises
    for a missing key. Integers are stored unpickled by Django's serializer.
    """
    backend = caches["default"]
    if not isinstance(backend, DjangoRedisCache):
        backend.add(key, 0, timeout)
        try:
            return backend.incr(key, delta)
        except ValueError:  # it expired between the two calls: a new window opens
            backend.add(key, delta, timeout)
            return delta
    full_key = backend.make_key(key)
    pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
    pipe.set(full_key, 0, ex=timeout, nx=True)
    pipe.incrby(full_key, delta)
    return pipe.execute()[-1]


# How long the tracking connection may stay silent before it is checked (and how long a
# check may take before the connection counts as lost).
QUIET_SECONDS = 1.0


class KeyTracker:
    """Values of Redis keys kept in this process until Redis says they changed.

    Redis (6.0 and later) remembers the keys a connection with CLIENT TRACKING ON has
    read, and when any client changes one (a write, a delete, an expiry or eviction,
    a FLUSHDB) it pushes an `invalidate` message on that connection. Before a copy is
    used, whatever has arrived on the connection is read without waiting (a poll of
    the socket, no round trip), so a copy is used only while Redis has not reported a
    change. Redis writes that message in the same pass of its event loop as its reply
    to the writer, so it is here before the writer's own next request can be.

    One connection per process (it is opened again after a fork), speaking RESP3 so
    the messages come on the connection itself. A connection that went quiet for a
    second is asked for a PONG before its copies are trusted: a link that died without
    a word (no FIN, a partition) would otherwise never report a change.

    redis-py's client-side caching does the same for any command, but refuses servers
    older than 7.4 (Debian 12 has 7.0) and deep-copies every value it returns.
    """

    def __init__(self, backend):
        self._backend = backend
        self._lock = threading.Lock()
        self._pid = None
        self._pool = self._connection = None
        self._values = {}
        self._heard = 0.0

    def get(self, key):
        """cache.get(key), from this process's copy while Redis reports no change."""
        full_key = self._backend.make_key(key)
        with self._lock:
            try:
                connection = self._connect()
                self._read_messages(connection)
                if time.monotonic() - self._heard > QUIET_SECONDS:
                    self._ping(connection)
                if full_key in self._values:
                    return self._values[full_key]
                connection.send_command("GET", full_key)
                raw = connection.read_response()
                self._heard = time.monotonic()
            except (RedisError, OSError):
                # No tracking without the connection: read as if there were none.
                self._reset()
                return self._backend.get(key)
            if raw is None:
                return None
            value = self._values[full_key] = self._backend._cache._serializer.loads(raw)
            return value

    def forget(self):
        """Drop every copy: this process has just written (its own writes need no message)."""
        with self._lock:
            self._values.clear()

    def _connect(self):
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        # A forked child must not share its parent's socket: a new connection, no copies.
        self._values.clear()
        self._pid = os.getpid()
        url = self._backend._cache._servers[0]
        options = {**self._backend._cache._pool_options, "socket_timeout": QUIET_SECONDS}
        self._pool = ConnectionPool.from_url(url, protocol=3, **options)
        connection = self._pool.get_connection()
        connection._parser.set_invalidation_push_handler(self._invalidated)
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()
        self._connection = connection
        self._heard = time.monotonic()
        return connection

    def _read_messages(self, connection):
        while connection.can_read(timeout=0):
            connection.read_response(push_request=True)
            self._heard = time.monotonic()

    def _ping(self, connection):
        # Messages queued before the PONG are read (and acted on) on the way to it.
        connection.send_command("PING")
        connection.read_response()
        self._heard = time.monotonic()

    def _invalidated(self, message):
        # ["invalidate", [keys]], or ["invalidate", None] after a flush: drop all, it is cheap.
        self._values.clear()

    def _reset(self):
        self._values.clear()
        if self._pool is not None:
            self._pool.disconnect()
        self._pool = self._connection = None


def tracked_get(key):
    """cache.get(key); on Redis from this process's tracked copy (KeyTracker)."""
    backend = caches["default"]
    if not isinstance(backend, DjangoRedisCache):
        return backend.get(key)
    return tracker(backend).get(key)


def forget_tracked():
    backend = caches["default"]
    if isinstance(backend, DjangoRedisCache):
        tracker(backend).forget()


def tracker(backend):
    # One per backend object: tests swap CACHES, and each backend has its own server.
    found = backend.__dict__.get("_tracker")
    if found is None:
        found = backend.__dict__["_tracker"] = KeyTracker(backend)
    return found
