"""The map pages: the default map at /, any published map, the list of maps, the embed.

A map page is a band per layer with at most TILES_PER_LAYER tiles each and a
count per layer; a bigger layer links to its full, paginated list. Filtering
and search take the same parameters as /projects/ through the shared FilterSet.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
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


def map_bands(layers, projects, *, keep_empty=True, filters=None):
    """The bands of `projects`, a filtered queryset (two queries)."""
    counts, tiles = {}, {}
    for project in selectors.first_per_layer(projects, layers, TILES_PER_LAYER):
        tiles.setdefault(project.layer_id, []).append(project)
        counts[project.layer_id] = min(project.layer_total, selectors.COUNT_CAP + 1)
    return bands_of(layers, counts, tiles, keep_empty=keep_empty, filters=filters)


def plain_bands(map_, layers, tiles=None):
    """The bands of a map with no filter: counts kept per version, tiles in one query
    (or those map_and_layers read with the map)."""
    counts = selectors.layer_counts(layers, f"map-{map_.pk}")
    if tiles is None:
        tiles = selectors.plain_tiles(layers, TILES_PER_LAYER)
    return bands_of(layers, counts, tiles)


def _total_label(bands, *, searched):
    """ "1,234", or "9,000+" when a layer's count or the search stopped at its cap."""
    total = sum(min(band.count, selectors.COUNT_CAP) for band in bands)
    capped = any(band.capped for band in bands) or (searched and search.is_capped(total))
    return selectors.count_label(total, capped=capped)


# A map and its layers in one query. Written out because the ORM's version (a subquery
# for the map and select_related) took 2.5 ms to build and compile, for 0.4 ms of
# PostgreSQL. MAP_ID picks the map (columns of layers_map, unaliased).
MAP_COLUMNS = [field.column for field in Map._meta.concrete_fields]
LAYER_COLUMNS = [field.column for field in Layer._meta.concrete_fields]
MAP_ID = "(SELECT id FROM layers_map WHERE {where} ORDER BY position, name LIMIT 1)"
MAP_AND_LAYERS_SQL = (
    "SELECT {map_columns}, {layer_columns} FROM layers_map m"
    " LEFT JOIN layers_layer l ON l.map_id = m.id"
    " WHERE m.id = {map_id} ORDER BY l.position, l.name, l.id"
)
# The same layers, in the same order, as the rows selectors.plain_tiles_sql reads from.
MAP_LAYERS_SQL = (
    "SELECT id, row_number() OVER (ORDER BY position, name, id) AS rank"
    " FROM layers_layer WHERE map_id = {map_id}"
)


def map_and_layers(*, slug=None, published=True, tiles=False):
    """The map (the first published one without `slug`), its layers, and with `tiles`
    their first tiles ({layer id: tiles}, else None).

    (None, [], None) when there is no such map. On PostgreSQL the tiles' query goes
    out with the map's in one round trip (a pipeline): the two do not wait on each
    other, and a round trip cost more here than either query.
    """
    where, params = [], []
    if published:
        # Written in, not passed: the plan is then the same for every request.
        where.append(f"status = '{Status.PUBLISHED.value}'")
    if slug is not None:
        where.append("slug = %s")
        params.append(slug)
    map_id = MAP_ID.format(where=" AND ".join(where) or "TRUE")
    sql = MAP_AND_LAYERS_SQL.format(
        map_columns=", ".join(f"m.{column}" for column in MAP_COLUMNS),
        layer_columns=", ".join(f"l.{column}" for column in LAYER_COLUMNS),
        map_id=map_id,
    )
    tile_rows = None
    with connection.cursor() as cursor, connection.cursor() as tiles_cursor:
        if tiles and connection.vendor == "postgresql":
            layers_sql = MAP_LAYERS_SQL.format(map_id=map_id)
            tiles_sql = selectors.plain_tiles_sql(layers_sql, TILES_PER_LAYER)
            with connection.connection.pipeline():
                cursor.execute(sql, params)
                tiles_cursor.execute(tiles_sql, params)
                rows, tile_rows = cursor.fetchall(), tiles_cursor.fetchall()
        else:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    if not rows:
        return None, [], None
    split = len(MAP_COLUMNS)
    map_ = Map.from_db(connection.alias, None, rows[0][:split])
    layers = [Layer.from_db(connection.alias, None, row[split:]) for row in rows if row[split]]
    for layer in layers:
        layer.map = map_
    if tile_rows is not None:
        return map_, layers, selectors.tiles_of(tile_rows, layers)
    return map_, layers, (selectors.plain_tiles(layers, TILES_PER_LAYER) if tiles else None)


def filter_params(request):
    """The page's filters: its query less `page`, and `map`, which the URL gives already."""
    data = request.GET.copy()
    data.pop("map", None)
    data.pop("page", None)
    return data


def _map_page(request, *, slug=None, published=True, preview=False, home=False):
    data = filter_params(request)
    # No filter: no FilterSet to build and validate, and constant SQL (selectors).
    map_, layers, tiles = map_and_layers(slug=slug, published=published, tiles=not data)
    if map_ is None:
        if home:
            return render(request, "layers/no_map.html")
        raise Http404("No such map.")
    # A preview shows the same projects as the public map: the published ones.
    facets = selectors.facets(layers, f"map-{map_.pk}")
    if data:
        bands, panel, searched = _filtered_bands(data, map_, layers, facets)
    else:
        bands, searched = plain_bands(map_, layers, tiles), False
        panel = selectors.plain_panel(facets, layers)
    context = {
        "map": map_,
        "bands": bands,
        "total": sum(band.count for band in bands),
        "total_label": _total_label(bands, searched=searched),
        "panel": panel,
        "preview": preview,
        "home": home,
        "form_url": request.path,
    }
    status = 400 if panel.errors else 200
    return render_filtered(request, "layers/map.html", context, fragment="bands", status=status)


def _filtered_bands(data, map_, layers, facets):
    """(bands, filter panel, whether it searched) for a map page with filters."""
    filterset = selectors.project_filter(
        data, selectors.published_in(layers), layers=layers, tags=facets.tags
    )
    panel = selectors.filter_panel(filterset, facets=facets, layers=layers)
    if not filterset.is_valid():
        return [], panel, False
    others = data.copy()
    others.pop("layer", None)
    bands = map_bands(layers, filterset.qs, keep_empty=not panel.active, filters=others)
    return bands, panel, bool(filterset.form.cleaned_data["q"])


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
    map_, layers, tiles = map_and_layers(slug=slug, tiles=True)
    if map_ is None:
        raise Http404("No such map.")
    bands = plain_bands(map_, layers, tiles)
    return render(request, "layers/embed.html", {"map": map_, "bands": bands})
