"""Rate limits: one for anonymous clients (per IP), a higher one per partner key.

Both count in the default cache, so several app servers on one Redis share the counts.

A fixed window per clock period ("60/min" is at most 60 requests in each calendar
minute), counted with one atomic increment. DRF's SimpleRateThrottle keeps a list of
every request's time in the window and rewrites it on each request: its cost grows
with the rate allowed (a partner's 1,200/min is a 1,200-item list read and written
per request). The price of the fixed window is that a client may send up to twice
the rate across the boundary of two windows.
"""

import math
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def clock():
    return time.time()


def parse_rate(rate):
    """'60/min' -> (60, 60): requests allowed, and the window in seconds."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def incr(key, timeout):
    """Add one to a counter that lives `timeout` seconds, and return its new value."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _redis_incr(backend, key, timeout)
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # it expired between the two calls: this request opens a new window
        cache.add(key, 1, timeout)
        return 1


def _redis_incr(backend, key, timeout):
    # One round trip, atomic. Django's RedisCache.incr is two (EXISTS, then INCRBY) and
    # raises on a missing key; INCR creates it. Integers are stored unpickled by Django's
    # Redis serializer, so the counter stays readable through the cache API.
    full_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full_key, write=True)
    pipe = client.pipeline()
    pipe.incr(full_key)
    pipe.expire(full_key, timeout, nx=True)
    return pipe.execute()[0]


def count_request(scope, ident):
    """Count one request of `ident` in `scope`: (allowed, seconds until the window ends)."""
    allowed, period = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
    now = clock()
    window = math.floor(now / period)
    # The window's number is in the key: an old window's counter is never read again.
    count = incr(f"throttle:{scope}:{ident}:{window}", period + 1)
    return count <= allowed, (window + 1) * period - now


class _FixedWindowThrottle(BaseThrottle):
    scope = None

    def allow_request(self, request, view):
        ident = self.identify(request)
        if ident is None:
            return True
        allowed, self.remaining = count_request(self.scope, ident)
        return allowed

    def wait(self):
        return self.remaining

    def identify(self, request):
        raise NotImplementedError


class AnonRateThrottle(_FixedWindowThrottle):
    scope = "anon"

    def identify(self, request):
        return None if request.auth is not None else self.get_ident(request)


class PartnerRateThrottle(_FixedWindowThrottle):
    scope = "partner"

    def identify(self, request):
        return None if request.auth is None else request.auth.pk


def count_anonymous(request):
    """Count an anonymous API request the response cache answers: is it within the limit?

    Over the limit, the request goes on to DRF, which counts it again and answers 429.
    """
    allowed, _ = count_request("anon", BaseThrottle().get_ident(request))
    return allowed
