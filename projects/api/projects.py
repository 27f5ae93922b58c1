"""Partner API for projects: the list (with the public pages' filters), the detail,
a CSV export of any filtered list, and the changes feed that lets a mirror learn
of removals.

The serializers are the one definition of the projects' JSON and of the CSV's columns."""

import csv
import io
import itertools

import django_filters as filters
from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, renderers, serializers, viewsets

from dealmap.api import ERROR_RESPONSES, NOT_FOUND, ConditionalMixin
from dealmap.markdown import render_markdown
from projects.filters import ProjectFilter, UTCIsoDateTimeFilter
from projects.models import ChangeKind, Project, ProjectChange, TeamMember, TractionMetric

# ---- serializers -----------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = TractionMetric
        fields = ["label", "value", "unit", "qualifier", "as_of", "source_url", "note"]
        extra_kwargs = {
            "value": {"help_text": "A decimal string, exact: parse it as a decimal."},
            "qualifier": {"help_text": "Empty for an exact figure; else over, about or up_to."},
        }


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "bio", "url", "is_founder"]


class LayerRefSerializer(serializers.Serializer):
    map = serializers.CharField(source="map.slug", help_text="The map's slug.")
    slug = serializers.CharField()
    name = serializers.CharField()


class LinksSerializer(serializers.Serializer):
    website = serializers.CharField()
    x = serializers.CharField(source="x_url")
    github = serializers.CharField(source="github_url")
    docs = serializers.CharField(source="docs_url")


class ProjectListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail", lookup_field="slug")
    layer = LayerRefSerializer(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    # From published_projects()' prefetch of the headline metrics alone.
    headline_metrics = MetricSerializer(
        many=True, read_only=True, help_text="The metrics the firm headlines for this project."
    )

    class Meta:
        model = Project
        fields = [
            "url", "slug", "name", "one_liner", "layer", "stage", "country", "headquarters",
            "founded_year", "token_symbol", "is_portfolio", "tags", "headline_metrics",
            "published_at", "updated_at",
        ]  # fmt: skip


class ProjectDetailSerializer(ProjectListSerializer):
    description_html = serializers.SerializerMethodField(help_text="Rendered and sanitised.")
    our_view_html = serializers.SerializerMethodField(help_text="Rendered and sanitised.")
    links = LinksSerializer(source="*", read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    metrics = MetricSerializer(many=True, read_only=True, help_text="Every traction figure.")

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *ProjectListSerializer.Meta.fields,
            "description", "description_html", "our_view", "our_view_html", "our_view_date",
            "links", "team", "metrics",
        ]  # fmt: skip

    def get_description_html(self, project) -> str:
        return str(render_markdown(project.description))

    def get_our_view_html(self, project) -> str:
        return str(render_markdown(project.our_view))


def published_projects():
    """The one query behind the list, the detail and the CSV: published, with what they show."""
    headline = Prefetch(
        "metrics",
        queryset=TractionMetric.objects.filter(is_headline=True),
        to_attr="headline_metrics",
    )
    return (
        Project.objects.published().select_related("layer__map").prefetch_related("tags", headline)
    )


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectChange
        fields = ["id", "slug", "kind", "at"]


# ---- examples ----------------------------------------------------------------------------------

METRIC_EXAMPLE = {
    "label": "GPUs on the network",
    "value": "40000.00",
    "unit": "GPUs",
    "qualifier": "over",
    "as_of": "2026-09-30",
    "source_url": "https://example.com/stats",
    "note": "",
}
PROJECT_EXAMPLE = {
    "url": "https://maps.example.com/api/v1/projects/example-network/",
    "slug": "example-network",
    "name": "Example Network",
    "one_liner": "A market for idle GPUs.",
    "layer": {"map": "decentralized-ai", "slug": "compute", "name": "Compute"},
    "stage": "live_network",
    "country": "US",
    "headquarters": "New York",
    "founded_year": 2021,
    "token_symbol": "EXN",
    "is_portfolio": False,
    "tags": ["gpu"],
    "headline_metrics": [METRIC_EXAMPLE],
    "published_at": "2026-10-01T12:00:00Z",
    "updated_at": "2026-11-20T09:30:00Z",
}
PROJECT_DETAIL_EXAMPLE = {
    **PROJECT_EXAMPLE,
    "description": "Rents out **idle** GPUs.",
    "description_html": "<p>Rents out <strong>idle</strong> GPUs.</p>",
    "our_view": "Supply is real.",
    "our_view_html": "<p>Supply is real.</p>",
    "our_view_date": "2026-10-01",
    "links": {"website": "https://example.com", "x": "", "github": "", "docs": ""},
    "team": [{"name": "Ada", "role": "CEO", "bio": "", "url": "", "is_founder": True}],
    "metrics": [METRIC_EXAMPLE],
}
CHANGE_EXAMPLE = {
    "id": 42,
    "slug": "example-network",
    "kind": "removed",
    "at": "2026-11-20T09:30:00Z",
}


def page_example(item):
    return {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [item],
    }


SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The project's slug."
)
# The shared FilterSet filters layers by slug through a path drf-spectacular cannot type.
LAYER = OpenApiParameter(
    "layer",
    OpenApiTypes.STR,
    many=True,
    description="Only projects in these layers (slugs; repeat the parameter for several).",
)

# By name, which the partial index project_published_name serves: the model's order
# (map, layer, position) sorted every published row at 100,000 projects (0.2 s a page).
LIST_ORDER = ("name", "pk")

# ---- views -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Published projects, filtered and paged",
        description=(
            "Takes the public pages' parameters. `layer`, `tag` and `stage` repeat "
            "(any of the values matches)."
        ),
        parameters=[LAYER],
        responses={200: ProjectListSerializer(many=True), **ERROR_RESPONSES},
        examples=[
            OpenApiExample("A page", value=page_example(PROJECT_EXAMPLE), response_only=True)
        ],
    ),
    retrieve=extend_schema(
        summary="One published project: team, every metric, the firm's view",
        parameters=[SLUG],
        responses={
            200: ProjectDetailSerializer,
            (404, "application/json"): NOT_FOUND,
            **ERROR_RESPONSES,
        },
        examples=[OpenApiExample("A project", value=PROJECT_DETAIL_EXAMPLE, response_only=True)],
    ),
)
class ProjectViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    filterset_class = ProjectFilter
    # The exact count of a filtered list, cached per content version (dealmap/pagination.py).
    count_cache_scope = "projects"

    def get_queryset(self):
        if self.action == "retrieve":
            return published_projects().prefetch_related("metrics", "team")
        return published_projects().order_by(*LIST_ORDER)

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectListSerializer

    def get_object(self):
        # PostgreSQL refuses a NUL in text (an error, a 500); no slug holds one.
        if "\x00" in self.kwargs[self.lookup_field]:
            raise Http404(f"No {Project._meta.object_name} matches the given query.")
        return super().get_object()

    def filter_queryset(self, queryset):
        # The detail is found by slug alone: list parameters do not apply to it.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)


# ---- CSV export -------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Rows fetched and written at a time: a 100,000-row export is streamed in chunks of this
# many, never held whole (in the worker or as one prefetch of 100,000 ids, which passes
# PostgreSQL's limit of 65,535 parameters).
CSV_CHUNK = 2000


class CSVRenderer(renderers.BaseRenderer):
    """For content negotiation and the schema only: the export streams csv_chunks()
    itself, and its errors are JSON (ConditionalMixin), so nothing is rendered here."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class ProjectCSVSerializer(ProjectListSerializer):
    """One row of the CSV export: the list's fields (less its url) and the website, as cells.

    Meta.fields are the CSV's columns, in order.
    """

    map = serializers.CharField(source="layer.map.slug")
    layer = serializers.CharField(source="layer.slug")
    # As stored (UTC) and written by isoformat(): "+00:00", where the JSON says "Z".
    published_at = serializers.DateTimeField(format=None, read_only=True)
    updated_at = serializers.DateTimeField(format=None, read_only=True)

    class Meta(ProjectListSerializer.Meta):
        fields = [
            "slug", "name", "map", "layer", "one_liner", "stage", "country", "headquarters",
            "founded_year", "token_symbol", "is_portfolio", "tags", "website",
            "headline_metrics", "published_at", "updated_at",
        ]  # fmt: skip

    def to_representation(self, project):
        row = super().to_representation(project)
        row["is_portfolio"] = "true" if row["is_portfolio"] else "false"
        row["tags"] = ";".join(row["tags"])
        row["headline_metrics"] = "; ".join(map(metric_cell, row["headline_metrics"]))
        for name in ("published_at", "updated_at"):
            row[name] = row[name].isoformat() if row[name] else ""
        return {name: _safe_cell(value) for name, value in row.items()}


def metric_cell(metric):
    return f"{metric['label']}: {metric['value']} {metric['unit']} ({metric['as_of']})".replace(
        " ()", ""
    )


def _safe_cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(projects, context):
    """The CSV's bytes, the header then CSV_CHUNK rows at a time."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ProjectCSVSerializer.Meta.fields)
    writer.writeheader()
    yield _drain(out)
    for chunk in itertools.batched(projects, CSV_CHUNK):
        writer.writerows(ProjectCSVSerializer(chunk, many=True, context=context).data)
        yield _drain(out)


def _drain(out):
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode(CSVRenderer.charset)


class ProjectCSVView(ConditionalMixin, generics.ListAPIView):
    """Every project of a filtered list (no paging), one row each, streamed."""

    filterset_class = ProjectFilter
    renderer_classes = [CSVRenderer]
    pagination_class = None

    def get_queryset(self):
        return published_projects()

    @extend_schema(
        summary="CSV export of a filtered project list",
        tags=["projects"],
        description="Same parameters as the project list; every matching row, no paging.",
        parameters=[LAYER],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A header row, then one row per project.",
                examples=[
                    OpenApiExample(
                        "Two columns shown",
                        value="slug,name,...\nexample-network,Example Network,...\n",
                    )
                ],
            ),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request, *args, **kwargs):
        # Filtered first, so a bad parameter is a 400 before any byte is sent.
        projects = self.filter_queryset(self.get_queryset())
        # On PostgreSQL a server-side cursor, CSV_CHUNK rows fetched at a time, each chunk
        # with its own prefetch of tags and headline metrics.
        response = StreamingHttpResponse(
            csv_chunks(projects.iterator(chunk_size=CSV_CHUNK), self.get_serializer_context()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="dealmap-projects.csv"'
        return response


# ---- changes feed -----------------------------------------------------------------------------


class ChangeFilter(filters.FilterSet):
    since = UTCIsoDateTimeFilter(
        field_name="at",
        lookup_expr="gte",
        label="Only changes at or after this time (ISO 8601, e.g. 2026-11-20T09:30:00Z).",
    )
    kind = filters.ChoiceFilter(choices=ChangeKind.choices, label="Only changes of this kind.")

    class Meta:
        model = ProjectChange
        fields = []


@extend_schema(
    summary="Changes feed: projects published, updated and removed",
    description=(
        "Oldest first. A mirror applies the slugs it lists: fetch the detail of each; a 404 "
        "means the project left the published set (unpublished, archived, deleted)."
    ),
    responses={200: ChangeSerializer(many=True), **ERROR_RESPONSES},
    examples=[OpenApiExample("A page", value=page_example(CHANGE_EXAMPLE), response_only=True)],
)
class ChangeListView(ConditionalMixin, generics.ListAPIView):
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    queryset = ProjectChange.objects.order_by("at", "id")
