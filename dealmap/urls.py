from django.contrib import admin
from django.urls import path

from dealmap.health import healthz

admin.site.site_header = "dealmap admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
