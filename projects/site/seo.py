"""What search engines read: the sitemap (published content only) and robots.txt."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from layers.models import Map
from projects.models import Project


class PageSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return ["maps:home", "maps:list", "projects:list"]

    def location(self, item):
        return reverse(item)


class MapSitemap(Sitemap):
    priority = 0.7

    def items(self):
        return Map.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class ProjectSitemap(Sitemap):
    priority = 0.6
    limit = 5000

    def items(self):
        return Project.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": PageSitemap, "maps": MapSitemap, "projects": ProjectSitemap}


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /embed/",
        "Disallow: /projects/*/preview/",
        "Disallow: /maps/*/preview/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
