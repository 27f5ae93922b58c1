"""The map pages: the default map at /, any published map, the list of maps, the embed.

A map page is a band per layer with at most TILES_PER_LAYER tiles each and a
count per layer; a bigger layer links to its full, paginated list. Filtering
and search take the same parameters as /projects/ through the shared FilterSet.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from dealmap import content_version
from layers.models import Layer, Map
from projects import search
from projects.expressions import CappedCount
from projects.models import Project
from projects.site import panel, selectors
from projects.site.projects import render_filtered, require_staff

# Three rows of tiles at desktop width, then "See all N in <layer>". The firm's own maps
# have at most 5 projects a layer and show them all; a map of thousands shows 108 tiles
# over 9 layers instead of 216, half the page for a visitor to scroll and for the server
# to draw (uncached at 100,000 projects: 0.07x the static file with 24, docs/benchmarks.md).
TILES_PER_LAYER = 12
TONES = 9


@dataclass
class Band:
    layer: object
    count: int
    tiles: list
    see_all: str  # the layer's full list, with the filters the map has now
    tone: int = 0  # the band's colour, one of TONES

    @property
    def hidden(self):
        return self.count - len(self.tiles)

    @property
    def capped(self):
        """More than COUNT_CAP projects: the page says "1,000+" rather than count them all."""
        return self.count > selectors.COUNT_CAP

    @property
    def label(self):
        return selectors.count_label(min(self.count, selectors.COUNT_CAP), capped=self.capped)


def bands_of(layers, counts, tiles, *, keep_empty=True, filters=None):
    """One band per layer: its count, its first tiles and the link to all of them."""
    # One reverse() for the page, and each link's query in the order it always had.
    list_url = reverse("projects:list")
    others = filters.urlencode() if filters else ""
    return [
        Band(
            layer,
            counts.get(layer.pk, 0),
            tiles.get(layer.pk, []),
            f"{list_url}?{others}{'&' if others else ''}"
            f"{urlencode({'map': layer.map.slug, 'layer': layer.slug})}",
            index % TONES,
        )
        for index, layer in enumerate(layers)
        if keep_empty or counts.get(layer.pk)
    ]


def map_bands(layers, projects, *, counts=None, keep_empty=True, filters=None):
    """The bands of `projects`, a queryset ordered within each layer: its first tiles in
    each layer (one query) and its count in each (`counts`, else one query)."""
    if counts is None:
        counts = selectors.capped_counts(projects, layers)
    tiles = selectors.first_tiles(projects, layers, TILES_PER_LAYER)
    return bands_of(layers, counts, tiles, keep_empty=keep_empty, filters=filters)


def plain_counts(version, projects, layers, scope):
    """The capped counts of a map with no filter: the same for every visitor until the
    content changes, so kept per content version."""
    return content_version.remember(
        version,
        f"layer-counts:{scope}",
        lambda: selectors.capped_counts(projects, layers),
        timeout=panel.FACETS_TIMEOUT,
    )


def page_version(request):
    """The content version the response cache middleware read for this request."""
    return getattr(request, "content_version", None) or content_version.current()


def _total_label(bands, *, searched):
    """ "1,234", or "9,000+" when a layer's count or the search stopped at its cap."""
    total = sum(min(band.count, selectors.COUNT_CAP) for band in bands)
    capped = any(band.capped for band in bands) or (searched and search.is_capped(total))
    return selectors.count_label(total, capped=capped)


def map_and_layers(*, slug=None, published=True):
    """The map (the first published one without `slug`) and its layers, in one query
    when it has any; (None, []) when there is no such map."""
    maps = Map.objects.published() if published else Map.objects.all()
    if slug is not None:
        maps = maps.filter(slug=slug)
    layers = list(
        Layer.objects.filter(map=Subquery(maps.values("pk")[:1]))
        .select_related("map")
        .order_by("position", "name", "pk")
    )
    if layers:
        return layers[0].map, layers
    return maps.first(), []


def filter_params(request):
    """The page's filters: its query less `page`, and `map`, which the URL gives already."""
    data = request.GET.copy()
    data.pop("map", None)
    data.pop("page", None)
    return data


def map_projects(layers):
    """The projects a map page draws, in the map's order within a layer.

    The layers are those of a published map (or of the map a preview shows as it will
    be once published), so the projects' own status is all there is left to check: no
    join to the map in every per-layer read.
    """
    return selectors.on_layers(layers).order_by(*selectors.IN_LAYER_ORDER)


def _map_page(request, *, slug=None, published=True, preview=False, home=False):
    map_, layers = map_and_layers(slug=slug, published=published)
    if map_ is None:
        if home:
            return render(request, "layers/no_map.html")
        raise Http404("No such map.")
    projects = map_projects(layers)
    scope = f"map-{map_.pk}{'-preview' if preview else ''}"
    data = filter_params(request)
    version = page_version(request)
    facets = panel.facets(projects, scope, version)
    filterset = panel.project_filter(data, projects, layers=layers, tags=facets.tags)
    filters = panel.filter_panel(filterset, facets=facets, layers=layers)
    bands, searched = [], False
    if filterset.is_valid():
        searched = bool(filterset.form.cleaned_data["q"])
        others = data.copy()
        others.pop("layer", None)
        # Without a filter every visitor sees the same counts.
        counts = None if data else plain_counts(version, projects, layers, scope)
        if searched:
            tiles, counts = selectors.ranked_tiles(
                selectors.ranked(filterset.qs), layers, TILES_PER_LAYER
            )
            bands = bands_of(layers, counts, tiles, keep_empty=False, filters=others)
        else:
            bands = map_bands(
                layers, filterset.qs, counts=counts, keep_empty=not filters.active, filters=others
            )
    context = {
        "map": map_,
        "bands": bands,
        "total": sum(band.count for band in bands),
        "total_label": _total_label(bands, searched=searched),
        "panel": filters,
        "preview": preview,
        "home": home,
        "form_url": request.path,
    }
    status = 400 if filters.errors else 200
    return render_filtered(request, "layers/map.html", context, fragment="bands", status=status)


@require_safe
def home(request):
    return _map_page(request, home=True)


@require_safe
def map_detail(request, slug):
    return _map_page(request, slug=slug)


@require_safe
@never_cache
def map_preview(request, slug):
    """Staff see any map as it will look once published; others get a 404."""
    require_staff(request)
    return _map_page(request, slug=slug, published=False, preview=True)


@require_safe
def map_list(request):
    # Counted up to COUNT_CAP + 1 ("1,000+"): an exact count read every project (0.3 s
    # at 100,000).
    published = Project.objects.published().filter(layer__map=OuterRef("pk"))
    maps = Map.objects.published().annotate(
        project_count=CappedCount(published, selectors.COUNT_CAP + 1),
        layer_count=Count("layers"),
    )
    for map_ in maps:
        map_.count_label = selectors.count_label(
            min(map_.project_count, selectors.COUNT_CAP),
            capped=map_.project_count > selectors.COUNT_CAP,
        )
    return render(request, "layers/map_list.html", {"maps": maps})


@require_safe
@xframe_options_exempt
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
def embed(request, slug):
    """A chrome-less map for other sites' iframes: the one path that may be framed."""
    map_, layers = map_and_layers(slug=slug)
    if map_ is None:
        raise Http404("No such map.")
    projects = map_projects(layers)
    counts = plain_counts(page_version(request), projects, layers, f"map-{map_.pk}")
    bands = map_bands(layers, projects, counts=counts)
    return render(request, "layers/embed.html", {"map": map_, "bands": bands})
