"""Whole-response cache for anonymous readers, keyed by the content version.

A cached response is stored with the content version it was built under; an entry
whose version is not the current one is a miss. The version is read from the
database on every request (dealmap/content_version.py: one query by primary key),
so a write committed by any process (an admin save, an import, the shell, another
worker) shows on the very next request everywhere; old entries simply age out.

Why not Django's UpdateCacheMiddleware/FetchFromCacheMiddleware: their key
embeds the URL and the Vary headers but not the content version, they cache for
a fixed time, and a hit there costs two cache reads (the header list, then the
page). Here the "key" is the request, the freshness test is the version.

`ResponseCacheMiddleware` is the outermost middleware: a hit skips every other
middleware, the URL resolver and the view, and the entry it returns already holds
the headers they added (security, CSP, CORS, validators). It serves public pages
and the partner API alike. An anonymous API hit is first counted against the rate
limit by the callable `settings.RESPONSE_CACHE_API_GATE` names (the partners app's),
and an over-limit one goes on to DRF, which answers the 429; a request with an
X-API-Key goes to DRF to be authenticated and throttled, and the view may answer
it from this cache (dealmap.api).

RESPONSE_CACHE=0 turns whole-response caching off (the benchmark's "uncached"
figures); the counts and facets kept per version still use the cache.

Bodies of text types are gzipped once, when stored, for clients that accept
gzip: a hit then costs no compression at all.
"""

import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags
from django.utils.module_loading import import_string

from dealmap import content_version

KEY_PREFIX = "response:"
# Request headers that select a different response; every one is part of the key.
# Origin too: CORS answers a cross-origin request with headers a same-origin one lacks.
KEYED_HEADERS = ["HX-Request", "HX-History-Restore-Request", "Accept", "Origin"]
# A response varying on anything else cannot be shared. Cookie is allowed because only
# requests without a session cookie are cached, and a response that sets one is not.
SHAREABLE_VARY = {"accept-encoding", "hx-request", "accept", "cookie", "origin"}
CACHEABLE_STATUS = {200, 404}
COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml|csv|.*\+json))")
MIN_GZIP_BYTES = 200
# Paths the middleware leaves alone: the admin and staff previews carry sessions anyway,
# /healthz must tell the truth every time, whitenoise serves files.
SKIPPED = re.compile(r"^/(admin/|healthz|static/|media/)|/preview/$")
API = "/api/"
# Entries outlive no version change; this only bounds memory for pages nobody asks for again.
TIMEOUT = 24 * 3600


def responses():
    """Where whole responses are kept: the `responses` cache (settings.CACHES).

    Each process's own memory by default. An entry is only ever served under the
    content version it was built with, read from the database on every request, so a
    copy in one process can never outlive a write made in another; keeping it beside
    the worker saves a hit the round trip to a shared cache (docs/benchmarks.md).
    """
    return caches["responses"]


def can_store():
    """False with CACHE_URL=dummy://: whatever is set is gone, so keys need not be built."""
    return not isinstance(responses(), DummyCache)


def accepts_gzip(request):
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def is_anonymous(request):
    """No session and no flash messages: the response cannot depend on who asks."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def cache_key(request):
    # Kept on the request: the lookup, the rate-limited lookup and the store all need it.
    if not hasattr(request, "response_cache_key"):
        request.response_cache_key = _cache_key(request)
    return request.response_cache_key


def _cache_key(request):
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
    """(current version, cached entry or None): one query for the version, one cache read."""
    version = content_version.current()
    entry = responses().get(cache_key(request))
    if entry is None or entry["version"] != version:
        return version, None
    return version, entry


def enabled():
    return settings.RESPONSE_CACHE and can_store()


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
    if response.streaming:  # an export of any size: sent as it is made, never kept
        return
    patch_vary_headers(response, ["Accept-Encoding"])
    compress(request, response)
    if not is_storable(response):
        return
    entry = {
        "version": version,
        "status": response.status_code,
        "headers": list(response.items()),
        "content": response.content,
        "etag": response.get("ETag"),
    }
    responses().set(cache_key(request), entry, timeout=TIMEOUT)


def rebuild(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response.from_cache = True
    return response


def not_modified(request, etag):
    return etag in parse_etags(request.headers.get("If-None-Match", ""))


VALIDATORS = {"etag", "last-modified", "cache-control", "vary"}


def rebuild_not_modified(entry):
    """A 304 for a cached 200: the validators it was stored with."""
    response = HttpResponseNotModified()
    for name, value in entry["headers"]:
        if name.lower() in VALIDATORS:
            response[name] = value
    return response


def add_validators(response, etag, version):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.changed_at.timestamp())
    # Browsers and proxies may keep a copy but must revalidate: a 304 costs one cache read.
    patch_cache_control(response, public=True, no_cache=True)


class ResponseCacheMiddleware:
    """Serve and store whole responses for anonymous GET and HEAD requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        storing = enabled()
        if is_keyed_api(request):
            return self.fill(request) if storing else self.get_response(request)
        version, entry = self.lookup(request) if storing else (content_version.current(), None)
        # The view's ETag and counts use the version read here: no second cache read.
        request.content_version = version
        if entry is not None and self.may_serve(request):
            if entry["status"] == 200 and not_modified(request, entry["etag"]):
                return rebuild_not_modified(entry)
            return rebuild(entry)
        response = self.get_response(request)
        if not request.path.startswith(API) and response.status_code == 200:
            # The API's views set their own validators (dealmap.api).
            response = self.validate(request, response, version)
        if storing and response.status_code != 304 and is_anonymous_response(request):
            store(request, response, version)
        return response

    def applies(self, request):
        return (
            request.method in ("GET", "HEAD")
            and not SKIPPED.search(request.path)
            and is_anonymous(request)
        )

    def lookup(self, request):
        """The version and entry; for the API, the request counted against the rate limit.

        The count's verdict is left on the request: on a miss DRF's throttle reads it
        rather than counting the request twice (partners/throttles.py).
        """
        if request.path.startswith(API) and settings.RESPONSE_CACHE_API_GATE:
            gate = import_string(settings.RESPONSE_CACHE_API_GATE)
            request.anonymous_verdict = gate(request)
        return lookup(request)

    def may_serve(self, request):
        """A page hit is served at once; an API hit only within the anonymous rate limit.

        Over it, the request goes on to DRF, which answers the 429.
        """
        verdict = getattr(request, "anonymous_verdict", None)
        return verdict is None or verdict[0]

    def fill(self, request):
        """A partner's request: DRF authenticates and throttles it; its answer fills the cache."""
        response = self.get_response(request)
        version = getattr(response, "content_version", None)
        if version is not None and response.status_code != 304:
            store(request, response, version)
        return response

    def validate(self, request, response, version):
        if is_private(response):
            return response
        etag = response.get("ETag") or variant_etag(request, version)
        if not response.has_header("ETag"):
            add_validators(response, etag, version)
        if not_modified(request, etag):
            return self.not_modified(etag, version)
        return response

    def not_modified(self, etag, version):
        response = HttpResponseNotModified()
        add_validators(response, etag, version)
        return response


def is_keyed_api(request):
    return request.path.startswith(API) and "HTTP_X_API_KEY" in request.META


def is_anonymous_response(request):
    # The view may have logged someone in or read a user from elsewhere: only store
    # what an anonymous user was given.
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated
