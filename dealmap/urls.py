from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path

from dealmap.api import DocsView, SchemaView, api_not_found
from dealmap.health import healthz
from dealmap.markdown_preview import markdown_preview
from projects.site.projects import ProjectFeed
from projects.site.seo import SITEMAPS, robots_txt

admin.site.site_header = "dealmap admin"

urlpatterns = [
    # Before admin.site.urls, whose catch-all would otherwise answer this path.
    path(
        "admin/markdown-preview/",
        admin.site.admin_view(markdown_preview),
        name="admin-markdown-preview",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The partner API (docs/api.md): versioned endpoints, their schema and interactive docs.
    path("api/v1/", include("projects.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    path("", include("projects.site.map_urls")),
    path("projects/", include("projects.site.project_urls")),
    path("feed/", ProjectFeed(), name="feed"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
]
