from django.contrib import admin
from django.urls import include, path, re_path

from dealmap.api import DocsView, SchemaView, api_not_found
from dealmap.health import healthz

admin.site.site_header = "dealmap admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The partner API (docs/api.md): versioned endpoints, their schema and interactive docs.
    path("api/v1/", include("dealmap.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
]
