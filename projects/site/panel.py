"""The filter panel of the map and list pages: the shared FilterSet, its choices (the
facets, kept per content version) and what the form needs to render."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Value

from dealmap import content_version
from projects.filters import ProjectFilter
from projects.models import Project, Stage, Tag

# How many tag checkboxes the filter panel offers (tags in use, plus any chosen).
TAG_CHOICES = 40
# Facets are keyed by the content version, so any edit makes them stale at once;
# the timeout only lets keys of old versions go.
FACETS_TIMEOUT = 60 * 60


def project_filter(data, queryset, *, layers, tags, maps=None):
    """The shared FilterSet, checking choices against objects the page holds (no query).

    `layers`: only the layers this page offers (a map page offers its own).
    """
    filterset = ProjectFilter(data, queryset=queryset)
    fields = filterset.form.fields
    for name, known in {"layer": layers, "tag": tags, "map": maps}.items():
        if known is not None:
            fields[name].known = known
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


@dataclass(frozen=True)
class Facets:
    """Choices of the filter form that depend on the content (every tag, to check a choice)."""

    tags: list
    used: frozenset
    countries: list


def facets(projects, scope, version):
    """The facets of `projects` (a page's unfiltered queryset), kept per content version.

    They only change when the content does, and the content version moves with every
    change. `scope` names the projects in the key (the whole site, a map, a preview).
    """
    # Not "facets:": what an older release kept under that name was another class.
    return content_version.remember(
        version, f"panel-facets:{scope}", lambda: _facets_query(projects), timeout=FACETS_TIMEOUT
    )


def _facets_query(projects):
    """Every tag, the slugs of those in use and the countries in use (one query)."""
    rows = list(facet_rows(projects))
    return Facets(
        tags=sorted(
            (Tag(pk=pk, slug=slug, name=name) for kind, pk, slug, name, _ in rows if kind == "tag"),
            key=lambda tag: tag.name,
        ),
        used=frozenset(slug for kind, _pk, slug, _name, used in rows if kind == "tag" and used),
        countries=sorted(code for kind, _pk, code, _label, _ in rows if kind == "country"),
    )


def facet_rows(projects):
    """(kind, pk, slug, name, used) rows: every tag, whether one of `projects` has it,
    and the countries of `projects`.

    The countries are a DISTINCT of every project (an index-only scan of the (layer,
    country) index on PostgreSQL), once per content version.
    """
    used = Exists(Project.tags.through.objects.filter(tag=OuterRef("pk"), project__in=projects))
    tags = (
        Tag.objects.order_by()
        .annotate(kind=Value("tag"), used=used)
        .values_list("kind", "pk", "slug", "name", "used")
    )
    countries = (
        projects.exclude(country="")
        .order_by()
        .annotate(
            kind=Value("country"),
            none=Value(0, output_field=IntegerField()),
            label=Value("", output_field=Tag._meta.get_field("name")),
            used=Value(True, output_field=BooleanField()),
        )
        .values_list("kind", "none", "country", "label", "used")
        .distinct()
    )
    return tags.union(countries, all=True)


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
