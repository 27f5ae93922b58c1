"""What every partner API view shares: paging, conditional requests, error shapes.

The endpoints live in projects/api/ (maps.py, projects.py, wired in urls.py); this
module only holds the cross-cutting pieces, which settings name.
"""

from django.http import HttpResponseNotModified, JsonResponse
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from dealmap import caching, content_version


class NotModified(Exception):
    pass


class CachedHit(Exception):
    pass


class ConditionalMixin:
    # ETag and Last-Modified on every successful GET; `If-None-Match` answers 304.
    # The ETag is the content version plus the request's path and query, so any publish
    # changes every ETag at once, and a client revalidates for the price of one query (the
    # version). Whole responses are cached by dealmap.caching's middleware,
    # which answers anonymous hits itself; a partner's request (X-API-Key) is authenticated
    # and throttled here first, then answered from that cache when it can be. (A comment,
    # not a docstring: the schema would show it.)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.etag = None
        self.cached = None
        if request.method in ("GET", "HEAD"):
            self.content_version, self.cached = self._lookup(request)
            self.etag = content_version.etag(
                request.get_full_path(),
                request.accepted_media_type or "",
                "gzip" if caching.accepts_gzip(request) else "",
                version=self.content_version,
            )
            if self.etag in parse_etags(request.headers.get("If-None-Match", "")):
                raise NotModified
            if self.cached is not None:
                raise CachedHit

    def _lookup(self, request):
        """(version, cached entry): the middleware's reading if it made one (then it missed).

        DRF's Request hands attribute reads on to the HttpRequest it wraps.
        """
        version = getattr(request, "content_version", None)
        if version is not None:
            return version, None
        if caching.is_keyed_api(request) and caching.enabled():
            return caching.lookup(request)
        return content_version.current(), None

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return self._validators(HttpResponseNotModified())
        if isinstance(exc, CachedHit):
            return caching.rebuild(self.cached)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 or request.method == "OPTIONS":
            # Errors and OPTIONS metadata are JSON, whatever the endpoint's own format (CSV, YAML).
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "etag", None) and response.status_code == 200:
            self._validators(response)
        # The middleware stores a partner's response under the version it was built with.
        response.content_version = getattr(self, "content_version", None)
        return response

    def _validators(self, response):
        caching.add_validators(response, self.etag, self.content_version)
        return response


def api_not_found(request, *args, **kwargs):
    """Unknown /api/ paths answer JSON, like everything else under /api/."""
    return JsonResponse({"detail": "Not found. See /api/docs/ for the endpoints."}, status=404)


# Error bodies, for the schema.
DETAIL_ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})

BAD_REQUEST = OpenApiResponse(
    response={
        "type": "object",
        "description": "Each key names a bad parameter; its value lists what is wrong.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"country": ["Use a two-letter country code, e.g. US."]},
    },
    description="A parameter has a bad value; the body names it.",
)
NOT_FOUND = OpenApiResponse(DETAIL_ERROR, description="No published object has this slug.")
# Keyed by media type too: errors are JSON even where the endpoint serves CSV.
JSON = "application/json"
ERROR_RESPONSES = {
    (400, JSON): BAD_REQUEST,
    (401, JSON): OpenApiResponse(
        DETAIL_ERROR, description="The X-API-Key is unknown, revoked or expired."
    ),
    (429, JSON): OpenApiResponse(
        DETAIL_ERROR, description="Rate limit reached; `Retry-After` says when to try again."
    ),
}


class SchemaView(ConditionalMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, with the same ETag handling as the endpoints it describes."""


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's CSP: the initialiser is a separate script (no inline
    script) and the page's own style a static file (no inline style)."""

    template_name = "api/swagger_ui.html"
