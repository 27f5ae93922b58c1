"""Read helpers shared by the public pages: each runs a fixed number of queries.

The views build a queryset (published, or any status for a staff preview), run it
through the shared `ProjectFilter`, and hand it to these functions.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OrderBy, OuterRef, Prefetch, Q, Window
from django.db.models.functions import RowNumber

from dealmap.editorial import Status
from layers.models import Layer
from projects.filters import ProjectFilter
from projects.models import Project, Stage, Tag, TractionMetric

# How many tag checkboxes the filter panel offers (tags in use, plus any chosen).
TAG_CHOICES = 40


def tiles(queryset):
    """What a project tile shows: its layer, and its headline figure (one prefetch query)."""
    headline = TractionMetric.objects.filter(is_headline=True).order_by("-as_of", "position")
    return queryset.select_related("layer").prefetch_related(
        Prefetch("metrics", queryset=headline, to_attr="headline_metrics")
    )


def layer_counts(queryset):
    """{layer id: number of projects}, in one aggregate query."""
    rows = queryset.order_by().values("layer").annotate(n=Count("pk"))
    return {row["layer"]: row["n"] for row in rows}


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
    projects still sends only `limit` rows to the page.
    """
    numbered = queryset.annotate(
        row_in_layer=Window(
            RowNumber(), partition_by=[F("layer_id")], order_by=_order_in_layer(queryset)
        )
    )
    return tiles(numbered.filter(row_in_layer__lte=limit))


def siblings(project):
    """Published projects in the project's layer, before and after it in the layer's order."""
    layer = Project.objects.published().filter(layer_id=project.layer_id).exclude(pk=project.pk)
    before = Q(position__lt=project.position) | Q(position=project.position, name__lt=project.name)
    after = Q(position__gt=project.position) | Q(position=project.position, name__gt=project.name)
    previous = layer.filter(before).order_by("-position", "-name").only("slug", "name").first()
    following = layer.filter(after).order_by("position", "name").only("slug", "name").first()
    return previous, following


def project_filter(data, queryset, *, layers):
    filterset = ProjectFilter(data, queryset=queryset)
    # Layer checkboxes: only the layers this page offers (a map page offers its own).
    filterset.filters["layer"].queryset = layers
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


def filter_panel(filterset, *, base, layers, maps=()):
    """Options for the filter form, in two queries (tags in use, countries in use)."""
    data = {key: [v for v in filterset.data.getlist(key) if v] for key in filterset.data}
    data = {key: values for key, values in data.items() if values}
    used = Project.tags.through.objects.filter(
        tag=OuterRef("pk"), project__in=base.order_by().values("pk")
    )
    tags = list(
        Tag.objects.filter(Exists(used) | Q(slug__in=data.get("tag", []))).order_by("name")[
            :TAG_CHOICES
        ]
    )
    countries = list(
        base.exclude(country="").order_by("country").values_list("country", flat=True).distinct()
    )
    form = filterset.form
    return FilterPanel(
        layers=list(layers),
        tags=tags,
        countries=countries,
        maps=list(maps),
        data=data,
        errors=form.errors,
        error_list=[(name, form.fields[name].label, errs) for name, errs in form.errors.items()],
        orderings=[choice for choice in form.fields["ordering"].choices if choice[0]],
    )


def published_layers():
    return Layer.objects.filter(map__status=Status.PUBLISHED).select_related("map")
