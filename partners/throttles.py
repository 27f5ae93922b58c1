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
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def clock():
    return time.time()


def parse_rate(rate):
    """'60/min' -> (60, 60): requests allowed, and the window in seconds."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


@dataclass(frozen=True)
class Counter:
    """The counter of one client in one window."""

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

    def count(self):
        """Count one request: the number this window has reached, this one included.

        Django's cache API only: `incr` moves the window's counter on (atomically on
        Redis, keeping its lifetime); the window's first request finds none and opens
        it with `add`, and one that loses that race to another process counts again.
        """
        try:
            return cache.incr(self.key)
        except ValueError:
            if cache.add(self.key, 1, self.timeout):
                return 1
            return cache.incr(self.key)


def count_request(scope, ident):
    """Count one request of `ident` in `scope`: (allowed, seconds until the window ends)."""
    counter = Counter.of(scope, ident)
    return counter.count() <= counter.limit, counter.window_ends - clock()


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
        counted = getattr(request, "anonymous_verdict", None)
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
