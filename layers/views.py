"""The map pages: the default map at /, any published map, the list of maps, the embed.

A map page is a band per layer with at most TILES_PER_LAYER tiles each and a
count per layer; a bigger layer links to its full, paginated list. Filtering
and search take the same parameters as /projects/ through the shared FilterSet.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects import search, selectors
from projects.expressions import CappedCount
from projects.models import Project
from projects.views import render_filtered, require_staff

TILES_PER_LAYER = 24
TONES = 9


@dataclass
class Band:
    layer: object
    count: int
    tiles: list
    filters: QueryDict
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

    @property
    def see_all(self):
        """The layer's full list, with the filters the map has now."""
        query = self.filters.copy()
        query.setlist("map", [self.layer.map.slug])
        query.setlist("layer", [self.layer.slug])
        return f"{reverse('projects:list')}?{query.urlencode()}"


def map_bands(layers, projects, *, keep_empty=True, filters=None):
    """One band per layer of the map: its count and its first tiles (two queries)."""
    counts, tiles = {}, {}
    for project in selectors.first_per_layer(projects, layers, TILES_PER_LAYER):
        tiles.setdefault(project.layer_id, []).append(project)
        counts[project.layer_id] = min(project.layer_total, selectors.COUNT_CAP + 1)
    filters = filters if filters is not None else QueryDict()
    return [
        Band(layer, counts.get(layer.pk, 0), tiles.get(layer.pk, []), filters, index % TONES)
        for index, layer in enumerate(layers)
        if keep_empty or counts.get(layer.pk)
    ]


def _map_projects(layers):
    """The published projects of the map's layers: a preview shows what publishing would.

    The map is published (or previewed) already, so no join checks it again: each
    per-layer query of the page is then one index range.
    """
    return Project.objects.filter(status=Status.PUBLISHED, layer__in=layers)


def _total_label(bands, *, searched):
    """ "1,234", or "9,000+" when a layer's count or the search stopped at its cap."""
    total = sum(min(band.count, selectors.COUNT_CAP) for band in bands)
    capped = any(band.capped for band in bands) or (searched and search.is_capped(total))
    return selectors.count_label(total, capped=capped)


def map_and_layers(maps):
    """The first of `maps` and its layers, in one query (two for a map with no layer).

    (None, []) when there is no such map.
    """
    layers = list(Layer.objects.filter(map=Subquery(maps.values("pk")[:1])).select_related("map"))
    if layers:
        return layers[0].map, layers
    return maps.first(), []


def _render_map(request, map_, layers, *, preview=False, home=False):
    if map_ is None:
        raise Http404("No such map.")
    base = _map_projects(layers)
    # The map is in the URL; `map` would only contradict it.
    data = request.GET.copy()
    data.pop("map", None)
    data.pop("page", None)
    # A preview shows the same projects as the public map: the published ones.
    facets = selectors.facets(layers, f"map-{map_.pk}")
    filterset = selectors.project_filter(data, base, layers=layers, tags=facets.tags)
    panel = selectors.filter_panel(filterset, facets=facets, layers=layers)
    valid = filterset.is_valid()
    others = data.copy()
    others.pop("layer", None)
    bands = (
        map_bands(layers, filterset.qs, keep_empty=not panel.active, filters=others)
        if valid
        else []
    )
    context = {
        "map": map_,
        "bands": bands,
        "total": sum(band.count for band in bands),
        "total_label": _total_label(bands, searched=valid and filterset.form.cleaned_data["q"]),
        "panel": panel,
        "preview": preview,
        "home": home,
        "form_url": request.path,
    }
    return render_filtered(
        request, "layers/map.html", context, fragment="bands", status=200 if valid else 400
    )


@require_safe
def home(request):
    map_, layers = map_and_layers(Map.objects.published())
    if map_ is None:
        return render(request, "layers/no_map.html")
    return _render_map(request, map_, layers, home=True)


@require_safe
def map_detail(request, slug):
    return _render_map(request, *map_and_layers(Map.objects.published().filter(slug=slug)))


@require_safe
@never_cache
def map_preview(request, slug):
    """Staff see any map as it will look once published; others get a 404."""
    require_staff(request)
    return _render_map(request, *map_and_layers(Map.objects.filter(slug=slug)), preview=True)


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
    map_, layers = map_and_layers(Map.objects.published().filter(slug=slug))
    if map_ is None:
        raise Http404("No such map.")
    bands = map_bands(layers, _map_projects(layers))
    return render(request, "layers/embed.html", {"map": map_, "bands": bands})
