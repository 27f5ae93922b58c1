"""This process's own copies of what is kept per content version.

With Redis every cache read is a network round trip, which costs more than
whatever a cached page or a cached count saves once the page is built. The content
version itself is kept exact in each process by Redis's key tracking
(dealmap.redis_cache.KeyTracker), so whatever is keyed by that version can be kept
in the process too: a copy made under another version is never returned, and
every copy goes the moment the version moves.

Each store is bounded in bytes (least recently used first out), so a worker's
memory stays flat however many URLs are asked for.
"""

import os
import sys
import threading
from collections import OrderedDict

from django.core.cache import cache

_stores = []


class VersionedStore:
    """Values under one content version at a time, at most `max_bytes` of them."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._version = None
        self._items = OrderedDict()
        self._bytes = 0
        register(self)

    def get(self, version, key):
        with self._lock:
            if version != self._version:
                return None
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, version, key, value, size=None):
        size = sys.getsizeof(value) if size is None else size
        if size > self.max_bytes:
            return
        with self._lock:
            if version != self._version:
                self._clear()
                self._version = version
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self):
        with self._lock:
            self._clear()
            self._version = None

    def _clear(self):
        self._items.clear()
        self._bytes = 0


def register(store):
    """Have clear_all() empty `store` (anything with a clear())."""
    _stores.append(store)


def clear_all():
    """Empty every store of this process (tests start each from nothing)."""
    for store in _stores:
        store.clear()


# A forked worker starts with nothing of its parent's: a rate-limit block copied into two
# children would be spent twice.
os.register_at_fork(after_in_child=clear_all)


# Small values computed once per content version: facets, counts.
MEMO = VersionedStore(4 * 1024 * 1024)


def remember(version, name, compute, *, timeout, size=1000):
    """compute(), once per content version: this process's copy, else the shared cache's.

    `name` tells the value apart from others of the same version; `size` is a rough
    guess of its bytes, for the store's bound.
    """
    found = MEMO.get(version, name)
    if found is not None:
        return found
    key = f"dealmap:{name}:{version.token}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout)
    MEMO.put(version, name, found, size=size)
    return found
