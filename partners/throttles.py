"""Rate limits: one for anonymous clients (per IP), a higher one per partner key.

Both count in the default cache, so several app servers on one Redis share the counts.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read the rate now rather than at import, so a settings change takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonRateThrottle(_ScopedThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.auth is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PartnerRateThrottle(_ScopedThrottle):
    scope = "partner"

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
