from django.urls import path

from projects.site import maps as views

app_name = "maps"

urlpatterns = [
    path("", views.home, name="home"),
    path("maps/", views.map_list, name="list"),
    path("maps/<slug:slug>/", views.map_detail, name="map"),
    path("maps/<slug:slug>/preview/", views.map_preview, name="preview"),
    path("embed/maps/<slug:slug>/", views.embed, name="embed"),
]
