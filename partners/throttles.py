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
import threading
import time
from dataclasses import dataclass

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from dealmap import local_cache
from dealmap.redis_cache import incr_with_timeout

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def clock():
    return time.time()


def parse_rate(rate):
    """'60/min' -> (60, 60): requests allowed, and the window in seconds."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


# A counter is moved on by blocks of this share of its limit (at least 1), and a block's
# requests are then let through by this process without a round trip each.
BLOCK_SHARE = 100


@dataclass(frozen=True)
class Counter:
    """The counter of one client in one window, and how to read the count it reaches."""

    key: str
    timeout: int
    limit: int
    window_ends: float

    @classmethod
    def of(cls, scope, ident):
        limit, period = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
        window = math.floor(clock() / period)
        # The window's number is in the key: an old window's counter is never read again.
        key = f"throttle:{scope}:{ident}:{window}"
        return cls(key, period + 1, limit, (window + 1) * period)

    @property
    def block(self):
        return max(1, self.limit // BLOCK_SHARE)

    def verdict(self, count):
        """(allowed, seconds until the window ends) for the count this request reached."""
        return count <= self.limit, self.window_ends - clock()

    def take_block(self):
        """Move the counter on by a block: how many of its requests are within the limit."""
        total = incr_with_timeout(self.key, self.block, self.timeout)
        first = total - self.block + 1
        return max(0, min(self.block, self.limit - first + 1))


class Blocks:
    """Requests this process may still let through per counter, from blocks it took.

    A limit of 60 a minute moves its counter one request at a time, as before; a limit
    of 100,000 a minute moves it by 1,000 and lets the next 999 requests of that client
    through without a round trip. Never more than the limit passes: a block is taken
    atomically, and only its part within the limit is let through. The price: blocks
    other processes hold unused may refuse a client up to one block per process early.
    """

    def __init__(self):
        self._left = {}
        self._lock = threading.Lock()

    def allow(self, counter):
        with self._lock:
            left = self._left.pop(counter.key, 0)
            if left:
                self._keep(counter, left - 1)
                return True
        granted = counter.take_block()
        if not granted:
            return False
        with self._lock:
            self._keep(counter, granted - 1)
        return True

    def _keep(self, counter, left):
        if not left:
            return
        if len(self._left) >= MAX_HELD:
            # Mostly blocks of ended windows, worth nothing now; the others are only
            # given up early (their requests were counted, so the limit still holds).
            self._left.clear()
        self._left[counter.key] = left

    def clear(self):
        with self._lock:
            self._left.clear()


# Counters held at once; past it the held blocks are dropped (their requests counted, unused).
MAX_HELD = 10_000
BLOCKS = Blocks()
local_cache.register(BLOCKS)


def count_request(scope, ident):
    """Count one request of `ident` in `scope`: (allowed, seconds until the window ends)."""
    counter = Counter.of(scope, ident)
    return BLOCKS.allow(counter), counter.window_ends - clock()


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

    def allow_request(self, request, view):
        # The response cache counted this request already, with its lookup (dealmap.caching).
        counted = getattr(request._request, "anonymous_verdict", None)
        if counted is not None and request.auth is None:
            allowed, self.remaining = counted
            return allowed
        return super().allow_request(request, view)

    def identify(self, request):
        return None if request.auth is not None else self.get_ident(request)


class PartnerRateThrottle(_FixedWindowThrottle):
    scope = "partner"

    def identify(self, request):
        return None if request.auth is None else request.auth.pk


def count_anonymous(request):
    """Count an anonymous API request: (allowed, seconds until the window ends)."""
    return count_request("anon", BaseThrottle().get_ident(request))
