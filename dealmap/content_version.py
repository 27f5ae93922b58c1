"""The content version: one number, in the database, that moves whenever public content changes.

It keys every ETag and every cached page, count and facet: a write that commits a
new number makes all of them stale at once, in every process.

The number is read from its row on every call (one query by primary key) and never
kept anywhere else. A copy kept in a process or in Redis is what went stale in the
first round: a write from another process (a command, the shell, another worker)
never reached it, and a reader that had read the row before a writer committed could
put the old number back after the writer dropped it. With the row as the only copy
neither can happen: the row moves in the writer's own transaction
(`projects.changes.recording`), so it becomes visible exactly when the content does,
and a reader that read it builds from content at least that new.

This module knows nothing of the apps: `bump()` is called by the project's write
functions (and their signal safety net), which live with the domain.
"""

import hashlib
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

ROW_ID = 1
# Before the first write ever (an empty database): any fixed point in time will do.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime

    @property
    def token(self):
        # The time as well as the number: a database restored or rebuilt from scratch
        # starts counting again, and must not reuse the ETags of what it replaced.
        return f"{self.number}.{self.changed_at.timestamp():.6f}"


def current():
    """The version in force now: one query, by primary key."""
    from dealmap.models import ContentVersion

    row = ContentVersion.objects.filter(pk=ROW_ID).values_list("number", "changed_at").first()
    return Version(*row) if row else Version(0, EPOCH)


def bump():
    """Move the version on, inside the caller's transaction (it commits with the write)."""
    from dealmap.models import ContentVersion

    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=ROW_ID)
    if not rows.update(number=F("number") + 1, changed_at=now):
        ContentVersion.objects.get_or_create(pk=ROW_ID, defaults={"changed_at": now, "number": 1})


def etag(*parts, version):
    """A strong ETag for a representation: the content version plus what selects the content."""
    digest = hashlib.sha256("\n".join([version.token, *parts]).encode()).hexdigest()
    return f'"{digest[:32]}"'


def remember(version, name, compute, *, timeout):
    """compute(), once per content version, in the default cache.

    The version is part of the key, so a value is never read under another version;
    `timeout` only lets the keys of old versions go.
    """
    key = f"dealmap:{name}:{version.token}"
    try:
        found = cache.get(key)
    except (AttributeError, ImportError, pickle.UnpicklingError):
        # Pickled by another release of the code (a class moved or renamed since):
        # computed again and stored over it, rather than an error for the visitor.
        found = None
    if found is None:
        found = compute()
        cache.set(key, found, timeout)
    return found
