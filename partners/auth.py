"""Partner keys: sent as the `X-API-Key` header, they lift the anonymous rate limit."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from partners.models import PartnerKey, hash_key

HEADER = "X-API-Key"
# "Last used" is for staff deciding whether a key is still needed: minute precision saves a
# write on almost every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class PartnerKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw_key = request.META.get("HTTP_X_API_KEY", "").strip()
        if not raw_key:
            return None
        key = PartnerKey.objects.filter(key_hash=hash_key(raw_key)).first()
        if key is None:
            raise AuthenticationFailed("Unknown API key.")
        if key.revoked_at is not None:
            raise AuthenticationFailed("This API key has been revoked.")
        if not key.is_usable:
            raise AuthenticationFailed("This API key has expired.")
        self._touch(key)
        # No user: a key identifies a partner for rate limiting, it grants no other right.
        return (None, key)

    def authenticate_header(self, request):
        return f'ApiKey header="{HEADER}"'

    def _touch(self, key):
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            PartnerKey.objects.filter(pk=key.pk).update(last_used_at=now)


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "PartnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "Optional. A partner key gets a higher rate limit than anonymous use.",
        }
