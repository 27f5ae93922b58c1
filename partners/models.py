import hashlib
import secrets

from django.db import models
from django.utils import timezone

KEY_PREFIX = "dmk_"
PREFIX_LENGTH = 12  # "dmk_" + 8 characters: enough to tell keys apart in the admin


def hash_key(raw_key):
    """SHA-256 is enough: the key carries 256 random bits, so no dictionary or brute force helps,
    and a fast hash keeps the check per request cheap (a password hasher would not)."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class PartnerKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class PartnerKey(models.Model):
    """An API key that lifts a partner's rate limit. Only its hash is stored."""

    name = models.CharField(max_length=120, help_text="Who holds the key, e.g. the partner's name.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty for a key that does not expire."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self):
        """Give the key a fresh secret and return it: the only moment it exists in clear."""
        raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix = raw_key[:PREFIX_LENGTH]
        self.key_hash = hash_key(raw_key)
        return raw_key

    @property
    def is_usable(self):
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
