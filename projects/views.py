"""Public project pages: the filtered list, a project's page, its staff preview, the feed.

Plain function views with no per-request global state, so a cache decorator can
wrap any of them. Every page runs a fixed number of queries, whatever the number
of projects (tests/test_public_queries.py).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dealmap.jinja2 import render_block
from dealmap.pagination import CappedPaginator
from projects import search, selectors
from projects.charts import metric_series
from projects.models import Project

PAGE_SIZE = 48
RELATED = 6
FEED_ITEMS = 50


def is_htmx(request):
    """An htmx swap asks for the fragment; a history restore needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_filtered(request, template, context, *, fragment, status=200):
    """The whole page, or for htmx the swapped fragment plus the out-of-band result count.

    `fragment` and `count` are blocks of the page's template (dealmap.jinja2.render_block).
    """
    if is_htmx(request):
        html = render_block(request, template, fragment, context)
        html += render_block(request, template, "count", {**context, "oob": True})
        response = HttpResponse(html, status=status)
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def require_staff(request):
    user = request.user
    if not (user.is_active and user.is_staff):
        raise Http404("No such page.")


@require_safe
def project_list(request):
    base = Project.objects.published()
    # One query for the layers, with their maps: the map choices come from them.
    layers = list(selectors.published_layers())
    maps = selectors.maps_of(layers)
    facets = selectors.facets(layers, "all")
    filterset = selectors.project_filter(
        request.GET, base, layers=layers, tags=facets.tags, maps=maps
    )
    page = None
    count_label = ""
    search_capped = False
    if filterset.is_valid():
        searched = bool(filterset.form.cleaned_data.get("q"))
        rows = selectors.page_rows(filterset.qs, layers, searched=searched)
        paginator = CappedPaginator(rows, PAGE_SIZE, cap=selectors.COUNT_CAP)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.with_headline(list(page.object_list))
        search_capped = searched and search.is_capped(paginator.count)
        count_label = selectors.count_label(
            paginator.count, capped=paginator.capped or search_capped
        )
    panel = selectors.filter_panel(filterset, facets=facets, layers=layers, maps=maps)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "count_label": count_label,
        "search_capped": search_capped,
        "search_matches": search.MATCHES,
        "panel": panel,
        "query": query.urlencode(),
    }
    status = 200 if page is not None else 400
    return render_filtered(
        request, "projects/list.html", context, fragment="results", status=status
    )


def _render_project(request, queryset, slug, *, preview=False):
    project = get_object_or_404(
        selectors.with_siblings(queryset.select_related("layer__map")).prefetch_related(
            "tags", "team"
        ),
        slug=slug,
    )
    # The map's order within one layer: read from the (layer, position, name) index,
    # where the default order by map and layer positions sorted the whole layer.
    related = list(
        Project.objects.published()
        .filter(layer_id=project.layer_id)
        .exclude(pk=project.pk)
        .select_related("layer")
        .order_by("position", "name")[:RELATED]
    )
    metrics = selectors.metrics_with_headlines(project, related)
    previous, following = selectors.siblings(project)
    context = {
        "project": project,
        "layer": project.layer,
        "map": project.layer.map,
        "series": metric_series(metrics),
        "related": related,
        "previous": previous,
        "next": following,
        "preview": preview,
        "json_ld": _json_ld(request, project),
        "links": [
            (label, url)
            for label, url in (
                ("Website", project.website),
                ("X", project.x_url),
                ("GitHub", project.github_url),
                ("Docs", project.docs_url),
            )
            if url
        ],
    }
    return render(request, "projects/detail.html", context)


def _json_ld(request, project):
    """schema.org Organization for the project: what search engines show beside the link."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": project.name,
        "url": project.website or request.build_absolute_uri(project.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(project.get_absolute_url()),
    }
    if project.one_liner:
        data["description"] = project.one_liner
    if project.logo:
        data["logo"] = request.build_absolute_uri(project.logo.url)
    if project.founded_year:
        data["foundingDate"] = str(project.founded_year)
    if same_as := [url for url in (project.x_url, project.github_url) if url]:
        data["sameAs"] = same_as
    if founders := [m.name for m in project.team.all() if m.is_founder]:
        data["founder"] = [{"@type": "Person", "name": name} for name in founders]
    return data


@require_safe
def project_detail(request, slug):
    return _render_project(request, Project.objects.published(), slug)


@require_safe
@never_cache
def project_preview(request, slug):
    """Staff see any project exactly as its public page will show it; others get a 404."""
    require_staff(request)
    return _render_project(request, Project.objects.all(), slug, preview=True)


class ProjectFeed(Feed):
    """Atom: the projects most recently published or updated."""

    feed_type = Atom1Feed
    description_template = None

    def title(self):
        return f"{settings.SITE_NAME}: new and updated projects"

    def subtitle(self):
        return f"Projects on {settings.FIRM_NAME}'s market maps, newest changes first."

    def link(self):
        return reverse("layers:home")

    def feed_url(self):
        return reverse("feed")

    def items(self):
        return (
            Project.objects.published()
            .select_related("layer__map")
            .order_by("-updated_at", "pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        return format_html(
            "<p>{}</p><p>{} / {}</p>", item.one_liner, item.layer.map.name, item.layer.name
        )

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.layer.name]
