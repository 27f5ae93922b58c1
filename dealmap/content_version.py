"""The content version: one number that changes whenever anything the public sees may change.

It keys every ETag (and cached pages): a publish in the admin changes the
number at once, so every cached copy and every client's ETag is stale at once.

Why model signals, when STYLE.md keeps business logic out of them: this is not
business logic but infrastructure that must see *every* write, whichever path
makes it — the admin form and its list actions, imports, management commands,
fixtures, the shell — several of them written by other people at the same time.
A call in each service would be forgotten in the next one; a signal on the
models cannot be. What signals cannot see is `QuerySet.update()` and
`bulk_create()`: code that writes public content that way must call `bump()`
itself (for projects, `projects.changes.bulk_write()` does both).

The live copy lives in the cache (local memory or Redis per CACHE_URL); the
`ContentVersion` row is the fallback that survives a cache flush and that
several app servers share.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from dealmap.redis_cache import forget_tracked, tracked_get

CACHE_KEY = "content-version"
ROW_ID = 1
# Everything a visitor or a partner can see is built from these models.
PUBLIC_MODELS = [
    "layers.Map",
    "layers.Layer",
    "projects.Project",
    "projects.TeamMember",
    "projects.TractionMetric",
    "projects.Tag",
]


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime

    @property
    def token(self):
        return str(self.number)


def current():
    """The version now in force: from the cache, else from the database (and cached again).

    On Redis the cached copy is this process's own, which Redis's key tracking drops
    the moment any process writes the key (dealmap.redis_cache.KeyTracker): reading it
    costs no round trip while the content does not change.
    """
    cached = tracked_get(CACHE_KEY)
    if cached is not None:
        return Version(*cached)
    from dealmap.models import ContentVersion

    row, _ = ContentVersion.objects.get_or_create(
        pk=ROW_ID, defaults={"changed_at": timezone.now()}
    )
    cache.set(CACHE_KEY, (row.number, row.changed_at), timeout=None)
    return Version(row.number, row.changed_at)


def bump():
    """Move the version on: the row first, then drop the cached copy now and after commit.

    Dropping it again after commit stops a reader that ran between the two from
    keeping the old number for data it could not see yet.
    """
    from dealmap.models import ContentVersion

    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=ROW_ID)
    if not rows.update(number=F("number") + 1, changed_at=now):
        ContentVersion.objects.get_or_create(pk=ROW_ID, defaults={"changed_at": now})
        rows.update(number=F("number") + 1, changed_at=now)
    _drop_cached()
    transaction.on_commit(_drop_cached)


def _drop_cached():
    cache.delete(CACHE_KEY)
    # This process's tracked copy goes now; Redis tells the other processes.
    forget_tracked()


def etag(*parts, version=None):
    """A strong ETag for a representation: the content version plus what selects the content.

    Pass the version when the caller has read it already: it saves a cache round trip.
    """
    version = version or current()
    digest = hashlib.sha256("\n".join([version.token, *parts]).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _on_write(sender, **kwargs):
    bump()


def _on_m2m(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump()


def connect_signals():
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"content-version-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"content-version-del-{label}")
    tags = apps.get_model("projects.Project").tags.through
    m2m_changed.connect(_on_m2m, sender=tags, dispatch_uid="content-version-project-tags")
