from django.urls import path

from layers import views

app_name = "layers"

urlpatterns = [
    path("", views.home, name="home"),
    path("maps/", views.map_list, name="list"),
    path("maps/<slug:slug>/", views.map_detail, name="map"),
    path("maps/<slug:slug>/preview/", views.map_preview, name="preview"),
    path("embed/maps/<slug:slug>/", views.embed, name="embed"),
]
