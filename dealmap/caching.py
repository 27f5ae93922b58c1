"""Whole-response cache for anonymous readers, keyed by the content version.

A cached response is stored with the content version it was built under. A hit
needs one round trip to the cache: `get_many` fetches the version and the entry
together, and an entry whose version is not the current one is a miss. So a
publish, edit or unpublish (which bumps the version, dealmap/content_version.py)
shows on the next request on every app server, and old entries simply age out.

Why not Django's UpdateCacheMiddleware/FetchFromCacheMiddleware: their key
embeds the URL and the Vary headers but not the content version, they cache for
a fixed time, and a hit there costs two cache reads (the header list, then the
page). Here the "key" is the request, the freshness test is the version.

Public pages go through `ResponseCacheMiddleware`. The partner API is cached
inside its views (`dealmap.api.ConditionalMixin`), after DRF has authenticated
and throttled the request, so a hit still counts against the rate limit and a
429 is never stored.

Bodies of text types are gzipped once, when stored, for clients that accept
gzip: a hit then costs no compression at all.
"""

import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags

from dealmap import content_version

KEY_PREFIX = "response:"
# Request headers that select a different response; every one is part of the key.
KEYED_HEADERS = ["HX-Request", "HX-History-Restore-Request", "Accept"]
# A response varying on anything else cannot be shared. Cookie is allowed because only
# requests without a session cookie are cached, and a response that sets one is not.
SHAREABLE_VARY = {"accept-encoding", "hx-request", "accept", "cookie", "origin"}
CACHEABLE_STATUS = {200, 404}
COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml|csv|.*\+json))")
MIN_GZIP_BYTES = 200
# Paths the middleware leaves alone: the admin and staff previews carry sessions anyway,
# /healthz must tell the truth every time, the API caches itself after throttling.
SKIPPED = re.compile(r"^/(admin/|healthz|api/|static/|media/)|/preview/$")
# Entries outlive no version change; this only bounds memory for pages nobody asks for again.
TIMEOUT = 24 * 3600


def can_store():
    """False with CACHE_URL=dummy://: whatever is set is gone, so keys need not be built."""
    return not isinstance(caches["default"], DummyCache)


def accepts_gzip(request):
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def is_anonymous(request):
    """No session and no flash messages: the response cannot depend on who asks."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def cache_key(request):
    # Scheme and host too: links built from the request must not cross hosts, and
    # get_host() checks ALLOWED_HOSTS, which a hit would otherwise skip.
    parts = [request.method, request.scheme, request.get_host(), request.get_full_path()]
    parts.append("gzip" if accepts_gzip(request) else "")
    parts += [request.headers.get(name, "") for name in KEYED_HEADERS]
    return KEY_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def variant_etag(request, version):
    """One ETag per representation: version, path and query, the keyed headers, encoding.

    The method is left out on purpose: HEAD and GET of one URL share their ETag.
    """
    parts = [request.get_full_path(), "gzip" if accepts_gzip(request) else ""]
    parts += [request.headers.get(name, "") for name in KEYED_HEADERS]
    return content_version.etag(*parts, version=version)


def lookup(request):
    """(current version, cached entry or None), in one cache round trip when both are there."""
    key = cache_key(request)
    found = cache.get_many([content_version.CACHE_KEY, key])
    cached_version = found.get(content_version.CACHE_KEY)
    if cached_version is None:
        return content_version.current(), None
    version = content_version.Version(*cached_version)
    entry = found.get(key)
    if entry is None or entry["version"] != version.number:
        return version, None
    return version, entry


def is_private(response):
    control = response.get("Cache-Control", "").lower()
    return bool(response.cookies) or "private" in control or "no-store" in control


def is_storable(response):
    if response.status_code not in CACHEABLE_STATUS or is_private(response):
        return False
    if response.streaming or getattr(response, "from_cache", False):
        return False
    vary = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
    return vary <= SHAREABLE_VARY


def compress(request, response):
    """Gzip a text body in place for a client that accepts it (once, before storing)."""
    if not accepts_gzip(request) or response.has_header("Content-Encoding"):
        return
    if len(response.content) < MIN_GZIP_BYTES:
        return
    if not COMPRESSIBLE.match(response.get("Content-Type", "")):
        return
    # mtime=0: the same body gives the same bytes on every server.
    response.content = gzip.compress(response.content, compresslevel=6, mtime=0)
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))


def store(request, response, version):
    """Compress and keep a shareable response under the version it was built with."""
    patch_vary_headers(response, ["Accept-Encoding"])
    compress(request, response)
    if not is_storable(response):
        return
    entry = {
        "version": version.number,
        "status": response.status_code,
        "headers": list(response.items()),
        "content": response.content,
    }
    cache.set(cache_key(request), entry, timeout=TIMEOUT)


def rebuild(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response.from_cache = True
    return response


def not_modified(request, etag):
    return etag in parse_etags(request.headers.get("If-None-Match", ""))


def add_validators(response, etag, version):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.changed_at.timestamp())
    # Browsers and proxies may keep a copy but must revalidate: a 304 costs one cache read.
    patch_cache_control(response, public=True, no_cache=True)


class ResponseCacheMiddleware:
    """Serve and store whole public pages for anonymous GET and HEAD requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        version, entry = lookup(request)
        etag = variant_etag(request, version)
        if entry is not None and entry["status"] == 200 and not_modified(request, etag):
            return self.not_modified(etag, version)
        if entry is not None:
            return rebuild(entry)
        response = self.get_response(request)
        if response.status_code == 200 and not is_private(response):
            if not response.has_header("ETag"):
                add_validators(response, etag, version)
            if not_modified(request, etag):
                return self.not_modified(etag, version)
        if is_anonymous_response(request):
            store(request, response, version)
        return response

    def applies(self, request):
        # With CACHE_URL=dummy:// nothing could be stored: skip even the version read.
        return (
            can_store()
            and request.method in ("GET", "HEAD")
            and is_anonymous(request)
            and not SKIPPED.search(request.path)
        )

    def not_modified(self, etag, version):
        response = HttpResponseNotModified()
        add_validators(response, etag, version)
        return response


def is_anonymous_response(request):
    # The view may have logged someone in or read a user from elsewhere: only store
    # what an anonymous user was given.
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated
