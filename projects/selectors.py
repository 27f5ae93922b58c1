"""Read helpers shared by the public pages: each runs a fixed number of queries.

The views build a queryset (published, or any status for a staff preview), run it
through the shared `ProjectFilter`, and hand it to these functions.
"""

import json
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property

from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    Subquery,
    TextField,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, JSONObject, RowNumber

from dealmap import caching, content_version, local_cache
from dealmap.editorial import Status
from layers.models import Layer
from projects.expressions import CappedCount
from projects.filters import ProjectFilter
from projects.models import Project, Stage, Tag, TractionMetric

# How many tag checkboxes the filter panel offers (tags in use, plus any chosen).
TAG_CHOICES = 40
# A count past this shows as "1,000+": counting further would read every match.
COUNT_CAP = 1000
# Facets are keyed by the content version, so any edit makes them stale at once;
# the timeout only lets keys of old versions go.
FACETS_TIMEOUT = 60 * 60

FIELD_NAMES = {f.name for f in Project._meta.concrete_fields}
# What a tile shows, and what orders it: a tile needs no other column.
TILE_FIELDS = ["slug", "name", "logo", "one_liner", "is_portfolio", "layer", "position"]


def _headline_json():
    """The tile's headline figure as JSON, read only where there is no one-liner (which
    shows instead): an index probe per tile in the tiles' own query, not one more query."""
    newest = TractionMetric.objects.filter(project=OuterRef("pk"), is_headline=True)
    figure = JSONObject(label="label", value="value", unit="unit", qualifier="qualifier")
    first = newest.order_by("-as_of", "position").values_list(figure)[:1]
    return Case(When(one_liner="", then=Subquery(first)), output_field=TextField())


def tiles(queryset):
    """What a project tile shows: its layer, and its headline figure (`with_headline`)."""
    return (
        queryset.select_related("layer")
        .only(*TILE_FIELDS, "layer__name", "layer__slug", "layer__map_id")
        .annotate(headline_json=_headline_json())
    )


def with_headline(rows):
    """Each tile's `headline`: a TractionMetric (unsaved) or None."""
    for row in rows:
        found = row.headline_json and json.loads(row.headline_json, parse_float=Decimal)
        row.headline = TractionMetric(**found) if found else None
    return rows


def _order_in_layer(queryset):
    """The queryset's ordering, less the map and layer positions (constant within a layer)."""
    names = queryset.query.order_by or queryset.model._meta.ordering
    return [
        name
        for name in names
        if isinstance(name, str) and not name.lstrip("-").startswith("layer__")
    ]


def count_label(count, *, capped=False):
    """ "24", or "1,000+" for a count that stopped at a cap."""
    return f"{count:,}+" if capped else f"{count:,}"


def first_per_layer(queryset, layers, limit):
    """At most `limit` projects of each layer, in the queryset's own order (one query).

    Each row carries its layer's count (`layer_total`), capped at COUNT_CAP + 1: the
    band counts need no query of their own, and a layer of 100,000 projects costs no
    more than one of 30.
    """
    if not layers:
        return []
    if connections[queryset.db].vendor == "postgresql":
        rows = list(_per_layer_lateral(queryset, layers, limit))
    else:
        rows = list(_per_layer_window(queryset, limit))
    by_pk = {layer.pk: layer for layer in layers}
    for row in rows:
        row.layer = by_pk[row.layer_id]
    return with_headline(rows)


# One query per layer, run by PostgreSQL for each layer in turn (LATERAL): each
# reads `limit` entries of the (layer, position, name) index, whatever the size of
# the layer. Planned once, where a UNION of one query per layer was planned nine
# times (2.5 ms).
LATERAL_SQL = """
SELECT tile.* FROM unnest(%s::bigint[]) WITH ORDINALITY AS layer_ref (id, rank)
CROSS JOIN LATERAL ({part}) tile
ORDER BY {order}
"""


def _lateral_rows(queryset, layers, limit, *, annotations=None, window=""):
    """The first `limit` rows of `queryset` in each of `layers`, in the queryset's order
    within a layer, and the layers' order (`layers`) between layers (one query)."""
    in_layer = queryset.filter(layer_id=RawSQL("layer_ref.id", (), output_field=IntegerField()))
    order = _order_in_layer(queryset)
    # The outer ORDER BY reads the ordering columns from the rows: select them too.
    ordering_fields = [name.lstrip("-") for name in order if name.lstrip("-") in FIELD_NAMES]
    part = (
        in_layer.only(*TILE_FIELDS, *ordering_fields)
        .annotate(headline_json=_headline_json(), **(annotations or {}))
        .order_by(*order)[:limit]
    )
    sql, params = part.query.sql_with_params()
    outer = ", ".join(["layer_ref.rank", *(_column(queryset.model, name) for name in order)])
    return queryset.model.objects.raw(
        LATERAL_SQL.format(part=sql, order=outer) + window,
        [[layer.pk for layer in layers], *params],
    )


def _per_layer_lateral(queryset, layers, limit):
    in_layer = queryset.filter(layer_id=RawSQL("layer_ref.id", (), output_field=IntegerField()))
    # Each layer's count stops at COUNT_CAP + 1: one more index range, as short.
    count = CappedCount(in_layer, COUNT_CAP + 1)
    return _lateral_rows(queryset, layers, limit, annotations={"layer_total": count})


@dataclass(slots=True)
class StoredFile:
    """A stored file's name and URL, as a FileField gives them, without a model instance."""

    name: str

    def __bool__(self):
        return bool(self.name)

    @property
    def url(self):
        return default_storage.url(self.name)


@dataclass(slots=True)
class Tile:
    """What a project tile shows, read straight from a row: no model instance is built."""

    slug: str
    name: str
    logo: StoredFile
    one_liner: str
    is_portfolio: bool
    layer: object
    headline: object = None


# A map with no filter, the page most visitors see: each layer's first tiles in map
# order, read from the (layer, position, name) index one layer after another. The same
# query built with the ORM (first_per_layer) took 5 ms to compile and 9 ms to turn into
# models at 216 tiles, for 2 ms of PostgreSQL's own time. The headline figure is read
# only where there is no one-liner (which shows instead). The status is written into the
# SQL, not passed: a prepared statement's generic plan cannot use the partial indexes of
# published rows with it as a parameter, so PostgreSQL planned the query anew each time.
# `{{layers}}`: a query of the layers' ids and ranks (LAYER_IDS_SQL, or the map's layers).
PLAIN_TILES_SQL = f"""
SELECT tile.* FROM ({{layers}}) layer_ref
CROSS JOIN LATERAL (
    SELECT p.slug, p.name, p.logo, p.one_liner, p.is_portfolio, p.layer_id, p.position,
        CASE WHEN p.one_liner = '' THEN (
            SELECT json_build_object(
                'label', m.label, 'value', m.value, 'unit', m.unit, 'qualifier', m.qualifier
            )::text
            FROM projects_tractionmetric m
            WHERE m.project_id = p.id AND m.is_headline
            ORDER BY m.as_of DESC, m.position LIMIT 1
        ) END AS headline
    FROM projects_project p
    WHERE p.status = '{Status.PUBLISHED.value}' AND p.layer_id = layer_ref.id
    ORDER BY p.position, p.name
    LIMIT {{limit}}
) tile
ORDER BY layer_ref.rank, tile.position, tile.name
"""  # noqa: S608 the one value written in is the code's own constant
LAYER_IDS_SQL = "SELECT * FROM unnest(%s::bigint[]) WITH ORDINALITY AS layer_ids (id, rank)"
# Each layer's published projects, counted no further than the cap (an index range each).
LAYER_COUNTS_SQL = f"""
SELECT layer_ref.id, (
    SELECT count(*) FROM (
        SELECT 1 FROM projects_project p
        WHERE p.status = '{Status.PUBLISHED.value}' AND p.layer_id = layer_ref.id LIMIT %s
    ) capped
) FROM unnest(%s::bigint[]) AS layer_ref (id)
"""  # noqa: S608 the one value written in is the code's own constant


def plain_tiles_sql(layers_sql, limit):
    """PLAIN_TILES_SQL over the layers `layers_sql` selects, `limit` tiles a layer.

    The limit is written in, not passed: with it as a parameter, a prepared statement's
    generic plan expects every row of a layer, so PostgreSQL planned each execution anew.
    """
    return PLAIN_TILES_SQL.format(layers=layers_sql, limit=int(limit))


def plain_tiles(layers, limit):
    """{layer id: its first `limit` published tiles}, in map order (one query)."""
    if connection.vendor != "postgresql":
        found = {}
        for project in first_per_layer(published_in(layers), layers, limit):
            found.setdefault(project.layer_id, []).append(project)
        return found
    with connection.cursor() as cursor:
        cursor.execute(plain_tiles_sql(LAYER_IDS_SQL, limit), [[layer.pk for layer in layers]])
        return tiles_of(cursor.fetchall(), layers)


def tiles_of(rows, layers):
    """{layer id: [Tile]} from rows of PLAIN_TILES_SQL."""
    by_pk = {layer.pk: layer for layer in layers}
    found = {}
    for slug, name, logo, one_liner, portfolio, layer_id, _, headline in rows:
        tile = Tile(slug, name, StoredFile(logo), one_liner, portfolio, by_pk[layer_id])
        if headline:
            tile.headline = TractionMetric(**json.loads(headline, parse_float=Decimal))
        found.setdefault(layer_id, []).append(tile)
    return found


def layer_counts(layers, scope):
    """{layer id: published projects, capped at COUNT_CAP + 1}, kept per content version."""
    return local_cache.remember(
        content_version.current(),
        f"layer-counts:{scope}",
        lambda: _layer_counts(layers),
        timeout=FACETS_TIMEOUT,
    )


def _layer_counts(layers):
    ids = [layer.pk for layer in layers]
    if connection.vendor != "postgresql":
        rows = published_in(layers).order_by().values_list("layer_id").annotate(n=Count("pk"))
        counts = dict(rows)
        return {pk: min(counts.get(pk, 0), COUNT_CAP + 1) for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(LAYER_COUNTS_SQL, [COUNT_CAP + 1, ids])
        return dict(cursor.fetchall())


def published_in(layers):
    """The published projects of these layers. The map is published (or previewed)
    already, so no join checks it again: each per-layer read is one index range."""
    return Project.objects.filter(status=Status.PUBLISHED, layer__in=layers)


class InMapOrder:
    """A list in the maps' order (each map's layers in turn, then position and name in
    a layer), that the paginator slices (PostgreSQL).

    Ordering by the map's and the layer's positions sorted every match (18 ms for one
    layer at 100,000 projects, 175 ms for all); a page instead reads its rows from the
    (layer, position, name) index, layer by layer, and sorts those.
    """

    def __init__(self, queryset, layers):
        self.queryset = queryset
        self.layers = layers

    def capped_count(self, limit):
        return self.queryset.order_by().values("pk")[:limit].count()

    def __getitem__(self, window):
        if window.stop <= window.start:
            return []
        limit = f" LIMIT {int(window.stop - window.start)} OFFSET {int(window.start)}"
        rows = list(_lateral_rows(self.queryset, self.layers, window.stop, window=limit))
        by_pk = {layer.pk: layer for layer in self.layers}
        for row in rows:
            row.layer = by_pk[row.layer_id]
        return rows


class FewRows:
    """A queryset known to be short (a search's capped candidates), ordered once.

    Its ids, in order, give the count and each page; a page's rows then come by id.
    A search's matching and ranking run once instead of once for the count and once
    for the page.
    """

    def __init__(self, queryset):
        self.queryset = queryset

    @cached_property
    def ids(self):
        return list(self.queryset.values_list("pk", flat=True))

    def capped_count(self, limit):
        return min(len(self.ids), limit)

    def __getitem__(self, window):
        ids = self.ids[window]
        if not ids:
            return []
        found = {row.pk: row for row in tiles(Project.objects.filter(pk__in=ids))}
        return [found[pk] for pk in ids]


def page_rows(queryset, layers, *, searched=False):
    """What the project list pages through: rows that `with_headline` completes."""
    if connections[queryset.db].vendor != "postgresql":
        return tiles(queryset)
    if searched:
        return FewRows(queryset)
    if not queryset.query.order_by:
        return InMapOrder(queryset, layers)
    return tiles(queryset)


def _column(model, name):
    """ "-name" -> 'tile."name" DESC': a field's column or an annotation of the tile rows."""
    column = name.lstrip("-")
    with suppress(FieldDoesNotExist):
        column = model._meta.get_field(column).column
    return f'tile."{column}"' + (" DESC" if name.startswith("-") else "")


def _per_layer_window(queryset, limit):
    """The same rows without LATERAL (SQLite): a window function numbers the rows of
    each layer. It reads every match, so it is only for small databases."""
    numbered = queryset.annotate(
        row_in_layer=Window(
            RowNumber(),
            partition_by=[F("layer_id")],
            order_by=[
                OrderBy(F(name.lstrip("-")), descending=name.startswith("-"))
                for name in _order_in_layer(queryset)
            ],
        ),
        layer_total=Window(Count("pk"), partition_by=[F("layer_id")]),
        headline_json=_headline_json(),
    )
    return numbered.filter(row_in_layer__lte=limit)


def with_siblings(queryset):
    """Annotate each project with the published projects before and after it in its layer.

    Subqueries in the project's own query instead of two more round trips. Each
    neighbour is the nearer of two index ranges on (layer, position, name): the same
    position with a name before (after) it, else the position before (after). One
    OR of both read a whole layer when there was no neighbour (45 ms at 100,000).
    """
    position, name = OuterRef("position"), OuterRef("name")
    layer = (
        Project.objects.published().filter(layer_id=OuterRef("layer_id")).exclude(pk=OuterRef("pk"))
    )
    before = [
        layer.filter(position=position, name__lt=name).order_by("-name"),
        layer.filter(position__lt=position).order_by("-position", "-name"),
    ]
    after = [
        layer.filter(position=position, name__gt=name).order_by("name"),
        layer.filter(position__gt=position).order_by("position", "name"),
    ]
    return queryset.annotate(
        previous_slug=_nearest(before, "slug"),
        previous_name=_nearest(before, "name"),
        next_slug=_nearest(after, "slug"),
        next_name=_nearest(after, "name"),
    )


def _nearest(ranges, field):
    return Coalesce(*(Subquery(found.values(field)[:1]) for found in ranges))


def siblings(project):
    """The previous and next projects that `with_siblings` found (unsaved: slug and name)."""
    previous = following = None
    if project.previous_slug:
        previous = Project(slug=project.previous_slug, name=project.previous_name)
    if project.next_slug:
        following = Project(slug=project.next_slug, name=project.next_name)
    return previous, following


def metrics_with_headlines(project, related):
    """The project's metrics, and each related tile's headline metrics, in one query."""
    rows = list(
        TractionMetric.objects.filter(
            Q(project=project) | Q(project__in=[tile.pk for tile in related], is_headline=True)
        )
    )
    own = [metric for metric in rows if metric.project_id == project.pk]
    # The tiles' order elsewhere (see `tiles`): newest first, then position.
    headlines = sorted(
        (metric for metric in rows if metric.project_id != project.pk),
        key=lambda metric: metric.position,
    )
    headlines.sort(key=lambda metric: metric.as_of, reverse=True)
    for tile in related:
        tile.headline = next((m for m in headlines if m.project_id == tile.pk), None)
    return own


def project_filter(data, queryset, *, layers, tags, maps=None):
    """The shared FilterSet, checking choices against objects the page holds (no query).

    `layers`: only the layers this page offers (a map page offers its own).
    """
    filterset = ProjectFilter(data, queryset=queryset)
    for name, known in {"layer": layers, "tag": tags, "map": maps}.items():
        if known is not None:
            choice = filterset.filters[name]
            choice.extra["known"] = known
            # The field is built once and copied along: build it again with `known`.
            vars(choice).pop("_field", None)
    return filterset


@dataclass
class FilterPanel:
    """What the filter form needs to render: options, chosen values and errors."""

    layers: list
    tags: list
    countries: list
    maps: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    error_list: list = field(default_factory=list)
    orderings: list = field(default_factory=list)
    stages = Stage.choices

    @property
    def active(self):
        """True when any filter or search narrows the projects."""
        return any(value for key, value in self.data.items() if key not in {"page", "ordering"})


# Every tag, whether a published project of the scope's layers uses it, and the
# countries those projects are in. The countries are a loose index scan: for each
# layer, jump along the (layer, country) index from one country to the next, about
# 10 probes a layer where DISTINCT read every project (100 ms at 100,000).
FACETS_SQL = """
WITH RECURSIVE found (layer_id, code) AS (
    SELECT layer.id, (
        SELECT project.country FROM projects_project project
        WHERE project.status = %s AND project.layer_id = layer.id AND project.country > ''
        ORDER BY project.country LIMIT 1
    )
    FROM layers_layer layer WHERE layer.id IN ({layers})
    UNION ALL
    SELECT found.layer_id, (
        SELECT project.country FROM projects_project project
        WHERE project.status = %s AND project.layer_id = found.layer_id
            AND project.country > found.code
        ORDER BY project.country LIMIT 1
    )
    FROM found WHERE found.code IS NOT NULL
)
SELECT 'tag', tag.id, tag.slug, tag.name, EXISTS (
    SELECT 1 FROM projects_project_tags link
    JOIN projects_project project ON project.id = link.project_id
    WHERE link.tag_id = tag.id AND project.status = %s AND project.layer_id IN ({layers})
) FROM projects_tag tag
UNION ALL
SELECT DISTINCT 'country', 0, code, code, TRUE FROM found WHERE code IS NOT NULL
"""


def facets_sql(layers):
    """FACETS_SQL and its parameters for the published projects of `layers`."""
    ids = [layer.pk for layer in layers] or [0]
    placeholders = ", ".join(["%s"] * len(ids))
    status = Status.PUBLISHED.value
    return FACETS_SQL.format(layers=placeholders), [status, *ids, status, status, *ids]


def _facets_query(layers):
    """Every tag, the slugs of the tags in use and the countries in use, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(*facets_sql(layers))
        rows = cursor.fetchall()
    return Facets(
        tags=sorted(
            (Tag(pk=pk, slug=slug, name=name) for kind, pk, slug, name, _ in rows if kind == "tag"),
            key=lambda tag: tag.name,
        ),
        used=frozenset(slug for kind, _pk, slug, _name, used in rows if kind == "tag" and used),
        countries=sorted(code for kind, _pk, code, _label, _ in rows if kind == "country"),
    )


@dataclass(frozen=True)
class Facets:
    """Choices of the filter form that depend on the content (every tag, to check a choice)."""

    tags: list
    used: frozenset
    countries: list


def facets(layers, scope):
    """The facets of the published projects in `layers`, cached per content version.

    They only change when the content does, and the content version moves with
    every change. `scope` names the layers in the key (the whole site, a map).
    Without a cache (CACHE_URL=dummy://) nothing could be kept: the content version,
    which costs a query then, is not read either.
    """
    if not caching.can_store():
        return _facets_query(layers)
    return local_cache.remember(
        content_version.current(),
        f"facets:{scope}",
        lambda: _facets_query(layers),
        timeout=FACETS_TIMEOUT,
        size=20_000,
    )


def _tag_choices(facets, data):
    """Tags in use plus those chosen, by name, the first TAG_CHOICES."""
    chosen = set(data.get("tag", []))
    return [tag for tag in facets.tags if tag.slug in facets.used or tag.slug in chosen][
        :TAG_CHOICES
    ]


def filter_panel(filterset, *, facets, layers, maps=()):
    """Options for the filter form, from what the page fetched already (no query)."""
    data = {key: [v for v in filterset.data.getlist(key) if v] for key in filterset.data}
    data = {key: values for key, values in data.items() if values}
    form = filterset.form
    return FilterPanel(
        layers=list(layers),
        tags=_tag_choices(facets, data),
        countries=facets.countries,
        maps=list(maps),
        data=data,
        errors=form.errors,
        error_list=[(name, form.fields[name].label, errs) for name, errs in form.errors.items()],
        orderings=[choice for choice in form.fields["ordering"].choices if choice[0]],
    )


def plain_panel(facets, layers):
    """The filter form with nothing chosen: filter_panel's options without a FilterSet."""
    return FilterPanel(
        layers=list(layers),
        tags=_tag_choices(facets, {}),
        countries=facets.countries,
        orderings=plain_orderings(),
    )


@cache
def plain_orderings():
    """The ordering choices of the form, once per process: they never change."""
    return [choice for choice in ProjectFilter().form.fields["ordering"].choices if choice[0]]


def published_layers():
    return Layer.objects.filter(map__status=Status.PUBLISHED).select_related("map")


def maps_of(layers):
    """The maps of these layers, once each, in the layers' order (no query: select_related)."""
    maps = {}
    for layer in layers:
        maps.setdefault(layer.map_id, layer.map)
    return list(maps.values())
