from django.urls import path

from projects.site import projects as views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/preview/", views.project_preview, name="preview"),
]
