"""The partner API, version 1: every app's endpoints under /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from dealmap.api import api_not_found
from projects.api.maps import LayerViewSet, MapViewSet
from projects.api.projects import ChangeListView, ProjectCSVView, ProjectViewSet

app_name = "api"

router = SimpleRouter()
router.register("maps", MapViewSet, basename="map")
router.register("projects", ProjectViewSet, basename="project")

layer_list = LayerViewSet.as_view({"get": "list"})
layer_detail = LayerViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("projects.csv", ProjectCSVView.as_view(), name="project-csv"),
    path("changes/", ChangeListView.as_view(), name="change-list"),
    path("layers/", layer_list, name="layer-list"),
    path("layers/<slug:map_slug>/<slug:slug>/", layer_detail, name="layer-detail"),
    *router.urls,
    re_path(r"^.*$", api_not_found),
]
