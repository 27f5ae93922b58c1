"""Read helpers shared by the public pages: each runs a fixed number of queries.

The views build a queryset (published, or any status for a staff preview), run it
through the shared `ProjectFilter`, and hand it to these functions.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

from dealmap import content_version
from dealmap.editorial import Status
from layers.models import Layer
from projects.filters import ProjectFilter
from projects.models import Project, Stage, Tag, TractionMetric

# How many tag checkboxes the filter panel offers (tags in use, plus any chosen).
TAG_CHOICES = 40
# Facets are keyed by the content version, so any edit makes them stale at once;
# the timeout only lets keys of old versions go.
FACETS_TIMEOUT = 60 * 60


def tiles(queryset):
    """What a project tile shows: its layer, and its headline figure (one prefetch query)."""
    headline = TractionMetric.objects.filter(is_headline=True).order_by("-as_of", "position")
    return queryset.select_related("layer").prefetch_related(
        Prefetch("metrics", queryset=headline, to_attr="headline_metrics")
    )


def _order_in_layer(queryset):
    """The queryset's ordering, less the map and layer positions (constant within a layer)."""
    names = queryset.query.order_by or queryset.model._meta.ordering
    return [
        OrderBy(F(name.lstrip("-")), descending=name.startswith("-"))
        for name in names
        if isinstance(name, str) and not name.lstrip("-").startswith("layer__")
    ]


def first_per_layer(queryset, limit):
    """At most `limit` projects of each layer, in the queryset's own order (one query).

    A window function numbers the rows inside each layer, so a layer of 100,000
    projects still sends only `limit` rows to the page. Each row also carries its
    layer's total (`layer_total`): the band counts need no query of their own.
    """
    numbered = queryset.annotate(
        row_in_layer=Window(
            RowNumber(), partition_by=[F("layer_id")], order_by=_order_in_layer(queryset)
        ),
        layer_total=Window(Count("pk"), partition_by=[F("layer_id")]),
    )
    return tiles(numbered.filter(row_in_layer__lte=limit))


def with_siblings(queryset):
    """Annotate each project with the published projects before and after it in its layer.

    Four subqueries in the project's own query (each one index probe on
    layer, position, name) instead of two more round trips.
    """
    position, name = OuterRef("position"), OuterRef("name")
    layer = (
        Project.objects.published().filter(layer_id=OuterRef("layer_id")).exclude(pk=OuterRef("pk"))
    )
    before = layer.filter(Q(position__lt=position) | Q(position=position, name__lt=name))
    after = layer.filter(Q(position__gt=position) | Q(position=position, name__gt=name))
    before = before.order_by("-position", "-name")
    after = after.order_by("position", "name")
    return queryset.annotate(
        previous_slug=Subquery(before.values("slug")[:1]),
        previous_name=Subquery(before.values("name")[:1]),
        next_slug=Subquery(after.values("slug")[:1]),
        next_name=Subquery(after.values("name")[:1]),
    )


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
        tile.headline_metrics = [m for m in headlines if m.project_id == tile.pk]
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


def _text(value):
    return Value(value, output_field=CharField())


def _facet_rows(queryset, kind, ident, code, label):
    """Rows of the facets UNION: (kind, id, code, label)."""
    return (
        queryset.annotate(kind=_text(kind), ident=ident, code=code, label=label)
        .order_by()
        .values_list("kind", "ident", "code", "label")
    )


def _facets_query(base):
    """Every tag, the slugs of the tags in use and the countries in use, in one UNION query."""
    used = Project.tags.through.objects.filter(
        tag=OuterRef("pk"), project__in=base.order_by().values("pk")
    )
    no_id = Value(0, output_field=IntegerField())
    rows = _facet_rows(Tag.objects.all(), "tag", F("pk"), F("slug"), F("name")).union(
        _facet_rows(Tag.objects.filter(Exists(used)), "used", F("pk"), F("slug"), F("name")),
        # UNION (not ALL) also removes the repeated countries.
        _facet_rows(base.exclude(country=""), "country", no_id, F("country"), F("country")),
    )
    rows = list(rows.order_by())
    return Facets(
        tags=sorted(
            (Tag(pk=pk, slug=slug, name=name) for kind, pk, slug, name in rows if kind == "tag"),
            key=lambda tag: tag.name,
        ),
        used=frozenset(slug for kind, _pk, slug, _name in rows if kind == "used"),
        countries=sorted(code for kind, _pk, code, _label in rows if kind == "country"),
    )


@dataclass(frozen=True)
class Facets:
    """Choices of the filter form that depend on the content (every tag, to check a choice)."""

    tags: list
    used: frozenset
    countries: list


def facets(base, scope):
    """The facets of `base`, cached per content version.

    Finding the tags and countries in use among 100,000 projects takes most of a
    second; they only change when the content does, and the content version moves
    with every change. `scope` names `base` in the key (the whole site, a map, a preview).
    """
    key = f"dealmap:facets:{content_version.current().token}:{scope}"
    found = cache.get(key)
    if found is None:
        found = _facets_query(base)
        cache.set(key, found, FACETS_TIMEOUT)
    return found


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


def published_layers():
    return Layer.objects.filter(map__status=Status.PUBLISHED).select_related("map")


def maps_of(layers):
    """The maps of these layers, once each, in the layers' order (no query: select_related)."""
    maps = {}
    for layer in layers:
        maps.setdefault(layer.map_id, layer.map)
    return list(maps.values())
