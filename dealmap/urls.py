from django.contrib import admin
from django.urls import path

from dealmap.health import healthz
from dealmap.markdown_preview import markdown_preview

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
]
