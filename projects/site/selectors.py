"""Read helpers shared by the public pages: querysets, each a fixed number of queries.

The views build a queryset (published, or the preview's), run it through the shared
`ProjectFilter` (projects/panel.py) and hand it to these functions. Nothing here knows
which engine runs it: the same querysets run on SQLite and PostgreSQL.
"""

import json
from decimal import Decimal

from django.db.models import Case, OuterRef, Subquery, TextField, When
from django.db.models.functions import Coalesce, JSONObject

from layers.models import Layer, map_published_q
from projects.expressions import CappedCount
from projects.models import Project, TractionMetric, published_q

# A count past this shows as "1,000+": counting further would read every match.
COUNT_CAP = 1000
# Within one layer the map's order is the (layer, position, name) index's: ordering by
# the map's and the layer's positions too would sort every project of the layer.
IN_LAYER_ORDER = ("position", "name")
# What a tile shows, and what orders it: a tile needs no other column.
TILE_FIELDS = ["slug", "name", "logo", "one_liner", "is_portfolio", "layer", "position"]


def _headline_json():
    """The tile's headline figure as JSON, read only where there is no one-liner (which
    shows instead): an index probe per tile in the tiles' own query, not one more query."""
    newest = TractionMetric.objects.filter(project=OuterRef("pk"), is_headline=True)
    figure = JSONObject(label="label", value="value", unit="unit", qualifier="qualifier")
    first = newest.order_by("-as_of", "position").values_list(figure)[:1]
    return Case(When(one_liner="", then=Subquery(first)), output_field=TextField())


def tiles(queryset, *, with_layer=True):
    """What a project tile shows: its layer (`with_layer`: else the caller sets it), and
    its headline figure (`with_headline`)."""
    if with_layer:
        queryset = queryset.select_related("layer").only(
            *TILE_FIELDS, "layer__name", "layer__slug", "layer__map_id"
        )
    else:
        queryset = queryset.only(*TILE_FIELDS)
    return queryset.annotate(headline_json=_headline_json())


def with_headline(rows):
    """Each tile's `headline`: a TractionMetric (unsaved) or None."""
    for row in rows:
        found = row.headline_json and json.loads(row.headline_json, parse_float=Decimal)
        row.headline = TractionMetric(**found) if found else None
    return rows


def count_label(count, *, capped=False):
    """ "24", or "1,000+" for a count that stopped at a cap."""
    return f"{count:,}+" if capped else f"{count:,}"


def on_layers(layers):
    """The published projects of `layers`, layers of a map known to be published (or
    previewed): the projects' own status is all there is left to check, so each
    per-layer read is one index range, with no join to the map."""
    return Project.objects.filter(published_q(any_map=True), layer__in=layers)


def first_in_each_layer(queryset, layers, limit):
    """The ids of the first `limit` rows of `queryset` in each of `layers`, in its order.

    A subquery: each layer's part reads `limit` entries of an index, whatever the size
    of the layer, where numbering the rows of every layer (a window) read every match.
    Each part is an id lookup around the sliced rows, as SQLite takes no LIMIT in a
    part of a UNION.
    """
    # Each clone of a queryset copies the subqueries it holds: the parts are built from
    # small querysets, and joined last.
    ids, wrapper = queryset.values("pk"), Project.objects.order_by().values("pk")
    first, *others = [wrapper.filter(pk__in=ids.filter(layer=layer)[:limit]) for layer in layers]
    return first.union(*others, all=True)


def first_tiles(queryset, layers, limit):
    """{layer id: its first `limit` tiles of `queryset`, in the queryset's order} (one query)."""
    if not layers:
        return {}
    by_pk = {layer.pk: layer for layer in layers}
    found = {}
    # The layers are in hand: no join to read them again.
    rows = tiles(queryset, with_layer=False).filter(
        pk__in=first_in_each_layer(queryset, layers, limit)
    )
    for row in with_headline(list(rows)):
        row.layer = by_pk[row.layer_id]
        found.setdefault(row.layer_id, []).append(row)
    return found


def ranked(queryset):
    """A search's matches, best first, as (id, layer id): one query.

    A search ranks a bounded set (at most 4 x search.MATCHES on PostgreSQL): its ids
    and layers are read once, and pages, bands and counts come from them, where each
    per-layer read ran the whole search again (1.2 s for a map at 100,000 projects).
    """
    return list(queryset.values_list("pk", "layer_id"))


def tiles_by_id(ids):
    """{id: tile} of these projects, their layer for the caller to set (one query)."""
    rows = tiles(Project.objects.filter(pk__in=ids), with_layer=False)
    return {row.pk: row for row in with_headline(list(rows))}


def ranked_tiles(matches, layers, limit):
    """({layer id: its first `limit` tiles of `matches`}, {layer id: count}), from the
    (id, layer id) pairs of `ranked` (one query)."""
    firsts, counts = {}, {}
    for pk, layer_id in matches:
        counts[layer_id] = counts.get(layer_id, 0) + 1
        if counts[layer_id] <= limit:
            firsts.setdefault(layer_id, []).append(pk)
    found = tiles_by_id([pk for pks in firsts.values() for pk in pks]) if firsts else {}
    by_pk = {layer.pk: layer for layer in layers}
    for row in found.values():
        row.layer = by_pk[row.layer_id]
    tiles = {layer_id: [found[pk] for pk in pks] for layer_id, pks in firsts.items()}
    return tiles, {layer_id: min(n, COUNT_CAP + 1) for layer_id, n in counts.items()}


def capped_counts(queryset, layers):
    """{layer id: rows of `queryset` in it, counted no further than COUNT_CAP + 1}.

    One query; each count is one index range of at most COUNT_CAP + 1 entries.
    """
    return dict(layer_counts(queryset, layers))


def layer_counts(queryset, layers):
    """(layer id, capped count) rows, the query `capped_counts` runs."""
    in_layer = queryset.filter(layer=OuterRef("pk"))
    return (
        Layer.objects.filter(pk__in=[layer.pk for layer in layers])
        .order_by()
        .annotate(found=CappedCount(in_layer, COUNT_CAP + 1))
        .values_list("pk", "found")
    )


def in_map_order(rows, projects, layers, stop):
    """`rows` (tiles of `projects`) less all but the first `stop` of each layer in the
    maps' order (each map's layers, then position and name), to slice a page from.

    Ordering every match by the map's and the layer's positions sorted them all (175 ms
    at 100,000 projects); this sorts only the first `stop` of each layer. The ids are
    read from `projects`, not from `rows`: every clone of a queryset copies what it holds.
    """
    if not layers:
        return rows.none()
    ordered = projects.order_by(*IN_LAYER_ORDER)
    return rows.filter(pk__in=first_in_each_layer(ordered, layers, stop))


def published_layers():
    """The layers of the published maps, with their map, in the maps' order."""
    return Layer.objects.filter(map_published_q("map__")).select_related("map")


def maps_of(layers):
    """The maps of these layers, once each, in the layers' order (no query: select_related)."""
    maps = {}
    for layer in layers:
        maps.setdefault(layer.map_id, layer.map)
    return list(maps.values())


def with_siblings(queryset, neighbours):
    """Annotate each project with the projects of `neighbours` before and after it in its
    layer: subqueries in the project's own query instead of two more round trips.

    Each neighbour is the nearer of two index ranges on (layer, position, name): the same
    position with a name before (after) it, else the position before (after). One OR of
    both read a whole layer when there was no neighbour (45 ms at 100,000).
    """
    position, name = OuterRef("position"), OuterRef("name")
    layer = neighbours.filter(layer_id=OuterRef("layer_id")).exclude(pk=OuterRef("pk"))
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


def with_related(queryset, neighbours, slug, limit):
    """The project `slug` of `queryset` and the first `limit` other `neighbours` of its
    layer in the map's order, in one query: (project, related tiles), or (None, []).

    Every row carries what the project needs (its map, previous and next) and what a
    tile needs (its headline figure): a few index probes more, a round trip less.
    """
    own = queryset.filter(slug=slug)
    layer = Subquery(own.values("layer_id")[:1])
    others = neighbours.filter(layer_id=layer).exclude(slug=slug).order_by(*IN_LAYER_ORDER)
    related = Project.objects.filter(pk__in=others.values("pk")[:limit]).order_by().values("pk")
    rows = with_siblings(
        queryset.filter(pk__in=own.order_by().values("pk").union(related, all=True)), neighbours
    )
    rows = rows.select_related("layer__map").annotate(headline_json=_headline_json())
    found = with_headline(list(rows.order_by(*IN_LAYER_ORDER)))
    project = next((row for row in found if row.slug == slug), None)
    return project, [row for row in found if row is not project]
