"""Public project pages: the filtered list, a project's page, its staff preview, the feed.

Plain function views with no per-request global state, so a cache decorator can
wrap any of them. Every page runs a fixed number of queries, whatever the number
of projects (tests/test_public_queries.py).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dealmap import content_version
from dealmap.jinja2 import render_block
from dealmap.pagination import CappedPaginator
from projects import search
from projects.models import Project, published_q
from projects.site import panel, selectors
from projects.site.charts import metric_series

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
    # One query for the layers, with their maps: the map choices come from them. Their
    # projects are the published ones (Project.objects.published()), with no join to
    # the map in every per-layer read and count.
    layers = list(selectors.published_layers())
    base = selectors.on_layers(layers)
    maps = selectors.maps_of(layers)
    version = getattr(request, "content_version", None) or content_version.current()
    facets = panel.facets(base, "all", version)
    filterset = panel.project_filter(request.GET, base, layers=layers, tags=facets.tags, maps=maps)
    page = None
    count_label = ""
    search_capped = False
    if filterset.is_valid():
        chosen = filterset.form.cleaned_data
        searched = bool(chosen["q"])
        if searched:
            paginator = RankedPaginator(selectors.ranked(filterset.qs), PAGE_SIZE)
            page = paginator.get_page(request.GET.get("page"))
            found = selectors.tiles_by_id([pk for pk, _ in page.object_list])
            page.object_list = _with_layers([found[pk] for pk, _ in page.object_list], layers)
        else:
            paginator = CappedPaginator(filterset.qs, PAGE_SIZE, cap=selectors.COUNT_CAP)
            page = paginator.get_page(request.GET.get("page"))
            page.object_list = page_rows(filterset.qs, page, _offered(layers, chosen), chosen)
        search_capped = searched and search.is_capped(paginator.count)
        count_label = selectors.count_label(
            paginator.count, capped=paginator.capped or search_capped
        )
    filters = panel.filter_panel(filterset, facets=facets, layers=layers, maps=maps)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "count_label": count_label,
        "search_capped": search_capped,
        "search_matches": search.MATCHES,
        "panel": filters,
        "query": query.urlencode(),
    }
    status = 200 if page is not None else 400
    return render_filtered(
        request, "projects/list.html", context, fragment="results", status=status
    )


class RankedPaginator(Paginator):
    """Pages of a search's ranked matches, read whole (selectors.ranked): counted exactly."""

    capped = False


def _with_layers(rows, layers):
    by_pk = {layer.pk: layer for layer in layers}
    for row in rows:
        row.layer = by_pk[row.layer_id]
    return rows


def _offered(layers, chosen):
    """The layers the chosen map and layers leave: only those hold a match."""
    if chosen["layer"]:
        return [layer for layer in layers if layer in chosen["layer"]]
    if chosen["map"]:
        return [layer for layer in layers if layer.map_id == chosen["map"].pk]
    return layers


def page_rows(projects, page, layers, chosen):
    """The page's tiles, in the order asked for: an ordering read from its index, or
    else the maps' order."""
    start = (page.number - 1) * PAGE_SIZE
    rows = selectors.tiles(projects)
    if not chosen["ordering"]:
        rows = selectors.in_map_order(rows, projects, layers, start + PAGE_SIZE)
    return selectors.with_headline(list(rows[start : start + PAGE_SIZE]))


def _render_project(request, queryset, slug, *, preview=False):
    """A project's page. Its layer's other published projects give the previous, the
    next and the related tiles (the first RELATED in the map's order)."""
    # Its layer's published projects: the layer is the project's, on its map.
    neighbours = Project.objects.filter(published_q(any_map=True))
    project, related = selectors.with_related(queryset, neighbours, slug, RELATED)
    if project is None:
        raise Http404("No such project.")
    team = list(project.team.all())
    previous, following = selectors.siblings(project)
    context = {
        "project": project,
        "team": team,
        "tags": list(project.tags.all()),
        "layer": project.layer,
        "map": project.layer.map,
        "series": metric_series(list(project.metrics.all())),
        "related": related,
        "previous": previous,
        "next": following,
        "preview": preview,
        "json_ld": _json_ld(request, project, team),
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


def _json_ld(request, project, team):
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
    if founders := [m.name for m in team if m.is_founder]:
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
        return reverse("maps:home")

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
